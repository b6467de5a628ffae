"""The committed sample_videos/ set agrees with its generator table and its manifest."""

from __future__ import annotations

import dataclasses
import json
import shlex

import cv2
import pytest

from tools.render.__main__ import build_parser, request_from_args
from tools.render.motions import MOTIONS
from tools.render.samples import ALL_ARGS, CLIPS, HARD_CASES, OUT_DIR, THRESHOLDS
from tools.render.truth import NEW_REQUEST_DEFAULTS

MANIFEST = json.loads((OUT_DIR / "manifest.json").read_text())
BY_NAME = {c["name"]: c for c in MANIFEST["clips"]}


def test_manifest_lists_every_clip_of_the_table_with_the_gates():
    assert sorted(c["name"] for c in MANIFEST["clips"]) == sorted({**CLIPS, **HARD_CASES})
    assert MANIFEST["thresholds"] == THRESHOLDS
    assert {c["exercise"] for c in MANIFEST["clips"]} == set(MOTIONS)


def test_hard_cases_are_gated_and_say_which_case_they_are():
    hard = [c for c in MANIFEST["clips"] if "case" in c]
    assert [c["name"] for c in hard] == list(HARD_CASES)
    assert all(c["case"] == HARD_CASES[c["name"]][0] for c in hard)
    from app.evaluation import load_manifest

    assert sorted(c.name for c in load_manifest(OUT_DIR / "manifest.json").clips) == sorted(ALL_ARGS)


def _truth(name: str) -> dict:
    return json.loads((OUT_DIR / f"{name}.json").read_text())


def test_hard_case_truths_say_what_is_hard():
    cont = _truth("squat_side_continuous")
    assert cont["reps_detail"][0]["start_s"] == 0.0 and cont["setup_end_s"] == 0.0
    reps = cont["reps_detail"]
    assert all(abs(a["end_s"] - b["start_s"]) < 1e-3 for a, b in zip(reps, reps[1:]))
    mid = _truth("squat_side_midrep")
    assert mid["starts_mid_rep"] is True and mid["reps_detail"][0]["start_s"] == 0.0
    assert mid["frames_detail"][0]["angles_deg"]["knee_left"] < 110  # at the bottom at frame 0
    cut = _truth("squat_side_cut")
    assert cut["cuts_s"] and cut["reps"] == cut["request"]["reps"] - 2
    assert all(r["end_s"] < cut["cuts_s"][0] or r["start_s"] >= cut["cuts_s"][0] for r in cut["reps_detail"])
    by = _truth("squat_side_bystander")
    assert sum(f["bystander_bbox_px"] is not None for f in by["frames_detail"]) > 60
    jump = _truth("squat_side_jump")
    nose_y = [f["landmarks_px"][0][1] for f in jump["frames_detail"]]
    assert sum(y < 0 for y in nose_y) >= jump["reps"]  # the head leaves the picture at each jump
    tempo = _truth("standing_hip_flexion_tempo")["reps_detail"]
    assert tempo[-1]["end_s"] - tempo[-1]["start_s"] < 0.8 * (tempo[0]["end_s"] - tempo[0]["start_s"])


def test_set_stays_small():
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir())
    assert total < 30e6, f"sample_videos/ is {total / 1e6:.1f} MB"


@pytest.mark.parametrize("name", sorted(ALL_ARGS))
def test_clip_truth_matches_its_command_line(name):
    entry = BY_NAME[name]
    truth = json.loads((OUT_DIR / entry["truth"]).read_text())
    args = shlex.split(ALL_ARGS[name])
    req = request_from_args(build_parser().parse_args([args[0], "unused.mp4", *args[1:]]))
    expected = dataclasses.asdict(req)
    expected["faults"] = {k: list(v) for k, v in req.faults.items()}
    # Issue-15 options are written only when set (the older truth files predate them).
    assert {**NEW_REQUEST_DEFAULTS, **truth["request"]} == json.loads(json.dumps(expected))
    dropped = 2 if req.cut_rep else 0  # a hard cut splits two reps; neither counts
    assert truth["reps"] == entry["reps"] == req.reps - dropped == len(truth["reps_detail"])
    assert 6.0 <= truth["duration_s"] <= 15.0 or name in CLIPS
    assert sorted({f["code"] for f in truth["faults"]}) == entry["faults"] == sorted(req.faults)
    assert len(truth["frames_detail"]) == truth["frames"]
    cap = cv2.VideoCapture(str(OUT_DIR / entry["video"]))
    assert cap.isOpened()
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == truth["frames"]
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (
        truth["width"],
        truth["height"],
    )
