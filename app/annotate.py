"""Annotated video output for ``analyze --annotate``: the same overlays the window draws."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from app.outputs import OutputError, OutputFile
from exercises.vocabulary import fault_label, phase_words, status_message
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

    def __init__(
        self,
        path: str | Path,
        fps: float,
        size_px: tuple[int, int],
        reads: Iterable[str | Path] = (),
        label: str = "annotated video",
    ) -> None:
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
                    writer = cv2.VideoWriter(
                        str(self._output.temp), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*fourcc), fps, size_px
                    )
                if writer.isOpened():
                    self._writer = writer
                    break
                writer.release()
        finally:
            if self._writer is None:
                self._output.discard()
        if self._writer is None:
            raise OutputError(
                f"cannot write {self.path}: no mp4 encoder in this OpenCV build "
                f"for {size_px[0]}x{size_px[1]} at {fps:g} fps"
            )

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


def hud_lines(state: Any, caption: str = "angle") -> list[str]:
    """The review overlay's text for a checker state: plain words only (no phase names or codes)."""
    if state is None:
        return []
    lines = [f"Reps {state.reps}"]
    if state.reps_by_side is not None:
        lines[0] += f"   left {state.reps_by_side.get('left', 0)}  right {state.reps_by_side.get('right', 0)}"
    if getattr(state, "hold_target_s", None):
        lines.append(f"Hold {state.hold_s:.1f} / {state.hold_target_s:.0f} s")
    angle = getattr(state, "angle_deg", None)
    if angle is not None and not np.isnan(angle):
        lines.append(f"{caption[:1].upper() + caption[1:]} {angle:.0f} deg")
        phase = phase_words(state.phase)
        lines.append(phase[:1].upper() + phase[1:])
    if getattr(state, "status", None):
        lines.append(f"Not counting: {status_message(state.status)}")
    faults = getattr(state, "faults", ())
    if faults:
        lines.append("Check: " + ", ".join(fault_label(f) for f in faults))
    return lines


def fit_lines(lines: Sequence[str], image_shape: tuple[int, ...]) -> list[str]:
    """``lines`` wrapped at spaces so pose.overlay.draw_panel's box fits the image's width.

    draw_panel sizes its font to the image's longer side (Hershey simplex, 0.7 per 640 px), so a
    portrait phone clip is narrow for its text and a long status would run off the picture.
    """
    scale = max(image_shape[:2]) / 640.0
    width_px = image_shape[1]

    def fits(text: str) -> bool:
        (w, _h), _base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale, max(1, round(2 * scale)))
        return w + 40 * scale <= width_px  # the box's padding and its margin from the edge

    out: list[str] = []
    for line in lines:
        wrapped: list[str] = []
        for word in line.split(" "):
            if wrapped and fits(f"{wrapped[-1]} {word}"):
                wrapped[-1] = f"{wrapped[-1]} {word}"
            else:
                wrapped.append(word)
        out.extend(wrapped)
    return out


def annotate_step(step: Step) -> np.ndarray:
    """The frame with skeleton and counter panel."""
    image = draw_skeleton(step.frame.image_bgr, step.pose)
    state = getattr(step.result, "state", None)
    return draw_panel(image, fit_lines(hud_lines(state), image.shape))
