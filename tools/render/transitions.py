"""How the person moves between exercises: getting down to the floor and up again, and walking.

A floor exercise is reached through a *chain* of postures, from the exercise's rest pose up to
standing. On the back: lying -> sitting (knees up) -> crouching -> standing. On the stomach:
lying -> hands beside the chest -> pushed up on them -> all fours -> kneeling -> half crouch ->
standing. Each step between two postures keeps one body point on the floor still (its *anchor*):
the hips while lying down or sitting up, the hands while the knees come under the hips, the ankles
while sitting or kneeling down from standing, so hands and feet do not slide.
Postures are segment pitches and abductions as in :mod:`rig` (absolute, deg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .motions import MOTIONS
from .posing import _setup_pose

Pose = tuple[dict[str, float], dict[str, float]]  # pitch, abduct

HIPS = ("left_hip", "right_hip")
ANKLES = ("left_ankle", "right_ankle")


def _both(**per_side: float) -> dict[str, float]:
    """``thigh=-90`` -> ``{"thigh_L": -90, "thigh_R": -90}``; ``trunk`` etc. stay as they are."""
    out = {}
    for key, value in per_side.items():
        if key in ("trunk", "chest", "neck", "head"):
            out[key] = value
        else:
            out[f"{key}_L"] = out[f"{key}_R"] = value
    return out


STAND: Pose = (
    _both(trunk=2.0, chest=2.0, neck=0.0, head=0.0, thigh=0.0, shin=2.0, foot=0.0, upperarm=0.0, forearm=25.0),
    _both(arm=-28.0, leg=-3.0),
)
# Deep crouch before sitting down: knees high, trunk forward for balance, arms reaching forward.
CROUCH: Pose = (
    _both(
        trunk=38.0, chest=40.0, neck=25.0, head=10.0, thigh=-112.0, shin=38.0, foot=0.0, upperarm=-35.0, forearm=-50.0
    ),
    _both(arm=-25.0, leg=6.0),
)
# Sitting, knees up and feet flat, leaning back on the hands.
SIT: Pose = (
    _both(
        trunk=-22.0, chest=-18.0, neck=-5.0, head=5.0, thigh=-130.0, shin=-45.0, foot=0.0, upperarm=30.0, forearm=15.0
    ),
    _both(arm=-20.0, leg=4.0),
)
# Half crouch before kneeling: the knees go forward and down over the planted feet. Not deep, so
# the hips never sink on the way from kneeling up to standing.
HALF_CROUCH: Pose = (
    _both(trunk=25.0, chest=25.0, neck=12.0, head=5.0, thigh=-35.0, shin=35.0, foot=0.0, upperarm=-20.0, forearm=-30.0),
    _both(arm=-25.0, leg=-2.0),
)
KNEEL: Pose = (
    _both(trunk=5.0, chest=5.0, neck=0.0, head=0.0, thigh=3.0, shin=92.0, foot=150.0, upperarm=5.0, forearm=20.0),
    _both(arm=-28.0, leg=-2.0),
)
# Knees under the hips, hands under the shoulders: the trunk rises towards the head, as the arms
# are longer than the thighs.
ALL_FOURS: Pose = (
    _both(trunk=78.0, chest=80.0, neck=55.0, head=45.0, thigh=0.0, shin=90.0, foot=150.0, upperarm=-3.0, forearm=3.0),
    _both(arm=-33.0, leg=-2.0),
)
# Pushed up on the hands, hips still on the floor, elbows bent: the way up from lying on the stomach.
PUSH_UP: Pose = (
    _both(
        trunk=32.0, chest=28.0, neck=20.0, head=15.0, thigh=88.0, shin=92.0, foot=165.0, upperarm=30.0, forearm=-25.0
    ),
    _both(arm=-33.0, leg=-2.0),
)
# Lying on the stomach, hands placed beside the chest (elbows up) to push up.
HANDS_DOWN: Pose = (
    _both(
        trunk=90.0, chest=90.0, neck=70.0, head=60.0, thigh=90.0, shin=92.0, foot=165.0, upperarm=180.0, forearm=20.0
    ),
    _both(arm=-30.0, leg=-2.0),
)
WRISTS = ("left_wrist", "right_wrist")


@dataclass(frozen=True)
class Chain:
    """Postures from the exercise's rest pose (index 0, not listed) to standing (the last one).

    ``anchors[i]`` stays still between posture ``i`` and ``i + 1``; ``durations_s[i]`` is how long
    that step takes.
    """

    poses: tuple[Pose, ...]
    anchors: tuple[tuple[str, ...], ...]
    durations_s: tuple[float, ...]
    # Steps whose anchor keeps its height too: the arms move in the air, and the lowest point of a
    # swinging hand must not lift the body off the floor.
    held: tuple[int, ...] = ()

    @property
    def steps(self) -> int:
        return len(self.poses)

    def stage(self, progress: float) -> float:
        """Progress 0 (lying) .. 1 (standing) -> a stage 0 .. ``steps``, steps paced by their durations."""
        total = sum(self.durations_s)
        left = min(max(progress, 0.0), 1.0) * total
        for i, d in enumerate(self.durations_s):
            if left <= d or i == len(self.durations_s) - 1:
                return i + min(left / d, 1.0)
            left -= d
        return float(self.steps)


CHAINS: dict[str, Chain] = {
    "standing": Chain((), (), ()),
    "supine": Chain((SIT, CROUCH, STAND), (HIPS, ANKLES, ANKLES), (1.6, 1.2, 1.0)),
    "prone": Chain(
        (HANDS_DOWN, PUSH_UP, ALL_FOURS, KNEEL, HALF_CROUCH, STAND),
        (HIPS, HIPS, WRISTS, HIPS, ANKLES, ANKLES),
        (0.6, 0.8, 0.9, 0.7, 0.7, 0.8),
        held=(0,),
    ),
}

STRIDE_M = 0.65  # a step: half a walking cycle


def walk_cycle(walked_m: float) -> Pose:
    """The walking posture after ``walked_m`` metres (the same cycle as a clip's walk-in)."""
    return _setup_pose(MOTIONS["squat"], walked_m / STRIDE_M * math.pi)


@dataclass(frozen=True)
class WalkProfile:
    """A walk of ``distance_m``: speeds up over ``accel_s``, cruises, slows down over ``decel_s``."""

    distance_m: float
    speed_m_s: float
    accel_s: float
    decel_s: float

    @property
    def cruise_s(self) -> float:
        return max(self.distance_m / self.speed_m_s - (self.accel_s + self.decel_s) / 2, 0.0)

    @property
    def duration_s(self) -> float:
        return self.accel_s + self.cruise_s + self.decel_s

    def covered_m(self, t: float) -> float:
        """Metres walked after ``t`` s (0 before the start, ``distance_m`` after the end)."""
        v, a, c, d = self.speed_m_s, self.accel_s, self.cruise_s, self.decel_s
        t = min(max(t, 0.0), self.duration_s)
        if t <= a:
            out = v * t * t / (2 * a)
        elif t <= a + c:
            out = v * a / 2 + v * (t - a)
        else:
            u = t - a - c
            out = v * a / 2 + v * c + v * u - v * u * u / (2 * d)
        return min(out, self.distance_m)
