"""One movement under way, and whether it counts: a rep in progress, or an excursion short of one."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from exercises.body_context import FeetTorso
from exercises.definitions import ExerciseDef
from exercises.hold import HoldTimer
from pose.landmarks import Side

SPLIT_FRAC = 0.6  # back this much of a rep's range and up again as much: the next rep, without a rest
ARM_WATCH_S = 0.8  # watched this long (enough to tell walking) before rest without a pause is trusted
PRE_TURN_S = 0.3  # a lift under way at the first frame: this much of it must be seen for it to count
REP_MAX_TRAVEL_TORSO = 0.25  # both feet carried sideways further than this during a rep: a stride
PARTIAL_FRAC = 0.3  # an excursion this far from the exit to the enter threshold is a partial rep


@dataclass
class Rep:
    """A repetition in progress (mutable), in internal units (movement away from rest).

    Its hold is timed by ``hold``; its faults are kept by the checker's RuleJudge.
    """

    index: int
    start_t: float
    side: Side | None
    start_x: float
    peak_x: float
    peak_v: float  # the signal at the peak, in its own units
    peak_t: float
    hold: HoldTimer
    pre_started: bool = False  # under way at the first frame: its start was not seen
    peak_smooth: float = -math.inf  # the peak of the smoothed signal
    valley: tuple[float, float] | None = None  # (t, x): the lowest point of the smoothed signal since its peak
    votes: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    feet: FeetTorso | tuple[()] = ()  # BodyReader.feet_torso at the start: feet and hips carried away is a stride

    @property
    def range_x(self) -> float:
        return self.peak_x - self.start_x

    def voted_side(self) -> Side | None:
        """The side most of the rep's frames past the enter threshold had up."""
        v = self.votes
        if v["left"] == v["right"]:
            return self.side
        return "left" if v["left"] > v["right"] else "right"

    def rebounded(self, x: float, enter: float, min_range: float) -> bool:
        """Whether the rep came back most of its range and is rising again into a new one."""
        assert self.valley is not None
        x_v = self.valley[1]
        cycle = max(min_range, SPLIT_FRAC * (self.peak_smooth - self.start_x))
        return self.peak_smooth - x_v >= cycle and x - x_v >= cycle and x >= enter

    def rejection(self, defn: ExerciseDef, feet_torso: FeetTorso, t: float, x: float) -> str | None:
        """Why the rep ending at ``(t, x)`` does not count (a partial rep's reason), or None.

        ``feet_torso``: the ankles, the torso length and the hips now, as ``BodyReader.feet_torso``.
        """
        d = defn
        # Walking carries the hips and both feet away (sideways, or towards the camera); a
        # squat sits the hips back but keeps the feet, a leg swing moves one foot and not the
        # hips, a jump lands where it took off.
        left, right, torso, hips = feet_torso
        # Left/right labels may have swapped: any foot still where a foot was is planted.
        moved = [float(np.hypot(*(a - b))) for a in (left, right) for b in self.feet[:2]]
        feet_travel = min(moved) / torso if torso > 0 and moved else 0.0
        hips_travel = float(np.hypot(*(hips - self.feet[3]))) / torso if torso > 0 and len(self.feet) > 3 else 0.0
        travelled = min(feet_travel, hips_travel)
        # A rep under way at the first frame is measured on its way back, and counts only if its
        # effort was seen: the return of a squat, or enough of the lift before the turn.
        low_x = x if self.pre_started else self.start_x
        lift_unseen = d.effort == "away" and self.peak_t - self.start_t < PRE_TURN_S
        if travelled > REP_MAX_TRAVEL_TORSO:
            return "walking"  # a stride, not an exercise
        if self.pre_started and (lift_unseen or t - self.start_t < ARM_WATCH_S):
            return "started_before_clip"
        if self.peak_x - low_x < d.min_range_deg or (
            d.min_peak_deg is not None and d.direction * (self.peak_v - d.min_peak_deg) < 0
        ):
            return "too_small"
        if t - self.start_t < d.min_rep_s:
            return "too_short"
        return None


@dataclass
class Excursion:
    """A movement away from rest that has not (yet) reached the enter threshold."""

    start_t: float
    side: Side | None
    peak_x: float
    peak_v: float

    def is_partial(self, t: float, enter: float, exit_: float, min_rep_s: float) -> bool:
        """Whether, back at rest at ``t``, it was a real attempt (a partial rep), not jitter."""
        # A third of the way from the exit to the enter threshold: clear of rest-time jitter.
        return self.peak_x >= exit_ + PARTIAL_FRAC * (enter - exit_) and t - self.start_t >= min_rep_s
