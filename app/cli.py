"""The headless commands run: ``analyze``, ``eval``, ``bench`` and ``report`` (app.cli_parser parses them,
app.commands holds one module per command). No Qt.

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
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from app.cli_parser import EXIT_BAD_INPUT, HEADLESS_COMMANDS, parse  # noqa: E402
from app.commands import analyze, batch, bench, evaluate, report  # noqa: E402
from app.commands.shared import STOP, CliError, Terminated  # noqa: E402
from app.outputs import OutputError  # noqa: E402
from pose.estimator import MODEL_NAMES, ModelError  # noqa: E402
from pose.sources import SourceError  # noqa: E402

# Each command's module; its run(args) gives the exit status.
AUTO_COMMANDS = ("analyze", "batch")  # the commands that can recognise the exercise (--exercise auto)
_RUNNERS = {"analyze": analyze.run, "batch": batch.run, "eval": evaluate.run, "bench": bench.run, "report": report.run}


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
            from exercises.recognition import AUTO
            from exercises.registry import EXERCISE_IDS

            if exercise not in EXERCISE_IDS and not (exercise == AUTO and args.command in AUTO_COMMANDS):
                raise CliError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISE_IDS)}")
        return _RUNNERS[args.command](args)
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
        if STOP.graceful:
            # Inside the frame loop: stop between two frames. Raising here, in the middle of
            # MediaPipe's image set-up, leaves a half-built object that complains at exit.
            STOP.signum = signum
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
