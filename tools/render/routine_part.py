"""One exercise of a routine, in the routine's room: where the person does it, the timeline of the
part (arriving, the reps, leaving) and the figure at each moment of it.

The routine's camera looks along -z from +z; the person's yaw turns the exercise's view towards it
(side: the body's side, front/feet: the face or the feet). A part's timeline is keyframes of the
exercise's motion parameters plus four transition parameters, eased like a clip's:

- ``_down``: 0 lying (the exercise's posture) .. 1 standing, through the position's chain of
  postures (:mod:`transitions`); standing exercises have none.
- ``_turn``: 0 the exercise's yaw .. 1 the walking direction's yaw (walking in or out).
- ``_from``: 1 the previous part's last posture (and yaw) .. 0 this part's.
- ``_roll``: 1 the previous part's lying posture, rolled over .. 0 this part's (back <-> stomach).

Walking is not eased: a walk speeds up, cruises and slows down (:class:`transitions.WalkProfile`),
with the legs' cycle driven by the distance covered, so feet do not slide.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .motions import Motion, Params
from .request import Request
from .rig import PARENT_SEGMENT, Rig, compose, rot_y
from .timeline import build_timeline, params_at
from .transitions import CHAINS, HIPS, STRIDE_M, Pose, WalkProfile, walk_cycle

TRANSITION_KEYS = ("_down", "_turn", "_from", "_roll")
ROUTINE_VIEWS = ("side", "front", "oblique", "feet")  # "above" needs a camera of its own
STRIDE_FADE_M = 0.25  # the stride shrinks over the last (first) metres of a walk


def part_yaw(req: Request, view: str) -> float:
    """The person's yaw (deg) that shows ``view`` to the routine's camera (at +z)."""
    if view in ("front", "feet"):
        base = 0.0  # the face (standing) or the feet (lying) towards the camera
    else:
        base = 90.0 if req.facing == "right" else -90.0
    return base - req.camera_azimuth_deg


def yaw_gap(a: float, b: float) -> float:
    """The shortest turn (deg, signed) from yaw ``a`` to yaw ``b``."""
    return (b - a + 180.0) % 360.0 - 180.0


def walk_yaw(direction: float) -> float:
    """Yaw of someone walking along +x (direction 1) or -x (-1)."""
    return 90.0 if direction > 0 else -90.0


class Posture(NamedTuple):
    """The figure at a moment, before placing: what stays put where, and how far rolled over."""

    pose: Pose
    yaw: float
    anchor: tuple[str, ...]
    point: np.ndarray
    roll_deg: float
    held: bool  # the anchor keeps its height too


@dataclass(frozen=True)
class Arrival:
    """How a part begins: ``outside`` (walks in), ``stand`` (from the previous part's standing
    posture at the same spot), ``floor`` (stays lying, changes posture) or ``roll`` (rolls over)."""

    kind: str
    direction: float = 1.0  # walking in along +x or -x
    walk: WalkProfile | None = None


@dataclass(frozen=True)
class Leaving:
    """How a part ends: ``outside`` (gets up and walks out), ``stand`` (gets up) or ``floor``."""

    kind: str
    direction: float = 1.0
    walk: WalkProfile | None = None
    empty_s: float = 0.0  # nobody in the picture after walking out


class PartBuilder:
    """Poses one part of a routine at its local time (0 = the part begins)."""

    def __init__(self, req: Request, rig: Rig, home_shift: np.ndarray | None = None) -> None:
        self.req = req
        self.motion: Motion = req.validate()
        self.view = req.view or self.motion.views[0]
        if self.view not in ROUTINE_VIEWS:
            raise ValueError(f"view {self.view!r} in a routine: expected one of {', '.join(ROUTINE_VIEWS)}")
        self.rig = rig
        self.yaw = part_yaw(req, self.view)
        self.chain = CHAINS[self.motion.position]
        m = self.motion
        self.rest_params: Params = {k: (0.0 if k in m.constant else v) for k, v in m.neutral.items()}
        # The exercise's reps, as a clip without setup would have them (the same draws from the seed).
        self.rep_keys, self.source_reps, _ = build_timeline(dataclasses.replace(req, no_setup=True, tail_s=0.0), m)
        # Reference placement like a clip's: the neutral pose centred on the origin, then moved home.
        verts, _, lm = self._skin(*m.posture(rig, dict(m.neutral))[:2], self.yaw)
        lo, hi = verts.min(axis=0), verts.max(axis=0)
        centre = np.array([(lo[0] + hi[0]) / 2, 0.0, (lo[2] + hi[2]) / 2])
        self.ref = {k: v - centre for k, v in lm.items()}
        self._place_chain()
        if home_shift is not None:
            self.move(home_shift)
        self.keys: list[tuple[float, Params]] = []
        self.walk_in: tuple[float, Arrival] | None = None
        self.walk_out: tuple[float, Leaving] | None = None
        self.prev: PartBuilder | None = None
        self.arrival = Arrival("outside")
        self.leaving = Leaving("outside")

    # ------------------------------------------------------------------ placement

    def _place_chain(self) -> None:
        """Where each step of the chain keeps its anchor, from the rest pose up to standing."""
        verts, joints, lm = self._exercise_pose(self.rest_params)
        self.rest_hips = _mean(lm, HIPS)
        self.step_refs: list[np.ndarray] = []
        pose_lm = lm
        for i, (pitch, abduct) in enumerate(self.chain.poses):
            self.step_refs.append(_mean(pose_lm, self.chain.anchors[i]))
            v, j, raw = self._skin(pitch, abduct, self.yaw)
            _, _, pose_lm = _place(v, j, raw, self.chain.anchors[i], self.step_refs[i], i in self.chain.held)
        self.stand_hips = _mean(pose_lm, HIPS)

    def move(self, shift: np.ndarray) -> None:
        """Move the part's spot by ``shift`` (m, horizontal)."""
        shift = np.array([shift[0], 0.0, shift[2]])
        self.ref = {k: v + shift for k, v in self.ref.items()}
        self.rest_hips = self.rest_hips + shift
        self.stand_hips = self.stand_hips + shift
        self.step_refs = [r + shift for r in self.step_refs]

    # ------------------------------------------------------------------ posing

    def _skin(self, pitch: dict, abduct: dict, yaw: float):
        rots = compose(pitch, abduct, yaw)
        verts, _, joints = self.rig.skin(rots, np.zeros(3))
        return verts, joints, self.rig.landmarks(verts, rots, joints)

    def _exercise_pose(self, p: Params):
        """The exercise's posture placed as a clip places it (its anchor on its reference)."""
        pitch, abduct, anchor = self.motion.posture(self.rig, p)
        verts, joints, lm = self._skin(pitch, abduct, self.yaw)
        total = sum(anchor.values())
        cur = sum(lm[k] * w for k, w in anchor.items()) / total
        ref = sum(self.ref[k] * w for k, w in anchor.items()) / total
        offset = ref - cur
        offset[1] = -verts[:, 1].min() + p.get("air", 0.0)
        return np.round(verts + offset, 5), joints + offset, {k: v + offset for k, v in lm.items()}

    def _chain_posture(self, p: Params, stage: float) -> tuple[Pose, tuple[str, ...], np.ndarray, bool]:
        """Posture at ``stage`` of the chain, what stays put there (anchor names, point) and
        whether it keeps its height too."""
        pitch, abduct, _ = self.motion.posture(self.rig, p)
        poses = [(pitch, abduct), *self.chain.poses]
        steps = self.chain.steps
        if steps == 0 or stage >= steps:
            return poses[-1], HIPS, self.stand_hips, False
        i = int(stage)
        pose = _blend(poses[i], poses[i + 1], stage - i)
        return pose, self.chain.anchors[i], self.step_refs[i], i in self.chain.held

    def posture_at(self, t: float) -> Posture:
        """The posture, yaw, what stays put and the roll at local time ``t``."""
        p = params_at(self.keys, t)
        down, turn, frm, roll = (p.pop(k, 0.0) for k in TRANSITION_KEYS)
        pose, anchor, point, held = self._chain_posture(p, self.chain.stage(down))
        yaw = self.yaw
        offset, walked, stride = self._walk_at(t)
        standing = self.chain.steps == 0 or down >= 1.0 - 1e-9
        step_m = 0.0
        if frm > 0 and self.prev is not None:
            prev_pose, prev_yaw = self.prev.last_posture
            gap = yaw_gap(self.yaw, prev_yaw)
            pose = _blend(pose, prev_pose, frm)
            yaw = self.yaw + gap * frm
            if standing:  # turning on the spot takes steps
                step_m = (1 - frm) * STRIDE_M * abs(gap) / 90.0
                stride = max(stride, 0.6 * math.sin(math.pi * frm) * min(abs(gap) / 45.0, 1.0))
        if turn > 0:
            direction = self.arrival.direction if t < self.reps_start_s else self.leaving.direction
            gap = yaw_gap(self.yaw, walk_yaw(direction))
            yaw = self.yaw + gap * turn
            step_m += turn * STRIDE_M * abs(gap) / 90.0
            stride = max(stride, 0.6 * math.sin(math.pi * turn) * min(abs(gap) / 45.0, 1.0))
        if stride > 0:
            cycle = walk_cycle(walked + step_m)
            pose = _blend(pose, cycle, stride)
        if offset:
            point = self.stand_hips + np.array([offset, 0.0, 0.0])
        roll_deg = 0.0
        if roll > 0 and self.prev is not None:
            # Rolled over, the previous posture is this side's with every pitch turned by 180 deg;
            # each taken the short way round to this posture's.
            prev_pose, here = self.prev.last_posture[0], _full(pose[0])
            rolled = {k: here[k] + yaw_gap(here[k], v + 180.0) for k, v in _full(prev_pose[0]).items()}
            # The body keeps the previous posture until it is past lying on its side: legs together,
            # no leg lifted alone while rolling.
            pose = _blend(pose, (rolled, prev_pose[1]), min(roll / 0.45, 1.0))
            # Feet together while on the side (lying, they rest wider than the hips).
            squeeze = 7.0 * math.sin(math.pi * roll)
            pose = (pose[0], {k: v - squeeze if k.startswith("leg_") else v for k, v in pose[1].items()})
            roll_deg = 180.0 * roll  # this way round, half-way they lie on the side facing the camera
        return Posture(pose, yaw, anchor, point, roll_deg, held)

    def pose_at(self, t: float):
        """The placed figure (vertices, joints, landmarks) at local time ``t`` (s)."""
        p = params_at(self.keys, t)
        if all(p.get(k, 0.0) <= 0 for k in TRANSITION_KEYS) and self._walk_at(t)[0] == 0.0:
            return self._exercise_pose({k: v for k, v in p.items() if k not in TRANSITION_KEYS})
        at = self.posture_at(t)
        verts, joints, lm = self._skin(*at.pose, at.yaw)
        if at.roll_deg:
            verts, joints, lm = _roll(verts, joints, lm, rot_y(at.yaw) @ np.array([0.0, 0.0, 1.0]), at.roll_deg)
        return _place(verts, joints, lm, at.anchor, at.point, at.held)

    def _walk_at(self, t: float) -> tuple[float, float, float]:
        """(offset along x from the standing spot, metres walked, stride 0..1) at local time ``t``."""
        if self.walk_in is not None and t < self.walk_in[0] + self.walk_in[1].walk.duration_s:
            t0, arr = self.walk_in
            covered = arr.walk.covered_m(t - t0)
            left = arr.walk.distance_m - covered
            return -arr.direction * left, covered, min(left / STRIDE_FADE_M, 1.0)
        if self.walk_out is not None and t > self.walk_out[0]:
            t0, lea = self.walk_out
            covered = lea.walk.covered_m(t - t0)
            return lea.direction * covered, covered, min(covered / STRIDE_FADE_M, 1.0)
        return 0.0, 0.0, 0.0

    # ------------------------------------------------------------------ the part's timeline

    def plan(self, arrival: Arrival, leaving: Leaving, prev: PartBuilder | None, rng: np.random.Generator) -> None:
        """Build the part's keyframes: arrive, rest, the reps, rest, leave (durations from ``rng``)."""
        self.arrival, self.leaving, self.prev = arrival, leaving, prev
        m, floor = self.motion, self.chain.steps > 0
        down_s = sum(self.chain.durations_s) * float(rng.uniform(0.95, 1.1))
        keys: list[tuple[float, Params]] = []
        t = 0.0

        def key(dt: float, **changes: float) -> None:
            nonlocal t
            t += dt
            last = keys[-1][1] if keys else {**self.rest_params, **dict.fromkeys(TRANSITION_KEYS, 0.0)}
            keys.append((round(t, 4), {**last, **changes}))

        turn_in = abs(yaw_gap(self.yaw, walk_yaw(arrival.direction))) > 10.0
        if arrival.kind == "outside":
            key(0.0, _down=1.0 if floor else 0.0, _turn=1.0 if turn_in else 0.0)
            self.walk_in = (0.0, arrival)
            key(arrival.walk.duration_s)
            if turn_in:
                key(0.5 + 0.6 * abs(yaw_gap(self.yaw, walk_yaw(arrival.direction))) / 90.0, _turn=0.0)
            key(float(rng.uniform(0.2, 0.6)))
        elif arrival.kind == "stand":
            gap = abs(yaw_gap(self.yaw, prev.last_posture[1])) if prev else 0.0
            key(0.0, _down=1.0 if floor else 0.0, _from=1.0)
            key(0.8 + 0.6 * gap / 90.0, _from=0.0)
            key(float(rng.uniform(0.2, 0.5)))
        elif arrival.kind == "floor":
            key(0.0, _from=1.0)
            key(1.6, _from=0.0)
        elif arrival.kind == "roll":
            key(0.0, _roll=1.0)
            key(2.4, _roll=0.0)
        else:
            raise ValueError(f"arrival {arrival.kind!r}: expected outside, stand, floor or roll")
        if floor and arrival.kind in ("outside", "stand"):
            key(down_s, _down=0.0)
        key(float(rng.uniform(1.2, 2.2)))  # settled, before the first rep
        if m.constant:  # e.g. the bridge that a march holds: up before the first step
            key(1.2, **m.neutral)
        reps_start = t
        for kt, kp in self.rep_keys:
            keys.append((round(reps_start + kt, 4), {**kp, **dict.fromkeys(TRANSITION_KEYS, 0.0)}))
        t = keys[-1][0]
        self.reps_start_s = reps_start
        self.reps = [
            dataclasses.replace(
                r,
                start_s=round(r.start_s + reps_start, 3),
                peak_s=round(r.peak_s + reps_start, 3),
                end_s=round(r.end_s + reps_start, 3),
            )
            for r in self.source_reps
        ]
        key(float(rng.uniform(0.5, 1.5)), **self.rest_params)  # rests after the last rep (and its rest)
        if leaving.kind in ("outside", "stand") and floor:
            key(down_s, _down=1.0)
        if leaving.kind == "outside":
            key(float(rng.uniform(0.2, 0.6)))
            gap = abs(yaw_gap(self.yaw, walk_yaw(leaving.direction)))
            if gap > 10.0:
                key(0.5 + 0.6 * gap / 90.0, _turn=1.0)
            self.walk_out = (t, leaving)
            key(leaving.walk.duration_s + leaving.empty_s)
        elif leaving.kind == "stand":
            key(0.3)
        elif leaving.kind != "floor":
            raise ValueError(f"leaving {leaving.kind!r}: expected outside, stand or floor")
        self.keys = keys
        self.duration_s = round(t, 3)  # parts meet on a millisecond: the truth and the frames agree
        # What the next part starts from (getting up, turning, lying on or rolling over).
        at = self.posture_at(t)
        self.last_posture: tuple[Pose, float] = (at.pose, at.yaw)

    def framing_points(self) -> np.ndarray:
        """Body points the routine's camera must see: the part's reps, rest and standing postures."""
        pts = []
        end = self.rep_keys[-1][0]
        for t in np.linspace(0.0, end, 12):
            p = params_at(self.rep_keys, float(t))
            p.pop("_setup", None)
            pts.append(self._exercise_pose(p)[0][::7])
        for i, (pitch, abduct) in enumerate(self.chain.poses):
            v, j, lm = self._skin(pitch, abduct, self.yaw)
            pts.append(_place(v, j, lm, self.chain.anchors[i], self.step_refs[i], i in self.chain.held)[0][::7])
        return np.concatenate(pts)


def _mean(lm: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    return sum(lm[n] for n in names) / len(names)


def _place(verts, joints, lm, anchor: tuple[str, ...], point: np.ndarray, held: bool = False):
    """Move the figure so the anchor's mean is over ``point`` (at it, if ``held``) and, unless held,
    the lowest point on the floor."""
    offset = point - _mean(lm, anchor)
    if not held:
        offset[1] = -verts[:, 1].min()
    # Rounded like a clip's vertices: float noise never reaches the pixels.
    return np.round(verts + offset, 5), joints + offset, {k: v + offset for k, v in lm.items()}


def _full(pitch: dict[str, float]) -> dict[str, float]:
    """Every segment's pitch, a missing one taken from the segment it hangs from."""
    out = {}
    for seg in ("trunk", *PARENT_SEGMENT):
        k = seg
        while k not in pitch and k in PARENT_SEGMENT:
            k = PARENT_SEGMENT[k]
        out[seg] = pitch.get(k, 0.0)
    return out


def _blend(a: Pose, b: Pose, w: float) -> Pose:
    """``a`` moved the fraction ``w`` of the way to ``b`` (pitches and abductions)."""
    if w <= 0:
        return a
    pa, pb = _full(a[0]), _full(b[0])
    pitch = {k: pa[k] + (pb[k] - pa[k]) * w for k in pa}
    keys = set(a[1]) | set(b[1])
    abduct = {k: a[1].get(k, 0.0) + (b[1].get(k, 0.0) - a[1].get(k, 0.0)) * w for k in keys}
    return pitch, abduct


def _roll(verts, joints, lm, axis: np.ndarray, deg: float):
    """Turn the figure by ``deg`` about the horizontal ``axis`` through its hips (rolling over)."""
    centre = _mean(lm, HIPS)
    a = math.radians(deg)
    k = axis / np.linalg.norm(axis)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    r = np.eye(3) + math.sin(a) * kx + (1 - math.cos(a)) * kx @ kx
    turn = lambda x: (x - centre) @ r.T + centre  # noqa: E731
    return turn(verts), turn(joints), {n: turn(v) for n, v in lm.items()}
