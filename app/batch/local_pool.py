"""The batch's tasks on this machine: one worker process per core, each loading the engine once.

A worker that dies (killed, out of memory, a crash in native code) breaks a ProcessPoolExecutor for good;
the pool is then rebuilt and what was unfinished is submitted again. The clips that were running when it broke
are charged one attempt each; a clip that has taken down ``max_attempts`` workers becomes an error row.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from app.batch.keys import ENGINE_VERSION
from app.batch.results import ClipTask, error_record, error_text
from app.batch.run_one import run_task, warm_up

OnResult = Callable[[ClipTask, dict], None]
MAX_ATTEMPTS = 3


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class LocalPool:
    """Runs tasks on ``jobs`` worker processes; :meth:`run` calls ``on_result(task, record)`` for each."""

    def __init__(self, jobs: int | None = None, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.jobs = jobs or default_jobs()
        self.max_attempts = max_attempts
        self.pools_started = 0
        self._pool: ProcessPoolExecutor | None = None

    def worker_pids(self) -> list[int]:
        """The current workers' process ids (for tests and diagnostics)."""
        pool = self._pool
        processes = getattr(pool, "_processes", None) or {}  # the executor keeps no public list
        return sorted(p.pid for p in list(processes.values()) if p.pid is not None)

    def run(self, tasks: Sequence[ClipTask], on_result: OnResult) -> None:
        pending = {task.key: task for task in tasks}
        attempts = dict.fromkeys(pending, 0)
        try:
            while pending:
                for key in self._round(list(pending.values()), on_result, pending):
                    attempts[key] += 1
                    if attempts[key] >= self.max_attempts:
                        task = pending.pop(key)
                        message = f"the worker process died {attempts[key]} times while analysing this clip"
                        on_result(task, error_record(task, ENGINE_VERSION, message, final=False).to_json())
        finally:
            self._stop()

    def _round(self, tasks: list[ClipTask], on_result: OnResult, pending: dict[str, ClipTask]) -> set[str]:
        """One pool's life: returns the keys of the tasks running when a worker died (empty: all done)."""
        # spawn: a fresh interpreter per worker, never a fork of a process that may hold threads and locks.
        self._pool = ProcessPoolExecutor(
            max_workers=min(self.jobs, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=warm_up,
        )
        self.pools_started += 1
        futures: dict[Future, ClipTask] = {self._pool.submit(run_task, task): task for task in tasks}
        started: set[Future] = set()
        not_done = set(futures)
        broken = False
        while not_done and not broken:
            done, not_done = wait(not_done, timeout=0.5, return_when=FIRST_COMPLETED)
            # "Running" includes the few calls queued for a worker: those are charged too when one dies.
            started |= {f for f in not_done if f.running()}
            for future in done:
                task = futures[future]
                exc = future.exception()
                if isinstance(exc, BrokenProcessPool):
                    broken = True
                    continue
                if exc is not None:  # run_task returns its failures; this is the pool's own (e.g. pickling)
                    record = error_record(task, ENGINE_VERSION, f"worker failed: {error_text(exc)}", final=False)
                    on_result(task, record.to_json())
                else:
                    on_result(task, future.result())
                pending.pop(task.key, None)
        if not broken:
            self._stop(graceful=True)
            return set()
        for future in not_done:  # finished before the break was noticed: keep those results
            if future.done() and not future.cancelled() and future.exception() is None:
                on_result(futures[future], future.result())
                pending.pop(futures[future].key, None)
        self._stop()
        charged = {futures[f].key for f in started if futures[f].key in pending}
        # A worker that died before it was seen running: charge every unfinished clip, so no loop is endless.
        return charged or set(pending)

    def _stop(self, graceful: bool = False) -> None:
        """Stop the pool: after its work, let the workers exit; otherwise (Ctrl-C, a broken pool) at once,
        queued calls cancelled and running workers ended."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if graceful:
            pool.shutdown(wait=True)
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
