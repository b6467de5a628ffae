"""The one pipeline shared by the CLI and the GUI: frames in, (frame, pose, result) steps out.

It knows nothing of exercises: anything with ``update(pose) -> result`` can follow the pose
(the exercise checker does), so the layers stay one-way (exercises build on pose, not back).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from pose.frame import PoseFrame
from pose.sources import VideoFrame


class Detector(Protocol):
    def detect(self, image_bgr: Any, timestamp_ms: float, image_rgb: Any = None) -> PoseFrame: ...


class PoseStage(Protocol):
    def apply(self, frame: PoseFrame) -> PoseFrame: ...


class Follower(Protocol):
    def update(self, frame: PoseFrame) -> Any: ...


@dataclass(frozen=True, eq=False)
class StepTimings:
    wait_ms: float  # waiting for the next decoded frame (decode not hidden by the reader thread)
    inference_ms: float
    rest_ms: float  # filtering, exercise logic


@dataclass(frozen=True, eq=False)
class Step:
    frame: VideoFrame
    raw_pose: PoseFrame  # as MediaPipe gave it
    pose: PoseFrame  # after swap repair and smoothing
    result: Any  # what the follower returned (for the exercise checker: state and events)
    timings: StepTimings


def run_pipeline(
    frames: Iterable[VideoFrame],
    detector: Detector,
    pose_stage: PoseStage | None = None,
    follower: Follower | None = None,
) -> Iterator[Step]:
    """Run each frame through the detector, the pose stage and the follower, in order."""
    clock = time.perf_counter
    iterator = iter(frames)
    while True:
        t0 = clock()
        try:
            frame = next(iterator)
        except StopIteration:
            return
        t1 = clock()
        raw = detector.detect(frame.image_bgr, frame.timestamp_ms, frame.image_rgb)
        t2 = clock()
        pose = pose_stage.apply(raw) if pose_stage is not None else raw
        result = follower.update(pose) if follower is not None else None
        t3 = clock()
        yield Step(frame, raw, pose, result, StepTimings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3))
