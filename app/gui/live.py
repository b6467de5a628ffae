"""The live coaching page: video with skeleton, counters, hold ring, angle band, cue and status banners.

While a set runs the page shows the large-type view (:class:`~app.gui.widgets.BigBoard`: the count,
each side, the hold countdown and the one current cue, sized from the window) beside a smaller
video; D switches to the detailed view (angle band, setup checklist, time) and back.

This module runs the set (start, pause, stop, the worker's steps and the cues they give); the page's
widgets are built by :mod:`app.gui.live_layout`, shown by :mod:`app.gui.live_view`, the end of a
set and a source's problems are :mod:`app.gui.live_endings`, and Auto's sets (named, chosen with N,
followed to the next exercise) are :mod:`app.gui.live_auto`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Protocol

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QWidget

from app.gui.camera_picker import follow_stream_status
from app.gui.live_auto import LiveAuto
from app.gui.live_endings import LiveEndings
from app.gui.live_layout import LiveLayout
from app.gui.live_view import LiveView
from app.gui.style import WARN
from app.gui.voice import Voice
from app.gui.worker import GeneratorWorker
from app.live.following import Following, FollowStep
from app.live.pipeline import LiveItem, LiveSource, live_items
from app.live.recording import SetRecording, summary_line
from app.live.session import Ending, SessionLog
from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.recognition import AUTO, candidates
from exercises.registry import get_exercise
from exercises.texts import camera_placement
from exercises.vocabulary import (
    AUTO_NEXT_BUTTON,
    AUTO_NOT_NAMED,
    AUTO_TITLE,
    earlier_set_words,
    partial_cue,
    recognising_words,
)

log = logging.getLogger(__name__)


class LiveHooks(Protocol):
    """What the coaching layer does around a live set (app.gui.coaching.Coach implements it)."""

    def definition_for(self, exercise_id: str) -> ExerciseDef: ...  # personalised for this person
    def set_started(self, definition: ExerciseDef) -> None: ...
    def take(self, events: Sequence[object]) -> None: ...  # every step's checker events
    def take_back(self, from_rep: int) -> None: ...  # Auto: the set's reps from this one on were not its own
    def observe(self, result: object) -> None: ...  # every step's checker result (calibration)
    def set_ended(self, code: str, session_over: bool) -> None: ...  # 'done', 'stopped', 'pain', ...
    def request_start(self, source: LiveSource, exercise_id: str) -> None: ...  # a start the person asked for
    def recording_for(self, exercise_id: str, model: str) -> SetRecording | None: ...  # Settings: record (or auto)


class LivePage(LiveLayout, LiveView, LiveEndings, LiveAuto, QWidget):
    """Runs the live pipeline in a worker and shows each step; the model never waits for the view."""

    session_ended = pyqtSignal(object)  # the SessionLog
    running_changed = pyqtSignal(bool)
    stepped = pyqtSignal(object)  # each LiveItem, after it was handled (tests and measurements)
    target_reached = pyqtSignal()  # once per set, when the target (per side if unilateral) is met
    sharp_pain = pyqtSignal()  # the person pressed "Sharp pain - stop" (or P)
    next_requested = pyqtSignal()  # "Next exercise" in a routine; in Auto, "choose the exercise"
    set_followed = pyqtSignal(object)  # Auto ended a set (the person moved on): its SessionLog

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
        self.recording: SetRecording | None = None  # this set's video, when the person records sets
        self._target_said = False
        self.in_routine = False  # shows "Next exercise" while a routine's set runs
        # Auto: the exercise is recognised and the person followed from one exercise to the next. While it
        # recognises, exercise_id is AUTO; each set then carries its exercise (app.live.following).
        self.auto = False
        self.following: Following | None = None
        self.auto_sets: list[SessionLog] = []  # an Auto run's sets before the current one
        self.unsure: tuple[str, ...] | None = None  # Auto said it is not sure (the close candidates)
        self.leader: str | None = None  # while recognising: the candidate ahead so far
        self._auto_definitions: dict[str, ExerciseDef] = {}
        self._set_written = False  # the Auto set is in the history
        self._unwritten: list[object] | None = None  # a set chosen with N: its events until the person keeps it
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
        self.next_requested.connect(self._choose_next)
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    def _definition(self) -> ExerciseDef:
        """The exercise as this person does it (the coaching layer personalises it), else the standard one.

        While Auto recognises, the candidate ahead stands in (what the page shows of it is the count)."""
        if self.exercise_id == AUTO:
            return get_exercise(self.leader or candidates()[0].id)
        return self._definition_of(self.exercise_id)

    def _definition_of(self, exercise_id: str) -> ExerciseDef:
        return self.hooks.definition_for(exercise_id) if self.hooks else get_exercise(exercise_id)

    @property
    def recognising(self) -> bool:
        """Auto has not named the exercise yet."""
        return self.exercise_id == AUTO

    @property
    def start_choice(self) -> str:
        """What "Start again" starts: Auto again, or the exercise."""
        return AUTO if self.auto else self.exercise_id

    def refresh_exercise(self) -> None:
        """Show the exercise as the profile now has it (targets may have changed); not during a set."""
        if not self.running:
            self.definition = self._definition()
            self._show_exercise()

    # ------------------------------------------------------------------ control
    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def paused(self) -> bool:
        return self.worker is not None and self.worker.paused

    def set_exercise(self, exercise_id: str) -> None:
        if exercise_id != AUTO:
            get_exercise(exercise_id)  # validates
        restart = self.running
        if restart:
            self.stop(show_summary=False)
        self.exercise_id = exercise_id
        self.auto = exercise_id == AUTO
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
        follow_stream_status(source, self.status_banner, self)  # a phone camera away: said on the banner
        self.auto = self.exercise_id == AUTO
        self.auto_sets, self.unsure, self.leader = [], None, None
        self._set_written, self._unwritten = False, None
        # The coaching layer personalises the definition (calibration, strictness, the routine's target).
        self.definition = self._definition()
        ex = self.definition
        self._show_exercise()
        if self.auto:
            self.session = SessionLog(AUTO, AUTO_TITLE, False, None)
            # Every candidate counted as this person's own from the first frame: once named, the set is theirs.
            self._auto_definitions = {d.id: self._definition_of(d.id) for d in candidates()}
            self.following = following = Following(self._auto_definitions.__getitem__)
            self.checker = checker = None
        else:
            self.session = SessionLog(ex.id, ex.title, ex.unilateral, ex.target_reps)
            self.following = following = None
            self.checker = checker = ExerciseChecker(ex)
        self._target_said = False
        self.state = None
        self._error = None
        self.voice.new_set()  # counts and faults of the last set still waiting are said, not dropped
        self.large_type = True  # the default while a set runs; D switches to the detailed view
        self.ending = None
        self.stack.setCurrentWidget(self.video)
        self.video.clear(f"Starting {source.describe()} …")
        if self.auto:
            self.status_banner.show_message(recognising_words(None), WARN)
        else:
            self.status_banner.show_message(f"Setting up: {camera_placement(ex.id)}", WARN)
        exercise_id, model = self.exercise_id, self.model
        # An Auto run is one recording from start to end, all its sets (its report: the recognised one).
        recorded = AUTO if self.auto else ex.id
        self.recording = recording = self.hooks.recording_for(recorded, model) if self.hooks is not None else None
        follower = following or checker
        worker = GeneratorWorker(lambda: live_items(source, ex, model, checker=follower, recording=recording))
        worker.yielded.connect(self._on_item)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_finished)
        self.worker = worker
        if self.hooks is not None and not self.auto:
            self.hooks.set_started(ex)  # Auto: when the exercise is named
        worker.start()
        self._show_sharp(True)
        self.next_button.setText(AUTO_NEXT_BUTTON if self.auto else "Next exercise  ›  (N)")
        self.next_button.setVisible(self.in_routine or self.auto)
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
        if self.source is not None:
            self.source.interrupt()  # a phone camera that is away would hold the worker up
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
        if not target or state is None or self.recognising:
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
        t_s = step.frame.timestamp_ms / 1000.0
        followed = isinstance(result, FollowStep)
        if followed:
            self._follow(result, t_s)  # Auto: sets named, ended and begun, their reps so far kept
        self.session.add(result, t_s)
        events = getattr(result, "events", ())
        if events:
            self._keep(events)  # each rep is written as it is counted
        if self.hooks is not None and result is not None:
            self.hooks.observe(result)
        # One step's cues go out in the queue's order (a rep's count, then its fault, then the
        # milestone it reached), not in the order the events happen to come.
        with self.voice.holding():
            for event in result.preview if followed else ():
                self._say_count(event)  # while Auto recognises: the count goes on
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
        if kind == "rep_completed":
            self._say_count(event)
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
        elif kind == "partial_rep":
            hint = partial_cue(event.record.reason)
            if hint:
                self._show_cue(hint, "cue", WARN)
        elif kind == "status_changed" and event.code:
            self.voice.offer(event.message, "status")

    def _say_count(self, event) -> None:
        self.voice.play("rep")
        if event.side and self.definition.unilateral and not self.recognising:
            n = (event.reps_by_side or {}).get(event.side, event.reps)
            self.voice.offer(f"{event.side.capitalize()} {n}", "count")
        else:
            self.voice.offer(str(event.reps), "count")

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

    def _close_checker(self) -> None:
        """Close the set's checker (after its worker stopped) and pass on the last events it gives."""
        following, self.following = self.following, None
        if following is not None:
            last = following.finish()  # at the end one fitting rep is enough to name the exercise
            if last is not None:
                self._follow(last, last.state.t_s, speak=False)
                if last.events and self.session is not None:
                    self.session.add(SimpleNamespace(events=last.events, state=None), last.state.t_s)
                    self._keep(last.events)
            if self._unwritten is not None:
                self._write_auto_set()  # the last choice was kept to the end
            self._finish_recording(following)  # the run's last set's summary says it
        checker, self.checker = self.checker, None
        if checker is None:
            return
        events = checker.finish()
        self._finish_recording(checker)
        if self.session is not None and events and checker.state is not None:
            self.session.add(SimpleNamespace(events=events, state=None), checker.state.t_s)
        if self.hooks is not None and events:
            self.hooks.take(events)

    def _finish_recording(self, counted: ExerciseChecker | Following) -> None:
        """The video closed with the worker: write its report once ``counted`` has finished."""
        recording, self.recording = self.recording, None
        if recording is None:
            return
        stats = recording.finish(counted)
        if self.session is not None:
            self.session.recording_note = summary_line(stats)

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
        if self.auto:
            # Each earlier set's count, and what it gave back to the next (the person heard it counted).
            session.notes = [
                line for s in self.auto_sets for line in (earlier_set_words(s.exercise_title, s.reps), *s.notes)
            ]
            if self.recognising:  # what a candidate counted belongs to no exercise: nothing was saved either
                session.reps, session.reps_by_side = 0, None
                session.notes.append(AUTO_NOT_NAMED)
        if session.frames == 0 and self._error:
            self.show_source_problem(self.source, self._error)
        elif show_summary:
            self._show_summary(session)
        self.session_ended.emit(session)

    def shutdown(self) -> None:
        """The window is closing: stop the worker and close the set in the history."""
        checking, self._checking, self._check_done = self._checking, None, None
        if checking is not None:  # a source check under way: nobody waits for it any more
            checking.stop()
            checking.wait(10000)
            self._retired.append(checking)  # a QThread destroyed while running aborts
        if self.worker is not None:
            self.worker.stop()
            if self.source is not None:
                self.source.interrupt()
            self.worker.wait(10000)
            self._retired.append(self.worker)
            self.worker = None
            self._close_checker()
            if self.hooks is not None:
                self.hooks.set_ended("stopped", True)
