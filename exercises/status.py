"""Which "why I'm not counting" status to show: a frame's status, shown once it has persisted."""

from __future__ import annotations

from exercises.definitions import ExerciseDef
from exercises.events import Event, StatusChanged, StatusInterval
from exercises.rounding import rounded_s
from exercises.signals import Reading
from exercises.vocabulary import MOVEMENT_STATUS_CODES, status_message

# How long a status must last before it is shown (None: back to counting), so a single bad
# frame does not flash a message; the view and the position need longer to be sure of.
STATUS_PERSIST_S: dict[str | None, float] = {
    None: 0.25,
    "no_person": 0.3,
    "out_of_frame": 0.3,
    "joints_hidden": 0.3,
    "second_person": 0.5,
    "wrong_view": 1.0,
    "wrong_position": 1.0,
    # Movement notices come from cycles already seen: no need to wait again.
    **{code: 0.0 for code in MOVEMENT_STATUS_CODES},
}


def frame_status(reading: Reading, defn: ExerciseDef, shown: str | None) -> str | None:
    """The status this frame calls for; ``shown`` is the status on screen now."""
    raw = reading.hard_status
    if raw in ("no_person", "second_person"):
        return raw
    # Lying when one should stand explains hidden joints better than "joints hidden".
    return _soft_status(reading, defn, shown) or raw


def _soft_status(reading: Reading, defn: ExerciseDef, shown: str | None) -> str | None:
    """wrong_position / wrong_view; an unclear frame keeps the one already shown."""
    if reading.orientation == "unknown" and shown == "wrong_position":
        return "wrong_position"
    if reading.orientation != "unknown" and reading.orientation not in defn.positions:
        return "wrong_position"
    if reading.view == "unknown" and shown == "wrong_view":
        return "wrong_view"
    if reading.view != "unknown" and reading.view not in defn.views:
        return "wrong_view"
    return None


class StatusDebouncer:
    """Shows a status once it has lasted ``STATUS_PERSIST_S``; records the spans shown."""

    def __init__(self) -> None:
        self.shown: str | None = None
        self.intervals: list[StatusInterval] = []
        self._shown_since = 0.0
        self._candidate: str | None = None  # the status waiting to persist, when _has_candidate
        self._has_candidate = False
        self._candidate_since = 0.0

    def update(self, raw: str | None, t: float, events: list[Event]) -> None:
        """Feed this frame's status ``raw``; a change that persisted adds a StatusChanged."""
        if raw == self.shown:
            self._has_candidate = False
            return
        if not self._has_candidate or raw != self._candidate:
            self._has_candidate, self._candidate, self._candidate_since = True, raw, t
        if t - self._candidate_since >= STATUS_PERSIST_S[raw]:
            # The new status is dated from when it began, not from when it was believed.
            since = self._candidate_since
            if self.shown is not None and since > self._shown_since:
                self.intervals.append(StatusInterval(self.shown, rounded_s(self._shown_since), rounded_s(since)))
            prev, self.shown, self._shown_since, self._has_candidate = self.shown, raw, since, False
            events.append(StatusChanged(rounded_s(t), raw, prev, status_message(raw) if raw else ""))

    def close(self, t: float) -> None:
        """The session ends at ``t``: the status still shown becomes an interval."""
        if self.shown is not None:
            self.intervals.append(StatusInterval(self.shown, rounded_s(self._shown_since), rounded_s(t)))
