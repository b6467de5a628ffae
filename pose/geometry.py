"""Joint and segment angles, body orientation and camera view from pose landmarks.

Conventions (written down once, after pose2sim / Sports2D):

* Points are image coordinates, x to the right and **y down**; arrays may carry any leading
  shape, the last axis is (x, y[, ...]) and only x, y are used.
* A **joint angle** is the angle at the middle point, in degrees in [0, 180]:
  knee = hip-knee-ankle, hip = shoulder-hip-knee; 180 means straight.
* A **segment angle from the horizontal** is measured from the image's +x axis,
  counter-clockwise *as seen on screen* (so "up" in the picture is +90), in (-180, 180].
* A **segment angle from the vertical** is the unsigned angle between the segment and the
  downward vertical (0 = hanging straight down), in [0, 180].
* Missing points are NaN and give NaN, never an exception.

2D angles are only valid for motion parallel to the image plane: a knee bending towards the
camera looks straight. Exercise definitions say which camera view they need for that reason.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from pose.frame import PoseFrame
from pose.landmarks import landmark_index

Orientation = Literal["standing", "supine", "prone", "unknown"]
View = Literal["side", "oblique", "front", "unknown"]

_L = {name: landmark_index(name, "left") for name in ("shoulder", "hip", "knee", "ankle", "ear", "heel", "foot_index")}
_R = {name: landmark_index(name, "right") for name in _L}
_NOSE = landmark_index("nose")

# Width / torso-length ratios that separate views (a frontal adult: shoulders ~0.8 of the torso).
SIDE_VIEW_MAX_RATIO = 0.3
FRONT_VIEW_MIN_RATIO = 0.5


def _clip1(v: float) -> float:
    return min(1.0, max(-1.0, float(v)))


def _xy(p: np.ndarray) -> np.ndarray:
    return np.asarray(p, dtype=np.float64)[..., :2]


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Point halfway between ``a`` and ``b`` (NaN if either is missing)."""
    return (_xy(a) + _xy(b)) / 2.0


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """Euclidean image distance between two points."""
    d = _xy(b) - _xy(a)
    return np.hypot(d[..., 0], d[..., 1])


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray | float:
    """Angle a-b-c at the middle point ``b`` in degrees, [0, 180]; 180 = straight.

    NaN when a point is missing or two points coincide.
    """
    u = _xy(a) - _xy(b)
    v = _xy(c) - _xy(b)
    dot = (u * v).sum(axis=-1)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    norm = np.hypot(u[..., 0], u[..., 1]) * np.hypot(v[..., 0], v[..., 1])
    with np.errstate(invalid="ignore"):
        ang = np.degrees(np.arctan2(np.abs(cross), dot))
    return np.where(norm > 0, ang, np.nan)


def segment_angle_from_horizontal_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray | float:
    """Angle of the segment p->q from the image +x axis, counter-clockwise on screen, (-180, 180].

    Because image y points down, a segment pointing up in the picture gives +90.
    """
    d = _xy(q) - _xy(p)
    ang = np.degrees(np.arctan2(0.0 - d[..., 1], d[..., 0]))  # 0.0 - y: no -0.0, so (-180, 180]
    return np.where(np.hypot(d[..., 0], d[..., 1]) > 0, ang, np.nan)


def segment_angle_from_vertical_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray | float:
    """Unsigned angle between p->q and the downward image vertical, [0, 180]; 0 = straight down."""
    d = _xy(q) - _xy(p)
    ang = np.degrees(np.arctan2(np.abs(d[..., 0]), d[..., 1]))
    return np.where(np.hypot(d[..., 0], d[..., 1]) > 0, ang, np.nan)


def elevation_deg(origin: np.ndarray, tip: np.ndarray, toward_x: float) -> np.ndarray | float:
    """Angle of origin->tip above the image horizontal that points in direction ``toward_x`` (+1/-1).

    Positive when the tip is higher in the picture than the origin; used for a leg lifted off
    the floor (supine or prone, seen from the side). NaN if ``toward_x`` is 0 or NaN.
    """
    d = _xy(tip) - _xy(origin)
    if not np.isfinite(toward_x) or toward_x == 0:
        return np.full(d.shape[:-1], np.nan) if d.ndim > 1 else float("nan")
    return np.degrees(np.arctan2(-d[..., 1], d[..., 0] * np.sign(toward_x)))


# --------------------------------------------------------------------------- whole-body helpers


def _pt(frame: PoseFrame, idx: int) -> np.ndarray:
    return frame.xy_px[idx]


def torso_length_px(frame: PoseFrame) -> float:
    """Distance from the shoulder midpoint to the hip midpoint in pixels (NaN if missing)."""
    sh = midpoint(_pt(frame, _L["shoulder"]), _pt(frame, _R["shoulder"]))
    hp = midpoint(_pt(frame, _L["hip"]), _pt(frame, _R["hip"]))
    return float(distance(sh, hp))


def width_ratio(frame: PoseFrame) -> float:
    """Mean of shoulder width and hip width over torso length, all in image pixels.

    About 0.6-0.8 for a person square to the camera, under 0.2 in a clean side view.
    """
    torso = torso_length_px(frame)
    sw = float(distance(_pt(frame, _L["shoulder"]), _pt(frame, _R["shoulder"])))
    hw = float(distance(_pt(frame, _L["hip"]), _pt(frame, _R["hip"])))
    if not (torso > 0):
        return float("nan")
    return (sw + hw) / 2.0 / torso


def facing_x(frame: PoseFrame) -> float:
    """Which way the front of the body points along image x: +1 (right), -1 (left), 0 unknown.

    From toes ahead of heels and the nose ahead of the ears; meaningful in a side view of a
    standing person.
    """
    votes = 0.0
    scale = torso_length_px(frame)
    if not (scale > 0):
        return 0.0
    for side in (_L, _R):
        d = frame.xy_px[side["foot_index"], 0] - frame.xy_px[side["heel"], 0]
        if np.isfinite(d):
            votes += _clip1(d / (0.1 * scale))
    ears = midpoint(_pt(frame, _L["ear"]), _pt(frame, _R["ear"]))
    d = frame.xy_px[_NOSE, 0] - ears[0]
    if np.isfinite(d):
        votes += 2 * _clip1(d / (0.1 * scale))
    if abs(votes) < 1.0:
        return 0.0
    return float(np.sign(votes))


def body_orientation(frame: PoseFrame) -> Orientation:
    """Standing, supine (on the back), prone (on the stomach) or unknown, from 2D landmarks.

    Standing: torso within 35 deg of vertical with the shoulders above the hips. Lying: torso
    within 40 deg of horizontal; face up (nose above the ears) and toes up say supine, face down
    and toes down say prone; unclear cues give ``"unknown"``. An overhead camera over a supine
    body looks like a standing person square to the camera; 2D landmarks cannot tell them apart.
    """
    if not frame.has_pose:
        return "unknown"
    sh = midpoint(_pt(frame, _L["shoulder"]), _pt(frame, _R["shoulder"]))
    hp = midpoint(_pt(frame, _L["hip"]), _pt(frame, _R["hip"]))
    from_vertical = float(segment_angle_from_vertical_deg(sh, hp))
    if not np.isfinite(from_vertical):
        return "unknown"
    if from_vertical < 35.0:
        return "standing"
    if from_vertical < 50.0 or from_vertical > 130.0:
        return "unknown"  # upside down or halfway: not one of ours
    torso = float(distance(sh, hp))
    score = 0.0
    ears = midpoint(_pt(frame, _L["ear"]), _pt(frame, _R["ear"]))
    face_up = (ears[1] - frame.xy_px[_NOSE, 1]) / (0.15 * torso)  # > 0: nose above the ears
    if np.isfinite(face_up):
        score += 2.0 * _clip1(face_up)
    for side in (_L, _R):
        toes_up = (frame.xy_px[side["heel"], 1] - frame.xy_px[side["foot_index"], 1]) / (0.1 * torso)
        if np.isfinite(toes_up):
            score += 0.5 * _clip1(toes_up)
    if score >= 0.8:
        return "supine"
    if score <= -0.8:
        return "prone"
    return "unknown"


def lying_feet_x(frame: PoseFrame) -> float:
    """Image-x direction from the shoulders towards the hips (+1 / -1), for a lying body; 0 if unknown."""
    sh = midpoint(_pt(frame, _L["shoulder"]), _pt(frame, _R["shoulder"]))
    hp = midpoint(_pt(frame, _L["hip"]), _pt(frame, _R["hip"]))
    d = hp[0] - sh[0]
    return float(np.sign(d)) if np.isfinite(d) and d != 0 else 0.0
