"""The 33 BlazePose landmarks, and side-neutral names that resolve to them.

Exercise definitions speak of ``"knee"`` or ``"hip"``; :func:`landmark_index` turns that into
the left or right landmark, so nothing is written twice for the two sides. Left and right are
anatomical (the person's own left), never mirrored.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")

NUM_LANDMARKS = 33


class Landmark(IntEnum):
    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Names that exist once per side; "ear" -> LEFT_EAR / RIGHT_EAR and so on.
PAIRED_NAMES = (
    "eye_inner",
    "eye",
    "eye_outer",
    "ear",
    "mouth",
    "shoulder",
    "elbow",
    "wrist",
    "pinky",
    "index",
    "thumb",
    "hip",
    "knee",
    "ankle",
    "heel",
    "foot_index",
)

# Bones drawn by the overlay, as index pairs.
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (0, 7),
    (0, 8),
)


def other_side(side: Side) -> Side:
    """The opposite side."""
    return "right" if side == "left" else "left"


def landmark_index(name: str, side: Side | None = None) -> int:
    """Index of a landmark from a side-neutral name: ``landmark_index("knee", "left") == 25``.

    ``"nose"`` takes no side. Raises ``ValueError`` naming the valid names otherwise.
    """
    if name == "nose":
        return int(Landmark.NOSE)
    if name not in PAIRED_NAMES:
        raise ValueError(f"unknown landmark {name!r}; expected 'nose' or one of {', '.join(PAIRED_NAMES)}")
    if side not in SIDES:
        raise ValueError(f"landmark {name!r} needs side 'left' or 'right', got {side!r}")
    if name == "mouth":
        return int(Landmark[f"MOUTH_{side.upper()}"])
    return int(Landmark[f"{side.upper()}_{name.upper()}"])


def mirrored_index() -> list[int]:
    """Permutation that swaps every left landmark with its right twin (for swap repair)."""
    perm = list(range(NUM_LANDMARKS))
    for name in PAIRED_NAMES:
        left, right = landmark_index(name, "left"), landmark_index(name, "right")
        perm[left], perm[right] = right, left
    return perm
