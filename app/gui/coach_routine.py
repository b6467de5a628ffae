"""The routine part of the coaching flow: exercise by exercise with rests, then the summary.

A mixin of :class:`app.gui.coaching.Coach` (it uses the coach's live page, voice, rest page,
session state and signals). What the routine is (the profile's, ramped, with overrides) is
:func:`app.coach.plan.todays_routine`; the order of exercises, sets and rests is the Qt-free
:class:`app.coach.routine.RoutineRunner`; this only drives the pages and says what happens.
"""

from __future__ import annotations

from PyQt6.QtCore import QTimer

from app.coach import plan
from app.coach.routine import RoutineItem, RoutineRunner
from app.gui.live_endings import LEAD_COLOURS
from app.live.pipeline import LiveSource
from app.live.session import SessionLog, pain_ending


class CoachRoutine:
    """Start, step through, skip, end and sum up a routine (mixed into the coach)."""

    # ------------------------------------------------------------------ what the routine is
    def routine_items(self) -> tuple[RoutineItem, ...]:
        """Today's routine: the profile's, a physiotherapist's targets in it, gentler in the first week."""
        return plan.todays_routine(self.settings(), self.programme_day())

    def routine_source(self, item: RoutineItem, base: LiveSource) -> LiveSource:
        """Where an exercise of the routine is watched: the camera (or video) the routine started with."""
        return base

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
        first = self.routine_source(items[0], base)
        self._before_session(
            first, lambda: self.start_routine(source), lambda before: self._begin_routine(items, base, before)
        )

    def _begin_routine(self, items: list, base: LiveSource, before: int | None) -> None:
        self._routine_base = base
        self._open_session("routine")
        self._record_pain("before", before)
        self.runner = RoutineRunner(tuple(items))
        self.routine_logs = []
        self.live.in_routine = True
        self._run_current()

    def _current_item(self) -> RoutineItem | None:
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
        source = self.routine_source(item, self._routine_base)
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
        self.live.message.show_message(title, result.lines, actions, result.lead, LEAD_COLOURS[result.tone])
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
