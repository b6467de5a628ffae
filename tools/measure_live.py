"""Measure the live view: ``python -m tools.measure_live CLIP [--model full] [--seconds 20]``.

Plays CLIP as if it were a camera through the real window and reports the view's frame rate
(distinct frames painted per second) and the overlay lag (from the source handing over a frame
to that frame, with its skeleton, being painted). Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--exercise", default="squat")
    parser.add_argument("--model", default="full")
    parser.add_argument("--seconds", type=float, default=20.0, help="stop after this long (the clip may end first)")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the window half-way")
    args = parser.parse_args(argv)

    import cv2  # noqa: F401

    from app.gui.main import _qt_environment

    _qt_environment()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from app.gui.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(exercise_id=args.exercise, model=args.model, muted=True)
    window.resize(1400, 900)
    window.show()
    painted: list[tuple[float, float]] = []  # (arrived, painted) perf_counter seconds
    window.live.video.painted.connect(lambda tag_at: painted.append(tag_at))
    steps: list[object] = []
    window.live.stepped.connect(steps.append)
    window.live.session_ended.connect(lambda _s: app.quit())
    QTimer.singleShot(int(args.seconds * 1000), window.live.stop)
    if args.screenshot:
        QTimer.singleShot(int(args.seconds * 500), lambda: window.grab().save(str(args.screenshot)))
    window.start_live(camera=None, path=args.clip)
    app.exec()

    if len(painted) < 10:
        print(f"only {len(painted)} frames painted; nothing to measure", file=sys.stderr)
        return 1
    # Skip the first second: model warm-up is not steady state.
    start = painted[0][1] + 1.0
    steady = [(a, p) for a, p in painted if p >= start]
    span = steady[-1][1] - steady[0][1]
    fps = (len(steady) - 1) / span if span > 0 else float("nan")
    lag_ms = np.array([(p - a) * 1000.0 for a, p in steady])
    infer = np.array([s.step.timings.inference_ms for s in steps[30:]])
    print(
        f"model {args.model}, clip {args.clip.name}, {window.live.video.frames_offered} frames offered, "
        f"{window.live.video.frames_painted} painted"
    )
    print(f"view: {fps:.1f} fps over {span:.1f} s")
    print(
        f"overlay lag: median {np.median(lag_ms):.0f} ms, p95 {np.percentile(lag_ms, 95):.0f} ms, "
        f"max {lag_ms.max():.0f} ms"
    )
    print(f"inference: median {np.median(infer):.1f} ms, p95 {np.percentile(infer, 95):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
