"""Opening a history written at every earlier schema version keeps all its rows readable.

For each version k, a database gets only ``MIGRATIONS[:k]`` (as that old HipCoach would have made
it) and rows written by hand the way that version could hold them; then the store opens it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from app.coach.schema import MIGRATIONS, SCHEMA_VERSION
from app.coach.store import HistoryStore, progress
from exercises.events import RepRecord

T = "2026-11-03T18:00:00+01:00"
T_REP = "2026-11-03T18:00:20+01:00"
T_END = "2026-11-03T18:05:00+01:00"
# (idx, side, start_s, end_s, peak, hold, faults) of the two reps in the one set, at every version.
REPS = ((1, "left", 1.0, 6.5, 41.0, 5.0, ["knee_bent", "hold_short"]), (2, "right", 8.0, 13.0, 37.5, 4.0, []))


def old_database(path, k: int) -> None:
    """A database at version ``k`` with the fixture rows that version can hold."""
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:k]:
        conn.executescript(step)
    conn.execute(f"PRAGMA user_version = {k}")
    if k >= 1:
        conn.execute("INSERT INTO profiles (id, name, created_at) VALUES (1, 'Alex', ?)", (T,))
        conn.execute(
            "INSERT INTO sessions (id, profile_id, started_at, ended_at, end_reason) VALUES (1, 1, ?, ?, 'done')",
            (T, T_END),
        )
        conn.execute(
            "INSERT INTO sets (id, session_id, exercise, started_at, ended_at, target_reps)"
            " VALUES (1, 1, 'straight_leg_raise', ?, ?, 8)",
            (T, T_END),
        )
        for idx, side, a, b, peak, hold, faults in REPS:
            conn.execute(
                "INSERT INTO reps (set_id, idx, side, start_s, end_s, peak_angle_deg, hold_s, faults,"
                " recorded_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (idx, side, a, b, peak, hold, json.dumps(faults), T_REP),
            )
        conn.execute(
            "INSERT INTO pain_scores (session_id, moment, score, recorded_at) VALUES (1, 'before', 4, ?)", (T,)
        )
        conn.execute(
            "INSERT INTO pain_scores (session_id, moment, score, recorded_at) VALUES (1, 'sharp', NULL, ?)", (T_END,)
        )
        conn.execute(
            "INSERT INTO screenings (profile_id, answered_at, answers, any_yes) VALUES (1, ?, ?, 0)",
            (T, json.dumps({"fever": False, "severe_pain": False})),
        )
    if k >= 2:
        # From v2 on, faults were written as rows when raised (with their cue and own time).
        conn.execute(
            "INSERT INTO faults (set_id, code, rep_idx, t_s, cue) VALUES (1, 'knee_bent', 1, 3.0,"
            " 'Keep your knee straight')"
        )
        conn.execute("INSERT INTO faults (set_id, code, rep_idx, t_s, cue) VALUES (1, 'hold_short', 1, 6.5, '')")
        conn.execute("INSERT INTO status_spans (set_id, code, start_s, end_s) VALUES (1, 'out_of_frame', 6.5, 7.75)")
    if k >= 3:
        conn.execute("UPDATE profiles SET settings = ? WHERE id = 1", (json.dumps({"strictness": "gentle"}),))
        conn.execute(
            "INSERT INTO calibrations (profile_id, exercise, rest_deg, peak_deg, measured_at)"
            " VALUES (1, 'straight_leg_raise', 2.0, 35.0, ?)",
            (T,),
        )
        conn.execute("UPDATE sets SET strictness = 'strict', end_reason = 'pain' WHERE id = 1")
        conn.execute("UPDATE pain_scores SET exercise = 'straight_leg_raise' WHERE moment = 'sharp'")
    conn.commit()
    conn.close()


def test_every_schema_version_is_covered():
    assert SCHEMA_VERSION == len(MIGRATIONS) == 4  # a new step needs its rows in old_database too


@pytest.mark.parametrize("k", range(SCHEMA_VERSION))
def test_upgrade_from_each_earlier_version_keeps_every_row(tmp_path, k):
    path = tmp_path / "history.sqlite3"
    old_database(path, k)
    store = HistoryStore.open(path)
    try:
        conn = store.connection
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        if k == 0:  # an empty file from a version that never wrote: a fresh, usable history
            pid = store.ensure_profile()
            assert progress.sessions(conn, pid) == []
            return

        assert store.ensure_profile() == 1
        assert [s.id for s in progress.sessions(conn, 1)] == [1]
        assert store.programme_start(1) == date(2026, 11, 3)
        detail = store.session_detail(1)
        assert (detail["started_at"], detail["ended_at"], detail["end_reason"]) == (T, T_END, "done")
        (s,) = detail["sets"]
        assert (s["exercise"], s["target_reps"]) == ("straight_leg_raise", 8)
        assert [
            (r["index"], r["side"], r["start_s"], r["end_s"], r["peak_angle_deg"], r["hold_s"], r["faults"])
            for r in s["reps"]
        ] == [tuple(rep) for rep in REPS]
        when, answers = store.last_screening(1)
        assert when.isoformat() == T and answers == {"fever": False, "severe_pain": False}
        # v4: an all-"no" screening stopped nothing, and nobody has confirmed anything yet.
        assert [(r["kind"], r["blocks"]) for r in store.safety_history(1)] == [("screening", [])]

        faults = [(f["code"], f["rep"], f["t_s"], f["cue"]) for f in s["faults"]]
        if k == 1:
            # v1 kept faults only in each rep's list: they became rows at the rep's end, no cue.
            assert faults == [("knee_bent", 1, 6.5, ""), ("hold_short", 1, 6.5, "")]
            assert s["status"] == []
        else:  # written as rows already: kept as they were, not doubled
            assert faults == [("knee_bent", 1, 3.0, "Keep your knee straight"), ("hold_short", 1, 6.5, "")]
            assert s["status"] == [{"code": "out_of_frame", "start_s": 6.5, "end_s": 7.75}]

        pain = [(p["moment"], p["score"], p["exercise"]) for p in detail["pain"]]
        if k < 3:  # columns v3 added read as their defaults
            assert (s["strictness"], s["end_reason"]) == ("standard", None)
            assert store.profile_settings(1) == {}
            assert store.calibration(1, "straight_leg_raise") is None
            assert pain == [("before", 4, None), ("sharp", None, None)]
        else:
            assert (s["strictness"], s["end_reason"]) == ("strict", "pain")
            assert store.profile_settings(1) == {"strictness": "gentle"}
            assert store.calibration(1, "straight_leg_raise") == (35.0, 2.0)
            assert pain == [("before", 4, None), ("sharp", None, "straight_leg_raise")]

        # The upgraded history takes new writes, with the new columns.
        new_set = store.start_set(1, "squat", 5, "gentle")
        store.add_rep(new_set, RepRecord(1, None, 0.5, 2.5, 100.0, None, []))
        store.save_calibration(1, "squat", 100.0, 170.0)
        assert store.session_detail(1)["sets"][1]["strictness"] == "gentle"
    finally:
        store.close()


@pytest.mark.parametrize("k", range(1, 4))
def test_a_yes_answered_before_v4_still_stops_exercise_after_the_upgrade(tmp_path, k):
    """Issue 14: an older HipCoach let a "yes" be forgotten; upgrading must not forget it either."""
    path = tmp_path / "history.sqlite3"
    old_database(path, k)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO screenings (profile_id, answered_at, answers, any_yes) VALUES (1, ?, ?, 1)",
        (T_END, json.dumps({"fever": True, "lean_forward": True, "severe_pain": False})),
    )
    conn.commit()
    conn.close()
    store = HistoryStore.open(path)
    try:
        last = store.safety_history(1)[-1]
        assert last["kind"] == "screening" and sorted(last["blocks"]) == ["fever", "lean_forward"]
        store.add_safety_clearance(1, "doctor", ["fever", "lean_forward"])
        (row,) = store.connection.execute("SELECT screening_id, reason, signs FROM safety_clearances").fetchall()
        assert row[0] == store.connection.execute("SELECT MAX(id) FROM screenings").fetchone()[0]
        assert (row[1], json.loads(row[2])) == ("doctor", ["fever", "lean_forward"])
    finally:
        store.close()
