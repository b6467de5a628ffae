"""Words the window shows: the article's instructions, camera placement, safety, and what to do
about each "why I'm not counting" state. Qt-free."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Literal

from exercises.registry import get_exercise

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_videos"

# The source article's instructions, one step per line, checked against PRODUCT.md's table
# (position, what to do, hold, repetitions, sides). Where the camera goes is not here: it is
# camera_placement()'s one sentence, so the steps never disagree with it.
INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "glute_squeeze": (
        "Lie on your back with your knees bent and your feet flat on the floor.",
        "Tighten your buttocks and hold for 5 seconds.",
        "Relax. Repeat up to 30 times.",
    ),
    "glute_bridge": (
        "Lie on your back with your knees bent and your feet flat on the floor.",
        "Squeeze your buttocks and lift your hips off the floor.",
        "Hold for about 5 seconds, then lower slowly.",
        "Rest a few seconds between lifts. Repeat up to 30 times.",
    ),
    "bridge_march": (
        "Lie on your back with your knees bent and lift your hips into a bridge.",
        "Lift one foot 5 to 10 cm off the floor, put it down, then switch feet.",
        "Keep your hips up. 15 lifts per foot.",
    ),
    "straight_leg_raise": (
        "Lie on your back with your legs straight.",
        "Keeping one leg straight, lift it a little, about 2.5 cm (1 inch), off the floor.",
        "Hold for 5 seconds, lower it, then do the other leg.",
    ),
    "hip_abduction": (
        "Lie on your back with your legs straight.",
        "Keeping the knee straight, slide one leg out to the side along the floor, then back to the middle.",
        "Then do the same with the other leg.",
    ),
    "prone_hip_extension": (
        "Lie on your stomach with a pillow under your belly.",
        "Lift one straight leg back a little and hold for 5 seconds.",
        "Lower it, then do the other leg.",
    ),
    "standing_hip_flexion": (
        "Stand and hold on to a support.",
        "Lift one straight leg forward, then lower it.",
        "Then do the same with the other leg.",
    ),
    "standing_hip_extension": (
        "Stand upright holding a support with both hands.",
        "Keeping your body upright, lift one straight leg backward, then lower it.",
        "Then do the same with the other leg.",
    ),
    "squat": (
        "Warm up first.",
        "Stand with your heels shoulder-width apart, head up, looking ahead.",
        "Lower your hips to knee level, then stand up through your heels.",
    ),
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

ASSETS_DIR = Path(__file__).resolve().parent / "gui" / "assets"


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


def camera_diagram(exercise_id: str) -> Path | None:
    """The committed drawing of the camera's place for this exercise, or None if it is missing."""
    path = ASSETS_DIR / f"camera_{exercise_id}.png"
    return path if path.is_file() else None


SEE_A_DOCTOR = (
    "See a doctor without delay if the pain is very severe, lasts for weeks despite rest, gets worse "
    "day by day, comes with fever or weight loss, or you must lean forward to move."
)


def status_advice(code: str | None, exercise_id: str) -> str:
    """What to do about a "why I'm not counting" state, for this exercise."""
    if not code:
        return ""
    ex = get_exercise(exercise_id)
    placement = ex.cues.setup or ex.note
    return {
        "no_person": "Step into the camera's view.",
        "out_of_frame": "Move further from the camera, or tilt it, so you are in the picture from head to feet.",
        "joints_hidden": (
            "Add light, and keep your hips, knees and ankles uncovered and in view."
            if camera_spot(exercise_id) == "feet"
            else "Turn side-on, add light, and keep your hips, knees and ankles uncovered and in view."
        ),
        "wrong_view": camera_placement(exercise_id),
        "wrong_position": placement,
        "second_person": "Ask others to step out of the picture, or move so you are the one nearest the camera.",
        "movement_too_small": "Go a little further each time, as far as is comfortable.",
        "not_back_to_start": "Come all the way back to the start position after each repetition.",
        "outside_exercise": placement,
        "other_movement": "Check the exercise chosen, and that the camera can see this movement.",
    }.get(code, placement)


def safety_text(exercise_id: str) -> str:
    ex = get_exercise(exercise_id)
    return (ex.safety + " " + SEE_A_DOCTOR).strip()


def demo_clips() -> dict[str, Path]:
    """The best generated sample clip per exercise: no faults, a side view where it works, short."""
    ranked: dict[str, tuple[tuple, Path]] = {}
    for truth in sorted(SAMPLE_DIR.glob("*.json")):
        try:
            data = json.loads(truth.read_text())
        except (OSError, ValueError) as exc:
            log.debug("skipping %s: %s", truth, exc)
            continue
        if not isinstance(data, dict) or data.get("exercise") not in INSTRUCTIONS:
            continue
        exercise = data["exercise"]
        video = truth.parent / str(data.get("video", truth.with_suffix(".mp4").name))
        if not video.exists():
            continue
        view = (data.get("camera") or {}).get("view")
        wanted_view = "front" if get_exercise(exercise).views == ("front",) else "side"
        key = (bool(data.get("faults")), view != wanted_view, float(data.get("duration_s") or 1e9))
        if exercise not in ranked or key < ranked[exercise][0]:
            ranked[exercise] = (key, video)
    found = {exercise: video for exercise, (_, video) in ranked.items()}
    for video in sorted(SAMPLE_DIR.glob("*.mp4")):  # clips without truth, named after their exercise
        for exercise_id in INSTRUCTIONS:
            if video.stem.startswith(exercise_id) and exercise_id not in found:
                found[exercise_id] = video
    return found


def demo_clip(exercise_id: str) -> Path | None:
    return demo_clips().get(exercise_id)
