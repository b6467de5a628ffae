"""Guard against left/right landmark swaps between consecutive frames.

Pose models sometimes label the left leg as the right one for a few frames (in side views the
two legs overlap; the lite model does it often in a supine leg raise). A swap shows up as a
jump that the mirrored labelling would not have: if relabelling a limb group makes it much
closer to the previous frame, the labels are swapped back.
"""

from __future__ import annotations

import numpy as np

from pose.frame import PoseFrame
from pose.landmarks import landmark_index, mirrored_index

_MIRROR = np.array(mirrored_index())

# Limb groups decided independently: a model may swap the legs but not the arms.
SWAP_GROUPS: dict[str, tuple[str, ...]] = {
    "legs": ("hip", "knee", "ankle", "heel", "foot_index"),
    "arms": ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"),
    "face": ("eye_inner", "eye", "eye_outer", "ear", "mouth"),
}


def _group_indices(names: tuple[str, ...]) -> np.ndarray:
    return np.array([landmark_index(n, s) for n in names for s in ("left", "right")])


_GROUP_IDX = {g: _group_indices(names) for g, names in SWAP_GROUPS.items()}


def permute_frame(frame: PoseFrame, perm: np.ndarray) -> PoseFrame:
    """A copy of ``frame`` with every per-landmark array reordered by ``perm``."""
    return PoseFrame(
        timestamp_ms=frame.timestamp_ms,
        image_size_px=frame.image_size_px,
        xy_px=frame.xy_px[perm],
        xyz_norm=frame.xyz_norm[perm],
        world_xyz_m=frame.world_xyz_m[perm],
        visibility=frame.visibility[perm],
        presence=frame.presence[perm],
        people_count=frame.people_count,
        scene_cut=frame.scene_cut,
    )


class SwapGuard:
    """Keeps left/right labels consistent with the previous frame, per limb group.

    A group is relabelled when the mirrored assignment is at most ``ratio`` times the cost of
    the given one and better by at least ``min_gain`` torso lengths (mean per landmark), so
    overlapping limbs (both costs small) are left alone. Call :meth:`reset` after a gap.
    """

    def __init__(self, ratio: float = 0.5, min_gain: float = 0.08) -> None:
        if not 0 < ratio < 1 or min_gain < 0:
            raise ValueError(f"expected 0 < ratio < 1 and min_gain >= 0, got ratio={ratio}, min_gain={min_gain}")
        self.ratio = ratio
        self.min_gain = min_gain
        self.swaps = 0  # how many group swaps were repaired (for diagnostics)
        self.reset()

    def reset(self) -> None:
        self._prev: np.ndarray | None = None

    def apply(self, frame: PoseFrame) -> PoseFrame:
        """The frame with swapped limb groups relabelled; frames without a pose pass through."""
        if not frame.has_pose:
            return frame
        xy = frame.xy_px
        if self._prev is None:
            self._prev = xy.copy()
            return frame
        hips = xy[[landmark_index("hip", "left"), landmark_index("hip", "right")]].mean(axis=0)
        shoulders = xy[[landmark_index("shoulder", "left"), landmark_index("shoulder", "right")]].mean(axis=0)
        scale = float(np.hypot(hips[0] - shoulders[0], hips[1] - shoulders[1]))
        perm = np.arange(len(xy))
        if np.isfinite(scale) and scale > 0:
            for idx in _GROUP_IDX.values():
                d_same = xy[idx] - self._prev[idx]
                d_swap = xy[_MIRROR[idx]] - self._prev[idx]
                same = np.hypot(d_same[:, 0], d_same[:, 1])
                swapped = np.hypot(d_swap[:, 0], d_swap[:, 1])
                ok = np.isfinite(same) & np.isfinite(swapped)
                n = int(ok.sum())
                if n < 2:
                    continue
                c_same, c_swap = float(same[ok].sum()) / n, float(swapped[ok].sum()) / n
                if c_swap <= self.ratio * c_same and (c_same - c_swap) >= self.min_gain * scale:
                    perm[idx] = _MIRROR[idx]
                    self.swaps += 1
        out = frame if (perm == np.arange(len(xy))).all() else permute_frame(frame, perm)
        # Keep the last known position of points that went missing.
        self._prev = np.where(np.isnan(out.xy_px), self._prev, out.xy_px)
        return out
