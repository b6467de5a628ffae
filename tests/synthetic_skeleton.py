"""A synthetic 3D kinematic skeleton for the exercise tests, rendered as PoseFrames.

The body is built in its own frame (``u`` towards the head, ``f`` out of the chest, ``l`` to
the person's left) from joint-angle curves, placed in the world (X right, Y up, Z towards the
camera) by posture and camera view, and projected orthographically into a 640x480 image.
Planted feet (bridge, squat) are solved with two-link inverse kinematics so the knee goes
where a real knee would. Expected counts come from a :class:`Scenario`'s parameters:
``scenario.expected_reps`` and ``scenario.expected_by_side``.

Nothing here imports the checker: the generator must not learn from what it tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from pose.frame import PoseFrame
from pose.landmarks import NUM_LANDMARKS, landmark_index, mirrored_index

IMAGE_SIZE = (640, 480)
SCALE_PX_PER_M = 230.0

# Segment lengths in metres (an adult of about 1.75 m).
TORSO, THIGH, SHIN, FOOT = 0.50, 0.44, 0.42, 0.16
HIP_W, SHOULDER_W = 0.26, 0.38

LYING = ("glute_squeeze", "glute_bridge", "bridge_march", "straight_leg_raise", "hip_abduction", "prone_hip_extension")
UNILATERAL = (
    "bridge_march",
    "straight_leg_raise",
    "hip_abduction",
    "prone_hip_extension",
    "standing_hip_flexion",
    "standing_hip_extension",
)


# A partial rep: a clearly incomplete movement, about a third of the full one (less for the
# straight leg raise, whose full 35 deg lift is far more than the article's "a little").
PARTIAL_AMPLITUDE = {
    "glute_squeeze": 1.0,
    "glute_bridge": 0.4,
    "bridge_march": 0.4,
    "straight_leg_raise": 0.2,
    "hip_abduction": 0.3,
    "prone_hip_extension": 0.3,
    "standing_hip_flexion": 0.3,
    "standing_hip_extension": 0.4,
    "squat": 0.09,
}


def _i(name: str, side: str | None = None) -> int:
    return landmark_index(name, side)


# ----------------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class Scenario:
    """What the synthetic person does, and how the camera sees it.

    ``sides``: the leg of each rep in order (unilateral exercises; ignored otherwise, where
    ``reps`` counts). ``rise_s``/``hold_s``/``fall_s``/``rest_s``: one rep's tempo.
    ``fault``: a fault code acted out on the reps in ``fault_reps`` (1-based).
    ``amplitude``: scales the movement (0.5 = half-way: a partial rep).
    ``view``: side, front, oblique, feet (camera at the feet / above a lying person).
    ``facing``: +1 faces (standing) or has the feet (lying) towards image right, -1 left.
    """

    exercise: str
    reps: int = 4
    sides: tuple[str, ...] = ()
    rise_s: float = 1.0
    hold_s: float = 0.3
    fall_s: float = 1.0
    rest_s: float = 1.2
    idle_s: float = 2.0
    tail_s: float = 1.5
    view: str = "side"
    facing: int = 1
    fault: str | None = None
    fault_reps: tuple[int, ...] = ()
    amplitude: float = 1.0
    partial_reps: tuple[int, ...] = ()  # reps done at 40% amplitude (not to be counted)
    noise_px: float = 0.0
    dropouts: tuple[tuple[float, float], ...] = ()  # (start_s, duration_s): no pose
    swaps: tuple[tuple[float, float], ...] = ()  # (start_s, duration_s): left/right labels swapped
    hidden: tuple[tuple[float, float], ...] = ()  # (start_s, duration_s): legs not visible
    walk_in: bool = False
    swap_frac: float = 0.0  # fraction of lifted frames with left/right swapped (lite model, supine SLR)
    collapse_ankle: bool = False  # the lifted leg's ankle drawn onto the shin (full model, supine SLR)
    wobble_deg: float = 0.0  # a 1.5 Hz wobble of the moving joint while it is lifted
    fps: float = 30.0
    seed: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def rep_sides(self) -> tuple[str | None, ...]:
        if self.exercise in UNILATERAL:
            return self.sides or tuple("left" if k % 2 == 0 else "right" for k in range(self.reps))
        return (None,) * self.reps

    @property
    def rep_period_s(self) -> float:
        return self.rise_s + self.hold_s + self.fall_s + self.rest_s

    @property
    def duration_s(self) -> float:
        return self.idle_s + len(self.rep_sides) * self.rep_period_s + self.tail_s

    @property
    def expected_reps(self) -> int:
        return sum(1 for k in range(len(self.rep_sides)) if k + 1 not in self.partial_reps)

    @property
    def expected_by_side(self) -> dict[str, int] | None:
        if self.exercise not in UNILATERAL:
            return None
        out = {"left": 0, "right": 0}
        for k, s in enumerate(self.rep_sides):
            if k + 1 not in self.partial_reps:
                out[s] += 1
        return out


def _ease(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)


def rep_phase(sc: Scenario, t: float) -> tuple[int | None, float]:
    """(rep index from 0, lift 0..1) at time ``t``; (None, 0) outside reps."""
    if t < sc.idle_s:
        return None, 0.0
    k = int((t - sc.idle_s) // sc.rep_period_s)
    if k >= len(sc.rep_sides):
        return None, 0.0
    tl = t - sc.idle_s - k * sc.rep_period_s
    if tl < sc.rise_s:
        return k, _ease(tl / sc.rise_s)
    tl -= sc.rise_s
    if tl < sc.hold_s:
        return k, 1.0
    tl -= sc.hold_s
    if tl < sc.fall_s:
        return k, 1.0 - _ease(tl / sc.fall_s)
    return k, 0.0


# ----------------------------------------------------------------------------- body model


def _sag(a_deg: float, abd_deg: float = 0.0, side_sign: float = 1.0) -> np.ndarray:
    """Unit vector in body coords (u, f, l): ``a_deg`` from straight down towards the front,
    tilted ``abd_deg`` outwards (towards the given side)."""
    a, b = math.radians(a_deg), math.radians(abd_deg)
    v = np.array([-math.cos(a), math.sin(a), 0.0])
    return v * math.cos(b) + np.array([0.0, 0.0, side_sign * math.sin(b)])


def _ik_knee(hip: np.ndarray, ankle: np.ndarray, knee_dir_f: float = 1.0) -> np.ndarray:
    """Knee position for a planted ankle: two-link IK in the hip's sagittal plane, knee to +f."""
    d = ankle - hip
    dist = float(np.linalg.norm(d[:2]))
    dist = min(dist, THIGH + SHIN - 1e-6)
    # angle at the hip between hip->ankle and hip->knee
    cos_a = (THIGH**2 + dist**2 - SHIN**2) / (2 * THIGH * dist)
    a = math.acos(max(-1.0, min(1.0, cos_a)))
    base = math.atan2(d[1], d[0])  # in the (u, f) plane
    # pick the solution whose knee lies towards +f relative to the hip->ankle line
    cands = [base + a, base - a]
    best = None
    for ang in cands:
        k = hip + np.array([THIGH * math.cos(ang), THIGH * math.sin(ang), 0.0])
        cross = d[0] * (k[1] - hip[1]) - d[1] * (k[0] - hip[0])
        score = -cross * knee_dir_f
        if best is None or score > best[0]:
            best = (score, k)
    k = best[1]
    k[2] = (hip[2] + ankle[2]) / 2
    return k


@dataclass
class Pose:
    """Joint parameters of one instant (degrees, metres)."""

    hip_flex: dict = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    knee_flex: dict = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    abd: dict = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    plantar: dict = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    trunk_lean: float = 0.0  # towards the front
    head_pitch: float = 0.0  # looking down
    pelvis: np.ndarray = field(default_factory=lambda: np.zeros(3))
    planted: dict | None = None  # side -> ankle position (body coords) for IK legs
    bridge_deg: float = 0.0  # supine: trunk raised about the shoulders


def body_points(p: Pose) -> np.ndarray:
    """All 33 landmarks in body coordinates (u, f, l) from joint parameters."""
    pts = np.zeros((NUM_LANDMARKS, 3))
    pelvis = p.pelvis.copy()
    b = math.radians(p.bridge_deg)
    if p.bridge_deg:
        pelvis = pelvis + np.array([0.0, TORSO * math.sin(b), 0.0])
        trunk = np.array([math.cos(b), -math.sin(b), 0.0])
    else:
        lean = math.radians(p.trunk_lean)
        trunk = np.array([math.cos(lean), math.sin(lean), 0.0])
    front = np.array([-trunk[1], trunk[0], 0.0])  # chest direction, perpendicular to the trunk
    lat = np.array([0.0, 0.0, 1.0])
    sh_mid = pelvis + TORSO * trunk
    for side, sg in (("left", 1.0), ("right", -1.0)):
        hip = pelvis + lat * sg * HIP_W / 2
        pts[_i("hip", side)] = hip
        sh = sh_mid + lat * sg * SHOULDER_W / 2
        pts[_i("shoulder", side)] = sh
        elbow = sh - trunk * 0.28 + front * 0.04
        wrist = elbow - trunk * 0.25 + front * 0.04
        pts[_i("elbow", side)], pts[_i("wrist", side)] = elbow, wrist
        for name, off in (("pinky", -0.02), ("index", 0.02), ("thumb", 0.03)):
            pts[_i(name, side)] = wrist - trunk * 0.07 + front * off
        if p.planted is not None and side in p.planted:
            ankle = p.planted[side].copy()
            knee = _ik_knee(hip, ankle)
            shin_dir = (ankle - knee) / np.linalg.norm(ankle - knee)
        else:
            d_th = _sag(p.hip_flex[side], p.abd[side], sg)
            knee = hip + THIGH * d_th
            shin_dir = _sag(p.hip_flex[side] - p.knee_flex[side], p.abd[side], sg)
            ankle = knee + SHIN * shin_dir
        # foot: at right angles to the shin, pointing to the front, minus plantar flexion
        foot_ang = math.atan2(shin_dir[1], -shin_dir[0]) + math.radians(90.0 - p.plantar[side])
        foot_dir = np.array([-math.cos(foot_ang), math.sin(foot_ang), 0.0])
        pts[_i("knee", side)], pts[_i("ankle", side)] = knee, ankle
        pts[_i("heel", side)] = ankle + shin_dir * 0.05 - foot_dir * 0.05
        pts[_i("foot_index", side)] = ankle + foot_dir * FOOT
    # head: ears above the shoulders, nose in front, pitched down by head_pitch
    ear_mid = sh_mid + trunk * 0.22
    pitch = math.radians(12.0 + p.head_pitch)
    nose_dir = front * math.cos(pitch) - trunk * math.sin(pitch)
    pts[_i("nose")] = ear_mid + nose_dir * 0.10
    for side, sg in (("left", 1.0), ("right", -1.0)):
        pts[_i("ear", side)] = ear_mid + lat * sg * 0.07
        for name, w in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            pts[_i(name, side)] = ear_mid + nose_dir * 0.08 + trunk * 0.03 + lat * sg * w
        pts[_i("mouth", side)] = ear_mid + nose_dir * 0.085 - trunk * 0.05 + lat * sg * 0.025
    return pts


def body_axes(posture: str, view: str, facing: int) -> np.ndarray:
    """3x3 matrix whose columns are the body's u, f, l axes in world coordinates."""
    X, Y, Z = np.eye(3)
    if posture == "standing":
        u = Y
        f = {"side": facing * X, "front": Z, "oblique": (facing * X + Z) / math.sqrt(2)}[view]
    else:
        down = 1 if posture == "supine" else -1
        if view == "side":
            u, f = -facing * X, down * Y
        elif view == "oblique":
            u, f = (-facing * X + Z * 0.8) / math.hypot(1, 0.8), down * Y
        else:  # "feet"/"front": camera above the feet, looking along the body at 50 deg down
            tilt = math.radians(50)
            u = np.array([0.0, math.sin(tilt), -math.cos(tilt)])
            f = down * np.array([0.0, math.cos(tilt), math.sin(tilt)])
    side = np.cross(u, f)
    return np.stack([u, f, side], axis=1)


# ----------------------------------------------------------------------------- exercises


def _hook(p: Pose) -> Pose:
    for s in ("left", "right"):
        p.hip_flex[s], p.knee_flex[s] = 50.0, 100.0
    return p


def _hook_ankles() -> dict:
    p = _hook(Pose())
    pts = body_points(p)
    return {s: pts[_i("ankle", s)].copy() for s in ("left", "right")}


def exercise_pose(sc: Scenario, t: float, rng_sway: float) -> tuple[str, Pose]:
    """Posture name and joint parameters of the scenario at time ``t``."""
    k, lift = rep_phase(sc, t)
    ex = sc.exercise
    side = sc.rep_sides[k] if k is not None else None
    faulty = k is not None and (k + 1) in sc.fault_reps and sc.fault is not None
    fault = sc.fault if faulty else None
    amp = sc.amplitude * (PARTIAL_AMPLITUDE[ex] if k is not None and (k + 1) in sc.partial_reps else 1.0)
    lift *= amp
    p = Pose()
    sway = rng_sway
    if lift > 0.5 and sc.wobble_deg:
        sway += sc.wobble_deg * math.sin(2 * math.pi * 1.5 * t)
    if ex == "glute_squeeze":
        return "supine", _hook(p)
    if ex in ("glute_bridge", "bridge_march"):
        _hook(p)
        p.planted = _hook_ankles()
        if ex == "glute_bridge":
            top = 17.0 if fault == "hips_low" else 26.0
            p.bridge_deg = max(0.5, top * lift + sway)
        else:
            p.bridge_deg = 25.0 + sway
            if side is not None:
                a = p.planted[side].copy()
                a[1] += 0.10 * lift  # lift the foot 10 cm
                a[0] += 0.05 * lift
                p.planted[side] = a
                if fault == "hips_drop":
                    p.bridge_deg -= 18.0 * lift
        return "supine", p
    if ex == "straight_leg_raise":
        if side is not None:
            p.hip_flex[side] = 35.0 * lift + sway
            if fault == "knee_bent":
                p.knee_flex[side] = 45.0 * lift
        return "supine", p
    if ex == "prone_hip_extension":
        for s in ("left", "right"):
            p.plantar[s] = 60.0
        if side is not None:
            p.hip_flex[side] = -16.0 * lift + sway
            if fault == "knee_bent":
                p.knee_flex[side] = 50.0 * lift
        return "prone", p
    if ex == "hip_abduction":
        if side is not None:
            p.abd[side] = 30.0 * lift + sway
        return "supine", p
    if ex in ("standing_hip_flexion", "standing_hip_extension"):
        if side is not None:
            sign = 1.0 if ex == "standing_hip_flexion" else -1.0
            peak = 55.0 if sign > 0 else 22.0
            p.hip_flex[side] = sign * peak * lift + sway
            if fault == "knee_bent":
                p.knee_flex[side] = 50.0 * lift
            if fault == "trunk_lean":
                p.trunk_lean = 32.0 * lift
        return "standing", p
    if ex == "squat":
        depth = (0.12 if fault == "shallow" else 0.50) * lift  # pelvis drop in metres
        back = 0.20 * lift
        p.pelvis = np.array([-depth, -back, 0.0])
        p.trunk_lean = 35.0 * lift + sway
        if fault == "trunk_lean":
            p.trunk_lean = 70.0 * lift
        p.head_pitch = -0.6 * p.trunk_lean  # leaning forward, people lift the chin to look ahead
        if fault == "head_lowered":
            p.head_pitch = 65.0 * lift
        p.planted = {
            s: np.array([-(THIGH + SHIN) + 0.004, 0.02, sg * HIP_W / 2]) for s, sg in (("left", 1.0), ("right", -1.0))
        }
        return "standing", p
    raise ValueError(f"no synthetic motion for {ex!r}")


def _frame_time_scale(sc: Scenario, k: int | None) -> float:
    return 1.0


def generate(sc: Scenario) -> list[PoseFrame]:
    """Render the scenario as a list of PoseFrames at ``sc.fps``."""
    rng = np.random.default_rng(sc.seed)
    width, height = IMAGE_SIZE
    n = int(round(sc.duration_s * sc.fps))
    posture0, _ = exercise_pose(sc, 0.0, 0.0)
    axes = body_axes(posture0, sc.view, sc.facing)
    # Centre the resting body once; moving parts must not shift the whole picture.
    rest_world = body_points(exercise_pose(sc, 0.0, 0.0)[1]) @ axes.T
    lo, hi = np.nanmin(rest_world, axis=0), np.nanmax(rest_world, axis=0)
    centre = (lo + hi) / 2
    if sc.exercise == "squat":
        centre[1] -= 0.15  # room for the descent
    perm = np.array(mirrored_index())
    # slow random sway (degrees) so "idle" is not perfectly still
    sway_knots = rng.normal(0.0, 1.0, size=int(sc.duration_s) + 3)
    frames = []
    for j in range(n):
        t = j / sc.fps
        ts_ms = t * 1000.0
        if any(a <= t < a + d for a, d in sc.dropouts):
            frames.append(PoseFrame.empty(ts_ms, IMAGE_SIZE))
            continue
        kk = int(t)
        sway = 0.6 * float(np.interp(t, [kk, kk + 1], sway_knots[kk : kk + 2]))
        posture, pose = exercise_pose(sc, t, sway)
        walking = sc.walk_in and t < sc.idle_s - 0.7
        if walking:
            # stride: thighs swing +-25 deg in opposite phase, the swinging knee bends
            ph = 2 * math.pi * 0.9 * t
            pose.planted = None
            pose.pelvis = np.zeros(3)
            for s_, sg in (("left", 1.0), ("right", -1.0)):
                pose.hip_flex[s_] = 25.0 * sg * math.sin(ph)
                pose.knee_flex[s_] = 35.0 * max(0.0, sg * math.sin(ph))
        world = body_points(pose) @ axes.T - centre
        k, lift = rep_phase(sc, t)
        if sc.collapse_ankle and k is not None and lift > 0.3:
            # The ankle landmark slides up onto the shin and off its line: the knee looks bent.
            side = sc.rep_sides[k] or "left"
            kn, an = world[_i("knee", side)], world[_i("ankle", side)]
            v = 0.45 * (an - kn)
            c, s_ = math.cos(math.radians(50)), math.sin(math.radians(50))
            world[_i("ankle", side)] = kn + np.array([c * v[0] - s_ * v[1], s_ * v[0] + c * v[1], v[2]])
        if sc.walk_in and t < sc.idle_s:
            # walk in from the side: the body slides in while the legs swing
            frac = max(0.0, 1.0 - t / max(sc.idle_s - 0.7, 0.1))
            world[:, 0] += -sc.facing * 1.2 * frac
        x = width / 2 + SCALE_PX_PER_M * world[:, 0]
        y = height / 2 - SCALE_PX_PER_M * world[:, 1]
        z = -SCALE_PX_PER_M * world[:, 2] / width
        if sc.noise_px > 0:
            x = x + rng.normal(0, sc.noise_px, NUM_LANDMARKS)
            y = y + rng.normal(0, sc.noise_px, NUM_LANDMARKS)
        xyz = np.stack([x / width, y / height, z], axis=1)
        vis = np.full(NUM_LANDMARKS, 0.95)
        if sc.view in ("side", "oblique"):
            far = world[:, 2] < np.median(world[:, 2]) - 0.02
            vis[far] = 0.6
        if any(a <= t < a + d for a, d in sc.hidden):
            for name in ("knee", "ankle", "heel", "foot_index"):
                for s in ("left", "right"):
                    vis[_i(name, s)] = 0.05
        lifted_swap = sc.swap_frac > 0 and k is not None and lift > 0.3 and rng.random() < sc.swap_frac
        if lifted_swap or any(a <= t < a + d for a, d in sc.swaps):
            xyz, vis = xyz[perm], vis[perm]
        frames.append(PoseFrame.from_normalized(ts_ms, IMAGE_SIZE, xyz, vis))
    return frames


def idle(exercise: str, seconds: float = 20.0, **kw) -> Scenario:
    """A scenario with no reps: the person just stays in the start position."""
    return Scenario(exercise=exercise, reps=0, sides=(), idle_s=seconds, tail_s=0.0, **kw)


def with_(sc: Scenario, **kw) -> Scenario:
    """A copy of a scenario with some fields changed."""
    return replace(sc, **kw)
