"""Replay review data, Qt-free: analysed frames kept compactly, the exports (mp4, CSV, JSON), and
the review's words: what the plot measures, why a movement did not count, what the overlay says.

Every reason and status is worded once, in :mod:`exercises.events` (faults in
:mod:`app.coach.report`); this module only picks the words, so no engine code reaches the screen.
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
from app.annotate import AnnotatedWriter
from app.coach.report import fault_word
from exercises.definitions import ExerciseDef
from exercises.events import NOTE_MESSAGES, PARTIAL_REASONS, STATUS_MESSAGES
from pose.overlay import draw_panel, draw_skeleton
from pose.frame import PoseFrame
from pose.pipeline import Step, StepTimings
from pose.sources import VideoFrame

JPEG_QUALITY = 88  # keeps a 30 s 480p clip in ~20 MB, so seeking is instant

# The checker's phases (exercises.events.CheckerState) as a person would say them.
PHASE_WORDS = {
    "setup": "getting into position",
    "rest": "ready for the next repetition",
    "active": "in a repetition",
    "relax": "relaxing",
}

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


def plain(code: str) -> str:
    """A code nobody worded yet, at least without underscores."""
    return code.replace("_", " ")


def partial_words(reason: str) -> str:
    return PARTIAL_REASONS.get(reason, plain(reason))


def status_words(code: str) -> str:
    return STATUS_MESSAGES.get(code, plain(code))


def note_words(note: dict) -> str:
    text = NOTE_MESSAGES.get(note["code"], plain(note["code"]))
    return f"{text} ({note['detail']})" if note.get("detail") else text


def plot_title(definition: ExerciseDef, caption: str) -> str:
    """What the plot shows, e.g. "Knee angle (hip-knee-ankle), degrees"."""
    measures = SIGNAL_MEASURES.get(definition.signal)
    text = caption[:1].upper() + caption[1:]  # the plot shows the signal itself, even when rest-relative
    return f"{text} ({measures}), degrees" if measures else f"{text}, degrees"


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
        phase = PHASE_WORDS.get(state.phase, plain(state.phase))
        lines.append(phase[:1].upper() + phase[1:])
    if getattr(state, "status", None):
        lines.append(f"Not counting: {status_words(state.status)}")
    faults = getattr(state, "faults", ())
    if faults:
        lines.append("Check: " + ", ".join(fault_word(f) for f in faults))
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
    report: dict


def analysis_items(analysis: ClipAnalysis) -> Iterator[ReplayFrame | AnalysisDone]:
    """Each analysed frame, then the report."""
    for step in analysis.steps():
        ok, jpeg = cv2.imencode(".jpg", step.frame.image_bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise OSError(f"cannot compress frame {step.frame.index}")
        yield ReplayFrame(step.frame.index, step.frame.timestamp_ms / 1000.0, jpeg, step.pose, step.result)
    yield AnalysisDone(analysis.report())


REP_COLUMNS = ("index", "side", "start_s", "end_s", "duration_s", "peak_angle_deg", "hold_s", "faults")


def rep_rows(report: dict) -> list[dict]:
    rows = []
    for rep in report.get("reps_detail", []):
        rows.append({
            "index": rep["index"], "side": rep.get("side") or "", "start_s": rep["start_s"], "end_s": rep["end_s"],
            "duration_s": round(rep["end_s"] - rep["start_s"], 3),
            "peak_angle_deg": "" if rep.get("peak_angle_deg") is None else rep["peak_angle_deg"],
            "hold_s": "" if rep.get("hold_s") is None else rep["hold_s"],
            "faults": " ".join(rep.get("faults", [])),
        })
    return rows


REVIEW_COLUMNS = ("index", "side", "start_s", "end_s", "duration_s", "peak_angle_deg", "hold_s", "faults",
                  "result")


def review_rows(report: dict) -> list[dict]:
    """The review table: counted reps and the movements that did not count, in time order.

    A counted rep's ``result`` is "counted"; a partial one's "not counted: <reason in words>"
    (its ``index`` is empty: it has no rep number). ``counted`` tells them apart.
    """
    rows = [dict(row, faults=", ".join(fault_word(c) for c in rep.get("faults", [])), result="counted",
                 counted=True)
            for row, rep in zip(rep_rows(report), report.get("reps_detail", []))]
    for part in report.get("partial_reps") or []:
        rows.append({
            "index": "", "side": part.get("side") or "", "start_s": part["start_s"], "end_s": part["end_s"],
            "duration_s": round(part["end_s"] - part["start_s"], 3),
            "peak_angle_deg": "" if part.get("peak_angle_deg") is None else part["peak_angle_deg"],
            "hold_s": "", "faults": ", ".join(fault_word(c) for c in part.get("faults", [])),
            "result": f"not counted: {partial_words(part['reason'])}", "counted": False,
        })
    rows.sort(key=lambda r: (r["start_s"], not r["counted"]))
    return rows


def write_reps_csv(report: dict, path: str | Path) -> Path:
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REP_COLUMNS)
        writer.writeheader()
        writer.writerows(rep_rows(report))
    return path


def write_report_json(report: dict, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(report, indent=2) + "\n")
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


def export_annotated(frames: Sequence[ReplayFrame], path: str | Path, fps: float,
                     caption: str = "angle") -> Iterator[int]:
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
