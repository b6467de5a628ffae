"""The coaching flow around the live page: history, safety screening, pain check-ins, routines.

:class:`Coach` is the live page's :class:`~app.gui.live.LiveHooks`: it personalises each
exercise from the profile, writes every step's events through the
:class:`~app.coach.recorder.SessionRecorder` (so each rep is on disk as it is counted), and runs a
session as: safety (screening when due, or the hold) -> source check -> pain before -> one exercise or a
whole routine -> pain after -> advice. A start first passes the safety rules (the weekly questions, or the
"before you exercise" screen while a "yes" stops exercise), then the camera or video is checked (a picture must come),
and only then is the pain asked; a session is written into the history from its first picture,
so a start that never got one leaves nothing behind. The rules themselves (when to screen, when pain
means stop, the routine and its ramp) live in the Qt-free :mod:`app.coach`; this class only asks, shows and says.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import QMessageBox, QWidget

from app.coach import recorder as recorder_mod
from app.coach import routine as routine_rules
from app.coach import safety
from app.coach import store as store_mod
from app.gui import live as live_mod
from app.gui.checkin import AdviceDialog, PainCheckIn, SafetyHoldDialog, ScreeningDialog
from app.gui.live import LivePage
from app.gui.routine_page import RestPage
from app.gui.voice import Voice
from app.live.pipeline import LiveSource
from app.live.session import SessionLog, pain_ending
from exercises.definitions import ExerciseDef
from exercises.personalise import Calibration, CalibrationRecorder, personalise
from exercises.registry import get_exercise

log = logging.getLogger(__name__)

HISTORY_ERRORS = (sqlite3.Error, OSError)
SHARP_SAID = "Stopping now. Stop and rest. Don't push through sharp pain."
RECENT_PAIN_S = 600.0  # "Start again" within this long after the pain check-in takes that answer as "before"


class Coach(QObject):
    """Runs sessions for the main window; ``status`` carries one-line notes for the status bar."""

    status = pyqtSignal(str)
    exercise_shown = pyqtSignal(str)  # the exercise the routine moved to (for the toolbar)
    routine_finished = pyqtSignal(list)  # the SessionLogs of the routine's exercises

    def __init__(self, window: QWidget, live: LivePage, voice: Voice, checkins: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.live = live
        self.voice = voice
        self.checkins = checkins
        self.recorder = None
        self.mode: str | None = None  # None, 'single' or 'routine'
        self.pain_before: int | None = None
        self.session_exercises: list[str] = []
        self.sharp_exercises: list[str] = []
        self.runner = None
        self.routine_logs: list[SessionLog] = []
        self.routine_override: Sequence | None = None  # tests: a tiny routine instead of the profile's
        self.routine_source: Callable[[object], LiveSource] | None = None  # tests: a clip per exercise
        self._routine_base: LiveSource | None = None
        self._checked_in = False
        self._stopping = False  # the coach itself is stopping the live set: its end is handled here
        self._closing = False
        self.history_problem: store_mod.StoreError | None = None  # why the history is off or read-only
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
        # The dialogs on screen (tests answer them like a person would).
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
        return getattr(self.window, "store", None)

    @property
    def profile_id(self) -> int | None:
        return getattr(self.window, "profile_id", None)

    def open_history(self, ask_fresh: Callable[[str], bool] | None = None) -> str:
        """Open the history at startup (the store decides everything); returns the status-bar note.

        A damaged file is offered to be moved aside (``ask_fresh(message)`` says yes); a busy,
        newer or unwritable one never is. ``history_problem`` keeps why the history is off or
        read-only, for the window's banner.
        """
        ask = ask_fresh or self._ask_fresh
        opened = store_mod.open_for_window(ask_move_aside=lambda problem: ask(str(problem)))
        self.history_problem = opened.problem
        self.window.store, self.window.profile_id = opened.store, opened.profile_id
        if opened.store is None:
            return f"History is off: {opened.problem}"
        notes = []
        if opened.moved_to is not None:
            notes.append(f"The damaged history was moved to {opened.moved_to.name}; a fresh one was started.")
        if opened.problem is not None:
            notes.append(f"History is read-only: {opened.problem}.")
        if opened.recovered:
            notes.append(f"Your last session was interrupted; the {opened.recovered_reps} reps counted were kept.")
        return " ".join(notes)

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
        except HISTORY_ERRORS as exc:
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
        """The exercise personalised from the profile: strictness, calibration, overrides, target.

        The target is today's routine target (a physiotherapist's override replaces the routine's,
        then the first week is gentler), also when the exercise is done on its own.
        """
        settings = self.settings()
        overrides = dict((settings.get("overrides") or {}).get(exercise_id) or {})
        item = self._current_item()
        if item is None or item.exercise != exercise_id:
            item = next((i for i in self._todays_routine(settings) if i.exercise == exercise_id), None)
        if item is not None:
            overrides["target_reps"] = item.target_reps
        calibration = None
        if self.store is not None:
            try:
                found = self.store.calibration(self.profile_id, exercise_id)
            except HISTORY_ERRORS:
                found = None
            if found is not None:
                calibration = Calibration(peak_deg=found[0], rest_deg=found[1])
        try:
            return personalise(
                get_exercise(exercise_id), settings.get("strictness", "standard"), calibration, overrides or None
            )
        except (ValueError, TypeError, KeyError) as exc:  # a bad stored override must not stop the session
            log.warning("personalising %s failed (%s); using the standard definition", exercise_id, exc)
            return get_exercise(exercise_id)

    def set_started(self, definition: ExerciseDef) -> None:
        if self.mode is None:
            self._open_session("single", checked_in=False)  # a start that did not come through request_start
        self.session_exercises.append(definition.id)
        self._calibrating = None
        if self.store is not None and definition.mode == "reps":
            try:
                known = self.store.calibration(self.profile_id, definition.id)
            except HISTORY_ERRORS:
                known = True  # cannot tell: leave it alone
            if known is None:
                # "Count relatively": the first reps set this person's own range, for next time.
                self._calibrating = CalibrationRecorder(get_exercise(definition.id))
        # The set is written with its first picture (a set that never gets one is not a set).
        self._pending_set = (definition.id, definition.target_reps, self.settings().get("strictness", "standard"))

    def _picture_came(self) -> None:
        """A picture went through the checker: the session (and this set) exist from now on."""
        self._frames_seen = True
        if self.recorder is None and self._saving:
            self._saving = False
            try:
                self.recorder = recorder_mod.SessionRecorder(self.store, self.profile_id)
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
        recent = self._last_pain_after
        if recent is None or time.monotonic() - recent[1] > RECENT_PAIN_S or self.mode is not None:
            self.request_start(source, exercise_id)
            return
        if self.live.running:
            self.stop()
        self.status.emit(f"Your pain now: {recent[0]} (you answered a moment ago).")
        self._before_session(
            source,
            lambda: self.start_again(source, exercise_id),
            lambda before: self._start_single(source, exercise_id, before),
            known_pain=recent[0],
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

    # ------------------------------------------------------------------ safety: screening and the hold
    def safety_state(self, now: datetime | None = None) -> safety.SafetyState:
        """The safety rules applied to the history's answers (and any this run could not save)."""
        records = list(self._unsaved_safety)
        if self.store is not None:
            try:
                records += safety.records_from_history(self.store.safety_history(self.profile_id))
            except HISTORY_ERRORS as exc:  # unreadable: the questions are asked again
                log.warning("safety history unreadable: %s", exc)
        return safety.safety_state(records, now or datetime.now().astimezone())

    def screening_due(self) -> bool:
        return self.safety_state().screening_due

    def _save_safety(self, record, write: Callable[[], object]) -> None:
        """Keep a screening or confirmation in the history; one that cannot be saved counts for this run."""
        if self.store is not None:
            try:
                write()
                return
            except Exception as exc:  # noqa: BLE001 - StoreError, sqlite3 and OS errors alike
                log.exception("saving a safety answer failed")
                self.status.emit(f"Your answer could not be saved ({exc}); HipCoach keeps it until it closes.")
        self._unsaved_safety.append(record)

    def _safety_gate(self, then: Callable[[], None]) -> None:
        """While a "yes" stops exercise: the "before you exercise" screen; else the questions when due."""
        state = self.safety_state()
        if state.hold is not None:
            self._show_hold(state.hold, then)
        elif state.screening_due:
            self.voice.offer("Before you exercise, please answer the safety questions on the screen.", "milestone")
            dialog = ScreeningDialog(safety.SCREENING_QUESTIONS, self.window)
            dialog.answered.connect(lambda answers: self._screened(answers, state.covered, then))
            self.screening_dialog = dialog
            dialog.open()
        else:
            then()

    def _screened(self, answers: dict[str, bool], covered: frozenset[str], then: Callable[[], None]) -> None:
        now = datetime.now().astimezone()
        blocks = safety.blocking_signs(answers, covered)
        self._save_safety(
            safety.ScreeningRecord(now, dict(answers), blocks),
            lambda: self.store.add_screening(self.profile_id, answers, blocks),
        )
        if blocks:
            self._show_hold(safety.Hold(now, blocks), then)
            return
        advice = safety.screening_advice(answers, covered)
        if not advice:
            then()
            return
        # Every "yes" is a sign a doctor has seen and cleared: read the advice, then go on.
        self.voice.offer("Please read this advice before you exercise.", "milestone")
        dialog = AdviceDialog(
            "A doctor has seen you about this",
            advice,
            go_on="I have read this – continue",
            stop="Not today",
            parent=self.window,
        )
        dialog.chosen.connect(lambda go_on: then() if go_on else self._not_today(""))
        self.advice_dialog = dialog
        dialog.open()

    def _show_hold(self, hold: safety.Hold, then: Callable[[], None]) -> None:
        """The "before you exercise" screen: see a doctor; from the next day, confirm to go on."""
        now = datetime.now().astimezone()
        clearable = safety.can_clear(hold, now)
        self.voice.offer("Please see a doctor before you exercise. Please read the screen.", "milestone")
        message = safety.hold_message(hold, now)
        dialog = SafetyHoldDialog(message, safety.CLEAR_REASONS if clearable else {}, self.window)
        dialog.chosen.connect(lambda reason: self._hold_answered(hold, reason, message, then))
        self.hold_dialog = dialog
        dialog.open()

    def _hold_answered(self, hold: safety.Hold, reason: str, message: str, then: Callable[[], None]) -> None:
        if not reason:
            self._not_today(message)
            return
        self._save_safety(
            safety.Clearance(datetime.now().astimezone(), reason, hold.signs),
            lambda: self.store.add_safety_clearance(self.profile_id, reason, hold.signs),
        )
        self.status.emit("Thank you. Please answer the safety questions again before you exercise.")
        self._safety_gate(then)  # the questions afresh: anything new stops exercise again

    def _not_today(self, message: str) -> None:
        """No exercise: say so on the page, not only in the status bar."""
        self.status.emit("No exercise today. Please see a doctor about these signs.")
        lines = [message.split("\n\n")[0], ""] if message else []
        lines.append("HipCoach will show this again at your next start.")
        self.live.message.show_message("No exercise today", lines, [])
        self.live.stack.setCurrentWidget(self.live.message)

    def ask_pain(self, moment: str, then: Callable[[int | None], None], note: str = "") -> None:
        """The 0-10 check-in; ``then(score or None)``."""
        dialog = PainCheckIn(moment, self.window, note)
        dialog.answered.connect(then)
        self.voice.offer("How much does your hip hurt, from 0 to 10? Answer on the screen.", "milestone")
        self.pain_dialog = dialog
        dialog.open()

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
        if decision.easier_next_time:
            settings = self.settings()
            for exercise in exercises:
                if exercise not in sharp:  # eased already when the sharp pain was reported
                    settings = safety.apply_pain_easing(settings, exercise)
            self._save_settings(settings)
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
        self._stopping = True
        try:
            self.live.stop(show_summary=False, code="pain", reason="Stopped for sharp pain.")
        finally:
            self._stopping = False
        self._record_pain("sharp", None, exercise)
        self.sharp_exercises.append(exercise)
        self._save_settings(safety.apply_pain_easing(self.settings(), exercise))
        self.voice.reset()
        self.voice.offer(SHARP_SAID, "milestone")
        title = get_exercise(exercise).title
        lines = [
            f"{title} was stopped because of sharp pain.",
            "Stop and rest now. Do not push through sharp pain.",
            "Next time this exercise will be easier.",
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

    # ------------------------------------------------------------------ routine
    def routine_items(self) -> tuple:
        """Today's routine: the profile's, made gentler in the first week."""
        if self.routine_override is not None:
            return tuple(self.routine_override)
        return self._todays_routine(self.settings())

    def _todays_routine(self, settings: dict) -> tuple:
        """The profile's routine, a physiotherapist's target overrides in it, ramped for the first week."""
        try:
            items = routine_rules.routine_from_settings(settings)
        except (ValueError, TypeError) as exc:  # a damaged stored routine: the article's, not a crash
            log.warning("stored routine unusable (%s); using the default", exc)
            items = routine_rules.DEFAULT_ROUTINE
        overrides = settings.get("overrides") or {}
        targets = {
            ex: o["target_reps"]
            for ex, o in overrides.items()
            if isinstance(o, dict) and isinstance(o.get("target_reps"), int)
        }
        items = tuple(replace(i, target_reps=targets[i.exercise]) if i.exercise in targets else i for i in items)
        return routine_rules.ramp(items, self.programme_day())

    def programme_day(self, today: date | None = None) -> int:
        """1 on the first day of training (or before any), counting calendar days."""
        start = None
        if self.store is not None:
            try:
                start = self.store.programme_start(self.profile_id)
            except HISTORY_ERRORS:
                start = None
        today = today or date.today()
        return 1 if start is None else max(1, (today - start).days + 1)

    def start_routine(self, source: LiveSource | None = None) -> None:
        """Start routine: check-ins, then exercise by exercise with rests, then the pain check-in."""
        if self.mode == "routine":
            return
        if self.live.running:
            self.stop()
        items = [item for item in self.routine_items() if getattr(item, "enabled", True)]
        if not items:
            self.status.emit("Your routine has no exercises switched on (Tools > Settings).")
            return
        base = source or self.live.source or self.default_source()
        first = self.routine_source(items[0]) if self.routine_source else base
        self._before_session(
            first, lambda: self.start_routine(source), lambda before: self._begin_routine(items, base, before)
        )

    def _begin_routine(self, items: list, base: LiveSource, before: int | None) -> None:
        self._routine_base = base
        self._open_session("routine")
        self._record_pain("before", before)
        self.runner = routine_rules.RoutineRunner(tuple(items))
        self.routine_logs = []
        self.live.in_routine = True
        self._run_current()

    def _current_item(self):
        if self.mode != "routine" or self.runner is None or self.runner.phase == "done":
            return None
        return self.runner.current

    def _run_current(self) -> None:
        if self.mode != "routine":
            return
        if self.runner.phase == "done":
            self._routine_done()
            return
        item = self.runner.current
        source = self.routine_source(item) if self.routine_source else self._routine_base
        self.exercise_shown.emit(item.exercise)
        self.live.start(source, item.exercise)
        self.voice.offer(self.runner.transition_text(), "milestone")  # "First: ..." / "Now: ..."

    def _target_reached(self) -> None:
        if self.mode == "routine":
            self.voice.offer("That's the target. Well done!", "milestone")
            QTimer.singleShot(0, lambda: self._exercise_finished("done"))
        else:
            self.voice.offer("That's your target. Well done! Stop whenever you like.", "milestone")

    def next_exercise(self) -> None:
        """Next (or skip): end this exercise now and move on."""
        if self.mode == "routine" and self.live.running:
            self._exercise_finished("done" if self.live.target_met else "skipped")

    def _exercise_finished(self, code: str) -> None:
        if self.mode != "routine" or not self.live.running:
            return
        self._stopping = True
        try:
            self.live.stop(show_summary=False, code=code)
        finally:
            self._stopping = False
        self._routine_set_ended(code)

    def _routine_set_ended(self, code: str) -> None:
        """One exercise of the routine ended ('done', 'skipped', 'stopped' at a clip's end, 'interrupted')."""
        if self.mode != "routine":
            return
        if self.live.session is not None and (not self.routine_logs or self.routine_logs[-1] is not self.live.session):
            self.routine_logs.append(self.live.session)
        if code == "interrupted":
            self.rest_page.stop()
            if not self._frames_seen:  # no picture at all: not a routine; say what to do about the camera
                source, error = self.live.source, self.live.error or "the camera gave no pictures"
                self.live.in_routine = False
                self.runner = None
                self.routine_finished.emit([])
                self._finish_session("interrupted")
                self.live.show_source_problem(source, error, lambda: self.start_routine())
                return
            self.status.emit("The camera stopped; the routine ended. What was counted is kept.")
            self._routine_done(early=True, lost=True)
            return
        if code == "skipped":
            self.runner.skip()
        else:
            self.runner.advance()
        self._after_exercise()

    def _continue_after_pain(self) -> None:
        if self.mode == "routine":
            self._after_exercise()

    def _after_exercise(self) -> None:
        phase = self.runner.phase
        if phase == "done":
            self._routine_done()
        elif phase == "rest":
            text = self.runner.transition_text()
            self.voice.offer(text, "milestone")
            done = len({r.exercise for r in self.runner.results})
            self.rest_page.start(self.runner.rest_s, text, f"{done} of {len(self.runner.items)} exercises done")
            self.live.stack.setCurrentWidget(self.rest_page)
        else:
            self._run_current()

    def _rest_over(self) -> None:
        if self.mode != "routine" or self.runner is None:
            return
        if self.runner.phase == "rest":
            self.runner.advance()
        self._run_current()

    def end_routine(self) -> None:
        """End the routine now, keeping everything recorded so far."""
        if self.mode != "routine":
            return
        self.rest_page.stop()
        if self.live.running:
            self._stopping = True
            try:
                self.live.stop(show_summary=False, code="stopped")
            finally:
                self._stopping = False
            if self.live.session is not None:
                self.routine_logs.append(self.live.session)
        self._routine_done(early=True)

    def _routine_done(self, early: bool = False, lost: bool = False) -> None:
        self.live.in_routine = False
        self.rest_page.stop()
        logs = list(self.routine_logs)
        lines = [self._summary_line(log_) for log_ in logs] or ["No exercise was counted."]
        if lost:
            lines.append("The camera stopped sending pictures, so the routine ended. Everything counted is kept.")
        elif early:
            lines.append("You ended the routine early. Everything counted is kept.")
        self._routine_summary = (logs, lines, "Routine ended" if early or lost else "")
        self._show_routine_summary(self.pain_before, None, pending=self._checked_in and self._frames_seen)
        if not early:
            self.voice.offer("That's the whole routine. Well done!", "milestone")
        self.runner = None
        self.routine_finished.emit(logs)
        self._finish_session("interrupted" if lost else "stopped" if early else "done")

    def _show_routine_summary(self, before: int | None, after: int | None, pending: bool = False) -> None:
        """The routine's summary: pain before/after and what it means first; "well done" only when
        reps were counted and the pain did not go up; rest, not "Start the routine again", after a rise."""
        logs, lines, ended_early = self._routine_summary
        result = pain_ending("Routine", sum(log_.reps for log_ in logs), lines, before, after, pending)
        title = ended_early or result.title
        if result.rest:
            actions = [("Rest now", self.live.show_rest)]
        else:
            actions = [("Start the routine again", lambda: self.start_routine())]
        self.live.message.show_message(title, result.lines, actions, result.lead, live_mod.LEAD_COLOURS[result.tone])
        self.live.stack.setCurrentWidget(self.live.message)
        if not pending:
            self._routine_summary = None

    @staticmethod
    def _summary_line(session: SessionLog) -> str:
        target = f" of {session.target_reps}" if session.target_reps else ""
        if session.unilateral and session.reps_by_side is not None:
            left, right = session.reps_by_side.get("left", 0), session.reps_by_side.get("right", 0)
            return f"{session.exercise_title}: left {left}{target}, right {right}{target}"
        return f"{session.exercise_title}: {session.reps}{target} reps"

    # ------------------------------------------------------------------ window
    def close(self) -> None:
        """The window is closing: end the set and the session in the history."""
        self._closing = True
        self.rest_page.stop()
        self.live.shutdown()
        if self.mode is not None and self.recorder is not None:
            self._safe(lambda: self.recorder.end_session("closed"))
        self.mode, self.recorder = None, None
        store = self.store
        if store is not None:
            self.window.store = None
            try:
                store.close()
            except HISTORY_ERRORS:
                log.exception("closing the history failed")
