"""From a request (exercise, reps, faults, look, camera) to an mp4 and its truth JSON.

The clip is a timeline of motion parameters: a setup period (walking in, or sitting and lying
back), then for each rep ``up -> hold -> down -> rest`` towards that rep's peak, eased with a
cosine. Every frame is posed (FK + skinning), placed so the anchored body points stay put and the
lowest point touches the floor, rendered, and its landmarks projected for the truth.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from . import assets
from .motions import FAULT_CODES, MOTIONS, Motion, Params
from .renderer import Camera, Renderer, Scene
from .rig import Rig, compose, rot_y, true_angles

log = logging.getLogger(__name__)

TRUTH_SCHEMA = 1
# BlazePose order (pose/landmarks.py), as names of the figure's anchors.
BLAZEPOSE = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

SKIN = {
    "light": (0.87, 0.70, 0.58),
    "medium": (0.74, 0.55, 0.42),
    "tan": (0.62, 0.44, 0.31),
    "brown": (0.45, 0.30, 0.20),
    "dark": (0.30, 0.20, 0.14),
}
HAIR = {
    "black": (0.05, 0.04, 0.04),
    "brown": (0.25, 0.15, 0.08),
    "blond": (0.70, 0.58, 0.35),
    "grey": (0.55, 0.55, 0.55),
    "red": (0.45, 0.18, 0.08),
}
CLOTH = {
    "blue": (0.15, 0.30, 0.62),
    "red": (0.65, 0.12, 0.12),
    "green": (0.18, 0.45, 0.25),
    "grey": (0.45, 0.45, 0.47),
    "black": (0.08, 0.08, 0.10),
    "white": (0.85, 0.85, 0.85),
    "yellow": (0.80, 0.65, 0.15),
    "purple": (0.40, 0.20, 0.50),
    "navy": (0.10, 0.12, 0.30),
}
FLOORS = {
    "wood": (0.55, 0.40, 0.26),
    "beige": (0.70, 0.62, 0.50),
    "grey": (0.42, 0.42, 0.44),
    "mat_blue": (0.25, 0.35, 0.55),
    "mat_green": (0.30, 0.45, 0.32),
}
WALLS = {
    "white": (0.88, 0.88, 0.85),
    "cream": (0.85, 0.80, 0.68),
    "sage": (0.62, 0.70, 0.60),
    "grey": (0.62, 0.62, 0.64),
    "blue": (0.62, 0.70, 0.80),
}


@dataclass(frozen=True)
class Look:
    skin: str = "medium"
    hair: str = "brown"
    shirt: str = "blue"
    shorts: str = "black"
    socks: str = "white"
    floor: str = "wood"
    wall: str = "white"
    height: float = 1.0  # body scale factor
    girth: float = 1.0  # width/depth scale factor
    sun_azimuth_deg: float = 35.0
    sun_elevation_deg: float = 55.0

    @classmethod
    def random(cls, rng: np.random.Generator) -> Look:
        pick = lambda d: str(rng.choice(sorted(d)))  # noqa: E731
        shirt = pick(CLOTH)
        return cls(
            skin=pick(SKIN),
            hair=pick(HAIR),
            shirt=shirt,
            shorts=pick([c for c in CLOTH if c != shirt]),
            socks=str(rng.choice(["white", "grey", "black"])),
            floor=pick(FLOORS),
            wall=pick(WALLS),
            height=float(rng.uniform(0.92, 1.08)),
            girth=float(rng.uniform(0.92, 1.15)),
            sun_azimuth_deg=float(rng.uniform(-60, 60)),
            sun_elevation_deg=float(rng.uniform(40, 70)),
        )


@dataclass(frozen=True)
class Request:
    """Everything that decides a clip; the same request renders the same pixels."""

    exercise: str
    reps: int = 4
    faults: dict[str, tuple[int, ...]] = field(default_factory=dict)  # code -> 1-based reps
    sides: str = "alternate"  # alternate | left | right | left-then-right | right-then-left
    tempo: float = 1.0  # multiplies up/down durations
    hold_s: float | None = None  # None: the exercise's target (5 s where it has one)
    short_hold_s: float = 2.0  # the hold of a rep with hold_short
    rest_s: float | None = None
    rom: float = 1.0  # range of motion factor
    view: str | None = None  # side | front | oblique | feet | above; None: the first valid
    facing: str = "right"  # standing: where the person looks; lying: where the feet point
    camera_distance_m: float | None = None  # None: frame the movement automatically
    camera_height_m: float | None = None
    camera_azimuth_deg: float = 0.0
    fov_y_deg: float = 45.0
    setup_s: float = 2.0
    tail_s: float = 1.0
    fps: float = 30.0
    width: int = 480
    height: int = 360
    supersample: int = 2
    look: Look = field(default_factory=Look)
    seed: int = 0
    variation: float = 0.1  # per-rep random spread of tempo, rest and range (from the seed)
    # How real sets differ from the tidy default (issue 15); the defaults keep the tidy clip.
    no_setup: bool = False  # no walk-in / lying down: in position (or moving) at frame 0
    start_phase: float = 0.0  # with no_setup: how far into rep 1's way to its peak frame 0 is (0..1)
    tempo_jitter: float = 0.0  # extra per-rep tempo spread, +-fraction (own random stream)
    tempo_end: float = 1.0  # the last rep's duration relative to the first (< 1: speeds up)
    ballistic: bool = False  # squat only: jump squats, the feet leave the floor at the top
    cut_rep: int | None = None  # hard cut: mid-descent of this rep to mid-ascent of the next, new camera
    bystander: str | None = None  # "walk": a second person walks back and forth behind

    def validate(self) -> Motion:
        if self.exercise not in MOTIONS:
            raise ValueError(f"unknown exercise {self.exercise!r}; expected one of {', '.join(sorted(MOTIONS))}")
        m = MOTIONS[self.exercise]
        for code in self.faults:
            if code not in FAULT_CODES:
                raise ValueError(f"unknown fault {code!r}; expected one of {', '.join(FAULT_CODES)}")
            if code not in m.faults:
                raise ValueError(
                    f"fault {code!r} cannot be shown for {self.exercise}; it takes {', '.join(m.faults) or 'none'}"
                )
            bad = [r for r in self.faults[code] if not 1 <= r <= self.reps]
            if bad:
                raise ValueError(f"fault {code!r} on reps {bad}: expected reps 1..{self.reps}")
        if self.view is not None and self.view not in m.views:
            raise ValueError(f"view {self.view!r} for {self.exercise}: expected one of {', '.join(m.views)}")
        if self.facing not in ("left", "right"):
            raise ValueError(f"facing must be 'left' or 'right', got {self.facing!r}")
        if self.width % 2 or self.height % 2 or self.width < 16 or self.height < 16:
            raise ValueError(f"size {self.width}x{self.height}: expected even numbers of at least 16")
        if self.reps < 1:
            raise ValueError(f"reps must be at least 1, got {self.reps}")
        if not 0.0 <= self.start_phase < 1.0:
            raise ValueError(f"start_phase must be in [0, 1), got {self.start_phase}")
        if self.start_phase and not self.no_setup:
            raise ValueError("start_phase needs no_setup (a clip that starts mid-rep has no walk-in)")
        if not 0.0 <= self.tempo_jitter < 0.8 or not 0.2 <= self.tempo_end <= 3.0:
            raise ValueError(
                f"tempo_jitter {self.tempo_jitter}, tempo_end {self.tempo_end}: expected "
                "0 <= tempo_jitter < 0.8 and 0.2 <= tempo_end <= 3"
            )
        if self.ballistic and self.exercise != "squat":
            raise ValueError(f"ballistic (jump) reps exist for squat only, not {self.exercise}")
        if self.cut_rep is not None and not 1 <= self.cut_rep < self.reps:
            raise ValueError(f"cut_rep {self.cut_rep}: expected 1..{self.reps - 1} (the cut resumes in the next rep)")
        if self.bystander not in (None, "walk"):
            raise ValueError(f"bystander {self.bystander!r}: expected 'walk'")
        if self.sides not in ("alternate", "left", "right", "left-then-right", "right-then-left"):
            raise ValueError(
                f"sides {self.sides!r}: expected alternate, left, right, left-then-right or right-then-left"
            )
        return m


@dataclass
class RepTruth:
    index: int
    side: str | None
    start_s: float
    peak_s: float
    end_s: float
    hold_s: float | None
    faults: list[str]


def _rep_sides(req: Request, m: Motion) -> list[str | None]:
    if not m.unilateral:
        return [None] * req.reps
    n = req.reps
    if req.sides in ("left", "right"):
        return [req.sides] * n
    if req.sides == "alternate":
        return ["left" if i % 2 == 0 else "right" for i in range(n)]
    first, second = req.sides.split("-then-")
    return [first] * ((n + 1) // 2) + [second] * (n // 2)


# Jump squat (ballistic): after the bottom, drive up onto the toes and leave the floor.
JUMP_AIR_M = 0.30
_JUMP_PHASES_S = {"drive": 0.32, "rise": 0.22, "fall": 0.22, "land": 0.2, "recover": 0.3}


def _tempo_factors(req: Request) -> list[float]:
    """Per-rep duration factors from tempo_end (a linear ramp) and tempo_jitter (own stream)."""
    n = req.reps
    ramp = [1.0 + (req.tempo_end - 1.0) * (i / (n - 1) if n > 1 else 0.0) for i in range(n)]
    if not req.tempo_jitter:
        return ramp
    # A stream of its own, so the tidy clips' draws (and pixels) stay as they were.
    rng = np.random.default_rng([req.seed, 15])
    return [r * float(rng.uniform(1 - req.tempo_jitter, 1 + req.tempo_jitter)) for r in ramp]


def build_timeline(req: Request, m: Motion) -> tuple[list[tuple[float, Params]], list[RepTruth], float]:
    """Keyframes ``(t_s, params)`` (eased between), the reps' truth, and when the setup ends."""
    neutral = dict(m.neutral)
    start = {k: (0.0 if k in m.constant else v) for k, v in neutral.items()}
    if req.ballistic:
        neutral.update(air=0.0, point=0.0, arm=0.0)
    t = 0.0
    if req.no_setup:
        keys: list[tuple[float, Params]] = [(0.0, {**neutral, "_setup": 0.0})]
    else:
        keys = [(0.0, {**start, "_setup": 1.0})]

    def go(dt: float, params: Params) -> None:
        nonlocal t
        t += dt
        keys.append((t, params))

    if not req.no_setup:
        go(max(req.setup_s, 0.0), {**start, "_setup": 0.0})
        if m.constant:
            go(1.2, {**neutral, "_setup": 0.0})
        go(0.6, {**neutral, "_setup": 0.0})
    setup_end = round(t, 3)
    reps: list[RepTruth] = []
    hold_target = m.hold_s if req.hold_s is None else req.hold_s
    rest = m.rest_s if req.rest_s is None else req.rest_s
    rng = np.random.default_rng(req.seed)
    tempo = _tempo_factors(req)
    for i, side in enumerate(_rep_sides(req, m), start=1):
        faults = frozenset(code for code, which in req.faults.items() if i in which)
        v = req.variation

        def jitter(v: float = v) -> float:
            return float(rng.uniform(1 - v, 1 + v))

        rom = req.rom * float(rng.uniform(1 - v / 2, 1 + v / 3))
        peak = {**neutral, **m.peak(side, faults, rom), "_setup": 0.0}
        speed = (0.3 if "too_fast" in faults else 1.0) * tempo[i - 1]
        up, down = m.up_s * req.tempo * speed * jitter(), m.down_s * req.tempo * speed * jitter()
        hold = None
        if hold_target is not None:
            hold = req.short_hold_s if "hold_short" in faults else hold_target
        start_s = t
        if req.ballistic:
            # Down to the bottom a little quicker than a slow squat, then the jump; ~1.8 s a rep.
            go(up * 0.42, {**peak, "arm": -25.0})
            peak_s = t
            ph = {k: d * req.tempo * speed for k, d in _JUMP_PHASES_S.items()}
            go(ph["drive"], {**neutral, "point": 1.0, "arm": 70.0, "_setup": 0.0})
            go(ph["rise"], {**neutral, "air": JUMP_AIR_M * rom, "point": 1.0, "arm": 80.0, "_setup": 0.0})
            go(ph["fall"], {**neutral, "point": 0.6, "arm": 45.0, "_setup": 0.0})
            go(ph["land"], {**neutral, "depth": 0.3 * peak["depth"], "arm": 10.0, "_setup": 0.0})
            go(ph["recover"], {**neutral, "_setup": 0.0})
        else:
            go(up, peak)
            peak_s = t
            if hold:
                go(hold, peak)
            go(down, {**neutral, "_setup": 0.0})
        reps.append(
            RepTruth(
                i,
                side,
                round(start_s, 3),
                round(peak_s, 3),
                round(t, 3),
                None if hold is None else round(hold, 3),
                sorted(faults),
            )
        )
        go(rest * jitter() * tempo[i - 1], {**neutral, "_setup": 0.0})
    if m.constant:
        go(1.5, {**start, "_setup": 0.0})
    go(req.tail_s, keys[-1][1])
    return keys, reps, setup_end


@dataclass(frozen=True)
class Timebase:
    """Clip time -> timeline time: a start inside rep 1, and at most one hard cut.

    Before ``cut_s`` (clip time) the timeline is at ``t + offset_s``; from it on at
    ``t + offset_s + skip_s``.
    """

    offset_s: float = 0.0
    cut_s: float | None = None
    skip_s: float = 0.0

    def source(self, t: float) -> float:
        if self.cut_s is not None and t >= self.cut_s - 1e-9:
            return t + self.offset_s + self.skip_s
        return t + self.offset_s

    def after_cut(self, t: float) -> bool:
        return self.cut_s is not None and t >= self.cut_s - 1e-9


def clip_timebase(req: Request, reps: list[RepTruth]) -> Timebase:
    first = reps[0]
    offset = first.start_s + req.start_phase * (first.peak_s - first.start_s) if req.no_setup else 0.0
    if req.cut_rep is None:
        return Timebase(round(offset, 4))
    a, b = reps[req.cut_rep - 1], reps[req.cut_rep]
    cut_src = a.start_s + 0.5 * (a.peak_s - a.start_s)  # half-way down
    down_from = b.peak_s + (b.hold_s or 0.0)
    resume_src = down_from + 0.5 * (b.end_s - down_from)  # half-way back up
    return Timebase(round(offset, 4), round(cut_src - offset, 4), round(resume_src - cut_src, 4))


def clip_reps(reps: list[RepTruth], tb: Timebase) -> tuple[list[RepTruth], list[dict]]:
    """The reps as the clip shows them: clip times, a rep started before frame 0 starts at 0, and
    the two reps a cut splits dropped (returned as partial reps, reason ``across_cut``)."""
    out, partial = [], []
    for r in reps:
        if tb.cut_s is not None:
            before = r.end_s - tb.offset_s < tb.cut_s
            after = r.start_s - tb.offset_s - tb.skip_s >= tb.cut_s
            if not (before or after):
                partial.append(
                    {"source_index": r.index, "side": r.side, "reason": "across_cut", "seen_s": _seen_part(r, tb)}
                )
                continue
            shift = tb.offset_s + (tb.skip_s if after else 0.0)
        else:
            shift = tb.offset_s
        out.append(
            dataclasses.replace(
                r,
                index=len(out) + 1,
                start_s=round(max(0.0, r.start_s - shift), 3),
                peak_s=round(max(0.0, r.peak_s - shift), 3),
                end_s=round(r.end_s - shift, 3),
            )
        )
    return out, partial


def _seen_part(r: RepTruth, tb: Timebase) -> list[float]:
    """The clip-time span of a rep split by the cut that is on screen."""
    if r.start_s - tb.offset_s < tb.cut_s:  # the part before the cut
        return [round(max(0.0, r.start_s - tb.offset_s), 3), round(tb.cut_s, 3)]
    return [round(tb.cut_s, 3), round(r.end_s - tb.offset_s - tb.skip_s, 3)]


def params_at(keys: list[tuple[float, Params]], t: float) -> Params:
    if t <= keys[0][0]:
        return dict(keys[0][1])
    for (t0, p0), (t1, p1) in zip(keys, keys[1:]):
        if t <= t1:
            u = 0.0 if t1 <= t0 else (t - t0) / (t1 - t0)
            e = 0.5 - 0.5 * math.cos(math.pi * u)
            return {k: p0.get(k, 0.0) + (p1.get(k, 0.0) - p0.get(k, 0.0)) * e for k in p1}
    return dict(keys[-1][1])


def _setup_pose(m: Motion, phase: float) -> tuple[dict, dict]:
    """Where the setup starts: sitting (supine), on all fours (prone), mid-stride (standing)."""
    if m.position == "supine":
        pitch = {
            "trunk": -5.0,
            "chest": -5.0,
            "neck": -5.0,
            "head": -5.0,
            "thigh_L": -90.0,
            "thigh_R": -90.0,
            "shin_L": -90.0,
            "shin_R": -90.0,
            "foot_L": -80.0,
            "foot_R": -80.0,
            "upperarm_L": 20.0,
            "upperarm_R": 20.0,
            "forearm_L": 45.0,
            "forearm_R": 45.0,
        }
        return pitch, {"arm_L": -20.0, "arm_R": -20.0}
    if m.position == "prone":
        pitch = {
            "trunk": 90.0,
            "chest": 90.0,
            "neck": 60.0,
            "head": 50.0,
            "thigh_L": 0.0,
            "thigh_R": 0.0,
            "shin_L": 90.0,
            "shin_R": 90.0,
            "foot_L": 160.0,
            "foot_R": 160.0,
            "upperarm_L": 0.0,
            "upperarm_R": 0.0,
            "forearm_L": 35.0,
            "forearm_R": 35.0,
        }
        return pitch, {"arm_L": -25.0, "arm_R": -25.0, "leg_L": 0.0, "leg_R": 0.0}
    s = math.sin(phase)
    pitch = {
        "trunk": 3.0,
        "chest": 3.0,
        "neck": 3.0,
        "head": 3.0,
        "thigh_L": -22.0 * s,
        "thigh_R": 22.0 * s,
        "shin_L": -22.0 * s + 25.0 * max(0.0, -math.cos(phase)) + 5,
        "shin_R": 22.0 * s + 25.0 * max(0.0, math.cos(phase)) + 5,
        "foot_L": 0.0,
        "foot_R": 0.0,
        "upperarm_L": 18.0 * s,
        "upperarm_R": -18.0 * s,
        "forearm_L": 18.0 * s + 25,
        "forearm_R": -18.0 * s + 25,
    }
    return pitch, {"arm_L": -28.0, "arm_R": -28.0, "leg_L": -3.0, "leg_R": -3.0}


WALK_IN_M = 1.4


class ClipBuilder:
    """Poses and places the figure for each frame of a request."""

    def __init__(self, req: Request) -> None:
        self.req = req
        self.motion = req.validate()
        self.figure = assets.load()
        look = req.look
        self.rig = Rig(self.figure, scale=np.array([look.girth, look.height, look.girth]))
        self.keys, self.source_reps, self.setup_end_s = build_timeline(req, self.motion)
        self.timebase = clip_timebase(req, self.source_reps)
        self.reps, self.partial_reps = clip_reps(self.source_reps, self.timebase)
        self.duration_s = self.keys[-1][0] - self.timebase.offset_s - self.timebase.skip_s
        self.frames = int(round(self.duration_s * req.fps))
        self.view = req.view or self.motion.views[0]
        m = self.motion
        if self.view == "front":
            self.yaw = 0.0
        elif self.view in ("feet", "above"):
            self.yaw = 90.0 if req.facing == "right" else -90.0
        else:
            self.yaw = 90.0 if req.facing == "right" else -90.0
        # Reference placement: the neutral pose, centred on the origin.
        neutral = {**m.neutral, "_setup": 0.0}
        verts, _, lm = self._pose(neutral, anchored=False)
        self.shift = np.array(
            [-(verts[:, 0].min() + verts[:, 0].max()) / 2, 0.0, -(verts[:, 2].min() + verts[:, 2].max()) / 2]
        )
        self.ref = {k: v + self.shift for k, v in lm.items()}
        self.forward = rot_y(self.yaw) @ np.array([0.0, 0.0, 1.0])
        self.colors = colors_for(self.req.look, self.figure)
        self.camera = self._frame_camera()
        # After a hard cut: another camera (turned, closer, higher), as when a video is edited.
        self.camera_cut = self._frame_camera(35.0, 0.85, 0.25) if self.timebase.cut_s is not None else None
        self.bystander = Bystander(self) if req.bystander else None

    def camera_at(self, t: float) -> Camera:
        return self.camera_cut if self.timebase.after_cut(t) else self.camera

    def _pose(self, p: Params, anchored: bool = True, t: float = 0.0):
        m = self.motion
        pitch, abduct, anchor = m.posture(self.rig, p)
        setup = p.get("_setup", 0.0)
        walk_left = 0.0
        if setup > 1e-6:
            walk_left = setup * WALK_IN_M if m.position == "standing" else 0.0
            phase = (WALK_IN_M - walk_left) / 0.65 * math.pi
            sp, sa = _setup_pose(m, phase)
            if m.position == "standing":
                amp = min(1.0, walk_left / 0.25)
                sp = {k: pitch.get(k, 0.0) + (v - pitch.get(k, 0.0)) * amp for k, v in sp.items()}
                setup_w = 1.0
            else:
                setup_w = setup
            keys = set(pitch) | set(sp)
            full = {k: _get_pitch(pitch, k) * (1 - setup_w) + _get_pitch(sp, k, pitch) * setup_w for k in keys}
            pitch = full
            abduct = {
                k: abduct.get(k, 0.0) * (1 - setup_w) + sa.get(k, abduct.get(k, 0.0)) * setup_w
                for k in set(abduct) | set(sa)
            }
        rots = compose(pitch, abduct, self.yaw)
        verts, _, joints = self.rig.skin(rots, np.zeros(3))
        lm = self.rig.landmarks(verts, rots, joints)
        if not anchored:
            return verts, joints, lm
        if setup > 1e-6:
            anchor = {"left_hip": 1.0, "right_hip": 1.0}
        total = sum(anchor.values())
        cur = sum(lm[k] * w for k, w in anchor.items()) / total
        ref = sum(self.ref[k] * w for k, w in anchor.items()) / total
        offset = ref - cur - self.forward * walk_left
        offset[1] = -verts[:, 1].min()
        if "air" in p:  # a jump: the lowest point is above the floor
            offset[1] += p["air"]
        # Rounded to 10 µm so that float noise (numpy's summation order can depend on memory
        # alignment) never reaches the pixels: the same request renders the same bytes.
        verts = np.round(verts + offset, 5)
        lm = {k: v + offset for k, v in lm.items()}
        return verts, joints + offset, lm

    def pose_at(self, t: float):
        """The figure at clip time ``t`` (s)."""
        return self._pose(params_at(self.keys, self.timebase.source(t)), t=t)

    def _frame_camera(self, turn_deg: float = 0.0, dist_scale: float = 1.0, raise_m: float = 0.0) -> Camera:
        req = self.req
        pts = []
        for t in np.linspace(self.setup_end_s, self.duration_s, 12):
            p = params_at(self.keys, self.timebase.source(float(t)))
            if "air" in p:  # framed for the person on the floor: a jump may leave the picture
                p["air"] = 0.0
            v, _, _ = self._pose(p)
            pts.append(v[::7])
        pts = np.concatenate(pts)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        target = np.round((lo + hi) / 2, 3)  # rounded: see _pose
        lying = self.motion.position != "standing"
        if self.view == "front":
            direction = self.forward.copy()
        elif self.view == "feet":
            direction = self.forward.copy()  # the feet point along the body's forward axis when lying
        elif self.view == "above":
            direction = self.forward * 0.35
        else:
            direction = rot_y(-90.0 if req.facing == "right" else 90.0) @ self.forward
        direction = rot_y(req.camera_azimuth_deg + turn_deg) @ direction
        direction[1] = 0
        direction /= np.linalg.norm(direction)
        height = req.camera_height_m
        if height is None:
            height = {"feet": 1.25, "above": 2.6}.get(self.view, 0.85 if lying else 1.0)
        height += raise_m
        if self.view == "feet":
            target = target.copy()
            target[1] = lo[1] + 0.1

        def cam(dist: float) -> Camera:
            eye = np.round(target + direction * dist, 3)
            eye[1] = height
            return Camera(eye, target, req.fov_y_deg, req.width, req.height)

        if req.camera_distance_m is not None:
            return cam(req.camera_distance_m)
        dist = 3.0
        for _ in range(6):
            px = cam(dist).project(pts)
            ext = max(
                np.abs(px[:, 0] - req.width / 2).max() / (req.width / 2),
                np.abs(px[:, 1] - req.height / 2).max() / (req.height / 2),
            )
            dist *= ext / 0.82
        return cam(dist * dist_scale)

    def scene(self) -> Scene:
        look = self.req.look
        az, el = math.radians(look.sun_azimuth_deg), math.radians(look.sun_elevation_deg)
        cam_dir = self.camera.eye - self.camera.target
        cam_dir[1] = 0
        cam_dir /= np.linalg.norm(cam_dir)
        side = np.cross([0.0, 1.0, 0.0], cam_dir)
        horiz = cam_dir * math.cos(az) + side * math.sin(az)
        sun = horiz * math.cos(el) + np.array([0, 1.0, 0]) * math.sin(el)
        extra = {"wall_distance_m": Bystander.DEPTH_M + 1.2} if self.bystander else {}
        return Scene(
            floor_rgb=tuple(np.array(FLOORS[look.floor]) ** 2.2),
            wall_rgb=tuple(np.array(WALLS[look.wall]) ** 2.2),
            sun_dir=tuple(sun),
            **extra,
        )


def colors_for(look: Look, figure) -> np.ndarray:
    """Per-vertex linear RGB of a figure dressed as ``look``."""
    skin = np.array(SKIN[look.skin])
    pal = np.array(
        [
            skin,
            HAIR[look.hair],
            CLOTH[look.shirt],
            CLOTH[look.shorts],
            CLOTH.get(look.socks, (0.85, 0.85, 0.85)),
            (0.12, 0.08, 0.06),
            skin * [0.85, 0.6, 0.6],
            HAIR[look.hair],
        ]
    )
    return pal[figure.part] ** 2.2  # linear space; the shader re-applies gamma


class Bystander:
    """A second person (the same mesh, another look) walking back and forth behind the exerciser.

    The path runs parallel to the image plane ``DEPTH_M`` behind the camera's target and reaches
    past both edges of the picture, so the person walks in, across and out, then back; turns
    happen out of view. Only the exerciser is in the truth's landmarks.
    """

    DEPTH_M = 2.0
    SPEED_M_S = 1.1
    ENTER_S = 0.8  # starts walking (from outside the picture) this long into the clip

    def __init__(self, builder: ClipBuilder) -> None:
        req = builder.req
        rng = np.random.default_rng([req.seed, 16])
        self.look = dataclasses.replace(Look.random(rng), floor=req.look.floor, wall=req.look.wall)
        self.rig = Rig(builder.figure, scale=np.array([self.look.girth, self.look.height, self.look.girth]))
        self.colors = colors_for(self.look, builder.figure)
        self.motion = MOTIONS["squat"]  # any standing motion: only its walking setup pose is used
        cam = builder.camera
        view = cam.target - cam.eye
        view[1] = 0.0
        view /= np.linalg.norm(view)
        self.side = np.array([-view[2], 0.0, view[0]])
        centre = cam.target + view * self.DEPTH_M
        centre[1] = 0.0
        dist = float(np.linalg.norm((centre - cam.eye)[[0, 2]]))
        fov_x = 2 * math.atan(math.tan(math.radians(cam.fov_y_deg) / 2) * cam.width / cam.height)
        self.half_m = dist * math.tan(fov_x / 2) + 0.6
        self.start = centre - self.side * self.half_m

    def pose_at(self, t: float) -> np.ndarray:
        walked = max(0.0, t - self.ENTER_S) * self.SPEED_M_S
        leg, along = divmod(walked, 2 * self.half_m)
        heading = self.side if leg % 2 == 0 else -self.side
        pos = self.start + self.side * (along if leg % 2 == 0 else 2 * self.half_m - along)
        yaw = math.degrees(math.atan2(heading[0], heading[2]))
        pitch, abduct = _setup_pose(self.motion, walked / 0.65 * math.pi)
        rots = compose(pitch, abduct, yaw)
        verts, _, joints = self.rig.skin(rots, np.zeros(3))
        lm = self.rig.landmarks(verts, rots, joints)
        offset = pos - (lm["left_hip"] + lm["right_hip"]) / 2
        offset[1] = -verts[:, 1].min()
        return np.round(verts + offset, 5)


def _get_pitch(pitch: dict, key: str, fallback_dict: dict | None = None) -> float:
    chain = {
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
    k = key
    while k not in pitch:
        if k not in chain:
            return (fallback_dict or {}).get(key, 0.0)
        k = chain[k]
    return pitch[k]


def frames(builder: ClipBuilder, renderer: Renderer | None = None) -> Iterator[tuple[np.ndarray, dict]]:
    """Rendered BGR frames with their per-frame truth."""
    req = builder.req
    own = renderer is None
    tris = builder.figure.triangles
    other = builder.bystander
    if other is not None:  # two copies of the mesh in one scene
        tris = np.concatenate([tris, tris + len(builder.figure.part)])
        colors = np.concatenate([builder.colors, other.colors])
    else:
        colors = builder.colors
    renderer = renderer or Renderer(req.width, req.height, tris, req.supersample)
    scene = builder.scene()
    try:
        for i in range(builder.frames):
            t = i / req.fps
            verts, _, lm = builder.pose_at(t)
            camera = builder.camera_at(t)
            info: dict = {"t_s": round(t, 4)}
            if other is not None:
                v2 = other.pose_at(t)
                verts = np.concatenate([verts, v2])
                info["bystander_bbox_px"] = _bbox_in_view(camera.project(v2[::5]), req.width, req.height)
            img = renderer.render(verts, colors, camera, scene)
            pts3 = np.array([lm[n] for n in BLAZEPOSE])
            px = camera.project(pts3)
            info.update(
                {
                    "landmarks_px": np.round(px, 1).tolist(),
                    "landmarks_world_m": np.round(pts3, 4).tolist(),
                    "angles_deg": true_angles(lm),
                }
            )
            if builder.timebase.cut_s is not None:
                info["shot"] = int(builder.timebase.after_cut(t))
            yield img, info
    finally:
        if own:
            renderer.release()


def _bbox_in_view(px: np.ndarray, width: int, height: int) -> list[float] | None:
    """Bounding box [x0, y0, x1, y1] of projected points clipped to the image; None when outside."""
    x0, y0 = np.maximum(px.min(axis=0), 0)
    x1, y1 = np.minimum(px.max(axis=0), [width, height])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return [round(float(v), 1) for v in (x0, y0, x1, y1)]


def _camera_json(cam: Camera) -> dict:
    return {
        "eye_m": np.round(cam.eye, 3).tolist(),
        "target_m": np.round(cam.target, 3).tolist(),
        "fov_y_deg": cam.fov_y_deg,
    }


# Request fields added for issue 15; left out of a truth's "request" while at their defaults, so
# the truth files of clips rendered before them stay byte-identical.
NEW_REQUEST_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(Request)
    if f.name in ("no_setup", "start_phase", "tempo_jitter", "tempo_end", "ballistic", "cut_rep", "bystander")
}


def request_json(req: Request) -> dict:
    """Every generator parameter of ``req`` as JSON values (see NEW_REQUEST_DEFAULTS)."""
    out = dataclasses.asdict(req)
    out["faults"] = {k: list(v) for k, v in req.faults.items()}
    for key, default in NEW_REQUEST_DEFAULTS.items():
        if out[key] == default:
            del out[key]
    return out


def truth_header(builder: ClipBuilder) -> dict:
    req, m = builder.req, builder.motion
    cam = builder.camera
    reps = [dataclasses.asdict(r) for r in builder.reps]
    by_side = None
    if m.unilateral:
        by_side = {
            "left": sum(r.side == "left" for r in builder.reps),
            "right": sum(r.side == "right" for r in builder.reps),
        }
    near = None
    if builder.view in ("side", "oblique"):
        # The camera sees the side of the body that points at it.
        to_cam = cam.eye - cam.target
        left_axis = rot_y(builder.yaw) @ np.array([1.0, 0.0, 0.0])
        near = "left" if float(np.dot(to_cam, left_axis)) > 0 else "right"
    faults = [{"code": c, "rep": r.index, "t_s": r.peak_s} for r in builder.reps for c in r.faults]
    request = request_json(req)
    return {
        "schema": TRUTH_SCHEMA,
        "generator": "tools.render",
        "exercise": req.exercise,
        "position": m.position,
        "fps": req.fps,
        "frames": builder.frames,
        "width": req.width,
        "height": req.height,
        "duration_s": round(builder.frames / req.fps, 3),
        "camera": {
            "view": builder.view,
            "eye_m": np.round(cam.eye, 3).tolist(),
            "target_m": np.round(cam.target, 3).tolist(),
            "fov_y_deg": cam.fov_y_deg,
            "near_side": near,
        },
        "facing": req.facing,
        "setup_end_s": round(builder.setup_end_s, 3),
        "hold_target_s": m.hold_s,
        "request": request,
        "reps": len(builder.reps),
        "reps_by_side": by_side,
        "reps_detail": reps,
        "faults": faults,
        "landmark_names": list(BLAZEPOSE),
        **_hard_case_truth(builder),
    }


def _hard_case_truth(builder: ClipBuilder) -> dict:
    """Truth only the issue-15 options add (nothing for a tidy clip, so its truth file is unchanged)."""
    req, tb, out = builder.req, builder.timebase, {}
    if req.no_setup:
        # Frame 0 is already in position; with start_phase > 0, inside rep 1 (whose start_s is 0).
        out["starts_mid_rep"] = req.start_phase > 0
        out["start_in_timeline_s"] = tb.offset_s
    if req.ballistic:
        out["jump_air_m"] = JUMP_AIR_M
    if tb.cut_s is not None:
        out["cuts_s"] = [round(tb.cut_s, 3)]
        out["camera_after_cut"] = _camera_json(builder.camera_cut)
        out["partial_reps"] = builder.partial_reps
    if builder.bystander is not None:
        b = builder.bystander
        out["bystander"] = {
            "kind": req.bystander,
            "depth_behind_m": b.DEPTH_M,
            "speed_m_s": b.SPEED_M_S,
            "look": dataclasses.asdict(b.look),
        }
    return out


class VideoWriter:
    """H.264 through PyAV's libx264 when available (about 4x smaller), else OpenCV's mp4v.

    x264 runs single-threaded with fixed settings on frames built here, so the same frames give
    the same bytes.
    """

    def __init__(self, path: Path, fps: float, width: int, height: int, codec: str = "auto") -> None:
        self.codec = codec
        if codec == "auto":
            self.codec = "h264" if _has_libx264() else "mp4v"
        self.path = path
        if self.codec == "h264":
            from fractions import Fraction

            import av

            self._out = av.open(str(path), "w")
            self._stream = self._out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
            self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, "yuv420p"
            self._stream.options = {"crf": "23", "preset": "medium", "threads": "1"}
            self._pts = 0
        elif self.codec == "mp4v":
            self._cv = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
            if not self._cv.isOpened():
                raise RuntimeError(f"OpenCV cannot write mp4v video to {path}")
        else:
            raise ValueError(f"codec {codec!r}: expected auto, h264 or mp4v")

    def write(self, bgr: np.ndarray) -> None:
        if self.codec == "h264":
            import av

            # Build the YUV 4:2:0 frame ourselves, with zeroed line padding: PyAV leaves the padding
            # of its planes uninitialised and x264 reads it at the right edge, so re-renders of the
            # same frames differed by a few levels there.
            h, w = bgr.shape[:2]
            yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).ravel()
            planes = (
                yuv[: w * h].reshape(h, w),
                yuv[w * h : w * h * 5 // 4].reshape(h // 2, w // 2),
                yuv[w * h * 5 // 4 :].reshape(h // 2, w // 2),
            )
            frame = av.VideoFrame(w, h, "yuv420p")
            for plane, data in zip(frame.planes, planes):
                buf = np.zeros((data.shape[0], plane.line_size), np.uint8)
                buf[:, : data.shape[1]] = data
                plane.update(buf)
            frame.pts = self._pts
            self._pts += 1
            for packet in self._stream.encode(frame):
                self._out.mux(packet)
        else:
            self._cv.write(bgr)

    def close(self) -> None:
        if self.codec == "h264":
            for packet in self._stream.encode():
                self._out.mux(packet)
            self._out.close()
        else:
            self._cv.release()


def _has_libx264() -> bool:
    try:
        import av
    except ImportError:
        return False
    return "libx264" in av.codecs_available


def render_clip(
    req: Request, out_mp4: Path, truth_path: Path | None = None, progress=None, codec: str = "auto", world: bool = False
) -> dict:
    """Render ``req`` to ``out_mp4`` and write the truth JSON (default: same name, ``.json``).

    ``world`` keeps each frame's 3D landmark positions (m) in the truth too.
    """
    builder = ClipBuilder(req)
    out_mp4 = Path(out_mp4)
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    truth_path = Path(truth_path) if truth_path else out_mp4.with_suffix(".json")
    writer = VideoWriter(out_mp4, req.fps, req.width, req.height, codec)
    per_frame = []
    try:
        for i, (img, info) in enumerate(frames(builder)):
            writer.write(img)
            if not world:
                del info["landmarks_world_m"]
            per_frame.append(info)
            if progress:
                progress(i + 1, builder.frames)
    finally:
        writer.close()
    truth = truth_header(builder)
    truth["video"] = out_mp4.name
    truth["codec"] = writer.codec
    truth["frames_detail"] = per_frame
    truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return truth
