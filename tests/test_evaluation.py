"""app.evaluation against hand-written truth and fake analyser reports (no video, no MediaPipe)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.clip_report import ClipReport
from app.evaluation import evaluate_manifest
from app.evaluation.gates import check_thresholds
from app.evaluation.manifest import ClipTruth, load_manifest
from app.evaluation.matching import match_rep_times, match_reps
from app.evaluation.scoring import evaluate, score_clip, summarize
from app.evaluation.text_report import format_report, format_table
from exercises.events import FaultRecord, RepRecord


def rep(index, start, end, side=None, hold=None, faults=()):
    """A rep as a truth file writes it."""
    return {"index": index, "side": side, "start_s": start, "end_s": end, "hold_s": hold, "faults": list(faults)}


def counted(index, start, end, side=None, hold=None, faults=()):
    """A rep as the analyser reports it."""
    return RepRecord(index, side, start, end, None, hold, list(faults))


BRIDGE = ClipTruth(
    "bridge",
    Path("bridge.mp4"),
    "glute_bridge",
    3,
    None,
    (rep(1, 2.0, 10.0, hold=5.0), rep(2, 12.0, 20.0, hold=2.0, faults=["hold_short"]), rep(3, 22.0, 30.0, hold=5.0)),
    ({"code": "hold_short", "rep": 2, "t_s": 13.5},),
)
SLR = ClipTruth(
    "slr",
    Path("slr.mp4"),
    "straight_leg_raise",
    4,
    {"left": 2, "right": 2},
    (
        rep(1, 2, 9, "left", 5.0, ["knee_bent"]),
        rep(2, 10, 17, "right", 5.0),
        rep(3, 18, 25, "left", 5.0),
        rep(4, 26, 33, "right", 5.0),
    ),
    ({"code": "knee_bent", "rep": 1, "t_s": 3.3},),
)


def analysis(reps, by_side=None, faults=()):
    """A fake analyser's report: ``reps`` (dicts as :func:`rep` writes them) counted, ``faults`` raised."""
    return ClipReport(
        video="clip.mp4",
        exercise="glute_bridge",
        model="lite",
        duration_s=40.0,
        frames=1200,
        frames_with_pose=1200,
        reps=len(reps),
        reps_by_side=by_side,
        reps_detail=tuple(
            counted(r["index"], r["start_s"], r["end_s"], r["side"], r["hold_s"], r["faults"]) for r in reps
        ),
        faults=tuple(FaultRecord(f["code"], f["rep"], f["t_s"], f.get("cue", "")) for f in faults),
        status=(),
    )


BRIDGE_COUNTED = [
    rep(1, 2.2, 9.8, hold=5.1),
    rep(2, 12.1, 19.7, hold=2.2, faults=["hold_short"]),
    rep(3, 22.3, 29.5, hold=4.8),
]
PERFECT_BRIDGE = analysis(BRIDGE_COUNTED, faults=[{"code": "hold_short", "rep": 2, "t_s": 16.0, "cue": "Hold longer"}])


def test_perfect_analysis_scores_perfectly():
    r = score_clip(BRIDGE, PERFECT_BRIDGE)
    assert (r.count_error, r.fault_tp, r.fault_fp, r.fault_fn) == (0, 1, 0, 0)
    assert max(r.hold_errors_s) == pytest.approx(0.2)
    assert r.side_exact is None


@pytest.mark.parametrize("got_reps, exact, within_one", [(3, True, True), (2, False, True), (5, False, False)])
def test_count_rates(got_reps, exact, within_one):
    detail = [rep(i + 1, 2 + 8 * i, 9 + 8 * i, hold=5.0) for i in range(got_reps)]
    m = summarize([score_clip(BRIDGE, analysis(detail))])["overall"]
    assert m["exact_count_rate"] == (1.0 if exact else 0.0)
    assert m["within_one_rate"] == (1.0 if within_one else 0.0)
    assert m["mean_abs_count_error"] == abs(got_reps - 3)


def test_fault_on_the_wrong_rep_is_both_a_false_positive_and_a_miss():
    a = analysis([dict(r, faults=[]) for r in BRIDGE_COUNTED], faults=[{"code": "hold_short", "rep": 3, "t_s": 27.0}])
    r = score_clip(BRIDGE, a)
    assert (r.fault_tp, r.fault_fp, r.fault_fn) == (0, 1, 1)


def test_fault_with_other_code_does_not_match():
    a = analysis([dict(r, faults=[]) for r in BRIDGE_COUNTED], faults=[{"code": "hips_low", "rep": 2, "t_s": 16.0}])
    r = score_clip(BRIDGE, a)
    assert (r.fault_tp, r.fault_fp, r.fault_fn) == (0, 1, 1)


def test_faults_listed_twice_count_once():
    a = PERFECT_BRIDGE  # hold_short is both in faults and in reps_detail[1].faults
    r = score_clip(BRIDGE, a)
    assert (r.fault_tp, r.fault_fp) == (1, 0)


def test_missing_hold_counts_the_whole_hold_as_error():
    a = analysis([dict(r, hold_s=None) for r in BRIDGE_COUNTED])
    r = score_clip(BRIDGE, a)
    assert max(r.hold_errors_s) == pytest.approx(5.0)


def test_per_side_counts():
    detail = [
        rep(i + 1, s, e, side)
        for i, (s, e, side) in enumerate([(2, 9, "left"), (10, 17, "right"), (18, 25, "left"), (26, 33, "right")])
    ]
    ok = score_clip(SLR, analysis(detail, {"left": 2, "right": 2}))
    swapped = score_clip(SLR, analysis(detail, {"left": 3, "right": 1}))
    assert ok.side_exact is True and swapped.side_exact is False
    m = summarize([ok, swapped])["overall"]
    assert m["per_side_exact_rate"] == 0.5 and m["exact_count_rate"] == 1.0


def test_match_reps_takes_the_largest_overlap_once():
    truth = [rep(1, 0, 4), rep(2, 5, 9)]
    pred = [counted(1, 0.5, 5.5), counted(2, 5.8, 9)]
    pairs = match_reps(truth, pred)
    assert [(t["index"], p.index) for t, p in pairs] == [(1, 1), (2, 2)]


def test_analyser_errors_are_recorded_and_fail_the_gate():
    def broken(video, exercise):
        raise RuntimeError("cannot decode")

    results = evaluate([BRIDGE], broken)
    assert results[0].error and results[0].got_reps is None
    summary = summarize(results)
    assert check_thresholds(summary, {"exact_count_rate": 0.95})


def test_thresholds_report_each_miss():
    results = [
        score_clip(BRIDGE, PERFECT_BRIDGE),
        score_clip(
            SLR,
            analysis(
                [rep(1, 2, 9, "left", 3.0)],
                {"left": 1, "right": 0},
                faults=[{"code": "knee_bent", "rep": 1, "t_s": 4.0}],
            ),
        ),
    ]
    summary = summarize(results)
    fails = check_thresholds(
        summary,
        {
            "exact_count_rate": 0.95,
            "within_one_rate": 1.0,
            "hold_error_max_s": 0.5,
            "fault_precision": 0.9,
            "fault_recall": 0.8,
            "per_side_exact_rate": 0.9,
        },
    )
    text = "\n".join(fails)
    assert "exact_count_rate" in text and "within_one_rate" in text and "hold_error_max_s" in text
    assert "per_side_exact_rate" in text and "fault_precision" not in text and "fault_recall" not in text
    table = format_table(summary)
    assert "glute_bridge" in table and "straight_leg_raise" in table and "overall" in table
    assert "reps 1 vs 4" in table


def test_manifest_round_trip(tmp_path):
    truth = {
        "exercise": "glute_bridge",
        "reps": 3,
        "reps_by_side": None,
        "reps_detail": [dict(r) for r in BRIDGE.reps_detail],
        "faults": list(BRIDGE.faults),
    }
    (tmp_path / "bridge.json").write_text(json.dumps(truth))
    real = tmp_path / "real"
    real.mkdir()
    (real / "clips.json").write_text(
        json.dumps([{"file": "r.mp4", "exercise": "squat", "reps": 5}, {"file": "x.mp4", "exercise": "squat"}])
    )
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "thresholds": {"exact_count_rate": 0.95},
                "clips": [{"name": "bridge", "video": "bridge.mp4", "truth": "bridge.json"}],
                "report_only": [
                    {"name": "real", "clips_json": "real/clips.json"},
                    {"name": "absent", "clips_json": "nowhere/clips.json"},
                ],
            }
        )
    )
    m = load_manifest(tmp_path / "manifest.json")
    assert m.clips[0].video == tmp_path / "bridge.mp4" and m.clips[0].reps == 3
    assert m.thresholds["exact_count_rate"] == 0.95 and m.thresholds["fault_recall"] == 0.8
    assert [name for name, _ in m.report_only] == ["real"] and len(m.report_only[0][1]) == 1

    def fake(video, exercise):
        return PERFECT_BRIDGE if exercise == "glute_bridge" else analysis([rep(1, 0, 1)] * 4)

    result = evaluate_manifest(m, fake)
    assert result["failures"] == []
    assert result["report_only"]["real"]["overall"]["exact_count_rate"] == 0.0
    json.dumps(result)
    assert "All thresholds met" in format_report(result)


def test_bad_manifest_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_manifest(tmp_path / "nope.json")
    (tmp_path / "m.json").write_text("[1, 2")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_manifest(tmp_path / "m.json")


# --------------------------------------------------------------------------- rep timing, ranges, guided, gates


def test_rep_times_match_one_to_one():
    reps = [counted(1, 0.5, 2.4), counted(2, 2.6, 4.5), counted(3, 5.0, 6.0)]
    t = match_rep_times(reps, [1.4, 3.5, 7.5])
    assert t.pairs == ((0, 1.4), (1, 3.5)) and t.false_reps == (2,) and t.missed_times == (7.5,)
    assert t.merged_reps == ()


def test_right_count_of_one_false_and_one_missed_rep_shows_both():
    # Two true reps at 9.7 and 13.8 s; two counted reps, one of them while standing idle at 6-7.9 s.
    t = match_rep_times([counted(1, 6.0, 7.93), counted(2, 8.93, 11.33)], [9.7, 13.8])
    assert t.matched == 1 and t.false_reps == (0,) and t.missed_times == (13.8,)


def test_rep_time_just_outside_a_rep_matches_within_the_slack_only():
    assert match_rep_times([counted(1, 1.0, 2.0)], [2.25]).matched == 1
    assert match_rep_times([counted(1, 1.0, 2.0)], [2.35]).matched == 0
    assert match_rep_times([counted(1, 1.0, 2.0)], [0.75]).matched == 1
    assert match_rep_times([counted(1, 1.0, 2.0)], [0.65]).matched == 0


def test_a_rep_holding_two_true_reps_is_merged_and_one_time_is_missed():
    t = match_rep_times([counted(1, 0.0, 4.0)], [1.0, 3.0])
    assert t.merged_reps == (0,) and t.matched == 1 and len(t.missed_times) == 1


def test_slack_never_steals_a_time_that_lies_inside_another_rep():
    # 2.1 s lies inside rep 2 and within the slack of rep 1 (listed first): rep 2 takes it, rep 1 is false.
    t = match_rep_times([counted(1, 0.5, 1.9), counted(2, 2.0, 3.5)], [2.1])
    assert t.pairs == ((1, 2.1),) and t.false_reps == (0,)


def test_one_time_serves_at_most_one_counted_rep():
    # A rep counted twice (split into two halves around one true moment): one of them is false.
    t = match_rep_times([counted(1, 1.0, 2.0), counted(2, 2.05, 3.0)], [2.02])
    assert t.matched == 1 and len(t.false_reps) == 1


def test_timing_is_scored_from_generated_peaks_and_reported():
    truth = ClipTruth(
        "b",
        Path("b.mp4"),
        "glute_bridge",
        2,
        None,
        ({**rep(1, 2, 10), "peak_s": 4.0}, {**rep(2, 12, 20), "peak_s": 13.0}),
    )
    late = score_clip(truth, analysis([rep(1, 2.5, 9.5), rep(2, 14.0, 19.0)]))  # rep 2 starts after its peak
    assert (late.count_error, late.rep_times, late.rep_times_matched) == (0, 2, 1)
    assert late.false_reps == ["14.0-19.0s"] and late.missed_rep_times == [13.0]
    summary = summarize([late])
    assert summary["overall"]["rep_timing_rate"] == 0.5 and summary["overall"]["false_reps"] == 1
    assert check_thresholds(summary, {"rep_timing_rate": 0.95}) == ["rep_timing_rate = 0.500, expected at least 0.95"]
    assert check_thresholds(summary, {"false_reps_max": 0}) == ["false_reps_max = 1, expected at most 0"]
    assert check_thresholds(summary, {"false_reps_max": 1, "rep_timing_rate": 0.5}) == []
    table = format_table(summary)
    assert "50%" in table and "false reps at 14.0-19.0s" in table and "no counted rep at 13s" in table


def test_truth_without_peaks_is_not_timed():
    r = score_clip(BRIDGE, PERFECT_BRIDGE)
    assert r.rep_times == 0 and summarize([r])["overall"]["rep_timing_rate"] is None


def test_count_inside_its_range_is_exact_and_outside_it_is_off_by_the_distance():
    clip = ClipTruth("s", Path("s.mp4"), "squat", 10, has_detail=False, reps_range=(9, 10))
    errors = [score_clip(clip, analysis([rep(i, i, i + 0.5) for i in range(n)])).count_error for n in (8, 9, 10, 12)]
    assert errors == [-1, 0, 0, 2]


def test_guided_squeeze_is_reported_apart_from_the_perceived_counts():
    squeeze = ClipTruth("sq", Path("sq.mp4"), "glute_squeeze", 4, has_detail=False)
    results = [score_clip(squeeze, analysis([rep(1, 0, 5)])), score_clip(BRIDGE, PERFECT_BRIDGE)]
    assert results[0].guided and not results[1].guided
    summary = summarize(results)
    assert summary["overall"]["clips"] == 1 and summary["overall"]["exact_count_rate"] == 1.0
    assert summary["guided"]["clips"] == 1 and summary["guided"]["exact_count_rate"] == 0.0
    assert check_thresholds(summary, {"exact_count_rate": 0.95}) == []
    # Its own gate still applies.
    assert check_thresholds(summary, {}, {"glute_squeeze": {"within_one_rate": 1.0}}) == [
        "glute_squeeze: within_one_rate = 0.000, expected at least 1.0"
    ]
    lines = format_table(summary).splitlines()
    overall = next(i for i, line in enumerate(lines) if line.startswith("overall"))
    guided = [line for line in lines if line.startswith("glute_squeeze")]
    assert len(guided) == 1 and "not in overall" in guided[0]
    assert lines.index(guided[0]) > overall and summarize([results[1]])["guided"] is None


def test_exercise_gates_catch_an_exercise_the_overall_rate_hides():
    good = [score_clip(BRIDGE, PERFECT_BRIDGE) for _ in range(19)]
    slr_bad = score_clip(SLR, analysis([rep(1, 2, 9, "left", 5.0)], {"left": 1, "right": 0}))
    summary = summarize([*good, slr_bad])
    assert check_thresholds(summary, {"exact_count_rate": 0.95}) == []
    fails = check_thresholds(summary, {"exact_count_rate": 0.95}, {"*": {"exact_count_rate": 0.9}})
    assert fails == ["straight_leg_raise: exact_count_rate = 0.000, expected at least 0.9"]
    # An exercise's own entry overrides "*".
    assert (
        check_thresholds(summary, {}, {"*": {"exact_count_rate": 0.9}, "straight_leg_raise": {"exact_count_rate": 0.0}})
        == []
    )


def test_manifest_with_ranges_times_exercise_gates_and_extra_keys(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "clips.json").write_text(
        json.dumps(
            [
                {
                    "file": "a.mp4",
                    "exercise": "squat",
                    "reps": 9,
                    "reps_range": [9, 10],
                    "rep_times_s": [1.0, 3.0],
                    "notes": "anything",
                    "tier": "A",
                },
                {"file": "b.mp4", "exercise": "squat", "reps_range": [0, 3]},
                "not a clip",
            ]
        )
    )
    (tmp_path / "m.json").write_text(
        json.dumps(
            {
                "schema": 1,
                "future_key": {"x": 1},
                "more_clips": [{"video": "zzz.mp4"}],
                "thresholds": {"rep_timing_rate": 0.8},
                "exercise_thresholds": {"*": {"within_one_rate": 1.0}, "squat": {"exact_count_rate": 1.0}},
                "clips": [
                    {
                        "name": "c",
                        "file": "c.mp4",
                        "exercise": "squat",
                        "reps": 2,
                        "rep_times_s": [1.0, 3.0],
                        "generator": "tools.render",
                        "seed": 3,
                    }
                ],
                "report_only": [{"name": "real", "clips_json": "real/clips.json", "about": "extra"}, {"name": "odd"}],
            }
        )
    )
    m = load_manifest(tmp_path / "m.json")
    assert m.clips[0].video == tmp_path / "c.mp4" and m.clips[0].true_times_s == (1.0, 3.0)
    assert m.thresholds["rep_timing_rate"] == 0.8
    assert m.exercise_thresholds == {"*": {"within_one_rate": 1.0}, "squat": {"exact_count_rate": 1.0}}
    (real_set,) = m.report_only
    a, b = real_set[1]
    assert (a.reps_range, a.rep_times_s, b.reps, b.reps_range) == ((9, 10), (1.0, 3.0), 3, (0, 3))

    def fake(video, exercise):
        return analysis([rep(1, 0.5, 1.5), rep(2, 2.5, 3.5)])

    result = evaluate_manifest(m, fake)
    assert result["failures"] == []
    assert result["summary"]["overall"]["rep_timing_rate"] == 1.0
    real_summary = result["report_only"]["real"]
    assert [c["count_error"] for c in real_summary["clips"]] == [-7, 0]
    assert real_summary["overall"]["rep_times"] == 2 and real_summary["overall"]["rep_times_matched"] == 2
    json.dumps(result)


def test_bad_exercise_thresholds_are_a_value_error(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps({"clips": [], "exercise_thresholds": {"squat": 0.9}}))
    with pytest.raises(ValueError, match="exercise_thresholds"):
        load_manifest(tmp_path / "m.json")
