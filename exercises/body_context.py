"""What the body reader learns over frames, one small tracker per question, each owning its own state.

Which way the person faces, how long their limbs are, where the floor is and whether both feet left
it, whether they are walking into place, how much the whole body moves, and where the feet stood
lately. :class:`~exercises.signals.BodyReader` feeds them each frame; time comes from timestamps only.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from pose.landmarks import SIDES, Side
from pose.smoothing import ema

FACING_VOTES, FACING_MIN_MARGIN = 9, 3  # frames voting on facing; how many more one way than the other
BODY_WINDOW_S = 1.0
REF_WARMUP_S = 0.5  # reference limb lengths trusted after this long in view
LIMB_DECAY_TAU_S = 20.0  # a longest limb length seen long ago counts for less
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

NAN = float("nan")
# (left ankle, right ankle) px, the recent torso length px, the hips' midpoint px: see StanceWindow.feet_torso
FeetTorso = tuple[np.ndarray, np.ndarray, float, np.ndarray]


class FacingVote:
    """Which way a standing person faces in a side view: the last few frames' votes (0 votes left out).

    A sum, not an average that decays, so a turn or a new shot is followed within a few frames."""

    def __init__(self) -> None:
        self._votes: deque[float] = deque(maxlen=FACING_VOTES)

    def see(self, vote: float) -> None:
        """One frame's vote: +1 / -1 (image right / left); 0 says nothing and is left out."""
        if vote != 0:
            self._votes.append(vote)

    def forget(self) -> None:
        self._votes.clear()

    @property
    def value(self) -> float:
        """+1 / -1: the person faces image right / left; 0 unknown."""
        votes = self._votes
        total = sum(votes)  # the first votes count at once when they agree
        return float(np.sign(total)) if votes and abs(total) >= min(FACING_MIN_MARGIN, len(votes)) else 0.0


class LimbReferences:
    """The longest thigh and shin seen lately (px), kept relative to the body's width as well."""

    def __init__(self) -> None:
        self._longest: dict[str, dict[Side, float]] = {
            "thigh": dict.fromkeys(SIDES, NAN),
            "shin": dict.fromkeys(SIDES, NAN),
        }
        self._per_width: dict[tuple[str, Side], float] = {}  # limb / body width when its ref was set
        self._width = NAN  # shoulders' + hips' 2D width, smoothed (px)
        self._since = NAN  # when the references started to build up

    def follow(self, t: float, dt: float, width_px: float, lengths: list[tuple[str, Side, float]]) -> None:
        """This frame's body width and ``(limb, side, length)`` of each limb (NaN: not seen)."""
        if not math.isfinite(self._since):
            self._since = t
        if math.isfinite(width_px):
            self._width = ema(self._width, width_px, dt, WIDTH_TAU_S)
        decay = math.exp(-dt / LIMB_DECAY_TAU_S)
        for limb, s, length in lengths:
            if not math.isfinite(length):
                continue
            refs = self._longest[limb]
            if not (length < refs[s] * decay):  # a new longest (NaN ref: the first)
                refs[s] = length
                if self._width > 0:
                    self._per_width[(limb, s)] = length / self._width
            else:
                refs[s] *= decay

    def ref(self, limb: str, s: Side) -> float:
        """The limb's reference (longest) length, shrunk with the body if the camera moved away."""
        ref = self._longest[limb][s]
        ratio = self._per_width.get((limb, s))
        if ratio is None or not self._width > 0:
            return ref
        return min(ref, ratio * self._width)

    def settling(self, t: float) -> bool:
        """The references started building up less than REF_WARMUP_S before ``t``: not trusted yet."""
        return t - self._since < REF_WARMUP_S


class FloorWatch:
    """Where the feet stand (image y, down), and when both last left the floor (a jump)."""

    def __init__(self) -> None:
        self._floor_y = NAN
        self._up_since: float | None = None
        self.last_airborne_t = -math.inf

    def follow(self, t: float, lower_ankle_y: float, torso: float, dt: float) -> None:
        if not math.isfinite(lower_ankle_y):
            return
        # The floor is the lowest the feet have been lately: it follows them down at once and
        # rises only slowly (a camera tilted, a person stepping back).
        floor = self._floor_y - FLOOR_RISE_TORSO_PER_S * torso * dt if math.isfinite(self._floor_y) else lower_ankle_y
        self._floor_y = max(floor, lower_ankle_y)
        if self._floor_y - lower_ankle_y > AIRBORNE_TORSO * torso:
            if self._up_since is None:
                self._up_since = t
            if t - self._up_since >= AIRBORNE_MIN_S:  # a flight, not one glitched frame
                self.last_airborne_t = t
        else:
            self._up_since = None


class WalkWatch:
    """Walking into place: over the last moments the hips and *both* feet travelled sideways.

    A squat or a leg swing keeps at least one foot planted; a squat's hips come back."""

    def __init__(self) -> None:
        self._track: deque[tuple[float, np.ndarray, float]] = deque()  # (t_s, x of hips, ankles; torso)
        self.walking = False

    def forget(self) -> None:
        self._track.clear()
        self.walking = False

    def follow(self, t: float, xs: np.ndarray, torso: float) -> None:
        track = self._track
        track.append((t, xs, torso))
        while track and track[0][0] < t - WALK_WINDOW_S:
            track.popleft()
        # Displacement in pixels over the largest torso seen: a squat foreshortens the
        # torso, which must not read as travel.
        scale = max(item[2] for item in track)
        travel = np.abs(track[-1][1] - track[0][1]) / scale
        self.walking = bool((travel > WALK_MIN_TRAVEL_TORSO).all())


class BodyMotion:
    """How far shoulders, hips, knees and ankles travelled in the last BODY_WINDOW_S (the second
    largest, in torso lengths): a body on the move, whatever the counted joint does."""

    def __init__(self) -> None:
        self._track: deque[tuple[float, np.ndarray]] = deque()
        self.value = NAN

    def follow(self, t: float, pts: np.ndarray, torso: float) -> None:
        track = self._track
        track.append((t, pts))
        while track and track[0][0] < t - BODY_WINDOW_S:
            track.popleft()
        xy = np.array([p for _, p in track])  # (frames, joints, 2)
        extent = np.hypot(*(np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0)).T)
        # The second largest: one joint the model jitters on is not a body moving.
        self.value = float(np.sort(np.nan_to_num(extent))[-2]) / torso


class StanceWindow:
    """Where the ankles and hips stood over the last moment, and the torso's recent length."""

    def __init__(self) -> None:
        self._torso_recent: deque[tuple[float, float]] = deque()  # (t_s, torso px)
        self._feet_recent: deque[tuple[float, np.ndarray]] = deque()  # (t_s, [left ankle, right ankle, hips] px)

    def follow(self, t: float, torso: float, ankles: np.ndarray, hips: np.ndarray) -> None:
        recent = self._torso_recent
        recent.append((t, torso))
        while recent and recent[0][0] < t - TORSO_RECENT_S:
            recent.popleft()
        feet = self._feet_recent
        feet.append((t, np.vstack([ankles, hips])))
        while feet and feet[0][0] < t - FEET_WINDOW_S:
            feet.popleft()

    @property
    def feet_torso(self) -> FeetTorso:
        """(left ankle, right ankle) in px, each the median over the last moment (one glitched
        frame must not look like a step), the recent torso length (px, a stride's scale) and
        the hips' midpoint (px, the same median; blind to left/right swaps)."""
        scale = max((item[1] for item in self._torso_recent), default=NAN)
        rows = [p for _, p in self._feet_recent if np.isfinite(p).all()]
        if not rows:
            return np.full(2, np.nan), np.full(2, np.nan), scale, np.full(2, np.nan)
        where = np.median(np.array(rows), axis=0)
        return where[0], where[1], scale, where[2]
