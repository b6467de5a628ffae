"""Each form rule at its limit: a value just past the limit raises the fault, just inside does not.

The synthetic skeleton acts the rep out with the rule's quantity set on purpose (a knee bent by so
many degrees, a trunk leaning so far); each case also checks, with the checker's own measure, that
the value really lies just past or just inside the limit in ``exercises/definitions.py``, so a moved
limit or a changed measure fails here by name instead of passing quietly. Side views, no noise: the
projection is exact there. Hold and tempo limits are checked against the hold and time the checker
itself reports for each rep.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest

import tests.synthetic_skeleton as skeleton
from exercises.checker import ExerciseChecker
from exercises.registry import get_exercise
from pose.filtering import PoseFilter
from tests.checker_harness import run
from tests.synthetic_skeleton import Scenario, rep_phase


def _knee_bent(p, side, lift, v):
    p.knee_flex[side] = v * lift  # knee angle 180 - v at the top


def _lean(p, side, lift, v):
    p.trunk_lean = v * lift


def _squat_lean(p, side, lift, v):
    p.trunk_lean = v * lift
    p.head_pitch = -0.6 * v * lift  # the head kept level, as the generator does


def _head(p, side, lift, v):
    p.head_pitch = v * lift


def _bridge_top(p, side, lift, v):
    p.bridge_deg = max(0.5, v * lift)


def _hips_drop(p, side, lift, v):
    p.bridge_deg = 25.0 - v * lift


def _squat_depth(p, side, lift, v):
    p.pelvis = np.array([-v * lift, -0.20 * lift, 0.0])


HOLD = dict(hold_s=5.4)
BRIDGE = dict(hold_s=5.4, rise_s=1.5, fall_s=1.5)
STAND = dict(hold_s=1.5)
SQUAT = dict(hold_s=1.0)

# (exercise, fault code, knob, knob value just past, just inside, scenario). The knob values put the
# rule's measure about 2 degrees (thigh_drop: about 2.2) either side of its limit.
CASES = [
    ("straight_leg_raise", "knee_bent", _knee_bent, 37.0, 33.0, HOLD),
    ("prone_hip_extension", "knee_bent", _knee_bent, 37.0, 33.0, HOLD),
    ("standing_hip_flexion", "knee_bent", _knee_bent, 37.0, 33.0, STAND),
    ("standing_hip_extension", "knee_bent", _knee_bent, 37.0, 33.0, STAND),
    ("standing_hip_flexion", "trunk_lean", _lean, 14.0, 10.0, STAND),
    ("standing_hip_extension", "trunk_lean", _lean, 14.0, 10.0, STAND),
    ("glute_bridge", "hips_low", _bridge_top, 18.4, 20.5, BRIDGE),
    ("bridge_march", "hips_drop", _hips_drop, 7.0, 3.0, STAND),
    ("squat", "shallow", _squat_depth, 0.19, 0.225, SQUAT),
    ("squat", "head_lowered", _head, 5.0, 1.0, SQUAT),
    ("squat", "trunk_lean", _squat_lean, 57.0, 53.0, SQUAT),
]


def _rule(exercise: str, code: str):
    (rule,) = [r for r in get_exercise(exercise).rules if r.code == code]
    return rule


def _act(monkeypatch, sc: Scenario, knob, value: float):
    """Run the scenario with ``knob`` applied during every rep; the checker and the rule's measure per frame."""
    original = skeleton.exercise_pose

    def posed(scenario, t, sway):
        posture, p = original(scenario, t, sway)
        k, lift = rep_phase(scenario, t)
        if k is not None:
            knob(p, scenario.rep_sides[k], lift, value)
        return posture, p

    monkeypatch.setattr(skeleton, "exercise_pose", posed)
    frames = skeleton.generate(sc)
    monkeypatch.setattr(skeleton, "exercise_pose", original)
    return frames


def _plateau_and_rest(sc: Scenario, samples: list[tuple[float, float]]) -> tuple[float, float]:
    """Median of the measure at the top of rep 1 (the filter settled) and just before it."""
    top0, top1 = sc.idle_s + sc.rise_s + 0.25, sc.idle_s + sc.rise_s + sc.hold_s - 0.05
    top = [v for t, v in samples if top0 <= t <= top1]
    rest = [v for t, v in samples if sc.idle_s - 0.8 <= t <= sc.idle_s - 0.05]
    return statistics.median(top), statistics.median(rest)


@pytest.mark.parametrize("where", ["past", "inside"])
@pytest.mark.parametrize(
    ("exercise", "code", "knob", "past", "inside", "kw"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_rule_fires_just_past_its_limit_and_not_just_inside(monkeypatch, exercise, code, knob, past, inside, kw, where):
    rule = _rule(exercise, code)
    sc = Scenario(exercise, reps=2, view="side", **kw)
    frames = _act(monkeypatch, sc, knob, past if where == "past" else inside)
    checker, pf, samples = ExerciseChecker(exercise), PoseFilter(), []
    side = sc.rep_sides[0] or "left"
    for fr in frames:
        checker.update(pf.apply(fr))
        samples.append((fr.timestamp_s, checker.reader.measure(rule.measure, side)))
    checker.finish()

    top, rest = _plateau_and_rest(sc, samples)
    value = top - rest if rule.relative else top
    beyond = (rule.limit - value) if rule.fault_if == "below" else (value - rule.limit)
    # The scenario really sits just past (or just inside) the limit, as the checker measures it.
    if where == "past":
        assert 0.5 <= beyond <= 3.0, f"{rule.measure} = {value:.2f} is not just past {rule.fault_if} {rule.limit}"
    else:
        assert -3.0 <= beyond <= -0.5, f"{rule.measure} = {value:.2f} is not just inside {rule.limit}"
    assert checker.reps == 2, "both reps must count for the rule to be judged"
    raised = {d.index: code in d.faults for d in checker.reps_detail}
    assert raised == ({1: True, 2: True} if where == "past" else {1: False, 2: False}), (value, checker.faults)


# hold_short: a hold shorter than hold_target_s - hold_tolerance_s; too_fast: moving (rep time minus its
# hold) for less than too_fast_s. Judged against what the checker reports for each rep.
TIMED = [
    ("straight_leg_raise", "hold_short", dict(hold_s=4.2), dict(hold_s=4.8)),
    ("glute_bridge", "hold_short", dict(hold_s=4.2, rise_s=1.5, fall_s=1.5), dict(hold_s=4.9, rise_s=1.5, fall_s=1.5)),
    ("glute_bridge", "too_fast", dict(hold_s=5.4, rise_s=0.6, fall_s=0.6), dict(hold_s=5.4, rise_s=1.0, fall_s=1.0)),
    (
        "standing_hip_flexion",
        "too_fast",
        dict(hold_s=0.2, rise_s=0.3, fall_s=0.3),
        dict(hold_s=0.2, rise_s=0.45, fall_s=0.45),
    ),
    (
        "hip_abduction",
        "too_fast",
        dict(hold_s=0.2, rise_s=0.3, fall_s=0.3, view="feet"),
        dict(hold_s=0.2, rise_s=0.45, fall_s=0.45, view="feet"),
    ),
]


@pytest.mark.parametrize("where", ["past", "inside"])
@pytest.mark.parametrize(("exercise", "code", "past", "inside"), TIMED, ids=[f"{c[0]}-{c[1]}" for c in TIMED])
def test_hold_and_tempo_limits(exercise, code, past, inside, where):
    d = get_exercise(exercise)
    kw = dict(past if where == "past" else inside)
    kw.setdefault("view", "side")
    checker = run(Scenario(exercise, reps=2, **kw)).checker
    assert checker.reps == 2
    limit = d.hold_target_s - d.hold_tolerance_s if code == "hold_short" else d.too_fast_s
    for rep in checker.reps_detail:
        value = rep.hold_s if code == "hold_short" else rep.end_s - rep.start_s - (rep.hold_s or 0.0)
        beyond = limit - value  # both fire below their limit
        if where == "past":
            assert 0.0 < beyond <= 0.6, f"rep {rep.index}: {code} value {value:.2f} is not just past {limit}"
            assert code in rep.faults, f"rep {rep.index}: {value:.2f} s vs limit {limit} s"
        else:
            assert -0.6 <= beyond < 0.0, f"rep {rep.index}: {code} value {value:.2f} is not just inside {limit}"
            assert code not in rep.faults, f"rep {rep.index}: {value:.2f} s vs limit {limit} s"
