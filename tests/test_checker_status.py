"""'Why I'm not counting' statuses, the registry, the report records and the checker's contract."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from app.clip_report import checker_report
from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.vocabulary import STATUS_CODES
from pose.frame import PoseFrame
from tests.checker_harness import run, run_frames
from tests.synthetic_skeleton import Scenario, generate, idle

PRODUCT_ORDER = (
    "glute_squeeze",
    "glute_bridge",
    "bridge_march",
    "straight_leg_raise",
    "hip_abduction",
    "prone_hip_extension",
    "standing_hip_flexion",
    "standing_hip_extension",
    "squat",
)


def codes(checker) -> list[str]:
    return [s.code for s in checker.status_intervals]


# ----------------------------------------------------------------------------- statuses


def test_long_pose_loss_is_no_person_and_drops_the_rep_in_progress():
    sc = Scenario("squat", reps=3, dropouts=((3.0, 2.0),))  # rep 2 ... lost mid-descent
    r = run(sc)
    c = r.checker
    assert codes(c) == ["no_person"]
    iv = c.status_intervals[0]
    assert iv.start_s == pytest.approx(3.0, abs=0.1) and iv.end_s == pytest.approx(5.0, abs=0.4)
    assert c.reps == 2
    assert [p.reason for p in c.partial_reps] == ["interrupted"]
    changed = r.kinds("status_changed")
    assert [(e.previous, e.code) for e in changed] == [(None, "no_person"), ("no_person", None)]
    assert changed[0].message


def test_short_pose_loss_is_not_a_status_and_keeps_the_rep():
    r = run(Scenario("squat", reps=3, dropouts=((2.4, 0.2), (5.0, 0.25))))
    assert r.checker.status_intervals == [] and r.checker.reps == 3


def test_second_person_who_stays_apart_does_not_stop_counting():
    # Issue 15: the person exercising is followed; someone else in the room is a note. (Two
    # people who cannot be told apart do stop it: tests/test_checker_real_people.py.)
    frames = generate(Scenario("squat", reps=4))
    frames = [dataclasses.replace(f, people_count=2) if 4.0 <= f.timestamp_s < 10.0 else f for f in frames]
    r = run_frames("squat", frames)
    assert codes(r.checker) == []
    assert r.checker.reps == 4
    assert [(n.code, n.start_s) for n in r.checker.notes] == [("someone_else_in_view", 4.0)]


def test_body_out_of_frame():
    frames = []
    for f in generate(Scenario("squat", reps=2)):
        if 3.0 <= f.timestamp_s < 6.0:
            xyz = f.xyz_norm.copy()
            xyz[:, 1] += 0.35  # the camera tilted up: feet below the picture
            f = PoseFrame.from_normalized(f.timestamp_ms, f.image_size_px, xyz, f.visibility)
        frames.append(f)
    r = run_frames("squat", frames)
    assert codes(r.checker) == ["out_of_frame"]


def test_joints_hidden():
    r = run(Scenario("straight_leg_raise", reps=2, hidden=((6.0, 2.0),)))
    assert codes(r.checker) == ["joints_hidden"]


def test_hip_abduction_from_the_side_is_the_wrong_view():
    r = run(Scenario("hip_abduction", reps=4, view="side"))
    assert codes(r.checker) == ["wrong_view"]
    assert r.checker.reps == 0
    assert "side" in get_exercise("hip_abduction").note


@pytest.mark.parametrize("exercise", ["straight_leg_raise", "glute_bridge", "prone_hip_extension"])
def test_side_view_exercises_seen_from_the_feet_are_the_wrong_view(exercise):
    r = run(idle(exercise, 6.0, view="feet"), exercise="straight_leg_raise")
    assert codes(r.checker) in (["wrong_view"], ["wrong_position"])


@pytest.mark.parametrize("exercise", ["glute_bridge", "straight_leg_raise", "prone_hip_extension", "glute_squeeze"])
def test_standing_during_a_floor_exercise_is_the_wrong_position(exercise):
    r = run(Scenario("squat", reps=3), exercise=exercise)
    assert codes(r.checker) == ["wrong_position"]
    assert r.checker.reps == 0


def test_supine_for_a_prone_exercise_is_the_wrong_position():
    r = run(Scenario("straight_leg_raise", reps=3), exercise="prone_hip_extension")
    assert codes(r.checker) == ["wrong_position"]
    assert r.checker.reps == 0


def test_empty_session_is_no_person_to_the_end():
    c = ExerciseChecker("squat")
    for k in range(30):
        c.update(PoseFrame.empty(k * 100.0, (640, 480)))
    c.finish()
    assert [(s.code, s.start_s, s.end_s) for s in c.status_intervals] == [("no_person", 0.0, 2.9)]


def test_status_codes_are_the_product_ones():
    assert set(STATUS_CODES) == {
        "no_person",
        "out_of_frame",
        "joints_hidden",
        "wrong_view",
        "wrong_position",
        "second_person",
    }


# ----------------------------------------------------------------------------- registry and definitions


def test_registry_has_the_nine_ids_in_product_order():
    assert EXERCISE_IDS == PRODUCT_ORDER
    assert [get_exercise(i).id for i in EXERCISE_IDS] == list(PRODUCT_ORDER)


def test_unknown_exercise_lists_the_valid_ids():
    with pytest.raises(ValueError) as err:
        get_exercise("lunge")
    assert "lunge" in str(err.value) and all(i in str(err.value) for i in EXERCISE_IDS)
    with pytest.raises(ValueError):
        ExerciseChecker("lunge")


def test_bad_definition_fails_at_construction_with_expected_and_actual():
    with pytest.raises(ValueError, match="enter_deg"):
        dataclasses.replace(get_exercise("glute_bridge"), enter_deg=140.0, exit_deg=150.0)
    with pytest.raises(ValueError, match="unknown signal"):
        ExerciseChecker(dataclasses.replace(get_exercise("squat"), signal="wiggle"))


def test_definitions_say_what_the_camera_cannot_do():
    assert "cannot see a squeeze" in get_exercise("glute_squeeze").note
    assert get_exercise("straight_leg_raise").recommended_model == "heavy"
    assert get_exercise("bridge_march").target_reps == 15
    for i in EXERCISE_IDS:
        d = get_exercise(i)
        assert isinstance(d, ExerciseDef) and d.title and d.safety
    holds = {i for i in EXERCISE_IDS if get_exercise(i).hold_target_s}
    assert holds == {"glute_squeeze", "glute_bridge", "straight_leg_raise", "prone_hip_extension"}
    sided = {i for i in EXERCISE_IDS if get_exercise(i).unilateral}
    assert sided == {
        "bridge_march",
        "straight_leg_raise",
        "hip_abduction",
        "prone_hip_extension",
        "standing_hip_flexion",
        "standing_hip_extension",
    }


# ----------------------------------------------------------------------------- the checker's contract


def test_report_records_are_json_ready():
    sc = Scenario("straight_leg_raise", reps=3, hold_s=2.0, tail_s=3.0, dropouts=((17.8, 2.0),))
    r = run(sc)
    c = r.checker
    report = checker_report(
        c, video="x.mp4", exercise=sc.exercise, model="full", duration_s=sc.duration_s, frames=1, frames_with_pose=1
    ).to_json()
    json.dumps(report)
    assert set(report["reps_detail"][0]) == {"index", "side", "start_s", "end_s", "peak_angle_deg", "hold_s", "faults"}
    assert set(report["faults"][0]) == {"code", "rep", "t_s", "cue"}
    assert set(report["status"][0]) == {"code", "start_s", "end_s"}
    assert report["reps_by_side"] == {"left": 2, "right": 1}
    assert [dataclasses.asdict(d) for d in c.reps_detail] == report["reps_detail"]
    for e in r.events:
        j = e.to_json()
        assert j["kind"] == e.kind and "t_s" in j
        json.dumps(j, default=str)


def test_bilateral_reports_have_no_sides():
    c = run(Scenario("glute_bridge", reps=2, hold_s=5.4)).checker
    assert c.reps_by_side is None
    assert all(d.side is None for d in c.reps_detail)
    assert all(d.hold_s is not None for d in c.reps_detail)
    c = run(Scenario("squat", reps=2)).checker
    assert all(d.hold_s is None for d in c.reps_detail)


def test_time_comes_only_from_timestamps():
    frames = generate(Scenario("squat", reps=3, noise_px=1.0))
    a = run_frames("squat", frames).checker
    b = run_frames("squat", frames).checker
    assert (a.reps_detail, a.faults, a.status_intervals, a.partial_reps) == (
        b.reps_detail,
        b.faults,
        b.status_intervals,
        b.partial_reps,
    )
    assert a.reps == 3
    shifted = [dataclasses.replace(f, timestamp_ms=f.timestamp_ms + 100_000.0) for f in frames]
    c = run_frames("squat", shifted).checker
    assert [d.start_s - 100.0 for d in c.reps_detail] == pytest.approx([d.start_s for d in a.reps_detail], abs=0.011)


def test_repeated_timestamps_are_ignored():
    frames = generate(Scenario("squat", reps=2))
    doubled = [f for f in frames for _ in range(2)]
    assert run_frames("squat", doubled).checker.reps == 2


def test_live_state_for_the_ui():
    r = run(Scenario("straight_leg_raise", reps=2, hold_s=5.4))
    states = r.states
    assert {s.phase for s in states} >= {"rest", "active"}
    active = [s for s in states if s.phase == "active"]
    assert all(s.side in ("left", "right") for s in active)
    assert all(s.angle_deg is not None and s.target_deg is not None and s.rest_deg is not None for s in active)
    assert max(s.hold_s for s in active) >= 5.0 and states[-1].hold_target_s == 5.0
    assert states[-1].reps == 2 and states[-1].reps_by_side == {"left": 1, "right": 1}
    started = r.kinds("rep_started")
    completed = r.kinds("rep_completed")
    assert [e.rep for e in started] == [1, 2] and [e.reps for e in completed] == [1, 2]
    assert completed[0].record.side == "left"


def test_finish_closes_an_open_status_and_is_idempotent():
    frames = generate(Scenario("squat", reps=1, tail_s=0.0))
    frames += [PoseFrame.empty(frames[-1].timestamp_ms + 100.0 * k, (640, 480)) for k in range(1, 15)]
    c = ExerciseChecker("squat")
    for f in frames:
        c.update(f)
    c.finish()
    c.finish()
    assert [s.code for s in c.status_intervals] == ["no_person"]
    assert c.status_intervals[0].end_s == pytest.approx(frames[-1].timestamp_s, abs=0.01)


def test_glute_squeeze_hold_broken_by_leaving_the_posture():
    # Lie hook-lying 4 s (settle 1 s, then 3 s into the first squeeze), then stand up.
    frames = generate(idle("glute_squeeze", 4.0))
    standing = generate(idle("squat", 4.0))
    frames += [dataclasses.replace(f, timestamp_ms=f.timestamp_ms + 4000.0) for f in standing]
    r = run_frames("glute_squeeze", frames)
    assert r.checker.reps == 0
    assert len(r.kinds("hold_broken")) == 1 and r.kinds("hold_broken")[0].cue
    assert [p.reason for p in r.checker.partial_reps] == ["hold_broken"]


def test_engine_does_not_import_qt_mediapipe_or_cv2():
    import subprocess
    import sys

    code = (
        "import sys, exercises.checker, pose.filtering, pose.geometry; "
        "bad = [m for m in ('PyQt6', 'mediapipe', 'cv2') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_random_landmarks_never_count(exercise):
    # Property: landmarks thrown at random for 20 s (a broken detector) never make a rep.
    rng = np.random.default_rng(hash(exercise) % 2**32)
    frames = [
        PoseFrame.from_normalized(k * 33.3, (640, 480), rng.uniform(0, 1, (33, 3)), rng.uniform(0, 1, 33))
        for k in range(600)
    ]
    r = run_frames(exercise, frames)
    assert r.checker.reps == 0
