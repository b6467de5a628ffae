"""What the window shows around an exercise besides its words: the camera drawing, the safety text
and the demo clip. Qt-free. (The words themselves: exercises.texts and exercises.vocabulary.)"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from exercises.registry import EXERCISE_IDS, get_exercise

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_videos"

ASSETS_DIR = Path(__file__).resolve().parent / "gui" / "assets"


def camera_diagram(exercise_id: str) -> Path | None:
    """The committed drawing of the camera's place for this exercise, or None if it is missing."""
    path = ASSETS_DIR / f"camera_{exercise_id}.png"
    return path if path.is_file() else None


SEE_A_DOCTOR = (
    "See a doctor without delay if the pain is very severe, lasts for weeks despite rest, gets worse "
    "day by day, comes with fever or weight loss, or you must lean forward to move."
)


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
        if not isinstance(data, dict) or data.get("exercise") not in EXERCISE_IDS:
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
        for exercise_id in EXERCISE_IDS:
            if video.stem.startswith(exercise_id) and exercise_id not in found:
                found[exercise_id] = video
    return found


def demo_clip(exercise_id: str) -> Path | None:
    return demo_clips().get(exercise_id)
