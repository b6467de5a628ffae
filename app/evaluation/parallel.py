"""The manifest's clips analysed several at a time (``hipcoach eval --jobs N``), before any is scored.

One fresh interpreter per worker (spawn: never a fork of a process holding MediaPipe's threads); each
clip gets its own landmarker, as ``hipcoach analyze`` would. A clip whose analysis fails is kept as its
exception and raised when the scoring asks for it, so it becomes that clip's error, as without ``--jobs``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from app.clip_report import ClipReport

Analyses = dict[tuple[str, str], ClipReport | BaseException]


def _analyse(video: str, exercise: str, model: str) -> ClipReport:
    from app.analysis import analyze_clip

    return analyze_clip(video, exercise, model)


def analyse_in_parallel(
    pairs: Sequence[tuple[Path, str]],
    model: str,
    jobs: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> Callable[[Path, str], ClipReport]:
    """Analyse every (video, exercise) on ``jobs`` processes; returns the ``analyze`` the scoring calls."""
    wanted = list(dict.fromkeys((str(video), exercise) for video, exercise in pairs))
    done: Analyses = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(wanted))), mp_context=context) as pool:
        futures = {pool.submit(_analyse, video, exercise, model): (video, exercise) for video, exercise in wanted}
        for n, future in enumerate(as_completed(futures)):
            key = futures[future]
            exc = future.exception()
            done[key] = exc if exc is not None else future.result()
            if progress:
                progress(n, len(wanted), Path(key[0]).stem)

    def analyze(video: Path, exercise: str) -> ClipReport:
        found = done[str(video), exercise]
        if isinstance(found, BaseException):
            raise found
        return found

    return analyze
