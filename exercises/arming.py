"""Getting ready to count without a still start: where the first rep starts from.

People who never pause give no still moment to take as the start. The checker then arms at
the bottom of what it has seen: for absolute thresholds, the lowest point of the last pass
through rest; for a learnt rest, the bottom of a cycle seen whole (down from a high by at least
a rep's range, then up again), never a low point met while lying down or getting into place.
A first rep seen whole before that bottom was known is reported as such, to be counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from exercises.definitions import ExerciseDef
from pose.landmarks import Side


@dataclass(frozen=True)
class Bottom:
    """Where to arm: the time, the (direction-signed) value and every side's signal there."""

    t: float
    v: float
    signal: dict[Side, float]


@dataclass(frozen=True)
class SeenCycle:
    """A whole rep seen before rest was known: from its start, over its top, back to the bottom."""

    start_t: float
    end_t: float
    side: Side
    peak_v: float  # direction-signed


class Arming:
    """The lows and highs seen while getting ready (phase ``setup``)."""

    def __init__(self, defn: ExerciseDef) -> None:
        self.defn = defn
        self.ever_armed = False
        self.clear()

    def clear(self) -> None:
        """Back to getting ready: what was seen so far no longer tells where a rep starts."""
        self.trough: Bottom | None = None  # the lowest point since the last high
        self._low: tuple[float, float] | None = None  # (t, v) where the first movement started from
        self._high: tuple[float, float, Side] | None = None  # (t, v, side): the highest point since

    def armed(self) -> None:
        self.clear()
        self.ever_armed = True

    def lowest_at_rest(self, t: float, x: float, signal: dict[Side, float]) -> None:
        """Absolute thresholds: keep the lowest point of this pass through rest."""
        if self.trough is None or x < self.trough.v:
            self.trough = Bottom(t, x, dict(signal))

    def cycle_bottom(self, signal: dict[Side, float], side: Side, t: float, long_enough: bool) -> Bottom | None:
        """Learnt rest: the bottom of a cycle seen whole, once it has been passed (the signal up
        again past the hysteresis); None until then. ``long_enough``: watched long enough to arm."""
        d = self.defn
        v = d.direction * signal[side]
        if self._low is None or (self._high is None and v < self._low[1]):
            self._low = (t, v)
        if self._high is None or v > self._high[1]:
            self._high, self.trough = (t, v, side), None
            return None
        # Down on the leg that went highest: the other leg's rest is no bottom.
        followed = signal.get(self._high[2], math.nan)
        v = d.direction * followed if math.isfinite(followed) else v
        if self.trough is None or v < self.trough.v:
            self.trough = Bottom(t, v, dict(signal))
            return None
        bottom = self.trough
        # Up again: that leg, or the other one starting its lift (legs taking turns).
        rises = [
            d.direction * (now - bottom.signal[s])
            for s, now in signal.items()
            if math.isfinite(now) and math.isfinite(bottom.signal.get(s, math.nan))
        ]
        rise = max(rises, default=v - bottom.v)
        if self._high[1] - bottom.v >= d.min_range_deg and rise >= d.enter_deg - d.exit_deg and long_enough:
            return bottom
        return None

    def first_cycle(self, end_t: float, end_v: float) -> SeenCycle | None:
        """Being armed at ``end_v``: the movement seen so far, if it was one whole cycle from that
        same rest and back (a first rep done before rest was known)."""
        d = self.defn
        if self._low is None or self._high is None:
            return None
        (t_lo, v_lo), (_, v_hi, side) = self._low, self._high
        same_rest = abs(v_lo - end_v) <= d.enter_deg - d.exit_deg
        if same_rest and v_hi - end_v >= d.enter_deg and end_t - t_lo >= d.min_rep_s:
            return SeenCycle(t_lo, end_t, side, v_hi)
        return None
