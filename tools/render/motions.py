"""What the body does in each exercise: a neutral posture, a rep's peak, and the geometry.

Each :class:`Motion` maps a small dict of motion parameters (depth, lift of each leg, bridge
height, ...) to segment pitches (see :mod:`rig`), limb abductions and an *anchor*: the body
points that stay put on the floor (both ankles when standing, the shoulders in a bridge), so feet
do not slide. Faults are changes to a rep's peak parameters (or its timing, see ``timeline``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .rig import Rig, pitch_of, two_link_ik

Params = dict[str, float]
Posture = tuple[dict[str, float], dict[str, float], dict[str, float]]  # pitch, abduct, anchor weights

FAULT_CODES = ("knee_bent", "head_lowered", "hips_low", "hold_short", "trunk_lean", "shallow", "hips_drop", "too_fast")

# Arms lying along the body: the rest arm hangs at ~45 deg and the forearm is bent forward.
_ARM_IN = 38.0
_FOREARM_STRAIGHT = 50.0


@dataclass(frozen=True)
class Motion:
    exercise: str
    position: str  # standing | supine | prone
    unilateral: bool
    hold_s: float | None  # hold target at the top, None if the exercise has none
    faults: tuple[str, ...]  # faults this generator can inject and the default view shows
    neutral: Params
    peak: Callable[[str | None, frozenset, float], Params]  # side, faults, rom -> peak overrides
    posture: Callable[[Rig, Params], Posture]
    up_s: float = 1.2
    down_s: float = 1.4
    rest_s: float = 1.0
    views: tuple[str, ...] = ("side",)
    constant: Params = field(default_factory=dict)  # parameters the setup ends in and reps start from


# --------------------------------------------------------------------------- standing


def _standing_posture(rig: Rig, p: Params) -> Posture:
    d = p.get("depth", 0.0)
    lean = p.get("lean", 0.0)
    trunk = 42.0 * d + lean
    pitch = {
        "trunk": trunk,
        "chest": trunk + 2.0 * d,
        "neck": trunk * 0.5 + p.get("head", 0.0) * 0.6,
        "head": trunk * 0.2 + p.get("head", 0.0),
    }
    abduct = {}
    for s in ("L", "R"):
        flex = p.get(f"flex_{s}", 0.0)  # + forward (hip flexion), - backward (extension)
        bend = p.get(f"bend_{s}", 0.0)  # knee flexion of a raised leg
        thigh = -95.0 * d - flex
        shin = 40.0 * d - flex + bend
        pitch[f"thigh_{s}"] = thigh
        pitch[f"shin_{s}"] = shin
        lifted = abs(flex) > 1.0
        pitch[f"foot_{s}"] = (shin * 0.5) if lifted else 0.0  # a lifted foot relaxes halfway
        if "point" in p:  # on the toes (a jump's take-off and flight): heel up
            pitch[f"foot_{s}"] += 45.0 * p["point"]
        abduct[f"leg_{s}"] = p.get("stance_abd", -3.0)
        # Arms: forward for balance in a squat, or holding a support.
        arm = p.get("arm", 0.0)
        pitch[f"upperarm_{s}"] = -arm - 75.0 * d
        pitch[f"forearm_{s}"] = -arm * 1.3 - 75.0 * d + _FOREARM_STRAIGHT * 0.6
        abduct[f"arm_{s}"] = -_ARM_IN + 10.0
    wl = 1.0 - min(abs(p.get("flex_L", 0.0)) / 10.0, 1.0)
    wr = 1.0 - min(abs(p.get("flex_R", 0.0)) / 10.0, 1.0)
    if wl + wr == 0:
        wl = wr = 1.0
    return pitch, abduct, {"left_ankle": wl, "right_ankle": wr}


def _squat_peak(side, faults, rom) -> Params:
    out = {"depth": (0.48 if "shallow" in faults else 1.0) * rom}
    if "head_lowered" in faults:
        out["head"] = 55.0
    if "trunk_lean" in faults:
        out["lean"] = 28.0
    return out


def _standing_raise_peak(direction: float) -> Callable:
    def peak(side, faults, rom) -> Params:
        s = "L" if side == "left" else "R"
        out = {f"flex_{s}": direction * (40.0 if direction > 0 else 28.0) * rom}
        if "knee_bent" in faults:
            out[f"bend_{s}"] = 45.0
        if "trunk_lean" in faults:
            out["lean"] = -20.0 if direction > 0 else 24.0  # leaning back / forward
        return out

    return peak


# --------------------------------------------------------------------------- lying on the back


def _lying_arms(pitch: dict, abduct: dict, trunk: float) -> None:
    for s in ("L", "R"):
        pitch[f"upperarm_{s}"] = trunk
        pitch[f"forearm_{s}"] = trunk + _FOREARM_STRAIGHT
        abduct[f"arm_{s}"] = -_ARM_IN + 8.0


class _Bridge:
    """Supine, knees bent, feet flat: the hips rise about the shoulders, feet stay planted."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple] = {}

    def geometry(self, rig: Rig) -> tuple:
        key = id(rig)
        if key not in self._cache:
            l1, l2 = rig.thigh_len, rig.shin_len
            trunk = math.sqrt(max(rig.trunk_len**2 - 0.06**2, 0.01))
            s = np.array([0.0, 0.075 * rig.trunk_len / 0.479])
            h0 = np.array([trunk, 0.114 * rig.trunk_len / 0.479])
            d = math.sqrt(l1 * l1 + l2 * l2 - 2 * l1 * l2 * math.cos(math.radians(80)))
            ankle = np.array([h0[0] + math.sqrt(d * d - (h0[1] - rig.sole_below_ankle) ** 2), rig.sole_below_ankle])
            # Height of the top where shoulder, hip and knee are in line (bisection).
            lo, hi = 0.0, math.radians(50)
            for _ in range(40):
                mid = (lo + hi) / 2
                hip, knee = self._hip_knee(mid, s, h0, ankle, rig)
                a, b = hip - s, knee - hip
                if a[0] * b[1] - a[1] * b[0] > 0:  # knee above the shoulder-hip line
                    lo = mid
                else:
                    hi = mid
            self._cache[key] = (s, h0, ankle, (lo + hi) / 2)
        return self._cache[key]

    @staticmethod
    def _hip_knee(elev: float, s, h0, ankle, rig: Rig, foot_lift: float = 0.0):
        r = float(np.hypot(*(h0 - s)))
        base = math.atan2(h0[1] - s[1], h0[0] - s[0])
        hip = s + r * np.array([math.cos(base + elev), math.sin(base + elev)])
        target = ankle + np.array([-0.06 * foot_lift, 0.09 * foot_lift])
        knee = two_link_ik(hip, target, rig.thigh_len, rig.shin_len, bend_sign=+1.0)
        return hip, knee

    def posture(self, rig: Rig, p: Params) -> Posture:
        s, h0, ankle, top = self.geometry(rig)
        lift = p.get("bridge", 0.0) - p.get("drop", 0.0)
        elev = top * lift
        pitch: dict[str, float] = {}
        abduct: dict[str, float] = {}
        hip = None
        for side in ("L", "R"):
            m = p.get(f"march_{side}", 0.0)
            hip, knee = self._hip_knee(elev, s, h0, ankle, rig, foot_lift=m)
            target = ankle + np.array([-0.06 * m, 0.09 * m])
            pitch[f"thigh_{side}"] = pitch_of(*(knee - hip), points_up=False)
            pitch[f"shin_{side}"] = pitch_of(*(target - knee), points_up=False)
            pitch[f"foot_{side}"] = 0.0 + 10.0 * m
            abduct[f"leg_{side}"] = -2.0
        trunk = pitch_of(*(s - hip), points_up=True) + p.get("tilt", 0.0)
        pitch["trunk"] = trunk
        pitch["chest"] = trunk - p.get("tilt", 0.0)
        pitch["neck"] = -90.0 + 0.35 * (trunk + 90.0)
        pitch["head"] = -90.0 + 0.1 * (trunk + 90.0)
        _lying_arms(pitch, abduct, -90.0)
        return pitch, abduct, {"left_shoulder": 1.0, "right_shoulder": 1.0}


_BRIDGE = _Bridge()


def _bridge_peak(side, faults, rom) -> Params:
    return {"bridge": (0.55 if "hips_low" in faults else 1.0) * rom}


def _squeeze_peak(side, faults, rom) -> Params:
    return {"tilt": -4.0 * rom}


def _march_peak(side, faults, rom) -> Params:
    s = "L" if side == "left" else "R"
    out = {f"march_{s}": 1.0 * rom}
    if "hips_drop" in faults:
        out["drop"] = 0.45
    return out


def _flat_posture(trunk_pitch: float):
    """Lying flat, legs straight (supine: -90, prone: +90); legs lift or slide out."""
    prone = trunk_pitch > 0

    def posture(rig: Rig, p: Params) -> Posture:
        pitch = {
            "trunk": trunk_pitch,
            "chest": trunk_pitch,
            "neck": trunk_pitch - (25.0 if prone else -8.0),
            "head": trunk_pitch - (35.0 if prone else -5.0),
        }
        abduct: dict[str, float] = {}
        for s in ("L", "R"):
            lift = p.get(f"lift_{s}", 0.0)
            bend = p.get(f"bend_{s}", 0.0)
            thigh = trunk_pitch + (lift if prone else -lift)
            shin = thigh + bend
            pitch[f"thigh_{s}"] = thigh
            pitch[f"shin_{s}"] = shin
            pitch[f"foot_{s}"] = shin + (75.0 if prone else 15.0)
            abduct[f"leg_{s}"] = p.get(f"abd_{s}", 0.0) - 2.0
        _lying_arms(pitch, abduct, trunk_pitch)
        return pitch, abduct, {"left_hip": 1.0, "right_hip": 1.0}

    return posture


def _lift_peak(deg: float):
    def peak(side, faults, rom) -> Params:
        s = "L" if side == "left" else "R"
        out = {f"lift_{s}": deg * rom}
        if "knee_bent" in faults:
            out[f"bend_{s}"] = 40.0
        return out

    return peak


def _abduction_peak(side, faults, rom) -> Params:
    s = "L" if side == "left" else "R"
    out = {f"abd_{s}": 32.0 * rom}
    if "knee_bent" in faults:
        out[f"bend_{s}"] = 45.0
        out[f"lift_{s}"] = 22.0
    return out


MOTIONS: dict[str, Motion] = {
    m.exercise: m
    for m in (
        Motion(
            "squat",
            "standing",
            False,
            None,
            ("head_lowered", "trunk_lean", "shallow", "too_fast"),
            {"depth": 0.0, "head": 0.0, "lean": 0.0, "stance_abd": 2.0},
            _squat_peak,
            _standing_posture,
            up_s=1.4,
            down_s=1.4,
            rest_s=0.8,
            views=("side", "front", "oblique"),
        ),
        Motion(
            "standing_hip_flexion",
            "standing",
            True,
            None,
            ("knee_bent", "trunk_lean", "too_fast"),
            {"flex_L": 0.0, "flex_R": 0.0, "bend_L": 0.0, "bend_R": 0.0, "lean": 0.0, "arm": 35.0},
            _standing_raise_peak(+1.0),
            _standing_posture,
            up_s=1.1,
            down_s=1.2,
            rest_s=0.8,
        ),
        Motion(
            "standing_hip_extension",
            "standing",
            True,
            None,
            ("knee_bent", "trunk_lean", "too_fast"),
            {"flex_L": 0.0, "flex_R": 0.0, "bend_L": 0.0, "bend_R": 0.0, "lean": 0.0, "arm": 45.0},
            _standing_raise_peak(-1.0),
            _standing_posture,
            up_s=1.1,
            down_s=1.2,
            rest_s=0.8,
        ),
        # A camera cannot see a squeeze (only a slight pelvic tilt): no faults to inject.
        Motion(
            "glute_squeeze",
            "supine",
            False,
            5.0,
            (),
            {"bridge": 0.0, "tilt": 0.0},
            _squeeze_peak,
            _BRIDGE.posture,
            up_s=0.6,
            down_s=0.6,
            rest_s=2.0,
        ),
        Motion(
            "glute_bridge",
            "supine",
            False,
            5.0,
            ("hips_low", "hold_short", "too_fast"),
            {"bridge": 0.0},
            _bridge_peak,
            _BRIDGE.posture,
            up_s=1.5,
            down_s=2.0,
            rest_s=1.5,
        ),
        Motion(
            "bridge_march",
            "supine",
            True,
            None,
            ("hips_drop", "too_fast"),
            {"bridge": 1.0, "march_L": 0.0, "march_R": 0.0, "drop": 0.0},
            _march_peak,
            _BRIDGE.posture,
            up_s=0.8,
            down_s=0.8,
            rest_s=0.6,
            constant={"bridge": 1.0},
        ),
        Motion(
            "straight_leg_raise",
            "supine",
            True,
            5.0,
            ("knee_bent", "hold_short", "too_fast"),
            {"lift_L": 0.0, "lift_R": 0.0, "bend_L": 0.0, "bend_R": 0.0},
            _lift_peak(35.0),
            _flat_posture(-90.0),
            up_s=1.3,
            down_s=1.5,
            rest_s=1.2,
        ),
        Motion(
            "hip_abduction",
            "supine",
            True,
            None,
            ("knee_bent", "too_fast"),
            {"abd_L": 0.0, "abd_R": 0.0, "bend_L": 0.0, "bend_R": 0.0, "lift_L": 0.0, "lift_R": 0.0},
            _abduction_peak,
            _flat_posture(-90.0),
            up_s=1.3,
            down_s=1.3,
            rest_s=0.8,
            views=("feet", "above"),
        ),
        Motion(
            "prone_hip_extension",
            "prone",
            True,
            5.0,
            ("knee_bent", "hold_short", "too_fast"),
            {"lift_L": 0.0, "lift_R": 0.0, "bend_L": 0.0, "bend_R": 0.0},
            _lift_peak(22.0),
            _flat_posture(90.0),
            up_s=1.2,
            down_s=1.4,
            rest_s=1.2,
        ),
    )
}
