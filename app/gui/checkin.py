"""The safety dialogs: the weekly screening questions, the 0-10 pain check-in and plain advice.

Everything is big (read from 3 m, pressed from the floor with a remote or a long reach) and
non-blocking: each dialog is opened with ``open()`` and reports through a signal, so the live
page keeps painting and tests can answer it like a person would.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets import big_font

DIALOG_STYLE = """
QDialog { background: #1c1e22; }
QLabel { color: #eee; }
QPushButton { color: #111; background: #e8e8e8; border-radius: 8px; padding: 6px 16px; }
QPushButton:disabled { color: #777; background: #444; }
QPushButton:focus { border: 3px solid #ffd54f; }
"""

# Green to red for 0..10, so the scale reads without the numbers.
PAIN_COLOURS = (
    "#3cc86e",
    "#5cc862",
    "#7cc856",
    "#9cc84a",
    "#bcc03e",
    "#d8b432",
    "#e89a30",
    "#ec802e",
    "#ec662c",
    "#e84c2a",
    "#e03228",
)
TEN_WAIT_MS = 700  # after "1", how long to wait for a "0" that makes it 10


class PainCheckIn(QDialog):
    """How much does it hurt, 0-10: eleven big buttons, or the keys 0-9 (1 then 0 for 10).

    ``answered`` carries the score, or None when the person skips the question.
    """

    answered = pyqtSignal(object)

    def __init__(self, moment: str, parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.moment = moment
        self.score: int | None = None
        self._done = False
        self.setWindowTitle("Pain check-in")
        self.setModal(True)
        self.setStyleSheet(DIALOG_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 28)
        layout.setSpacing(14)
        when = "before you start" if moment == "before" else "now that you have finished"
        self.title = QLabel(f"How much does your hip hurt {when}?")
        self.title.setFont(big_font(28))
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        if note:
            self.note = QLabel(note)
            self.note.setFont(big_font(20, bold=False))
            self.note.setWordWrap(True)
            layout.addWidget(self.note)
        hint = QLabel("0 = no pain at all      10 = the worst pain you can imagine")
        hint.setFont(big_font(18, bold=False))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.buttons: list[QPushButton] = []
        for score in range(11):
            button = QPushButton(str(score))
            button.setFont(big_font(30))
            button.setMinimumSize(76, 96)
            button.setStyleSheet(
                f"QPushButton {{ background: {PAIN_COLOURS[score]}; color: #111; }}"
                "QPushButton:focus { border: 4px solid #fff; }"
            )
            button.clicked.connect(lambda _=False, s=score: self.choose(s))
            button.setAutoDefault(False)  # Enter or Space must not answer "0" by accident:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard's way is the digit keys
            row.addWidget(button)
            self.buttons.append(button)
        layout.addLayout(row)
        keys = QLabel("Or press a number key (1 then 0 for 10).")
        keys.setFont(big_font(15, bold=False))
        keys.setStyleSheet("color: #aaa;")
        layout.addWidget(keys)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.skip_button = QPushButton("Skip this question")
        self.skip_button.setFont(big_font(16))
        self.skip_button.setMinimumHeight(52)
        self.skip_button.clicked.connect(lambda: self._answer(None))
        self.skip_button.setAutoDefault(False)
        bottom.addWidget(self.skip_button)
        layout.addLayout(bottom)
        self._one_pending = False
        self._one_timer = QTimer(self)
        self._one_timer.setSingleShot(True)
        self._one_timer.setInterval(TEN_WAIT_MS)
        self._one_timer.timeout.connect(lambda: self.choose(1))

    def choose(self, score: int) -> None:
        """Answer with ``score`` (0-10)."""
        if not 0 <= score <= 10:
            raise ValueError(f"a pain score is 0-10, got {score}")
        self._one_timer.stop()
        self._one_pending = False
        self._answer(score)

    def _answer(self, score: int | None) -> None:
        if self._done:
            return
        self._done = True
        self.score = score
        self.answered.emit(score)
        self.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        text = event.text()
        if text.isdigit() and len(text) == 1:
            digit = int(text)
            if self._one_pending:
                self.choose(10 if digit == 0 else digit)  # "1" then "0" is 10; "1" then "3" means 3
            elif digit == 1:
                self._one_pending = True  # wait a moment: it may be the start of 10
                self._one_timer.start()
            else:
                self.choose(digit)
            return
        if event.key() == Qt.Key.Key_Escape:
            self._answer(None)
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        # Closing the dialog is the same as skipping the question.
        if not self._done:
            self._done = True
            self.answered.emit(None)
        super().reject()


class ScreeningDialog(QDialog):
    """The warning signs, each with a big Yes and No; Continue once all are answered.

    ``answered`` carries ``{question id: bool}``; closing the dialog emits nothing (no session).
    """

    answered = pyqtSignal(dict)

    def __init__(self, questions: tuple[tuple[str, str], ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Before you exercise: safety questions")
        self.setModal(True)
        self.setStyleSheet(
            DIALOG_STYLE
            + """
            QPushButton:checked { background: #5aa0ff; color: #fff; }
        """
        )
        self.questions = questions
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 24, 36, 24)
        layout.setSpacing(10)
        title = QLabel("Before you exercise, please answer honestly:")
        title.setFont(big_font(26))
        title.setWordWrap(True)
        layout.addWidget(title)
        why = QLabel("These are warning signs. If any is true for you, see a doctor before you exercise.")
        why.setFont(big_font(17, bold=False))
        why.setWordWrap(True)
        why.setStyleSheet("color: #ccc;")
        layout.addWidget(why)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.groups: dict[str, QButtonGroup] = {}
        self.yes_buttons: dict[str, QPushButton] = {}
        self.no_buttons: dict[str, QPushButton] = {}
        for row, (qid, text) in enumerate(questions):
            label = QLabel(text)
            label.setFont(big_font(19, bold=False))
            label.setWordWrap(True)
            label.setMinimumWidth(560)
            group = QButtonGroup(self)
            group.setExclusive(True)
            for col, (word, store) in enumerate((("Yes", self.yes_buttons), ("No", self.no_buttons))):
                button = QPushButton(word)
                button.setCheckable(True)
                button.setFont(big_font(20))
                button.setMinimumSize(110, 58)
                group.addButton(button)
                store[qid] = button
                grid.addWidget(button, row, 1 + col)
            group.buttonToggled.connect(self._update)
            self.groups[qid] = group
            grid.addWidget(label, row, 0)
        grid.setColumnStretch(0, 1)
        layout.addLayout(grid)
        bottom = QHBoxLayout()
        self.hint = QLabel("Answer every question to go on.")
        self.hint.setFont(big_font(15, bold=False))
        self.hint.setStyleSheet("color: #aaa;")
        bottom.addWidget(self.hint, 1)
        self.continue_button = QPushButton("Continue")
        self.continue_button.setFont(big_font(20))
        self.continue_button.setMinimumSize(180, 60)
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self._finish)
        bottom.addWidget(self.continue_button)
        layout.addLayout(bottom)

    def answer(self, qid: str, yes: bool) -> None:
        """Tick Yes or No for one question (what a click does)."""
        (self.yes_buttons if yes else self.no_buttons)[qid].setChecked(True)

    def answers(self) -> dict[str, bool] | None:
        """``{id: yes}`` once every question is answered, else None."""
        out: dict[str, bool] = {}
        for qid, _ in self.questions:
            if self.yes_buttons[qid].isChecked():
                out[qid] = True
            elif self.no_buttons[qid].isChecked():
                out[qid] = False
            else:
                return None
        return out

    def _update(self, *_: object) -> None:
        done = self.answers() is not None
        self.continue_button.setEnabled(done)
        self.hint.setText("" if done else "Answer every question to go on.")

    def _finish(self) -> None:
        answers = self.answers()
        if answers is None:
            return
        self.answered.emit(answers)
        self.accept()


class AdviceDialog(QDialog):
    """A plain message in big type with one or two buttons; ``chosen`` says which (True = go on)."""

    chosen = pyqtSignal(bool)

    def __init__(
        self,
        title: str,
        text: str,
        go_on: str = "OK",
        stop: str | None = None,
        parent: QWidget | None = None,
        urgent: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setStyleSheet(DIALOG_STYLE)
        self._done = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 28)
        layout.setSpacing(18)
        self.title = QLabel(title)
        self.title.setFont(big_font(28))
        self.title.setWordWrap(True)
        if urgent:
            self.title.setStyleSheet("color: #ff8a80;")
        self.body = QLabel(text)
        self.body.setFont(big_font(20, bold=False))
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setMinimumWidth(640)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        row = QHBoxLayout()
        row.addStretch(1)
        self.stop_button: QPushButton | None = None
        if stop:
            self.stop_button = QPushButton(stop)
            self.stop_button.setFont(big_font(18))
            self.stop_button.setMinimumHeight(58)
            self.stop_button.clicked.connect(lambda: self._choose(False))
            row.addWidget(self.stop_button)
        self.go_button = QPushButton(go_on)
        self.go_button.setFont(big_font(18))
        self.go_button.setMinimumHeight(58)
        self.go_button.clicked.connect(lambda: self._choose(True))
        row.addWidget(self.go_button)
        layout.addLayout(row)
        (self.stop_button or self.go_button).setDefault(True)  # the safe choice is the default

    def _choose(self, go_on: bool) -> None:
        if not self._done:
            self._done = True
            self.chosen.emit(go_on)
        self.accept()

    def reject(self) -> None:
        if not self._done:
            self._done = True
            self.chosen.emit(self.stop_button is None)  # closing = the safe choice
        super().reject()


class SafetyHoldDialog(QDialog):
    """ "Before you exercise": a "yes" in the screening stops exercise until a doctor has seen the
    person or the sign has gone. ``chosen`` carries the confirmation's reason (a key of
    ``choices``: 'doctor', 'gone'), or "" for "Not today" (also closing the dialog). Without
    ``choices`` (the same day as the "yes") the only button is OK: no exercise.
    """

    chosen = pyqtSignal(str)

    def __init__(self, message: str, choices: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Before you exercise")
        self.setModal(True)
        self.setStyleSheet(DIALOG_STYLE)
        self._done = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 28)
        layout.setSpacing(18)
        self.title = QLabel("Before you exercise: please see a doctor")
        self.title.setFont(big_font(28))
        self.title.setWordWrap(True)
        self.title.setStyleSheet("color: #ff8a80;")
        self.body = QLabel(message)
        self.body.setFont(big_font(20, bold=False))
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setMinimumWidth(760)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self.confirm_buttons: dict[str, QPushButton] = {}
        for reason, text in choices.items():  # one per line: long, plain sentences, pressed on purpose
            button = QPushButton(text)
            button.setFont(big_font(18))
            button.setMinimumHeight(58)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, r=reason: self._choose(r))
            layout.addWidget(button)
            self.confirm_buttons[reason] = button
        row = QHBoxLayout()
        row.addStretch(1)
        self.stop_button = QPushButton("Not today" if choices else "OK")
        self.stop_button.setFont(big_font(20))
        self.stop_button.setMinimumSize(180, 62)
        self.stop_button.clicked.connect(lambda: self._choose(""))
        row.addWidget(self.stop_button)
        layout.addLayout(row)
        self.stop_button.setDefault(True)  # Enter is the safe choice
        self.stop_button.setFocus()
        # A wrapped label's height is not known to the dialog's first layout pass: give it all its lines.
        for label in (self.title, self.body):
            label.setMinimumHeight(label.heightForWidth(self.body.minimumWidth()))

    def _choose(self, reason: str) -> None:
        if not self._done:
            self._done = True
            self.chosen.emit(reason)
        self.accept()

    def reject(self) -> None:
        if not self._done:
            self._done = True
            self.chosen.emit("")  # closing = no exercise
        super().reject()
