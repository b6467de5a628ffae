"""``--exercise auto``: the exercise is recognised from the movement, its reps counted from the first frame.

Expected exercises and counts come from how the synthetic sessions and the generated clips were made.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.recognised_report import ClipFacts, recognised_report
from exercises.events import RepRecord
from exercises.recognition import Recogniser, _holds_another_set, candidates
from exercises.segments import BETWEEN_EXERCISES, split
from pose.filtering import PoseFilter
from tests.synthetic_skeleton import Scenario, generate, idle

ROOT = Path(__file__).resolve().parents[1]
VIEWS = {"hip_abduction": "feet"}


def recognise(frames) -> Recogniser:
    rec, pf = Recogniser(), PoseFilter()
    for f in frames:
        rec.update(pf.apply(f))
    rec.finish()
    return rec


@pytest.mark.parametrize("exercise", [d.id for d in candidates()])
def test_each_exercise_is_recognised_and_counted(exercise):
    sc = Scenario(exercise, reps=4, view=VIEWS.get(exercise, "side"), noise_px=2.0, seed=7)
    rec = recognise(generate(sc))
    decision = rec.recognition()
    assert decision.exercise == exercise, decision.evidence
    assert rec.reps == sc.expected_reps  # nothing lost while it decided
    assert decision.decided_at_s is not None


def test_a_squat_is_not_taken_for_a_leg_raise():
    # Both move the thigh forward; only the squat takes the hips down.
    rec = recognise(generate(Scenario("squat", reps=5, noise_px=2.0)))
    ev = rec.recognition().evidence
    assert rec.recognition().exercise == "squat"
    assert ev["standing_hip_flexion"] == 0.0


def test_standing_still_is_not_guessed():
    decision = recognise(generate(idle("squat", seconds=12.0, noise_px=2.0))).recognition()
    assert decision.exercise is None
    assert decision.confidence == 0.0


def test_the_glute_squeeze_is_never_a_candidate():
    # Lying still looks the same with or without a squeeze: only a routine can name it.
    assert "glute_squeeze" not in [d.id for d in candidates()]


def test_analyze_auto_names_the_exercise_and_counts_like_the_named_run(tmp_path):
    clip = ROOT / "sample_videos" / "standing_hip_flexion_ok.mp4"
    truth = json.loads(clip.with_suffix(".json").read_text())
    out = tmp_path / "auto.json"
    run = subprocess.run(
        [sys.executable, "-m", "app", "analyze", str(clip), "--exercise", "auto", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    assert report["exercise"] == "standing_hip_flexion"
    assert report["recognition"]["exercise"] == "standing_hip_flexion"
    assert report["reps"] == truth["reps"]
    assert "recognised: standing_hip_flexion" in run.stdout


def test_auto_is_only_for_the_commands_that_recognise():
    run = subprocess.run(
        [sys.executable, "-m", "app", "bench", "--exercise", "auto"], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 2 and "unknown exercise 'auto'" in run.stderr


def _later(frames, offset_s: float):
    return [dataclasses.replace(f, timestamp_ms=f.timestamp_ms + 1000.0 * offset_s) for f in frames]


def test_a_routine_in_one_recording_is_split_into_segments():
    # Five squats, then (after the first set's last second) six standing hip flexions: two segments,
    # each with its own count, meeting between the sets; the top-level count is their sum.
    first = Scenario("squat", reps=5, noise_px=2.0, seed=1)
    second = Scenario("standing_hip_flexion", reps=6, idle_s=1.0, noise_px=2.0, seed=2)
    a = generate(first)
    switch = a[-1].timestamp_s + 1 / first.fps
    frames = a + _later(generate(second), switch)
    rec = recognise(frames)
    segments = split(rec, 0.0, frames[-1].timestamp_s)
    assert [(s.exercise, s.reps) for s in segments] == [("squat", 5), ("standing_hip_flexion", 6)]
    assert abs(segments[0].end_s - switch) < 2.0  # the boundary within 2 s of the real change
    assert segments[1].reps_by_side == {"left": 3, "right": 3}

    report = recognised_report(rec, ClipFacts("x.mp4", "full", frames[-1].timestamp_s, len(frames), len(frames)))
    data = report.to_json()
    assert data["reps"] == 11 and [r["index"] for r in data["reps_detail"]] == list(range(1, 12))
    assert [s["exercise"] for s in data["segments"]] == ["squat", "standing_hip_flexion"]
    assert all(f["rep"] in range(1, 12) for f in data["faults"])


def test_one_exercise_is_one_segment_over_the_whole_recording():
    sc = Scenario("glute_bridge", reps=3, noise_px=2.0)
    frames = generate(sc)
    rec = recognise(frames)
    report = recognised_report(rec, ClipFacts("x.mp4", "full", sc.duration_s, len(frames), len(frames)))
    assert report.exercise == "glute_bridge" and report.reps == 3
    assert report.exercise_confidence == 1.0
    assert [(s["exercise"], s["reps"], s["start_s"]) for s in report.segments] == [("glute_bridge", 3, 0.0)]


def _rep(index, start, end, side=None):
    return RepRecord(index, side, start, end, None, None, [])


def test_a_rep_holding_another_exercises_set_is_the_way_down_and_up_not_a_rep():
    # A "squat" from 48 to 64 s around three leg slides out on the floor (getting down, then up again).
    around = _rep(1, 48.0, 64.0)
    slides = [_rep(1, 54.0, 55.8, "left"), _rep(2, 57.2, 59.2, "right"), _rep(3, 60.4, 62.5, "left")]
    assert _holds_another_set(around, "squat", {"squat": [around], "hip_abduction": slides})
    # One rep of another exercise inside it is not a set: a squat with a knee lift in it stays a squat.
    assert not _holds_another_set(around, "squat", {"squat": [around], "hip_abduction": slides[:1]})
    # Its own exercise's reps never count against it.
    assert not _holds_another_set(around, "squat", {"squat": [around, *slides]})


def test_in_a_routine_an_edge_rep_that_does_not_fit_is_getting_into_position():
    # Five squats, six standing hip flexions, then one more squat (the person getting on with the day):
    # the flexion checker counts that squat too, but it does not fit a flexion (the hips go down) and
    # comes after the set's last flexion, so it is a movement between exercises, not a seventh flexion.
    squats = Scenario("squat", reps=5, noise_px=2.0, seed=1)
    flexions = Scenario("standing_hip_flexion", reps=6, idle_s=1.0, noise_px=2.0, seed=2)
    one_more = Scenario("squat", reps=1, idle_s=1.0, noise_px=2.0, seed=3)
    frames = generate(squats)
    for scenario in (flexions, one_more):
        frames = frames + _later(generate(scenario), frames[-1].timestamp_s + 1 / squats.fps)
    rec = recognise(frames)
    segments = split(rec, 0.0, frames[-1].timestamp_s)
    assert [(s.exercise, s.reps) for s in segments] == [("squat", 5), ("standing_hip_flexion", 6)]
    between = [p for p in segments[1].partial_reps if p.reason == BETWEEN_EXERCISES]
    assert len(between) == 1 and between[0].start_s > segments[1].reps_detail[-1].end_s
