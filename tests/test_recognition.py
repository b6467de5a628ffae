"""``--exercise auto``: the exercise is recognised from the movement, its reps counted from the first frame.

Expected exercises and counts come from how the synthetic sessions and the generated clips were made.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from exercises.recognition import Recogniser, candidates
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
