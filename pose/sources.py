"""Frame sources: a video file, a camera, and a file played as if it were a live camera.

These generators (and :mod:`pose.network_camera`, for a phone or network camera) are the only
place that touches ``cv2.VideoCapture``. Each yields
:class:`VideoFrame` values with a strictly increasing timestamp in milliseconds, which is what
MediaPipe's VIDEO mode requires and the only clock the exercise engine uses.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# OpenCV and FFmpeg print their own warnings for every unreadable file; our errors say it
# better, in one line. Set before OpenCV's video backend starts (users may still override).
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

log = logging.getLogger(__name__)


class SourceError(RuntimeError):
    """A source that cannot be opened or read; the message names the problem in one line."""


@dataclass(frozen=True, eq=False)
class VideoFrame:
    index: int
    timestamp_ms: float
    image_bgr: np.ndarray  # H x W x 3, uint8, as decoded (never mirrored)

    @cached_property
    def image_rgb(self) -> np.ndarray:
        """The RGB copy MediaPipe needs; the reader thread makes it ahead of time."""
        return cv2.cvtColor(self.image_bgr, cv2.COLOR_BGR2RGB)

    @property
    def size_px(self) -> tuple[int, int]:
        height, width = self.image_bgr.shape[:2]
        return width, height


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frame_count: int  # as the container claims; may be 0 or approximate

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


# Slower than this is a broken container or a high-speed recording whose timestamps would make
# every repetition "too fast" and every hold a few milliseconds; neither can be coached.
MAX_FPS = 1000.0
# A person cannot be found in fewer pixels than this on the shorter side.
MIN_SIDE_PX = 32


def _check_file(p: Path) -> None:
    """Refuse what is not a regular, readable, non-empty file before FFmpeg sees it.

    A named pipe or a device would block FFmpeg (or OpenCV's image check) forever.
    """
    try:
        st = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            raise SourceError(
                f"{p} is a broken symbolic link (it points at {os.readlink(p)}, which does not exist)"
            ) from None
        raise SourceError(f"no such file: {p}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(f"{p} is a symbolic link loop, not a video file") from None
        raise SourceError(f"cannot read {p}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"{p} is a directory, not a video file")
    if stat.S_ISFIFO(st.st_mode):
        raise SourceError(f"{p} is a named pipe (FIFO), not a video file")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{p} is a device or socket, not a video file")
    if st.st_size == 0:
        raise SourceError(f"{p} is empty (0 bytes)")
    if not os.access(p, os.R_OK):
        raise SourceError(f"cannot read {p}: permission denied")


def _is_animation(p: Path) -> bool:
    """An animated GIF is a clip in all but name; FFmpeg decodes it like one."""
    with open(p, "rb") as fh:
        if fh.read(4) != b"GIF8":
            return False
    try:
        return cv2.imcount(str(p)) > 1
    except (cv2.error, AttributeError):
        return False


def _capture(p: Path) -> cv2.VideoCapture:
    """``cv2.VideoCapture`` on exactly this file, through FFmpeg.

    FFmpeg reads a name such as ``frame_%03d.png`` as an image-sequence pattern (frame_000.png,
    frame_001.png, ...) rather than as the file itself. Such a file is opened through a private
    link without '%' and without an extension, so FFmpeg sees the file and judges it by its content.
    """
    if "%" not in str(p):
        return cv2.VideoCapture(str(p), cv2.CAP_FFMPEG)
    with tempfile.TemporaryDirectory(prefix="hipcoach-") as folder:
        alias = Path(folder) / "video"
        try:
            if "%" in folder:
                raise OSError("the temporary folder has a '%' in its name too")
            os.symlink(os.path.abspath(p), alias)
        except OSError as exc:
            raise SourceError(
                f"{p}: a '%' in the name makes FFmpeg read another file "
                f"and no safe link could be made ({exc.strerror or exc}); rename it"
            ) from None
        # FFmpeg holds the file open from here on; the link can go.
        return cv2.VideoCapture(str(alias), cv2.CAP_FFMPEG)


def _open_file(path: str | Path) -> tuple[cv2.VideoCapture, VideoInfo]:
    p = Path(path)
    _check_file(p)
    if cv2.haveImageReader(str(p)) and not _is_animation(p):
        raise SourceError(f"{p} is a still image, not a video")
    cap = _capture(p)
    if not cap.isOpened():
        raise SourceError(
            f"{p} is not a readable video (no video stream: audio only, corrupt, truncated or not a video format)"
        )
    # Phone clips carry a rotation flag; have FFmpeg apply it so people appear upright.
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    info = VideoInfo(
        path=str(p),
        width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        fps=float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
        frame_count=max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT))),
    )
    return cap, info


def probe_video(path: str | Path) -> VideoInfo:
    """Open a video, check that a first frame decodes, and describe it. Raises SourceError."""
    cap, info = _open_file(path)
    try:
        ok, image = cap.read()
        if not ok or image is None:
            raise SourceError(f"{path} has no decodable video frames (corrupt, truncated or audio only)")
        height, width = image.shape[:2]  # after rotation, which the container size may not reflect
        if min(width, height) < MIN_SIDE_PX:
            raise SourceError(
                f"{path} is {width}x{height} pixels, too small to see a person in "
                f"(at least {MIN_SIDE_PX} pixels on each side)"
            )
        # Some containers state their time base as the rate, others a sane rate over frames stamped
        # microseconds apart: the claimed rate and the first two frames' spacing decide together.
        fps = info.fps
        first_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
        ok, _ = cap.read()
        # The first two frames' spacing: zero or less (or no second frame) says nothing.
        step_ms = cap.get(cv2.CAP_PROP_POS_MSEC) - first_ms if ok else 0.0
        spaced = step_ms > 0
        if (spaced and step_ms < 1000.0 / MAX_FPS) or (fps > MAX_FPS and not spaced):
            rate = 1000.0 / step_ms if spaced else fps
            raise SourceError(
                f"{path} has {rate:.0f} frames per second; HipCoach reads clips of up to "
                f"{MAX_FPS:g} fps (a broken or high-speed recording: re-encode it at a normal rate)"
            )
        if fps > MAX_FPS:
            fps = 1000.0 / step_ms
        return VideoInfo(info.path, width, height, fps, info.frame_count)
    finally:
        cap.release()


def _monotonic(timestamp_ms: float, previous_ms: float | None) -> float:
    """Container timestamps can repeat or step back (edit lists, broken muxers): keep them increasing."""
    if previous_ms is not None and timestamp_ms <= previous_ms:
        return previous_ms + 1.0
    return timestamp_ms


def file_frames(path: str | Path) -> Iterator[VideoFrame]:
    """Decode a video file frame by frame, with the container's own timestamps.

    Real timestamps (not index / fps) keep variable-frame-rate phone clips on time.
    """
    probe_video(path)
    cap, info = _open_file(path)
    fallback_step_ms = 1000.0 / info.fps if info.fps > 0 else 1000.0 / 30.0
    previous_ms: float | None = None
    index = 0
    try:
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                break
            stamp = cap.get(cv2.CAP_PROP_POS_MSEC)
            if stamp is None or stamp < 0 or (index > 0 and stamp == 0):
                stamp = index * fallback_step_ms
            previous_ms = _monotonic(float(stamp), previous_ms)
            yield VideoFrame(index, previous_ms, image)
            index += 1
    finally:
        cap.release()
    if info.frame_count and index < 0.9 * info.frame_count:
        log.warning("%s ended after %d of %d frames (truncated file?)", path, index, info.frame_count)


def camera_frames(index: int = 0, width: int = 640, height: int = 480) -> Iterator[VideoFrame]:
    """Frames from a camera, stamped with the time since the first frame (monotonic clock)."""
    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        cap.release()
        raise SourceError(f"camera {index} cannot be opened (not connected, or in use by another program)")
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    start = time.monotonic()
    previous_ms: float | None = None
    n = 0
    try:
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                if n == 0:
                    raise SourceError(f"camera {index} opened but gives no frames")
                log.warning("camera %d stopped delivering frames after %d frames", index, n)
                return
            previous_ms = _monotonic((time.monotonic() - start) * 1000.0, previous_ms)
            yield VideoFrame(n, previous_ms, image)
            n += 1
    finally:
        cap.release()


def live_file_frames(path: str | Path, speed: float = 1.0) -> Iterator[VideoFrame]:
    """Play a file as if it were a camera: frames arrive on the wall clock, late ones are dropped.

    Timestamps stay the file's own, so results remain comparable with an offline analysis.
    """
    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    start: float | None = None
    for frame in threaded(file_frames(path), maxsize=2):
        now = time.monotonic()
        if start is None:
            start = now - frame.timestamp_ms / 1000.0 / speed
        due = start + frame.timestamp_ms / 1000.0 / speed
        if now < due:
            time.sleep(due - now)
        elif now - due > 0.05:
            # A real camera would not have waited for us: this frame is already stale.
            continue
        yield frame


class _End:
    """The reader thread's last item: the frames are over."""


_END = _End()


def threaded(frames: Iterator[VideoFrame], maxsize: int = 4) -> Iterator[VideoFrame]:
    """Run a frame generator on a reader thread so decoding (and the RGB conversion) overlaps
    the consumer's work.

    Errors raised by the source are re-raised in the consumer; closing the consumer stops the reader.
    """
    buffer: queue.Queue[VideoFrame | Exception | _End] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def reader() -> None:
        try:
            for item in frames:
                item.image_rgb  # noqa: B018 - computed here, off the consumer's thread
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except Exception as exc:  # handed over to the consumer, which re-raises it
            buffer.put(exc)
            return
        finally:
            close = getattr(frames, "close", None)
            if close is not None and stop.is_set():
                close()
        buffer.put(_END)

    thread = threading.Thread(target=reader, name="frame-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if isinstance(item, _End):
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        # Unblock a reader waiting on a full queue, then let it finish.
        while thread.is_alive():
            try:
                buffer.get_nowait()
            except queue.Empty:
                pass
            thread.join(timeout=0.05)
