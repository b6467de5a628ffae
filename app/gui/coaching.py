"""The coaching flow around the live page: history, safety screening, pain check-ins, routines.

:class:`Coach` is the live page's :class:`~app.gui.live.LiveHooks`: it personalises each
exercise from the profile, writes every step's events through the
:class:`~app.coach.recorder.SessionRecorder` (so each rep is on disk as it is counted), and runs a
session as: safety (screening when due, or the hold) -> source check -> pain before -> one exercise or a
whole routine -> pain after -> advice. A start first passes the safety rules (the weekly questions, or the
"before you exercise" screen while a "yes" stops exercise), then the camera or video is checked (a picture must come),
and only then is the pain asked; a session is written into the history from its first picture,
so a start that never got one leaves nothing behind. The rules themselves (when to screen, when pain
means stop, the routine, its ramp and each exercise's target: :mod:`app.coach.safety`,
:mod:`app.coach.plan`) and the history (:mod:`app.coach.store`, opened through the window's
:class:`~app.coach.store.WindowHistory`) live in the Qt-free :mod:`app.coach`; this class only asks,
shows and says. The questions (screening, hold, pain) are :mod:`app.gui.coach_questions`, the
routine's steps :mod:`app.gui.coach_routine`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import QMessageBox, QWidget

from app.coach import plan, safety
from app.coach.recorder import SessionRecorder
from app.coach.routine import RoutineRunner
from app.coach.store import WindowHistory
from app.coach.store.errors import READ_ERRORS
from app.gui.checkin import AdviceDialog, PainCheckIn, SafetyHoldDialog, ScreeningDialog
from app.gui.coach_questions import CoachQuestions
from app.gui.coach_routine import CoachRoutine
from app.gui.live import LivePage
from app.gui.routine_page import RestPage
from app.gui.voice import Voice
from app.live.pipeline import LiveSource
from app.live.recording import SetRecording, wanted_recording
from app.live.session import SessionLog
from exercises.definitions import ExerciseDef
from exercises.personalise import CalibrationRecorder
from exercises.recognition import AUTO
from exercises.registry import get_exercise

log = logging.getLogger(__name__)

SHARP_SAID = "Stopping now. Stop and rest. Don't push through sharp pain."


class Coach(CoachQuestions, CoachRoutine, QObject):
    """Runs sessions for the main window; ``status`` carries one-line notes for the status bar.

    ``history``: the window's history (:class:`~app.coach.store.WindowHistory`), opened by
    :meth:`open_history` at startup; the coach reads and writes it, the window shows it.
    """

    status = pyqtSignal(str)
    exercise_shown = pyqtSignal(str)  # the exercise the routine moved to (for the toolbar)
    routine_finished = pyqtSignal(list)  # the SessionLogs of the routine's exercises

    def __init__(
        self, window: QWidget, live: LivePage, voice: Voice, history: WindowHistory, checkins: bool = True
    ) -> None:
        super().__init__(window)
        self.window = window
        self.history = history
        self.live = live
        self.voice = voice
        self.checkins = checkins
        self.recorder = None
        self.mode: str | None = None  # None, 'single' or 'routine'
        self.pain_before: int | None = None
        self.session_exercises: list[str] = []
        self.sharp_exercises: list[str] = []
        self.runner: RoutineRunner | None = None
        self.routine_logs: list[SessionLog] = []
        self._routine_base: LiveSource | None = None
        self._checked_in = False
        self._stopping = False  # the coach itself is stopping the live set: its end is handled here
        self._closing = False
        # Safety answers the history could not take (none, read-only, failing): kept for this run.
        self._unsaved_safety: list[safety.ScreeningRecord | safety.Clearance] = []
        # A session is written from its first picture: until then what it would write waits here.
        self._saving = False
        self._frames_seen = False
        self._pending_pain: list[tuple[str, int | None, str | None]] = []
        self._pending_set: tuple[str, int | None, str] | None = None
        self._calibrating: CalibrationRecorder | None = None  # the first reps of an uncalibrated exercise
        self._last_pain_after: tuple[int, float] | None = None  # (score, monotonic time) of the last "after"
        self._routine_summary: tuple[list[SessionLog], list[str], str] | None = (
            None  # logs, lines, title when ended early
        )
        # The dialog on screen, one of each kind (coach_questions.py).
        self.screening_dialog: ScreeningDialog | None = None
        self.pain_dialog: PainCheckIn | None = None
        self.advice_dialog: AdviceDialog | None = None
        self.hold_dialog: SafetyHoldDialog | None = None
        self.rest_page = RestPage()
        live.stack.addWidget(self.rest_page)
        self.rest_page.finished.connect(self._rest_over)
        self.rest_page.end_requested.connect(self.end_routine)
        live.hooks = self
        live.sharp_pain.connect(self.sharp_pain)
        live.target_reached.connect(self._target_reached)
        live.next_requested.connect(self.next_exercise)

    # ------------------------------------------------------------------ history
    @property
    def store(self):
        return self.history.store

    @property
    def profile_id(self) -> int | None:
        return self.history.profile_id

    def open_history(self, ask_fresh: Callable[[str], bool] | None = None) -> str:
        """Open the history at startup (the store decides everything); returns the status-bar note.

        A damaged file is offered to be moved aside (``ask_fresh(message)`` says yes); a busy,
        newer or unwritable one never is. ``history.problem`` keeps why the history is off or
        read-only, for the window's banner.
        """
        ask = ask_fresh or self._ask_fresh
        return self.history.open(ask_move_aside=lambda problem: ask(str(problem))).note()

    def _ask_fresh(self, message: str) -> bool:
        answer = QMessageBox.question(
            self.window,
            "HipCoach: history",
            f"{message}\n\nMove the damaged file aside and start a fresh history? "
            "(Choose No to go on without saving history this time.)",
        )
        return answer == QMessageBox.StandardButton.Yes

    def settings(self) -> dict:
        if self.store is None:
            return {}
        try:
            return dict(self.store.profile_settings(self.profile_id))
        except READ_ERRORS as exc:
            log.warning("profile settings unreadable: %s", exc)
            return {}

    def _save_settings(self, settings: dict) -> None:
        if self.store is not None:
            self._safe(lambda: self.store.save_profile_settings(self.profile_id, settings))

    def _safe(self, write: Callable[[], object]) -> object:
        """Run a history write; a failing disk must never stop the coaching (say so once, go on)."""
        try:
            return write()
        except Exception as exc:  # noqa: BLE001 - StoreError, sqlite3 and OS errors alike
            log.exception("history write failed")
            if self.recorder is not None or self._saving:
                self.recorder, self._saving = None, False
                self.status.emit(f"History is not being saved any more: {exc}")
            return None

    # ------------------------------------------------------------------ live hooks
    def definition_for(self, exercise_id: str) -> ExerciseDef:
        """The exercise personalised from the profile (:func:`app.coach.plan.exercise_definition`):
        strictness, calibration, overrides, and today's routine target also when done on its own."""
        return plan.exercise_definition(
            exercise_id, self.settings(), self.programme_day(), self._calibration(exercise_id), self._current_item()
        )

    def _calibration(self, exercise_id: str) -> tuple[float, float | None] | None:
        if self.store is None:
            return None
        try:
            return self.store.calibration(self.profile_id, exercise_id)
        except READ_ERRORS:
            return None

    def programme_day(self, today: date | None = None) -> int:
        """1 on the first day of training (or before any), counting calendar days."""
        start = None
        if self.store is not None:
            try:
                start = self.store.programme_start(self.profile_id)
            except READ_ERRORS:
                start = None
        return plan.programme_day(start, today)

    def recording_for(self, exercise_id: str, model: str) -> SetRecording | None:
        """The set's video (an Auto run's: ``auto``) when the person records sets (Settings); it takes the
        session's number at its end."""
        return wanted_recording(
            self.store, self.settings(), exercise_id, model, lambda: getattr(self.recorder, "session_id", None)
        )

    def set_started(self, definition: ExerciseDef) -> None:
        if self.mode is None:
            self._open_session("single", checked_in=False)  # a start that did not come through request_start
        self.session_exercises.append(definition.id)
        self._calibrating = None
        if self.store is not None and definition.mode == "reps":
            try:
                known = self.store.calibration(self.profile_id, definition.id)
            except READ_ERRORS:
                known = True  # cannot tell: leave it alone
            if known is None:
                # "Count relatively": the first reps set this person's own range, for next time.
                self._calibrating = CalibrationRecorder(get_exercise(definition.id))
        # The set is written with its first picture (a set that never gets one is not a set).
        self._pending_set = (definition.id, definition.target_reps, plan.strictness(self.settings()))

    def _picture_came(self) -> None:
        """A picture went through the checker: the session (and this set) exist from now on."""
        self._frames_seen = True
        if self.recorder is None and self._saving:
            self._saving = False
            try:
                self.recorder = SessionRecorder(self.store, self.profile_id)
            except Exception as exc:  # noqa: BLE001 - any history trouble leaves the coaching running
                log.exception("cannot start a session in the history")
                self.status.emit(f"This session is not being saved: {exc}")
            pending, self._pending_pain = self._pending_pain, []
            for moment, score, exercise in pending:
                if self.recorder is not None:
                    self._safe(lambda m=moment, sc=score, ex=exercise: self.recorder.pain(m, sc, ex))
        if self._pending_set is not None:
            exercise, target, strictness = self._pending_set
            self._pending_set = None
            if self.recorder is not None:
                self._safe(lambda: self.recorder.begin_set(exercise, target, strictness))

    def take(self, events: Sequence[object]) -> None:
        if self._pending_set is not None or not self._frames_seen:
            self._picture_came()
        if self.recorder is not None:
            self._safe(lambda: self.recorder.take(events))

    def take_back(self, from_rep: int) -> None:
        """Auto: the set's reps from ``from_rep`` on were the next exercise's; they leave the history."""
        if self.recorder is not None:
            self._safe(lambda: self.recorder.take_back(from_rep))

    def observe(self, result) -> None:
        if self._pending_set is not None or not self._frames_seen:
            self._picture_came()
        recorder = self._calibrating
        if recorder is None or getattr(result, "state", None) is None:
            return
        calibration = recorder.take(result)
        if calibration is not None and self.store is not None:
            self._calibrating = None
            exercise = recorder.definition.id
            self._safe(
                lambda: self.store.save_calibration(
                    self.profile_id, exercise, calibration.peak_deg, calibration.rest_deg
                )
            )
            log.info("calibrated %s: peak %.1f, rest %s", exercise, calibration.peak_deg, calibration.rest_deg)

    def set_ended(self, code: str, session_over: bool) -> None:
        self._pending_set = None  # a set that never got a picture is not written
        if self.recorder is not None:
            self._safe(lambda: self.recorder.end_set(code))
        if self._stopping or self._closing:
            return  # the coach stopped it and carries on itself
        if self.mode == "routine" and session_over:
            # The clip ended or the camera was lost: the routine goes on (or ends) after this step.
            QTimer.singleShot(0, lambda: self._routine_set_ended(code))
        elif session_over:
            QTimer.singleShot(0, lambda: self._finish_session(code))

    def request_start(self, source: LiveSource, exercise_id: str) -> None:
        """Start one exercise as a session: safety, the source checked, pain before, then the live set."""
        if self.mode == "routine":
            self.status.emit("A routine is running: press Stop (or End the routine) first.")
            return
        if self.live.running:
            self.stop()
        self._before_session(
            source,
            lambda: self.request_start(source, exercise_id),
            lambda before: self._start_single(source, exercise_id, before),
        )

    @property
    def asks_pain_after(self) -> bool:
        """The set that just ended will be followed by the "after" pain check-in (the summary waits for it)."""
        return self.mode == "single" and self._checked_in and self._frames_seen

    def start_again(self, source: LiveSource, exercise_id: str) -> None:
        """The summary's "Start again": the pain answered a moment ago is this start's "before"
        (asking it again within seconds is a second question with the same answer)."""
        recent = plan.pain_before_again(self._last_pain_after, time.monotonic())
        if recent is None or self.mode is not None:
            self.request_start(source, exercise_id)
            return
        if self.live.running:
            self.stop()
        self.status.emit(f"Your pain now: {recent} (you answered a moment ago).")
        self._before_session(
            source,
            lambda: self.start_again(source, exercise_id),
            lambda before: self._start_single(source, exercise_id, before),
            known_pain=recent,
        )

    def default_source(self) -> LiveSource:
        """What Start uses when nothing was played yet: the command line's ``--source``/``--camera``."""
        return getattr(self.window, "default_source", None) or LiveSource(camera=0)

    # ------------------------------------------------------------------ session
    def _open_session(self, mode: str, checked_in: bool = True) -> None:
        self.mode = mode
        self._checked_in = checked_in and self.checkins  # a pain score before: ask for one after
        self._routine_summary = None
        self.session_exercises, self.sharp_exercises = [], []
        self.pain_before = None
        self.recorder = None
        self._saving = self.store is not None  # written into the history from its first picture
        self._frames_seen = False
        self._pending_pain, self._pending_set = [], None

    def _start_single(self, source: LiveSource, exercise_id: str, before: int | None) -> None:
        self._open_session("single")
        self._record_pain("before", before)
        self.live.start(source, exercise_id)

    def _record_pain(self, moment: str, score: int | None, exercise: str | None = None) -> None:
        if moment == "before":
            self.pain_before = score
        if score is None and moment != "sharp":
            return
        if moment == "sharp" and not self._frames_seen:
            self._picture_came()  # sharp pain before the first picture: a session all the same
        if self.recorder is not None:
            self._safe(lambda: self.recorder.pain(moment, score, exercise))
        elif self._saving:
            self._pending_pain.append((moment, score, exercise))

    def _before_session(
        self,
        source: LiveSource,
        retry: Callable[[], None],
        then: Callable[[int | None], None],
        known_pain: int | None = None,
    ) -> None:
        """The safety rules, then the source must give a picture, then the pain check-in;
        ``then(pain_before)`` unless the person stops. A source that fails shows what to do
        (``retry`` is its Try again), and nothing is asked or recorded."""

        def source_checked(error: str | None) -> None:
            if self._closing:
                return
            if error is not None:
                self.live.show_source_problem(source, error, retry)
            elif self.checkins and known_pain is None:
                self.ask_pain("before", then)
            elif known_pain is not None:
                then(known_pain)
            else:
                then(None)

        def check() -> None:
            self.live.check_source(source, source_checked)

        if self.checkins:
            self._safety_gate(check)
        else:
            check()

    def _finish_session(self, code: str) -> None:
        """The session is over: close it in the history, then the pain check-in after."""
        if self.mode is None:
            return
        if self.recorder is not None:
            self._safe(lambda: self.recorder.end_session(code))
        exercises, sharp = list(dict.fromkeys(self.session_exercises)), list(self.sharp_exercises)
        recorder, before = self.recorder, self.pain_before
        self.mode, self.recorder = None, None
        self._saving, self._pending_pain, self._pending_set = False, [], None
        if not self._frames_seen:
            return  # not one picture: not a session (nothing was written, nothing to ask)
        if not self._checked_in:
            return
        note = "You stopped for sharp pain. Rest now." if sharp else ""
        self.ask_pain("after", lambda score: self._after_pain(recorder, before, score, exercises, sharp), note)

    def _after_pain(
        self, recorder, before: int | None, after: int | None, exercises: list[str], sharp: list[str]
    ) -> None:
        if recorder is not None and after is not None:
            self._safe(lambda: recorder.pain("after", after))  # the session is closed; its scores still belong to it
        if after is not None:
            self._last_pain_after = (after, time.monotonic())
        session = self.live.session
        if self._routine_summary is not None:
            self._show_routine_summary(before, after)
        elif self.live.ending is not None and session is not None and not sharp:
            # The summary now leads with the pain before and after, and what it means.
            self.live.show_ending(session, before, after)
        decision = safety.pain_decision(before, after, sharp=bool(sharp))
        if not (decision.stop or decision.easier_next_time):
            return
        if decision.easier_next_time:  # those stopped for sharp pain were eased then
            self._save_settings(plan.eased_after_pain(self.settings(), exercises, already_eased=sharp))
        self.voice.offer(decision.message, "milestone")
        dialog = AdviceDialog("Take it easier", decision.message, go_on="OK", parent=self.window, urgent=decision.stop)
        self.advice_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------ controls
    def stop(self) -> None:
        """The Stop button: ends the set, and in a routine the whole routine, keeping what was recorded."""
        if self.mode == "routine":
            self.end_routine()
        else:
            self.live.stop()

    def sharp_pain(self) -> None:
        """Sharp pain: stop this exercise at once, record it, say to rest, ease it for next time."""
        if not self.live.running:
            return
        exercise = self.live.exercise_id
        named = exercise != AUTO  # Auto stopped before it named the exercise: nothing to ease
        self._stopping = True
        try:
            self.live.stop(show_summary=False, code="pain", reason="Stopped for sharp pain.")
        finally:
            self._stopping = False
        self._record_pain("sharp", None, exercise if named else None)
        if named:
            self.sharp_exercises.append(exercise)
            self._save_settings(safety.apply_pain_easing(self.settings(), exercise))
        self.voice.reset()
        self.voice.offer(SHARP_SAID, "milestone")
        title = get_exercise(exercise).title if named else "The exercise"
        lines = [
            f"{title} was stopped because of sharp pain.",
            "Stop and rest now. Do not push through sharp pain.",
            *(["Next time this exercise will be easier."] if named else []),
            "If the pain is severe or does not settle, see a doctor.",
        ]
        if self.mode == "routine":
            if self.live.session is not None:
                self.routine_logs.append(self.live.session)
            self.runner.stop_for_pain()
            actions = [("End the routine", self.end_routine)]
            if self.runner.phase != "done":
                actions.insert(0, ("Go on with the next exercise", self._continue_after_pain))
            self.live.message.show_message("Stopped: sharp pain", lines, actions)
            self.live.stack.setCurrentWidget(self.live.message)
        else:
            self.live.message.show_message("Stopped: sharp pain", lines, [])
            self.live.stack.setCurrentWidget(self.live.message)
            self._finish_session("pain")

    # ------------------------------------------------------------------ window
    def close(self) -> None:
        """The window is closing: end the set and the session in the history."""
        self._closing = True
        self.rest_page.stop()
        self.live.shutdown()
        if self.mode is not None and self.recorder is not None:
            self._safe(lambda: self.recorder.end_session("closed"))
        self.mode, self.recorder = None, None
        self.history.close()
