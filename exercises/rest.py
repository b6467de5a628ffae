"""Where the person's rest is: the starting-posture gates and the learnt rest value per side.

Exercises with ``relative_to_rest`` count from the person's own rest, learnt while they are at
rest, instead of from a fixed angle: the internal signal ``x`` is the movement away from it.
"""

from __future__ import annotations

import math

from exercises.definitions import ExerciseDef
from exercises.signals import BodyReader, Reading
from pose.landmarks import SIDES, Side
from pose.smoothing import ema

REST_TAU_S = 2.0  # how fast the learnt rest value follows the person at rest
REST_WINDOW_MARGIN_DEG = 3.0
GATE_SETTLED_DEG_PER_S = 30.0  # the starting posture changes slower than this: settled
NAN = float("nan")


class LearntRest:
    """The rest value of each side, learnt from the signal while the person is at rest."""

    def __init__(self, defn: ExerciseDef) -> None:
        self.defn = defn
        self.base: dict[str, float] = {s: NAN for s in SIDES}

    def forget(self) -> None:
        """What was learnt belongs to another posture."""
        self.base = {s: NAN for s in SIDES}

    def _clamp(self, v: float) -> float:
        # Rest stays within rest_limit_deg of the definition's rest: a person lying or bent
        # into place must not move it anywhere.
        d = self.defn
        return min(max(v, d.rest_deg - d.rest_limit_deg), d.rest_deg + d.rest_limit_deg)

    def internal(self, side: Side, v: float) -> float:
        """The signal ``v`` as movement away from rest (positive towards a rep)."""
        d = self.defn
        if d.relative_to_rest:
            base = self.base[side]
            if not math.isfinite(base):
                base = self.base[side] = self._clamp(v)
            return d.direction * (v - base)
        return d.direction * v

    def natural(self, side: Side | None, x: float) -> float:
        """The internal value ``x`` back in the signal's own units (degrees)."""
        d = self.defn
        base = self.base.get(side, NAN) if (d.relative_to_rest and side) else 0.0
        if d.relative_to_rest and not math.isfinite(base):
            base = d.rest_deg
        return base + d.direction * x if d.relative_to_rest else d.direction * x

    def arm_at(self, values: dict[Side, float]) -> None:
        """``values`` (the signal at the start position) is rest, whatever was learnt before."""
        if not self.defn.relative_to_rest:
            return
        for side, v in values.items():
            if math.isfinite(v):
                self.base[side] = self._clamp(v)

    def learn(self, values: dict[Side, float], dt: float, fast: bool, setting_up: bool, stuck: bool) -> None:
        """Follow the signal at rest: fast while getting into position, slowly once counting."""
        d = self.defn
        for side, v in values.items():
            if not math.isfinite(v):
                continue
            base = self.base[side]
            r = d.direction * (v - base)
            # The mean of rest, not its lowest jitter: a base at the jitter's floor would put
            # the jitter's peaks half-way to a rep.
            if setting_up or (fast and r < d.enter_deg):
                base = ema(base, v, dt, REST_TAU_S / 4)  # getting into position: learn fast
            elif r < d.exit_deg or (stuck and r < d.enter_deg):
                base = ema(base, v, dt, REST_TAU_S)
            self.base[side] = self._clamp(base)

    def in_window(self, v: float) -> bool:
        """Whether ``v`` could be this exercise's rest (held up past it, it is a lift, not rest)."""
        d = self.defn
        return not d.relative_to_rest or abs(v - d.rest_deg) <= d.rest_limit_deg + REST_WINDOW_MARGIN_DEG

    def below_window(self, reading: Reading) -> bool:
        """A learnt-rest signal far below any plausible rest: not in the start position yet
        (a leg still coming down while lying down), so nothing learnt or counted."""
        d = self.defn
        if not d.relative_to_rest:
            return False
        floor = d.rest_deg - d.direction * (d.rest_limit_deg + REST_WINDOW_MARGIN_DEG)
        # The highest side decides: in a march the foot left down reads negative by design.
        vals = [d.direction * (v - floor) for v in reading.signal.values() if math.isfinite(v)]
        return bool(vals) and max(vals) < 0


class PostureGates:
    """Whether the definition's starting posture (``gates``) holds, and has stopped changing."""

    def __init__(self, defn: ExerciseDef, reader: BodyReader) -> None:
        self.defn = defn
        self.reader = reader
        self._prev: dict[int, float] = {}
        self._rate: dict[int, float] = {}  # |d measure / dt| per gate, smoothed

    def hold(self, reading: Reading, dt: float) -> bool:
        """Whether the starting posture holds; also tracks whether it has settled."""
        side = reading.best_side
        if side is None:
            return False
        ok = True
        for k, (measure, lo, hi) in enumerate(self.defn.gates):
            v = self.reader.measure(measure, side)
            prev = self._prev.get(k, NAN)
            if dt > 0 and math.isfinite(prev) and math.isfinite(v):
                self._rate[k] = ema(self._rate.get(k, 0.0), abs(v - prev) / dt, dt, 0.2)
            self._prev[k] = v
            ok = ok and lo <= v <= hi
        return ok

    def settled(self) -> bool:
        """The posture has stopped changing (knees no longer being bent into place)."""
        return all(r < GATE_SETTLED_DEG_PER_S for r in self._rate.values())
