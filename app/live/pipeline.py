"""The live coaching pipeline as a generator, for the GUI's worker. Qt-free.

Frames from a camera (or a file played as one) go through the estimator, the pose filter and
the exercise checker; each step comes out with the image to display already drawn, so the GUI
thread only paints. Mirroring is for display only: the model always sees the frame as captured, and so does a
recording of the set (:class:`~app.live.recording.SetRecording`), which is only offered each frame:
the disk never holds up the live view.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from app.live.following import Following
from app.live.recording import SetRecording
from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.recognition import AUTO
from exercises.registry import get_exercise
from pose.estimator import PoseEstimator
from pose.filtering import PoseFilter
from pose.network_camera import StreamStatus, describe_url, is_stream_url, stream_frames
from pose.overlay import draw_skeleton
from pose.pipeline import Step, run_pipeline
from pose.sources import VideoFrame, camera_frames, live_file_frames


@dataclass(frozen=True)
class LiveSource:
    """A camera index, a network camera (a phone: rtsp:// or http:// MJPEG), or a video file played as a camera."""

    camera: int | None = None
    path: Path | None = None
    speed: float = 1.0
    url: str | None = None
    # Where a network camera is (live, reconnecting...): the window shows it while the stream is away.
    status: StreamStatus = field(default_factory=StreamStatus, compare=False, repr=False)

    def __post_init__(self) -> None:
        given = [x for x in (self.camera, self.path, self.url) if x is not None]
        if len(given) != 1:
            raise ValueError(
                "give one of a camera index, a file or a camera URL "
                f"(camera={self.camera}, path={self.path}, url={self.url})"
            )
        if self.url is not None and not is_stream_url(self.url):
            raise ValueError(f"{self.url} is not a camera address (rtsp://, http:// or https://)")

    @classmethod
    def from_argument(cls, source: str) -> LiveSource:
        """``--source``: a camera URL, or a video file played as if it were the camera."""
        return cls(url=source) if is_stream_url(source) else cls(path=Path(source))

    @property
    def is_camera(self) -> bool:
        """A live picture (a camera here or a phone), as opposed to a file: mirrored, and its end is a loss."""
        return self.camera is not None or self.url is not None

    def describe(self) -> str:
        if self.url is not None:
            return f"network camera {describe_url(self.url)}"
        return f"camera {self.camera}" if self.camera is not None else Path(str(self.path)).name

    def interrupt(self) -> None:
        """Stop now: a network camera that is away holds the frames up until it is back (a no-op otherwise)."""
        self.status.cancel()

    def frames(self) -> Iterator[VideoFrame]:
        if self.url is not None:
            return stream_frames(self.url, self.status)
        if self.camera is not None:
            return camera_frames(self.camera)
        assert self.path is not None  # one of the three is given (__post_init__)
        return live_file_frames(self.path, speed=self.speed)


@dataclass(frozen=True, eq=False)
class LiveItem:
    step: Step
    display_bgr: np.ndarray  # skeleton drawn, mirrored for a webcam
    arrived_s: float  # perf_counter when the source handed over the frame (for the lag measure)


def _stamped(frames: Iterator[VideoFrame], arrivals: dict[int, float]) -> Iterator[VideoFrame]:
    for frame in frames:
        arrivals[frame.index] = time.perf_counter()
        yield frame


def live_items(
    source: LiveSource,
    exercise: ExerciseDef | str,
    model: str = "full",
    estimator: PoseEstimator | None = None,
    checker: ExerciseChecker | Following | None = None,
    recording: SetRecording | None = None,
) -> Iterator[LiveItem]:
    """Run the live pipeline; closing the generator releases the camera and the model.

    ``exercise`` is an id or a (personalised) definition; ``auto`` recognises it and follows the person
    from one exercise to the next (:class:`~app.live.following.Following`: each step's result is then a
    :class:`~app.live.following.FollowStep`). A ``checker`` passed in belongs to the
    caller, who calls its ``finish()`` (and keeps the events it returns) once the generator is closed.
    A ``recording`` gets every frame the checker sees, as captured; closing the generator closes its
    video, and its report is written by ``recording.finish(checker)`` once the checker has finished
    (here for a checker of our own, else by the caller).
    """
    own_checker = checker is None
    if checker is None and exercise == AUTO:
        if recording is not None:  # the window records Auto runs with its own Following (the recognised report)
            raise ValueError("an Auto run cannot be recorded: give an exercise id to record a set")
        checker = Following()
    elif checker is None:
        checker = ExerciseChecker(get_exercise(exercise) if isinstance(exercise, str) else exercise)
    own_estimator = estimator is None
    estimator = estimator or PoseEstimator(model)
    arrivals: dict[int, float] = {}
    try:
        for step in run_pipeline(_stamped(source.frames(), arrivals), estimator, PoseFilter(), checker):
            if recording is not None:
                recording.offer(step.frame.image_bgr, step.frame.timestamp_ms, step.raw_pose.has_pose)
            image = draw_skeleton(step.frame.image_bgr, step.pose)
            if source.is_camera:
                image = cv2.flip(image, 1)  # a mirror is what people expect of a webcam preview
            yield LiveItem(step, image, arrivals.pop(step.frame.index, time.perf_counter()))
    finally:
        if recording is not None:
            recording.close_video()  # the writer drains its queue; the live view has stopped by now
        if own_checker:
            checker.finish()
            if recording is not None and isinstance(checker, ExerciseChecker):
                recording.finish(checker)
        if own_estimator:
            estimator.close()
