"""Per-frame readings of the body for one exercise: whether it can be read, and its counting signal.

Signals and measures are chosen by name in the exercise definitions (:mod:`exercises.measures`).
Each is a function of one frame and a side (``"left"``/``"right"``), in degrees, NaN when it cannot
be read. A few need context that builds up over frames (which way the person faces, reference limb
lengths, which side the camera sees best): :class:`BodyReader` keeps it in the trackers of
:mod:`exercises.body_context`, with time from timestamps only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from exercises.body_context import (
    BodyMotion,
    FacingVote,
    FeetTorso,
    FloorWatch,
    LimbReferences,
    StanceWindow,
    WalkWatch,
)
from exercises.definitions import ExerciseDef
from exercises.measures import MEASURE_FUNCTIONS, MEASURES
from pose.frame import PoseFrame
from pose.geometry import (
    FRONT_VIEW_MIN_RATIO,
    SIDE_VIEW_MAX_RATIO,
    Orientation,
    View,
    body_orientation,
    facing_x,
    lying_feet_x,
    torso_length_px,
    width_ratio,
)
from pose.landmarks import SIDES, Side, landmark_index, other_side
from pose.smoothing import ema

_NAMES = ("shoulder", "hip", "knee", "ankle", "ear", "heel", "foot_index")
_IDX = {(n, s): landmark_index(n, s) for n in _NAMES for s in SIDES}
_NOSE = landmark_index("nose")

# Margins: landmarks this far outside [0, 1] count as out of the picture.
FRAME_MARGIN = 0.02
MIN_VISIBILITY = 0.3
TORSO_JUMP_FRAC = 0.35  # torso length change from its recent value that marks a glitch
FORGET_POSTURE_AFTER_S = 0.5  # out of sight this long: which way the person faces is learnt afresh
MAX_JOINT_SPEED_TORSO_PER_S = 8.0  # a fast squat moves the hips about 3 torso lengths a second
AMBIGUOUS_HOLD_S = 1.0  # after the skeleton jumped with someone else in view, who is who is unclear this long
_WALK_IDX = [_IDX[("hip", "left")], _IDX[("ankle", "left")], _IDX[("ankle", "right")]]
_SPEED_IDX = [_IDX[(n, s)] for n in ("shoulder", "hip", "knee", "ankle") for s in SIDES]


@dataclass(frozen=True)
class Reading:
    """What one frame says, for one exercise."""

    t_s: float
    hard_status: str | None  # no_person, second_person, out_of_frame, joints_hidden
    view: View
    orientation: Orientation
    best_side: Side | None
    signal: dict[Side, float]  # bilateral exercises: only the best side
    cut: bool = False  # the first frame after a scene cut
    others_in_view: bool = False  # someone besides the person followed is in the picture


class BodyReader:
    """Reads signals and measures from frames, keeping the context they need."""

    def __init__(self, definition: ExerciseDef) -> None:
        for name in (definition.signal, *(g[0] for g in definition.gates), *(r.measure for r in definition.rules)):
            if name not in MEASURE_FUNCTIONS:
                raise ValueError(
                    f"{definition.id}: unknown signal/measure {name!r}; expected one of {', '.join(MEASURES)}"
                )
        self.defn = definition
        self._key_idx = {s: np.array([_IDX[(n, s)] for n in definition.key_joints if (n, s) in _IDX]) for s in SIDES}
        self.side_locked = False
        self.reset()

    def reset(self) -> None:
        self._t_s = float("nan")
        self._ratio = float("nan")
        self._facing = FacingVote()
        self._feet = float("nan")
        self._lost_since = math.inf  # when the person was last lost from view (inf: in view)
        self._vis = {s: float("nan") for s in SIDES}
        self.best_side: Side | None = None
        self._limbs = LimbReferences()
        self._walk = WalkWatch()
        self._stance = StanceWindow()
        self._xy = np.full((33, 2), np.nan)
        self._size: tuple[int, int] = (1, 1)
        self._torso = float("nan")
        self._prev_pts: np.ndarray | None = None
        self.view: View = "unknown"
        self._ambiguous_until = -math.inf  # until then, the person followed may be someone else
        self._floor = FloorWatch()
        self._motion = BodyMotion()

    # ------------------------------------------------------------------ per frame

    def read(self, frame: PoseFrame) -> Reading:
        if frame.scene_cut:
            self.reset()  # another shot: another scale, maybe another camera angle
        t = frame.timestamp_s
        dt = t - self._t_s if math.isfinite(self._t_s) else 0.0
        self._t_s = t
        others = frame.people_count > 1
        if not frame.has_pose:
            if not math.isfinite(self._lost_since):
                self._lost_since = t
            self._prev_pts = None
            self._torso = float("nan")
            self._walk.forget()
            return Reading(t, "no_person", self.view, "unknown", self.best_side, {}, frame.scene_cut, others)
        if t - self._lost_since >= FORGET_POSTURE_AFTER_S:
            # Back after a while out of sight: maybe another shot, or the person turned round.
            # Which way they face is learnt again, not decayed to from what it was.
            self._facing.forget()
        self._lost_since = math.inf
        self._xy = frame.xy_px
        self._size = frame.image_size_px
        self._update_context(frame, dt)
        status = self._hard_status(frame)
        if not self._plausible(frame, dt) and status is None:
            # The skeleton jumped. With someone else in view it may have jumped to them: the
            # two cannot be told apart for a while. Alone, it is a glitch of the model.
            status = "joints_hidden"
            self._walk.forget()  # where a glitched skeleton put the hips is no walk
            if others:
                self._ambiguous_until = t + AMBIGUOUS_HOLD_S
        if others and t < self._ambiguous_until and status in (None, "joints_hidden"):
            status = "second_person"
        orientation = body_orientation(frame)
        signal: dict[Side, float] = {}
        if status is None and self.best_side is not None:
            sides = SIDES if self.defn.unilateral else (self.best_side,)
            for s in sides:
                signal[s] = self.measure(self.defn.signal, s)
            if not any(math.isfinite(v) for v in signal.values()):
                status = "joints_hidden"
        return Reading(t, status, self.view, orientation, self.best_side, signal, frame.scene_cut, others)

    def _update_context(self, frame: PoseFrame, dt: float) -> None:
        r = width_ratio(frame)
        if math.isfinite(r):
            self._ratio = ema(self._ratio, r, dt, 0.4)
        if math.isfinite(self._ratio):
            self.view = (
                "side"
                if self._ratio < SIDE_VIEW_MAX_RATIO
                else "front"
                if self._ratio >= FRONT_VIEW_MIN_RATIO
                else "oblique"
            )
        self._facing.see(facing_x(frame))
        fx = lying_feet_x(frame)
        if fx != 0:
            self._feet = ema(self._feet, fx, dt, 0.7)
        vis = frame.visibility
        for s in SIDES:
            idx = self._key_idx[s]
            score = float(vis[idx].sum()) / len(idx)
            self._vis[s] = ema(self._vis[s], score, dt, 0.5)
        if self.best_side is None:
            self.best_side = "left" if self._vis["left"] >= self._vis["right"] else "right"
        elif not self.side_locked:
            o = other_side(self.best_side)
            if self._vis[o] > self._vis[self.best_side] + 0.1:
                self.best_side = o
        xs = self._xy[_WALK_IDX, 0]
        xs[0] = (xs[0] + self._xy[_IDX[("hip", "right")], 0]) / 2  # hip midpoint: blind to swaps
        torso = torso_length_px(frame)
        if torso > 0 and np.isfinite(xs).all():
            self._walk.follow(self._t_s, xs, torso)
        if torso > 0:
            ankles = self._xy[[_IDX[("ankle", "left")], _IDX[("ankle", "right")]]]
            hips = (self._xy[_IDX[("hip", "left")]] + self._xy[_IDX[("hip", "right")]]) / 2
            self._stance.follow(self._t_s, torso, ankles, hips)
            self._floor.follow(self._t_s, float(np.max(ankles[:, 1])), torso, dt)
        width = self.dist("shoulder", "left", "shoulder", "right") + self.dist("hip", "left", "hip", "right")
        lengths = [
            (limb, s, self.dist(a, s, b, s))
            for s in SIDES
            for limb, a, b in (("thigh", "hip", "knee"), ("shin", "knee", "ankle"))
        ]
        self._limbs.follow(self._t_s, dt, width, lengths)

    def _plausible(self, frame: PoseFrame, dt: float) -> bool:
        """Whether the skeleton hangs together: a torso that jumps in length from one frame to
        the next, or shrinks to a speck, is a detector glitch, not a body."""
        torso = torso_length_px(frame)
        if not math.isfinite(torso):
            return False
        width, height = frame.image_size_px
        ok = torso >= 0.03 * math.hypot(width, height)
        if math.isfinite(self._torso):
            # Against the previous frame, so a real change of scale is accepted a frame later.
            ok = ok and abs(torso - self._torso) <= TORSO_JUMP_FRAC * self._torso
        self._torso = torso
        pts = frame.xy_px[_SPEED_IDX]
        if self._prev_pts is not None and dt > 0:
            # Joints flying across the picture faster than any of these exercises moves them.
            step = pts - self._prev_pts
            dist = np.hypot(step[:, 0], step[:, 1])
            fastest = float(np.nanmax(dist)) if np.isfinite(dist).any() else float("nan")
            ok = ok and not fastest > MAX_JOINT_SPEED_TORSO_PER_S * dt * torso
            if ok:
                self._motion.follow(self._t_s, pts, torso)
        self._prev_pts = pts
        return ok

    def _hard_status(self, frame: PoseFrame) -> str | None:
        side = self.best_side or "left"
        needed = [_IDX[(n, side)] for n in self.defn.key_joints if (n, side) in _IDX]
        if self.defn.unilateral:
            needed += [_IDX[(n, other_side(side))] for n in ("hip", "knee", "ankle")]
        pts = frame.xyz_norm[needed, :2]
        if np.isnan(pts).any():
            return "joints_hidden"
        if (pts < -FRAME_MARGIN).any() or (pts > 1 + FRAME_MARGIN).any():
            return "out_of_frame"
        own = [_IDX[(n, side)] for n in self.defn.key_joints if (n, side) in _IDX]
        if float(frame.visibility[own].min()) < MIN_VISIBILITY:
            return "joints_hidden"
        return None

    # ------------------------------------------------------------------ what the frames built up

    @property
    def walking(self) -> bool:
        """The hips and both feet travelled sideways lately: walking into place."""
        return self._walk.walking

    @property
    def body_motion(self) -> float:
        """How far the body's joints travelled over the last moment, in torso lengths (NaN: unknown)."""
        return self._motion.value

    @property
    def last_airborne_t(self) -> float:
        """When both feet were last off the floor (a jump); -inf: never."""
        return self._floor.last_airborne_t

    @property
    def feet_torso(self) -> FeetTorso:
        """See :attr:`exercises.body_context.StanceWindow.feet_torso`."""
        return self._stance.feet_torso

    @property
    def facing(self) -> float:
        """+1 / -1: the person faces image right / left (side view, standing); 0 unknown."""
        return self._facing.value

    @property
    def feet_x(self) -> float:
        """+1 / -1: a lying person's feet are to the image right / left; 0 unknown."""
        return float(np.sign(self._feet)) if abs(self._feet) > 0.3 else 0.0

    # ------------------------------------------------------------------ points and measures

    def point(self, name: str, side: Side) -> np.ndarray:
        """Where landmark ``name`` of ``side`` is in this frame (px)."""
        return self._xy[_IDX[(name, side)]]

    def nose(self) -> np.ndarray:
        return self._xy[_NOSE]

    def dist(self, a: str, sa: Side, b: str, sb: Side) -> float:
        d = self.point(a, sa) - self.point(b, sb)
        return math.hypot(d[0], d[1])

    def limb_ref(self, limb: str, side: Side) -> float:
        return self._limbs.ref(limb, side)

    def limbs_settling(self) -> bool:
        return self._limbs.settling(self._t_s)

    def in_picture(self, names: tuple[str, ...], side: Side) -> bool:
        """Whether these landmarks (of ``side``; the nose has none) are inside the picture."""
        for name in names:
            idx = _NOSE if name == "nose" else _IDX[(name, side)]
            x, y = self._xy[idx] / np.asarray(self._size, dtype=float)
            if not (-FRAME_MARGIN <= x <= 1 + FRAME_MARGIN and -FRAME_MARGIN <= y <= 1 + FRAME_MARGIN):
                return False
        return True

    def measure(self, name: str, side: Side) -> float:
        """A named signal or measure for one side, in degrees (NaN if it cannot be read)."""
        return float(MEASURE_FUNCTIONS[name](self, side))
