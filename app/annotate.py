"""Annotated video output for ``analyze --annotate``: the same overlays the window draws."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from app.outputs import OutputError, OutputFile
from pose.overlay import draw_panel, draw_skeleton
from pose.pipeline import Step


# OpenCV's FFmpeg writer needs a time base under 2**16; the sources refuse faster clips anyway.
MAX_FPS = 1000.0


class AnnotatedWriter:
    """Writes each pipeline step as an annotated frame to an mp4 file.

    The destination is checked first (never one of ``reads``, its folder writable), the frames go
    to a private temporary file beside it, and :meth:`close` renames that over the destination,
    finished and playable; :meth:`discard` drops it instead.
    """

    def __init__(self, path: str | Path, fps: float, size_px: tuple[int, int],
                 reads: Iterable[str | Path] = (), label: str = "annotated video") -> None:
        self.path = Path(path)
        self.size_px = size_px
        self.frames = 0
        self._output = OutputFile(path, reads, label)  # OutputError (an OSError) names the problem
        if not (0.0 < (fps or 0.0) <= MAX_FPS):
            fps = 30.0
        self._writer = None
        try:
            for fourcc in ("avc1", "mp4v"):  # H.264 where the OpenCV build has an encoder for it
                with _opencv_quiet():  # a build without one logs its failed attempts on stderr
                    writer = cv2.VideoWriter(str(self._output.temp), cv2.CAP_FFMPEG,
                                             cv2.VideoWriter_fourcc(*fourcc), fps, size_px)
                if writer.isOpened():
                    self._writer = writer
                    break
                writer.release()
        finally:
            if self._writer is None:
                self._output.discard()
        if self._writer is None:
            raise OutputError(f"cannot write {self.path}: no mp4 encoder in this OpenCV build "
                              f"for {size_px[0]}x{size_px[1]} at {fps:g} fps")

    def write(self, step: Step) -> None:
        image = annotate_step(step)
        if (image.shape[1], image.shape[0]) != self.size_px:
            image = cv2.resize(image, self.size_px)
        self._writer.write(image)
        self.frames += 1

    def close(self) -> Path | None:
        """Finish the mp4 (so what was written plays) and put it in place; the destination, or None."""
        if self._writer is None:
            return None
        self._writer.release()
        self._writer = None
        return self._output.commit()

    def discard(self) -> None:
        """Stop and leave the destination untouched."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._output.discard()


@contextlib.contextmanager
def _opencv_quiet():
    log = getattr(getattr(cv2, "utils", None), "logging", None)
    if log is None:
        yield
        return
    previous = log.getLogLevel()
    log.setLogLevel(log.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        log.setLogLevel(previous)


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
