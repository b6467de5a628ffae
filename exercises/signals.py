"""Per-frame readings of the body for one exercise: its counting signal and form measures.

Signals and measures are chosen by name in the exercise definitions. Each is a function of
one frame and a side (``"left"``/``"right"``), in degrees, NaN when it cannot be read. A few
need context that builds up over frames (which way the person faces, reference limb lengths,
which side the camera sees best); :class:`BodyReader` keeps it, with time from timestamps only.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from exercises.definitions import ExerciseDef
from pose.frame import PoseFrame
from pose.geometry import (
    FRONT_VIEW_MIN_RATIO,
    SIDE_VIEW_MAX_RATIO,
    Orientation,
    View,
    body_orientation,
    elevation_deg,
    facing_x,
    joint_angle_deg,
    lying_feet_x,
    segment_angle_from_vertical_deg,
    torso_length_px,
    width_ratio,
)
from pose.landmarks import SIDES, Side, landmark_index, other_side
from pose.smoothing import ema

_NAMES = ("shoulder", "hip", "knee", "ankle", "ear", "heel", "foot_index")
_IDX = {(n, s): landmark_index(n, s) for n in _NAMES for s in SIDES}
_NOSE = landmark_index("nose")

SIGNALS = (
    "hip_angle",
    "foot_lift",
    "leg_elevation",
    "thigh_forward",
    "thigh_backward",
    "leg_abduction",
    "squat_knee_angle",
)
MEASURES = SIGNALS + ("knee_angle", "knee_angle_raw", "pelvis_lift", "trunk_lean", "head_drop", "thigh_drop")

# Shin / thigh length ratio (2D) outside which a knee angle is not believed: a collapsed ankle
# landmark (seen in supine leg raises) makes the shin look short and the knee look bent.
SHIN_THIGH_RATIO_OK = (0.7, 1.5)
# Margins: landmarks this far outside [0, 1] count as out of the picture.
FRAME_MARGIN = 0.02
MIN_VISIBILITY = 0.3
TORSO_JUMP_FRAC = 0.35  # torso length change from its recent value that marks a glitch
FORGET_POSTURE_AFTER_S = 0.5  # out of sight this long: which way the person faces is learnt afresh
FACING_VOTES, FACING_MIN_MARGIN = 9, 3  # frames voting on facing; how many more one way than the other
MAX_JOINT_SPEED_TORSO_PER_S = 8.0  # a fast squat moves the hips about 3 torso lengths a second
BODY_WINDOW_S = 1.0
AMBIGUOUS_HOLD_S = 1.0  # after the skeleton jumped with someone else in view, who is who is unclear this long
REF_WARMUP_S = 0.5  # reference limb lengths trusted after this long in view
# A limb's longest length is kept relative to the body's width too (shoulders + hips, which a
# squat does not change), so a camera moved further away (a phone being set up) shrinks the
# reference with the body instead of reading as a bent knee. Torso recent: the scale for travel.
TORSO_RECENT_S = 4.0
FEET_WINDOW_S = 0.5
AIRBORNE_TORSO = 0.12  # both ankles this far above the floor: the feet have left it
FLOOR_RISE_TORSO_PER_S = 0.3
AIRBORNE_MIN_S = 0.1
WIDTH_TAU_S = 0.2
WALK_WINDOW_S = 0.8
WALK_MIN_TRAVEL_TORSO = 0.35  # hips and both ankles carried sideways this far in the window
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
            if name not in MEASURES:
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
        # The last few frames' votes on which way the person faces (0 votes left out): a sum,
        # not an average that decays, so a turn or a new shot is followed within a few frames.
        self._facing_votes: deque[float] = deque(maxlen=FACING_VOTES)
        self._feet = float("nan")
        self._lost_since = math.inf  # when the person was last lost from view (inf: in view)
        self._vis = {s: float("nan") for s in SIDES}
        self.best_side: Side | None = None
        self._thigh_ref = {s: float("nan") for s in SIDES}
        self._ref_since = float("nan")  # when the reference limb lengths started to build up
        self._hip_track: deque[tuple[float, np.ndarray, float]] = deque()  # (t_s, x of hips, ankles; torso)
        self.walking = False  # the hips travelled sideways lately: walking into place
        self._shin_ref = {s: float("nan") for s in SIDES}
        self._limb_per_width: dict[tuple[str, Side], float] = {}  # limb / body width when its ref was set
        self._width = float("nan")  # shoulders' + hips' 2D width, smoothed (px)
        self._torso_recent: deque[tuple[float, float]] = deque()  # (t_s, torso px)
        self._feet_recent: deque[tuple[float, np.ndarray]] = deque()  # (t_s, [left ankle, right ankle, hips] px)
        self._xy = np.full((33, 2), np.nan)
        self._size: tuple[int, int] = (1, 1)
        self._torso = float("nan")
        self._prev_pts: np.ndarray | None = None
        self.view: View = "unknown"
        # How far shoulders, hips, knees and ankles travelled in the last BODY_WINDOW_S (the
        # second largest, in torso lengths): a body on the move, whatever the counted joint does.
        self.body_motion = float("nan")
        self._ambiguous_until = -math.inf  # until then, the person followed may be someone else
        self._floor_y = float("nan")
        self.last_airborne_t = -math.inf  # both feet off the floor: a jump
        self._up_since: float | None = None
        self._body_track: deque[tuple[float, np.ndarray]] = deque()

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
            self._hip_track.clear()
            self.walking = False
            return Reading(t, "no_person", self.view, "unknown", self.best_side, {}, frame.scene_cut, others)
        if t - self._lost_since >= FORGET_POSTURE_AFTER_S:
            # Back after a while out of sight: maybe another shot, or the person turned round.
            # Which way they face is learnt again, not decayed to from what it was.
            self._facing_votes.clear()
        self._lost_since = math.inf
        self._xy = frame.xy_px
        self._size = frame.image_size_px
        self._update_context(frame, dt)
        status = self._hard_status(frame)
        if not self._plausible(frame, dt) and status is None:
            # The skeleton jumped. With someone else in view it may have jumped to them: the
            # two cannot be told apart for a while. Alone, it is a glitch of the model.
            status = "joints_hidden"
            self._hip_track.clear()  # where a glitched skeleton put the hips is no walk
            self.walking = False
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
        f = facing_x(frame)
        if f != 0:
            self._facing_votes.append(f)
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
            # Walking: over the last moments the hips and *both* feet travelled sideways. A squat
            # or a leg swing keeps at least one foot planted; a squat's hips come back.
            track = self._hip_track
            track.append((self._t_s, xs, torso))
            while track and track[0][0] < self._t_s - WALK_WINDOW_S:
                track.popleft()
            # Displacement in pixels over the largest torso seen: a squat foreshortens the
            # torso, which must not read as travel.
            scale = max(item[2] for item in track)
            travel = np.abs(track[-1][1] - track[0][1]) / scale
            self.walking = bool((travel > WALK_MIN_TRAVEL_TORSO).all())
        if not math.isfinite(self._ref_since):
            self._ref_since = self._t_s
        if torso > 0:
            recent = self._torso_recent
            recent.append((self._t_s, torso))
            while recent and recent[0][0] < self._t_s - TORSO_RECENT_S:
                recent.popleft()
            ankles = self._xy[[_IDX[("ankle", "left")], _IDX[("ankle", "right")]]]
            hips = (self._xy[_IDX[("hip", "left")]] + self._xy[_IDX[("hip", "right")]]) / 2
            feet = self._feet_recent
            feet.append((self._t_s, np.vstack([ankles, hips])))
            while feet and feet[0][0] < self._t_s - FEET_WINDOW_S:
                feet.popleft()
            self._follow_floor(float(np.max(ankles[:, 1])), torso, dt)
        width = self._dist("shoulder", "left", "shoulder", "right") + self._dist("hip", "left", "hip", "right")
        if math.isfinite(width):
            self._width = ema(self._width, width, dt, WIDTH_TAU_S)
        decay = math.exp(-dt / 20.0)
        for s in SIDES:
            for limb, refs, length in (
                ("thigh", self._thigh_ref, self._dist("hip", s, "knee", s)),
                ("shin", self._shin_ref, self._dist("knee", s, "ankle", s)),
            ):
                if not math.isfinite(length):
                    continue
                if not (length < refs[s] * decay):  # a new longest (NaN ref: the first)
                    refs[s] = length
                    if self._width > 0:
                        self._limb_per_width[(limb, s)] = length / self._width
                else:
                    refs[s] *= decay

    @property
    def feet_torso(self) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        """(left ankle, right ankle) in px, each the median over the last moment (one glitched
        frame must not look like a step), the recent torso length (px, a stride's scale) and
        the hips' midpoint (px, the same median; blind to left/right swaps)."""
        scale = max((item[1] for item in self._torso_recent), default=float("nan"))
        rows = [p for _, p in self._feet_recent if np.isfinite(p).all()]
        if not rows:
            return np.full(2, np.nan), np.full(2, np.nan), scale, np.full(2, np.nan)
        where = np.median(np.array(rows), axis=0)
        return where[0], where[1], scale, where[2]

    def _limb_ref(self, limb: str, s: Side) -> float:
        """The limb's reference (longest) length, shrunk with the body if the camera moved away."""
        ref = (self._thigh_ref if limb == "thigh" else self._shin_ref)[s]
        ratio = self._limb_per_width.get((limb, s))
        if ratio is None or not self._width > 0:
            return ref
        return min(ref, ratio * self._width)

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
                self._follow_body(pts, torso)
        self._prev_pts = pts
        return ok

    def _follow_floor(self, lower_ankle_y: float, torso: float, dt: float) -> None:
        """Where the feet stand (image y, down), and when both last left it (a jump)."""
        if not math.isfinite(lower_ankle_y):
            return
        # The floor is the lowest the feet have been lately: it follows them down at once and
        # rises only slowly (a camera tilted, a person stepping back).
        floor = self._floor_y - FLOOR_RISE_TORSO_PER_S * torso * dt if math.isfinite(self._floor_y) else lower_ankle_y
        self._floor_y = max(floor, lower_ankle_y)
        if self._floor_y - lower_ankle_y > AIRBORNE_TORSO * torso:
            if self._up_since is None:
                self._up_since = self._t_s
            if self._t_s - self._up_since >= AIRBORNE_MIN_S:  # a flight, not one glitched frame
                self.last_airborne_t = self._t_s
        else:
            self._up_since = None

    def _follow_body(self, pts: np.ndarray, torso: float) -> None:
        """How far the body's joints travelled over the last moment (``body_motion``)."""
        track = self._body_track
        track.append((self._t_s, pts))
        while track and track[0][0] < self._t_s - BODY_WINDOW_S:
            track.popleft()
        xy = np.array([p for _, p in track])  # (frames, joints, 2)
        extent = np.hypot(*(np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0)).T)
        # The second largest: one joint the model jitters on is not a body moving.
        self.body_motion = float(np.sort(np.nan_to_num(extent))[-2]) / torso

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

    # ------------------------------------------------------------------ helpers

    def _p(self, name: str, side: Side) -> np.ndarray:
        return self._xy[_IDX[(name, side)]]

    def _dist(self, a: str, sa: Side, b: str, sb: Side) -> float:
        d = self._p(a, sa) - self._p(b, sb)
        return math.hypot(d[0], d[1])

    @property
    def facing(self) -> float:
        """+1 / -1: the person faces image right / left (side view, standing); 0 unknown."""
        votes = self._facing_votes
        total = sum(votes)  # the first votes count at once when they agree
        return float(np.sign(total)) if votes and abs(total) >= min(FACING_MIN_MARGIN, len(votes)) else 0.0

    @property
    def feet_x(self) -> float:
        """+1 / -1: a lying person's feet are to the image right / left; 0 unknown."""
        return float(np.sign(self._feet)) if abs(self._feet) > 0.3 else 0.0

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
        return float(getattr(self, "_m_" + name)(side))

    # ------------------------------------------------------------------ measures (degrees)

    def _m_hip_angle(self, s: Side) -> float:
        """Shoulder-hip-knee; 180 = a straight line (bridge top), ~120-135 hook-lying.

        For a lying body (shoulder-knee line nearer horizontal than vertical) a hip pushed
        above that line reads past 180 (e.g. 190), so an over-arched bridge does not fold
        back to look like a low one.
        """
        sh, hip, knee = self._p("shoulder", s), self._p("hip", s), self._p("knee", s)
        ang = float(joint_angle_deg(sh, hip, knee))
        dx, dy = knee[0] - sh[0], knee[1] - sh[1]
        if abs(dx) > abs(dy):
            line_y = sh[1] + (hip[0] - sh[0]) * dy / dx
            if hip[1] < line_y:
                ang = 360.0 - ang
        return ang

    def _m_knee_angle(self, s: Side) -> float:
        """Hip-knee-ankle, NaN when the shin/thigh length ratio is implausible (collapsed ankle)."""
        thigh = self._dist("hip", s, "knee", s)
        shin = self._dist("knee", s, "ankle", s)
        lo, hi = SHIN_THIGH_RATIO_OK
        if not (thigh > 0 and lo <= shin / thigh <= hi):
            return float("nan")
        return joint_angle_deg(self._p("hip", s), self._p("knee", s), self._p("ankle", s))

    def _m_knee_angle_raw(self, s: Side) -> float:
        """Hip-knee-ankle without the plausibility check (postures, not faults)."""
        return joint_angle_deg(self._p("hip", s), self._p("knee", s), self._p("ankle", s))

    def _m_leg_elevation(self, s: Side) -> float:
        """Hip->ankle above the horizontal towards the feet: a leg lifted off the floor (lying)."""
        return elevation_deg(self._p("hip", s), self._p("ankle", s), self.feet_x)

    def _m_foot_lift(self, s: Side) -> float:
        """Height of this ankle above the shoulders (on the floor), as a shin tilt:
        asin(height / shin length). Only changes matter: the checker learns each foot's rest,
        so a 10 cm lift of a 42 cm shin reads about 14 deg above it. Measured against the
        shoulders, not the other foot, because a model tracking the far foot poorly drags
        the near one along.
        """
        o = other_side(s)
        shin = (self._dist("knee", s, "ankle", s) + self._dist("knee", o, "ankle", o)) / 2
        floor_y = (self._p("shoulder", s)[1] + self._p("shoulder", o)[1]) / 2
        rise = floor_y - self._p("ankle", s)[1]
        if not shin > 0:
            return float("nan")
        return math.degrees(math.asin(min(1.0, max(-1.0, rise / shin))))

    def _m_thigh_forward(self, s: Side) -> float:
        """Hip->knee from the downward vertical, positive in front of the body (side view)."""
        f = self.facing
        if f == 0:
            return float("nan")
        d = self._p("knee", s) - self._p("hip", s)
        return math.degrees(math.atan2(d[0] * f, d[1]))

    def _m_thigh_backward(self, s: Side) -> float:
        return -self._m_thigh_forward(s)

    def _m_leg_abduction(self, s: Side) -> float:
        """Hip->ankle away from the body's midline, positive outwards (front / overhead view)."""
        o = other_side(s)
        sh = (self._p("shoulder", s) + self._p("shoulder", o)) / 2
        hp = (self._p("hip", s) + self._p("hip", o)) / 2
        axis = hp - sh
        out = self._p("hip", s) - self._p("hip", o)
        na, no = math.hypot(*axis), math.hypot(*out)
        if not (na > 0 and no > 0):
            return float("nan")
        v = self._p("ankle", s) - self._p("hip", s)
        return math.degrees(math.atan2(float(v @ out) / no, float(v @ axis) / na))

    def _knee_estimate(self, s: Side) -> float:
        """Knee angle from vertical extents and the longest thigh/shin seen lately.

        Foreshortening towards the camera (a front view of a squat) shortens the vertical
        extent of a segment as it tilts, so its tilt from the vertical is acos(extent / length).
        Assumes a roughly level camera and a knee that bends forward.
        """
        hip, knee, ankle = self._p("hip", s), self._p("knee", s), self._p("ankle", s)
        t_ref, s_ref = self._limb_ref("thigh", s), self._limb_ref("shin", s)
        if not (t_ref > 0 and s_ref > 0) or self._t_s - self._ref_since < REF_WARMUP_S:
            # The longest limbs seen are not known yet: the plain 2D angle is the safer guess.
            return float(joint_angle_deg(hip, knee, ankle))
        thigh_tilt = math.acos(min(1.0, max(-1.0, (knee[1] - hip[1]) / t_ref)))
        shin_tilt = math.acos(min(1.0, max(-1.0, (ankle[1] - knee[1]) / s_ref)))
        # A knee seen above the hip (a low camera, a deep squat) tilts the thigh past 90 deg; the
        # sum can pass 180, which no knee bends to: the estimate stays a real angle.
        return max(0.0, 180.0 - math.degrees(thigh_tilt + shin_tilt))

    def _m_squat_knee_angle(self, s: Side) -> float:
        """Knee angle: the 2D angle in a side view, else the extent-based estimate of both legs."""
        if self.view == "side":
            return float(joint_angle_deg(self._p("hip", s), self._p("knee", s), self._p("ankle", s)))
        vals = [v for v in (self._knee_estimate("left"), self._knee_estimate("right")) if math.isfinite(v)]
        return sum(vals) / len(vals) if vals else float("nan")

    def _m_thigh_drop(self, s: Side) -> float:
        """How far the hips are above knee level, as a thigh tilt: 90 standing, 0 thighs level."""
        vals = []
        for side in (s,) if self.view == "side" else SIDES:
            t_ref = self._limb_ref("thigh", side)
            if t_ref > 0:
                rise = (self._p("knee", side)[1] - self._p("hip", side)[1]) / t_ref
                if math.isfinite(rise):
                    vals.append(math.degrees(math.asin(min(1.0, max(-1.0, rise)))))
        return sum(vals) / len(vals) if vals else float("nan")

    def _m_pelvis_lift(self, s: Side) -> float:
        """Lying: how high the hips are lifted off the shoulders' line, as the trunk's angle above
        the horizontal (0 flat, ~25-35 in a bridge). Uses both sides: it is the pelvis, not a leg."""
        sh = (self._p("shoulder", "left") + self._p("shoulder", "right")) / 2
        hp = (self._p("hip", "left") + self._p("hip", "right")) / 2
        d = hp - sh
        return math.degrees(math.atan2(-d[1], abs(d[0])))

    def _m_trunk_lean(self, s: Side) -> float:
        """Shoulders->hips from the downward vertical: 0 upright."""
        sh = (self._p("shoulder", "left") + self._p("shoulder", "right")) / 2
        hp = (self._p("hip", "left") + self._p("hip", "right")) / 2
        return float(segment_angle_from_vertical_deg(sh, hp))

    def _m_head_drop(self, s: Side) -> float:
        """Ear->nose below the horizontal: ~10-20 looking ahead, 50+ looking at the floor."""
        d = self._xy[_NOSE] - self._p("ear", s)
        return math.degrees(math.atan2(d[1], abs(d[0])))
