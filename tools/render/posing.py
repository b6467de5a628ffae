"""The figure at each moment of a clip: posed (FK + skinning), placed so the anchored body points stay
put and the lowest point touches the floor, dressed, framed by the camera; and a bystander walking behind."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import assets
from .motions import MOTIONS, Motion, Params
from .renderer import Camera, Scene
from .request import CLOTH, FLOORS, HAIR, SKIN, WALLS, Look, Request
from .rig import PARENT_SEGMENT, Rig, compose, rot_y
from .timeline import build_timeline, clip_reps, clip_timebase, params_at


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


def room_scene(look: Look, camera: Camera, **extra: float) -> Scene:
    """The room's floor and wall in the look's colours, lit by its sun placed relative to the camera."""
    az, el = math.radians(look.sun_azimuth_deg), math.radians(look.sun_elevation_deg)
    cam_dir = camera.eye - camera.target
    cam_dir[1] = 0
    cam_dir /= np.linalg.norm(cam_dir)
    side = np.cross([0.0, 1.0, 0.0], cam_dir)
    horiz = cam_dir * math.cos(az) + side * math.sin(az)
    sun = horiz * math.cos(el) + np.array([0, 1.0, 0]) * math.sin(el)
    return Scene(
        floor_rgb=tuple(np.array(FLOORS[look.floor]) ** 2.2),
        wall_rgb=tuple(np.array(WALLS[look.wall]) ** 2.2),
        sun_dir=tuple(sun),
        **extra,
    )


FRAME_FILL = 0.82  # the figure's farthest point from the picture's centre, as a share of the half-picture


def fitted_camera(
    req: Request, target: np.ndarray, direction: np.ndarray, height: float, pts: np.ndarray, dist_scale: float = 1.0
) -> Camera:
    """A camera ``height`` above the floor looking at ``target`` from along ``direction`` (level): at
    ``req.camera_distance_m``, else as far away (times ``dist_scale``) as makes ``pts`` fill FRAME_FILL."""

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
        dist *= ext / FRAME_FILL
    return cam(dist * dist_scale)


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
        return fitted_camera(req, target, direction, height, pts, dist_scale)

    def scene(self) -> Scene:
        extra = {"wall_distance_m": Bystander.DEPTH_M + 1.2} if self.bystander else {}
        return room_scene(self.req.look, self.camera, **extra)


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
    k = key
    while k not in pitch:
        if k not in PARENT_SEGMENT:
            return (fallback_dict or {}).get(key, 0.0)
        k = PARENT_SEGMENT[k]
    return pitch[k]
