"""The words that go with each exercise, as rows beside the definitions: the article's instructions,
what the live angle band measures, and where the camera goes.

The definitions (:mod:`exercises.definitions`) say how an exercise is counted and judged, and carry
its short note, safety line and spoken cues; this module carries the longer text the window shows,
keyed by the same exercise ids (tests/test_vocabulary.py checks every exercise has its row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exercises.registry import get_exercise


@dataclass(frozen=True)
class ExerciseText:
    """What the window says about one exercise before and while it is done."""

    exercise_id: str
    # The source article's instructions, one step per line, checked against PRODUCT.md's table
    # (position, what to do, hold, repetitions, sides). Where the camera goes is not here: it is
    # camera_placement()'s one sentence, so the steps never disagree with it.
    instructions: tuple[str, ...]


def _row(exercise_id: str, *instructions: str) -> tuple[str, ExerciseText]:
    return exercise_id, ExerciseText(exercise_id, instructions)


TEXTS: dict[str, ExerciseText] = dict(
    (
        _row(
            "glute_squeeze",
            "Lie on your back with your knees bent and your feet flat on the floor.",
            "Tighten your buttocks and hold for 5 seconds.",
            "Relax. Repeat up to 30 times.",
        ),
        _row(
            "glute_bridge",
            "Lie on your back with your knees bent and your feet flat on the floor.",
            "Squeeze your buttocks and lift your hips off the floor.",
            "Hold for about 5 seconds, then lower slowly.",
            "Rest a few seconds between lifts. Repeat up to 30 times.",
        ),
        _row(
            "bridge_march",
            "Lie on your back with your knees bent and lift your hips into a bridge.",
            "Lift one foot 5 to 10 cm off the floor, put it down, then switch feet.",
            "Keep your hips up. 15 lifts per foot.",
        ),
        _row(
            "straight_leg_raise",
            "Lie on your back with your legs straight.",
            "Keeping one leg straight, lift it a little, about 2.5 cm (1 inch), off the floor.",
            "Hold for 5 seconds, lower it, then do the other leg.",
        ),
        _row(
            "hip_abduction",
            "Lie on your back with your legs straight.",
            "Keeping the knee straight, slide one leg out to the side along the floor, then back to the middle.",
            "Then do the same with the other leg.",
        ),
        _row(
            "prone_hip_extension",
            "Lie on your stomach with a pillow under your belly.",
            "Lift one straight leg back a little and hold for 5 seconds.",
            "Lower it, then do the other leg.",
        ),
        _row(
            "standing_hip_flexion",
            "Stand and hold on to a support.",
            "Lift one straight leg forward, then lower it.",
            "Then do the same with the other leg.",
        ),
        _row(
            "standing_hip_extension",
            "Stand upright holding a support with both hands.",
            "Keeping your body upright, lift one straight leg backward, then lower it.",
            "Then do the same with the other leg.",
        ),
        _row(
            "squat",
            "Warm up first.",
            "Stand with your heels shoulder-width apart, head up, looking ahead.",
            "Lower your hips to knee level, then stand up through your heels.",
        ),
    )
)

# What each counting signal measures, in a few words (the live angle band's caption, the review's plot).
SIGNAL_CAPTIONS: dict[str, str] = {
    "hip_angle": "hip angle",
    "foot_lift": "foot lift",
    "leg_elevation": "leg lift",
    "leg_abduction": "leg out to the side",
    "thigh_forward": "thigh forward",
    "thigh_backward": "thigh backward",
    "squat_knee_angle": "knee angle",
}

CameraSpot = Literal["side_lying", "feet", "side_standing"]

# Where the laptop goes, one sentence per set-up; the picker's drawing (tools/render/camera_diagrams.py)
# puts it in the same place as the generated clips' camera.
PLACEMENTS: dict[str, str] = {
    "side_lying": "Put the laptop on a chair or stool about 2.5 m to your side, level with your hips, "
    "so its camera sees you side-on from head to feet.",
    "feet": "Put the laptop on a table about 1.5 m beyond your feet, tilted down, so its camera looks "
    "along your body from your feet to your head.",
    "side_standing": "Put the laptop on a table about 2.5 m to your side, so its camera sees you side-on "
    "from head to feet.",
}


def instructions(exercise_id: str) -> tuple[str, ...]:
    """The article's steps for this exercise, one a line."""
    return TEXTS[exercise_id].instructions


def signal_caption(signal: str) -> str:
    """A counting signal in a few words (a signal nobody worded yet: its name without underscores)."""
    return SIGNAL_CAPTIONS.get(signal, signal.replace("_", " "))


def exercise_caption(exercise_id: str) -> str:
    """What this exercise's counting signal measures, in a few words."""
    return signal_caption(get_exercise(exercise_id).signal)


def camera_spot(exercise_id: str) -> CameraSpot:
    """Which set-up an exercise is coached from, from its accepted views and positions."""
    ex = get_exercise(exercise_id)
    if "side" not in ex.views:
        return "feet"
    if ex.positions == ("standing",):
        return "side_standing"
    return "side_lying"


def camera_placement(exercise_id: str) -> str:
    """The one sentence that says where the camera goes for this exercise."""
    return PLACEMENTS[camera_spot(exercise_id)]
