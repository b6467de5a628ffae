"""``hipcoach eval``: the analyser's accuracy over labelled clips (counts, sides, holds, faults, rep
timing), gated by the manifest's thresholds. Imports no Qt.

Everything is a pure function of the manifest and an ``analyze(video_path, exercise_id)`` callable
returning the clip's :class:`~app.clip_report.ClipReport`, so tests pass fake analysers. One job per
module:

- :mod:`.manifest`: the manifest, the clips' truth and the thresholds it sets;
- :mod:`.matching`: counted reps lined up with the true ones in time;
- :mod:`.scoring`: one clip scored against its truth, and the metrics over many;
- :mod:`.routines`: recordings of several exercises in a row, scored part by part;
- :mod:`.gates`: which thresholds a summary misses;
- :mod:`.parallel`: the clips analysed several at a time (``--jobs``);
- :mod:`.text_report`: the table printed for people.

This module runs them in order over a manifest (:func:`evaluate_manifest`) and is the command's entry.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.evaluation.gates import check_routine_thresholds, check_thresholds
from app.evaluation.manifest import Manifest, load_manifest
from app.evaluation.parallel import analyse_in_parallel
from app.evaluation.routines import evaluate_routines, summarize_routines
from app.evaluation.scoring import Analyze, Progress, analysed_as, evaluate, summarize
from app.evaluation.text_report import format_report
from exercises.recognition import AUTO


def evaluate_manifest(
    manifest: Manifest, analyze: Analyze, progress: Progress | None = None, recognise: bool = False
) -> dict:
    """Gated results on the manifest's clips and routines, report-only results on its real sets (JSON-ready).

    ``recognise``: the single-exercise clips are analysed with the exercise recognised too (routines always are).
    """
    summary = summarize(evaluate(manifest.clips, analyze, progress, recognise))
    result = {
        "manifest": str(manifest.path),
        "thresholds": manifest.thresholds,
        "exercise_thresholds": manifest.exercise_thresholds,
        "summary": summary,
        "failures": check_thresholds(summary, manifest.thresholds, manifest.exercise_thresholds),
        "report_only": {},
    }
    if manifest.routines:
        routines = summarize_routines(evaluate_routines(manifest.routines, analyze, progress))
        result["routines"] = routines
        result["routine_thresholds"] = manifest.routine_thresholds
        result["failures"] += check_routine_thresholds(routines, manifest.routine_thresholds)
    for name, clips in manifest.report_only:
        result["report_only"][name] = summarize(evaluate(clips, analyze, progress, recognise))
    return result


def analyses_needed(manifest: Manifest, recognise: bool = False) -> list[tuple[Path, str]]:
    """Every (video, exercise) :func:`evaluate_manifest` will ask for, in its order."""
    clips = [*manifest.clips, *(c for _, real in manifest.report_only for c in real)]
    pairs = [(Path(c.video), analysed_as(c, recognise)) for c in clips]
    return pairs + [(Path(r.video), AUTO) for r in manifest.routines]


def run_manifest_cli(
    manifest_path: str, model: str = "full", json_path: str | None = None, recognise: bool = False, jobs: int = 1
) -> int:
    """``hipcoach eval``: print the table (or JSON), exit 1 below the thresholds, 2 on bad input."""
    from app.analysis import analyze_clip

    try:
        manifest = load_manifest(manifest_path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = [str(c.video) for c in (*manifest.clips, *manifest.routines) if not Path(c.video).exists()]
    if missing:
        print(f"error: {len(missing)} clip(s) in the manifest are missing, first: {missing[0]}", file=sys.stderr)
        return 2

    def progress(i: int, n: int, name: str) -> None:
        if json_path != "-":
            print(f"\r[{i + 1}/{n}] {name:<40}", end="", file=sys.stderr, flush=True)

    if jobs > 1:  # every clip analysed first, several at a time; the scoring then reads the reports
        analyze = analyse_in_parallel(analyses_needed(manifest, recognise), model, jobs, progress)
        progress = None
    else:
        analyze = lambda video, ex: analyze_clip(video, ex, model)  # noqa: E731
    result = evaluate_manifest(manifest, analyze, progress, recognise)
    if json_path != "-":
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
        print(format_report(result))
    if json_path:
        text = json.dumps(result, indent=1)
        if json_path == "-":
            print(text)
        else:
            Path(json_path).write_text(text + "\n")
    return 1 if result["failures"] else 0
