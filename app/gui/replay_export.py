"""The review's exports: the annotated video, the reps CSV or the report JSON, where the person chooses.

The writing itself is :mod:`app.review_data`'s (Qt-free, shared with the tests); here are the
save dialog and the progress bar an annotated video needs while it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QFileDialog, QProgressBar, QWidget

from app.review_data import Overlay, ReplayFrame, export_annotated, write_report_json, write_reps_csv

EXPORT_FILTERS = {"mp4": "MP4 video (*.mp4)", "csv": "CSV (*.csv)", "json": "JSON (*.json)"}


def ask_export_target(parent: QWidget, clip: Path, exercise_id: str, kind: str) -> Path | None:
    """The file the person picks for a ``kind`` export of ``clip`` (None when they cancel)."""
    suggested = clip.with_name(f"{clip.stem}_{exercise_id}")
    target, _ = QFileDialog.getSaveFileName(parent, "Export", f"{suggested}.{kind}", EXPORT_FILTERS[kind])
    return Path(target) if target else None


def write_export(
    kind: str,
    target: Path,
    report,
    frames: Sequence[ReplayFrame],
    fps: float,
    overlay: Overlay,
    progress: QProgressBar,
) -> Path:
    """Write one export to ``target``; an annotated video (each frame drawn by ``overlay``, as the
    review shows it) reports its frames on ``progress``."""
    if kind == "csv":
        return write_reps_csv(report, target)
    if kind == "json":
        return write_report_json(report, target)
    progress.setRange(0, len(frames))
    progress.setFormat("exporting %p%")
    for n in export_annotated(frames, target, fps, overlay):
        if n % 30 == 0:
            progress.setValue(n)
            QTimer.singleShot(0, lambda: None)
    progress.setValue(len(frames))
    progress.setFormat(f"saved {target.name}")
    return target
