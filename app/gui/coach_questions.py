"""The questions the coach asks before and around a session: the safety screening, the "before you
exercise" hold, and the 0-10 pain check-in.

A mixin of :class:`app.gui.coaching.Coach` (it uses the coach's window, voice, live page, history
and status signal). The rules (when to screen, which answers stop exercise, when a hold can be
lifted) are Qt-free in :mod:`app.coach.safety`; this asks, shows and says. The dialog on screen is
kept (``screening_dialog``, ``hold_dialog``, ``advice_dialog``, ``pain_dialog``) so it is answered
once and can be found while it is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from app.coach import safety
from app.coach.store.errors import READ_ERRORS
from app.gui.checkin import AdviceDialog, PainCheckIn, SafetyHoldDialog, ScreeningDialog

log = logging.getLogger(__name__)


class CoachQuestions:
    """Safety screening, the hold and the pain check-in (mixed into the coach)."""

    # ------------------------------------------------------------------ safety: screening and the hold
    def safety_state(self, now: datetime | None = None) -> safety.SafetyState:
        """The safety rules applied to the history's answers (and any this run could not save)."""
        records = list(self._unsaved_safety)
        if self.store is not None:
            try:
                records += safety.records_from_history(self.store.safety_history(self.profile_id))
            except READ_ERRORS as exc:  # unreadable: the questions are asked again
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
