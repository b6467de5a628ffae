"""One frozen value per video frame: the pose found in it, or an empty pose."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pose.landmarks import NUM_LANDMARKS, Side, landmark_index


def _nan(*shape: int) -> np.ndarray:
    return np.full(shape, np.nan, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """The pose of the main person in one frame.

    Arrays have one row per BlazePose landmark (33). Missing values are NaN; a frame with no
    person is :meth:`empty`, never an exception. ``xy_px`` is in image pixels (x right, y down),
    ``xyz_norm`` in [0, 1] image units (z: MediaPipe's relative depth), ``world_xyz_m`` in metres
    about the hip centre. ``visibility`` and ``presence`` are MediaPipe's scores in [0, 1].
    """

    timestamp_ms: float
    image_size_px: tuple[int, int]  # (width, height)
    xy_px: np.ndarray = field(default_factory=lambda: _nan(NUM_LANDMARKS, 2))
    xyz_norm: np.ndarray = field(default_factory=lambda: _nan(NUM_LANDMARKS, 3))
    world_xyz_m: np.ndarray = field(default_factory=lambda: _nan(NUM_LANDMARKS, 3))
    visibility: np.ndarray = field(default_factory=lambda: np.zeros(NUM_LANDMARKS))
    presence: np.ndarray = field(default_factory=lambda: np.zeros(NUM_LANDMARKS))
    people_count: int = 0  # how many people the landmarker found; >1 means someone else is in view
    scene_cut: bool = False  # the picture changed almost everywhere since the last frame (edited footage)

    def __post_init__(self) -> None:
        for name, cols in (("xy_px", 2), ("xyz_norm", 3), ("world_xyz_m", 3)):
            arr = getattr(self, name)
            if arr.shape != (NUM_LANDMARKS, cols):
                raise ValueError(f"{name} must have shape ({NUM_LANDMARKS}, {cols}), got {arr.shape}")
        for name in ("visibility", "presence"):
            if getattr(self, name).shape != (NUM_LANDMARKS,):
                raise ValueError(f"{name} must have shape ({NUM_LANDMARKS},), got {getattr(self, name).shape}")

    @classmethod
    def empty(cls, timestamp_ms: float, image_size_px: tuple[int, int], scene_cut: bool = False) -> PoseFrame:
        """A frame in which no person was found."""
        return cls(timestamp_ms=timestamp_ms, image_size_px=image_size_px, scene_cut=scene_cut)

    @classmethod
    def from_normalized(
        cls,
        timestamp_ms: float,
        image_size_px: tuple[int, int],
        xyz_norm: np.ndarray,
        visibility: np.ndarray | None = None,
        world_xyz_m: np.ndarray | None = None,
        presence: np.ndarray | None = None,
        people_count: int = 1,
        scene_cut: bool = False,
    ) -> PoseFrame:
        """Build a frame from normalised landmarks (what MediaPipe and the test skeletons give)."""
        xyz_norm = np.asarray(xyz_norm, dtype=np.float64)
        width, height = image_size_px
        xy_px = xyz_norm[:, :2] * np.array([width, height], dtype=np.float64)
        vis = np.ones(NUM_LANDMARKS) if visibility is None else np.asarray(visibility, dtype=np.float64)
        return cls(
            timestamp_ms=timestamp_ms,
            image_size_px=image_size_px,
            xy_px=xy_px,
            xyz_norm=xyz_norm,
            world_xyz_m=_nan(NUM_LANDMARKS, 3) if world_xyz_m is None else np.asarray(world_xyz_m, dtype=np.float64),
            visibility=vis,
            presence=vis.copy() if presence is None else np.asarray(presence, dtype=np.float64),
            people_count=people_count,
            scene_cut=scene_cut,
        )

    @property
    def timestamp_s(self) -> float:
        return self.timestamp_ms / 1000.0

    @property
    def has_pose(self) -> bool:
        return self.people_count > 0 and not np.isnan(self.xy_px).all()

    def point_px(self, name: str, side: Side | None = None) -> np.ndarray:
        """Pixel position of a landmark by side-neutral name (NaN when missing)."""
        return self.xy_px[landmark_index(name, side)]

    def visible(self, name: str, side: Side | None = None, threshold: float = 0.5) -> bool:
        """Whether a landmark is confidently seen and inside the image."""
        i = landmark_index(name, side)
        if not self.has_pose or self.visibility[i] < threshold:
            return False
        x, y = self.xyz_norm[i, :2]
        return bool(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0)

    def replace_points(self, xy_px: np.ndarray, xyz_norm: np.ndarray | None = None) -> PoseFrame:
        """A copy with new image-space points (used by smoothing and swap repair)."""
        width, height = self.image_size_px
        if xyz_norm is None:
            xyz_norm = self.xyz_norm.copy()
            xyz_norm[:, :2] = xy_px / np.array([width, height], dtype=np.float64)
        return PoseFrame(
            timestamp_ms=self.timestamp_ms,
            image_size_px=self.image_size_px,
            xy_px=xy_px,
            xyz_norm=xyz_norm,
            world_xyz_m=self.world_xyz_m,
            visibility=self.visibility,
            presence=self.presence,
            people_count=self.people_count,
            scene_cut=self.scene_cut,
        )
