"""Auto in the live page: the set named once the recogniser is sure, chosen with N, or followed to the
next exercise, with every rep counted so far kept (the following itself is Qt-free: app.live.following).

:class:`LiveAuto` is mixed into :class:`app.gui.live.LivePage`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from app.live.following import Chosen, FollowStep, MovedOn, Recognised, Unsure
from app.live.session import SessionLog
from exercises.vocabulary import (
    chosen_cue,
    given_back_words,
    moved_on_cue,
    moved_on_words,
    recognised_cue,
    unsure_cue,
)


class LiveAuto:
    """Auto's sets on the live page (mixed into LivePage)."""

    def _follow(self, result: FollowStep, t_s: float, speak: bool = True) -> None:
        """Auto's news for this frame: a set named, chosen or moved on to; the reps it counted so far are kept."""
        self.leader = result.leader
        for news in result.news:
            if isinstance(news, Unsure):
                self.unsure = news.candidates
                if speak:
                    self.voice.offer(unsure_cue(), "milestone")
            elif isinstance(news, Recognised):
                self._begin_auto_set(news.exercise, recognised_cue(news.exercise) if speak else "")
            elif isinstance(news, Chosen):
                # A wrong name corrected: a set already saved ends as skipped; the choice is saved once kept.
                self._begin_auto_set(news.exercise, chosen_cue(news.exercise), ended="skipped", chosen=True)
            elif isinstance(news, MovedOn):
                self._begin_auto_set(news.exercise, moved_on_cue(news.exercise), ended="done", moved=news)
        if result.caught_up and self.session is not None:
            self.session.add(SimpleNamespace(events=result.caught_up, state=None), t_s)
            self._keep(result.caught_up)

    def _begin_auto_set(
        self, exercise_id: str, say: str, ended: str = "", moved: MovedOn | None = None, chosen: bool = False
    ) -> None:
        """The set is ``exercise_id`` from now on; ``ended`` ('done', 'skipped') ends the set before it.

        A set chosen with N goes into the history only when the person keeps it (a rep counted after the
        choice, or the end): pressing N through the candidates leaves no set behind for each one passed.
        ``moved``: the person moved on, and the set before gives back what it counted of the new exercise."""
        definition = self._auto_definitions.get(exercise_id) or self._definition_of(exercise_id)
        previous = self.session
        if ended == "done" and self._unwritten:
            self._write_auto_set()  # moved on from a choice with reps: the person kept it
        if moved is not None:
            self._give_back(moved)
        if ended and self._set_written and self.hooks is not None:
            self.hooks.set_ended(ended, False)
        if ended == "done" and previous is not None:  # the person moved on: that set is kept as it was counted
            previous.end_reason = moved_on_words(exercise_id)
            self.auto_sets.append(previous)
            self.set_followed.emit(previous)
        session = SessionLog(definition.id, definition.title, definition.unilateral, definition.target_reps)
        if previous is not None and ended != "done":  # the same stretch of time, now under its name
            session.first_s, session.last_s, session.paused_s = previous.first_s, previous.last_s, previous.paused_s
            session.frames = previous.frames
        elif moved is not None:
            session.first_s = moved.start_s
        self.session = session
        self.exercise_id, self.definition = exercise_id, definition
        self.unsure = None
        self._target_said = False
        self._set_written = False
        self._unwritten = [] if chosen else None
        self._show_exercise()
        if not chosen:
            self._write_auto_set()
        if say:
            self.voice.offer(say, "milestone")

    def _give_back(self, moved: MovedOn) -> None:
        """The ended set's reps begun where the new exercise began were its first movements, counted by the
        old checker too: they leave the set's summary and the history. Nothing is said ("Now squats" is)."""
        if not moved.given_back:
            return
        from_rep = moved.kept_reps + 1
        if self.session is not None:
            given = self.session.give_back(from_rep)
            if given:
                self.session.notes.append(given_back_words(given, self.session.exercise_title))
        if self._set_written and self.hooks is not None:
            self.hooks.take_back(from_rep)

    def _write_auto_set(self) -> None:
        """The Auto set goes into the history (with what it counted while it was only a choice)."""
        held, self._unwritten = self._unwritten or [], None
        self._set_written = True
        if self.hooks is not None:
            self.hooks.set_started(self.definition)
            if held:
                self.hooks.take(held)

    def _keep(self, events: Sequence[object]) -> None:
        """Hand a step's events to the history; an Auto choice not yet kept holds them until a rep is counted."""
        if self._unwritten is not None:
            self._unwritten.extend(events)
            if any(getattr(e, "kind", "") == "rep_completed" for e in events):
                self._write_auto_set()
        elif self.hooks is not None:
            self.hooks.take(events)

    def _choose_next(self) -> None:
        """N in Auto: the set becomes the next likely exercise (applied by the worker on its next frame)."""
        if self.auto and self.running and self.following is not None and not self.in_routine:
            self.following.choose_next()
