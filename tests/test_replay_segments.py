"""A routine reviewed by segment, Qt-free: the review's summary, its grouped rows, the reps CSV, the CLI
summary and which exercise's measure shows when, from a report built here like a truth's.

The report is a squat set (4 reps, one too shallow, one movement too small) then a standing hip flexion
set (3 reps: left, right, left; the first 1.6 s out of the picture), as ``--exercise auto`` writes it:
segments with their own counts, top-level reps numbered through the recording. Every expected word and
number below comes from these parts, not from the program.
"""

from __future__ import annotations

import csv
import dataclasses
import math

import cv2
import numpy as np
import pytest

from app import review_data
from app.clip_report import ClipReport
from app.gui.replay_summary import summary_text
from app.review_data import REP_COLUMNS, ReplayFrame, review_rows, write_reps_csv
from app.review_segments import ExerciseTrack
from app.summary import format_summary
from exercises.events import CheckerState, CheckerStep, FaultRecord, PartialRecord, RepRecord, StatusInterval
from exercises.recognition import AUTO
from exercises.segments import Segment
from exercises.vocabulary import fault_label, partial_reason, status_label, status_message
from pose.frame import PoseFrame

SQUAT_SPAN = (0.0, 21.4)
FLEXION_SPAN = (21.4, 50.2)
SQUATS = [(2.0, 4.5), (6.0, 8.6), (10.1, 12.7), (14.0, 16.6)]
FLEXIONS = [(24.0, 26.1, "left"), (28.0, 30.2, "right"), (32.0, 34.1, "left")]
SHALLOW = FaultRecord("shallow", 2, 7.0, "Go a little lower")
TOO_SMALL = PartialRecord(None, 18.0, 19.0, 150.0, "too_small")
OUT_OF_FRAME = StatusInterval("out_of_frame", 21.4, 23.0)


def squat_reps(first: int = 1) -> list[RepRecord]:
    return [
        RepRecord(first + i, None, a, b, 95.0, None, ["shallow"] if first + i == SHALLOW.rep else [])
        for i, (a, b) in enumerate(SQUATS)
    ]


def flexion_reps(first: int = 1) -> list[RepRecord]:
    return [RepRecord(first + i, side, a, b, 40.0, None, []) for i, (a, b, side) in enumerate(FLEXIONS)]


def segments() -> tuple[dict, ...]:
    squat = Segment("squat", *SQUAT_SPAN, None, tuple(squat_reps()), (SHALLOW,), (), (TOO_SMALL,))
    sides = {"left": 2, "right": 1}
    flexion = Segment("standing_hip_flexion", *FLEXION_SPAN, sides, tuple(flexion_reps()), (), (OUT_OF_FRAME,), ())
    return (squat.to_json(), flexion.to_json())


def routine_report(**changes) -> ClipReport:
    """The two sets as --exercise auto reports them (no exercise leads over the whole recording)."""
    report = ClipReport(
        video="routine.mp4",
        exercise="squat",
        model="full",
        duration_s=50.2,
        frames=1506,
        frames_with_pose=1490,
        reps=7,
        reps_by_side={"left": 2, "right": 1},
        reps_detail=tuple(squat_reps() + flexion_reps(first=5)),
        faults=(SHALLOW,),
        status=(OUT_OF_FRAME,),
        partial_reps=(TOO_SMALL,),
        exercise_confidence=0.25,
        segments=segments(),
        recognition={"exercise": None, "confidence": 0.25, "decided_at_s": None, "evidence": {"squat": 4.0}},
    )
    return dataclasses.replace(report, **changes)


def squat_only(**changes) -> ClipReport:
    """The squat set alone: one segment over the clip."""
    alone = {
        "duration_s": 21.4,
        "reps": 4,
        "reps_by_side": None,
        "reps_detail": tuple(squat_reps()),
        "status": (),
        "segments": segments()[:1],
        "recognition": {"exercise": "squat", "confidence": 1.0, "decided_at_s": 4.5, "evidence": {"squat": 3.75}},
    }
    return routine_report(**{**alone, **changes})


# ---------------------------------------------------------------------------------------------- the summary


def test_the_summary_counts_each_segment_and_the_whole():
    text = summary_text(routine_report())
    assert text.startswith(
        "Squat 0:00–0:21: 4 reps. Standing hip flexion 0:21–0:50: 3 reps (left 2, right 1). 7 repetitions in all."
    )
    assert f"1 movement did not count: {partial_reason('too_small')}." in text
    assert f"Not counting for 1.6 s: {status_message('out_of_frame')}." in text
    # Two sets, each on its own run of reps: no doubt, although neither leads over the whole recording.
    assert "not sure" not in text.lower()


def test_one_set_recognised_is_one_sentence_without_doubt():
    text = summary_text(squat_only())
    assert text.startswith("Squat 0:00–0:21: 4 reps. 1 movement did not count")
    assert "not sure" not in text.lower() and "in all" not in text


def test_an_unsure_recognition_says_so_and_what_it_counted_as():
    unsure = squat_only(recognition={"exercise": None, "confidence": 0.1, "decided_at_s": None, "evidence": {}})
    text = summary_text(unsure)
    assert "Not sure which exercise this is: counted as squat, the closest; choose the exercise to be sure." in text
    nothing = squat_only(
        segments=(), reps=0, reps_detail=(), faults=(), partial_reps=(), recognition=unsure.recognition
    )
    text = summary_text(nothing)
    assert text.startswith("Not sure which exercise this is: counted as squat") and "0 repetitions counted." in text


def test_an_exercise_chosen_by_hand_reads_as_before():
    report = squat_only(segments=None, recognition=None, exercise_confidence=None)
    assert summary_text(report).startswith(
        f"4 repetitions counted. 1 movement did not count: {partial_reason('too_small')}."
    )
    rows = review_rows(report)
    assert not [r for r in rows if "heading" in r]
    assert [r["index"] for r in rows if r["counted"]] == [1, 2, 3, 4]


# ---------------------------------------------------------------------------------------------- the rows and the CSV


def test_rows_are_grouped_under_a_heading_per_segment():
    rows = review_rows(routine_report())
    starts = [i for i, r in enumerate(rows) if "heading" in r]
    assert [rows[i]["heading"] for i in starts] == [
        "Squat 0:00–0:21: 4 reps",
        "Standing hip flexion 0:21–0:50: 3 reps (left 2, right 1)",
    ]
    assert [(rows[i]["start_s"], rows[i]["end_s"]) for i in starts] == [SQUAT_SPAN, FLEXION_SPAN]
    squat_rows, flexion_rows = rows[starts[0] + 1 : starts[1]], rows[starts[1] + 1 :]
    # Each set's reps under its heading, numbered through the recording as the JSON numbers them.
    assert [r["index"] for r in squat_rows if r["counted"]] == [1, 2, 3, 4]
    assert [r["index"] for r in flexion_rows if r["counted"]] == [5, 6, 7]
    assert [r["side"] for r in flexion_rows] == ["left", "right", "left"]
    assert [r["faults"] for r in squat_rows if r["counted"]][1] == fault_label("shallow")
    # The movement that did not count stays with its set, with its reason.
    assert [r["result"] for r in squat_rows if not r["counted"]] == [f"not counted: {partial_reason('too_small')}"]
    assert all(r["counted"] for r in flexion_rows)


def test_the_reps_csv_names_each_reps_exercise(tmp_path):
    rows = list(csv.DictReader(write_reps_csv(routine_report(), tmp_path / "reps.csv").open()))
    assert [r["index"] for r in rows] == [str(i) for i in range(1, 8)]
    assert [r["exercise"] for r in rows] == ["squat"] * 4 + ["standing_hip_flexion"] * 3
    assert [r["side"] for r in rows[4:]] == ["left", "right", "left"]
    by_hand = squat_only(segments=None, recognition=None)
    header = write_reps_csv(by_hand, tmp_path / "by_hand.csv")
    assert tuple(next(csv.reader(header.open()))) == REP_COLUMNS  # no exercise column: as before


# ---------------------------------------------------------------------------------------------- the CLI summary


def test_the_cli_summary_groups_reps_form_and_status_by_segment():
    lines = format_summary(routine_report()).splitlines()
    assert lines[0].startswith("routine.mp4: squat then standing_hip_flexion, 50.2 s")
    assert "  recognised: 2 exercises in a row, one segment each" in lines
    squat = lines.index("  squat 0.0-21.4 s: 4 repetitions")
    flexion = lines.index("  standing_hip_flexion 21.4-50.2 s: 3 repetitions  (left 2, right 1)")
    under_squat, under_flexion = lines[squat + 1 : flexion], lines[flexion + 1 :]
    assert [line.split(":")[0].split()[0] for line in under_squat if "#" in line] == ["#1", "#2", "#3", "#4"]
    assert [line.split(":")[0].strip() for line in under_flexion if "#" in line] == ["#5 left", "#6 right", "#7 left"]
    assert "    form: shallow x1" in under_squat and "    form: no faults seen" in under_flexion
    assert f"    partial repetitions (not counted): 1: {partial_reason('too_small')} x1" in under_squat
    assert f"    not counting: {status_label('out_of_frame')} 1.6 s" in under_flexion


def test_the_cli_summary_of_one_set_is_not_grouped():
    text = format_summary(squat_only())
    assert "  recognised: squat (100% ahead of the next, sure from 4.5 s)" in text
    assert "squat 0.0-21.4 s" not in text and "    #1: 2.0-4.5 s" in text


# ------------------------------------------------------------------------------------------ which measure shows when


def state(exercise: str, t_s: float, angle: float, reps: int, sides: dict | None) -> CheckerState:
    return CheckerState(
        t_s, exercise, "rest", reps, sides, None, 0.0, None, angle, angle - 10, angle + 10, (), None, ""
    )


def frames_of_the_routine() -> list[ReplayFrame]:
    """A frame every half second; each candidate's checker measures its own angle and counts its own reps.
    The hip-flexion checker also counted one stray 'rep' (left) during the squats, at 10 s."""
    jpeg = cv2.imencode(".jpg", np.zeros((48, 64, 3), np.uint8))[1]
    frames = []
    for n, t in enumerate(np.arange(0.0, 50.0, 0.5)):
        t = float(t)
        squats = sum(end <= t for _, end in SQUATS)
        lefts = (t >= 10.0) + sum(end <= t for _, end, side in FLEXIONS if side == "left")
        rights = sum(end <= t for _, end, side in FLEXIONS if side == "right")
        candidates = {
            "squat": state("squat", t, 170.0 - t, squats, None),
            "standing_hip_flexion": state(
                "standing_hip_flexion", t, 20.0 + t / 10, lefts + rights, {"left": lefts, "right": rights}
            ),
        }
        leader = candidates["squat"]  # what the recogniser showed at the time: never used once segments are known
        pose = PoseFrame.empty(t * 1000.0, (64, 48))
        frames.append(ReplayFrame(n, t, jpeg, pose, CheckerStep(leader), candidates))
    return frames


def test_each_segment_shows_its_own_exercises_measure():
    frames = frames_of_the_routine()
    track = ExerciseTrack(AUTO, routine_report(), frames)
    assert track.exercise_at(5.0) == "squat" and track.exercise_at(30.0) == "standing_hip_flexion"
    t, angle, target, _rest = track.series()
    gaps = np.flatnonzero(np.isnan(angle))
    assert len(gaps) == 1 and t[gaps[0]] == pytest.approx(21.5)  # the curve breaks where the set changes
    for time, value, line in zip(t, angle, target):
        if math.isnan(value):
            continue
        expected = 170.0 - time if time < FLEXION_SPAN[0] else 20.0 + time / 10
        assert value == pytest.approx(expected) and line == pytest.approx(expected - 10)


def test_the_overlay_names_the_segments_exercise_and_counts_its_reps_from_its_start(monkeypatch):
    frames = frames_of_the_routine()
    track = ExerciseTrack(AUTO, routine_report(), frames)
    shown: list[list[str]] = []
    draw = review_data.draw_panel
    monkeypatch.setattr(
        review_data, "draw_panel", lambda image, lines, *a, **k: (shown.append(lines), draw(image, lines))[1]
    )
    track.overlay(next(f for f in frames if f.t_s == 40.0))  # after the three hip flexions
    assert shown[-1][0] == "Standing hip flexion"
    assert shown[-1][1] == "Reps 3   left 2  right 1"  # the stray count before the set is not its own
    assert shown[-1][2].startswith("Thigh forward 24 deg")
    track.overlay(next(f for f in frames if f.t_s == 13.0))
    assert shown[-1][:2] == ["Squat", "Reps 3"]
