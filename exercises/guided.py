"""The guided hold (glute squeeze): timed squeeze/relax cycles counted while the posture is held.

The camera cannot see the squeeze itself, only that the hook-lying posture is kept::

    setup --(posture held POSTURE_SETTLE_S)--> active      [rep_started]
    active --(held hold_target_s)--> relax                 [hold_reached, rep_completed]
    active --(posture lost POSTURE_GRACE_S)--> setup       [hold_broken, partial_rep]
    relax --(relax_s)--> active                            [rep_started]
"""

from __future__ import annotations

from exercises.definitions import ExerciseDef
from exercises.events import Event, HoldBroken, HoldReached, PartialRecord, RepRecord, RepStarted
from exercises.rounding import rounded
from exercises.signals import BodyReader, Reading
from pose.landmarks import Side

POSTURE_SETTLE_S = 1.0  # posture held this long before the first squeeze
POSTURE_GRACE_S = 0.5  # posture lost this long breaks the hold
GLUTE_BRIDGE_UP_DEG = 160.0  # hip angle above which a hook-lying person is bridging, not squeezing
NAN = float("nan")


class GuidedHold:
    """Paces squeeze/relax cycles; the caller records the holds it returns."""

    def __init__(self, defn: ExerciseDef, reader: BodyReader) -> None:
        self.defn = defn
        self.reader = reader
        self.phase = "setup"
        self.value = NAN  # the hip angle shown live
        self.value_side: Side | None = None
        self.hold_index: int | None = None  # the hold under way, if any
        self.hold_start_t = 0.0
        self.held_s = 0.0
        self._posture_since: float | None = None
        self._broken_since: float | None = None
        self._relax_since = 0.0

    def _posture_ok(self, reading: Reading, status: str | None) -> bool:
        if reading.hard_status is not None or status is not None or reading.best_side is None:
            return False
        side = reading.best_side
        knee = self.reader.measure("knee_angle_raw", side)
        hip = reading.signal.get(side, NAN)
        self.value, self.value_side = hip, side
        lo, hi = self.defn.posture_ok
        # Hips must stay down: a bridge is not a squeeze.
        return lo <= knee <= hi and hip < GLUTE_BRIDGE_UP_DEG

    def step(
        self, reading: Reading, status: str | None, t: float, next_index: int, events: list[Event]
    ) -> RepRecord | PartialRecord | None:
        """One frame (``status``: the status shown); returns a hold that ended this frame.

        ``next_index`` is the index a hold starting now gets."""
        d = self.defn
        ok = self._posture_ok(reading, status)
        if ok:
            self._broken_since = None
        elif self._broken_since is None:
            self._broken_since = t
        broken = not ok and t - self._broken_since > POSTURE_GRACE_S
        if self.phase == "setup":
            self._posture_since = (self._posture_since or t) if ok else None
            if ok and t - self._posture_since >= POSTURE_SETTLE_S:
                self._start_hold(t, next_index, events)
        elif self.phase == "active":
            assert self.hold_index is not None
            if broken:
                run = max(0.0, self._broken_since - self.hold_start_t)
                events.append(
                    HoldBroken(rounded(t), self.hold_index, rounded(run), d.hold_target_s, d.cues.hold_broken)
                )
                self.held_s = run
                self._posture_since = None
                return self.abandon(t, "hold_broken")
            self.held_s = t - self.hold_start_t
            if self.held_s >= d.hold_target_s:
                events.append(HoldReached(rounded(t), self.hold_index, rounded(self.held_s), d.cues.hold_reached))
                record = RepRecord(
                    self.hold_index, None, rounded(self.hold_start_t), rounded(t), None, rounded(self.held_s), []
                )
                self.hold_index = None
                self.phase = "relax"
                self._relax_since = t
                return record
        elif self.phase == "relax":
            if broken:
                self.phase = "setup"
                self._posture_since = None
            elif t - self._relax_since >= d.relax_s:
                self._start_hold(t, next_index, events)
        return None

    def abandon(self, t: float, reason: str) -> PartialRecord | None:
        """Drop the hold under way (not counted); back to setup."""
        if self.hold_index is None:
            return None
        record = PartialRecord(None, rounded(self.hold_start_t), rounded(t), None, reason, [])
        self.hold_index = None
        self.phase = "setup"
        return record

    def _start_hold(self, t: float, index: int, events: list[Event]) -> None:
        self.hold_index, self.hold_start_t, self.held_s = index, t, 0.0
        self.phase = "active"
        events.append(RepStarted(rounded(t), index, None, self.defn.cues.start))
