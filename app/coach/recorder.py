"""Write a live session into the history as it happens: each rep the moment it is counted.

Qt-free: the GUI (or a test, or a headless run) hands over the checker's events frame by frame.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.coach.store import HistoryStore
from exercises.events import FaultRaised, FaultRecord, RepCompleted, StatusChanged


class SessionRecorder:
    """One session in the history: sets, reps, faults, "not counting" spans and pain scores.

    The session row is written when the recorder is made, so a crash leaves a session that
    :meth:`HistoryStore.recover_interrupted` can end.
    """

    def __init__(self, store: HistoryStore, profile_id: int) -> None:
        self.store = store
        self.profile_id = profile_id
        self.session_id = store.start_session(profile_id)
        self.set_id: int | None = None
        self.ended = False
        self._span: tuple[int, float] | None = None  # the open status span: (row id, start_s)
        self._last_t_s = 0.0

    def begin_set(self, exercise_id: str, target_reps: int | None, strictness: str = "standard") -> int:
        """Start a set (a set still open is ended 'stopped' first); returns its id."""
        if self.set_id is not None:
            self.end_set("stopped")
        self.set_id = self.store.start_set(self.session_id, exercise_id, target_reps, strictness)
        self._span, self._last_t_s = None, 0.0
        return self.set_id

    def take(self, events: Iterable[object]) -> None:
        """The checker's events of one frame: reps and faults are written at once, status changes
        open and close "why I'm not counting" spans (written as they open, their end when they close)."""
        for event in events:
            t_s = getattr(event, "t_s", None)
            if isinstance(t_s, (int, float)):
                self._last_t_s = max(self._last_t_s, float(t_s))
            if isinstance(event, RepCompleted):
                self.store.add_rep(self._open_set(), event.record)
            elif isinstance(event, FaultRaised):
                self.store.add_fault(self._open_set(), FaultRecord(event.code, event.rep, event.t_s, event.cue))
            elif isinstance(event, StatusChanged):
                self._close_span(event.t_s)
                if event.code is not None and self.set_id is not None:  # between sets: nothing to note
                    self._span = (self.store.open_status_span(self.set_id, event.code, event.t_s), event.t_s)

    def take_back(self, from_rep: int) -> int:
        """The open set's reps from ``from_rep`` on (and their faults) were not its own: Auto counted the
        next exercise's first movements under it. They leave the history; returns how many reps went."""
        if self.set_id is None:
            return 0
        return self.store.take_back_reps(self.set_id, from_rep)

    def end_set(self, reason: str, t_s: float | None = None) -> None:
        """End the open set ('done', 'stopped', 'pain', 'skipped', 'interrupted'); an open status span
        ends at ``t_s`` (default: the last event's time). Nothing happens without an open set."""
        if self.set_id is None:
            return
        self._close_span(self._last_t_s if t_s is None else t_s)
        self.store.end_set(self.set_id, reason)
        self.set_id = None

    def pain(self, moment: str, score: int | None, exercise: str | None = None) -> None:
        """A pain score: 'before', 'after' (0-10) or a 'sharp' stop (score may be None)."""
        self.store.add_pain(self.session_id, moment, score, exercise)

    def end_session(self, reason: str) -> None:
        """End the session (an open set ends 'stopped'); a second call does nothing."""
        if self.ended:
            return
        self.end_set("stopped")
        self.store.end_session(self.session_id, reason)
        self.ended = True

    def _open_set(self) -> int:
        if self.set_id is None:
            raise RuntimeError("the recorder got a rep or fault with no set open (call begin_set first)")
        return self.set_id

    def _close_span(self, t_s: float) -> None:
        if self._span is None:
            return
        span_id, start_s = self._span
        self._span = None
        self.store.close_status_span(span_id, max(start_s, t_s))
