"""The camera picker: the cameras found, a preview of the one chosen, and a phone or network camera by URL.

A person lying on a mat three metres away is seen better by the phone in their pocket than by a laptop
on a table; phone webcam apps serve an RTSP or HTTP MJPEG address, which is typed here. The preview
runs on a worker thread (opening a camera or reaching a phone takes time), so the dialog never freezes.
"""

from __future__ import annotations

import logging
import time

import cv2
from PyQt6.QtCore import QCoreApplication, QObject, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets import VideoView, big_font
from app.gui.worker import GeneratorWorker
from app.live.pipeline import LiveSource
from pose.network_camera import StreamStatus, is_stream_url
from pose.sources import VideoFrame

log = logging.getLogger(__name__)

NETWORK = -1  # the list item that stands for "a phone or network camera"
URL_HINT = (
    "In the phone's webcam app (IP Webcam, DroidCam, an RTSP camera app), start the server and type the "
    "address it shows, e.g. http://192.168.1.20:8080/video or rtsp://192.168.1.20:8554/live. "
    "Phone and computer must be on the same Wi-Fi. Only this address is contacted."
)


def found_cameras() -> list[str]:
    """The cameras Qt finds, in the order OpenCV numbers them (the index is the camera number)."""
    try:
        from PyQt6.QtMultimedia import QMediaDevices
    except ImportError:  # no QtMultimedia: camera 0 is all we can offer
        return []
    return [device.description() for device in QMediaDevices.videoInputs()]


class StatusRelay(QObject):
    """Carries a network camera's status from its reader thread to the GUI thread, as a message.

    ``changed`` gets "" when the stream is live, else what to show ("...dropped out, reconnecting").
    """

    changed = pyqtSignal(str)

    def watch(self, source: LiveSource) -> None:
        if source.url is not None:
            source.status.listeners.append(self._relay)

    def forget(self, source: LiveSource) -> None:
        if self._relay in source.status.listeners:
            source.status.listeners.remove(self._relay)

    def _relay(self, status: StreamStatus) -> None:
        self.changed.emit(status.message)  # a queued signal: safe from the reader thread


def follow_stream_status(source: LiveSource, banner: QWidget, owner: QObject) -> None:
    """Show ``source``'s network status on ``banner`` (its ``show_message``) while it runs.

    The live session's hook (one line in its start): "The phone camera dropped out, reconnecting..."
    while the phone is away, cleared when the pictures come back. Calling it again for the next
    start replaces the previous one, so a restarted source does not show its status twice.
    """
    old: tuple[StatusRelay, LiveSource] | None = getattr(owner, "_stream_status_relay", None)
    if old is not None:
        old[0].forget(old[1])
    relay = StatusRelay(owner)
    relay.changed.connect(lambda message: banner.show_message(message))  # type: ignore[attr-defined]
    relay.watch(source)
    owner._stream_status_relay = (relay, source)  # type: ignore[attr-defined]


class CameraPicker(QDialog):
    """Choose the camera; ``chosen()`` is the LiveSource to start (None until one is chosen)."""

    def __init__(self, parent: QWidget | None = None, cameras: list[str] | None = None, url: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Camera")
        self.resize(820, 480)
        self._worker: GeneratorWorker | None = None
        self._retired: list[GeneratorWorker] = []
        self._preview_source: LiveSource | None = None
        self.relay = StatusRelay(self)
        self.relay.changed.connect(self._show_status)

        self.list = QListWidget()
        self.list.setFont(big_font(12, bold=False))
        for index, name in enumerate(found_cameras() if cameras is None else cameras):
            item = QListWidgetItem(f"{name}  (camera {index})")
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.list.addItem(item)
        if self.list.count() == 0:
            item = QListWidgetItem("The computer's camera (camera 0)")
            item.setData(Qt.ItemDataRole.UserRole, 0)
            self.list.addItem(item)
        self.list.setMinimumWidth(self.list.sizeHintForColumn(0) + 24)  # every name whole
        phone = QListWidgetItem("A phone or network camera…")
        phone.setData(Qt.ItemDataRole.UserRole, NETWORK)
        self.list.addItem(phone)

        self.url_edit = QLineEdit(url)
        self.url_edit.setPlaceholderText("http://192.168.1.20:8080/video  or  rtsp://…")
        self.connect_button = QPushButton("Connect")
        hint = QLabel(URL_HINT)
        hint.setWordWrap(True)
        self.url_row = QWidget()
        url_layout = QVBoxLayout(self.url_row)
        url_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.connect_button)
        url_layout.addLayout(row)
        url_layout.addWidget(hint)

        self.preview = VideoView()
        self.preview.setMinimumSize(400, 300)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        use_button = self.buttons.addButton("Use this camera", QDialogButtonBox.ButtonRole.AcceptRole)
        assert use_button is not None
        self.use_button = use_button

        left = QVBoxLayout()
        left.addWidget(QLabel("Cameras found"))
        left.addWidget(self.list, 1)
        left.addWidget(self.url_row)
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        right.addWidget(self.status)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.buttons)

        self.list.currentRowChanged.connect(self._selected)
        self.connect_button.clicked.connect(self.show_preview)
        self.url_edit.returnPressed.connect(self.show_preview)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.setCurrentRow(self.list.count() - 1 if url else 0)

    # ------------------------------------------------------------------ the choice
    def _chosen_index(self) -> int:
        item = self.list.currentItem()
        return NETWORK if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def chosen(self) -> LiveSource | None:
        """The source picked (a camera number, or the phone's URL when it is a camera address)."""
        index = self._chosen_index()
        if index != NETWORK:
            return LiveSource(camera=index)
        url = self.url_edit.text().strip()
        return LiveSource(url=url) if is_stream_url(url) else None

    def _selected(self, _row: int) -> None:
        network = self._chosen_index() == NETWORK
        self.url_row.setVisible(network)
        if network and not self.url_edit.text().strip():
            self._stop_preview()
            self.preview.clear("Type the phone's address, then Connect")
            self._update_use()
            return
        self.show_preview()

    def _update_use(self) -> None:
        self.use_button.setEnabled(self.chosen() is not None)

    # ------------------------------------------------------------------ the preview
    def show_preview(self) -> None:
        """Show the chosen camera's picture (on a worker thread; the status says what happens)."""
        self._stop_preview()
        self._update_use()
        source = self.chosen()
        if source is None:
            self._show_status("That is not a camera address: it starts with http://, https:// or rtsp://")
            return
        self._preview_source = source
        self.relay.watch(source)
        self.preview.clear(f"Connecting to {source.describe()} …")
        self._show_status("")
        worker = GeneratorWorker(source.frames)
        worker.yielded.connect(self._frame)
        worker.errored.connect(self._failed)
        self._worker = worker
        worker.start()

    def _frame(self, frame: VideoFrame) -> None:
        if self._worker is None:
            return  # a late frame from a preview already stopped
        image = frame.image_bgr
        if self._preview_source is not None and self._preview_source.is_camera:
            image = cv2.flip(image, 1)  # as the live view shows it
        self.preview.show_frame(image)

    def _failed(self, message: str) -> None:
        self.preview.clear("No picture")
        self._show_status(f"No picture: {message}")

    def _show_status(self, message: str) -> None:
        self.status.setText(message)

    def _stop_preview(self) -> None:
        worker, source = self._worker, self._preview_source
        self._worker = self._preview_source = None
        if source is not None:
            self.relay.forget(source)
            source.interrupt()  # a phone that is away must not hold the dialog up
        if worker is not None:
            worker.stop()
            # Its thread quits through this (GUI) thread's events: keep it until it has.
            self._retired = [w for w in self._retired if not (w.thread and w.thread.isFinished())] + [worker]

    def done(self, result: int) -> None:
        self._stop_preview()
        deadline = time.monotonic() + 3.0
        while any(w.thread and not w.thread.isFinished() for w in self._retired) and time.monotonic() < deadline:
            QCoreApplication.processEvents()  # the camera is free for the live session once they end
            time.sleep(0.01)
        super().done(result)

    @classmethod
    def choose(cls, parent: QWidget | None = None, url: str = "") -> LiveSource | None:
        """Show the picker; the source to start, or None if the person cancelled."""
        dialog = cls(parent, url=url)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen()
