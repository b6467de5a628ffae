"""Annotated video output for ``analyze --annotate``: the same overlays the window draws."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pose.overlay import draw_panel, draw_skeleton
from pose.pipeline import Step


class AnnotatedWriter:
    """Writes each pipeline step as an annotated frame to an mp4 file."""

    def __init__(self, path: str | Path, fps: float, size_px: tuple[int, int]) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise OSError(f"cannot write {self.path}: folder {self.path.parent} does not exist")
        self._writer = None
        for fourcc in ("avc1", "mp4v"):  # H.264 where the OpenCV build has an encoder for it
            writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*fourcc), fps or 30.0, size_px)
            if writer.isOpened():
                self._writer = writer
                break
            writer.release()
        if self._writer is None:
            raise OSError(f"cannot write {self.path}: no mp4 encoder available")
        self.size_px = size_px

    def write(self, step: Step) -> None:
        image = annotate_step(step)
        if (image.shape[1], image.shape[0]) != self.size_px:
            image = cv2.resize(image, self.size_px)
        self._writer.write(image)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None


def hud_lines(state) -> list[str]:
    """The counter panel's text for a checker state."""
    if state is None:
        return []
    lines = [f"Reps {state.reps}"]
    if state.reps_by_side is not None:
        lines[0] += f"   L {state.reps_by_side.get('left', 0)}  R {state.reps_by_side.get('right', 0)}"
    if getattr(state, "hold_target_s", None):
        lines.append(f"Hold {state.hold_s:.1f} / {state.hold_target_s:.0f} s")
    angle = getattr(state, "angle_deg", None)
    if angle is not None and not np.isnan(angle):
        lines.append(f"Angle {angle:.0f} deg  ({state.phase})")
    if getattr(state, "status", None):
        lines.append(f"Not counting: {state.status.replace('_', ' ')}")
    faults = getattr(state, "faults", ())
    if faults:
        lines.append("Check: " + ", ".join(f.replace("_", " ") for f in faults))
    return lines


def annotate_step(step: Step) -> np.ndarray:
    """The frame with skeleton and counter panel."""
    image = draw_skeleton(step.frame.image_bgr, step.pose)
    state = getattr(step.result, "state", None)
    return draw_panel(image, hud_lines(state))
