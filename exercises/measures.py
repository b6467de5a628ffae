"""The named signals and form measures, in degrees: each a function of one body and a side.

Exercise definitions choose them by name (``SIGNALS`` count reps; ``MEASURES`` also judge form and
postures). Each is NaN when it cannot be read. The body gives this frame's points and the context
learnt over frames (view, facing, reference limb lengths): :class:`~exercises.signals.BodyReader`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np

from pose.geometry import View, elevation_deg, joint_angle_deg, segment_angle_from_vertical_deg
from pose.landmarks import SIDES, Side, other_side

# Shin / thigh length ratio (2D) outside which a knee angle is not believed: a collapsed ankle
# landmark (seen in supine leg raises) makes the shin look short and the knee look bent.
SHIN_THIGH_RATIO_OK = (0.7, 1.5)
NAN = float("nan")


class Body(Protocol):
    """What the measures read: this frame's points (px) and the context learnt over frames."""

    view: View

    @property
    def facing(self) -> float:
        """+1 / -1: a standing person faces image right / left; 0 unknown."""
        ...

    @property
    def feet_x(self) -> float:
        """+1 / -1: a lying person's feet are to the image right / left; 0 unknown."""
        ...

    def point(self, name: str, side: Side) -> np.ndarray: ...

    def nose(self) -> np.ndarray: ...

    def dist(self, a: str, sa: Side, b: str, sb: Side) -> float: ...

    def limb_ref(self, limb: str, side: Side) -> float:
        """The longest length of ``limb`` (thigh, shin) seen lately (px)."""
        ...

    def limbs_settling(self) -> bool:
        """The reference limb lengths are too new to trust."""
        ...


def _angle(b: Body, a: str, mid: str, c: str, s: Side) -> float:
    return float(joint_angle_deg(b.point(a, s), b.point(mid, s), b.point(c, s)))


def hip_angle(b: Body, s: Side) -> float:
    """Shoulder-hip-knee; 180 = a straight line (bridge top), ~120-135 hook-lying.

    For a lying body (shoulder-knee line nearer horizontal than vertical) a hip pushed
    above that line reads past 180 (e.g. 190), so an over-arched bridge does not fold
    back to look like a low one.
    """
    sh, hip, knee = b.point("shoulder", s), b.point("hip", s), b.point("knee", s)
    ang = float(joint_angle_deg(sh, hip, knee))
    dx, dy = knee[0] - sh[0], knee[1] - sh[1]
    if abs(dx) > abs(dy):
        line_y = sh[1] + (hip[0] - sh[0]) * dy / dx
        if hip[1] < line_y:
            ang = 360.0 - ang
    return ang


def knee_angle(b: Body, s: Side) -> float:
    """Hip-knee-ankle, NaN when the shin/thigh length ratio is implausible (collapsed ankle)."""
    thigh = b.dist("hip", s, "knee", s)
    shin = b.dist("knee", s, "ankle", s)
    lo, hi = SHIN_THIGH_RATIO_OK
    if not (thigh > 0 and lo <= shin / thigh <= hi):
        return NAN
    return _angle(b, "hip", "knee", "ankle", s)


def knee_angle_raw(b: Body, s: Side) -> float:
    """Hip-knee-ankle without the plausibility check (postures, not faults)."""
    return _angle(b, "hip", "knee", "ankle", s)


def leg_elevation(b: Body, s: Side) -> float:
    """Hip->ankle above the horizontal towards the feet: a leg lifted off the floor (lying)."""
    return float(elevation_deg(b.point("hip", s), b.point("ankle", s), b.feet_x))


def foot_lift(b: Body, s: Side) -> float:
    """Height of this ankle above the shoulders (on the floor), as a shin tilt:
    asin(height / shin length). Only changes matter: the checker learns each foot's rest,
    so a 10 cm lift of a 42 cm shin reads about 14 deg above it. Measured against the
    shoulders, not the other foot, because a model tracking the far foot poorly drags
    the near one along.
    """
    o = other_side(s)
    shin = (b.dist("knee", s, "ankle", s) + b.dist("knee", o, "ankle", o)) / 2
    floor_y = (b.point("shoulder", s)[1] + b.point("shoulder", o)[1]) / 2
    rise = floor_y - b.point("ankle", s)[1]
    if not shin > 0:
        return NAN
    return math.degrees(math.asin(min(1.0, max(-1.0, rise / shin))))


def thigh_forward(b: Body, s: Side) -> float:
    """Hip->knee from the downward vertical, positive in front of the body (side view)."""
    f = b.facing
    if f == 0:
        return NAN
    d = b.point("knee", s) - b.point("hip", s)
    return math.degrees(math.atan2(d[0] * f, d[1]))


def thigh_backward(b: Body, s: Side) -> float:
    return -thigh_forward(b, s)


def leg_abduction(b: Body, s: Side) -> float:
    """Hip->ankle away from the body's midline, positive outwards (front / overhead view)."""
    o = other_side(s)
    sh = (b.point("shoulder", s) + b.point("shoulder", o)) / 2
    hp = (b.point("hip", s) + b.point("hip", o)) / 2
    axis = hp - sh
    out = b.point("hip", s) - b.point("hip", o)
    na, no = math.hypot(*axis), math.hypot(*out)
    if not (na > 0 and no > 0):
        return NAN
    v = b.point("ankle", s) - b.point("hip", s)
    return math.degrees(math.atan2(float(v @ out) / no, float(v @ axis) / na))


def _knee_estimate(b: Body, s: Side) -> float:
    """Knee angle from vertical extents and the longest thigh/shin seen lately.

    Foreshortening towards the camera (a front view of a squat) shortens the vertical
    extent of a segment as it tilts, so its tilt from the vertical is acos(extent / length).
    Assumes a roughly level camera and a knee that bends forward.
    """
    hip, knee, ankle = b.point("hip", s), b.point("knee", s), b.point("ankle", s)
    t_ref, s_ref = b.limb_ref("thigh", s), b.limb_ref("shin", s)
    if not (t_ref > 0 and s_ref > 0) or b.limbs_settling():
        # The longest limbs seen are not known yet: the plain 2D angle is the safer guess.
        return float(joint_angle_deg(hip, knee, ankle))
    thigh_tilt = math.acos(min(1.0, max(-1.0, (knee[1] - hip[1]) / t_ref)))
    shin_tilt = math.acos(min(1.0, max(-1.0, (ankle[1] - knee[1]) / s_ref)))
    # A knee seen above the hip (a low camera, a deep squat) tilts the thigh past 90 deg; the
    # sum can pass 180, which no knee bends to: the estimate stays a real angle.
    return max(0.0, 180.0 - math.degrees(thigh_tilt + shin_tilt))


def squat_knee_angle(b: Body, s: Side) -> float:
    """Knee angle: the 2D angle in a side view, else the extent-based estimate of both legs."""
    if b.view == "side":
        return _angle(b, "hip", "knee", "ankle", s)
    vals = [v for v in (_knee_estimate(b, "left"), _knee_estimate(b, "right")) if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else NAN


def thigh_drop(b: Body, s: Side) -> float:
    """How far the hips are above knee level, as a thigh tilt: 90 standing, 0 thighs level."""
    vals = []
    for side in (s,) if b.view == "side" else SIDES:
        t_ref = b.limb_ref("thigh", side)
        if t_ref > 0:
            rise = (b.point("knee", side)[1] - b.point("hip", side)[1]) / t_ref
            if math.isfinite(rise):
                vals.append(math.degrees(math.asin(min(1.0, max(-1.0, rise)))))
    return sum(vals) / len(vals) if vals else NAN


def _mid(b: Body, name: str) -> np.ndarray:
    return (b.point(name, "left") + b.point(name, "right")) / 2


def pelvis_lift(b: Body, s: Side) -> float:
    """Lying: how high the hips are lifted off the shoulders' line, as the trunk's angle above
    the horizontal (0 flat, ~25-35 in a bridge). Uses both sides: it is the pelvis, not a leg."""
    d = _mid(b, "hip") - _mid(b, "shoulder")
    return math.degrees(math.atan2(-d[1], abs(d[0])))


def trunk_lean(b: Body, s: Side) -> float:
    """Shoulders->hips from the downward vertical: 0 upright."""
    return float(segment_angle_from_vertical_deg(_mid(b, "shoulder"), _mid(b, "hip")))


def head_drop(b: Body, s: Side) -> float:
    """Ear->nose below the horizontal: ~10-20 looking ahead, 50+ looking at the floor."""
    d = b.nose() - b.point("ear", s)
    return math.degrees(math.atan2(d[1], abs(d[0])))


Measure = Callable[[Body, Side], float]
# The counting signals, then the measures only form rules and postures use.
SIGNAL_FUNCTIONS: dict[str, Measure] = {
    "hip_angle": hip_angle,
    "foot_lift": foot_lift,
    "leg_elevation": leg_elevation,
    "thigh_forward": thigh_forward,
    "thigh_backward": thigh_backward,
    "leg_abduction": leg_abduction,
    "squat_knee_angle": squat_knee_angle,
}
MEASURE_FUNCTIONS: dict[str, Measure] = {
    **SIGNAL_FUNCTIONS,
    "knee_angle": knee_angle,
    "knee_angle_raw": knee_angle_raw,
    "pelvis_lift": pelvis_lift,
    "trunk_lean": trunk_lean,
    "head_drop": head_drop,
    "thigh_drop": thigh_drop,
}
SIGNALS = tuple(SIGNAL_FUNCTIONS)
MEASURES = tuple(MEASURE_FUNCTIONS)
