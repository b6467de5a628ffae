"""No silent zero: notices a person moving while nothing counts, and names why.

The rep machine counts what matches the exercise. Everything else used to pass in silence: a
person doing their best while the count stays at 0. This watcher follows the counting signal's
own cycles (up by a clear amount and back down again), whatever the thresholds, and the body's
overall movement. When two cycles pass and neither a rep nor a partial rep was recorded for them,
or the body keeps moving for a while with no cycle of the counted joint at all, it gives a
"why I'm not counting" code that the checker reports like any other status:

- ``movement_too_small``: the counted joint moves in cycles that never reach the target;
- ``not_back_to_start``: cycles that reach the target but never come back to the start position;
- ``outside_exercise``: the starting posture the exercise needs is not there (e.g. a bridge
  march with the hips down, a knee bent where it should be straight);
- ``other_movement``: the body moves, but not the joint this exercise counts (another exercise
  chosen by mistake, or a movement the camera view cannot show).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from exercises.definitions import ExerciseDef

UNEXPLAINED_CYCLES = 2  # cycles that counted for nothing before the watcher speaks
CYCLE_FRAC_OF_RANGE = 0.5  # a cycle moves the signal at least half the exercise's minimum range
CYCLE_MIN_DEG = 4.0  # ... and never less than this (jitter is 1-3 degrees)
BODY_MOVING_TORSO = 0.3  # joints travelling this far (torso lengths) within a second: a body on the move
OTHER_MOVEMENT_S = 6.0  # moving this long with no cycle of the counted joint: another movement
QUIET_RESET_S = 4.0  # no cycle for this long: whatever was said no longer applies


@dataclass
class _Cycle:
    start_t: float
    low: float  # the trough the cycle left from (internal units: larger is further into a rep)
    high: float = -math.inf
    high_t: float = math.nan


class MovementWatch:
    """Feed it every readable frame; ``code`` is the current reason, or None."""

    def __init__(self, definition: ExerciseDef) -> None:
        self.defn = definition
        self.cycle_deg = max(CYCLE_MIN_DEG, CYCLE_FRAC_OF_RANGE * definition.min_range_deg)
        self.reset()

    def reset(self) -> None:
        self.code: str | None = None
        self._cycle: _Cycle | None = None
        self._low = math.inf
        self._low_t = math.nan
        self._unexplained: list[_Cycle] = []
        self._last_cycle_t: float | None = None
        self._moving_since: float | None = None
        self._last_recorded_t = -math.inf

    def recorded(self, t: float) -> None:
        """A rep or a partial rep was just recorded: the movement is accounted for."""
        self._last_recorded_t = t
        self._unexplained.clear()
        self._moving_since = None
        self.code = None

    def pause(self) -> None:
        """Nothing readable this frame: movement is judged afresh once the body is seen again."""
        self._cycle, self._low, self._moving_since = None, math.inf, None

    def update(
        self,
        t: float,
        x: float,
        enter: float,
        exit_: float,
        blocker: str | None,
        body_motion: float,
        in_rep: bool = False,
    ) -> str | None:
        """One readable frame. ``x``: the counting signal in the checker's internal units (rest
        low, ``enter``/``exit_`` its thresholds); ``blocker``: why the rep machine would not
        start a rep now (``not_back_to_start``, ``outside_exercise``) or None; ``body_motion``:
        how far the body's joints travelled in the last second (torso lengths); ``in_rep``: a rep is under
        way (its cycles will be accounted for when it ends)."""
        if in_rep:
            self._moving_since = None
            self._unexplained.clear()
        self._follow_cycles(t, x, enter, exit_, blocker, in_rep)
        self._follow_body(t, body_motion)
        if self._last_cycle_t is not None and t - self._last_cycle_t > QUIET_RESET_S and self.code != "other_movement":
            self._unexplained.clear()
            if self.code is not None and self.code != "other_movement":
                self.code = None
        return self.code

    def _follow_cycles(self, t: float, x: float, enter: float, exit_: float, blocker: str | None, in_rep: bool) -> None:
        if not math.isfinite(x):
            return
        cycle = self._cycle
        if cycle is None:
            if x < self._low:
                self._low, self._low_t = x, t
            elif x - self._low >= self.cycle_deg:
                self._cycle = _Cycle(self._low_t, self._low, x, t)
            return
        if x > cycle.high:
            cycle.high, cycle.high_t = x, t
        elif cycle.high - x >= self.cycle_deg:
            # Up and back down by a clear amount: one cycle of the counted joint.
            self._cycle, self._low, self._low_t = None, x, t
            self._last_cycle_t = t
            self._moving_since = None
            if cycle.start_t > self._last_recorded_t and not in_rep:
                self._unexplained.append(cycle)
                if len(self._unexplained) >= UNEXPLAINED_CYCLES:
                    self.code = self._why(enter, exit_, blocker)

    def _why(self, enter: float, exit_: float, blocker: str | None) -> str:
        recent = self._unexplained[-UNEXPLAINED_CYCLES:]
        if all(c.high < enter for c in recent):
            return "movement_too_small"
        if blocker is not None:
            return blocker
        return "not_back_to_start" if all(c.low > exit_ for c in recent) else "outside_exercise"

    def _follow_body(self, t: float, body_motion: float) -> None:
        moving = math.isfinite(body_motion) and body_motion > BODY_MOVING_TORSO
        if not moving:
            self._moving_since = None
            if self.code == "other_movement":
                self.code = None
            return
        if self._moving_since is None:
            self._moving_since = t
        recent_cycle = self._last_cycle_t is not None and t - self._last_cycle_t < OTHER_MOVEMENT_S
        if (
            t - self._moving_since >= OTHER_MOVEMENT_S
            and not recent_cycle
            and t - self._last_recorded_t >= OTHER_MOVEMENT_S
            and self.code is None
        ):
            self.code = "other_movement"
