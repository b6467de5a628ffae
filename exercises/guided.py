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
from exercises.rounding import rounded, rounded_s
from exercises.signals import BodyReader, Reading
from pose.landmarks import Side

POSTURE_SETTLE_S = 1.0  # posture held this long before the first squeeze
POSTURE_GRACE_S = 0.5  # posture lost this long breaks the hold
GLUTE_BRIDGE_UP_DEG = 160.0  # hip angle above which a hook-lying person is bridging, not squeezing
NAN = float("nan")


class GuidedHold:
    """Paces squeeze/relax cycles; the caller records the holds it returns."""

    def __init__(self, defn: ExerciseDef, reader: BodyReader) -> None:
        if defn.hold_target_s is None:  # ExerciseDef checks this too; here it also types the target
            raise ValueError(f"{defn.id}: a guided hold needs hold_target_s")
        self.defn = defn
        self.target_s: float = defn.hold_target_s
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
        broken_at = self._posture_broken_at(ok, t)
        if self.phase == "setup":
            if ok:
                # `or`: a posture first seen at t = 0.0 settles from the next frame (the pinned timelines)
                posture_since = self._posture_since or t
                self._posture_since = posture_since
                if t - posture_since >= POSTURE_SETTLE_S:
                    self._start_hold(t, next_index, events)
            else:
                self._posture_since = None
        elif self.phase == "active":
            assert self.hold_index is not None
            if broken_at is not None:
                run = max(0.0, broken_at - self.hold_start_t)
                events.append(
                    HoldBroken(rounded_s(t), self.hold_index, rounded_s(run), self.target_s, d.cues.hold_broken)
                )
                self.held_s = run
                self._posture_since = None
                return self.abandon(t, "hold_broken")
            self.held_s = t - self.hold_start_t
            if self.held_s >= self.target_s:
                events.append(HoldReached(rounded_s(t), self.hold_index, rounded_s(self.held_s), d.cues.hold_reached))
                record = RepRecord(
                    self.hold_index, None, rounded_s(self.hold_start_t), rounded_s(t), None, rounded(self.held_s), []
                )
                self.hold_index = None
                self.phase = "relax"
                self._relax_since = t
                return record
        elif self.phase == "relax":
            if broken_at is not None:
                self.phase = "setup"
                self._posture_since = None
            elif t - self._relax_since >= d.relax_s:
                self._start_hold(t, next_index, events)
        return None

    def _posture_broken_at(self, ok: bool, t: float) -> float | None:
        """When the posture was lost, once it has been lost longer than the grace; else None."""
        if ok:
            self._broken_since = None
            return None
        if self._broken_since is None:
            self._broken_since = t
        return self._broken_since if t - self._broken_since > POSTURE_GRACE_S else None

    def abandon(self, t: float, reason: str) -> PartialRecord | None:
        """Drop the hold under way (not counted); back to setup."""
        if self.hold_index is None:
            return None
        record = PartialRecord(None, rounded_s(self.hold_start_t), rounded_s(t), None, reason, [])
        self.hold_index = None
        self.phase = "setup"
        return record

    def _start_hold(self, t: float, index: int, events: list[Event]) -> None:
        self.hold_index, self.hold_start_t, self.held_s = index, t, 0.0
        self.phase = "active"
        events.append(RepStarted(rounded_s(t), index, None, self.defn.cues.start))
