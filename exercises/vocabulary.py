"""One vocabulary: every code the checker hands out, with its words, in one place.

The JSON report carries codes (PRODUCT.md fixes them); everything a person reads or hears about a
code comes from here: the live screen's sentence, the short label of the CLI summary and the reports,
what to do about it, and the live cue. Each kind of code is a dict of frozen rows keyed by code; the
functions below are how the rest of the program asks, and a code nobody worded yet comes back as the
code without underscores, never as an error.

A fault's spoken cue depends on the exercise ("Keep your knee straight"), so it lives with the
exercise's form rule (:class:`exercises.definitions.FormRule`); here a fault has its short label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from exercises.registry import get_exercise
from exercises.texts import camera_placement, camera_spot

# Where a status's advice comes from: its own words, the camera's placement for the exercise, or the
# exercise's set-up cue (its starting position).
AdviceFrom = Literal["words", "camera", "setup"]


@dataclass(frozen=True)
class Status:
    """A "why I'm not counting" state (``status`` in the JSON report)."""

    code: str
    message: str  # the live screen's sentence, also spoken
    label: str  # a few words for the CLI summary and the reports
    advice: str = ""  # what to do, when advice_from is "words"
    advice_from: AdviceFrom = "words"
    advice_facing_feet: str = ""  # the advice instead, when the camera looks along the body from the feet
    check: str = ""  # the set-up checklist's line; "" for the movement notices (no checklist line)


@dataclass(frozen=True)
class Fault:
    """A form fault (``faults[].code``); the exercise's rule carries what to say."""

    code: str
    label: str


@dataclass(frozen=True)
class PartialReason:
    """Why a movement that looked like a rep did not count (``partial_reps[].reason``)."""

    code: str
    words: str  # "not far enough": after "did not count:" in the summary and the review
    cue: str = ""  # shown live when it happens; "" when the live page says nothing


@dataclass(frozen=True)
class Note:
    """Worth knowing, but no reason to stop counting (``notes`` in the JSON report)."""

    code: str
    message: str


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


Row = TypeVar("Row", bound=_Coded)


def _rows(*rows: Row) -> dict[str, Row]:
    return {row.code: row for row in rows}


STATUSES: dict[str, Status] = _rows(
    # What stops the camera seeing well enough to count (the set-up checklist).
    Status(
        "no_person",
        "I can't see anyone",
        "nobody in view",
        "Step into the camera's view.",
        check="Person in view",
    ),
    Status(
        "out_of_frame",
        "Part of your body is out of the picture",
        "body partly out of frame",
        "Move further from the camera, or tilt it, so you are in the picture from head to feet.",
        check="Whole body in the picture",
    ),
    Status(
        "joints_hidden",
        "I can't see your hips, knees or ankles clearly",
        "key joints not visible",
        "Turn side-on, add light, and keep your hips, knees and ankles uncovered and in view.",
        advice_facing_feet="Add light, and keep your hips, knees and ankles uncovered and in view.",
        check="Hips, knees, ankles visible",
    ),
    Status(
        "wrong_view",
        "Please move the camera: this exercise needs another view",
        "wrong camera view for this exercise",
        advice_from="camera",
        check="Camera view right",
    ),
    Status(
        "wrong_position",
        "This exercise needs a different starting position",
        "wrong position for this exercise",
        advice_from="setup",
        check="Starting position right",
    ),
    Status(
        "second_person",
        "Two people in view and I can't tell which one is you",
        "two people in view, not told apart",
        "Ask others to step out of the picture, or move so you are the one nearest the camera.",
        check="Nobody else in view",
    ),
    # The person moves, yet nothing counts (exercises/motion_watch.py): said so, never silent.
    Status(
        "movement_too_small",
        "I see you moving, but not far enough to count",
        "moving, but not far enough to count",
        "Go a little further each time, as far as is comfortable.",
    ),
    Status(
        "not_back_to_start",
        "Come all the way back to the start position between repetitions",
        "not back to the start position between repetitions",
        "Come all the way back to the start position after each repetition.",
    ),
    Status(
        "outside_exercise",
        "I see you moving, but not in this exercise's starting position",
        "moving outside the exercise's starting position",
        advice_from="setup",
    ),
    Status(
        "other_movement",
        "I see you moving, but not the movement this exercise counts: is it the right exercise?",
        "moving, but not in this exercise (is it the right one?)",
        "Check the exercise chosen, and that the camera can see this movement.",
    ),
)

STATUS_CODES = ("no_person", "out_of_frame", "joints_hidden", "wrong_view", "wrong_position", "second_person")
MOVEMENT_STATUS_CODES = ("movement_too_small", "not_back_to_start", "outside_exercise", "other_movement")

FAULTS: dict[str, Fault] = _rows(
    Fault("knee_bent", "knee bent"),
    Fault("head_lowered", "head lowered"),
    Fault("hips_low", "hips not high enough"),
    Fault("hold_short", "hold too short"),
    Fault("trunk_lean", "body not upright"),
    Fault("shallow", "not deep enough"),
    Fault("hips_drop", "hips dropped"),
    Fault("too_fast", "too fast"),
)

PARTIALS: dict[str, PartialReason] = _rows(
    PartialReason("too_small", "not far enough", "That one did not count: go a little further"),
    PartialReason("too_short", "too quick to be a repetition", "That one did not count: a little slower"),
    PartialReason("interrupted", "I lost sight of you during it", "That one did not count: I lost sight of you"),
    PartialReason("hold_broken", "the hold ended early", "That one did not count: hold until the ring is full"),
    PartialReason("unfinished", "the recording ended during it"),
    PartialReason("walking", "you were walking", "That one did not count: stand still in one place"),
    PartialReason("started_before_clip", "it began before the recording"),
    PartialReason("across_cut", "the video was cut during it"),
    PartialReason(
        "not_back_to_start",
        "it did not come back to the start position",
        "That one did not count: come all the way back to the start",
    ),
    PartialReason("between_exercises", "it was getting into or out of position between two exercises"),
    PartialReason(
        "outside_exercise",
        "it was not in this exercise's starting position",
        "That one did not count: get into the starting position first",
    ),
)

NOTES: dict[str, Note] = _rows(
    Note("someone_else_in_view", "Someone else is in view; I follow the person who was there first"),
    Note("form_not_judged", "Some form checks need body parts that are out of the picture"),
)

# ``--exercise auto`` ("Auto" in the review) when no exercise leads clearly: the CLI summary and the review say it.
RECOGNITION_UNSURE = "not sure which exercise this is"

# The checker's phases (exercises.events.CheckerState.phase) as a person would say them.
PHASE_WORDS: dict[str, str] = {
    "setup": "getting into position",
    "rest": "ready for the next repetition",
    "active": "in a repetition",
    "relax": "relaxing",
}


def plain(code: str) -> str:
    """A code nobody worded yet, at least without underscores."""
    return code.replace("_", " ")


def status_message(code: str) -> str:
    """The live screen's sentence for a status ("I can't see anyone")."""
    row = STATUSES.get(code)
    return row.message if row else plain(code)


def status_label(code: str) -> str:
    """A status in a few words, for the CLI summary and the reports ("nobody in view")."""
    row = STATUSES.get(code)
    return row.label if row else plain(code)


def status_advice(code: str | None, exercise_id: str) -> str:
    """What to do about a status, for this exercise ("" for no status)."""
    if not code:
        return ""
    ex = get_exercise(exercise_id)
    setup = ex.cues.setup or ex.note
    row = STATUSES.get(code)
    if row is None or row.advice_from == "setup":
        return setup
    if row.advice_from == "camera":
        return camera_placement(exercise_id)
    if row.advice_facing_feet and camera_spot(exercise_id) == "feet":
        return row.advice_facing_feet
    return row.advice


def setup_checks() -> tuple[tuple[str, str], ...]:
    """The set-up checklist: (status code, the line that says it is fine), in STATUS_CODES order."""
    return tuple((code, STATUSES[code].check) for code in STATUS_CODES)


def fault_label(code: str) -> str:
    """A fault code in a few words ("knee bent")."""
    row = FAULTS.get(code)
    return row.label if row else plain(code)


def partial_reason(code: str) -> str:
    """Why a movement did not count, in words ("not far enough")."""
    row = PARTIALS.get(code)
    return row.words if row else plain(code)


def partial_cue(code: str) -> str:
    """What the live page shows when a movement did not count ("" when it shows nothing)."""
    row = PARTIALS.get(code)
    return row.cue if row else ""


def note_message(code: str) -> str:
    """A note's sentence ("Someone else is in view; ...")."""
    row = NOTES.get(code)
    return row.message if row else plain(code)


def phase_words(phase: str) -> str:
    """A checker phase as a person would say it ("in a repetition")."""
    return PHASE_WORDS.get(phase, plain(phase))


# ---------------------------------------------------------------------------- Auto: the live window names the
# exercise from the movement and follows the person to the next (app/live/following.py, app/gui/live*.py)

AUTO_CHOICE = "Auto (recognise the exercise)"  # the exercise box's and the picker's entry
REVIEW_AUTO_CHOICE = "Auto (recognise; a routine is split into exercises)"  # the review's exercise box
AUTO_TITLE = "Auto: which exercise?"  # the live page's title while it recognises
AUTO_STEPS = (
    "Start any exercise the camera can see; after about two repetitions HipCoach says which one it is, "
    "and the repetitions you did while it decided are counted.",
    "When you move on to another exercise, it follows you: the first set is saved and the next one "
    "is counted from its first repetition.",
    "If it is not sure, or names the wrong exercise, press N: each press chooses the next likely one.",
    "The glute squeeze cannot be seen by a camera: choose it in the list to do it.",
)
AUTO_CAMERA = "Put the camera where the exercise you are about to do needs it (see that exercise in the list)."
AUTO_DRAWING = "(each exercise has its own place)"
AUTO_SAFETY = "Stop or ease off if an exercise is hard or hurts, and warm up before squats."
AUTO_NEXT_BUTTON = "Choose the exercise  ›  (N)"
AUTO_NOT_NAMED = "I could not tell which exercise this was: choose it in the exercise box next time."

# An exercise's name as said in a sentence ("This looks like squats").
EXERCISE_PLURALS: dict[str, str] = {
    "glute_squeeze": "glute squeezes",
    "glute_bridge": "glute bridges",
    "bridge_march": "bridge marches",
    "straight_leg_raise": "straight leg raises",
    "hip_abduction": "hip abductions",
    "prone_hip_extension": "prone hip extensions",
    "standing_hip_flexion": "standing hip flexions",
    "standing_hip_extension": "standing hip extensions",
    "squat": "squats",
}


def exercise_plural(exercise_id: str) -> str:
    """The exercise as said in a sentence ("squats")."""
    return EXERCISE_PLURALS.get(exercise_id, plain(exercise_id))


def recognising_words(leader: str | None) -> str:
    """The live screen while Auto decides: what it is doing, and the candidate ahead so far."""
    if leader is None:
        return "Recognising the exercise… start your repetitions"
    return f"Recognising the exercise… looks like {exercise_plural(leader)} so far"


def recognised_cue(exercise_id: str) -> str:
    """Said and shown when Auto is sure."""
    return f"This looks like {exercise_plural(exercise_id)} — counting them"


def unsure_cue() -> str:
    """Said when Auto cannot tell after the first repetitions (it never guesses silently)."""
    return "Not sure which exercise this is — press N to choose, or keep going"


def unsure_words(candidates: tuple[str, ...]) -> str:
    """The live screen's line while Auto is unsure: the cue, and the close candidates."""
    if not candidates:
        return unsure_cue() + " (no exercise fits the movement yet)"
    named = " or ".join(exercise_plural(c) for c in candidates)
    return f"{unsure_cue()} ({named}?)"


def chosen_cue(exercise_id: str) -> str:
    """Said when the person chose with N."""
    return f"Counting {exercise_plural(exercise_id)}. Press N again for another exercise"


def moved_on_cue(exercise_id: str) -> str:
    """Said when Auto follows the person to the next exercise."""
    return f"Now {exercise_plural(exercise_id)}"


def moved_on_words(exercise_id: str) -> str:
    """How a set that Auto ended goes into its summary."""
    return f"You moved on to {exercise_plural(exercise_id)}: this set was saved."


def given_back_words(movements: int, title: str) -> str:
    """A set Auto ended (``title``: its exercise): its checker had counted the next exercise's first
    movements too, and gave them back."""
    counted = "1 movement" if movements == 1 else f"{movements} movements"
    was = "was" if movements == 1 else "were"
    return f"{counted} at the change of exercise {was} taken off the {title.lower()} set: the next exercise had begun."


def earlier_set_words(title: str, reps: int) -> str:
    """One earlier set of an Auto session, in the last set's summary."""
    return f"Before that: {title}, {reps} rep{'s' if reps != 1 else ''}"
