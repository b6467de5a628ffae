"""``hipcoach`` (the default command, ``hipcoach window``): the desktop window (live coaching and replay review)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def _qt_environment() -> None:
    """opencv-python points Qt at its own plugin folder on import; PyQt6 must load its own plugins."""
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = os.environ.get(name, "")
        if "cv2" in value:
            os.environ.pop(name, None)
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")


def main(argv: list[str]) -> int:
    """The window from its own options (``hipcoach [window options]``, without the word 'window')."""
    from app.cli_parser import WINDOW, parse

    return run(parse([WINDOW, *argv]))


def run(args: argparse.Namespace) -> int:
    """Open the window for parsed ``hipcoach window`` options; the application's exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.source and "://" not in args.source and not Path(args.source).is_file():  # a URL: a phone camera
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

    source = LiveSource.from_argument(args.source) if args.source else LiveSource(camera=args.camera)
    window = MainWindow(exercise_id=args.exercise, model=args.model, muted=args.mute, checkins=checkins, source=source)
    window.resize(1400, 900)
    window.show()
    if args.review:
        window.open_review(Path(args.review))
    elif not args.no_start:
        window.coach.request_start(source, window.exercise_box.currentData())  # a camera, a phone or a file
    return app.exec()
