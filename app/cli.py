"""Headless command line: ``analyze``, ``eval`` and ``bench``. Imports no Qt.

Every expected failure (bad file, unknown exercise or model, camera) ends in one line on
stderr naming the problem and exit status 2; only a bug shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pose.estimator import MODEL_NAMES, ModelError
from pose.sources import SourceError

EXIT_BAD_INPUT = 2
EXIT_BELOW_THRESHOLD = 1


class CliError(Exception):
    """A user-facing problem; its message is printed as one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hipcoach", description="HipCoach headless tools")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    analyze = sub.add_parser("analyze", help="count reps and find form faults in a recorded clip")
    analyze.add_argument("video")
    analyze.add_argument("--exercise", required=True, help="exercise id, e.g. squat")
    analyze.add_argument("--model", default="full", help=f"pose model: {', '.join(MODEL_NAMES)} (default full)")
    analyze.add_argument("--json", metavar="PATH", help="write the JSON report to PATH ('-': stdout, JSON only)")
    analyze.add_argument("--annotate", metavar="OUT.mp4", help="write a video with skeleton and counters")

    ev = sub.add_parser("eval", help="accuracy over labelled clips; non-zero exit below the thresholds")
    ev.add_argument("manifest")
    ev.add_argument("--model", default="full")
    ev.add_argument("--json", metavar="PATH", help="also write the results as JSON ('-': stdout)")

    bench = sub.add_parser("bench", help="per-frame timings and the ratio to a bare MediaPipe loop")
    bench.add_argument("video", nargs="?", help="clip to time (default: the first sample video)")
    bench.add_argument("--exercise", default="squat")
    bench.add_argument("--model", default="full")
    bench.add_argument("--rounds", type=int, default=3, help="alternating bare/full runs; medians are shown")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.model not in MODEL_NAMES:
            raise CliError(f"unknown model {args.model!r}; expected one of {', '.join(MODEL_NAMES)}")
        exercise = getattr(args, "exercise", None)
        if exercise is not None:
            from exercises.registry import EXERCISE_IDS

            if exercise not in EXERCISE_IDS:
                raise CliError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISE_IDS)}")
        if args.command == "analyze":
            return _analyze(args)
        if args.command == "eval":
            return _eval(args)
        return _bench(args)
    except (CliError, SourceError, ModelError) as exc:
        print(f"hipcoach {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"hipcoach {args.command}: interrupted", file=sys.stderr)
        return 130


def _write_json(data: dict, target: str) -> None:
    text = json.dumps(data, indent=1)
    if target == "-":
        sys.stdout.write(text + "\n")
        return
    path = Path(target)
    try:
        path.write_text(text + "\n")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None


def _analyze(args: argparse.Namespace) -> int:
    from app.analysis import ClipAnalysis
    from app.progress import ProgressBar
    from app.summary import format_summary

    analysis = ClipAnalysis(args.video, args.exercise, args.model)
    writer = None
    if args.annotate:
        from app.annotate import AnnotatedWriter

        try:
            writer = AnnotatedWriter(args.annotate, analysis.info.fps, (analysis.info.width, analysis.info.height))
        except OSError as exc:
            analysis.close()
            raise CliError(str(exc)) from None
    bar = ProgressBar(analysis.info.frame_count, label=Path(args.video).name)
    try:
        for step in analysis.steps():
            if writer is not None:
                writer.write(step)
            bar.update(analysis.frames)
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    report = analysis.report()
    if report["frames"] == 0:
        raise CliError(f"{args.video} has no decodable video frames")
    if args.json:
        _write_json(report, args.json)
    if args.json != "-":
        print(format_summary(report))
        if writer is not None:
            print(f"annotated video: {args.annotate}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from app.evaluation import run_manifest_cli

    return run_manifest_cli(args.manifest, args.model, args.json)


def _bench(args: argparse.Namespace) -> int:
    from app.bench import format_bench, run_bench

    video = args.video
    if video is None:
        samples = sorted((Path(__file__).resolve().parent.parent / "sample_videos").glob("*.mp4"))
        if not samples:
            raise CliError("no video given and no sample videos found; pass a clip: hipcoach bench VIDEO")
        video = str(samples[0])
    result = run_bench(video, args.exercise, args.model, args.rounds)
    print(format_bench(video, args.model, result))
    return 0
