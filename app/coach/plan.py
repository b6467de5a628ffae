"""What the next session asks of this person: today's routine, each exercise's target and settings.

Qt-free policy the coaching window only asks about. The profile's settings hold the routine, a
physiotherapist's overrides (``settings["overrides"][exercise]``: ``target_reps``,
``hold_target_s``, ``limits``) and the strictness; the programme day (calendar days since the
first session) makes the first week gentler (:func:`app.coach.routine.ramp`); pain makes the
exercises it came with easier next time (:func:`app.coach.safety.apply_pain_easing`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from app.coach import routine as routine_rules
from app.coach.routine import RoutineItem
from app.coach.safety import apply_pain_easing
from exercises.definitions import ExerciseDef
from exercises.personalise import Calibration, personalise
from exercises.registry import get_exercise

log = logging.getLogger(__name__)

RECENT_PAIN_S = 600.0  # "Start again" within this long after the pain check-in takes that answer as "before"


def programme_day(start: date | None, today: date | None = None) -> int:
    """1 on the first day of training (or before any, ``start`` None), counting calendar days."""
    today = today or date.today()
    return 1 if start is None else max(1, (today - start).days + 1)


def _overrides(settings: dict) -> dict:
    found = settings.get("overrides") if isinstance(settings, dict) else None
    return found if isinstance(found, dict) else {}


def todays_routine(settings: dict, day: int) -> tuple[RoutineItem, ...]:
    """The profile's routine with a physiotherapist's target overrides in it, ramped for ``day``."""
    try:
        items = routine_rules.routine_from_settings(settings)
    except (ValueError, TypeError) as exc:  # a damaged stored routine: the article's, not a crash
        log.warning("stored routine unusable (%s); using the default", exc)
        items = routine_rules.DEFAULT_ROUTINE
    targets = {
        ex: o["target_reps"]
        for ex, o in _overrides(settings).items()
        if isinstance(o, dict) and isinstance(o.get("target_reps"), int)
    }
    items = tuple(replace(i, target_reps=targets[i.exercise]) if i.exercise in targets else i for i in items)
    return routine_rules.ramp(items, day)


def exercise_definition(
    exercise_id: str,
    settings: dict,
    day: int,
    calibration: tuple[float, float | None] | None = None,
    current: RoutineItem | None = None,
) -> ExerciseDef:
    """The exercise personalised for this person: strictness, their calibration, overrides, target.

    The target is today's routine target (``current``, the routine item running now, else the
    exercise's item in :func:`todays_routine`), also when the exercise is done on its own. A bad
    stored override gives the standard definition (logged), never a failed start.
    """
    overrides = dict(_overrides(settings).get(exercise_id) or {})
    item = current if current is not None and current.exercise == exercise_id else None
    if item is None:
        item = next((i for i in todays_routine(settings, day) if i.exercise == exercise_id), None)
    if item is not None:
        overrides["target_reps"] = item.target_reps
    measured = None if calibration is None else Calibration(peak_deg=calibration[0], rest_deg=calibration[1])
    try:
        return personalise(
            get_exercise(exercise_id), settings.get("strictness", "standard"), measured, overrides or None
        )
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("personalising %s failed (%s); using the standard definition", exercise_id, exc)
        return get_exercise(exercise_id)


def strictness(settings: dict) -> str:
    """The profile's strictness ('standard' until it is chosen)."""
    return settings.get("strictness", "standard")


def eased_after_pain(settings: dict, exercises: Iterable[str], already_eased: Iterable[str] = ()) -> dict:
    """``settings`` with each exercise of a session whose pain rose made easier for next time
    (those in ``already_eased``, eased when sharp pain stopped them, are not eased twice)."""
    skip = set(already_eased)
    for exercise in exercises:
        if exercise not in skip:
            settings = apply_pain_easing(settings, exercise)
    return settings


def pain_before_again(last_after: tuple[int, float] | None, now_s: float) -> int | None:
    """The "after" score answered at ``last_after`` = (score, monotonic seconds) still counts as the
    next start's "before" within :data:`RECENT_PAIN_S` (asking again within seconds is a second
    question with the same answer); None when it is too old or there is none."""
    if last_after is None or now_s - last_after[1] > RECENT_PAIN_S:
        return None
    return last_after[0]
