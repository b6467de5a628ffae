"""app.evaluation against hand-written truth and fake analyser outputs (no video, no MediaPipe)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.evaluation import (ClipTruth, check_thresholds, evaluate, evaluate_manifest, format_report,
                            format_table, load_manifest, match_reps, score_clip, summarize)


def rep(index, start, end, side=None, hold=None, faults=()):
    return {"index": index, "side": side, "start_s": start, "end_s": end, "hold_s": hold, "faults": list(faults)}


BRIDGE = ClipTruth(
    "bridge", Path("bridge.mp4"), "glute_bridge", 3, None,
    (rep(1, 2.0, 10.0, hold=5.0), rep(2, 12.0, 20.0, hold=2.0, faults=["hold_short"]), rep(3, 22.0, 30.0, hold=5.0)),
    ({"code": "hold_short", "rep": 2, "t_s": 13.5},))
SLR = ClipTruth(
    "slr", Path("slr.mp4"), "straight_leg_raise", 4, {"left": 2, "right": 2},
    (rep(1, 2, 9, "left", 5.0, ["knee_bent"]), rep(2, 10, 17, "right", 5.0), rep(3, 18, 25, "left", 5.0),
     rep(4, 26, 33, "right", 5.0)),
    ({"code": "knee_bent", "rep": 1, "t_s": 3.3},))


def analysis(reps, by_side=None, faults=()):
    return {"schema": 1, "reps": len(reps), "reps_by_side": by_side, "reps_detail": reps, "faults": list(faults)}


PERFECT_BRIDGE = analysis([rep(1, 2.2, 9.8, hold=5.1), rep(2, 12.1, 19.7, hold=2.2, faults=["hold_short"]),
                           rep(3, 22.3, 29.5, hold=4.8)],
                          faults=[{"code": "hold_short", "rep": 2, "t_s": 16.0, "cue": "Hold longer"}])


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
    a = analysis(PERFECT_BRIDGE["reps_detail"], faults=[{"code": "hold_short", "rep": 3, "t_s": 27.0}])
    a["reps_detail"] = [dict(r, faults=[]) for r in a["reps_detail"]]
    r = score_clip(BRIDGE, a)
    assert (r.fault_tp, r.fault_fp, r.fault_fn) == (0, 1, 1)


def test_fault_with_other_code_does_not_match():
    a = dict(PERFECT_BRIDGE, faults=[{"code": "hips_low", "rep": 2, "t_s": 16.0}])
    a["reps_detail"] = [dict(r, faults=[]) for r in a["reps_detail"]]
    r = score_clip(BRIDGE, a)
    assert (r.fault_tp, r.fault_fp, r.fault_fn) == (0, 1, 1)


def test_faults_listed_twice_count_once():
    a = dict(PERFECT_BRIDGE)   # hold_short is both in faults and in reps_detail[1].faults
    r = score_clip(BRIDGE, a)
    assert (r.fault_tp, r.fault_fp) == (1, 0)


def test_missing_hold_counts_the_whole_hold_as_error():
    a = analysis([dict(r, hold_s=None) for r in PERFECT_BRIDGE["reps_detail"]])
    r = score_clip(BRIDGE, a)
    assert max(r.hold_errors_s) == pytest.approx(5.0)


def test_per_side_counts():
    detail = [rep(i + 1, s, e, side) for i, (s, e, side) in
              enumerate([(2, 9, "left"), (10, 17, "right"), (18, 25, "left"), (26, 33, "right")])]
    ok = score_clip(SLR, analysis(detail, {"left": 2, "right": 2}))
    swapped = score_clip(SLR, analysis(detail, {"left": 3, "right": 1}))
    assert ok.side_exact is True and swapped.side_exact is False
    m = summarize([ok, swapped])["overall"]
    assert m["per_side_exact_rate"] == 0.5 and m["exact_count_rate"] == 1.0


def test_match_reps_takes_the_largest_overlap_once():
    truth = [rep(1, 0, 4), rep(2, 5, 9)]
    pred = [rep(1, 0.5, 5.5), rep(2, 5.8, 9)]
    pairs = match_reps(truth, pred)
    assert [(t["index"], p["index"]) for t, p in pairs] == [(1, 1), (2, 2)]


def test_analyser_errors_are_recorded_and_fail_the_gate():
    def broken(video, exercise):
        raise RuntimeError("cannot decode")
    results = evaluate([BRIDGE], broken)
    assert results[0].error and results[0].got_reps is None
    summary = summarize(results)
    assert check_thresholds(summary, {"exact_count_rate": 0.95})


def test_thresholds_report_each_miss():
    results = [score_clip(BRIDGE, PERFECT_BRIDGE),
               score_clip(SLR, analysis([rep(1, 2, 9, "left", 3.0)], {"left": 1, "right": 0},
                                        faults=[{"code": "knee_bent", "rep": 1, "t_s": 4.0}]))]
    summary = summarize(results)
    fails = check_thresholds(summary, {"exact_count_rate": 0.95, "within_one_rate": 1.0,
                                       "hold_error_max_s": 0.5, "fault_precision": 0.9, "fault_recall": 0.8,
                                       "per_side_exact_rate": 0.9})
    text = "\n".join(fails)
    assert "exact_count_rate" in text and "within_one_rate" in text and "hold_error_max_s" in text
    assert "per_side_exact_rate" in text and "fault_precision" not in text and "fault_recall" not in text
    table = format_table(summary)
    assert "glute_bridge" in table and "straight_leg_raise" in table and "overall" in table
    assert "reps 1 vs 4" in table


def test_manifest_round_trip(tmp_path):
    truth = {"exercise": "glute_bridge", "reps": 3, "reps_by_side": None,
             "reps_detail": [dict(r) for r in BRIDGE.reps_detail], "faults": list(BRIDGE.faults)}
    (tmp_path / "bridge.json").write_text(json.dumps(truth))
    real = tmp_path / "real"
    real.mkdir()
    (real / "clips.json").write_text(json.dumps([{"file": "r.mp4", "exercise": "squat", "reps": 5},
                                                 {"file": "x.mp4", "exercise": "squat"}]))
    (tmp_path / "manifest.json").write_text(json.dumps({
        "thresholds": {"exact_count_rate": 0.95},
        "clips": [{"name": "bridge", "video": "bridge.mp4", "truth": "bridge.json"}],
        "report_only": [{"name": "real", "clips_json": "real/clips.json"},
                        {"name": "absent", "clips_json": "nowhere/clips.json"}]}))
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
