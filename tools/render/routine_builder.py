"""A routine: several exercises in a row by one person in one room, seen by one fixed camera.

Between two parts the person stays in the room when they can: two lying exercises in the same
orientation change posture on the floor (``floor``), back <-> stomach lying the same way rolls over
(``roll``), anything else gets up (if lying), turns on the spot and gets down again (``stand``).
With ``transitions="walk"`` the person gets up, walks out of the picture and back in between every
two parts instead. The first part always starts with walking in; the last ends with walking out.

The camera is framed once on every part's postures (reps, rest, standing), so the room never moves.
:class:`RoutineBuilder` offers what :func:`generate.frames` needs from a clip builder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import assets
from .posing import colors_for, fitted_camera, room_scene
from .renderer import Camera, Scene
from .request import Look, Request
from .rig import Rig
from .routine_part import ROUTINE_VIEWS, Arrival, Leaving, PartBuilder, yaw_gap
from .timeline import Timebase
from .transitions import WalkProfile

TRANSITIONS = ("auto", "walk")
OUT_OF_PICTURE_M = 0.75  # hips this far past the picture's edge: the whole body is out


@dataclass(frozen=True)
class RoutineRequest:
    """Everything that decides a routine clip; each part is a single-exercise request."""

    parts: tuple[Request, ...]
    look: Look = field(default_factory=Look)
    seed: int = 0
    transitions: str = "auto"  # auto: stay in the room between parts; walk: walk out and in again
    camera_height_m: float | None = None  # None: 1.25 m with a feet view, else 1.0 m
    camera_distance_m: float | None = None  # None: frame every part's postures
    fov_y_deg: float = 45.0
    fps: float = 30.0
    width: int = 480
    height: int = 360
    supersample: int = 2

    def validate(self) -> None:
        if not self.parts:
            raise ValueError("a routine needs at least one part")
        if self.transitions not in TRANSITIONS:
            raise ValueError(f"transitions {self.transitions!r}: expected one of {', '.join(TRANSITIONS)}")
        if self.width % 2 or self.height % 2 or self.width < 16 or self.height < 16:
            raise ValueError(f"size {self.width}x{self.height}: expected even numbers of at least 16")
        for k, part in enumerate(self.parts, start=1):
            motion = part.validate()
            view = part.view or motion.views[0]
            if view not in ROUTINE_VIEWS:  # "above" needs a camera of its own
                raise ValueError(f"part {k}: view {view!r} in a routine: expected one of {', '.join(ROUTINE_VIEWS)}")
            if part.look != self.look or part.fps != self.fps:
                raise ValueError(f"part {k}: its look and fps must be the routine's (one person, one clip)")
            odd = [
                name
                for name, bad in (
                    ("no_setup", part.no_setup),
                    ("start_phase", part.start_phase),
                    ("ballistic", part.ballistic),
                    ("cut_rep", part.cut_rep is not None),
                    ("bystander", part.bystander is not None),
                )
                if bad
            ]
            if odd:
                raise ValueError(f"part {k} ({part.exercise}): {', '.join(odd)} cannot be used in a routine")


def transition_kind(a: tuple[str, float], b: tuple[str, float], mode: str) -> str:
    """How the person goes from a part to the next, given each one's (position, yaw):
    outside, stand, floor or roll."""
    if mode == "walk":
        return "outside"
    (pa, yaw_a), (pb, yaw_b) = a, b
    if "standing" not in (pa, pb):
        gap = abs(yaw_gap(yaw_a, yaw_b))
        if pa == pb and gap < 1.0:
            return "floor"
        if pa != pb and abs(gap - 180.0) < 1.0:
            return "roll"
    return "stand"


class RoutineBuilder:
    """Poses the person and frames the camera for every frame of a routine."""

    def __init__(self, req: RoutineRequest) -> None:
        req.validate()
        self.req = req
        self.figure = assets.load()
        look = req.look
        self.rig = Rig(self.figure, scale=np.array([look.girth, look.height, look.girth]))
        self.colors = colors_for(look, self.figure)
        self.bystander = None
        self.timebase = Timebase()
        rng = np.random.default_rng([req.seed, 13])
        self.parts: list[PartBuilder] = []
        self.kinds: list[str] = []  # how each part is reached: outside, stand, floor or roll
        for preq in req.parts:
            part = PartBuilder(preq, self.rig)
            kind = "outside"
            if self.parts:
                prev = self.parts[-1]
                here, there = (prev.motion.position, prev.yaw), (part.motion.position, part.yaw)
                kind = transition_kind(here, there, req.transitions)
            if kind == "outside":  # people do not come back to the very same spot
                part.move(np.array([rng.uniform(-0.25, 0.25), 0.0, rng.uniform(-0.1, 0.25)]))
            elif kind == "stand":
                part.move(self.parts[-1].stand_hips - part.stand_hips)
            else:
                part.move(self.parts[-1].rest_hips - part.rest_hips)
            self.parts.append(part)
            self.kinds.append(kind)
        self.camera = self._frame_camera()
        self._plan(rng)
        self.starts_s = [0.0]
        for part in self.parts[:-1]:
            self.starts_s.append(round(self.starts_s[-1] + part.duration_s, 3))
        self.duration_s = self.starts_s[-1] + self.parts[-1].duration_s
        self.frames = int(round(self.duration_s * req.fps))

    def _plan(self, rng: np.random.Generator) -> None:
        prev = None
        n = len(self.parts)
        for k, part in enumerate(self.parts):
            kind = self.kinds[k]
            if kind == "outside":
                direction = self._walk_direction(part, rng)
                walk = WalkProfile(self._walk_m(part, direction, arriving=True), rng.uniform(0.95, 1.25), 0.4, 1.0)
                arrival = Arrival("outside", direction, walk)
            else:
                arrival = Arrival(kind)
            after = self.kinds[k + 1] if k + 1 < n else "outside"
            if after == "outside":
                direction = self._walk_direction(part, rng)
                walk = WalkProfile(self._walk_m(part, direction, arriving=False), rng.uniform(0.95, 1.25), 0.8, 0.3)
                leaving = Leaving("outside", direction, walk, float(rng.uniform(0.2, 0.8)) if k + 1 < n else 0.4)
            else:
                leaving = Leaving("stand" if after == "stand" else "floor")
            part.plan(arrival, leaving, prev, rng)
            prev = part

    @staticmethod
    def _walk_direction(part: PartBuilder, rng: np.random.Generator) -> float:
        """Walk along where the person faces when that is across the picture; else either way."""
        across = math.sin(math.radians(part.yaw))
        if abs(across) > 0.7:
            return 1.0 if across > 0 else -1.0
        return float(rng.choice([-1.0, 1.0]))

    def _walk_m(self, part: PartBuilder, direction: float, arriving: bool) -> float:
        """How far the standing spot is from just outside the picture's edge the walk crosses."""
        cam = self.camera
        depth = float(cam.eye[2] - part.stand_hips[2])
        half_w = depth * math.tan(math.radians(cam.fov_y_deg) / 2) * cam.width / cam.height
        edge_sign = -direction if arriving else direction  # the edge walked in from / out through
        edge_x = float(cam.eye[0]) + edge_sign * half_w
        return round(abs(edge_x - float(part.stand_hips[0])) + OUT_OF_PICTURE_M, 3)

    def _frame_camera(self) -> Camera:
        """One camera for the whole routine, on +z looking along -z, seeing every part's postures."""
        req = self.req
        pts = np.concatenate([p.framing_points() for p in self.parts])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        target = np.round((lo + hi) / 2, 3)
        height = req.camera_height_m
        if height is None:
            height = 1.25 if any(p.view == "feet" for p in self.parts) else 1.0
        direction = np.array([0.0, 0.0, 1.0])
        return fitted_camera(req, target, direction, height, pts)

    # ------------------------------------------------------------------ what generate.frames asks

    def part_at(self, t: float) -> int:
        """The part whose time ``t`` (clip s) is."""
        k = int(np.searchsorted(self.starts_s, t + 1e-9, side="right")) - 1
        return min(max(k, 0), len(self.parts) - 1)

    def pose_at(self, t: float):
        k = self.part_at(t)
        return self.parts[k].pose_at(t - self.starts_s[k])

    def camera_at(self, t: float) -> Camera:
        return self.camera

    def scene(self) -> Scene:
        """The room: as a clip's, lit by the look's sun relative to the camera."""
        return room_scene(self.req.look, self.camera)
