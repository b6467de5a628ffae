"""Headless command line: ``analyze``, ``eval``, ``bench`` and ``report``. Imports no Qt.

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

    report = sub.add_parser("report", help="export a session or a date range for a physiotherapist")
    report.add_argument("--out", required=True, metavar="FILE", help="report file: .html, .pdf, .csv or .json")
    report.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="first day (default: the first session)")
    report.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="last day (default: the last session)")
    report.add_argument("--session", metavar="N", help="one session only (its id)")
    report.add_argument("--data-dir", metavar="DIR", help="folder of history.sqlite3 (default: the user data folder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        model = getattr(args, "model", None)
        if model is not None and model not in MODEL_NAMES:
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
        if args.command == "report":
            return _report(args)
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


def _report(args: argparse.Namespace) -> int:
    import sqlite3

    from app.coach.report import ReportError, report_kind, write_report

    since, until = _day_arg(args.since, "--from"), _day_arg(args.until, "--to")
    session_id = None
    if args.session is not None:
        if not args.session.isdigit():
            raise CliError(f"--session must be a session number, got {args.session!r}")
        session_id = int(args.session)
    out = Path(args.out)
    try:
        report_kind(out)
        conn = _open_history(_history_path(args.data_dir))
        try:
            profile_id = _report_profile(conn, session_id)
            write_report(conn, profile_id, out, since=since, until=until, session_id=session_id)
        finally:
            conn.close()
    except ReportError as exc:
        raise CliError(str(exc)) from None
    except sqlite3.Error as exc:  # damage the bounded check on open did not reach
        from app.coach.store import explain

        raise CliError(str(explain(exc, _history_path(args.data_dir)))) from None
    print(f"report written to {out}")
    return 0


def _day_arg(text: str | None, option: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date; expected YYYY-MM-DD") from None


def _history_path(data_dir: str | None) -> Path:
    from app.coach.store import DB_NAME, data_dir as default_dir

    return (Path(data_dir).expanduser() if data_dir else default_dir()) / DB_NAME


def _open_history(path: Path):
    """The history read-only, checked by the store (an older schema is upgraded in memory, never on disk)."""
    from app.coach.store import HistoryStore, StoreError

    try:
        return HistoryStore.open(path, read_only=True).connection
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _report_profile(conn, session_id: int | None) -> int:
    """The session's own profile, or the first profile (the one the app uses)."""
    from app.coach.report import ReportError

    if session_id is not None:
        row = conn.execute("SELECT profile_id FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise ReportError(f"there is no session {session_id} in this history")
        return int(row[0])
    row = conn.execute("SELECT min(id) FROM profiles").fetchone()
    return int(row[0]) if row and row[0] is not None else 1
