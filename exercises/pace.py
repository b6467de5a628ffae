"""How fast the counted signal moves: still enough to be a starting position, or not."""

from __future__ import annotations

import math

from pose.landmarks import Side
from pose.smoothing import ema

SETTLED_DEG_PER_S = 20.0  # the signal at rest changes slower than this: still, ready to count
SMOOTH_S = 0.15  # time constant of the smoothing: jitter averages out, lying down does not


class SignalPace:
    """The counted signal and each leg's, smoothed, and how fast each changes."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        """Whatever moved while nothing was seen is not a movement speed."""
        self.value = math.nan  # the counted signal, smoothed
        self._rate = math.inf  # |d value / dt|, smoothed; unknown until two frames
        self._side_value: dict[Side, float] = {}
        self._side_rate: dict[Side, float] = {}

    def update(self, signal: dict[Side, float], side: Side, dt: float) -> float:
        """Follow one frame's signal (``side``: the one counted); returns the smoothed value."""
        now = ema(self.value, signal[side], dt, SMOOTH_S)
        if dt > 0 and math.isfinite(self.value):
            rate = abs(now - self.value) / dt
            self._rate = rate if math.isinf(self._rate) else ema(self._rate, rate, dt, SMOOTH_S)
        self.value = now
        for s, v in signal.items():
            if math.isfinite(v):
                prev = self._side_value.get(s, math.nan)
                smooth = self._side_value[s] = ema(prev, v, dt, SMOOTH_S)
                if dt > 0 and math.isfinite(prev):
                    self._side_rate[s] = ema(self._side_rate.get(s, math.nan), abs(smooth - prev) / dt, dt, SMOOTH_S)
        return now

    def still(self) -> bool:
        """The counted signal is still, and so is every leg's (a leg coming down is no rest)."""
        return self._rate < SETTLED_DEG_PER_S and all(r < SETTLED_DEG_PER_S for r in self._side_rate.values())
