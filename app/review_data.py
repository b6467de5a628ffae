"""Replay review data, Qt-free: analysed frames kept compactly, the exports (mp4, CSV, JSON), and
the review's words: what the plot measures, why a movement did not count, what the overlay says.

With "Auto" the exercise is recognised and a routine split into segments (``ClipReport.segments``,
worded and followed in :mod:`app.review_segments`): the rows and the CSV say which segment each rep
belongs to.

Every reason, note, status and fault is worded once, in :mod:`exercises.vocabulary`; this module only
picks the words, so no engine code reaches the screen.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from app.review_segments import ReviewSegment, review_segments, segment_index_at
from exercises.definitions import ExerciseDef
from exercises.events import CheckerState
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
    # Auto only: every candidate exercise's checker state at this frame, so the review can show the
    # measure of whichever exercise a segment turns out to be (``result`` is the leader's at the time).
    candidates: Mapping[str, CheckerState | None] | None = None

    def state_for(self, exercise_id: str | None = None) -> Any:
        """The checker state of ``exercise_id`` at this frame (the frame's own for one chosen by hand)."""
        own = getattr(self.result, "state", None)
        if exercise_id is None or self.candidates is None or exercise_id not in self.candidates:
            return own
        return self.candidates[exercise_id]

    def angle_for(self, exercise_id: str | None = None) -> float:
        value = getattr(self.state_for(exercise_id), "angle_deg", None)
        return float("nan") if value is None else float(value)

    def band_for(self, exercise_id: str | None = None) -> tuple[float, float]:
        """The rep's thresholds at this frame: (target, back at the start); NaN while unknown."""
        state = self.state_for(exercise_id)
        target, rest = getattr(state, "target_deg", None), getattr(state, "rest_deg", None)
        return (float("nan") if target is None else float(target), float("nan") if rest is None else float(rest))

    @property
    def angle_deg(self) -> float:
        return self.angle_for()

    @property
    def band_deg(self) -> tuple[float, float]:
        return self.band_for()

    def image_bgr(self) -> np.ndarray:
        return cv2.imdecode(self.jpeg, cv2.IMREAD_COLOR)

    def step(self) -> Step:
        frame = VideoFrame(self.index, self.t_s * 1000.0, self.image_bgr())
        return Step(frame, self.pose, self.pose, self.result, StepTimings(0.0, 0.0, 0.0))

    def annotated_bgr(self, caption: str = "angle", state: Any = None, title: str = "") -> np.ndarray:
        """The frame with the skeleton and the overlay of ``state`` (default: the frame's own);
        ``title`` (Auto: the exercise shown) heads the overlay."""
        image = draw_skeleton(self.image_bgr(), self.pose)
        lines = hud_lines(state if state is not None else self.state_for(), caption)
        return draw_panel(image, fit_lines([title, *lines] if title else lines, image.shape))


@dataclass(frozen=True)
class AnalysisDone:
    report: ClipReport


def analysis_items(analysis: ClipAnalysis) -> Iterator[ReplayFrame | AnalysisDone]:
    """Each analysed frame (with Auto, every candidate's state too), then the report."""
    checkers = analysis.recogniser.checkers if analysis.recogniser is not None else None
    for step in analysis.steps():
        ok, jpeg = cv2.imencode(".jpg", step.frame.image_bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise OSError(f"cannot compress frame {step.frame.index}")
        states = None if checkers is None else {ex: c.state for ex, c in checkers.items()}
        yield ReplayFrame(step.frame.index, step.frame.timestamp_ms / 1000.0, jpeg, step.pose, step.result, states)
    yield AnalysisDone(analysis.report())


# ---------------------------------------------------------------------------------------------- rows and exports

REP_COLUMNS = ("index", "side", "start_s", "end_s", "duration_s", "peak_angle_deg", "hold_s", "faults")


def _blank_if_none(value: float | None) -> float | str:
    return "" if value is None else value


def _exercise_at(report: ClipReport, segments: Sequence[ReviewSegment], t_s: float) -> str:
    index = segment_index_at(segments, t_s)
    return report.exercise if index is None else segments[index].exercise


def reps_csv_columns(report: ClipReport) -> tuple[str, ...]:
    """The reps CSV's columns: with Auto, each rep's exercise after its number."""
    return REP_COLUMNS if report.segments is None else ("index", "exercise", *REP_COLUMNS[1:])


def rep_rows(report: ClipReport) -> list[dict]:
    """One row per counted rep, in :func:`reps_csv_columns` (the reps CSV)."""
    segments = review_segments(report)
    rows = [
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
    if report.segments is not None:
        for row in rows:
            row["exercise"] = _exercise_at(report, segments, row["start_s"])
    return rows


REVIEW_COLUMNS = ("index", "side", "start_s", "end_s", "duration_s", "peak_angle_deg", "hold_s", "faults", "result")


def review_rows(report: ClipReport) -> list[dict]:
    """The review table: counted reps and the movements that did not count, in time order.

    A counted rep's ``result`` is "counted"; a partial one's "not counted: <reason in words>"
    (its ``index`` is empty: it has no rep number). ``counted`` tells them apart. With Auto, each
    segment's rows follow a heading row: ``heading`` its words, ``start_s``/``end_s`` its span.
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
    segments = review_segments(report)
    if not segments:
        return rows
    grouped: list[dict] = []
    for index, segment in enumerate(segments):
        grouped.append(
            {
                "heading": segment.heading,
                "exercise": segment.exercise,
                "start_s": segment.start_s,
                "end_s": segment.end_s,
                "counted": False,
            }
        )
        grouped += [r for r in rows if segment_index_at(segments, r["start_s"]) == index]
    return grouped


def write_reps_csv(report: ClipReport, path: str | Path) -> Path:
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=reps_csv_columns(report))
        writer.writeheader()
        writer.writerows(rep_rows(report))
    return path


def write_report_json(report: ClipReport, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return path


Overlay = Callable[[ReplayFrame], np.ndarray]


class _ReviewWriter(AnnotatedWriter):
    """The annotated mp4 with the review's overlay (plain words), not the CLI's."""

    def __init__(self, path: str | Path, fps: float, size_px: tuple[int, int], overlay: Overlay) -> None:
        super().__init__(path, fps, size_px)
        self.overlay = overlay

    def write_frame(self, frame: ReplayFrame) -> None:
        image = self.overlay(frame)
        if (image.shape[1], image.shape[0]) != self.size_px:
            image = cv2.resize(image, self.size_px)
        self._writer.write(image)
        self.frames += 1


def export_annotated(
    frames: Sequence[ReplayFrame], path: str | Path, fps: float, overlay: Overlay | None = None
) -> Iterator[int]:
    """Write the annotated video as the review shows it (``overlay``: :meth:`ExerciseTrack.overlay`;
    by default each frame's own overlay); yields the frames written so far."""
    if not frames:
        raise ValueError("nothing to export: no analysed frames")
    first = frames[0].image_bgr()
    writer = _ReviewWriter(path, fps, (first.shape[1], first.shape[0]), overlay or ReplayFrame.annotated_bgr)
    try:
        for n, frame in enumerate(frames, 1):
            writer.write_frame(frame)
            yield n
    finally:
        writer.close()
