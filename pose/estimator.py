"""The MediaPipe PoseLandmarker, owned by one object for its whole life.

Models are the bundles shipped in ``models/`` and chosen by name; nothing is downloaded, each
bundle is checked against its recorded sha256 before use, and MediaPipe's native usage logging
is kept from reaching the network (see :func:`keep_mediapipe_offline`).
VIDEO mode is used for files and cameras alike: it tracks the person between frames (cheaper
and steadier than detecting every frame) and needs strictly increasing timestamps, which the
frame sources guarantee and :meth:`PoseEstimator.detect` double-checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from models import BUNDLE_SHA256, OFFLINE_PROXY
from pose.frame import PoseFrame
from pose.landmarks import NUM_LANDMARKS
from pose.scene_cut import SceneCutDetector

log = logging.getLogger(__name__)

MODEL_NAMES = ("lite", "full", "heavy")
PEOPLE_CHECK_SIDE_PX = 480
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_CHECKS_FILE = "model-checks.json"

# MediaPipe's pip wheels (1.2.x) link a usage-statistics uploader into libmediapipe.so: libcurl
# posting to https://play.googleapis.com/log from a native thread whenever a task is created, with
# no option to turn it off (the open-source build has a no-op logger; BaseOptions' host fields and
# the CA bundle path change nothing, measured under strace). libcurl takes its proxy from the
# environment, so HipCoach points https_proxy at a SOCKS proxy on a Unix socket that cannot exist
# (/dev/null is not a folder): every upload then fails inside the process, before any name lookup
# or IP connection. Python itself never speaks HTTPS here, and FFmpeg (stream URLs) reads only
# http_proxy, so nothing else is affected.
USAGE_LOG_HOST = "play.googleapis.com"


def _no_proxy_spares(entries: str, host: str) -> str:
    """``entries`` (a no_proxy value) without the entries that would let curl bypass the proxy for ``host``."""
    kept = []
    for entry in entries.replace(" ", ",").split(","):
        domain = entry.strip().lstrip(".").lower()
        if domain and (domain == "*" or host == domain or host.endswith("." + domain)):
            continue
        if entry.strip():
            kept.append(entry.strip())
    return ",".join(kept)


def keep_mediapipe_offline(environ: MutableMapping[str, str] = os.environ) -> None:
    """Make MediaPipe's native usage logging fail locally instead of reaching the network.

    Must run before the first landmarker is created; it stays in force for the whole process
    (the uploader also posts when a landmarker closes and at exit).
    """
    environ["https_proxy"] = OFFLINE_PROXY
    for name in ("no_proxy", "NO_PROXY"):
        if name in environ:
            spared = _no_proxy_spares(environ[name], USAGE_LOG_HOST)
            if spared != environ[name]:
                log.debug("%s no longer exempts %s from the offline proxy", name, USAGE_LOG_HOST)
                environ[name] = spared


class ModelError(RuntimeError):
    """A pose model that is unknown, missing or unusable; the message says how to fix it."""


def model_path(name: str, models_dir: Path = MODELS_DIR) -> Path:
    """Path of the bundle for a model name, checked to exist and to have its recorded sha256."""
    if name not in MODEL_NAMES:
        raise ModelError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
    path = models_dir / f"pose_landmarker_{name}.task"
    rebuild = f"rebuild it with: python -m models.build_bundles {name}"
    if not path.is_file():
        raise ModelError(f"model bundle {path} is missing; {rebuild}")
    expected = BUNDLE_SHA256[name]
    try:
        found = _verified_sha256(path, expected)
    except OSError as exc:
        raise ModelError(f"model bundle {path} cannot be read ({exc.strerror or exc}); {rebuild}") from None
    if found != expected:
        raise ModelError(
            f"model bundle {path} is corrupt or changed (sha256 {found[:12]}..., expected "
            f"{expected[:12]}... as in models/README.md); {rebuild}"
        )
    return path


def model_checks_path() -> Path:
    """Where the record of bundles already verified lives (``$HIPCOACH_CACHE_DIR`` or the user cache folder)."""
    folder = os.environ.get("HIPCOACH_CACHE_DIR")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("hipcoach", appauthor=False)
    return Path(folder) / MODEL_CHECKS_FILE


def _verified_sha256(path: Path, expected: str) -> str:
    """The bundle's sha256; read from the record when the file is unchanged since it last matched.

    "Unchanged" means the same resolved path, size and modification time (ns). Only matches are
    recorded, so a bad file is hashed (and refused) every time until it is rebuilt.
    """
    stat = path.stat()
    key = str(path.resolve())
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": expected}
    record_path = model_checks_path()
    try:
        record = json.loads(record_path.read_text())
        if not isinstance(record, dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    if record.get(key) == stamp:
        return expected
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    found = digest.hexdigest()
    if found == expected:
        record[key] = stamp
        try:
            record_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = record_path.with_name(f".{record_path.name}.{os.getpid()}")
            tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
            os.replace(tmp, record_path)  # whole or not at all, also with several processes
        except OSError as exc:  # a read-only home only costs the check next time
            log.debug("cannot record the model check in %s: %s", record_path, exc)
    return found


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
    """Finds the body landmarks of the main person in each frame, and notices a second person.

    The main landmarker tracks one person in VIDEO mode, which skips the person detector on
    most frames. Asking it for two people would run the detector on every frame (measured:
    27 instead of 16 ms per frame with the full model), so instead a second landmarker in
    IMAGE mode counts the people once every ``people_check_interval_ms`` (0 turns it off).
    """

    def __init__(
        self,
        model: str = "full",
        people_check_interval_ms: float = 2000.0,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        models_dir: Path = MODELS_DIR,
    ) -> None:
        if people_check_interval_ms < 0:
            raise ValueError(f"people_check_interval_ms must be 0 (off) or positive, got {people_check_interval_ms}")
        path = model_path(model, models_dir)
        self.model = model
        self._last_timestamp_ms: int | None = None
        self._people_interval_ms = people_check_interval_ms
        self._people_checked_ms: float | None = None
        self._people_seen = 1
        self._cuts = SceneCutDetector()
        self._people_checks_done = 0
        keep_mediapipe_offline()
        with _native_stderr_captured():
            os.environ.setdefault("GLOG_minloglevel", "2")
            from mediapipe import Image, ImageFormat
            from mediapipe.tasks.python import BaseOptions
            from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

            def options(mode: RunningMode, people: int) -> PoseLandmarkerOptions:
                return PoseLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=str(path)),
                    running_mode=mode,
                    num_poses=people,
                    min_pose_detection_confidence=min_detection_confidence,
                    min_pose_presence_confidence=min_detection_confidence,
                    min_tracking_confidence=min_tracking_confidence,
                )

            self._people_counter = None
            try:
                self._landmarker = PoseLandmarker.create_from_options(options(RunningMode.VIDEO, 1))
                if people_check_interval_ms > 0:
                    self._people_counter = PoseLandmarker.create_from_options(options(RunningMode.IMAGE, 2))
            except RuntimeError as exc:
                raise ModelError(
                    f"cannot load model {path.name} ({exc}); rebuild it with: python -m models.build_bundles {model}"
                ) from None
        self._image_cls, self._srgb = Image, ImageFormat.SRGB
        self._quiet_calls_left = 3  # calls with a person in view still to keep quiet

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float, image_rgb: np.ndarray | None = None) -> PoseFrame:
        """Landmarks of the most prominent person in a BGR image, or an empty PoseFrame.

        Pass ``image_rgb`` when an RGB copy already exists, to skip the conversion.
        """
        height, width = image_bgr.shape[:2]
        stamp = int(round(timestamp_ms))
        if self._last_timestamp_ms is not None and stamp <= self._last_timestamp_ms:
            stamp = self._last_timestamp_ms + 1  # VIDEO mode rejects repeated timestamps
        self._last_timestamp_ms = stamp
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB) if image_rgb is None else image_rgb
        cut = self._cuts.is_cut(image_bgr)
        if cut:
            self._people_checked_ms = None  # a new scene: count its people at once
        image = self._image_cls(image_format=self._srgb, data=rgb)
        if self._quiet_calls_left <= 0:
            result = self._landmarker.detect_for_video(image, stamp)
        else:
            # Set-up messages come on the first call and when tracking first starts, i.e. on
            # the frames just after a person is first found: keep those calls quiet.
            with _native_stderr_captured():
                result = self._landmarker.detect_for_video(image, stamp)
            if result.pose_landmarks:
                self._quiet_calls_left -= 1
        people = self._count_people(rgb, timestamp_ms)
        return self._to_frame(result, timestamp_ms, (width, height), people, cut)

    def _count_people(self, rgb: np.ndarray, timestamp_ms: float) -> int:
        if self._people_counter is None:
            return 1
        due = self._people_checked_ms is None or timestamp_ms - self._people_checked_ms >= self._people_interval_ms
        if due:
            self._people_checked_ms = timestamp_ms
            # Counting needs no detail: a small copy makes the check cheaper on HD video.
            scale = PEOPLE_CHECK_SIDE_PX / max(rgb.shape[:2])
            if scale < 1.0:
                rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            image = self._image_cls(image_format=self._srgb, data=np.ascontiguousarray(rgb))
            if self._people_checks_done >= 2:
                result = self._people_counter.detect(image)
            else:
                with _native_stderr_captured():  # its first call prints set-up warnings too
                    result = self._people_counter.detect(image)
            self._people_checks_done += 1
            self._people_seen = len(result.pose_landmarks or [])
        return self._people_seen

    @staticmethod
    def _to_frame(result: Any, timestamp_ms: float, size: tuple[int, int], people: int, cut: bool) -> PoseFrame:
        poses = result.pose_landmarks or []
        if not poses or len(poses[0]) != NUM_LANDMARKS:
            return PoseFrame.empty(timestamp_ms, size, scene_cut=cut)
        landmarks = poses[0]
        norm = np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float64)
        vis = np.array([p.visibility if p.visibility is not None else 0.0 for p in landmarks])
        pres = np.array([p.presence if p.presence is not None else 0.0 for p in landmarks])
        world = None
        if result.pose_world_landmarks:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]], dtype=np.float64)
        return PoseFrame.from_normalized(
            timestamp_ms,
            size,
            norm,
            visibility=vis,
            world_xyz_m=world,
            presence=pres,
            people_count=max(1, people),
            scene_cut=cut,
        )

    def close(self) -> None:
        for name in ("_landmarker", "_people_counter"):
            landmarker = getattr(self, name, None)
            setattr(self, name, None)
            if landmarker is not None:
                with _native_stderr_captured():  # tear-down chatter, as at start-up
                    landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
