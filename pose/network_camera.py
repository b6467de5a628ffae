"""A phone (or any network camera) as the camera: RTSP, or HTTP MJPEG as phone webcam apps serve it.

This is the one place HipCoach touches a network, and only the address the person typed: no proxy
(the process-wide offline proxy of :func:`pose.estimator.keep_mediapipe_offline` must not catch it,
nor a proxy from the environment), no redirects to elsewhere, no name other than the URL's host.

A phone on Wi-Fi drops out now and then. The source then reconnects (0.5 s, then up to 2 s
between tries) without ending: while away it yields nothing, and :class:`StreamStatus` says so, for
the live session to show ("the phone camera dropped out, reconnecting") while it keeps its reps.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import cv2
import numpy as np

from pose.sources import SourceError, VideoFrame

log = logging.getLogger(__name__)

STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")
FIRST_RETRY_S = 0.5
LONGEST_RETRY_S = 2.0
# A stream that sends nothing this long has dropped (a phone that locked its screen, Wi-Fi gone).
STALL_S = 5.0
CHUNK = 64 * 1024
# A part larger than this without a complete JPEG is not a camera stream.
MAX_PART_BYTES = 16 * 1024 * 1024

CONNECTING, LIVE, RECONNECTING, ENDED = "connecting", "live", "reconnecting", "ended"


def is_stream_url(text: str) -> bool:
    """True for the URLs a network camera is reached at (rtsp://, http://, https://)."""
    parts = urlsplit(str(text).strip())
    return parts.scheme.lower() in STREAM_SCHEMES and bool(parts.netloc)


def describe_url(url: str) -> str:
    """The URL without any password, for messages and the window."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class StreamStatus:
    """Where a network camera is: connecting, live, reconnecting (with how often), or ended.

    Written by the reader thread, read by anyone; ``listeners`` are called (on the reader thread)
    at every change, e.g. a Qt signal's ``emit`` that carries it to the window.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = CONNECTING
        self.reconnects = 0  # drops recovered from (or being recovered from)
        self.error = ""
        self.listeners: list[Callable[[StreamStatus], None]] = []
        self._cancels: set[Callable[[], None]] = set()  # one per stream running now

    def cancel(self) -> None:
        """End the streams using this status now, even while they wait for a phone that is away.

        (A consumer blocked on the next frame cannot be stopped between frames: a Stop must not wait
        for the phone to come back.)"""
        with self._lock:
            cancels = list(self._cancels)
        for cancel in cancels:
            cancel()

    @property
    def away(self) -> bool:
        return self.state == RECONNECTING

    @property
    def message(self) -> str:
        if self.state == RECONNECTING:
            return "The phone camera dropped out, reconnecting…"
        if self.state == CONNECTING:
            return "Connecting to the phone camera…"
        if self.state == ENDED:
            return "The phone camera is gone."
        return ""

    def set(self, state: str, error: str = "") -> None:
        with self._lock:
            if state == self.state and error == self.error:
                return
            if state == RECONNECTING and self.state != RECONNECTING:
                self.reconnects += 1
            self.state, self.error = state, error
        for listener in list(self.listeners):
            try:
                listener(self)
            except Exception:  # a listener must never stop the camera
                log.exception("stream status listener failed")


def _opener() -> urllib.request.OpenerDirector:
    # ProxyHandler({}): no proxy at all, whatever the environment says (the offline proxy included).
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _jpegs(read: Callable[[int], bytes]) -> Iterator[bytes]:
    """JPEG images from a multipart (or bare) MJPEG byte stream, cut at the JPEG markers.

    Phone apps differ in boundaries and part headers; every one sends whole JPEGs between them.
    """
    buffer = bytearray()
    while True:
        chunk = read(CHUNK)
        if not chunk:
            return
        buffer += chunk
        while True:
            start = buffer.find(b"\xff\xd8")
            if start < 0:
                del buffer[:-1]  # keep a last 0xff that may start a marker
                break
            end = buffer.find(b"\xff\xd9", start + 2)
            if end < 0:
                del buffer[:start]
                if len(buffer) > MAX_PART_BYTES:
                    raise SourceError("the stream sends no complete JPEG pictures (not an MJPEG camera)")
                break
            yield bytes(buffer[start : end + 2])
            del buffer[: end + 2]


class _Connection:
    """One connection's pictures; ``close()`` from another thread ends a blocked read."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._response: http.client.HTTPResponse | None = None
        self._capture: cv2.VideoCapture | None = None

    def images(self) -> Iterator[np.ndarray]:
        if urlsplit(self.url).scheme.lower().startswith("rtsp"):
            yield from self._rtsp_images()
        else:
            yield from self._http_images()

    def _http_images(self) -> Iterator[np.ndarray]:
        request = urllib.request.Request(self.url, headers={"User-Agent": "HipCoach"})
        try:
            response = _opener().open(request, timeout=STALL_S)
        except urllib.error.HTTPError as exc:
            raise SourceError(f"{describe_url(self.url)} answered {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError(f"cannot reach {describe_url(self.url)}: {reason}") from None
        self._response = response
        kind = response.headers.get_content_type()
        if kind.startswith("image/"):
            # A snapshot address (e.g. /shot.jpg): each request is one picture, so ask again.
            body = response.read()
            response.close()
            image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                raise SourceError(f"{describe_url(self.url)} sent a picture that cannot be decoded")
            yield image
            while True:
                with _opener().open(request, timeout=STALL_S) as again:
                    self._response = again
                    image = cv2.imdecode(np.frombuffer(again.read(), np.uint8), cv2.IMREAD_COLOR)
                if image is not None:
                    yield image
        if not (kind.startswith("multipart/") or kind in ("video/x-motion-jpeg", "application/octet-stream")):
            raise SourceError(f"{describe_url(self.url)} is not a camera stream (it serves {kind})")
        for jpeg in _jpegs(response.read1 if hasattr(response, "read1") else response.read):
            image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
            if image is not None:  # a damaged picture is skipped, not the stream
                yield image

    def _rtsp_images(self) -> Iterator[np.ndarray]:
        # FFmpeg reads no proxy for RTSP; the timeouts turn a silent phone into a drop.
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(STALL_S * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(STALL_S * 1000),
        ]
        cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)
        self._capture = cap
        if not cap.isOpened():
            raise SourceError(f"cannot open the stream at {describe_url(self.url)}")
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                return
            yield image

    def close(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            try:
                response.close()
            except OSError:
                pass
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()


class _LatestFrame:
    """The newest picture only: a live coach wants now, not a backlog (like a camera that drops late frames)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._image: np.ndarray | None = None
        self._stamp_ms = 0.0
        self._error: BaseException | None = None
        self._ended = False

    def put(self, image: np.ndarray, stamp_ms: float) -> None:
        with self._cond:
            self._image, self._stamp_ms = image, stamp_ms
            self._cond.notify_all()

    def end(self, error: BaseException | None = None) -> None:
        with self._cond:
            if self._ended:
                return  # the first ending stands (a cancel, then the connection's error on closing)
            self._ended, self._error = True, error
            self._cond.notify_all()

    def take(self) -> tuple[np.ndarray, float] | None:
        """The next picture, waiting for it; None once the stream has ended (raises its error)."""
        with self._cond:
            while self._image is None and not self._ended:
                self._cond.wait(timeout=0.5)
            if self._image is not None and not self._ended:
                image, self._image = self._image, None
                return image, self._stamp_ms
            if self._error is not None:
                raise self._error
            return None


def stream_frames(
    url: str,
    status: StreamStatus | None = None,
    give_up_s: float | None = None,
) -> Iterator[VideoFrame]:
    """Frames from a network camera, stamped with the time since the first frame (monotonic clock).

    The first connection must work (a wrong address is a :class:`SourceError` at once); later drops
    reconnect with a growing pause (0.5 s, then up to 2 s) while ``status`` says so. ``give_up_s``
    ends the frames after that long without a picture (None: keep trying until the generator is closed).
    """
    if not is_stream_url(url):
        raise SourceError(f"{url} is not a camera address (rtsp://, http:// or https://)")
    status = status or StreamStatus()
    status.set(CONNECTING)
    latest = _LatestFrame()
    stop = threading.Event()
    current: list[_Connection] = []
    start = time.monotonic()

    def read() -> None:
        delay = FIRST_RETRY_S
        seen_any = False
        away_since: float | None = None
        previous_ms = -1.0
        while not stop.is_set():
            connection = _Connection(url)
            current[:] = [connection]
            error = "the stream ended"
            try:
                for image in connection.images():
                    if stop.is_set():
                        return
                    # Strictly increasing, as MediaPipe's VIDEO mode requires.
                    previous_ms = max((time.monotonic() - start) * 1000.0, previous_ms + 1.0)
                    latest.put(image, previous_ms)
                    seen_any, away_since, delay = True, None, FIRST_RETRY_S
                    status.set(LIVE)
            except Exception as exc:  # any failure of a connection is a drop (or, before any picture, the error)
                if stop.is_set():
                    return
                if not seen_any:
                    status.set(ENDED, str(exc))
                    latest.end(exc if isinstance(exc, SourceError) else SourceError(str(exc)))
                    return
                error = str(exc)
            finally:
                connection.close()
            if stop.is_set():
                return
            if not seen_any:
                latest.end(SourceError(f"{describe_url(url)} sent no pictures"))
                return
            away_since = away_since or time.monotonic()
            if give_up_s is not None and time.monotonic() - away_since >= give_up_s:
                status.set(ENDED, error)
                latest.end()
                return
            status.set(RECONNECTING, error)
            log.info("network camera dropped (%s); reconnecting in %.1f s", error, delay)
            stop.wait(delay)
            delay = min(delay * 2, LONGEST_RETRY_S)

    def cancel() -> None:
        stop.set()
        latest.end()
        for connection in list(current):
            connection.close()

    thread = threading.Thread(target=read, name="network-camera", daemon=True)
    with status._lock:
        status._cancels.add(cancel)
    thread.start()
    n = 0
    try:
        while True:
            taken = latest.take()
            if taken is None:
                return
            yield VideoFrame(n, taken[1], taken[0])
            n += 1
    finally:
        with status._lock:
            status._cancels.discard(cancel)
        cancel()
        thread.join(timeout=1.0)
