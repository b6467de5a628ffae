"""Posing the figure: forward kinematics, a two-link IK, linear-blend skinning, landmarks.

A pose is a global rotation per kept bone (:data:`assets.BONES`) plus where the root joint goes.
Motion scripts think in *segment pitches*: the angle, about the body's left-right axis, by which
a segment has turned away from its rest (standing) direction. For a segment pointing up in the
rest pose (trunk, neck) a positive pitch leans it forward; for one pointing down (thigh, shin,
arm) a positive pitch swings it backward. A lying person is the same pose pitched by -90 deg
(on the back) or +90 deg (on the stomach). Abduction turns a limb sideways about the forward axis.
"""

from __future__ import annotations

import math

import numpy as np

from .assets import BONE_INDEX, BONES, Figure

_B = BONE_INDEX


def rot_x(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_z(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def pitch_of(forward: float, up: float, points_up: bool) -> float:
    """Segment pitch (deg) that points a segment along (forward, up) in the sagittal plane."""
    if points_up:
        return math.degrees(math.atan2(forward, up))
    return math.degrees(math.atan2(-forward, -up))


def direction(pitch_deg: float, points_up: bool) -> np.ndarray:
    """Inverse of :func:`pitch_of`: unit (forward, up) of a segment with that pitch."""
    a = math.radians(pitch_deg)
    d = np.array([math.sin(a), math.cos(a)])
    return d if points_up else -d


def two_link_ik(root: np.ndarray, target: np.ndarray, l1: float, l2: float, bend_sign: float) -> np.ndarray:
    """Middle joint (2D) of a two-link chain from ``root`` reaching ``target``.

    ``bend_sign`` picks which side the joint bends to (+1: to the left of root->target).
    The target is pulled in when it is out of reach, so the chain is then straight.
    """
    d = target - root
    dist = float(np.hypot(*d))
    dist_c = min(max(dist, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-6)
    a = (l1 * l1 - l2 * l2 + dist_c * dist_c) / (2 * dist_c)
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))
    u = d / max(dist, 1e-9)
    perp = np.array([-u[1], u[0]])
    return root + a * u + bend_sign * h * perp


class Rig:
    """The figure's skeleton with FK and skinning. Construct once; pose many times."""

    def __init__(self, figure: Figure, scale: np.ndarray | float = 1.0) -> None:
        self.figure = figure
        s = np.broadcast_to(np.asarray(scale, float), (3,))
        self.rest_vertices = figure.vertices * s
        self.rest_joints = figure.joints * s
        self.parents = figure.parents
        self.anchor_names = list(figure.anchors)
        self._anchor_vertex = []
        self._anchor_bone = []
        for name in self.anchor_names:
            a = figure.anchors[name]
            if a[0] == "vertex":
                self._anchor_vertex.append((name, int(a[1])))
            else:
                self._anchor_bone.append((name, int(a[1]), np.asarray(a[2]) * s))
        j = self.rest_joints
        self.thigh_len = float(np.linalg.norm(j[_B["lowerleg01.L"]] - j[_B["upperleg01.L"]]))
        self.shin_len = float(np.linalg.norm(j[_B["foot.L"]] - j[_B["lowerleg01.L"]]))
        self.trunk_len = float(np.linalg.norm(j[_B["upperarm01.L"]] - j[_B["upperleg01.L"]]))
        v = self.rest_vertices
        self.sole_below_ankle = float(j[_B["foot.L"], 1] - v[:, 1].min())

    def skin(self, global_rot: np.ndarray, root_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Posed (vertices, per-vertex blended rotations, joint positions) from global bone rotations."""
        rest = self.rest_joints
        n = len(BONES)
        pos = np.zeros((n, 3))
        for b in range(n):
            p = self.parents[b]
            if p < 0:
                pos[b] = root_pos
            else:
                pos[b] = pos[p] + global_rot[p] @ (rest[b] - rest[p])
        # Skinning matrices: x -> R_b (x - rest_b) + pos_b
        mats = np.zeros((n, 3, 4))
        mats[:, :, :3] = global_rot
        mats[:, :, 3] = pos - np.einsum("bij,bj->bi", global_rot, rest)
        f = self.figure
        blended = np.einsum("vk,vkij->vij", f.weight, mats[f.weight_bone])
        verts = np.einsum("vij,vj->vi", blended[:, :, :3], self.rest_vertices) + blended[:, :, 3]
        return verts, blended[:, :, :3], pos

    def landmarks(self, verts: np.ndarray, global_rot: np.ndarray, joints: np.ndarray) -> dict[str, np.ndarray]:
        out = {name: verts[i] for name, i in self._anchor_vertex}
        for name, b, p in self._anchor_bone:
            out[name] = joints[b] + global_rot[b] @ (p - self.rest_joints[b])
        return out


# A segment without its own pitch turns with the one it hangs from (the thigh with the trunk...).
PARENT_SEGMENT = {
    "chest": "trunk",
    "neck": "chest",
    "head": "neck",
    "thigh_L": "trunk",
    "thigh_R": "trunk",
    "shin_L": "thigh_L",
    "shin_R": "thigh_R",
    "foot_L": "shin_L",
    "foot_R": "shin_R",
    "upperarm_L": "chest",
    "upperarm_R": "chest",
    "forearm_L": "upperarm_L",
    "forearm_R": "upperarm_R",
}


def compose(
    pitch: dict[str, float], abduct: dict[str, float], facing_deg: float, twist: dict[str, float] | None = None
) -> np.ndarray:
    """Global rotation per bone from segment pitches/abductions (deg) and a facing yaw.

    ``pitch`` keys: ``trunk`` (pelvis and lower back), ``chest``, ``neck``, ``head``,
    ``thigh_L``/``_R``, ``shin_*``, ``foot_*``, ``upperarm_*``, ``forearm_*``.
    Missing keys inherit their parent's pitch (a relaxed joint).
    """
    twist = twist or {}
    yaw = rot_y(facing_deg)
    segments = {
        "root": "trunk",
        "spine04": "trunk",
        "spine02": "chest",
        "neck01": "neck",
        "head": "head",
        "clavicle.L": "chest",
        "clavicle.R": "chest",
        "upperarm01.L": "upperarm_L",
        "upperarm01.R": "upperarm_R",
        "lowerarm01.L": "forearm_L",
        "lowerarm01.R": "forearm_R",
        "wrist.L": "forearm_L",
        "wrist.R": "forearm_R",
        "upperleg01.L": "thigh_L",
        "upperleg01.R": "thigh_R",
        "lowerleg01.L": "shin_L",
        "lowerleg01.R": "shin_R",
        "foot.L": "foot_L",
        "foot.R": "foot_R",
    }

    def get(key: str) -> float:
        while key not in pitch:
            key = PARENT_SEGMENT[key]
        return pitch[key]

    limb_abduct = {
        "thigh_L": 1,
        "shin_L": 1,
        "foot_L": 1,
        "thigh_R": -1,
        "shin_R": -1,
        "foot_R": -1,
        "upperarm_L": 1,
        "forearm_L": 1,
        "upperarm_R": -1,
        "forearm_R": -1,
    }
    out = np.zeros((len(BONES), 3, 3))
    for name, _ in BONES:
        seg = segments[name]
        r = rot_x(get(seg))
        sign = limb_abduct.get(seg)
        if sign is not None:
            limb = seg.split("_")[0]
            side = seg[-1]
            key = ("leg_" if limb in ("thigh", "shin", "foot") else "arm_") + side
            r = r @ rot_z(sign * abduct.get(key, 0.0))
            if key in twist:
                r = r @ rot_y(sign * twist[key])
        out[_B[name]] = yaw @ r
    return out


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle at ``b`` between b->a and b->c, in degrees (180 = straight)."""
    u, v = a - b, c - b
    cosang = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-12))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosang))))


def true_angles(lm: dict[str, np.ndarray]) -> dict[str, float]:
    """The joint angles the truth reports, from 3D landmark positions (deg).

    knee = hip-knee-ankle, hip = shoulder-hip-knee, elbow = shoulder-elbow-wrist (180 = straight);
    trunk_from_vertical = mid-hip->mid-shoulder against world up (0 standing, 90 lying);
    neck_flexion = 180 - angle(mid-hip, mid-shoulder, mid-ear) (0: head in line with the trunk);
    hip_abduction = the thigh's angle out of the body's midline plane (outward positive).
    All are true 3D angles; a 2D checker sees their projection.
    """
    out: dict[str, float] = {}
    for s in ("left", "right"):
        out[f"knee_{s}"] = angle_deg(lm[f"{s}_hip"], lm[f"{s}_knee"], lm[f"{s}_ankle"])
        out[f"hip_{s}"] = angle_deg(lm[f"{s}_shoulder"], lm[f"{s}_hip"], lm[f"{s}_knee"])
        out[f"elbow_{s}"] = angle_deg(lm[f"{s}_shoulder"], lm[f"{s}_elbow"], lm[f"{s}_wrist"])
    mid_hip = (lm["left_hip"] + lm["right_hip"]) / 2
    mid_sh = (lm["left_shoulder"] + lm["right_shoulder"]) / 2
    mid_ear = (lm["left_ear"] + lm["right_ear"]) / 2
    out["trunk_from_vertical"] = angle_deg(mid_hip + np.array([0, 1.0, 0]), mid_hip, mid_sh)
    out["neck_flexion"] = 180.0 - angle_deg(mid_hip, mid_sh, mid_ear)
    pelvis = lm["left_hip"] - lm["right_hip"]
    pelvis /= np.linalg.norm(pelvis)
    for s, sign in (("left", 1), ("right", -1)):
        thigh = lm[f"{s}_knee"] - lm[f"{s}_hip"]
        out[f"hip_abduction_{s}"] = math.degrees(
            math.asin(np.clip(sign * np.dot(thigh, pelvis) / np.linalg.norm(thigh), -1, 1))
        )
    return {k: round(v, 1) for k, v in out.items()}
