"""The committed sample_videos/ set agrees with its generator table and its manifest."""

from __future__ import annotations

import dataclasses
import json
import shlex
from pathlib import Path

import cv2
import pytest

from tools.render.__main__ import build_parser, request_from_args
from tools.render.motions import MOTIONS
from tools.render.samples import CLIPS, OUT_DIR, THRESHOLDS

MANIFEST = json.loads((OUT_DIR / "manifest.json").read_text())
BY_NAME = {c["name"]: c for c in MANIFEST["clips"]}


def test_manifest_lists_every_clip_of_the_table_with_the_gates():
    assert sorted(BY_NAME) == sorted(CLIPS)
    assert MANIFEST["thresholds"] == THRESHOLDS
    assert {c["exercise"] for c in MANIFEST["clips"]} == set(MOTIONS)


def test_set_stays_small():
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir())
    assert total < 30e6, f"sample_videos/ is {total / 1e6:.1f} MB"


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_clip_truth_matches_its_command_line(name):
    entry = BY_NAME[name]
    truth = json.loads((OUT_DIR / entry["truth"]).read_text())
    args = shlex.split(CLIPS[name])
    req = request_from_args(build_parser().parse_args([args[0], "unused.mp4", *args[1:]]))
    expected = dataclasses.asdict(req)
    expected["faults"] = {k: list(v) for k, v in req.faults.items()}
    assert truth["request"] == json.loads(json.dumps(expected))
    assert truth["reps"] == entry["reps"] == req.reps == len(truth["reps_detail"])
    assert sorted({f["code"] for f in truth["faults"]}) == entry["faults"] == sorted(req.faults)
    assert len(truth["frames_detail"]) == truth["frames"]
    cap = cv2.VideoCapture(str(OUT_DIR / entry["video"]))
    assert cap.isOpened()
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == truth["frames"]
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == \
        (truth["width"], truth["height"])
