"""A phone as the camera: a generated clip streamed over HTTP MJPEG from 127.0.0.1, dropped once mid-clip.

The server is started here (http.server on a thread); nothing leaves this machine. Expected counts come
from the clip's truth file (how it was rendered), not from the program.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import pytest

import app.live.pipeline as live_pipeline
from app.cli_parser import parse
from app.live.pipeline import LiveSource, live_items
from exercises.checker import ExerciseChecker
from exercises.registry import get_exercise
from pose.network_camera import RECONNECTING, StreamStatus, _jpegs, is_stream_url, stream_frames
from pose.sources import SourceError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("HIPCOACH_SAMPLES", ROOT / "sample_videos"))
CLIP = "glute_bridge_continuous"


class MjpegServer:
    """Serves ``jpegs`` as multipart/x-mixed-replace at ``fps``; cuts the first connection at ``drop_at``.

    Frames are not lost across the drop (the next connection goes on from the frame it stopped at),
    so the session must end with the clip's true count. After the last frame new connections get 503.
    """

    def __init__(self, jpegs: list[bytes], fps: float, drop_at: int | None, comes_back: bool = True) -> None:
        self.jpegs, self.fps, self.drop_at, self.comes_back = jpegs, fps, drop_at, comes_back
        self.next_index = 0
        self.connections = 0
        self.dropped = False
        self.done = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.connections += 1
                if server.done.is_set() or (server.dropped and not server.comes_back):
                    self.send_error(503, "the phone stopped filming")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=hipcoachframe")
                self.end_headers()
                started, first = time.monotonic(), server.next_index
                while server.next_index < len(server.jpegs):
                    i = server.next_index
                    if i == server.drop_at and not server.dropped:
                        server.dropped = True
                        self.connection.shutdown(socket.SHUT_RDWR)  # the phone's Wi-Fi goes away
                        return
                    due = started + (i - first) / server.fps
                    if due > time.monotonic():
                        time.sleep(due - time.monotonic())
                    jpeg = server.jpegs[i]
                    head = f"--hipcoachframe\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                    try:
                        self.wfile.write(head.encode() + jpeg + b"\r\n")
                        self.wfile.flush()
                    except OSError:
                        return
                    server.next_index = i + 1
                server.done.set()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/video"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> MjpegServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_WATCHING: list[list] = []


def _audit(event: str, args: tuple) -> None:
    if _WATCHING and event in ("socket.connect", "socket.getaddrinfo"):
        address = args[1] if event == "socket.connect" else (args[0], args[1])
        if isinstance(address, tuple) and len(address) >= 2:
            _WATCHING[-1].append((event, (str(address[0]), int(address[1]))))


sys.addaudithook(_audit)  # cannot be removed; it records only while a test watches


@contextlib.contextmanager
def _network_use():
    """Every name lookup and connection made in this process meanwhile, as (event, (host, port))."""
    used: list = []
    _WATCHING.append(used)
    try:
        yield used
    finally:
        _WATCHING.remove(used)


def _clip_jpegs(video: Path) -> tuple[list[bytes], float]:
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    jpegs = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        jpegs.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    cap.release()
    return jpegs, fps


def _still_jpegs(n: int) -> list[bytes]:
    """Small pictures whose brightness says their index (to check order and completeness)."""
    return [cv2.imencode(".jpg", np.full((48, 64, 3), 8 * i % 256, np.uint8))[1].tobytes() for i in range(n)]


def test_the_mjpeg_parser_cuts_whole_jpegs_whatever_the_chunking():
    jpegs = _still_jpegs(4)
    stream = b"".join(b"--b\r\nContent-Type: image/jpeg\r\n\r\n" + j + b"\r\n" for j in jpegs)
    for size in (1, 7, 1000, len(stream)):
        chunks = iter([stream[i : i + size] for i in range(0, len(stream), size)])
        assert list(_jpegs(lambda _n, c=chunks: next(c, b""))) == jpegs


def test_camera_urls_are_told_from_files():
    assert is_stream_url("rtsp://192.168.1.20:8554/live")
    assert is_stream_url("http://192.168.1.20:8080/video")
    assert is_stream_url("https://phone.local/mjpeg")
    assert not is_stream_url("clip.mp4")
    assert not is_stream_url("ftp://host/clip.mp4")
    assert LiveSource.from_argument("http://10.0.0.2:4747/video").url == "http://10.0.0.2:4747/video"
    assert LiveSource.from_argument("clip.mp4").path == Path("clip.mp4")
    assert LiveSource(url="rtsp://10.0.0.2/cam").is_camera
    assert parse(["--source", "rtsp://10.0.0.2/cam"]).source == "rtsp://10.0.0.2/cam"
    with pytest.raises(SystemExit):
        parse(["--source", "ftp://10.0.0.2/cam"])


def test_a_wrong_address_is_said_at_once():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="cannot reach"):
        next(stream_frames(f"http://127.0.0.1:{port}/video"))
    with pytest.raises(SourceError, match="cannot open the stream"):
        next(stream_frames(f"rtsp://127.0.0.1:{port}/live"))


def test_a_dropped_stream_reconnects_and_loses_no_frame_it_was_sent(monkeypatch):
    # Even with a proxy in the environment (as the offline proxy of the estimator sets), the
    # camera's own address is asked directly.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "socks5h://localhost/dev/null/none")
    jpegs = _still_jpegs(30)
    status = StreamStatus()
    changes: list[str] = []
    status.listeners.append(lambda s: changes.append(s.state))
    with MjpegServer(jpegs, fps=30.0, drop_at=12) as server:
        with _network_use() as used:
            frames = list(stream_frames(server.url, status, give_up_s=1.0))
    port = server.httpd.server_address[1]
    # Only the address given was asked for and connected to: no proxy, no other host.
    assert used and {address for _event, address in used} == {("127.0.0.1", port)}, used
    # Two drops: the one mid-clip, then the end of the clip (a phone that stops filming), given up on.
    assert server.connections >= 3 and status.reconnects == 2
    assert RECONNECTING in changes and changes[-1] == "ended"
    stamps = [f.timestamp_ms for f in frames]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert [f.index for f in frames] == list(range(len(frames)))
    # The newest picture is kept when the consumer is slow; here it keeps up, so the last is there.
    assert round(float(frames[-1].image_bgr.mean()) / 8) == 29


def test_a_stop_does_not_wait_for_a_phone_that_is_away():
    status = StreamStatus()
    got: list[int] = []
    with MjpegServer(_still_jpegs(30), fps=30.0, drop_at=5, comes_back=False) as server:
        source = LiveSource(url=server.url, status=status)
        consumer = threading.Thread(target=lambda: got.extend(f.index for f in source.frames()))
        consumer.start()
        deadline = time.monotonic() + 10
        while not status.away and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status.away and "reconnecting" in status.message
        time.sleep(0.3)
        asked = time.monotonic()
        source.interrupt()  # what the window's Stop does
        consumer.join(timeout=5)
    assert not consumer.is_alive() and time.monotonic() - asked < 1.5
    assert 1 <= len(got) <= 5


def test_the_live_session_keeps_its_reps_across_a_phone_camera_drop(monkeypatch):
    truth_path = SAMPLES / f"{CLIP}.json"
    if not truth_path.exists():
        pytest.skip(f"no {CLIP} sample clip")
    truth = json.loads(truth_path.read_text())
    jpegs, fps = _clip_jpegs(truth_path.parent / truth["video"])
    # The source gives up 2 s after the server has no more pictures, which ends the session here.
    monkeypatch.setattr(live_pipeline, "stream_frames", functools.partial(stream_frames, give_up_s=2.0))
    checker = ExerciseChecker(get_exercise(truth["exercise"]))
    seen: list[str] = []
    with MjpegServer(jpegs, fps, drop_at=len(jpegs) // 2) as server:
        source = LiveSource(url=server.url)
        source.status.listeners.append(lambda s: seen.append(s.state))
        started = time.monotonic()
        reps_before_drop = None
        items = live_items(source, truth["exercise"], "lite", checker=checker)
        try:
            for _item in items:
                if server.dropped and reps_before_drop is None:
                    reps_before_drop = checker.reps
        finally:
            items.close()
        checker.finish()
    assert server.dropped and source.status.reconnects == 2 and RECONNECTING in seen  # mid-clip, and at its end
    assert reps_before_drop is not None and reps_before_drop >= 1
    assert checker.reps >= reps_before_drop  # nothing lost in the drop
    assert checker.reps == truth["reps"], (checker.reps, truth["reps"])
    assert time.monotonic() - started < 60


def test_a_snapshot_address_is_asked_again_for_each_picture():
    """Some phone apps serve one JPEG per request (e.g. /shot.jpg): the source keeps asking."""
    jpegs = _still_jpegs(5)
    asked: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            body = jpegs[min(len(asked), len(jpegs) - 1)]
            asked.append(1)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        frames = stream_frames(f"http://127.0.0.1:{httpd.server_address[1]}/shot.jpg")
        got = [round(float(next(frames).image_bgr.mean()) / 8) for _ in range(3)]
        frames.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(asked) >= 3 and got == sorted(got) and got[0] == 0
