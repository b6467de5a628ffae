"""Routine clips (tools/render/routine): several exercises in one clip by one person in one room.

The truth's segments follow each other, hold the reps asked for, and sit where the person really
does them (checked on the posed figure, not on the truth); the person walks in and out facing the
way they walk and gets down or up once per floor part; the committed routines agree with the
manifest and with their command lines. Nothing is rendered here (a routine takes minutes): the
builder poses the figure without drawing it.
"""

from __future__ import annotations

import json
import shlex

import cv2
import numpy as np
import pytest

from tools.render.motions import MOTIONS
from tools.render.rig import true_angles
from tools.render.routine import build_parser, parse_part, request_from_args
from tools.render.routine_builder import RoutineBuilder
from tools.render.routine_truth import routine_truth
from tools.render.samples import OUT_DIR, ROUTINES

MANIFEST = json.loads((OUT_DIR / "manifest.json").read_text())

# Standing -> lying on the back (gets down), on the back again (stays down), rolls onto the stomach.
STAY = "--part squat:2 --part glute_bridge:1 --part bridge_march:2 --part prone_hip_extension:2 --seed 3 --fps 10"
# Walks out and back in between the parts; the lying one faces the camera with the feet.
WALK = "--transitions walk --part standing_hip_flexion:3 --part hip_abduction:2 --look random --seed 4 --fps 10"
KINDS = {STAY: ["stand", "floor", "roll"], WALK: ["outside"]}
RENDER_ONLY = ("video", "codec", "nobody_in_picture_s", "frames_detail", "landmark_names")


def _builder(args: str) -> RoutineBuilder:
    return RoutineBuilder(request_from_args(build_parser().parse_args(["unused.mp4", *shlex.split(args)])))


@pytest.fixture(scope="module", params=[STAY, WALK], ids=["stay", "walk"])
def routine(request):
    builder = _builder(request.param)
    return request.param, builder, routine_truth(builder)


def _mid_hip_y(builder: RoutineBuilder, t: float) -> float:
    lm = builder.pose_at(t)[2]
    return float((lm["left_hip"][1] + lm["right_hip"][1]) / 2)


def test_segments_follow_each_other_and_hold_the_reps_asked_for(routine):
    args, builder, truth = routine
    asked = [parse_part(p) for p in build_parser().parse_args(["unused.mp4", *shlex.split(args)]).part]
    segs = truth["segments"]
    assert [s["exercise"] for s in segs] == [a["exercise"] for a in asked]
    assert [s["reps"] for s in segs] == [a["reps"] for a in asked] == [len(s["reps_detail"]) for s in segs]
    assert truth["reps"] == sum(a["reps"] for a in asked)
    assert segs[0]["start_s"] == 0.0 and segs[-1]["end_s"] == truth["duration_s"]
    assert all(a["end_s"] == b["start_s"] for a, b in zip(segs, segs[1:]))
    for s in segs:
        reps = s["reps_detail"]
        assert s["reps_start_s"] == reps[0]["start_s"] and s["reps_end_s"] == reps[-1]["end_s"]
        assert s["start_s"] < s["reps_start_s"] < s["reps_end_s"] < s["end_s"]
        assert [r["index"] for r in reps] == list(range(1, len(reps) + 1))
        assert all(r["start_s"] < r["peak_s"] < r["end_s"] for r in reps)
        assert all(a["end_s"] <= b["start_s"] for a, b in zip(reps, reps[1:]))
        if MOTIONS[s["exercise"]].unilateral:
            assert s["reps_by_side"] == {side: sum(r["side"] == side for r in reps) for side in ("left", "right")}
        else:
            assert s["reps_by_side"] is None
        assert s["view"] in MOTIONS[s["exercise"]].views
    assert len(truth["boundaries_s"]) == len(segs) - 1
    for b, (x, y) in zip(truth["boundaries_s"], zip(segs, segs[1:])):
        assert b == pytest.approx((x["reps_end_s"] + y["reps_start_s"]) / 2, abs=1e-3)
        assert x["reps_end_s"] < b < y["reps_start_s"]
    assert truth["transitions"] == KINDS[args]


def test_every_frame_belongs_to_one_part(routine):
    _, builder, truth = routine
    segs = truth["segments"]
    assert truth["frames"] == round(truth["duration_s"] * truth["fps"])
    for i in range(truth["frames"]):
        t = i / truth["fps"]
        owners = [k for k, s in enumerate(segs) if s["start_s"] <= t < s["end_s"]]
        assert owners == [builder.part_at(t)], f"frame {i} ({t:.2f} s) is in parts {owners}"


def _moved(exercise: str, side: str | None, rest: dict, peak: dict) -> bool:
    """Does the body at ``peak`` show the exercise's movement against ``rest`` (3D landmarks, m)?"""
    y = lambda lm, name: float(lm[name][1])  # noqa: E731
    hips = lambda lm: (y(lm, "left_hip") + y(lm, "right_hip")) / 2  # noqa: E731
    if exercise == "squat":
        return hips(peak) < hips(rest) - 0.2
    if exercise == "glute_bridge":
        return hips(peak) > hips(rest) + 0.1
    if exercise == "hip_abduction":
        return true_angles(peak)[f"hip_abduction_{side}"] > true_angles(rest)[f"hip_abduction_{side}"] + 20
    joint = f"{side}_ankle" if exercise == "bridge_march" else f"{side}_knee"
    return y(peak, joint) > y(rest, joint) + 0.05


def test_each_rep_is_where_the_truth_says(routine):
    _, builder, truth = routine
    for s in truth["segments"]:
        for r in s["reps_detail"]:
            rest, peak = builder.pose_at(r["start_s"])[2], builder.pose_at(r["peak_s"])[2]
            assert _moved(s["exercise"], r["side"], rest, peak), f"{s['exercise']} rep {r['index']} at {r['peak_s']}"


def _in_picture(builder: RoutineBuilder, t: float) -> bool:
    lm = builder.pose_at(t)[2]
    px = builder.camera.project(np.array(list(lm.values())))
    w, h = builder.req.width, builder.req.height
    return bool(((px[:, 0] >= 0) & (px[:, 0] < w) & (px[:, 1] >= 0) & (px[:, 1] < h)).any())


def test_the_person_walks_in_and_out_of_the_picture_facing_the_way_they_walk(routine):
    args, builder, truth = routine
    last = (truth["frames"] - 1) / truth["fps"]
    assert not _in_picture(builder, 0.0) and not _in_picture(builder, last)
    if args == WALK:  # nobody in the picture between the parts
        x, y = truth["segments"]
        between = np.arange(x["reps_end_s"], y["reps_start_s"], 0.1)
        assert not all(_in_picture(builder, float(t)) for t in between)
    for k, part in enumerate(builder.parts):
        for t0, move in filter(None, (part.walk_in, part.walk_out)):
            start = builder.starts_s[k] + t0
            for t in np.arange(start + 0.2, start + move.walk.duration_s - 0.2, 0.25):
                lm = builder.pose_at(float(t))[2]
                # Toes ahead of the heels along the way walked: no moonwalking.
                for side in ("left", "right"):
                    assert (lm[f"{side}_foot_index"][0] - lm[f"{side}_heel"][0]) * move.direction > 0
                later = builder.pose_at(float(t) + 0.1)[2]
                assert (later["left_hip"][0] - lm["left_hip"][0]) * move.direction > 0


def test_getting_down_and_up_happen_once_per_floor_part(routine):
    """Between the reps the hips go down once (or up once): no dip that a counter could take for a rep
    (a few cm of give, sitting on the floor before lying back, is not one)."""
    _, builder, truth = routine
    for k, s in enumerate(truth["segments"]):
        if MOTIONS[s["exercise"]].constant:  # the march's bridge rises before its steps: part of the exercise
            continue
        before = [_mid_hip_y(builder, float(t)) for t in np.arange(s["start_s"], s["reps_start_s"], 0.1)]
        after = [_mid_hip_y(builder, float(t)) for t in np.arange(s["reps_end_s"], s["end_s"], 0.1)]
        if MOTIONS[s["exercise"]].position == "standing":
            assert max(before) - min(before) < 0.06 and max(after) - min(after) < 0.06
            continue
        part = builder.parts[k]  # rolling over lifts the hips by half their width: not getting down
        if part.arrival.kind in ("outside", "stand"):
            lowest = np.minimum.accumulate(before)
            assert max(np.array(before) - lowest) < 0.1, f"{s['exercise']}: the hips rise again while getting down"
        if part.leaving.kind in ("outside", "stand"):
            highest = np.maximum.accumulate(after)
            assert max(highest - np.array(after)) < 0.1, f"{s['exercise']}: the hips sink again while getting up"


@pytest.mark.parametrize(
    "part, message",
    [
        ("lunge:3", "unknown exercise"),
        ("squat:x", "whole number"),
        ("squat:3,speed=2", "unknown key"),
        ("squat:3,fault=limp:2", "unknown fault"),
    ],
)
def test_a_bad_part_says_what_was_expected(part, message):
    with pytest.raises(ValueError, match=message):
        parse_part(part)


def test_a_view_a_fixed_camera_cannot_give_is_refused():
    with pytest.raises(ValueError, match="in a routine"):
        _builder("--part hip_abduction:2,view=above")


def test_committed_routines_agree_with_the_manifest_and_their_command_lines():
    entries = MANIFEST["routines"]
    assert [e["name"] for e in entries] == list(ROUTINES)
    covered = set()
    for e in entries:
        truth = json.loads((OUT_DIR / e["truth"]).read_text())
        assert truth["kind"] == "routine" and e["generator_args"] == ROUTINES[e["name"]]
        assert e["exercises"] == [s["exercise"] for s in truth["segments"]]
        assert e["reps"] == [s["reps"] for s in truth["segments"]]
        assert 3 <= len(e["exercises"]) <= 5 and all(3 <= n <= 4 for n in e["reps"])
        assert "glute_squeeze" not in e["exercises"]
        assert truth["duration_s"] <= 76.0 and (truth["width"], truth["height"], truth["fps"]) == (480, 360, 30.0)
        rebuilt = json.loads(json.dumps(routine_truth(_builder(e["generator_args"]))))
        assert {k: v for k, v in truth.items() if k not in RENDER_ONLY} == rebuilt
        empty = truth["nobody_in_picture_s"]
        assert empty[0][0] == 0.0 and empty[-1][1] == truth["duration_s"]
        cap = cv2.VideoCapture(str(OUT_DIR / e["video"]))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == truth["frames"]
        covered |= set(e["exercises"])
    assert len(covered) >= 7, f"the routines cover only {sorted(covered)}"
