"""Causal One-Euro filter (Casiez, Roussel & Vogel, CHI 2012), vectorised over landmarks.

Little smoothing when a point moves fast (low lag), strong smoothing when it is still (low
jitter). Time comes only from the timestamps passed in, never from a clock.
"""

from __future__ import annotations

import math

import numpy as np


def ema(prev: float, value: float, dt_s: float, tau_s: float) -> float:
    """One step of an exponential moving average with time constant ``tau_s`` over a gap of
    ``dt_s``; a missing (NaN) ``prev`` starts it at ``value``."""
    if not math.isfinite(prev):
        return value
    a = 1.0 - math.exp(-max(dt_s, 0.0) / tau_s)
    return prev + a * (value - prev)


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """One-Euro filter over an array of any fixed shape; NaN entries are missing samples.

    ``min_cutoff_hz`` sets smoothing at rest (lower = smoother), ``beta`` how fast the cutoff
    rises with speed (higher = less lag), ``d_cutoff_hz`` the cutoff of the speed estimate.
    Speed is in input units per second, so ``beta`` depends on the units (pixels here).
    A missing entry keeps its state; it restarts from the next sample it gets.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.01, d_cutoff_hz: float = 1.0) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError(
                f"expected min_cutoff_hz > 0, d_cutoff_hz > 0, beta >= 0; got {min_cutoff_hz}, {d_cutoff_hz}, {beta}"
            )
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        """Forget all state; the next sample passes through unchanged."""
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t_s: float | None = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        """Filter sample ``x`` taken at time ``t_s`` (seconds); returns the smoothed array."""
        x = np.asarray(x, dtype=np.float64)
        prev, prev_dx, prev_t_s = self._x, self._dx, self._t_s
        if prev is None or prev_dx is None or prev_t_s is None or prev.shape != x.shape:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t_s = t_s
            return x.copy()
        dt = t_s - prev_t_s
        if dt <= 0:
            # Same or earlier timestamp: nothing new to learn, return the current estimate.
            return np.where(np.isnan(x), np.nan, prev)
        self._t_s = t_s
        fresh = np.isnan(prev) & ~np.isnan(x)
        dx = (x - prev) / dt
        a_d = _alpha(self.d_cutoff_hz, dt)
        dx_hat = a_d * dx + (1.0 - a_d) * prev_dx
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = _alpha(cutoff, dt)
        x_hat = a * x + (1.0 - a) * prev
        have = ~np.isnan(x)
        new_x = np.where(fresh, x, np.where(have, x_hat, prev))
        new_dx = np.where(have & ~fresh, dx_hat, np.where(fresh, 0.0, prev_dx))
        self._x = new_x
        self._dx = new_dx
        return np.where(have, new_x, np.nan)
