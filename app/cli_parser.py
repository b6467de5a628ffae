"""The one command line: ``hipcoach [COMMAND] [options]``, every command and its options in one parser.

The window is the default command: ``hipcoach`` and ``hipcoach --source clip.mp4`` mean ``hipcoach window ...``.
This module stays light (no Qt, no OpenCV, no MediaPipe): ``--help`` answers at once, the headless side sets
OpenCV's log level before OpenCV first loads, and the window's options are checked before Qt starts.
"""

from __future__ import annotations

import argparse

from exercises.recognition import AUTO
from exercises.registry import EXERCISE_IDS
from models import BUNDLE_SHA256

WINDOW = "window"
HEADLESS_COMMANDS = ("analyze", "batch", "eval", "bench", "report")
COMMANDS = (WINDOW, *HEADLESS_COMMANDS)
EXIT_BAD_INPUT = 2

# The shipped bundles name the models (pose.estimator.MODEL_NAMES holds the same names, but loads OpenCV).
MODEL_NAMES = tuple(BUNDLE_SHA256)

_HELP = ("-h", "--help")
_VERBOSE = ("-v", "--verbose")


class _Parser(argparse.ArgumentParser):
    """argparse's errors in one line (its default prints the whole usage first).

    The window keeps argparse's own form (usage, then the error line), as it always has."""

    def __init__(self, *args, one_line_errors: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.one_line_errors = one_line_errors

    def error(self, message: str):
        if not self.one_line_errors:
            super().error(message)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Every command with its options; ``parser.commands`` maps each name to its own parser."""
    parser = _Parser(
        prog="hipcoach",
        description="HipCoach: a camera coach for hip exercises.",
        epilog="Without a command, hipcoach opens the window: 'hipcoach [window options]' is "
        "'hipcoach window [window options]'. 'hipcoach COMMAND --help' lists a command's options.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr (headless commands)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    parser.commands = {
        WINDOW: _add_window(sub),
        "analyze": _add_analyze(sub),
        "batch": _add_batch(sub),
        "eval": _add_eval(sub),
        "bench": _add_bench(sub),
        "report": _add_report(sub),
    }
    # Set after the commands exist: argparse builds their names ('hipcoach analyze') from this parser's usage.
    parser.usage = "%(prog)s [-h] [-v] [COMMAND] [options]"
    return parser


def with_default_command(argv: list[str]) -> list[str]:
    """``argv`` with the window named when no command is: ``hipcoach --mute`` is ``hipcoach window --mute``.

    ``-h`` alone stays the overall help; ``-v`` before a command is the parser's own option."""
    first = argv[0] if argv else None
    if first in COMMANDS or first in _HELP:
        return argv
    if first in _VERBOSE and len(argv) > 1 and argv[1] in COMMANDS:
        return argv
    return [WINDOW, *argv]


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line parsed (``args.command`` names the command); bad input exits 2 with its error."""
    parser = build_parser()
    args, extras = parser.parse_known_args(with_default_command(argv))
    if extras:
        # The window's strays are its own error (usage first), as before it became a command.
        owner = parser.commands[WINDOW] if args.command == WINDOW else parser
        owner.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _video_or_camera_url(text: str) -> str:
    """``--source``: a file, or a camera address; an address of another kind is refused here, not by FFmpeg."""
    from urllib.parse import urlsplit  # (pose.network_camera.is_stream_url says the same, but loads OpenCV)

    scheme = urlsplit(text).scheme.lower() if "://" in text else ""
    if scheme and scheme not in ("rtsp", "rtsps", "http", "https"):
        raise argparse.ArgumentTypeError(f"{text}: a camera address starts with rtsp://, http:// or https://")
    if scheme and not urlsplit(text).netloc:
        raise argparse.ArgumentTypeError(f"{text}: the camera address names no host")
    return text


def _add_window(sub) -> argparse.ArgumentParser:
    # Named 'hipcoach', not 'hipcoach window': its options follow plain 'hipcoach' (the default command).
    window = sub.add_parser(
        WINDOW,
        prog="hipcoach",
        one_line_errors=False,
        help="the desktop window: live coaching and replay review (the default command)",
        description="HipCoach: a camera coach for hip exercises.",
    )
    src = window.add_mutually_exclusive_group()
    src.add_argument(
        "--source",
        metavar="PATH",  # or a URL (the usage line stays as it was)
        type=_video_or_camera_url,
        help="play a video file as if it were the camera, or use a phone or network camera "
        "(rtsp://... or http://... MJPEG, as phone webcam apps serve)",
    )
    src.add_argument("--camera", type=int, default=0, metavar="N", help="camera index (default 0)")
    window.add_argument(
        "--exercise",
        choices=(*EXERCISE_IDS, AUTO),
        default="glute_bridge",
        help="exercise to coach ('auto' recognises it)",
    )
    window.add_argument("--model", choices=MODEL_NAMES, default="full", help="pose model (default full)")
    window.add_argument("--review", metavar="VIDEO", help="open a recorded video in replay review")
    window.add_argument("--mute", action="store_true", help="start with the voice off")
    window.add_argument("--no-start", action="store_true", help="open the window without starting the camera")
    window.add_argument(
        "--data-dir", metavar="DIR", help="folder for the history (default: $HIPCOACH_DATA_DIR or the user data folder)"
    )
    window.add_argument(
        "--no-checkin",
        action="store_true",
        help="skip the safety questions and pain check-ins (demos, tests; also HIPCOACH_NO_CHECKIN=1)",
    )
    return window


def _add_analyze(sub) -> argparse.ArgumentParser:
    analyze = sub.add_parser("analyze", help="count reps and find form faults in a recorded clip")
    analyze.add_argument("video")
    analyze.add_argument("--exercise", required=True, help="exercise id, e.g. squat; 'auto' recognises it")
    # Checked after parsing (not choices=), so the error lists the names in one plain line.
    analyze.add_argument("--model", default="full", help=f"pose model: {', '.join(MODEL_NAMES)} (default full)")
    analyze.add_argument("--json", metavar="PATH", help="write the JSON report to PATH ('-': stdout, JSON only)")
    analyze.add_argument("--annotate", metavar="OUT.mp4", help="write a video with skeleton and counters")
    return analyze


def _add_batch(sub) -> argparse.ArgumentParser:
    batch = sub.add_parser(
        "batch",
        help="analyse many clips on every core or a Dask cluster; resumable, with a summary table",
        description="Analyse every clip the paths name (folders searched, globs expanded) into --out: one JSON "
        "per clip, summary.csv and summary.html. A rerun skips clips already done.",
    )
    batch.add_argument("paths", nargs="+", metavar="PATH", help="video files, folders or globs ('clips/**/*.mp4')")
    batch.add_argument("--exercise", required=True, help="exercise id, e.g. squat; 'auto' recognises each clip's")
    batch.add_argument("--out", default="hipcoach-batch", metavar="DIR", help="output folder (default hipcoach-batch)")
    batch.add_argument("--jobs", type=int, metavar="N", help="local worker processes (default: one per core)")
    batch.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786 (needs hipcoach[cluster])"
    )
    batch.add_argument("--annotate", action="store_true", help="also write each clip's annotated video")
    batch.add_argument("--model", default="full", help=f"pose model: {', '.join(MODEL_NAMES)} (default full)")
    return batch


def _add_eval(sub) -> argparse.ArgumentParser:
    ev = sub.add_parser("eval", help="accuracy over labelled clips; non-zero exit below the thresholds")
    ev.add_argument("manifest")
    ev.add_argument("--model", default="full")
    ev.add_argument("--json", metavar="PATH", help="also write the results as JSON ('-': stdout)")
    ev.add_argument(
        "--recognise",
        action="store_true",
        help="analyse each clip with the exercise recognised (--exercise auto) and score the recognition too",
    )
    ev.add_argument("--jobs", type=int, default=1, metavar="N", help="clips analysed at once (default 1)")
    return ev


def _add_bench(sub) -> argparse.ArgumentParser:
    bench = sub.add_parser("bench", help="per-frame timings and the ratio to a bare MediaPipe loop")
    bench.add_argument("video", nargs="?", help="clip to time (default: the first sample video)")
    bench.add_argument("--exercise", default="squat")
    bench.add_argument("--model", default="full")
    bench.add_argument("--rounds", type=int, default=3, help="alternating bare/full runs; medians are shown")
    return bench


def _add_report(sub) -> argparse.ArgumentParser:
    report = sub.add_parser("report", help="export a session or a date range for a physiotherapist")
    report.add_argument("--out", required=True, metavar="FILE", help="report file: .html, .pdf, .csv or .json")
    report.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="first day (default: the first session)")
    report.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="last day (default: the last session)")
    report.add_argument("--session", metavar="N", help="one session only (its id)")
    report.add_argument("--data-dir", metavar="DIR", help="folder of history.sqlite3 (default: the user data folder)")
    report.add_argument(
        "--per-rep", action="store_true", help="end the HTML/PDF report with a table of every rep (off: a short report)"
    )
    return report
