"""``hipcoach bench``: where a frame's time goes, and what the analyser costs over bare MediaPipe.

The bare loop is the least any analyser must do: decode a frame, convert it to RGB and run the
landmarker, one after the other. The analyser adds a reader thread (so decoding overlaps
inference), filtering and the exercise checker; its wall time over the bare loop's is the ratio.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import cv2

from app.analysis import ClipAnalysis
from pose.estimator import PoseEstimator
from pose.sources import file_frames


@dataclass(frozen=True)
class BenchResult:
    frames: int
    bare_wall_s: float
    bare_decode_ms: float  # per frame, mean
    bare_inference_ms: float
    full_wall_s: float
    full_wait_ms: float  # waiting for a decoded frame (what the reader thread did not hide)
    full_inference_ms: float
    full_rest_ms: float  # filtering + exercise checker
    full_rest_p99_ms: float

    @property
    def ratio(self) -> float:
        return self.full_wall_s / self.bare_wall_s if self.bare_wall_s > 0 else float("nan")


def bare_loop(video: str | Path, model: str) -> tuple[int, float, float, float]:
    """Decode + landmarker only, sequentially. Returns frames, wall s, decode ms/frame, inference ms/frame."""
    estimator = PoseEstimator(model, people_check_interval_ms=0)
    decode = inference = 0.0
    n = 0
    start = time.perf_counter()
    frames = file_frames(video)
    try:
        while True:
            t0 = time.perf_counter()
            frame = next(frames, None)
            if frame is None:
                break
            t1 = time.perf_counter()
            estimator.detect(frame.image_bgr, frame.timestamp_ms)
            t2 = time.perf_counter()
            decode += t1 - t0
            inference += t2 - t1
            n += 1
    finally:
        estimator.close()
    wall = time.perf_counter() - start
    return n, wall, 1e3 * decode / max(n, 1), 1e3 * inference / max(n, 1)


def full_analysis(video: str | Path, exercise_id: str, model: str) -> tuple[int, float, list]:
    start = time.perf_counter()
    analysis = ClipAnalysis(video, exercise_id, model)
    timings = [step.timings for step in analysis.steps()]
    analysis.report()  # building the report is part of the analyser's cost
    return len(timings), time.perf_counter() - start, timings


def run_bench(video: str | Path, exercise_id: str = "squat", model: str = "full", rounds: int = 3) -> BenchResult:
    """Alternate bare and full runs ``rounds`` times and keep the median of each, so a burst of
    other work on the machine does not decide the ratio."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    cv2.setNumThreads(1)  # keep OpenCV's own pool from competing with inference on small machines
    bare_runs, full_runs = [], []
    for _ in range(rounds):
        bare_runs.append(bare_loop(video, model))
        full_runs.append(full_analysis(video, exercise_id, model))
    _, bare_wall, decode_ms, bare_inf_ms = sorted(bare_runs, key=lambda r: r[1])[len(bare_runs) // 2]
    n_full, full_wall, timings = sorted(full_runs, key=lambda r: r[1])[len(full_runs) // 2]
    rest = sorted(t.rest_ms for t in timings)
    return BenchResult(
        frames=n_full,
        bare_wall_s=bare_wall,
        bare_decode_ms=decode_ms,
        bare_inference_ms=bare_inf_ms,
        full_wall_s=full_wall,
        full_wait_ms=statistics.fmean(t.wait_ms for t in timings) if timings else 0.0,
        full_inference_ms=statistics.fmean(t.inference_ms for t in timings) if timings else 0.0,
        full_rest_ms=statistics.fmean(rest) if rest else 0.0,
        full_rest_p99_ms=rest[int(0.99 * (len(rest) - 1))] if rest else 0.0,
    )


def format_bench(video: str | Path, model: str, r: BenchResult) -> str:
    return "\n".join(
        [
            f"bench: {video}  model={model}  frames={r.frames}  (median of the rounds)",
            f"  bare MediaPipe loop : {r.bare_wall_s:6.2f} s   decode {r.bare_decode_ms:5.1f} ms/frame"
            f"   inference {r.bare_inference_ms:5.1f} ms/frame",
            f"  hipcoach analyser   : {r.full_wall_s:6.2f} s   decode wait {r.full_wait_ms:5.1f} ms/frame"
            f"   inference {r.full_inference_ms:5.1f} ms/frame   everything else {r.full_rest_ms:5.2f} ms/frame"
            f" (p99 {r.full_rest_p99_ms:.2f})",
            f"  ratio analyser / bare: {r.ratio:.3f}",
        ]
    )
