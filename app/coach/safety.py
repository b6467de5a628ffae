"""The source article's safety rules: the warning-sign screening, pain check-ins and easing off.

- Screening: before the first session and then weekly, the article's six warning signs; any
  "yes" means plain advice to see a doctor without delay and not to exercise until then.
- Pain: a 0-10 score before and after (or now). A rise of 2 or more, or sharp pain at any
  time, stops the exercise and makes it easier next time; otherwise carry on, easing off if it
  hurts ("stop or ease off when an exercise is hard or hurts").
- Easing: :func:`apply_pain_easing` lowers an exercise's target in the profile's settings and
  records why and when.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.coach.routine import DEFAULT_ROUTINE, routine_from_settings, routine_to_settings
from exercises.registry import EXERCISE_IDS, get_exercise

# (id, question): the article's warning signs, as yes/no questions.
SCREENING_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("severe_pain", "Is your hip pain very severe?"),
    ("pain_for_weeks", "Has the pain lasted for weeks, even though you have rested?"),
    ("worse_each_day", "Is the pain getting worse day by day?"),
    ("fever", "Do you have a fever?"),
    ("weight_loss", "Have you been losing weight?"),
    ("lean_forward", "Do you have to lean forward to be able to move?"),
)
_SIGNS = {
    "severe_pain": "very severe pain",
    "pain_for_weeks": "pain lasting weeks despite rest",
    "worse_each_day": "pain getting worse day by day",
    "fever": "fever",
    "weight_loss": "weight loss",
    "lean_forward": "having to lean forward to move",
}
SCREENING_INTERVAL = timedelta(days=7)

PAIN_RANGE = (0, 10)
PAIN_STOP_RISE = 2  # a rise of this much (or more) stops the exercise
SEVERE_PAIN = 8  # a score this high is "very severe": see a doctor
EASING_FACTOR = 2 / 3  # next time: a third fewer reps ...
EASING_MIN_REPS = 3  # ... but not fewer than this (a lower target is left as it is)
EASING_KEY = "pain_easing"


def screening_due(last_answered: datetime | None, now: datetime) -> bool:
    """Whether to ask the warning-sign questions: never answered, or answered 7 days ago or more.

    A last answer dated after ``now`` (a clock that was changed) cannot be trusted: due.
    Naive and timezone-aware times are compared by their wall-clock values.
    """
    if last_answered is None:
        return True
    if (last_answered.tzinfo is None) != (now.tzinfo is None):
        last_answered, now = last_answered.replace(tzinfo=None), now.replace(tzinfo=None)
    elapsed = now - last_answered
    return elapsed < timedelta(0) or elapsed >= SCREENING_INTERVAL


def screening_advice(answers: dict[str, bool]) -> str | None:
    """Plain advice to see a doctor when any warning sign is answered "yes"; None when all are "no".

    ``answers`` maps question ids (from :data:`SCREENING_QUESTIONS`) to True (yes) / False (no);
    an id that is not a question is a ``ValueError``.
    """
    unknown = [k for k in answers if k not in _SIGNS]
    if unknown:
        raise ValueError(f"unknown screening question {unknown[0]!r}; expected one of {', '.join(_SIGNS)}")
    yes = [_SIGNS[qid] for qid, _ in SCREENING_QUESTIONS if answers.get(qid)]
    if not yes:
        return None
    signs = yes[0] if len(yes) == 1 else ", ".join(yes[:-1]) + " and " + yes[-1]
    return (
        f"You answered yes to: {signs}. "
        "Please see a doctor without delay. "
        "Do not do these exercises until a doctor has checked your hip."
    )


@dataclass(frozen=True)
class PainDecision:
    """What to do after a pain check-in: ``stop`` the exercise, what to say, and whether the
    targets should be easier next time."""

    stop: bool
    message: str
    easier_next_time: bool


def _score(value: int | None, name: str) -> int | None:
    lo, hi = PAIN_RANGE
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value) or not lo <= value <= hi:
        raise ValueError(f"pain score {name!r} must be a whole number from {lo} to {hi}, got {value!r}")
    return int(value)


def pain_decision(before: int | None, now: int | None, sharp: bool = False) -> PainDecision:
    """The pain rule: sharp pain, or a rise of 2 or more from ``before`` to ``now``, stops the
    exercise (and makes it easier next time); anything else goes on, easing off if it hurts.

    Scores are whole numbers 0-10, or None when not given (then only ``sharp`` can stop).
    """
    before, now = _score(before, "before"), _score(now, "now")
    doctor = " If the pain is very severe or does not settle, see a doctor." if (now or 0) >= SEVERE_PAIN else ""
    if sharp:
        return PainDecision(
            True,
            "Stop this exercise now: sharp pain is a sign to stop. Rest, and next time it will be easier."
            + " If the pain is very severe or does not settle, see a doctor.",
            True,
        )
    if before is not None and now is not None:
        rise = now - before
        if rise >= PAIN_STOP_RISE:
            return PainDecision(
                True,
                f"Your pain went up from {before} to {now}. Stop this exercise now and rest. "
                "Next time the targets will be easier." + doctor,
                True,
            )
        if rise == 1:
            return PainDecision(
                False,
                "Your pain went up a little. Ease off: go slower or make the movement smaller, "
                "and stop if it hurts more." + doctor,
                False,
            )
        return PainDecision(
            False,
            "Well done, your pain has not gone up. Keep going gently; stop or ease off if it hurts." + doctor,
            False,
        )
    return PainDecision(False, "Keep going gently. Stop or ease off if it is hard or it hurts." + doctor, False)


def _eased(target: int) -> int:
    """A third fewer reps (nearest whole rep), not below EASING_MIN_REPS; a lower target stays."""
    if target <= EASING_MIN_REPS:
        return target
    return max(EASING_MIN_REPS, int(math.floor(target * EASING_FACTOR + 0.5)))


def apply_pain_easing(settings: dict, exercise: str, now: datetime | None = None, reason: str = "pain") -> dict:
    """A copy of ``settings`` with ``exercise`` made easier for next time, and why and when recorded.

    The exercise's routine target drops by a third (to the nearest whole rep, not below 3; a
    target already at 3 or lower stays); a physiotherapist's ``target_reps`` override for it
    drops the same way. ``settings["pain_easing"][exercise]`` records ``at`` (ISO time),
    ``reason`` and the targets before and after. An exercise missing from a stored routine is
    added, switched off, with the eased target.
    """
    get_exercise(exercise)  # an unknown id fails here, with the valid ones listed
    out = copy.deepcopy(settings) if settings else {}
    items = list(routine_from_settings(out))
    found = [k for k, item in enumerate(items) if item.exercise == exercise]
    if found:
        k = found[0]
        before = items[k].target_reps
        items[k] = replace(items[k], target_reps=_eased(before))
    else:
        base = next((i for i in DEFAULT_ROUTINE if i.exercise == exercise), None)
        assert base is not None, f"DEFAULT_ROUTINE lacks {exercise}; it must list all of {EXERCISE_IDS}"
        before = base.target_reps
        items.append(replace(base, target_reps=_eased(before), enabled=False))
    after = next(i.target_reps for i in items if i.exercise == exercise)
    out = routine_to_settings(items, out)
    record = {"at": (now or datetime.now()).isoformat(timespec="seconds"), "reason": reason,
              "target_reps_before": before, "target_reps_after": after}
    override = (out.get("overrides") or {}).get(exercise)
    if isinstance(override, dict) and isinstance(override.get("target_reps"), int) \
            and not isinstance(override.get("target_reps"), bool):
        record["override_target_reps_before"] = override["target_reps"]
        override["target_reps"] = _eased(override["target_reps"])
    easing = out.get(EASING_KEY)
    if not isinstance(easing, dict):
        easing = {}
    easing[exercise] = record
    out[EASING_KEY] = easing
    return out
