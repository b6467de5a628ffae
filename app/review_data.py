"""Replay review data, Qt-free: analysed frames kept compactly, the exports (mp4, CSV, JSON), and
the review's words: what the plot measures, why a movement did not count, what the overlay says.

Every reason, note, status and fault is worded once, in :mod:`exercises.vocabulary`; this module only
picks the words, so no engine code reaches the screen.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from app.analysis import ClipAnalysis
from app.annotate import (  # the overlay's plain words live with the annotated video
    AnnotatedWriter,
    fit_lines,
    hud_lines,
)
from app.clip_report import ClipReport
from exercises.definitions import ExerciseDef
from exercises.vocabulary import fault_label, note_message, partial_reason
from pose.frame import PoseFrame
from pose.overlay import draw_panel, draw_skeleton
from pose.pipeline import Step, StepTimings
from pose.sources import VideoFrame

JPEG_QUALITY = 88  # keeps a 30 s 480p clip in ~20 MB, so seeking is instant

# What each counting signal measures, for the plot's title (the caption itself is the live
# page's SIGNAL_CAPTIONS, passed in by the view).
SIGNAL_MEASURES = {
    "hip_angle": "shoulder-hip-knee",
    "foot_lift": "ankle height above the floor, as a shin tilt",
    "leg_elevation": "hip-ankle line above the floor",
    "leg_abduction": "hip-ankle line away from the body's midline",
    "thigh_forward": "hip-knee line in front of the vertical",
    "thigh_backward": "hip-knee line behind the vertical",
    "squat_knee_angle": "hip-knee-ankle",
}


def note_words(code: str, detail: str = "") -> str:
    """A note in words, with what it concerns when known ("... (knee bent)")."""
    text = note_message(code)
    return f"{text} ({detail})" if detail else text


def plot_title(definition: ExerciseDef, caption: str) -> str:
    """What the plot shows, e.g. "Knee angle (hip-knee-ankle), degrees"."""
    measures = SIGNAL_MEASURES.get(definition.signal)
    text = caption[:1].upper() + caption[1:]  # the plot shows the signal itself, even when rest-relative
    return f"{text} ({measures}), degrees" if measures else f"{text}, degrees"


@dataclass(frozen=True, eq=False)
class ReplayFrame:
    index: int
    t_s: float
    jpeg: np.ndarray  # the frame as decoded, JPEG-compressed
    pose: PoseFrame
    result: Any  # the checker's step (state, events)

    @property
    def angle_deg(self) -> float:
        state = getattr(self.result, "state", None)
        value = getattr(state, "angle_deg", None)
        return float("nan") if value is None else float(value)

    def image_bgr(self) -> np.ndarray:
        return cv2.imdecode(self.jpeg, cv2.IMREAD_COLOR)

    def step(self) -> Step:
        frame = VideoFrame(self.index, self.t_s * 1000.0, self.image_bgr())
        return Step(frame, self.pose, self.pose, self.result, StepTimings(0.0, 0.0, 0.0))

    def annotated_bgr(self, caption: str = "angle") -> np.ndarray:
        image = draw_skeleton(self.image_bgr(), self.pose)
        return draw_panel(image, fit_lines(hud_lines(getattr(self.result, "state", None), caption), image.shape))

    @property
    def band_deg(self) -> tuple[float, float]:
        """The rep's thresholds at this frame: (target, back at the start); NaN while unknown."""
        state = getattr(self.result, "state", None)
        target, rest = getattr(state, "target_deg", None), getattr(state, "rest_deg", None)
        return (float("nan") if target is None else float(target), float("nan") if rest is None else float(rest))


@dataclass(frozen=True)
class AnalysisDone:
    report: ClipReport


def analysis_items(analysis: ClipAnalysis) -> Iterator[ReplayFrame | AnalysisDone]:
    """Each analysed frame, then the report."""
    for step in analysis.steps():
        ok, jpeg = cv2.imencode(".jpg", step.frame.image_bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise OSError(f"cannot compress frame {step.frame.index}")
        yield ReplayFrame(step.frame.index, step.frame.timestamp_ms / 1000.0, jpeg, step.pose, step.result)
    yield AnalysisDone(analysis.report())


REP_COLUMNS = ("index", "side", "start_s", "end_s", "duration_s", "peak_angle_deg", "hold_s", "faults")


def _blank_if_none(value: float | None) -> float | str:
    return "" if value is None else value


def rep_rows(report: ClipReport) -> list[dict]:
    """One row per counted rep, in :data:`REP_COLUMNS` (the reps CSV)."""
    return [
        {
            "index": rep.index,
            "side": rep.side or "",
            "start_s": rep.start_s,
            "end_s": rep.end_s,
            "duration_s": round(rep.end_s - rep.start_s, 3),
            "peak_angle_deg": _blank_if_none(rep.peak_angle_deg),
            "hold_s": _blank_if_none(rep.hold_s),
            "faults": " ".join(rep.faults),
        }
        for rep in report.reps_detail
    ]


REVIEW_COLUMNS = ("index", "side", "start_s", "end_s", "duration_s", "peak_angle_deg", "hold_s", "faults", "result")


def review_rows(report: ClipReport) -> list[dict]:
    """The review table: counted reps and the movements that did not count, in time order.

    A counted rep's ``result`` is "counted"; a partial one's "not counted: <reason in words>"
    (its ``index`` is empty: it has no rep number). ``counted`` tells them apart.
    """
    rows = [
        dict(row, faults=", ".join(fault_label(c) for c in rep.faults), result="counted", counted=True)
        for row, rep in zip(rep_rows(report), report.reps_detail)
    ]
    for part in report.partial_reps:
        rows.append(
            {
                "index": "",
                "side": part.side or "",
                "start_s": part.start_s,
                "end_s": part.end_s,
                "duration_s": round(part.end_s - part.start_s, 3),
                "peak_angle_deg": _blank_if_none(part.peak_angle_deg),
                "hold_s": "",
                "faults": ", ".join(fault_label(c) for c in part.faults),
                "result": f"not counted: {partial_reason(part.reason)}",
                "counted": False,
            }
        )
    rows.sort(key=lambda r: (r["start_s"], not r["counted"]))
    return rows


def write_reps_csv(report: ClipReport, path: str | Path) -> Path:
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REP_COLUMNS)
        writer.writeheader()
        writer.writerows(rep_rows(report))
    return path


def write_report_json(report: ClipReport, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return path


class _ReviewWriter(AnnotatedWriter):
    """The annotated mp4 with the review's overlay (plain words), not the CLI's."""

    def __init__(self, path: str | Path, fps: float, size_px: tuple[int, int], caption: str) -> None:
        super().__init__(path, fps, size_px)
        self.caption = caption

    def write_frame(self, frame: ReplayFrame) -> None:
        image = frame.annotated_bgr(self.caption)
        if (image.shape[1], image.shape[0]) != self.size_px:
            image = cv2.resize(image, self.size_px)
        self._writer.write(image)
        self.frames += 1


def export_annotated(
    frames: Sequence[ReplayFrame], path: str | Path, fps: float, caption: str = "angle"
) -> Iterator[int]:
    """Write the annotated video (as the review shows it); yields the frames written so far."""
    if not frames:
        raise ValueError("nothing to export: no analysed frames")
    first = frames[0].image_bgr()
    writer = _ReviewWriter(path, fps, (first.shape[1], first.shape[0]), caption)
    try:
        for n, frame in enumerate(frames, 1):
            writer.write_frame(frame)
            yield n
    finally:
        writer.close()
