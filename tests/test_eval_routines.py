"""Routine scoring (app.evaluation.routines) against a hand-written routine truth and fake analyser
reports: which exercise each part was taken for, where the parts meet, what was counted in each."""

from __future__ import annotations

import json
from pathlib import Path

from app.clip_report import ClipReport
from app.evaluation import evaluate_manifest
from app.evaluation.manifest import ClipTruth, load_manifest
from app.evaluation.routines import RoutineTruth, format_routines, score_routine, summarize_routines
from app.evaluation.scoring import evaluate, summarize
from exercises.events import RepRecord


def truth_rep(index, start, peak, end, side=None):
    return {"index": index, "side": side, "start_s": start, "peak_s": peak, "end_s": end, "hold_s": None}


# Squats from 2 to 14 s, getting down onto the mat, three bridges from 24 to 40 s, then two leg raises a side.
PARTS = (
    {
        "exercise": "squat",
        "start_s": 0.0,
        "end_s": 16.0,
        "reps_start_s": 2.0,
        "reps_end_s": 14.0,
        "reps": 3,
        "reps_by_side": None,
        "reps_detail": [truth_rep(1, 2, 3.5, 5), truth_rep(2, 6, 7.5, 9), truth_rep(3, 11, 12.5, 14)],
    },
    {
        "exercise": "glute_bridge",
        "start_s": 16.0,
        "end_s": 44.0,
        "reps_start_s": 24.0,
        "reps_end_s": 40.0,
        "reps": 3,
        "reps_by_side": None,
        "reps_detail": [truth_rep(1, 24, 26, 29), truth_rep(2, 30, 32, 35), truth_rep(3, 36, 38, 40)],
    },
    {
        "exercise": "straight_leg_raise",
        "start_s": 44.0,
        "end_s": 60.0,
        "reps_start_s": 46.0,
        "reps_end_s": 58.0,
        "reps": 2,
        "reps_by_side": {"left": 1, "right": 1},
        "reps_detail": [truth_rep(1, 46, 48, 50, "left"), truth_rep(2, 54, 56, 58, "right")],
    },
)
BOUNDARIES = (19.0, 43.0)  # half-way between one part's last rep and the next part's first
ROUTINE = RoutineTruth("routine", Path("routine.mp4"), PARTS, BOUNDARIES)


def counted(index, start, end, side=None):
    return RepRecord(index, side, start, end, None, None, [])


def report(segments, reps):
    """A recognised report: its segments [(exercise, start, end)] and the reps counted through them."""
    return ClipReport(
        video="routine.mp4",
        exercise=segments[0][0],
        model="full",
        duration_s=60.0,
        frames=1800,
        frames_with_pose=1800,
        reps=len(reps),
        reps_by_side=None,
        reps_detail=tuple(reps),
        faults=(),
        status=(),
        exercise_confidence=0.9,
        segments=tuple({"exercise": ex, "start_s": s, "end_s": e} for ex, s, e in segments),
    )


GOOD_REPS = [
    counted(1, 2.1, 5.0),
    counted(2, 6.0, 9.1),
    counted(3, 11.0, 14.0),
    counted(4, 24.2, 29.0),
    counted(5, 30.0, 35.0),
    counted(6, 36.0, 40.0),
    counted(7, 46.0, 50.0, "left"),
    counted(8, 54.0, 58.0, "right"),
]


def test_a_routine_split_and_counted_right_scores_full_marks():
    got = report([("squat", 0, 19.5), ("glute_bridge", 19.5, 42.0), ("straight_leg_raise", 42.0, 60)], GOOD_REPS)
    result = score_routine(ROUTINE, got)
    assert [p.recognised for p in result.parts] == [True, True, True]
    assert [p.got_reps for p in result.parts] == [3, 3, 2]
    assert result.parts[2].side_exact is True
    assert result.boundary_errors_s == [0.5, 1.0]
    assert result.extra_segments == 0
    overall = summarize_routines([result])["overall"]
    assert overall["segment_accuracy"] == 1.0 and overall["segment_exact_count_rate"] == 1.0
    assert overall["boundary_error_max_s"] == 1.0 and overall["missed_boundaries"] == 0
    assert overall["segment_rep_timing_rate"] == 1.0


def test_a_part_taken_for_another_exercise_a_missed_boundary_and_a_miscount_show():
    # The bridges taken for leg slides, no boundary reported before the leg raises, one bridge not counted.
    reps = [*GOOD_REPS[:4], GOOD_REPS[5], *GOOD_REPS[6:]]
    got = report([("squat", 0, 25.0), ("leg_slide", 25.0, 60.0)], reps)
    result = score_routine(ROUTINE, got)
    assert [p.got_exercise for p in result.parts] == ["squat", "leg_slide", "leg_slide"]
    assert result.boundary_errors_s == [6.0, 18.0]  # the nearest reported boundary to each true one
    assert [p.got_reps for p in result.parts] == [3, 2, 2]
    summary = summarize_routines([result])
    assert summary["overall"]["segment_accuracy"] == 1 / 3
    assert summary["per_exercise"]["glute_bridge"]["taken_for"] == {"leg_slide": 1}
    assert summary["overall"]["segment_rep_timing_rate"] == 7 / 8
    text = format_routines(summary)
    assert "glute_bridge as leg_slide 2/3" in text and "33%" in text


def test_no_segments_reported_is_one_segment_and_the_boundaries_are_missed():
    got = report([("squat", 0, 60)], GOOD_REPS)
    got = ClipReport(**{**got.__dict__, "segments": None})
    result = score_routine(ROUTINE, got)
    assert result.boundary_errors_s == [None, None]
    assert summarize_routines([result])["overall"]["missed_boundaries"] == 2


def test_the_manifest_gates_routines_and_names_what_failed(tmp_path):
    truth = {"schema": 1, "kind": "routine", "segments": list(PARTS), "boundaries_s": list(BOUNDARIES)}
    (tmp_path / "routine.json").write_text(json.dumps(truth))
    (tmp_path / "routine.mp4").write_bytes(b"")
    manifest = {
        "clips": [],
        "routines": [{"name": "routine", "video": "routine.mp4", "truth": "routine.json"}],
        "routine_thresholds": {"boundary_error_max_s": 0.75},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    loaded = load_manifest(tmp_path / "manifest.json")
    asked = []

    def fake(video, exercise):
        asked.append(exercise)
        return report([("squat", 0, 19.5), ("glute_bridge", 19.5, 42.0), ("straight_leg_raise", 42.0, 60)], GOOD_REPS)

    result = evaluate_manifest(loaded, fake)
    assert asked == ["auto"]  # a routine is always analysed with the exercise recognised
    assert result["failures"] == ["routines: boundary_error_max_s = 1.000, expected at most 0.75"]
    assert result["routine_thresholds"]["segment_accuracy"] == 0.95  # the default, kept


def test_recognising_single_clips_scores_what_each_was_taken_for():
    clips = [
        ClipTruth("sq", Path("sq.mp4"), "squat", 1, reps_detail=(truth_rep(1, 1, 2, 3),)),
        ClipTruth("br", Path("br.mp4"), "glute_bridge", 1, reps_detail=(truth_rep(1, 1, 2, 3),)),
        ClipTruth("gs", Path("gs.mp4"), "glute_squeeze", 0),
    ]
    asked = []

    def fake(video, exercise):
        asked.append(exercise)
        taken = "squat" if exercise == "auto" else exercise
        return report([(taken, 0, 60)], [counted(1, 1, 3)])

    summary = summarize(evaluate(clips, fake, recognise=True))
    assert asked == ["auto", "auto", "glute_squeeze"]  # the guided squeeze cannot be seen: named, as ever
    assert [c["recognised_as"] for c in summary["clips"]] == ["squat", "squat", None]
    assert summary["overall"]["recognition_rate"] == 0.5
    assert summary["per_exercise"]["glute_bridge"]["recognition_rate"] == 0.0


def test_eval_with_jobs_scores_each_clip_and_a_broken_one_is_its_own_error(tmp_path):
    import shutil
    import subprocess
    import sys

    from tests.conftest import SAMPLE_VIDEOS, sample_truth

    truth = sample_truth("squat_side_fast")
    shutil.copy(truth["path"], tmp_path / "good.mp4")
    (tmp_path / "good.json").write_text((SAMPLE_VIDEOS / "squat_side_fast.json").read_text())
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all")
    manifest = {
        "clips": [
            {"name": "good", "video": "good.mp4", "truth": "good.json"},
            {"name": "broken", "video": "broken.mp4", "exercise": "squat", "reps": 3},
        ]
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "eval.json"
    cmd = [sys.executable, "-m", "app", "eval", str(tmp_path / "manifest.json"), "--model", "lite"]
    result = subprocess.run([*cmd, "--jobs", "2", "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr[-2000:]  # the broken clip fails the gate
    clips = {c["name"]: c for c in json.loads(out.read_text())["summary"]["clips"]}
    assert clips["good"]["got_reps"] == truth["reps"] and clips["good"]["error"] is None
    assert clips["broken"]["got_reps"] is None and clips["broken"]["error"]
