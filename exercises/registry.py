"""The exercises by their fixed ids (PRODUCT.md order)."""

from __future__ import annotations

from exercises.definitions import ALL_DEFINITIONS, ExerciseDef

EXERCISE_IDS: tuple[str, ...] = (
    "glute_squeeze",
    "glute_bridge",
    "bridge_march",
    "straight_leg_raise",
    "hip_abduction",
    "prone_hip_extension",
    "standing_hip_flexion",
    "standing_hip_extension",
    "squat",
)

_REGISTRY: dict[str, ExerciseDef] = {d.id: d for d in ALL_DEFINITIONS}
assert tuple(_REGISTRY) == EXERCISE_IDS, "definitions and EXERCISE_IDS must list the same ids in the same order"


def get_exercise(exercise_id: str) -> ExerciseDef:
    """The definition for a fixed exercise id; ``ValueError`` listing the valid ids otherwise."""
    try:
        return _REGISTRY[exercise_id]
    except (KeyError, TypeError):
        raise ValueError(f"unknown exercise {exercise_id!r}; expected one of {', '.join(EXERCISE_IDS)}") from None
