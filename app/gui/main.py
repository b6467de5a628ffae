"""``hipcoach`` without a subcommand: the desktop window (live coaching and replay review)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from exercises.registry import EXERCISE_IDS

log = logging.getLogger(__name__)

MODELS = ("lite", "full", "heavy")


def _qt_environment() -> None:
    """opencv-python points Qt at its own plugin folder on import; PyQt6 must load its own plugins."""
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = os.environ.get(name, "")
        if "cv2" in value:
            os.environ.pop(name, None)
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hipcoach", description="HipCoach: a camera coach for hip exercises.")
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--source", metavar="PATH", help="play a video file as if it were the camera")
    src.add_argument("--camera", type=int, default=0, metavar="N", help="camera index (default 0)")
    parser.add_argument("--exercise", choices=EXERCISE_IDS, default="glute_bridge", help="exercise to coach")
    parser.add_argument("--model", choices=MODELS, default="full", help="pose model (default full)")
    parser.add_argument("--review", metavar="VIDEO", help="open a recorded video in replay review")
    parser.add_argument("--mute", action="store_true", help="start with the voice off")
    parser.add_argument("--no-start", action="store_true", help="open the window without starting the camera")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="folder for the history (default: $HIPCOACH_DATA_DIR or the user data folder)"
    )
    parser.add_argument(
        "--no-checkin",
        action="store_true",
        help="skip the safety questions and pain check-ins (demos, tests; also HIPCOACH_NO_CHECKIN=1)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.source and not Path(args.source).is_file():
        print(f"hipcoach: error: no such video file: {args.source}", file=sys.stderr)
        return 2
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if (
        sys.platform.startswith("linux")
        and not platform.startswith(("offscreen", "minimal", "vnc", "eglfs", "linuxfb"))
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        print(
            "hipcoach: error: no display to open the window on (DISPLAY is not set); "
            "for headless work use 'hipcoach analyze VIDEO --exercise ID'",
            file=sys.stderr,
        )
        return 2
    if args.data_dir:
        # Through the environment, so every part that finds the history (store, reports) agrees.
        os.environ["HIPCOACH_DATA_DIR"] = str(Path(args.data_dir).expanduser().resolve())
    checkins = not (args.no_checkin or os.environ.get("HIPCOACH_NO_CHECKIN", "") not in ("", "0"))
    import cv2  # noqa: F401  (import first, so its environment changes can be undone below)

    _qt_environment()
    from PyQt6.QtWidgets import QApplication

    from app.gui.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("HipCoach")
    from app.gui import style

    style.apply(app)  # once, before any window or dialog exists
    from app.live.pipeline import LiveSource

    source = LiveSource(path=Path(args.source)) if args.source else LiveSource(camera=args.camera)
    window = MainWindow(exercise_id=args.exercise, model=args.model, muted=args.mute, checkins=checkins, source=source)
    window.resize(1400, 900)
    window.show()
    if args.review:
        window.open_review(Path(args.review))
    elif not args.no_start:
        window.start_live(camera=None if args.source else args.camera, path=source.path)
    return app.exec()
