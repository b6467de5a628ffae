"""The rest page between two exercises of a routine: a big countdown and what comes next."""

from __future__ import annotations

import math
import time

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.gui.widgets import big_font

BUTTON_STYLE = "QPushButton { color: #111; background: #e8e8e8; padding: 6px 18px; border-radius: 6px; }"


class RestPage(QWidget):
    """Counts down ``rest_s`` seconds (wall clock), then emits ``finished``; the person may go on early."""

    finished = pyqtSignal()
    end_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("RestPage { background: #1c1e22; } QLabel { color: #eee; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.addStretch(1)
        self.title = QLabel("Rest")
        self.title.setFont(big_font(34))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = QLabel("0")
        self.countdown.setFont(big_font(150))
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setStyleSheet("color: #5aa0ff;")
        self.next_text = QLabel()
        self.next_text.setFont(big_font(24, bold=False))
        self.next_text.setWordWrap(True)
        self.next_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QLabel()
        self.progress.setFont(big_font(16, bold=False))
        self.progress.setStyleSheet("color: #aaa;")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.go_button = QPushButton("Start now")
        self.end_button = QPushButton("End the routine")
        for button in (self.go_button, self.end_button):
            button.setFont(big_font(18))
            button.setMinimumHeight(60)
            button.setStyleSheet(BUTTON_STYLE)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.go_button.clicked.connect(self.finish_now)
        self.end_button.clicked.connect(self._end)
        layout.addWidget(self.title)
        layout.addWidget(self.countdown)
        layout.addWidget(self.next_text)
        layout.addSpacing(10)
        layout.addWidget(self.progress)
        layout.addSpacing(24)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self._until = 0.0
        self._running = False
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)

    def start(self, rest_s: float, next_text: str, progress: str = "") -> None:
        """Show the page and count down from ``rest_s``."""
        self.next_text.setText(next_text)
        self.progress.setText(progress)
        self._until = time.monotonic() + max(0.0, rest_s)
        self._running = True
        self._tick()
        self._timer.start()

    @property
    def remaining_s(self) -> float:
        return max(0.0, self._until - time.monotonic()) if self._running else 0.0

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def finish_now(self) -> None:
        if self._running:
            self.stop()
            self.finished.emit()

    def _end(self) -> None:
        self.stop()
        self.end_requested.emit()

    def _tick(self) -> None:
        if not self._running:
            return
        remaining = self.remaining_s
        self.countdown.setText(str(math.ceil(remaining)))
        if remaining <= 0:
            self.finish_now()
