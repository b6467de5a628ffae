"""Replay review data, Qt-free: analysed frames kept compactly, and the exports (mp4, CSV, JSON)."""

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
from app.annotate import AnnotatedWriter, annotate_step
from pose.frame import PoseFrame
from pose.pipeline import Step, StepTimings
from pose.sources import VideoFrame

JPEG_QUALITY = 88  # keeps a 30 s 480p clip in ~20 MB, so seeking is instant


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

    def annotated_bgr(self) -> np.ndarray:
        return annotate_step(self.step())


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


def export_annotated(frames: Sequence[ReplayFrame], path: str | Path, fps: float) -> Iterator[int]:
    """Write the annotated video; yields the number of frames written so far (for a progress bar)."""
    if not frames:
        raise ValueError("nothing to export: no analysed frames")
    first = frames[0].image_bgr()
    writer = AnnotatedWriter(path, fps, (first.shape[1], first.shape[0]))
    try:
        for n, frame in enumerate(frames, 1):
            writer.write(frame.step())
            yield n
    finally:
        writer.close()
