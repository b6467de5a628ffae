"""One person's version of an exercise: calibration, strictness and a physiotherapist's overrides.

"Count relatively, coach absolutely":

- A **calibration** (the person's own comfortable peak, from their first reps) moves only the
  *counting* thresholds (``enter_deg``, ``exit_deg``, ``min_range_deg``, ``min_peak_deg``) into
  the person's range, so a stiff hip still gets its reps counted. The thresholds shrink towards
  the person's rest by one factor ``k``: the most demanding of them lands at ``COMFORT`` (70 %)
  of the person's range, never harder than the standard definition (``k <= 1``) and never below
  ``MIN_SCALE`` of it (more for the jittery leg slide) nor the absolute floors
  (``ENTER_FLOOR_DEG``, ``HYSTERESIS_FLOOR_DEG``, ``MIN_RANGE_FLOOR_DEG``), so jitter never counts.
  For absolute thresholds (the squat) the person's rest should be measured and passed; without it
  rest is assumed one hysteresis beyond ``exit_deg`` (a standing knee of 170 deg).
- **Form rules stay absolute**: a calibration never moves them (a stiff squatter gets reps
  counted and still hears "lower your hips"). Only the **strictness** preset and explicit
  **overrides** move rule limits; strictness also moves hold leniency (how far short of the hold
  target a hold may end before ``hold_short``) and the ``too_fast`` tempo.

Everything returns a new :class:`ExerciseDef` made with :func:`dataclasses.replace`; the
``standard`` preset with no calibration and no overrides returns the definition unchanged.
"""

from __future__ import annotations

import logging
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from exercises.definitions import FAULT_CODES, ExerciseDef, FormRule
from exercises.events import CheckerStep, PartialRep, RepCompleted

log = logging.getLogger(__name__)

STRICTNESS = ("gentle", "standard", "strict")

# ----------------------------------------------------------------------------- calibration rules
MIN_CALIBRATION_REPS = 3  # fewer peaks than this say too little about a person's range
COMFORT = 0.7  # the most demanding counting threshold sits at this share of the person's range
MIN_SCALE = 0.5  # never below this share of a standard threshold's distance from rest ...
# ... or, where the signal jitters most, a larger share: a leg sliding out, seen along the body,
# reads +-5 deg of jitter at rest, and its standard thresholds sit just above it (at 0.7 of
# them a still, noisy synthetic person was counted).
MIN_SCALE_BY_EXERCISE: dict[str, float] = {"hip_abduction": 0.8}
ENTER_FLOOR_DEG = 5.0  # ... nor closer to rest than this (tracking jitter is a few degrees)
HYSTERESIS_FLOOR_DEG = 2.5  # enter and exit stay at least this far apart
MIN_RANGE_FLOOR_DEG = 4.0

# ----------------------------------------------------------------------------- strictness rules
# How far "gentle" moves each fault's limit the lenient way, in the measure's degrees; "strict"
# moves it half as far the other way: the standard limits already describe good form, and
# the camera's jitter does not shrink because the coach is strict.
RULE_EASE_DEG: dict[str, float] = {
    "knee_bent": 10.0,  # knee angle: 145 -> 135 (gentle), 150 (strict)
    "hips_low": 6.0,  # bridge hip angle: 168 -> 162 / 171
    "trunk_lean": 6.0,
    "shallow": 10.0,  # thigh tilt above level: 35 -> 45 / 30
    "head_lowered": 10.0,
    "hips_drop": 3.0,  # pelvis drop in a march: -5 -> -8 / -3.5
}
STRICT_SHARE = 0.5
HOLD_TOLERANCE_S = {"gentle": 1.2, "standard": None, "strict": 0.4}  # None: the definition's own
TOO_FAST_SCALE = {"gentle": 0.75, "standard": 1.0, "strict": 1.25}

OVERRIDE_KEYS = ("target_reps", "hold_target_s", "limits")
TARGET_REPS_RANGE = (1, 100)
HOLD_TARGET_RANGE_S = (1.0, 60.0)
LIMIT_MAX_CHANGE_DEG = 45.0  # an override further than this from the standard limit is surely a typo


@dataclass(frozen=True)
class Calibration:
    """A person's own range for one exercise, in the signal's natural units (as in ``peak_angle_deg``).

    ``peak_deg``: their comfortable peak; ``rest_deg``: their resting value, None when unknown
    (then the definition's ``rest_deg`` for learnt-rest exercises, or one hysteresis beyond
    ``exit_deg`` for absolute thresholds, e.g. a standing knee at 170 for the squat).
    """

    peak_deg: float
    rest_deg: float | None = None

    def __post_init__(self) -> None:
        if not _finite(self.peak_deg):
            raise ValueError(f"calibration peak_deg must be a finite number, got {self.peak_deg!r}")
        if self.rest_deg is not None and not _finite(self.rest_deg):
            raise ValueError(f"calibration rest_deg must be a finite number or None, got {self.rest_deg!r}")


def _finite(x: Any) -> TypeGuard[float]:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _rest_natural(definition: ExerciseDef, calibration: Calibration) -> float:
    """The person's rest in natural units: measured, else the definition's assumption."""
    if calibration.rest_deg is not None:
        return float(calibration.rest_deg)
    if definition.relative_to_rest:
        return definition.rest_deg
    # Absolute thresholds assume rest one hysteresis beyond the exit (squat: 155 + 15 = 170).
    return definition.exit_deg + (definition.exit_deg - definition.enter_deg)


def calibrate_from_peaks(
    definition: ExerciseDef, peaks: Sequence[float], rest_deg: float | None = None
) -> Calibration | None:
    """A calibration from the peaks of a person's first reps (counted or partial alike).

    The median peak (one odd rep does not move it); None when fewer than
    ``MIN_CALIBRATION_REPS`` finite peaks are given, for the guided squeeze (nothing to count
    against), or when the peak is not beyond rest in the movement's direction.
    """
    if definition.mode != "reps":
        return None
    values = [float(p) for p in peaks if _finite(p)]
    if len(values) < MIN_CALIBRATION_REPS:
        return None
    calibration = Calibration(peak_deg=statistics.median(values), rest_deg=rest_deg)
    if definition.direction * (calibration.peak_deg - _rest_natural(definition, calibration)) <= 0:
        log.warning("%s: calibration peak %.1f is not beyond rest; ignored", definition.id, calibration.peak_deg)
        return None
    return calibration


class CalibrationRecorder:
    """Builds a :class:`Calibration` from the live checker steps of a person's first reps.

    Feed every :class:`~exercises.events.CheckerStep` to :meth:`take`; it keeps the peak of each
    rep (counted or partial: a limited range shows up as partial reps) and the signal while the
    checker is at rest, and returns the calibration once ``reps`` peaks were seen (then None
    again). The rest is the median signal at rest, so absolute thresholds (the squat) get the
    person's own standing value instead of an assumption.
    """

    def __init__(self, definition: ExerciseDef, reps: int = MIN_CALIBRATION_REPS) -> None:
        if reps < MIN_CALIBRATION_REPS:
            raise ValueError(f"a calibration needs at least {MIN_CALIBRATION_REPS} reps, got {reps}")
        self.definition = definition
        self.reps = reps
        self.peaks: list[float] = []
        self.rest_values: list[float] = []
        self.calibration: Calibration | None = None

    def take(self, step: CheckerStep) -> Calibration | None:
        """Record one frame's step; the calibration on the step that completes it, else None."""
        if self.calibration is not None:
            return None
        state = step.state
        if state.phase == "rest" and state.status is None and _finite(state.angle_deg):
            self.rest_values.append(float(state.angle_deg))
        for event in step.events:
            if isinstance(event, (RepCompleted, PartialRep)):
                peak = event.record.peak_angle_deg
                if _finite(peak):
                    self.peaks.append(float(peak))
        if len(self.peaks) < self.reps:
            return None
        rest = statistics.median(self.rest_values) if self.rest_values else None
        self.calibration = calibrate_from_peaks(self.definition, self.peaks, rest)
        if self.calibration is None:
            self.peaks.clear()  # nothing usable (peaks not beyond rest): start again
        return self.calibration


def _calibrated(d: ExerciseDef, c: Calibration) -> ExerciseDef:
    """Counting thresholds shrunk towards the person's rest (see the module docstring)."""
    if d.mode != "reps":
        return d
    sign = d.direction
    rest_nat = _rest_natural(d, c)
    person_range = sign * (c.peak_deg - rest_nat)
    if person_range <= 0:
        log.warning("%s: calibration peak %.1f is not beyond rest %.1f; not used", d.id, c.peak_deg, rest_nat)
        return d
    # Distances from rest in the movement's direction ("offsets"), standard definition.
    if d.relative_to_rest:
        enter_off, exit_off = d.enter_deg, d.exit_deg
    else:
        enter_off, exit_off = sign * (d.enter_deg - rest_nat), sign * (d.exit_deg - rest_nat)
    peak_off = sign * (d.min_peak_deg - rest_nat) if d.min_peak_deg is not None else 0.0
    needed = max(enter_off, d.min_range_deg, peak_off)
    if needed <= 0:
        return d
    k = min(1.0, max(MIN_SCALE_BY_EXERCISE.get(d.id, MIN_SCALE), COMFORT * person_range / needed))
    if k >= 1.0:
        return d  # the standard thresholds already fit this person
    new_enter = min(enter_off, max(k * enter_off, ENTER_FLOOR_DEG))
    hysteresis = min(enter_off - exit_off, max(k * (enter_off - exit_off), HYSTERESIS_FLOOR_DEG))
    new_exit = new_enter - hysteresis
    new_range = min(d.min_range_deg, max(k * d.min_range_deg, MIN_RANGE_FLOOR_DEG))
    changes: dict[str, Any] = {"min_range_deg": round(new_range, 2)}
    if d.relative_to_rest:
        changes["enter_deg"], changes["exit_deg"] = round(new_enter, 2), round(new_exit, 2)
    else:
        changes["enter_deg"] = round(rest_nat + sign * new_enter, 2)
        changes["exit_deg"] = round(rest_nat + sign * new_exit, 2)
    if d.min_peak_deg is not None:
        new_peak_off = max(k * peak_off, new_enter)
        # Never harder than the standard value, whatever the person's rest.
        changes["min_peak_deg"] = round(sign * min(sign * d.min_peak_deg, sign * (rest_nat + sign * new_peak_off)), 2)
    log.info("%s: counting thresholds scaled by %.2f for a peak of %.1f (rest %.1f)", d.id, k, c.peak_deg, rest_nat)
    return replace(d, **changes)


def _eased_rule(rule: FormRule, amount: float) -> FormRule:
    """The rule with its limit moved ``amount`` degrees the lenient way (negative: stricter)."""
    limit = rule.limit - amount if rule.fault_if == "below" else rule.limit + amount
    return replace(rule, limit=limit)


def _with_strictness(d: ExerciseDef, strictness: str) -> ExerciseDef:
    if strictness == "standard":
        return d
    share = 1.0 if strictness == "gentle" else -STRICT_SHARE
    rules = tuple(_eased_rule(r, share * RULE_EASE_DEG.get(r.code, 0.0)) for r in d.rules)
    changes: dict[str, Any] = {"rules": rules}
    if d.has_hold and d.mode == "reps":
        changes["hold_tolerance_s"] = HOLD_TOLERANCE_S[strictness]
    if d.too_fast_s is not None:
        changes["too_fast_s"] = round(d.too_fast_s * TOO_FAST_SCALE[strictness], 3)
    return replace(d, **changes)


def _number(value: Any, what: str, low: float, high: float) -> float:
    if not _finite(value):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{what} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def _with_overrides(d: ExerciseDef, overrides: Mapping[str, Any]) -> ExerciseDef:
    """A physiotherapist's explicit values; each bad one is a one-line ``ValueError``."""
    if not isinstance(overrides, Mapping):
        raise ValueError(f"overrides must be a mapping, got {type(overrides).__name__}")
    unknown = [k for k in overrides if k not in OVERRIDE_KEYS]
    if unknown:
        raise ValueError(f"unknown override {unknown[0]!r}; expected one of {', '.join(OVERRIDE_KEYS)}")
    changes: dict[str, Any] = {}
    reps = overrides.get("target_reps")
    if reps is not None:
        if isinstance(reps, bool) or not isinstance(reps, int):
            raise ValueError(f"target_reps must be a whole number, got {reps!r}")
        changes["target_reps"] = int(_number(reps, "target_reps", *TARGET_REPS_RANGE))
    hold = overrides.get("hold_target_s")
    if hold is not None:
        if not d.has_hold:
            raise ValueError(f"{d.id} has no hold; hold_target_s cannot be set")
        changes["hold_target_s"] = _number(hold, "hold_target_s", *HOLD_TARGET_RANGE_S)
    limits = overrides.get("limits")
    if limits:
        if not isinstance(limits, Mapping):
            raise ValueError(f"limits must map fault codes to numbers, got {type(limits).__name__}")
        codes = tuple(dict.fromkeys(r.code for r in d.rules))
        for code in limits:
            if code not in codes:
                known = ", ".join(codes) if codes else "none"
                hint = "" if code in FAULT_CODES else " (not a fault code)"
                raise ValueError(f"{d.id} has no form rule {code!r}{hint}; its rules: {known}")
        rules = []
        for rule in d.rules:
            if rule.code in limits:
                base = rule.limit
                lo, hi = base - LIMIT_MAX_CHANGE_DEG, base + LIMIT_MAX_CHANGE_DEG
                rule = replace(rule, limit=_number(limits[rule.code], f"{rule.code} limit", lo, hi))
            rules.append(rule)
        changes["rules"] = tuple(rules)
    return replace(d, **changes) if changes else d


def personalise(
    definition: ExerciseDef,
    strictness: str = "standard",
    calibration: Calibration | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ExerciseDef:
    """The definition for one person: calibrated counting, strictness, then overrides (which win).

    ``strictness``: one of :data:`STRICTNESS`. ``calibration``: moves only the counting
    thresholds (not for the guided squeeze). ``overrides``: ``target_reps`` (1-100),
    ``hold_target_s`` (1-60 s, exercises with a hold) and ``limits`` ``{fault_code: limit}``
    (that exercise's rules, within 45 degrees of the standard limit). Bad values raise a
    one-line ``ValueError`` saying what was expected and what came.
    """
    if not isinstance(definition, ExerciseDef):
        raise TypeError(f"expected an ExerciseDef, got {type(definition).__name__}")
    if strictness not in STRICTNESS:
        raise ValueError(f"strictness must be one of {', '.join(STRICTNESS)}, got {strictness!r}")
    if calibration is not None and not isinstance(calibration, Calibration):
        raise TypeError(f"calibration must be a Calibration or None, got {type(calibration).__name__}")
    d = definition
    if calibration is not None:
        d = _calibrated(d, calibration)
    d = _with_strictness(d, strictness)
    if overrides:
        d = _with_overrides(d, overrides)
    return d
