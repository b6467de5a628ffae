"""One clip analysed in a worker process: its schema-1 JSON (and annotated video) written, then its record.

The same analysis as ``hipcoach analyze`` (app.analysis.ClipAnalysis), so a batch counts what ``analyze``
counts. Each clip gets a fresh landmarker: MediaPipe's VIDEO mode tracks the person from frame to frame, and
a landmarker that carried the last clip's tracking into the next would not give ``analyze``'s answer on its
first frames. What is costly to load (MediaPipe, OpenCV, the checked model bundles) is loaded once per worker
process by :func:`warm_up`; a landmarker's own start is about 0.25 s.

Every failure becomes a record (an error row), never an exception, so one bad clip cannot stop a batch.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from app.batch.keys import ENGINE_VERSION
from app.batch.results import (
    ClipTask,
    ResultRecord,
    error_record,
    error_text,
    now_iso,
    one_line,
    worker_name,
    write_record,
)
from app.outputs import OutputError, write_private

_warm = False


class NoFrames(ValueError):
    """A file that opened as a video but gave no frame."""


def warm_up(ignore_interrupt: bool = True) -> None:
    """Load the engine once in this worker process (the pool's initializer, Dask's worker plugin).

    ``ignore_interrupt``: Ctrl-C goes to the whole process group; the batch's main process handles it and
    stops the workers itself, so a worker must not die of it half way through writing.
    """
    global _warm
    if ignore_interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _warm:
        return
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # our error rows replace OpenCV's own lines
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    import cv2

    # One worker per core: OpenCV's own thread pool would only compete with the other workers.
    cv2.setNumThreads(1)
    import app.analysis  # noqa: F401  (imports MediaPipe and the exercise checkers)
    from pose.estimator import MODEL_NAMES, model_path

    for name in MODEL_NAMES:
        try:
            model_path(name)  # verified once (sha256, then recorded), not once per clip
        except Exception:  # a missing bundle is reported by the clip that asks for it
            pass
    _warm = True


def run_task(task: ClipTask) -> dict:
    """Analyse one clip, write its outputs and record; returns the record as JSON (plain data for any pool)."""
    warm_up(ignore_interrupt=False)
    start = time.monotonic()
    try:
        record = _analyse(task, start)
    except Exception as exc:  # noqa: BLE001 - every failure is an error row, the batch goes on
        record = error_record(task, ENGINE_VERSION, _describe(exc), _is_final(exc), time.monotonic() - start)
    try:
        write_record(record, task.out_dir, reads=(task.source,))
    except OutputError as exc:
        # The outputs could not be recorded: say so in the row; the main process records it if it can.
        record = error_record(task, ENGINE_VERSION, f"cannot record the result: {one_line(str(exc))}", final=False)
    return record.to_json()


def _analyse(task: ClipTask, start: float) -> ResultRecord:
    from app.analysis import ClipAnalysis
    from app.annotate import AnnotatedWriter

    analysis = ClipAnalysis(task.source, task.exercise, task.model)
    out = Path(task.out_dir)
    writer = None
    try:
        reads = analysis.reads
        if task.annotate:
            writer = AnnotatedWriter(
                out / task.annotated_name,
                analysis.info.fps,
                (analysis.info.width, analysis.info.height),
                reads=reads,
                label="annotated video",
            )
        for step in analysis.steps():
            if writer is not None:
                writer.write(step)
        report = analysis.report()
        if report.frames == 0:
            raise NoFrames(f"{task.source} has no decodable video frames")
        text = json.dumps(report.to_json(), indent=1) + "\n"
        write_private(out / task.json_name, text.encode("utf-8"), reads, "clip JSON")
        annotated = None
        if writer is not None:
            writer.close()
            annotated = task.annotated_name
            writer = None
    finally:
        analysis.close()
        if writer is not None:
            writer.discard()
    return ResultRecord(
        key=task.key,
        source=task.source,
        exercise=task.exercise,
        model=task.model,
        engine=ENGINE_VERSION,
        ok=True,
        json=task.json_name,
        annotated=annotated,
        frames=report.frames,
        seconds=round(time.monotonic() - start, 3),
        finished=now_iso(),
        host=worker_name(),
    )


def _is_final(exc: Exception) -> bool:
    """Whether the same clip would fail the same way again (bad input), so a rerun need not retry it."""
    from pose.sources import SourceError

    return isinstance(exc, (SourceError, NoFrames))


def _describe(exc: Exception) -> str:
    from pose.estimator import ModelError
    from pose.sources import SourceError

    if isinstance(exc, (SourceError, ModelError, OutputError, NoFrames)):
        return error_text(exc)
    return f"unexpected {type(exc).__name__}: {error_text(exc)}"
