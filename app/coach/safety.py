"""The source article's safety rules: the warning-sign screening, pain check-ins and easing off.

- Screening: before the first session and then weekly, the article's six warning signs; any
  "yes" means plain advice to see a doctor without delay and not to exercise until then.
- Hold: a "yes" stops exercise (:func:`safety_state`) until the person confirms, on a later
  day, that a doctor has seen them (the doctor's "you may exercise" then covers those signs
  until a screening answers "no" to them) or that the sign has gone; then the questions are
  asked afresh.
- Pain: a 0-10 score before and after (or now). A rise of 2 or more, or sharp pain at any
  time, stops the exercise and makes it easier next time; otherwise carry on, easing off if it
  hurts ("stop or ease off when an exercise is hard or hurts").
- Easing: :func:`apply_pain_easing` lowers an exercise's target in the profile's settings and
  records why and when.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

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


def _check_ids(ids: Iterable[str]) -> None:
    unknown = [k for k in ids if k not in _SIGNS]
    if unknown:
        raise ValueError(f"unknown screening question {unknown[0]!r}; expected one of {', '.join(_SIGNS)}")


def sign_words(signs: Iterable[str]) -> str:
    """The warning signs in words, in the questions' order: "fever and weight loss"."""
    chosen = set(signs)
    _check_ids(chosen)
    words = [_SIGNS[qid] for qid, _ in SCREENING_QUESTIONS if qid in chosen]
    return words[0] if len(words) <= 1 else ", ".join(words[:-1]) + " and " + words[-1]


def screening_advice(answers: dict[str, bool], covered: Iterable[str] = ()) -> str | None:
    """Plain advice to see a doctor when any warning sign is answered "yes"; None when all are "no".

    ``answers`` maps question ids (from :data:`SCREENING_QUESTIONS`) to True (yes) / False (no);
    an id that is not a question is a ``ValueError``. ``covered``: signs a doctor has seen
    (:attr:`SafetyState.covered`); when every "yes" is one of them the advice says to go back to
    the doctor if it gets worse, instead of not to exercise.
    """
    _check_ids(answers)
    yes = [qid for qid, _ in SCREENING_QUESTIONS if answers.get(qid)]
    if not yes:
        return None
    if set(yes) <= set(covered):
        return (
            f"You answered yes to: {sign_words(yes)}. You told HipCoach that a doctor has seen you about this "
            "and said you may exercise. If it gets worse, or something new appears, stop and see a doctor again."
        )
    return (
        f"You answered yes to: {sign_words(yes)}. "
        "Please see a doctor without delay. "
        "Do not do these exercises until a doctor has checked your hip."
    )


# ------------------------------------------------------------------ the hold after a "yes"
CLEAR_REASONS: dict[str, str] = {  # how a hold is lifted, as the person says it
    "doctor": "A doctor has seen me and said I may exercise",
    "gone": "The warning sign has gone",
}


@dataclass(frozen=True)
class ScreeningRecord:
    """The six questions answered at ``at``; ``blocks``: the signs that stopped exercise then
    (:func:`blocking_signs`, as the history recorded it)."""

    at: datetime
    answers: dict[str, bool]
    blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clearance:
    """The person confirmed at ``at`` that a doctor has seen them (``reason`` 'doctor') or that the
    signs have gone ('gone'); ``signs``: the ones the hold was for."""

    at: datetime
    reason: str
    signs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.reason not in CLEAR_REASONS:
            raise ValueError(f"a clearance's reason is one of {', '.join(CLEAR_REASONS)}, got {self.reason!r}")


@dataclass(frozen=True)
class Hold:
    """Exercise is stopped: ``signs`` were answered "yes" at ``since`` and not cleared yet."""

    since: datetime
    signs: tuple[str, ...]


@dataclass(frozen=True)
class SafetyState:
    """What the history says before a start: a ``hold`` (no exercise), or whether the questions
    are due; ``covered``: signs a doctor has seen, which do not stop exercise again."""

    hold: Hold | None
    screening_due: bool
    covered: frozenset[str] = field(default_factory=frozenset)


def _day(when: datetime) -> date:
    """The calendar day on the wall clock the time was written with (the history keeps local times)."""
    return when.date()


def can_clear(hold: Hold, now: datetime) -> bool:
    """Whether the person may lift the hold now: only on a later calendar day than the "yes"
    (a doctor cannot have been seen, nor a fever have gone, a few minutes later). A clock that
    reads earlier than the "yes" cannot be trusted: not yet."""
    return _day(now) > _day(hold.since)


def blocking_signs(answers: dict[str, bool], covered: Iterable[str] = ()) -> tuple[str, ...]:
    """The "yes" answers that stop exercise: every one a doctor has not seen (``covered``)."""
    _check_ids(answers)
    seen = set(covered)
    return tuple(qid for qid, _ in SCREENING_QUESTIONS if answers.get(qid) and qid not in seen)


def safety_state(records: Sequence[ScreeningRecord | Clearance], now: datetime) -> SafetyState:
    """Replay the history's screenings and clearances by time (records of the same time in the
    order given: :meth:`~app.coach.store.HistoryStore.safety_history` gives them in writing order).

    - A screening whose ``blocks`` is not empty starts a hold; a screening without ends any coverage
      of the signs it answered "no" to (a sign that went and comes back is new).
    - A clearance lifts the hold when it is on a later day than the "yes" (an earlier one, or one
      with no hold, changes nothing); 'doctor' makes the hold's signs covered. After a clearance the
      questions are due again.
    - Otherwise the questions are due weekly (:func:`screening_due`), and before the first answers.
    """
    ordered = sorted(
        records,
        key=lambda r: r.at.replace(tzinfo=None) if r.at.tzinfo is None else r.at.astimezone().replace(tzinfo=None),
    )
    hold: Hold | None = None
    covered: set[str] = set()
    last_answered: datetime | None = None
    cleared_since = False
    for record in ordered:
        if isinstance(record, ScreeningRecord):
            covered -= {qid for qid, yes in record.answers.items() if not yes}
            last_answered, cleared_since = record.at, False
            hold = Hold(record.at, tuple(record.blocks)) if record.blocks else None
        elif hold is not None and can_clear(hold, record.at):
            if record.reason == "doctor":
                covered |= set(hold.signs)
            hold, cleared_since = None, True
    if hold is not None:
        return SafetyState(hold, False, frozenset(covered))
    due = cleared_since or screening_due(last_answered, now)
    return SafetyState(None, due, frozenset(covered))


def records_from_history(rows: Iterable[dict]) -> list[ScreeningRecord | Clearance]:
    """The store's :meth:`~app.coach.store.HistoryStore.safety_history` rows as records (ids this
    version does not know are left out; an unknown clearance reason counts as no clearance)."""
    out: list[ScreeningRecord | Clearance] = []
    for row in rows:
        if row.get("kind") == "screening":
            answers = {k: bool(v) for k, v in row["answers"].items() if k in _SIGNS}
            out.append(ScreeningRecord(row["at"], answers, tuple(b for b in row["blocks"] if b in _SIGNS)))
        elif row.get("kind") == "clearance" and row.get("reason") in CLEAR_REASONS:
            out.append(Clearance(row["at"], row["reason"], tuple(s for s in row["signs"] if s in _SIGNS)))
    return out


def hold_message(hold: Hold, now: datetime) -> str:
    """What the "before you exercise" screen says while exercise is stopped."""
    day = "today" if _day(hold.since) == _day(now) else f"on {hold.since.strftime('%A %d %B')}"
    text = (
        f"You answered yes {day} to: {sign_words(hold.signs)}. "
        "Please see a doctor without delay. Do not do these exercises until a doctor has checked your hip."
    )
    if can_clear(hold, now):
        return (
            text
            + "\n\nHas a doctor seen you since, or has the sign gone? Tell HipCoach below. If not, please rest today."
        )
    return text + (
        "\n\nHipCoach will ask again at your next start. From tomorrow you can tell it that a doctor "
        "has seen you, or that the sign has gone."
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
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value != int(value)
        or not lo <= value <= hi
    ):
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
    record = {
        "at": (now or datetime.now()).isoformat(timespec="seconds"),
        "reason": reason,
        "target_reps_before": before,
        "target_reps_after": after,
    }
    override = (out.get("overrides") or {}).get(exercise)
    if (
        isinstance(override, dict)
        and isinstance(override.get("target_reps"), int)
        and not isinstance(override.get("target_reps"), bool)
    ):
        record["override_target_reps_before"] = override["target_reps"]
        override["target_reps"] = _eased(override["target_reps"])
    easing = out.get(EASING_KEY)
    if not isinstance(easing, dict):
        easing = {}
    easing[exercise] = record
    out[EASING_KEY] = easing
    return out
