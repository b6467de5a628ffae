"""``hipcoach analyze`` end to end on a generated clip: counts from the generator's truth,
the JSON shape of PRODUCT.md, the annotated video, and ``--json -`` printing only JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import pytest

from tests.conftest import sample_truth

REQUIRED = {
    "schema": int,
    "video": str,
    "exercise": str,
    "model": str,
    "duration_s": float,
    "frames": int,
    "frames_with_pose": int,
    "reps": int,
    "reps_detail": list,
    "faults": list,
    "status": list,
}
REP_FIELDS = {"index", "side", "start_s", "end_s", "peak_angle_deg", "hold_s", "faults"}


@pytest.fixture(scope="module")
def squat_run(tmp_path_factory):
    truth = sample_truth("squat_side_ok")
    out = tmp_path_factory.mktemp("analyze")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "analyze",
            truth["path"],
            "--exercise",
            "squat",
            "--model",
            "lite",
            "--json",
            str(out / "report.json"),
            "--annotate",
            str(out / "annotated.mp4"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return truth, result, json.loads((out / "report.json").read_text()), out / "annotated.mp4"


def test_report_has_the_schema_1_fields(squat_run):
    truth, _, report, _ = squat_run
    for key, kind in REQUIRED.items():
        assert isinstance(report[key], kind), key
    assert report["schema"] == 1 and report["exercise"] == "squat" and report["model"] == "lite"
    assert report["reps_by_side"] is None  # squats are bilateral
    for rep in report["reps_detail"]:
        assert REP_FIELDS <= rep.keys()
    for fault in report["faults"]:
        assert {"code", "rep", "t_s", "cue"} <= fault.keys()
    for status in report["status"]:
        assert {"code", "start_s", "end_s"} <= status.keys()
    assert report["frames"] == truth["frames"]
    assert report["duration_s"] == pytest.approx(truth["duration_s"], abs=0.1)


def test_counts_and_timing_match_the_generator(squat_run):
    truth, _, report, _ = squat_run
    assert report["reps"] == truth["reps"]
    for got, want in zip(report["reps_detail"], truth["reps_detail"]):
        # A counted rep overlaps the true one in time.
        assert got["start_s"] < want["end_s"] and want["start_s"] < got["end_s"]


def test_summary_is_printed_for_people(squat_run):
    truth, result, _, _ = squat_run
    assert f"repetitions: {truth['reps']}" in result.stdout


def test_annotated_video_has_every_frame(squat_run):
    truth, _, _, annotated = squat_run
    cap = cv2.VideoCapture(str(annotated))
    assert cap.isOpened()
    frames = 0
    while cap.read()[0]:
        frames += 1
    assert frames == truth["frames"]
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (
        truth["width"],
        truth["height"],
    )


def test_json_dash_prints_only_json():
    truth = sample_truth("glute_bridge_ok")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "analyze",
            truth["path"],
            "--exercise",
            "glute_bridge",
            "--model",
            "lite",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)  # nothing else on stdout
    assert report["reps"] == truth["reps"]


def test_without_json_only_the_summary_is_printed():
    truth = sample_truth("glute_bridge_ok")
    result = subprocess.run(
        [sys.executable, "-m", "app", "analyze", truth["path"], "--exercise", "glute_bridge", "--model", "lite"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(truth["path"]), result.stdout[:200]
    assert '"schema"' not in result.stdout
