"""A batch from start to end: expand the paths, key each clip, skip what is done, run the rest (local worker
processes or a Dask cluster), show progress, and rebuild the summary from the records.

The main process only hashes, plans and records; the workers analyse. Each finished clip is recorded on disk
as it comes in, and the summary is rebuilt at the end, also after Ctrl-C or a failure, so nothing done is lost.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from app.batch.expand import expand_paths
from app.batch.keys import ENGINE_VERSION, content_sha256, result_key, unreadable_key
from app.batch.results import (
    ClipTask,
    ResultRecord,
    error_record,
    error_text,
    is_done,
    make_out_dir,
    read_record,
    write_record,
)
from app.batch.summary import write_summary
from app.outputs import OutputError
from app.progress_bar import ProgressBar


class BatchError(RuntimeError):
    """Nothing to do or nowhere to do it (no videos, Dask missing or unreachable): one line for the user."""


@dataclass(frozen=True)
class BatchOptions:
    paths: tuple[str, ...]
    exercise: str
    out: str
    model: str = "full"
    jobs: int | None = None  # local worker processes (default: one per core)
    scheduler: str | None = None  # a Dask scheduler's address: run there instead
    annotate: bool = False


@dataclass
class Plan:
    tasks: list[ClipTask] = field(default_factory=list)
    skipped: list[ClipTask] = field(default_factory=list)  # done by an earlier run
    skipped_errors: int = 0  # of those, the error rows (bad clips are not retried)
    failed: list[ResultRecord] = field(default_factory=list)  # inputs that could not even be read
    missing: list[ResultRecord] = field(default_factory=list)  # arguments naming nothing: said, not recorded
    duplicates: int = 0


@dataclass
class BatchOutcome:
    analysed: int = 0
    errors: int = 0
    skipped: int = 0
    skipped_errors: int = 0
    frames: int = 0
    wall_s: float = 0.0
    pools_started: int = 0  # local pools built (more than one: a worker died and the pool was rebuilt)
    summary_csv: Path | None = None
    summary_html: Path | None = None
    records: list[dict] = field(default_factory=list)


def make_plan(options: BatchOptions, out: Path) -> Plan:
    """Every input keyed; what is done already set aside. Raises BatchError when the paths name no video."""
    expanded = expand_paths(options.paths, exclude=out)
    if not expanded.videos:
        raise BatchError(f"no videos found in: {', '.join(expanded.missing or options.paths)}")
    plan = Plan()
    keys: set[str] = set()
    for missing in expanded.missing:
        task = _task(options, out, missing, unreadable_key(missing, options.exercise, options.model))
        plan.missing.append(error_record(task, ENGINE_VERSION, f"{missing}: no such file or no video there", False))
    for video in expanded.videos:
        try:
            key = result_key(content_sha256(video), options.exercise, options.model)
        except OSError as exc:
            task = _task(options, out, str(video), unreadable_key(video, options.exercise, options.model))
            plan.failed.append(error_record(task, ENGINE_VERSION, f"cannot read {video}: {error_text(exc)}", False))
            continue
        if key in keys:  # the same content under another name: one analysis is enough
            plan.duplicates += 1
            continue
        keys.add(key)
        task = _task(options, out, str(video), key)
        stored = read_record(out, key)
        if is_done(stored, task):
            plan.skipped.append(task)
            plan.skipped_errors += stored is not None and not stored.ok
        else:
            plan.tasks.append(task)
    return plan


def _task(options: BatchOptions, out: Path, source: str, key: str) -> ClipTask:
    return ClipTask(
        source=source,
        key=key,
        exercise=options.exercise,
        model=options.model,
        out_dir=str(out.resolve()),
        annotate=options.annotate,
        frames_hint=_frame_count(source),
    )


def _frame_count(source: str) -> int:
    try:
        from pose.sources import probe_video

        return probe_video(source).frame_count
    except Exception:  # noqa: BLE001 - only a hint for the progress bar; the worker reports the real problem
        return 0


def make_runner(options: BatchOptions):
    """The local pool, or the Dask runner when a scheduler is named (Dask imported only then)."""
    if options.scheduler is None:
        from app.batch.local_pool import LocalPool

        return LocalPool(options.jobs)
    try:
        from app.batch.dask_runner import ClusterError, DaskRunner
    except ImportError as exc:
        raise BatchError(
            f"--scheduler needs Dask distributed ({error_text(exc)}); install it with: pip install 'hipcoach[cluster]'"
        ) from None
    runner = DaskRunner(options.scheduler)
    try:
        runner.connect()
    except ClusterError as exc:
        raise BatchError(str(exc)) from None
    return runner


class _Progress:
    """Clips done, frames per second and time left, on the shared terminal bar (counted in frames)."""

    def __init__(self, tasks: list[ClipTask], skipped: int, stream: TextIO | None) -> None:
        self.clips = len(tasks)
        self.skipped = skipped
        self.done = 0
        self.frames = 0
        self.bar = ProgressBar(sum(t.frames_hint for t in tasks), stream=stream)
        self._label()

    def _label(self) -> None:
        skipped = f", {self.skipped} done before" if self.skipped else ""
        self.bar.label = f"batch: {self.done}/{self.clips} clips{skipped}"

    def update(self, task: ClipTask, record: dict) -> None:
        self.done += 1
        # A clip that failed early still counts as its frames done, so the time left stays honest.
        self.frames += int(record.get("frames") or 0) if record.get("ok") else task.frames_hint
        self._label()
        self.bar.update(min(self.frames, self.bar.total) if self.done < self.clips else self.bar.total)

    def close(self) -> None:
        self.bar.close()


def run_batch(
    options: BatchOptions,
    stream: TextIO | None = None,
    on_result: Callable[[ClipTask, dict], None] | None = None,
) -> BatchOutcome:
    """Run the batch; ``on_result(task, record)`` is called in this process as each clip ends."""
    stream = stream if stream is not None else sys.stderr
    start = time.monotonic()
    plan = make_plan(options, Path(options.out).absolute())
    out = make_out_dir(options.out)  # only once there is something to do
    runner = make_runner(options) if plan.tasks else None
    outcome = BatchOutcome(skipped=len(plan.skipped), skipped_errors=plan.skipped_errors)
    progress = _Progress(plan.tasks, len(plan.skipped), stream)
    reads = tuple(t.source for t in (*plan.tasks, *plan.skipped))

    def finished(task: ClipTask, record: dict) -> None:
        if not _recorded(out, record):
            _record_here(record, out, reads)
        outcome.records.append(record)
        if record.get("ok"):
            outcome.analysed += 1
            outcome.frames += int(record.get("frames") or 0)
        else:
            outcome.errors += 1
        progress.update(task, record)
        if on_result is not None:
            on_result(task, record)

    try:
        for record in (*plan.missing, *plan.failed):
            if record in plan.failed:  # a typo on the command line is no clip: it stays out of the summary
                _record_here(record.to_json(), out, reads)
            outcome.errors += 1
            outcome.records.append(record.to_json())
        if runner is not None:
            # Longest first: the last clips to start are short, so no worker idles while one long clip ends.
            runner.run(sorted(plan.tasks, key=lambda t: -t.frames_hint), finished)
            outcome.pools_started = getattr(runner, "pools_started", 0)
    finally:
        progress.close()
        outcome.wall_s = time.monotonic() - start
        # Rebuilt whatever happened above: every clip recorded so far is in it.
        outcome.summary_csv, outcome.summary_html, _ = write_summary(out, reads)
    return outcome


def _recorded(out: Path, record: dict) -> bool:
    stored = read_record(out, str(record.get("key")))
    return stored is not None and stored.to_json() == ResultRecord.from_json(record).to_json()


def _record_here(record: dict, out: Path, reads: tuple[str, ...]) -> None:
    """Record a result the worker could not (it died, or the task never ran); a failure here is only lost."""
    try:
        write_record(ResultRecord.from_json(record), out, reads)
    except OutputError as exc:
        print(f"hipcoach batch: cannot record {record.get('source')}: {error_text(exc)}", file=sys.stderr)
