"""What a session counted and what it did not: reps, each side, faults and partial reps."""

from __future__ import annotations

from exercises.definitions import ExerciseDef
from exercises.events import Event, FaultRecord, PartialRecord, PartialRep, RepCompleted, RepRecord
from exercises.motion_watch import MovementWatch


class Tally:
    """The report's records, kept in one place: every rep counted (by the rep machine, the first
    cycle seen before rest was known, or the guided hold) goes through :meth:`count`, every
    movement that did not count through :meth:`partial`."""

    def __init__(self, defn: ExerciseDef, watch: MovementWatch) -> None:
        self.defn = defn
        self._watch = watch  # told of each recorded movement: it then knows something counted
        self.reps = 0
        self.reps_by_side: dict[str, int] | None = {"left": 0, "right": 0} if defn.unilateral else None
        self.reps_detail: list[RepRecord] = []
        self.faults: list[FaultRecord] = []
        self.partial_reps: list[PartialRecord] = []

    def count(self, record: RepRecord, faults: list[FaultRecord], events: list[Event]) -> None:
        """One more rep, with the faults judged in it."""
        self.reps += 1
        if self.reps_by_side is not None and record.side is not None:
            self.reps_by_side[record.side] += 1
        self.reps_detail.append(record)
        self.faults.extend(faults)
        self._watch.recorded(record.end_s)
        by_side = dict(self.reps_by_side) if self.reps_by_side is not None else None
        events.append(
            RepCompleted(record.end_s, record.index, record.side, self.reps, by_side, record, self.defn.cues.rep_done)
        )

    def partial(self, record: PartialRecord | None, events: list[Event]) -> None:
        """A movement that looked like a rep and did not count, with its reason."""
        if record is not None:
            self.partial_reps.append(record)
            self._watch.recorded(record.end_s)
            events.append(PartialRep(record.end_s, record))
