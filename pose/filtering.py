"""Per-frame landmark clean-up between the pose model and the exercise checker.

raw PoseFrame -> :class:`SwapGuard` (left/right consistency) -> One-Euro smoothing -> PoseFrame.
"""

from __future__ import annotations

import numpy as np

from pose.frame import PoseFrame
from pose.smoothing import OneEuroFilter
from pose.swap_guard import SwapGuard


class PoseFilter:
    """Swap guard + One-Euro smoothing of normalised landmarks, driven by frame timestamps.

    Empty frames pass through unchanged; a gap without a pose longer than ``reset_after_s``
    (or time going backwards, e.g. a seek), or a scene cut, resets the filter so an old pose is
    not blended in.
    ``beta`` is per normalised image unit per second.
    """

    def __init__(
        self, min_cutoff_hz: float = 1.5, beta: float = 3.0, d_cutoff_hz: float = 1.0, reset_after_s: float = 0.5
    ) -> None:
        if reset_after_s <= 0:
            raise ValueError(f"reset_after_s must be > 0, got {reset_after_s}")
        self.reset_after_s = reset_after_s
        self._guard = SwapGuard()
        self._euro = OneEuroFilter(min_cutoff_hz=min_cutoff_hz, beta=beta, d_cutoff_hz=d_cutoff_hz)
        self._last_pose_s: float | None = None

    def reset(self) -> None:
        """Forget all history."""
        self._guard.reset()
        self._euro.reset()
        self._last_pose_s = None

    def apply(self, frame: PoseFrame) -> PoseFrame:
        """The cleaned-up frame (same timestamp, visibility and people count)."""
        if frame.scene_cut:
            self.reset()  # another shot: nothing before the cut belongs with what follows
        if not frame.has_pose:
            return frame
        t_s = frame.timestamp_s
        if self._last_pose_s is not None and (t_s - self._last_pose_s > self.reset_after_s or t_s < self._last_pose_s):
            self.reset()
        self._last_pose_s = t_s
        guarded = self._guard.apply(frame)
        xyz = guarded.xyz_norm
        # Smooth x, y (and z) in normalised units so one beta fits every image size.
        smooth = self._euro(xyz, t_s)
        width, height = frame.image_size_px
        xy_px = smooth[:, :2] * np.array([width, height], dtype=np.float64)
        return guarded.replace_points(xy_px, xyz_norm=smooth)
