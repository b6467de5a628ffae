"""How long a rep stayed at its top: the hold timer of one rep."""

from __future__ import annotations

import math

from exercises.events import Event, HoldBroken, HoldReached
from exercises.rounding import rounded_s

HOLD_GRACE_S = 0.3  # a dip below the hold band shorter than this does not break a hold
HOLD_BAND_FRAC = 0.10  # the top of a rep: within 10 % of its range below the peak ...
HOLD_BAND_MIN_DEG = 3.0  # ... and never a band narrower than the jitter
HOLD_EDGE_K = 2.5  # the slow arrival at (departure from) the top: see _edge_correction
HOLD_EDGE_MAX_S = 0.6  # never move a hold's edge by more than this
HOLD_SETTLE_S = 0.5  # after this long at the top a slightly higher peak no longer moves the hold's start
HOLD_DRIFT_FRAC = 0.05  # a sag at the top slower than this (of the range per second) does not end a hold
NAN = float("nan")


def _crossing(trace: list[tuple[float, float]], i: int, level: float) -> float:
    """Time at which the signal crossed ``level`` between samples i-1 and i (interpolated)."""
    t1, x1 = trace[i]
    if i == 0:
        return t1
    t0, x0 = trace[i - 1]
    if x1 == x0:
        return t1
    f = min(1.0, max(0.0, (level - x0) / (x1 - x0)))
    return t0 + f * (t1 - t0)


def _edge_correction(near: float, far: float) -> float:
    """How long the slow end of the climb (or the start of the lowering) stayed inside the band.

    The signal eases into the top: it enters the band (``near``, ``band`` below the peak)
    before it arrives, and leaves it after it has started to lower. ``far`` is when it
    crossed a second level another ``band`` further down. For an eased (quadratic) approach
    the time from the band's edge to the top is about twice the time between the two levels.
    """
    return min(HOLD_EDGE_MAX_S, HOLD_EDGE_K * max(0.0, abs(near - far)))


def _hold_band(range_x: float) -> float:
    return max(HOLD_BAND_MIN_DEG, HOLD_BAND_FRAC * range_x)


class HoldTimer:
    """A hold is the time spent at the top of a rep: from arriving there to starting to lower.

    The band is a few degrees below the peak (``HOLD_BAND_MIN_DEG`` or ``HOLD_BAND_FRAC`` of
    the rep's range); the edges of the time spent in it are moved in by the eased approach
    and departure (:func:`_edge_correction`), so the slow end of the climb and the slow start
    of the lowering do not count. Dips shorter than ``HOLD_GRACE_S`` do not break it.
    ``range_x`` is the rep's range so far (its peak above its start, internal units).
    """

    def __init__(self, rep_index: int, target_s: float | None, reached_cue: str) -> None:
        self.rep_index = rep_index
        self.target_s = target_s
        self.reached_cue = reached_cue
        self.live_hold = 0.0  # the current run at the top, as shown live
        self.best_hold = 0.0  # the longest closed run
        self.hold_reached = False
        self.trace: list[tuple[float, float]] = []  # (t, x) of the rep's readable frames
        self.hold_start: float | None = None
        self.run_i: int | None = None  # index in trace of the first sample of the current hold run
        self.floor = NAN  # the hold band's lower edge when hold_start was computed
        self.below_since: float | None = None
        self.below_i = 0
        self.hold_peak = -math.inf  # the peak of the smoothed signal (the hold's reference)

    def track(self, x: float, range_x: float, enter: float, t: float, events: list[Event]) -> None:
        """Follow the (smoothed) signal ``x`` at ``t``; ``enter`` is the lowest the band goes."""
        target = self.target_s or math.inf
        band = _hold_band(range_x)
        tr = self.trace
        # The top may sag slowly during a long hold (the hips settle): the reference follows
        # it down at HOLD_DRIFT_FRAC of the range per second, far slower than any lowering.
        if tr and math.isfinite(self.hold_peak):
            sag = HOLD_DRIFT_FRAC * max(range_x, HOLD_BAND_MIN_DEG / HOLD_BAND_FRAC)
            self.hold_peak -= sag * (t - tr[-1][0])
        self.hold_peak = max(self.hold_peak, x)
        floor = max(enter, self.hold_peak - band)
        tr.append((t, x))
        n = len(tr) - 1
        # Once at the top for a moment, a slow drift upwards is part of the hold; a further
        # climb by more than the band (a pause half-way up, then the rest) is not.
        restart = self.hold_start is None or t - self.hold_start < HOLD_SETTLE_S or floor > self.floor + band
        if self.run_i is not None and floor > self.floor and not self.hold_reached and restart:
            # A higher peak raises the band: samples of the climb below it are not part of the hold.
            i = self.run_i
            while i <= n and tr[i][1] < floor:
                i += 1
            self.run_i = i if i <= n and x >= floor else None
            if self.run_i is not None:
                self.hold_start, self.floor = self._run_start(floor, band), floor
                self.below_since = None
            else:
                self.hold_start = None
        if x >= floor:
            self.below_since = None
            if self.run_i is None:
                self.run_i = n
                self.hold_start, self.floor = self._run_start(floor, band), floor
        elif self.run_i is not None and self.below_since is None:
            self.below_since, self.below_i = _crossing(tr, n, floor), n
        if self.run_i is not None:
            assert self.hold_start is not None  # set whenever run_i is
            # Below the band (a dip, or the lowering): the live hold stops growing.
            self.live_hold = max(0.0, (t if self.below_since is None else self.below_since) - self.hold_start)
            if self.live_hold >= target and not self.hold_reached and self.below_since is None:
                self.hold_reached = True
                events.append(HoldReached(rounded_s(t), self.rep_index, rounded_s(self.live_hold), self.reached_cue))
            if self.below_since is not None and t - self.below_since > HOLD_GRACE_S and x < floor - band:
                self.close(range_x, t, events)
        else:
            self.live_hold = 0.0

    def close(self, range_x: float, t: float, events: list[Event]) -> None:
        """The run at the top ends (a real dip, or the rep ends): it counts towards ``best_hold``."""
        if self.hold_start is None or self.run_i is None:
            self.hold_start, self.run_i, self.below_since, self.live_hold = None, None, None, 0.0
            return
        tr = self.trace
        if self.below_since is not None:
            near = self.below_since
            lower = self.floor - _hold_band(range_x)
            k = self.below_i
            while k < len(tr) and tr[k][1] >= lower:
                k += 1
            far = _crossing(tr, k, lower) if k < len(tr) else t
            end = near - _edge_correction(near, far)
        else:
            end = t
        run = max(0.0, end - self.hold_start)
        self.best_hold = max(self.best_hold, run)
        if not self.hold_reached and self.target_s is not None:
            events.append(HoldBroken(rounded_s(t), self.rep_index, rounded_s(run), self.target_s, ""))
        self.hold_start = None
        self.run_i = None
        self.below_since = None
        self.live_hold = 0.0

    def _run_start(self, floor: float, band: float) -> float:
        """The corrected start of the hold run that begins at ``run_i``."""
        tr, i = self.trace, self.run_i
        assert i is not None
        near = _crossing(tr, i, floor)
        lower = floor - band
        j = i - 1
        while j > 0 and tr[j][1] >= lower:
            j -= 1
        far = _crossing(tr, j + 1, lower) if j >= 0 and tr[j][1] < lower else tr[0][0]
        return near + _edge_correction(near, far)
