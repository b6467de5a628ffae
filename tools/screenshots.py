"""Screenshots of the window for review and the README: ``python -m tools.screenshots OUT_DIR CLIP EXERCISE``.

Run under Xvfb with the xcb platform to see what a user sees, e.g.
``xvfb-run -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb \
python -m tools.screenshots docs/shots clip.mp4 squat``.
Saves live.png (mid-session), summary.png (after the clip ended), replay.png and picker.png.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out, clip, exercise = Path(argv[0]), Path(argv[1]), argv[2]
    live_at_s = float(argv[3]) if len(argv) > 3 else 8.0
    model = argv[4] if len(argv) > 4 else "full"
    out.mkdir(parents=True, exist_ok=True)
    import cv2  # noqa: F401

    from app.gui.main import _qt_environment

    _qt_environment()
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from app.gui.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(exercise_id=exercise, model=model, muted=True)
    window.resize(1500, 920)
    window.show()

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(name: str) -> None:
        settle()
        window.grab().save(str(out / name))
        print("saved", out / name)

    def after_live(_session) -> None:
        shot("summary.png")
        window.open_review(clip, exercise)
        window.review.analysis_finished.connect(after_review)

    def after_review(report) -> None:  # the review's ClipReport
        reps = report.reps_detail
        if reps:
            rep = reps[min(1, len(reps) - 1)]
            window.review.seek_s((rep.start_s + rep.end_s) / 2)
        shot("replay.png")
        from app.gui.picker import ExercisePicker

        picker = ExercisePicker(exercise, window)
        picker.show()
        settle(1.5)
        picker.grab().save(str(out / "picker.png"))
        print("saved", out / "picker.png")
        picker.done(0)
        app.quit()

    window.live.session_ended.connect(after_live)
    QTimer.singleShot(int(live_at_s * 1000), lambda: shot("live.png"))
    window.start_live(camera=None, path=clip)
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
