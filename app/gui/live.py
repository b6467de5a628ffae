"""The live coaching page: video with skeleton, counters, hold ring, angle band, cue and status banners.

While a set runs the page shows the large-type view (:class:`~app.gui.widgets.BigBoard`: the count,
each side, the hold countdown and the one current cue, sized from the window) beside a smaller
video; D switches to the detailed view (angle band, setup checklist, time) and back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import Protocol

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
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

from app.gui.voice import PLAIN_NO_VOICE, Voice
from app.gui.widgets import (
    BAD,
    GOOD,
    LEFT,
    MUTED,
    RIGHT,
    WARN,
    AngleBand,
    Banner,
    BigBoard,
    HoldRing,
    VideoView,
    big_font,
)
from app.gui.worker import GeneratorWorker
from app.guidance import camera_placement, demo_clip, status_advice
from app.live.pipeline import LiveItem, LiveSource, live_items
from app.live.session import Ending, SessionLog, ending
from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.events import STATUS_CODES, STATUS_MESSAGES
from exercises.registry import get_exercise

log = logging.getLogger(__name__)

SETUP_CHECKS = (
    ("no_person", "Person in view"),
    ("out_of_frame", "Whole body in the picture"),
    ("joints_hidden", "Hips, knees, ankles visible"),
    ("wrong_view", "Camera view right"),
    ("wrong_position", "Starting position right"),
    ("second_person", "Nobody else in view"),
)
assert {c for c, _ in SETUP_CHECKS} == set(STATUS_CODES)

PARTIAL_HINTS = {
    "too_small": "That one did not count: go a little further",
    "too_short": "That one did not count: a little slower",
    "hold_broken": "That one did not count: hold until the ring is full",
    "interrupted": "That one did not count: I lost sight of you",
    "walking": "That one did not count: stand still in one place",
    "not_back_to_start": "That one did not count: come all the way back to the start",
    "outside_exercise": "That one did not count: get into the starting position first",
}


SIGNAL_CAPTIONS = {
    "hip_angle": "hip angle",
    "foot_lift": "foot lift",
    "leg_elevation": "leg lift",
    "leg_abduction": "leg out to the side",
    "thigh_forward": "thigh forward",
    "thigh_backward": "thigh backward",
    "squat_knee_angle": "knee angle",
}


class LiveHooks(Protocol):
    """What the coaching layer does around a live set (app.gui.coaching.Coach implements it)."""

    def definition_for(self, exercise_id: str) -> ExerciseDef: ...  # personalised for this person
    def set_started(self, definition: ExerciseDef) -> None: ...
    def take(self, events: Sequence[object]) -> None: ...  # every step's checker events
    def observe(self, result: object) -> None: ...  # every step's checker result (calibration)
    def set_ended(self, code: str, session_over: bool) -> None: ...  # 'done', 'stopped', 'pain', ...
    def request_start(self, source: LiveSource, exercise_id: str) -> None: ...  # a start the person asked for


SHARP_STYLE = (
    "QPushButton { color: #fff; background: #c62828; border-radius: 10px; padding: 8px; }"
    "QPushButton:disabled { color: #999; background: #4a3030; }"
)
NEXT_STYLE = "QPushButton { color: #111; background: #e8e8e8; border-radius: 8px; padding: 6px; }"
VIEW_STYLE = "QPushButton { color: #eee; background: #33363c; border-radius: 8px; padding: 4px; }"
SIDE_WIDTH_PX = 400  # the detailed view's side panel
LEAD_COLOURS = {"good": GOOD, "neutral": QColor(230, 230, 230), "warn": WARN, "stop": BAD}


def voice_words(voice: Voice) -> str:
    """What the voice does, in plain words for the screen ('' when it speaks)."""
    if not voice.can_speak:
        return PLAIN_NO_VOICE
    if voice.muted:
        return "Voice is muted: press M to hear the cues."
    return ""


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


class LivePage(QWidget):
    """Runs the live pipeline in a worker and shows each step; the model never waits for the view."""

    session_ended = pyqtSignal(object)  # the SessionLog
    running_changed = pyqtSignal(bool)
    stepped = pyqtSignal(object)  # each LiveItem, after it was handled (tests and measurements)
    target_reached = pyqtSignal()  # once per set, when the target (per side if unilateral) is met
    sharp_pain = pyqtSignal()  # the person pressed "Sharp pain - stop" (or P)
    next_requested = pyqtSignal()  # "Next exercise" in a routine

    def __init__(self, voice: Voice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.voice = voice
        self.worker: GeneratorWorker | None = None
        self.session: SessionLog | None = None
        self.source: LiveSource | None = None
        self.exercise_id = "glute_bridge"
        self.definition: ExerciseDef = get_exercise(self.exercise_id)
        self.hooks: LiveHooks | None = None
        self.checker: ExerciseChecker | None = None
        self._target_said = False
        self.in_routine = False  # shows "Next exercise" while a routine's set runs
        self.model = "full"
        self.state = None
        self._cue_until = 0.0
        self._error: str | None = None
        self.large_type = True  # the large-type view while a set runs (D switches)
        self.ending: Ending | None = None  # the summary on screen, in words
        self._retired: list[GeneratorWorker] = []
        # The source check before a start (check_source): its worker, its error and who waits for it.
        self._checking: GeneratorWorker | None = None
        self._check_error: str | None = None
        self._check_done: Callable[[str | None], None] | None = None
        # What the "no camera" screen offers besides Try again (the window sets them).
        self.pick_camera: Callable[[], None] | None = None
        self.open_recording: Callable[[], None] | None = None
        self._build()
        voice.said.connect(self._show_cue)
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    # ------------------------------------------------------------------ layout
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

    def _definition(self) -> ExerciseDef:
        """The exercise as this person does it (the coaching layer personalises it), else the standard one."""
        return self.hooks.definition_for(self.exercise_id) if self.hooks else get_exercise(self.exercise_id)

    def refresh_exercise(self) -> None:
        """Show the exercise as the profile now has it (targets may have changed); not during a set."""
        if not self.running:
            self.definition = self._definition()
            self._show_exercise()

    def _show_exercise(self) -> None:
        if self.definition.id != self.exercise_id:
            self.definition = self._definition()
        ex = self.definition
        self.title.setText(ex.title)
        unilateral = ex.unilateral
        self.left_count.setVisible(unilateral)
        self.right_count.setVisible(unilateral)
        self.counter_caption.setText("reps, both sides" if unilateral else "reps")
        self.ring.set_hold(0.0, ex.hold_target_s, False)
        self.ring.setVisible(ex.hold_target_s is not None)
        self.angle.reset_scale()
        self.angle.set_values(None, None, None, ex.direction)
        self.elapsed.setText("")
        # A guided squeeze has no movement target: the ring is the whole story.
        self.angle.setVisible(ex.mode == "reps")
        self.angle.set_caption(SIGNAL_CAPTIONS.get(ex.signal, ex.signal.replace("_", " ")) + ": reach the green band")
        self._render_counts(0, {"left": 0, "right": 0} if unilateral else None)
        self._render_checks(None, started=False)

    # ------------------------------------------------------------------ control
    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def paused(self) -> bool:
        return self.worker is not None and self.worker.paused

    def set_exercise(self, exercise_id: str) -> None:
        get_exercise(exercise_id)  # validates
        restart = self.running
        if restart:
            self.stop(show_summary=False)
        self.exercise_id = exercise_id
        self._show_exercise()
        if restart and self.source is not None:
            self.start(self.source)
        self._show_sharp(self.running)

    def start(self, source: LiveSource, exercise_id: str | None = None, model: str | None = None) -> None:
        if self.running:
            self.stop(show_summary=False)
        if exercise_id:
            self.exercise_id = exercise_id
        if model:
            self.model = model
        self.source = source
        # The coaching layer personalises the definition (calibration, strictness, the routine's target).
        self.definition = self._definition()
        ex = self.definition
        self._show_exercise()
        self.session = SessionLog(ex.id, ex.title, ex.unilateral, ex.target_reps)
        self.checker = checker = ExerciseChecker(ex)
        self._target_said = False
        self.state = None
        self._error = None
        self.voice.new_set()  # counts and faults of the last set still waiting are said, not dropped
        self.large_type = True  # the default while a set runs; D switches to the detailed view
        self.ending = None
        self.stack.setCurrentWidget(self.video)
        self.video.clear(f"Starting {source.describe()} …")
        self.status_banner.show_message(f"Setting up: {camera_placement(ex.id)}", WARN)
        exercise_id, model = self.exercise_id, self.model
        worker = GeneratorWorker(lambda: live_items(source, ex, model, checker=checker))
        worker.yielded.connect(self._on_item)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_finished)
        self.worker = worker
        if self.hooks is not None:
            self.hooks.set_started(ex)
        worker.start()
        self._show_sharp(True)
        self.next_button.setVisible(self.in_routine)
        self._apply_view()
        self.running_changed.emit(True)
        log.info("live session: %s, %s, model %s", source.describe(), exercise_id, model)

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        if self.worker.paused:
            self.worker.resume()
            if self.session is not None:
                self.session.resumed()  # the pause is not exercise time
            self.status_banner.show_message("")
        else:
            self.worker.pause()
            self.status_banner.show_message(
                "Paused. Press Space to go on.", QColor(90, 140, 230), QColor(255, 255, 255)
            )
        self._update_board()
        self.running_changed.emit(True)

    def stop(self, show_summary: bool = True, code: str = "stopped", reason: str = "") -> None:
        """Stop the set; ``code`` is how it ended for the history ('stopped', 'done', 'pain', 'skipped')."""
        worker = self.worker
        if worker is None:
            return
        worker.stop()
        worker.wait(10000)
        self._finish(show_summary, reason, code)

    def _show_sharp(self, running: bool) -> None:
        self.sharp_button.setEnabled(running)
        self.sharp_button.setVisible(running)

    def _sharp_pressed(self) -> None:
        if self.running:
            self.sharp_pain.emit()

    def _target_met(self, state) -> bool:
        target = self.definition.target_reps
        if not target or state is None:
            return False
        if self.definition.unilateral and state.reps_by_side is not None:
            return min(state.reps_by_side.get("left", 0), state.reps_by_side.get("right", 0)) >= target
        return state.reps >= target

    @property
    def target_met(self) -> bool:
        return self._target_met(self.state)

    # ------------------------------------------------------------------ worker results
    def _on_item(self, item: LiveItem) -> None:
        if self.worker is None or self.session is None:
            return  # a late item from a stopped worker
        step = item.step
        result = step.result
        self.session.add(result, step.frame.timestamp_ms / 1000.0)
        events = getattr(result, "events", ())
        if self.hooks is not None:
            if events:
                self.hooks.take(events)  # each rep is written as it is counted
            if result is not None:
                self.hooks.observe(result)
        # One step's cues go out in the queue's order (a rep's count, then its fault, then the
        # milestone it reached), not in the order the events happen to come.
        with self.voice.holding():
            for event in events:
                self._on_event(event)
            self.state = getattr(result, "state", None)
            self.video.show_frame(item.display_bgr, tag=item.arrived_s)
            self._render_state(self.state)
            self.stepped.emit(item)
            if not self._target_said and self._target_met(self.state):
                self._target_said = True
                self.target_reached.emit()

    def _on_event(self, event) -> None:
        kind = event.kind
        ex = self.definition
        if kind == "rep_completed":
            self.voice.play("rep")
            if event.side and ex.unilateral:
                n = (event.reps_by_side or {}).get(event.side, event.reps)
                self.voice.offer(f"{event.side.capitalize()} {n}", "count")
            else:
                self.voice.offer(str(event.reps), "count")
            if event.cue:
                self.voice.offer(event.cue, "cue")
        elif kind == "rep_started" and event.cue:
            self.voice.offer(event.cue, "cue")
        elif kind == "hold_reached":
            self.voice.play("hold")
            if event.cue:
                self.voice.offer(event.cue, "hold")
        elif kind == "hold_broken" and event.cue:
            self.voice.offer(event.cue, "cue")
        elif kind == "fault":
            self.voice.offer(event.cue, "fault")
            self._fault_text = event.cue
        elif kind == "partial_rep":
            hint = PARTIAL_HINTS.get(event.record.reason)
            if hint:
                self._show_cue(hint, WARN)
        elif kind == "status_changed" and event.code:
            self.voice.offer(event.message, "status")

    def _on_error(self, message: str) -> None:
        self._error = message

    def _on_finished(self) -> None:
        worker = self.worker
        if worker is None or self.sender() is not worker:
            return
        if worker.stopped_by_user:
            return
        lost = bool(self._error) or (self.source is not None and self.source.is_camera)
        self._finish(True, self._end_reason(), "interrupted" if lost else ("done" if self.target_met else "stopped"))

    def _end_reason(self) -> str:
        frames = self.session.frames if self.session else 0
        camera = self.source is not None and self.source.is_camera
        if self._error:
            if frames == 0:
                return self._error
            return f"Stopped early: {self._error}. Your session so far is kept."
        if camera:
            return "The camera stopped sending pictures (unplugged?). Your session so far is kept."
        return "The video ended."

    def _close_checker(self) -> None:
        """Close the set's checker (after its worker stopped) and pass on the last events it gives."""
        checker, self.checker = self.checker, None
        if checker is None:
            return
        events = checker.finish()
        if self.session is not None and events and checker.state is not None:
            self.session.add(SimpleNamespace(events=events, state=None), checker.state.t_s)
        if self.hooks is not None and events:
            self.hooks.take(events)

    def _finish(self, show_summary: bool, reason: str, code: str = "stopped") -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
            # Keep it alive until its thread has quit: a QThread destroyed while running aborts.
            self._retired = [w for w in self._retired if not (w.thread and w.thread.isFinished())] + [worker]
        self._close_checker()
        if self.hooks is not None:
            self.hooks.set_ended(code, show_summary)
        self._show_sharp(False)
        self.next_button.hide()
        session = self.session
        self.state = None
        self._clear_live_values()
        self._apply_view()
        self.running_changed.emit(False)
        self.status_banner.show_message("")
        if session is None:
            return
        session.end_reason = reason or "You stopped the session."
        if session.frames == 0 and self._error:
            self.show_source_problem(self.source, self._error)
        elif show_summary:
            self._show_summary(session)
        self.session_ended.emit(session)

    # ------------------------------------------------------------------ pages
    def _show_summary(self, session: SessionLog) -> None:
        pending = bool(getattr(self.hooks, "asks_pain_after", False))
        self.show_ending(session, getattr(self.hooks, "pain_before", None), None, pain_pending=pending)

    def show_ending(
        self, session: SessionLog, pain_before: int | None, pain_after: int | None, pain_pending: bool = False
    ) -> Ending:
        """The summary page: pain before/after and what it means first, then what was counted.

        After a pain rise the page offers rest, not another go.
        """
        self.cue_banner.show_message("")
        self._cue_until = 0.0
        result = self.ending = ending(session, pain_before, pain_after, pain_pending)
        if result.rest:
            actions = [("Rest now", self.show_rest)]
        else:
            actions = [("Start again", self._restart)]
        self.message.show_message(result.title, result.lines, actions, result.lead, LEAD_COLOURS[result.tone])
        self.stack.setCurrentWidget(self.message)
        return result

    def show_rest(self) -> None:
        """After a pain rise: rest, and when to see a doctor; no way to start again from here."""
        self.message.show_message(
            "Rest now",
            [
                "Lie or sit comfortably and let your hip settle.",
                "Do not exercise through pain. Next time the targets will be easier.",
                "See a doctor if the pain is very severe, gets worse day by day, or does not settle with rest.",
            ],
            [],
        )
        self.stack.setCurrentWidget(self.message)

    def show_source_problem(
        self, source: LiveSource | None, error: str, retry: Callable[[], None] | None = None
    ) -> None:
        """One page for a camera (or video) that gives no picture: what went wrong and what to do.

        ``retry`` is "Try again" (default: the same start again); nothing was recorded.
        """
        camera = source is None or source.is_camera
        lines = [f"No picture came: {error}" + ("" if error.endswith(".") else "."), ""]
        actions: list[tuple[str, object]] = [("Try again", retry or self._restart)]
        if camera:
            lines.append("•  Plug the camera in, close any program using it (a video call), then press Try again.")
        else:
            lines.append("•  Check the file: it may be damaged, or not a video HipCoach can read.")
        if self.pick_camera is not None:
            lines.append("•  Or pick another camera (File ▸ Use camera…).")
            actions.append(("Pick another camera…", self.pick_camera))
        if self.open_recording is not None:
            lines.append("•  Or use a recording: Ctrl+O reviews a video of your exercise.")
            actions.append(("Use a recording…  (Ctrl+O)", self.open_recording))
        clip = demo_clip(self.exercise_id)
        if clip is not None and camera:
            actions.append(("Play the demo clip", lambda: self.request_start(LiveSource(path=clip), self.exercise_id)))
        lines.append("Nothing was saved (no pictures, no session).")
        self.message.show_message("No camera found" if camera else "Cannot play this video", lines, actions)
        self.stack.setCurrentWidget(self.message)

    @property
    def error(self) -> str | None:
        """Why the last set's source failed (None when it did not)."""
        return self._error

    def check_source(self, source: LiveSource, done: Callable[[str | None], None]) -> None:
        """Open ``source`` and wait for one picture on a worker thread, then ``done(None)``, or
        ``done(message)`` when it cannot be opened or gives none. A second check while one runs is
        ignored (a double press of Start)."""
        if self._checking is not None:
            return
        self.stack.setCurrentWidget(self.video)
        self.video.clear(f"Looking for {source.describe()} …")
        self._check_error, self._check_done = None, done
        worker = GeneratorWorker(lambda: _first_picture(source))
        worker.errored.connect(self._source_check_error)
        worker.finished.connect(self._source_checked)
        self._checking = worker
        worker.start()

    def _source_check_error(self, message: str) -> None:
        self._check_error = message

    def _source_checked(self) -> None:
        worker, self._checking = self._checking, None
        if worker is None:
            return
        self._retired = [w for w in self._retired if not (w.thread and w.thread.isFinished())] + [worker]
        done, self._check_done = self._check_done, None
        if done is not None:
            done(self._check_error)

    def _restart(self) -> None:
        if self.source is None:
            return
        again = getattr(self.hooks, "start_again", None)
        if again is not None:
            again(self.source, self.exercise_id)  # the pain answered a moment ago is not asked again
        else:
            self.request_start(self.source, self.exercise_id)

    def request_start(self, source: LiveSource, exercise_id: str) -> None:
        """A start the person asked for: through the coaching layer's check-ins when there is one."""
        if self.hooks is not None:
            self.hooks.request_start(source, exercise_id)
        else:
            self.start(source, exercise_id)

    # ------------------------------------------------------------------ rendering
    def _render_counts(self, reps: int, by_side: dict | None) -> None:
        ex = self.definition
        target = ex.target_reps
        if ex.unilateral and by_side is not None:
            per = f" / {target}" if target else ""
            self.left_count.setText(f"L {by_side.get('left', 0)}{per}")
            self.right_count.setText(f"R {by_side.get('right', 0)}{per}")
            self.counter.setText(str(reps))
        else:
            self.counter.setText(f"{reps} / {target}" if target else str(reps))

    def _render_checks(self, status: str | None, started: bool) -> None:
        rows = []
        if started and status is None:
            # During a set one line says it all; the full list is for setting up (and fits a laptop screen).
            self.checks.setText(f"<span style='color:{GOOD.name()}'>✓</span> All set-up checks pass")
            return
        for code, label in SETUP_CHECKS:
            if started and status != code:
                continue  # only what is wrong now (the banner says what to do)
            if not started or (status == "no_person" and code != "no_person"):
                mark, colour = "•", MUTED
            elif status == code:
                mark, colour = "✗", BAD
            else:
                mark, colour = "✓", GOOD
            rows.append(f"<span style='color:{colour.name()}'>{mark}</span> {label}")
        self.checks.setText("<br>".join(rows))

    def _render_state(self, state) -> None:
        if state is None:
            return
        ex = self.definition
        self._render_counts(state.reps, state.reps_by_side)
        ok = state.status is None and not state.faults and state.phase == "active"
        self.ring.set_hold(state.hold_s, state.hold_target_s, ok)
        self.angle.set_values(state.angle_deg, state.target_deg, state.rest_deg, ex.direction)
        self._render_checks(state.status, started=True)
        if self.paused:
            return
        if state.status:
            advice = status_advice(state.status, ex.id)
            self.status_banner.show_message(
                f"Not counting: {state.status_message}. {advice}", BAD, QColor(255, 255, 255)
            )
        elif state.phase == "setup":
            self.status_banner.show_message(f"Get ready: {ex.cues.setup or camera_placement(ex.id)}", WARN)
        else:
            self.status_banner.show_message("")
        self._update_board()

    # ------------------------------------------------------------------ the two views
    def toggle_large_type(self) -> None:
        """D: the large-type view and the detailed view, while a set runs."""
        self.large_type = not self.large_type
        self._apply_view()

    @property
    def showing_large_type(self) -> bool:
        return self.large_type and self.running

    def _apply_view(self) -> None:
        large = self.showing_large_type
        self.side.setVisible(not large)
        self.board.setVisible(large)
        for banner in (self.status_banner, self.cue_banner):
            banner.set_suppressed(large)  # the board shows the one current cue
        if large:
            self.right.setMinimumWidth(0)
            self.right.setMaximumWidth(16777215)
            self.grid.setColumnStretch(0, 2)  # the video smaller, the big numbers larger
            self.grid.setColumnStretch(1, 3)
        else:
            self.right.setFixedWidth(SIDE_WIDTH_PX)
            self.grid.setColumnStretch(0, 1)
            self.grid.setColumnStretch(1, 0)
        self.view_button.setText("Detailed view  (D)" if large else "Large type  (D)")
        self.view_button.setVisible(self.running)
        # Summary and other messages use the whole width; the side panel is for the camera page.
        self.right.setVisible(self.stack.currentWidget() is self.video)
        self._update_board()

    def _update_board(self) -> None:
        """Give the board the count, the sides, the hold and the one cue that matters now."""
        ex = self.definition
        state = self.state
        reps = state.reps if state is not None else 0
        by_side = state.reps_by_side if state is not None else None
        target = ex.target_reps
        sides = None
        if ex.unilateral:
            by_side = by_side or {"left": 0, "right": 0}
            per = f" / {target}" if target else ""
            sides = (f"L {by_side.get('left', 0)}{per}", f"R {by_side.get('right', 0)}{per}")
            count, caption = str(reps), "reps, both sides"
        else:
            count = f"{reps} / {target}" if target else str(reps)
            caption = "reps"
        hold = None
        if ex.hold_target_s:
            hold = (self.ring.hold_s, self.ring.target_s or ex.hold_target_s, self.ring.ok)
        self.board.set_values(count, caption, sides, hold)
        for banner in (self.status_banner, self.cue_banner):  # "not counting" first, then the cue
            if banner.message:
                self.board.set_cue(banner.message, banner.background, banner.foreground)
                break
        else:
            self.board.set_cue(ex.title, QColor(44, 47, 54), QColor(220, 220, 220))
        words = voice_words(self.voice)
        self.board.set_voice_note(words)
        self.voice_label.setText(words)
        self.voice_label.setVisible(bool(words))

    def _clear_live_values(self) -> None:
        """After a set: no angle, ring, checklist or time left over from it (the count stays: it is the result)."""
        ex = self.definition
        self.ring.set_hold(0.0, ex.hold_target_s, False)
        self.angle.reset_scale()
        self.angle.set_values(None, None, None, ex.direction)
        self._render_checks(None, started=False)
        self.elapsed.setText("")
        self.cue_banner.show_message("")
        self._cue_until = 0.0

    def _page_changed(self, _index: int) -> None:
        self.right.setVisible(self.stack.currentWidget() is self.video)
        if self.stack.currentWidget() is not self.video:
            # The other pages (summary, rest, messages) say it in their own words.
            self.cue_banner.show_message("")
            self.status_banner.show_message("")
            self._cue_until = 0.0

    def _show_cue(self, text: str, background: QColor | None = None) -> None:
        if self.stack.currentWidget() is not self.video:
            return
        if text in STATUS_MESSAGES.values():
            return  # already on the "not counting" banner, with what to do about it
        fault = any(text == rule.cue for rule in self.definition.rules)
        colour = background or (BAD if fault else QColor(50, 110, 200))
        self.cue_banner.show_message(text, colour, QColor(255, 255, 255) if colour != WARN else QColor(20, 20, 20))
        self._cue_until = time.monotonic() + 4.0
        self._update_board()

    def _tick(self) -> None:
        if self._cue_until and time.monotonic() > self._cue_until:
            self.cue_banner.show_message("")
            self._cue_until = 0.0
        self._update_board()
        if self.session is not None and self.running:
            m, s = divmod(int(self.session.duration_s), 60)
            self.elapsed.setText(f"Time {m}:{s:02d}" + ("   (paused)" if self.paused else ""))

    def shutdown(self) -> None:
        """The window is closing: stop the worker and close the set in the history."""
        checking, self._checking, self._check_done = self._checking, None, None
        if checking is not None:  # a source check under way: nobody waits for it any more
            checking.stop()
            checking.wait(10000)
            self._retired.append(checking)  # a QThread destroyed while running aborts
        if self.worker is not None:
            self.worker.stop()
            self.worker.wait(10000)
            self._retired.append(self.worker)
            self.worker = None
            self._close_checker()
            if self.hooks is not None:
                self.hooks.set_ended("stopped", True)


def _first_picture(source: LiveSource) -> Iterator[bool]:
    """Open the source and read one picture (then close it); raises what the source raises."""
    frames = source.frames()
    try:
        next(frames)
    except StopIteration:
        raise RuntimeError(f"{source.describe()} gives no pictures") from None
    finally:
        frames.close()
    yield True
