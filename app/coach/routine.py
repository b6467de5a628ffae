"""The daily routine: the article's programme as data, its settings, the first-week ramp, and a runner.

The routine is a tuple of :class:`RoutineItem` (which exercise, its target, sets, the rest after
each set, whether it is switched on). :data:`DEFAULT_ROUTINE` is the source article's daily
routine in its order. The profile's settings keep the edited routine under ``"routine"`` as a
list of plain dicts (:func:`routine_to_settings` / :func:`routine_from_settings`).

:class:`RoutineRunner` is a Qt-free state machine the GUI drives::

    exercise --advance()--> rest (rest_s) --advance()--> exercise ... --> done

Time is passed in (``now_s`` arguments) and never read from a clock, so the GUI owns the rest
countdown and tests need no waiting.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from exercises.registry import EXERCISE_IDS, get_exercise

log = logging.getLogger(__name__)

SETTINGS_KEY = "routine"
TARGET_RANGE = (1, 100)  # reps (per side for one-sided exercises)
SETS_RANGE = (1, 10)
REST_RANGE_S = (0, 600)
DEFAULT_REST_S = 30
SKIP_REST_S = 10  # after a skip there is nothing to recover from, only a position to get into
# Said before an exercise, from the article: squats come after a warm-up; bridges with a short rest.
BEFORE_NOTES = {"glute_bridge": "Rest a few seconds between lifts.", "squat": "Warm up before squats."}
RAMP_MIN_REPS = 3  # the first week never asks for fewer than this (unless the target itself is lower)


@dataclass(frozen=True)
class RoutineItem:
    """One exercise of the routine: ``target_reps`` per set (per side for one-sided exercises),
    ``sets`` sets, ``rest_s`` seconds of rest after each set, ``enabled`` whether it is done."""

    exercise: str
    target_reps: int
    sets: int = 1
    rest_s: int = DEFAULT_REST_S
    enabled: bool = True


# The article gives no number for most exercises: 10 (each side) is a usual home-programme
# starting dose. Its own numbers ("up to 30" squeezes and bridges, "15 per foot" for the march)
# are the exercises' ``target_reps`` in exercises/definitions.py, their one home.
USUAL_START_REPS = 10


def _article_item(exercise: str) -> RoutineItem:
    return RoutineItem(exercise, get_exercise(exercise).target_reps or USUAL_START_REPS)


# The source article's daily routine, in its order (the registry's).
DEFAULT_ROUTINE: tuple[RoutineItem, ...] = tuple(_article_item(exercise) for exercise in EXERCISE_IDS)

_DEFAULTS = {item.exercise: item for item in DEFAULT_ROUTINE}


# ----------------------------------------------------------------------------- settings


def _default_item(exercise: str) -> RoutineItem:
    return _DEFAULTS.get(exercise) or _article_item(exercise)


def _clamped_int(value: Any, low: int, high: int, fallback: int, what: str, exercise: str) -> int:
    """A whole number within [low, high]; non-numbers give ``fallback``, out-of-range values are clamped."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        log.warning("routine settings: %s of %s is %r, not a number; using %d", what, exercise, value, fallback)
        return fallback
    number = int(round(value))
    clamped = min(max(number, low), high)
    if clamped != value:
        log.warning(
            "routine settings: %s of %s is %r; using %d (allowed %d-%d)", what, exercise, value, clamped, low, high
        )
    return clamped


def routine_from_settings(settings: dict) -> tuple[RoutineItem, ...]:
    """The routine stored in a profile's settings, or :data:`DEFAULT_ROUTINE` when none is stored.

    Entries for unknown exercise ids, repeated ids and entries that are not dicts are dropped
    with a log warning; numbers outside their ranges are clamped (targets 1-100, sets 1-10,
    rest 0-600 s) and non-numbers replaced by the article's default for that exercise.
    """
    stored = settings.get(SETTINGS_KEY) if isinstance(settings, dict) else None
    if stored is None:
        return DEFAULT_ROUTINE
    if not isinstance(stored, list):
        log.warning("routine settings are a %s, not a list; using the article's routine", type(stored).__name__)
        return DEFAULT_ROUTINE
    items: list[RoutineItem] = []
    seen: set[str] = set()
    for entry in stored:
        exercise = entry.get("exercise") if isinstance(entry, dict) else None
        if exercise not in EXERCISE_IDS:
            log.warning(
                "routine settings: dropping %r (unknown exercise; expected one of %s)", entry, ", ".join(EXERCISE_IDS)
            )
            continue
        if exercise in seen:
            log.warning("routine settings: dropping a second entry for %s", exercise)
            continue
        seen.add(exercise)
        base = _default_item(exercise)
        items.append(
            RoutineItem(
                exercise=exercise,
                target_reps=_clamped_int(entry.get("target_reps"), *TARGET_RANGE, base.target_reps, "target", exercise),
                sets=_clamped_int(entry.get("sets"), *SETS_RANGE, base.sets, "sets", exercise),
                rest_s=_clamped_int(entry.get("rest_s"), *REST_RANGE_S, base.rest_s, "rest", exercise),
                enabled=bool(entry.get("enabled", True)),
            )
        )
    return tuple(items)


def routine_to_settings(items: Iterable[RoutineItem], settings: dict) -> dict:
    """A copy of ``settings`` with the routine stored in it (other keys kept as they were)."""
    out = copy.deepcopy(settings) if settings else {}
    out[SETTINGS_KEY] = [
        {
            "exercise": i.exercise,
            "target_reps": int(i.target_reps),
            "sets": int(i.sets),
            "rest_s": int(i.rest_s),
            "enabled": bool(i.enabled),
        }
        for i in items
    ]
    return out


# ----------------------------------------------------------------------------- first-week ramp

# (last programme day, share of the target): "if you have just started exercising, do not push
# yourself too hard".
RAMP_STEPS: tuple[tuple[int, float], ...] = ((2, 1 / 3), (4, 1 / 2), (7, 2 / 3))


def ramp_share(programme_day: int) -> float:
    """The share of the full target asked for on ``programme_day`` (1 = the first day)."""
    if isinstance(programme_day, bool) or not isinstance(programme_day, int) or programme_day < 1:
        raise ValueError(f"programme_day must be a whole number from 1 (the first day), got {programme_day!r}")
    for last_day, share in RAMP_STEPS:
        if programme_day <= last_day:
            return share
    return 1.0


def ramp(items: Iterable[RoutineItem], programme_day: int) -> tuple[RoutineItem, ...]:
    """The routine made gentler in the first week, stepping up to the full targets.

    Rule: days 1-2 a third of each target, days 3-4 half, days 5-7 two thirds, from day 8 the
    full target; rounded to the nearest whole rep (halves up), never fewer than
    ``RAMP_MIN_REPS`` (3) unless the target itself is lower. Only ``target_reps`` changes:
    holds stay as long (the article's 5 s), sets, rest and what is switched on stay as set.
    """
    share = ramp_share(programme_day)
    out = []
    for item in items:
        if share < 1.0:
            reps = max(int(math.floor(item.target_reps * share + 0.5)), min(RAMP_MIN_REPS, item.target_reps))
            item = replace(item, target_reps=reps)
        out.append(item)
    return tuple(out)


# ----------------------------------------------------------------------------- runner

Phase = Literal["exercise", "rest", "done"]
Outcome = Literal["done", "skipped", "pain"]


@dataclass(frozen=True)
class SetResult:
    """How one set of the routine ended."""

    exercise: str
    set_no: int  # 1-based
    outcome: Outcome


def _target_words(exercise: str, reps: int) -> str:
    d = get_exercise(exercise)
    words = f"{reps} with each leg" if d.unilateral else f"{reps} times"
    if d.hold_target_s:
        words += f", holding each for {d.hold_target_s:g} seconds"
    return words


class RoutineRunner:
    """Walks through the enabled items and their sets: exercise -> rest -> next ... -> done.

    ``phase`` is ``"exercise"`` (do ``current``), ``"rest"`` (rest ``rest_s`` seconds, then
    ``current`` is the one coming next) or ``"done"``. :meth:`advance` finishes the set or
    the rest; :meth:`skip` drops the current exercise (or, while resting, the one coming next);
    :meth:`stop_for_pain` ends the current exercise with all its remaining sets. Each finished
    set is kept in ``results``. ``now_s`` arguments are any monotonic seconds the caller keeps.
    """

    def __init__(self, items: Iterable[RoutineItem]) -> None:
        self.items: tuple[RoutineItem, ...] = tuple(i for i in items if i.enabled)
        for item in self.items:
            get_exercise(item.exercise)  # an unknown id fails here, with the valid ones listed
        # The plan: one step per set, in order.
        self._steps: list[tuple[RoutineItem, int]] = [
            (item, n) for item in self.items for n in range(1, max(1, item.sets) + 1)
        ]
        self._owner = [k for k, item in enumerate(self.items) for _ in range(max(1, item.sets))]
        self._i = 0
        self.results: list[SetResult] = []
        self.phase: Phase = "exercise" if self._steps else "done"
        self.rest_s: int = 0  # the rest to count down now (phase "rest")
        self._rest_started_s: float | None = None
        self._last: Outcome | None = None  # how the set before this rest ended
        self._last_exercise: str | None = None
        self._rested = False  # the rest before ``current`` is over: "now", not "next"

    # -------------------------------------------------------------- where we are

    @property
    def current(self) -> RoutineItem | None:
        """The exercise being done (phase "exercise") or coming next (phase "rest"); None when done."""
        return self._steps[self._i][0] if self.phase != "done" else None

    @property
    def set_no(self) -> int | None:
        """The 1-based set of ``current`` (None when done)."""
        return self._steps[self._i][1] if self.phase != "done" else None

    @property
    def stopped_for_pain(self) -> tuple[str, ...]:
        """Exercises stopped because of pain, in order."""
        return tuple(dict.fromkeys(r.exercise for r in self.results if r.outcome == "pain"))

    # -------------------------------------------------------------- moves

    def advance(self, now_s: float | None = None) -> Phase:
        """The set is finished (-> rest, or done after the last) or the rest is over (-> exercise)."""
        if self.phase == "exercise":
            self._finish_current("done", now_s)
        elif self.phase == "rest":
            self.phase = "exercise"
            self.rest_s, self._rest_started_s = 0, None
            self._rested = True
        return self.phase

    def skip(self, now_s: float | None = None) -> Phase:
        """Skip the exercise being done (all its remaining sets), or while resting the one coming next."""
        if self.phase == "exercise":
            self._finish_current("skipped", now_s, whole_exercise=True)
        elif self.phase == "rest":
            item, owner = self._steps[self._i][0], self._owner[self._i]
            while self._i < len(self._steps) and self._owner[self._i] == owner:
                self.results.append(SetResult(item.exercise, self._steps[self._i][1], "skipped"))
                self._i += 1
            if self._i >= len(self._steps):
                self._end()
        return self.phase

    def stop_for_pain(self, now_s: float | None = None) -> Phase:
        """Pain: end the current exercise now (its remaining sets too) and move on, with a full rest."""
        if self.phase == "exercise":
            self._finish_current("pain", now_s, whole_exercise=True)
        return self.phase

    def tick(self, now_s: float) -> Phase:
        """Move on by itself once a rest has lasted ``rest_s`` (for a caller that polls)."""
        if self.phase == "rest" and self.rest_left(now_s) <= 0.0:
            self.advance(now_s)
        return self.phase

    def rest_left(self, now_s: float) -> float:
        """Seconds of rest still to go (0 outside a rest)."""
        if self.phase != "rest":
            return 0.0
        if self._rest_started_s is None:
            self._rest_started_s = now_s  # the countdown starts when the caller first asks
        return max(0.0, self.rest_s - (now_s - self._rest_started_s))

    def _finish_current(self, outcome: Outcome, now_s: float | None, whole_exercise: bool = False) -> None:
        item, set_no = self._steps[self._i]
        owner = self._owner[self._i]
        self.results.append(SetResult(item.exercise, set_no, outcome))
        self._i += 1
        if whole_exercise:
            while self._i < len(self._steps) and self._owner[self._i] == owner:
                self.results.append(SetResult(item.exercise, self._steps[self._i][1], outcome))
                self._i += 1
        self._last, self._last_exercise, self._rested = outcome, item.exercise, False
        if self._i >= len(self._steps):
            self._end()
            return
        rest = min(item.rest_s, SKIP_REST_S) if outcome == "skipped" else item.rest_s
        if rest <= 0:
            self.phase, self.rest_s, self._rest_started_s = "exercise", 0, None
        else:
            self.phase, self.rest_s, self._rest_started_s = "rest", int(rest), now_s

    def _end(self) -> None:
        self.phase = "done"
        self.rest_s, self._rest_started_s = 0, None

    # -------------------------------------------------------------- what to say

    def transition_text(self) -> str:
        """Short, kind sentences for now: the first exercise, a rest and what comes next, or the end."""
        if self.phase == "done":
            if self.stopped_for_pain:
                return "That is the end of the routine. Rest now, and take it easier next time."
            return "That's the routine done. Well done!"
        item, set_no = self._steps[self._i]
        d = get_exercise(item.exercise)
        parts: list[str] = []
        same_exercise = self._last_exercise == item.exercise
        if self._rested:
            pass  # the rest is over: only what to do now
        elif self._last == "done":
            parts.append("Well done.")
        elif self._last == "pain":
            title = get_exercise(self._last_exercise).title if self._last_exercise else "That exercise"
            parts.append(f"{title} stopped because of pain. Do not push through pain.")
        elif self._last == "skipped":
            parts.append("Skipped.")
        if self.phase == "rest" and self.rest_s > 0:
            parts.append(f"Rest for {_seconds(self.rest_s)}.")
        if same_exercise:
            lead = "Now" if self._rested else "Next"
            parts.append(f"{lead}: set {set_no} of {item.sets}, {_target_words(item.exercise, item.target_reps)}.")
            return " ".join(parts)
        lead = "First" if self._last is None else ("Now" if self._rested else "Next")
        parts.append(f"{lead}: {d.title}, {_target_words(item.exercise, item.target_reps)}.")
        if item.exercise in BEFORE_NOTES:
            parts.append(BEFORE_NOTES[item.exercise])
        if d.cues.setup:
            parts.append(_sentence(d.cues.setup))
        return " ".join(parts)


def _seconds(n: int) -> str:
    if n % 60 == 0 and n >= 60:
        minutes = n // 60
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if n == 1 else f"{n} seconds"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
