"""The headless commands run: ``analyze``, ``eval``, ``bench`` and ``report`` (parsed by app.cli_parser). No Qt.

Every expected failure (bad file, unknown exercise or model, camera) ends in one line on
stderr naming the problem and exit status 2; only a bug shows a traceback.
"""

from __future__ import annotations

import os

# OpenCV reads its log level when it is first imported, and FFmpeg's when its backend starts: both
# must be set before anything below imports cv2, or a bad file prints OpenCV's lines besides ours.
_USER_SET_OPENCV_LOG = "OPENCV_LOG_LEVEL" in os.environ
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from app.cli_parser import EXIT_BAD_INPUT, HEADLESS_COMMANDS, parse  # noqa: E402
from app.outputs import OutputError, OutputFile, check_destination  # noqa: E402
from pose.estimator import MODEL_NAMES, ModelError  # noqa: E402
from pose.sources import SourceError  # noqa: E402

EXIT_BELOW_THRESHOLD = 1


class CliError(Exception):
    """A user-facing problem; its message is printed as one line."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) asked the run to stop: handled like Ctrl-C, so outputs are finished."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _StopRequest:
    """A SIGTERM/SIGHUP that arrived while the frame loop can stop cleanly between frames."""

    graceful = False
    signum: int | None = None

    def check(self) -> None:
        if self.signum is not None:
            raise Terminated(self.signum)


_STOP = _StopRequest()


def main(argv: list[str] | None = None) -> int:
    """A headless command line (``["analyze", "clip.mp4", ...]``) parsed and run; its exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.command not in HEADLESS_COMMANDS:
        print(f"hipcoach: error: {args.command!r} is not a headless command; run it as 'hipcoach'", file=sys.stderr)
        return EXIT_BAD_INPUT
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run a parsed headless command: an expected failure is one line on stderr and exit status 2."""
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    _quiet_opencv(args.verbose)
    previous = _terminate_like_interrupt()
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
    except (CliError, SourceError, ModelError, OutputError) as exc:
        # One line even when a file name holds a line break.
        message = str(exc).replace("\r", "\\r").replace("\n", "\\n")
        print(f"hipcoach {args.command}: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        kept = getattr(exc, "kept", "")
        print(f"hipcoach {args.command}: interrupted{kept}", file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _quiet_opencv(verbose: bool) -> None:
    """Our one-line errors replace OpenCV's; in case cv2 was imported before the environment was set."""
    if _USER_SET_OPENCV_LOG or verbose:
        return
    import cv2

    log = getattr(getattr(cv2, "utils", None), "logging", None)
    if log is not None:
        log.setLogLevel(log.LOG_LEVEL_ERROR)


def _terminate_like_interrupt() -> dict:
    """SIGTERM and SIGHUP raise :class:`Terminated` in the main thread, as Ctrl-C raises
    KeyboardInterrupt, so the annotated video is finished (playable) and the rest cleaned up.
    A second signal takes the default action: kill now."""
    previous: dict = {}

    def handler(signum, frame):
        signal.signal(signum, signal.SIG_DFL)
        if _STOP.graceful:
            # Inside the frame loop: stop between two frames. Raising here, in the middle of
            # MediaPipe's image set-up, leaves a half-built object that complains at exit.
            _STOP.signum = signum
            return
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread (an embedding program): leave signals alone
            break
    return previous


def _json_output(target: str | None, reads: list) -> OutputFile | None:
    """The ``--json`` file, checked and created (empty, private) before any work; None for none or '-'."""
    if target is None or target == "-":
        return None
    return OutputFile(target, reads, "--json")


def _write_json(data: dict, out: OutputFile | None) -> None:
    text = json.dumps(data, indent=1) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_bytes(text.encode("utf-8"))


def _analyze(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from app.analysis import ClipAnalysis
    from app.annotate import AnnotatedWriter
    from app.progress_bar import ProgressBar
    from app.summary import format_summary

    with ExitStack() as stack:
        # Nothing is written until the input, the model and every destination have been checked.
        analysis = ClipAnalysis(args.video, args.exercise, args.model)
        stack.callback(analysis.close)
        reads = analysis.reads
        json_out = _json_output(args.json, reads)
        if json_out is not None:
            stack.enter_context(json_out)
        writer = None
        if args.annotate:
            if json_out is not None and _same_destination(json_out.path, args.annotate):
                raise CliError(f"--json and --annotate both name {args.annotate}; give two different files")
            writer = AnnotatedWriter(
                args.annotate,
                analysis.info.fps,
                (analysis.info.width, analysis.info.height),
                reads=reads,
                label="--annotate",
            )
            stack.callback(writer.discard)
        bar = ProgressBar(analysis.info.frame_count, label=Path(args.video).name)
        _STOP.graceful = True
        try:
            for step in analysis.steps():
                if writer is not None:
                    writer.write(step)
                bar.update(analysis.frames)
                _STOP.check()
        except KeyboardInterrupt as exc:
            _STOP.graceful = False
            bar.close()
            if writer is not None and writer.frames:
                # A partial annotated video is still worth having: finish it so it plays.
                exc.kept = f" after {analysis.frames} frames; annotated video so far: {writer.close()}"
            raise
        _STOP.graceful = False
        bar.close()
        report = analysis.report()
        if report["frames"] == 0:
            raise CliError(f"{args.video} has no decodable video frames")
        annotated = writer.close() if writer is not None else None
        if args.json is not None:  # no --json: the readable summary alone
            _write_json(report, json_out)
    if args.json != "-":
        print(format_summary(report))
        if annotated is not None:
            print(f"annotated video: {args.annotate}")
    return 0


def _same_destination(path: Path, other: str) -> bool:
    try:
        return path == check_destination(other)
    except OutputError:
        return False


def _eval(args: argparse.Namespace) -> int:
    from app.evaluation import run_manifest_cli

    if args.json not in (None, "-"):
        # Checked before the clips are analysed; the manifest is never the destination.
        check_destination(args.json, [args.manifest], "--json")
    return run_manifest_cli(args.manifest, args.model, args.json)


def _bench(args: argparse.Namespace) -> int:
    from app.bench import format_bench, run_bench

    video = args.video
    if video is None:
        samples = sorted((Path(__file__).resolve().parent.parent / "sample_videos").glob("*.mp4"))
        if not samples:
            raise CliError("no video given and no sample videos found; pass a clip: hipcoach bench VIDEO")
        video = str(samples[0])
    if args.rounds < 1:
        raise CliError(f"--rounds must be at least 1, got {args.rounds}")
    result = run_bench(video, args.exercise, args.model, args.rounds)
    print(format_bench(video, args.model, result))
    return 0


def _report(args: argparse.Namespace) -> int:
    import sqlite3

    from app.coach.report import ReportError, report_kind, write_report

    since, until = _day_arg(args.since, "--from"), _day_arg(args.until, "--to")
    session_id = _session_arg(args.session)
    history = _history_path(args.data_dir)
    try:
        report_kind(Path(args.out))
        # The history (and SQLite's side files) is read, never written; checked before it is opened.
        reads = [history] + [history.with_name(history.name + side) for side in ("-wal", "-shm", "-journal")]
        out = OutputFile(args.out, reads, "--out")
        with out:
            conn = _open_history(history)
            try:
                profile_id = _report_profile(conn, session_id)
                write_report(
                    conn, profile_id, out, since=since, until=until, session_id=session_id, per_rep=args.per_rep
                )
            finally:
                conn.close()
    except ReportError as exc:
        raise CliError(str(exc)) from None
    except sqlite3.Error as exc:  # damage the store's time-bounded check on open did not reach
        from app.coach.store import explain

        raise CliError(str(explain(exc, history))) from None
    print(f"report written to {args.out}")
    return 0


# SQLite's INTEGER is 64-bit signed; a larger number is no session id.
_MAX_ID = 2**63 - 1


def _session_arg(text: str | None) -> int | None:
    """``--session N``: ASCII digits only ('²' and '٣' are digits to str.isdigit, not to int)."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_ID:
        raise CliError(f"--session must be a session number, got {text!r}")
    return int(text)


def _day_arg(text: str | None, option: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date; expected YYYY-MM-DD") from None


def _history_path(data_dir: str | None) -> Path:
    from app.coach.store import DB_NAME
    from app.coach.store import data_dir as default_dir

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
