"""The MediaPipe PoseLandmarker, owned by one object for its whole life.

Models are the bundles shipped in ``models/`` and chosen by name; nothing is downloaded.
VIDEO mode is used for files and cameras alike: it tracks the person between frames (cheaper
and steadier than detecting every frame) and needs strictly increasing timestamps, which the
frame sources guarantee and :meth:`PoseEstimator.detect` double-checks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from pose.frame import PoseFrame
from pose.landmarks import NUM_LANDMARKS

log = logging.getLogger(__name__)

MODEL_NAMES = ("lite", "full", "heavy")
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class ModelError(RuntimeError):
    """A pose model that is unknown, missing or unusable; the message says how to fix it."""


def model_path(name: str, models_dir: Path = MODELS_DIR) -> Path:
    """Path of the bundle for a model name, checked to exist and to look like a bundle."""
    if name not in MODEL_NAMES:
        raise ModelError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
    path = models_dir / f"pose_landmarker_{name}.task"
    rebuild = f"rebuild it with: python -m models.build_bundles {name}"
    if not path.is_file():
        raise ModelError(f"model bundle {path} is missing; {rebuild}")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"model bundle {path} is corrupt ({exc}); {rebuild}") from None
    if bad is not None or not {"pose_detector.tflite", "pose_landmarks_detector.tflite"} <= names:
        raise ModelError(f"model bundle {path} is corrupt or incomplete; {rebuild}")
    return path


@contextlib.contextmanager
def _native_stderr_captured() -> Iterator[None]:
    """Keep the native libraries' start-up chatter (glog, TFLite) off the user's terminal.

    It is written to file descriptor 2 by C++ code, so Python's logging cannot filter it. The
    text is kept and passed to our logger at debug level.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode(errors="replace").strip()
            if text:
                log.debug("native output:\n%s", text)


class PoseEstimator:
    """Finds the body landmarks of the main person in each frame.

    ``max_people`` above 1 lets the caller know when a second person is in view, at the
    cost of running the person detector more often.
    """

    def __init__(
        self,
        model: str = "full",
        max_people: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        models_dir: Path = MODELS_DIR,
    ) -> None:
        if max_people < 1:
            raise ValueError(f"max_people must be at least 1, got {max_people}")
        path = model_path(model, models_dir)
        self.model = model
        self._last_timestamp_ms: int | None = None
        with _native_stderr_captured():
            os.environ.setdefault("GLOG_minloglevel", "2")
            from mediapipe import Image, ImageFormat
            from mediapipe.tasks.python import BaseOptions
            from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

            options = PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(path)),
                running_mode=RunningMode.VIDEO,
                num_poses=max_people,
                min_pose_detection_confidence=min_detection_confidence,
                min_pose_presence_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            try:
                self._landmarker = PoseLandmarker.create_from_options(options)
            except RuntimeError as exc:
                raise ModelError(f"cannot load model {path.name} ({exc}); rebuild it with: "
                                 f"python -m models.build_bundles {model}") from None
        self._image_cls, self._srgb = Image, ImageFormat.SRGB
        self._warmed_up = False

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> PoseFrame:
        """Landmarks of the most prominent person in a BGR image, or an empty PoseFrame."""
        height, width = image_bgr.shape[:2]
        stamp = int(round(timestamp_ms))
        if self._last_timestamp_ms is not None and stamp <= self._last_timestamp_ms:
            stamp = self._last_timestamp_ms + 1  # VIDEO mode rejects repeated timestamps
        self._last_timestamp_ms = stamp
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        image = self._image_cls(image_format=self._srgb, data=rgb)
        if self._warmed_up:
            result = self._landmarker.detect_for_video(image, stamp)
        else:
            with _native_stderr_captured():  # the first call prints delegate set-up messages
                result = self._landmarker.detect_for_video(image, stamp)
            self._warmed_up = True
        return self._to_frame(result, timestamp_ms, (width, height))

    @staticmethod
    def _to_frame(result, timestamp_ms: float, size: tuple[int, int]) -> PoseFrame:
        poses = result.pose_landmarks or []
        if not poses:
            return PoseFrame.empty(timestamp_ms, size)
        # The main person is the largest one in the image (the nearest to the camera).
        def extent(landmarks) -> float:
            xs = [p.x for p in landmarks]
            ys = [p.y for p in landmarks]
            return (max(xs) - min(xs)) * (max(ys) - min(ys))

        main = max(range(len(poses)), key=lambda i: extent(poses[i]))
        norm = np.array([(p.x, p.y, p.z) for p in poses[main]], dtype=np.float64)
        vis = np.array([p.visibility if p.visibility is not None else 0.0 for p in poses[main]])
        pres = np.array([p.presence if p.presence is not None else 0.0 for p in poses[main]])
        world = None
        if result.pose_world_landmarks and len(result.pose_world_landmarks) > main:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[main]], dtype=np.float64)
        if norm.shape != (NUM_LANDMARKS, 3):
            return PoseFrame.empty(timestamp_ms, size)
        return PoseFrame.from_normalized(
            timestamp_ms, size, norm, visibility=vis, world_xyz_m=world, presence=pres, people_count=len(poses)
        )

    def close(self) -> None:
        landmarker, self._landmarker = getattr(self, "_landmarker", None), None
        if landmarker is not None:
            landmarker.close()

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
