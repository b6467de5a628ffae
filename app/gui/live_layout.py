"""The live page's furniture: the widgets it is built from and where they sit.

:class:`LiveLayout` builds them on the page (:class:`app.gui.live.LivePage` mixes it in); the
full-page message and the page stack are small widgets of their own.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QColor, QKeySequence
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.style import LEFT, MUTED, RIGHT, WARN, big_font
from app.gui.widgets import AngleBand, Banner, BigBoard, HoldRing, VideoView

SHARP_STYLE = (
    "QPushButton { color: #fff; background: #c62828; border-radius: 10px; padding: 8px; }"
    "QPushButton:disabled { color: #999; background: #4a3030; }"
)
NEXT_STYLE = "QPushButton { color: #111; background: #e8e8e8; border-radius: 8px; padding: 6px; }"
VIEW_STYLE = "QPushButton { color: #eee; background: #33363c; border-radius: 8px; padding: 4px; }"
SIDE_WIDTH_PX = 400  # the detailed view's side panel


class PageStack(QStackedWidget):
    """A stack whose minimum size is its current page's: a hidden page (the rest countdown in
    150 pt) must not make the camera page taller than a laptop screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self):  # noqa: N802 (Qt API)
        page = self.currentWidget()
        if page is None:
            return super().minimumSizeHint()
        return page.minimumSizeHint().expandedTo(page.minimumSize())


class MessagePanel(QWidget):
    """A full-page message (no camera, session summary) with action buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        layout.addStretch(1)
        self.title = QLabel()
        self.title.setFont(big_font(34))
        self.title.setWordWrap(True)
        self.lead = QLabel()  # the summary's first word: pain before/after and what it means
        self.lead.setFont(big_font(24))
        self.lead.setWordWrap(True)
        self.lead.setTextFormat(Qt.TextFormat.PlainText)
        self.lead.hide()
        self.body = QLabel()
        self.body.setFont(big_font(22, bold=False))
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QGridLayout()  # two a row: the page sits beside the 400 px side panel
        self.buttons.setHorizontalSpacing(10)
        self.buttons.setVerticalSpacing(10)
        layout.addWidget(self.title)
        layout.addSpacing(16)
        layout.addWidget(self.lead)
        layout.addSpacing(12)
        layout.addWidget(self.body)
        layout.addSpacing(24)
        layout.addLayout(self.buttons)
        layout.addStretch(2)

    def show_message(
        self,
        title: str,
        lines: list[str],
        actions: list[tuple[str, object]],
        lead: str = "",
        lead_colour: QColor | None = None,
    ) -> None:
        self.title.setText(title)
        self.lead.setText(lead)
        self.lead.setStyleSheet(f"color: {(lead_colour or QColor(230, 230, 230)).name()};")
        self.lead.setVisible(bool(lead))
        self.body.setText("\n".join(lines))
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # at once: deleteLater waits for the event loop
                item.widget().deleteLater()
        for k, (label, callback) in enumerate(actions):
            button = QPushButton(label)
            button.setFont(big_font(18))
            button.setMinimumHeight(56)
            button.setStyleSheet(
                "QPushButton { color: #111; background: #e8e8e8; padding: 6px 18px; border-radius: 6px; }"
            )
            button.clicked.connect(callback)
            self.buttons.addWidget(button, k // 2, k % 2)
        self.buttons.setColumnStretch(2, 1)

    def button_texts(self) -> list[str]:
        """The action buttons' labels, in order (tests, and what a screen reader would list)."""
        return [
            self.buttons.itemAt(k).widget().text()
            for k in range(self.buttons.count())
            if self.buttons.itemAt(k).widget() is not None
        ]


class LiveLayout:
    """Builds the live page's widgets (mixed into LivePage, a QWidget, which supplies the slots named here)."""

    def _build(self) -> None:
        self.setStyleSheet("QWidget { color: #eee; } LivePage, QFrame#side { background: #1c1e22; }")
        self.video = VideoView()
        self.message = MessagePanel()
        self.stack = PageStack()
        self.stack.addWidget(self.video)
        self.stack.addWidget(self.message)
        self.stack.currentChanged.connect(self._page_changed)

        side = QFrame()
        side.setObjectName("side")
        self.side = side
        col = QVBoxLayout(side)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(4)
        self.title = QLabel()
        self.title.setFont(big_font(18))
        self.title.setWordWrap(True)
        self.counter = QLabel("0")
        self.counter.setFont(big_font(44))
        self.counter.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counter_caption = QLabel("reps")
        self.counter_caption.setFont(big_font(14, bold=False))
        self.counter_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sides = QHBoxLayout()
        self.left_count = QLabel()
        self.right_count = QLabel()
        for label, colour in ((self.left_count, LEFT), (self.right_count, RIGHT)):
            label.setFont(big_font(24))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet(f"color: {colour.name()};")
            sides.addWidget(label)
        self.ring = HoldRing()
        self.ring.setMinimumSize(80, 80)
        self.angle = AngleBand()
        self.checks = QLabel()
        self.checks.setFont(big_font(13, bold=False))
        self.checks.setTextFormat(Qt.TextFormat.RichText)
        self.elapsed = QLabel()
        self.elapsed.setFont(big_font(14, bold=False))
        self.elapsed.setStyleSheet(f"color: {MUTED.name()};")
        self.voice_label = QLabel()  # the voice's state in plain words (also on the large-type board)
        self.voice_label.setFont(big_font(13))
        self.voice_label.setWordWrap(True)
        self.voice_label.setStyleSheet(f"color: {WARN.name()};")
        col.addWidget(self.title)
        col.addWidget(self.counter)
        col.addWidget(self.counter_caption)
        col.addLayout(sides)
        col.addWidget(self.ring, 1)
        col.addWidget(self.angle)
        col.addWidget(self.checks)
        col.addStretch(0)
        col.addWidget(self.elapsed)
        col.addWidget(self.voice_label)
        self.board = BigBoard()
        right = QFrame()
        right.setObjectName("side")
        self.right = right
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(6, 6, 6, 6)
        rcol.setSpacing(8)
        # One of the two shows (a hidden widget takes no room, so each view fits on its own).
        rcol.addWidget(side, 1)
        rcol.addWidget(self.board, 1)
        self.view_button = QPushButton()
        self.view_button.setFont(big_font(13))
        self.view_button.setMinimumHeight(32)
        self.view_button.setStyleSheet(VIEW_STYLE)
        self.view_button.clicked.connect(self.toggle_large_type)
        rcol.addWidget(self.view_button)
        self.next_button = QPushButton("Next exercise  ›  (N)")
        self.next_button.setFont(big_font(16))
        self.next_button.setMinimumHeight(48)
        self.next_button.setStyleSheet(NEXT_STYLE)
        self.next_button.clicked.connect(self.next_requested)
        self.next_button.hide()  # only in a routine
        rcol.addWidget(self.next_button)
        self.sharp_button = QPushButton("Sharp pain – stop  (P)")
        self.sharp_button.setFont(big_font(20))
        self.sharp_button.setMinimumHeight(56)
        self.sharp_button.setStyleSheet(SHARP_STYLE)
        self.sharp_button.clicked.connect(self._sharp_pressed)
        self._show_sharp(False)  # there (and enabled) while a set runs
        rcol.addWidget(self.sharp_button)
        self.sharp_action = QAction("Sharp pain – stop", self)
        self.sharp_action.setShortcut(QKeySequence("P"))
        self.sharp_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.sharp_action.triggered.connect(self._sharp_pressed)
        self.addAction(self.sharp_action)
        self.next_action = QAction("Next exercise", self)
        self.next_action.setShortcut(QKeySequence("N"))
        self.next_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.next_action.triggered.connect(lambda: self.next_button.isVisible() and self.next_requested.emit())
        self.addAction(self.next_action)
        self.view_action = QAction("Large type / detailed view", self)
        self.view_action.setShortcut(QKeySequence("D"))
        self.view_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.view_action.triggered.connect(self.toggle_large_type)
        self.addAction(self.view_action)

        self.cue_banner = Banner(26)
        self.status_banner = Banner(24)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.addWidget(self.stack, 0, 0)
        grid.addWidget(right, 0, 1, 3, 1)
        self.grid = grid
        grid.addWidget(self.status_banner, 1, 0)
        grid.addWidget(self.cue_banner, 2, 0)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(0, 1)
        self._show_exercise()
        self._apply_view()
