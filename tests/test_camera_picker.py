"""The camera picker, offscreen: the cameras found, a preview, and a phone camera by URL (a local MJPEG server)."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

from PyQt6.QtWidgets import QApplication  # noqa: E402

from app.gui.camera_picker import NETWORK, CameraPicker  # noqa: E402
from tests.test_network_camera import MjpegServer, _still_jpegs  # noqa: E402


def _wait(app: QApplication, condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    return condition()


def test_the_picker_lists_the_cameras_and_a_phone_and_previews_the_phone():
    app = QApplication.instance() or QApplication([])
    with MjpegServer(_still_jpegs(300), fps=30.0, drop_at=None) as server:
        picker = CameraPicker(cameras=["Laptop camera", "USB camera"], url=server.url)
        try:
            names = [picker.list.item(i).text() for i in range(picker.list.count())]
            assert names[0].startswith("Laptop camera") and names[1].startswith("USB camera")
            assert "phone" in names[-1]
            assert picker._chosen_index() == NETWORK and picker.url_row.isVisibleTo(picker)
            assert _wait(app, lambda: picker.preview.frames_offered > 3), picker.status.text()
            chosen = picker.chosen()
            assert chosen is not None and chosen.url == server.url
            assert picker.use_button.isEnabled()
            picker.url_edit.setText("ftp://192.168.1.20/video")
            picker.show_preview()
            assert picker.chosen() is None and not picker.use_button.isEnabled()
            assert "not a camera address" in picker.status.text()
            picker.list.setCurrentRow(1)
            assert picker.chosen().camera == 1 and not picker.url_row.isVisibleTo(picker)
        finally:
            picker.done(0)


def test_the_picker_says_when_the_phone_drops_out_and_closes_at_once():
    app = QApplication.instance() or QApplication([])
    with MjpegServer(_still_jpegs(60), fps=30.0, drop_at=10, comes_back=False) as server:
        picker = CameraPicker(cameras=[], url=server.url)
        try:
            assert picker.list.item(0).text().startswith("The computer's camera")
            assert _wait(app, lambda: "reconnecting" in picker.status.text()), picker.status.text()
        finally:
            started = time.monotonic()
            picker.done(0)
            assert time.monotonic() - started < 2.0  # a phone that is away does not hold the dialog up


def test_source_url_on_the_command_line_starts_the_phone_camera(monkeypatch, qapp):
    from app.gui import main as main_mod
    from app.live.pipeline import LiveSource

    made: dict = {}
    started: list = []

    class FakeWindow:
        def __init__(self, **kwargs):
            made.update(kwargs)
            self.coach = self
            self.exercise_box = self

        def currentData(self):
            return "glute_bridge"

        def request_start(self, source, exercise_id):
            started.append((source, exercise_id))

        def resize(self, *_):
            pass

        def show(self):
            pass

    monkeypatch.setattr("app.gui.window.MainWindow", FakeWindow)
    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    url = "http://192.168.1.20:8080/video"
    assert main_mod.main(["--source", url, "--no-checkin"]) == 0
    assert made["source"] == LiveSource(url=url)
    assert started == [(LiveSource(url=url), "glute_bridge")]


def test_the_live_page_hook_shows_the_phone_dropping_out_and_coming_back(qapp):
    import threading

    from PyQt6.QtWidgets import QWidget

    from app.gui.camera_picker import follow_stream_status
    from app.live.pipeline import LiveSource
    from pose.network_camera import LIVE, RECONNECTING

    shown: list[str] = []

    class Banner(QWidget):
        def show_message(self, text: str) -> None:
            shown.append(text)

    owner, banner = QWidget(), Banner()
    source = LiveSource(url="http://192.168.1.20:8080/video")
    follow_stream_status(source, banner, owner)
    follow_stream_status(source, banner, owner)  # a restart: still one message per change
    for state in (LIVE, RECONNECTING, LIVE):  # from the reader thread, as in a session
        worker = threading.Thread(target=source.status.set, args=(state,))
        worker.start()
        worker.join()
    assert _wait(qapp, lambda: len(shown) >= 3, 5)
    qapp.processEvents()
    assert shown == ["", "The phone camera dropped out, reconnecting…", ""]


def test_file_use_camera_opens_the_picker_and_starts_the_phone(qtbot, tmp_path, monkeypatch):
    from app.gui.camera_picker import CameraPicker
    from app.gui.window import MainWindow
    from app.live.pipeline import LiveSource

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    window = MainWindow(model="lite", enable_speech=False, checkins=False)
    qtbot.addWidget(window)
    phone = LiveSource(url="http://192.168.1.20:8080/video")
    monkeypatch.setattr(CameraPicker, "choose", classmethod(lambda cls, parent=None, url="": phone))
    started: list = []
    monkeypatch.setattr(window.coach, "request_start", lambda source, exercise: started.append((source, exercise)))
    window._choose_camera()
    assert started == [(phone, window.exercise_box.currentData())]
    monkeypatch.setattr(CameraPicker, "choose", classmethod(lambda cls, parent=None, url="": None))
    window._choose_camera()  # cancelled: nothing starts
    assert len(started) == 1
    window.coach.close()
