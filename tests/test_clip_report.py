"""The typed clip report: its JSON is PRODUCT.md's schema 1 (same keys, order and rounding as always),
and a saved report reads back to the same value (no video, no MediaPipe)."""

from __future__ import annotations

import json

import pytest

from app.clip_report import ClipReport
from exercises.events import FaultRecord, NoteInterval, PartialRecord, RepRecord, StatusInterval

SCHEMA_1_KEYS = [
    "schema",
    "video",
    "exercise",
    "model",
    "duration_s",
    "frames",
    "frames_with_pose",
    "reps",
    "reps_by_side",
    "reps_detail",
    "faults",
    "status",
    "partial_reps",
    "notes",
    "fps",
    "size_px",
]


def report(**changes) -> ClipReport:
    fields = dict(
        video="clip.mp4",
        exercise="straight_leg_raise",
        model="full",
        duration_s=12.123456,
        frames=363,
        frames_with_pose=360,
        reps=2,
        reps_by_side={"left": 1, "right": 1},
        reps_detail=(
            RepRecord(1, "left", 0.4, 2.1, 171.04, 5.2, ["hold_short"]),
            RepRecord(2, "right", 3.0, 5.5, 170.0, 5.0),
        ),
        faults=(FaultRecord("hold_short", 1, 2.0004, "Hold it a little longer"),),
        status=(StatusInterval("out_of_frame", 7.0, 8.5),),
        partial_reps=(PartialRecord("left", 9.0, 9.6, None, "too_small"),),
        notes=(NoteInterval("form_not_judged", 1.0, 2.0, "knee_bent"),),
        fps=29.97002997,
        size_px=(640, 480),
    )
    return ClipReport(**{**fields, **changes})


def test_json_keys_order_and_rounding():
    data = report().to_json()
    assert list(data) == SCHEMA_1_KEYS
    assert data["schema"] == 1 and data["duration_s"] == 12.123 and data["fps"] == 29.97
    assert data["size_px"] == [640, 480] and data["reps_by_side"] == {"left": 1, "right": 1}
    assert data["reps_detail"][0] == {
        "index": 1,
        "side": "left",
        "start_s": 0.4,
        "end_s": 2.1,
        "peak_angle_deg": 171.04,
        "hold_s": 5.2,
        "faults": ["hold_short"],
    }
    assert data["faults"] == [{"code": "hold_short", "rep": 1, "t_s": 2.0, "cue": "Hold it a little longer"}]
    assert data["status"] == [{"code": "out_of_frame", "start_s": 7.0, "end_s": 8.5}]
    assert data["partial_reps"][0]["reason"] == "too_small"
    assert data["notes"] == [{"code": "form_not_judged", "start_s": 1.0, "end_s": 2.0, "detail": "knee_bent"}]
    json.dumps(data)


def test_attributes_say_what_the_json_says():
    r = report()
    assert r.duration_s == 12.123 and r.faults[0].t_s == 2.0 and r.fps == 29.97
    assert r.reps_detail[1].faults == [] and r.size_px == (640, 480)


def test_a_saved_report_reads_back_the_same():
    saved = json.loads(json.dumps(report().to_json()))
    back = ClipReport.from_json(saved)
    assert back == report() and back.to_json() == saved
    assert isinstance(back.reps_detail[0], RepRecord) and back.status[0].code == "out_of_frame"


def test_reading_back_tolerates_added_fields_and_missing_optional_ones():
    saved = report(reps_by_side=None).to_json()
    for key in ("partial_reps", "notes", "fps", "size_px"):
        del saved[key]
    saved["exercise_confidence"] = 0.9  # a field added later
    saved["reps_detail"][0]["future"] = 1
    back = ClipReport.from_json(saved)
    assert back.partial_reps == () and back.notes == () and back.fps is None and back.size_px is None
    assert back.reps_by_side is None and back.reps_detail[0].index == 1


def test_reading_back_names_what_is_wrong():
    with pytest.raises(ValueError, match="'frames'"):
        ClipReport.from_json({k: v for k, v in report().to_json().items() if k != "frames"})
    with pytest.raises(ValueError, match="schema 2"):
        ClipReport.from_json({**report().to_json(), "schema": 2})
