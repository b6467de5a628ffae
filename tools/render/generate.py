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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

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
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)

SKIN = {"light": (0.87, 0.70, 0.58), "medium": (0.74, 0.55, 0.42), "tan": (0.62, 0.44, 0.31),
        "brown": (0.45, 0.30, 0.20), "dark": (0.30, 0.20, 0.14)}
HAIR = {"black": (0.05, 0.04, 0.04), "brown": (0.25, 0.15, 0.08), "blond": (0.70, 0.58, 0.35),
        "grey": (0.55, 0.55, 0.55), "red": (0.45, 0.18, 0.08)}
CLOTH = {"blue": (0.15, 0.30, 0.62), "red": (0.65, 0.12, 0.12), "green": (0.18, 0.45, 0.25),
         "grey": (0.45, 0.45, 0.47), "black": (0.08, 0.08, 0.10), "white": (0.85, 0.85, 0.85),
         "yellow": (0.80, 0.65, 0.15), "purple": (0.40, 0.20, 0.50), "navy": (0.10, 0.12, 0.30)}
FLOORS = {"wood": (0.55, 0.40, 0.26), "beige": (0.70, 0.62, 0.50), "grey": (0.42, 0.42, 0.44),
          "mat_blue": (0.25, 0.35, 0.55), "mat_green": (0.30, 0.45, 0.32)}
WALLS = {"white": (0.88, 0.88, 0.85), "cream": (0.85, 0.80, 0.68), "sage": (0.62, 0.70, 0.60),
         "grey": (0.62, 0.62, 0.64), "blue": (0.62, 0.70, 0.80)}


@dataclass(frozen=True)
class Look:
    skin: str = "medium"
    hair: str = "brown"
    shirt: str = "blue"
    shorts: str = "black"
    socks: str = "white"
    floor: str = "wood"
    wall: str = "white"
    height: float = 1.0        # body scale factor
    girth: float = 1.0         # width/depth scale factor
    sun_azimuth_deg: float = 35.0
    sun_elevation_deg: float = 55.0

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Look":
        pick = lambda d: str(rng.choice(sorted(d)))  # noqa: E731
        shirt = pick(CLOTH)
        return cls(skin=pick(SKIN), hair=pick(HAIR), shirt=shirt,
                   shorts=pick([c for c in CLOTH if c != shirt]), socks=str(rng.choice(["white", "grey", "black"])),
                   floor=pick(FLOORS), wall=pick(WALLS), height=float(rng.uniform(0.92, 1.08)),
                   girth=float(rng.uniform(0.92, 1.15)), sun_azimuth_deg=float(rng.uniform(-60, 60)),
                   sun_elevation_deg=float(rng.uniform(40, 70)))


@dataclass(frozen=True)
class Request:
    """Everything that decides a clip; the same request renders the same pixels."""

    exercise: str
    reps: int = 4
    faults: dict[str, tuple[int, ...]] = field(default_factory=dict)   # code -> 1-based reps
    sides: str = "alternate"          # alternate | left | right | left-then-right | right-then-left
    tempo: float = 1.0                # multiplies up/down durations
    hold_s: float | None = None       # None: the exercise's target (5 s where it has one)
    short_hold_s: float = 2.0         # the hold of a rep with hold_short
    rest_s: float | None = None
    rom: float = 1.0                  # range of motion factor
    view: str | None = None           # side | front | oblique | feet | above; None: the first valid
    facing: str = "right"             # standing: where the person looks; lying: where the feet point
    camera_distance_m: float | None = None   # None: frame the movement automatically
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
    variation: float = 0.1            # per-rep random spread of tempo, rest and range (from the seed)

    def validate(self) -> Motion:
        if self.exercise not in MOTIONS:
            raise ValueError(f"unknown exercise {self.exercise!r}; expected one of {', '.join(sorted(MOTIONS))}")
        m = MOTIONS[self.exercise]
        for code in self.faults:
            if code not in FAULT_CODES:
                raise ValueError(f"unknown fault {code!r}; expected one of {', '.join(FAULT_CODES)}")
            if code not in m.faults:
                raise ValueError(f"fault {code!r} cannot be shown for {self.exercise}; "
                                 f"it takes {', '.join(m.faults) or 'none'}")
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
        if self.sides not in ("alternate", "left", "right", "left-then-right", "right-then-left"):
            raise ValueError(f"sides {self.sides!r}: expected alternate, left, right, left-then-right "
                             "or right-then-left")
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


def build_timeline(req: Request, m: Motion) -> tuple[list[tuple[float, Params]], list[RepTruth], float]:
    """Keyframes ``(t_s, params)`` (eased between), the reps' truth, and when the setup ends."""
    neutral = dict(m.neutral)
    start = {k: (0.0 if k in m.constant else v) for k, v in neutral.items()}
    keys: list[tuple[float, Params]] = [(0.0, {**start, "_setup": 1.0})]
    t = 0.0

    def go(dt: float, params: Params) -> None:
        nonlocal t
        t += dt
        keys.append((t, params))

    go(max(req.setup_s, 0.0), {**start, "_setup": 0.0})
    if m.constant:
        go(1.2, {**neutral, "_setup": 0.0})
    go(0.6, {**neutral, "_setup": 0.0})
    setup_end = round(t, 3)
    reps: list[RepTruth] = []
    hold_target = m.hold_s if req.hold_s is None else req.hold_s
    rest = m.rest_s if req.rest_s is None else req.rest_s
    rng = np.random.default_rng(req.seed)
    for i, side in enumerate(_rep_sides(req, m), start=1):
        faults = frozenset(code for code, which in req.faults.items() if i in which)
        v = req.variation
        jitter = lambda: float(rng.uniform(1 - v, 1 + v))  # noqa: E731
        rom = req.rom * float(rng.uniform(1 - v / 2, 1 + v / 3))
        peak = {**neutral, **m.peak(side, faults, rom), "_setup": 0.0}
        speed = 0.3 if "too_fast" in faults else 1.0
        up, down = m.up_s * req.tempo * speed * jitter(), m.down_s * req.tempo * speed * jitter()
        hold = None
        if hold_target is not None:
            hold = req.short_hold_s if "hold_short" in faults else hold_target
        start_s = t
        go(up, peak)
        peak_s = t
        if hold:
            go(hold, peak)
        go(down, {**neutral, "_setup": 0.0})
        reps.append(RepTruth(i, side, round(start_s, 3), round(peak_s, 3), round(t, 3),
                             None if hold is None else round(hold, 3), sorted(faults)))
        go(rest * jitter(), {**neutral, "_setup": 0.0})
    if m.constant:
        go(1.5, {**start, "_setup": 0.0})
    go(req.tail_s, keys[-1][1])
    return keys, reps, setup_end


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
        pitch = {"trunk": -5.0, "chest": -5.0, "neck": -5.0, "head": -5.0, "thigh_L": -90.0, "thigh_R": -90.0,
                 "shin_L": -90.0, "shin_R": -90.0, "foot_L": -80.0, "foot_R": -80.0,
                 "upperarm_L": 20.0, "upperarm_R": 20.0, "forearm_L": 45.0, "forearm_R": 45.0}
        return pitch, {"arm_L": -20.0, "arm_R": -20.0}
    if m.position == "prone":
        pitch = {"trunk": 90.0, "chest": 90.0, "neck": 60.0, "head": 50.0, "thigh_L": 0.0, "thigh_R": 0.0,
                 "shin_L": 90.0, "shin_R": 90.0, "foot_L": 160.0, "foot_R": 160.0,
                 "upperarm_L": 0.0, "upperarm_R": 0.0, "forearm_L": 35.0, "forearm_R": 35.0}
        return pitch, {"arm_L": -25.0, "arm_R": -25.0, "leg_L": 0.0, "leg_R": 0.0}
    s = math.sin(phase)
    pitch = {"trunk": 3.0, "chest": 3.0, "neck": 3.0, "head": 3.0,
             "thigh_L": -22.0 * s, "thigh_R": 22.0 * s,
             "shin_L": -22.0 * s + 25.0 * max(0.0, -math.cos(phase)) + 5,
             "shin_R": 22.0 * s + 25.0 * max(0.0, math.cos(phase)) + 5,
             "foot_L": 0.0, "foot_R": 0.0,
             "upperarm_L": 18.0 * s, "upperarm_R": -18.0 * s, "forearm_L": 18.0 * s + 25, "forearm_R": -18.0 * s + 25}
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
        self.keys, self.reps, self.setup_end_s = build_timeline(req, self.motion)
        self.duration_s = self.keys[-1][0]
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
        self.shift = np.array([-(verts[:, 0].min() + verts[:, 0].max()) / 2, 0.0,
                               -(verts[:, 2].min() + verts[:, 2].max()) / 2])
        self.ref = {k: v + self.shift for k, v in lm.items()}
        self.forward = rot_y(self.yaw) @ np.array([0.0, 0.0, 1.0])
        self.colors = self._colors()
        self.camera = self._frame_camera()

    def _colors(self) -> np.ndarray:
        look = self.req.look
        skin = np.array(SKIN[look.skin])
        pal = np.array([skin, HAIR[look.hair], CLOTH[look.shirt], CLOTH[look.shorts],
                        CLOTH.get(look.socks, (0.85, 0.85, 0.85)), (0.12, 0.08, 0.06), skin * [0.85, 0.6, 0.6],
                        HAIR[look.hair]])
        return pal[self.figure.part] ** 2.2   # linear space; the shader re-applies gamma

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
            abduct = {k: abduct.get(k, 0.0) * (1 - setup_w) + sa.get(k, abduct.get(k, 0.0)) * setup_w
                      for k in set(abduct) | set(sa)}
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
        # Rounded to 10 µm so that float noise (numpy's summation order can depend on memory
        # alignment) never reaches the pixels: the same request renders the same bytes.
        verts = np.round(verts + offset, 5)
        lm = {k: v + offset for k, v in lm.items()}
        return verts, joints + offset, lm

    def pose_at(self, t: float):
        return self._pose(params_at(self.keys, t), t=t)

    def _frame_camera(self) -> Camera:
        req = self.req
        pts = []
        for t in np.linspace(self.setup_end_s, self.duration_s, 12):
            v, _, _ = self.pose_at(float(t))
            pts.append(v[::7])
        pts = np.concatenate(pts)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        target = np.round((lo + hi) / 2, 3)   # rounded: see _pose
        lying = self.motion.position != "standing"
        if self.view == "front":
            direction = self.forward.copy()
        elif self.view == "feet":
            direction = self.forward.copy()  # the feet point along the body's forward axis when lying
        elif self.view == "above":
            direction = self.forward * 0.35
        else:
            direction = rot_y(-90.0 if req.facing == "right" else 90.0) @ self.forward
        direction = rot_y(req.camera_azimuth_deg) @ direction
        direction[1] = 0
        direction /= np.linalg.norm(direction)
        height = req.camera_height_m
        if height is None:
            height = {"feet": 1.25, "above": 2.6}.get(self.view, 0.85 if lying else 1.0)
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
            ext = max(np.abs(px[:, 0] - req.width / 2).max() / (req.width / 2),
                      np.abs(px[:, 1] - req.height / 2).max() / (req.height / 2))
            dist *= ext / 0.82
        return cam(dist)

    def scene(self) -> Scene:
        look = self.req.look
        az, el = math.radians(look.sun_azimuth_deg), math.radians(look.sun_elevation_deg)
        cam_dir = self.camera.eye - self.camera.target
        cam_dir[1] = 0
        cam_dir /= np.linalg.norm(cam_dir)
        side = np.cross([0.0, 1.0, 0.0], cam_dir)
        horiz = cam_dir * math.cos(az) + side * math.sin(az)
        sun = horiz * math.cos(el) + np.array([0, 1.0, 0]) * math.sin(el)
        return Scene(floor_rgb=tuple(np.array(FLOORS[look.floor]) ** 2.2),
                     wall_rgb=tuple(np.array(WALLS[look.wall]) ** 2.2), sun_dir=tuple(sun))


def _get_pitch(pitch: dict, key: str, fallback_dict: dict | None = None) -> float:
    chain = {"chest": "trunk", "neck": "chest", "head": "neck", "thigh_L": "trunk", "thigh_R": "trunk",
             "shin_L": "thigh_L", "shin_R": "thigh_R", "foot_L": "shin_L", "foot_R": "shin_R",
             "upperarm_L": "chest", "upperarm_R": "chest", "forearm_L": "upperarm_L",
             "forearm_R": "upperarm_R"}
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
    renderer = renderer or Renderer(req.width, req.height, builder.figure.triangles, req.supersample)
    scene = builder.scene()
    try:
        for i in range(builder.frames):
            t = i / req.fps
            verts, _, lm = builder.pose_at(t)
            img = renderer.render(verts, builder.colors, builder.camera, scene)
            pts3 = np.array([lm[n] for n in BLAZEPOSE])
            px = builder.camera.project(pts3)
            yield img, {"t_s": round(t, 4), "landmarks_px": np.round(px, 1).tolist(),
                        "landmarks_world_m": np.round(pts3, 4).tolist(), "angles_deg": true_angles(lm)}
    finally:
        if own:
            renderer.release()


def truth_header(builder: ClipBuilder) -> dict:
    req, m = builder.req, builder.motion
    cam = builder.camera
    reps = [dataclasses.asdict(r) for r in builder.reps]
    by_side = None
    if m.unilateral:
        by_side = {"left": sum(r.side == "left" for r in builder.reps),
                   "right": sum(r.side == "right" for r in builder.reps)}
    near = None
    if builder.view in ("side", "oblique"):
        # The camera sees the side of the body that points at it.
        to_cam = cam.eye - cam.target
        left_axis = rot_y(builder.yaw) @ np.array([1.0, 0.0, 0.0])
        near = "left" if float(np.dot(to_cam, left_axis)) > 0 else "right"
    faults = [{"code": c, "rep": r.index, "t_s": r.peak_s} for r in builder.reps for c in r.faults]
    request = dataclasses.asdict(req)
    request["faults"] = {k: list(v) for k, v in req.faults.items()}
    return {
        "schema": TRUTH_SCHEMA, "generator": "tools.render", "exercise": req.exercise,
        "position": m.position, "fps": req.fps, "frames": builder.frames, "width": req.width,
        "height": req.height, "duration_s": round(builder.frames / req.fps, 3),
        "camera": {"view": builder.view, "eye_m": np.round(cam.eye, 3).tolist(),
                   "target_m": np.round(cam.target, 3).tolist(), "fov_y_deg": cam.fov_y_deg, "near_side": near},
        "facing": req.facing, "setup_end_s": round(builder.setup_end_s, 3), "hold_target_s": m.hold_s,
        "request": request,
        "reps": len(builder.reps), "reps_by_side": by_side, "reps_detail": reps, "faults": faults,
        "landmark_names": list(BLAZEPOSE),
    }


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
            import av
            from fractions import Fraction
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
            planes = (yuv[: w * h].reshape(h, w), yuv[w * h: w * h * 5 // 4].reshape(h // 2, w // 2),
                      yuv[w * h * 5 // 4:].reshape(h // 2, w // 2))
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


def render_clip(req: Request, out_mp4: Path, truth_path: Path | None = None, progress=None,
                codec: str = "auto", world: bool = False) -> dict:
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
