"""Screenshots of the history views on the test fixture history: ``python -m tools.screenshot_history OUT_DIR``.

Run under Xvfb to see what a user sees, e.g.
``xvfb-run -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb python -m tools.screenshot_history docs/shots``.
The history (tests/history_fixture.py) goes into a temporary data folder; the window opens it as
its store. Saves progress.png (straight-leg raises, last 30 days), progress_bridge.png,
settings_routine.png, settings_coaching.png (with a refused override), settings_data.png and export.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="hipcoach-shots-"))
    os.environ["HIPCOACH_DATA_DIR"] = str(data)
    from tests import history_fixture as fx

    fx.build_history(data / "history.sqlite3")
    import cv2  # noqa: F401  (before Qt, as the app does)

    from app.gui.main import _qt_environment

    _qt_environment()
    from PyQt6.QtWidgets import QApplication

    from app.gui.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def save(widget, name: str) -> None:
        settle()
        widget.grab().save(str(out / name))
        print("saved", out / name)

    window = MainWindow(exercise_id="straight_leg_raise", model="lite", muted=True, enable_speech=False, checkins=False)
    window.profile_id = fx.PROFILE  # the fixture's person (the window opened profile 1 already)
    window.resize(int(os.environ.get("SHOT_W", 1500)), int(os.environ.get("SHOT_H", 920)))
    window.show()
    page = window.show_progress()
    page._today = lambda: fx.START + timedelta(days=13)  # the day after the fixture's last session
    page.calendar.setCurrentPage(fx.START.year, fx.START.month)
    page.set_range(30)
    page.refresh()
    save(window, "progress.png")
    page.set_exercise("glute_bridge")
    save(window, "progress_bridge.png")

    dialog = window.show_settings()
    for index, name in enumerate(("routine", "coaching", "data")):
        dialog.tabs.setCurrentIndex(index)
        if name == "coaching":
            dialog.set_override_text("straight_leg_raise", "hold_target_s", "90")
            dialog.save()
        save(dialog, f"settings_{name}.png")
    dialog.reject()
    export = window.export_report()
    save(export, "export.png")
    export.reject()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
