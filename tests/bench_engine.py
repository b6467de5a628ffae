"""Per-frame cost of the engine (PoseFilter + ExerciseChecker) on synthetic sessions.

Not a test: run ``python -m tests.bench_engine``. Prints the mean and 99th percentile per frame
for each exercise, landmarks already in memory (no video, no model).
"""

from __future__ import annotations

import time

import numpy as np

from exercises.checker import ExerciseChecker
from exercises.registry import EXERCISE_IDS
from pose.filtering import PoseFilter
from tests.synthetic_skeleton import Scenario, generate


def bench(exercise: str, repeats: int = 3) -> tuple[float, float, float]:
    view = "feet" if exercise == "hip_abduction" else "side"
    frames = generate(Scenario(exercise, reps=6, view=view, noise_px=2.0, hold_s=1.0))
    filt_ms, check_ms = [], []
    for _ in range(repeats):
        pf, checker = PoseFilter(), ExerciseChecker(exercise)
        for fr in frames:
            t0 = time.perf_counter()
            out = pf.apply(fr)
            t1 = time.perf_counter()
            checker.update(out)
            t2 = time.perf_counter()
            filt_ms.append((t1 - t0) * 1e3)
            check_ms.append((t2 - t1) * 1e3)
    total = np.array(filt_ms) + np.array(check_ms)
    return float(np.mean(filt_ms)), float(np.mean(check_ms)), float(np.percentile(total, 99))


def main() -> None:
    print(f"{'exercise':24s} {'filter ms':>10s} {'checker ms':>11s} {'p99 total':>10s}")
    for exercise in EXERCISE_IDS:
        f, c, p99 = bench(exercise)
        print(f"{exercise:24s} {f:10.3f} {c:11.3f} {p99:10.3f}")


if __name__ == "__main__":
    main()
