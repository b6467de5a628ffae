"""Taking reps back out of a set in the history (Auto: the set's checker counted the next exercise's first
movements), through the store and the session recorder, on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from app.coach.recorder import SessionRecorder
from app.coach.store import HistoryStore
from exercises.events import FaultRaised, FaultRecord, RepCompleted, RepRecord


@pytest.fixture
def store(tmp_path):
    opened = HistoryStore.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def _rep(index: int, side: str | None, start_s: float, faults: list[str] | None = None) -> RepRecord:
    return RepRecord(index, side, start_s, start_s + 1.5, 60.0, None, faults or [])


def test_reps_from_an_index_on_leave_with_their_faults_and_nothing_else_does(store):
    pid = store.ensure_profile()
    sid = store.start_session(pid)
    flexion = store.start_set(sid, "standing_hip_flexion", 6)
    other = store.start_set(sid, "squat", 5)  # another set with the same rep numbers: untouched
    for i, side in enumerate(["left", "right", "left", "right"], start=1):
        store.add_rep(flexion, _rep(i, side, 2.0 * i, ["knee_bent"] if i in (2, 4) else []))
        store.add_rep(other, _rep(i, None, 2.0 * i, ["shallow"]))
        store.add_fault(other, FaultRecord("shallow", i, 2.0 * i + 1, "Lower"))
    store.add_fault(flexion, FaultRecord("knee_bent", 2, 5.0, "Straight knee"))
    store.add_fault(flexion, FaultRecord("knee_bent", 4, 9.0, "Straight knee"))
    store.add_fault(flexion, FaultRecord("trunk_lean", 5, 10.5, "Stand tall"))  # a rep never finished

    assert store.take_back_reps(flexion, 4) == 1

    conn = store.connection
    reps = conn.execute("SELECT idx, side FROM reps WHERE set_id = ? ORDER BY idx", (flexion,)).fetchall()
    assert reps == [(1, "left"), (2, "right"), (3, "left")]
    faults = conn.execute("SELECT code, rep_idx FROM faults WHERE set_id = ? ORDER BY id", (flexion,)).fetchall()
    assert faults == [("knee_bent", 2)]
    assert conn.execute("SELECT COUNT(*) FROM reps WHERE set_id = ?", (other,)).fetchone()[0] == 4
    assert conn.execute("SELECT COUNT(*) FROM faults WHERE set_id = ?", (other,)).fetchone()[0] == 4
    assert store.take_back_reps(flexion, 4) == 0  # nothing left to take: a second call changes nothing
    read, _other = store.session_detail(sid)["sets"]  # what a report reads back
    assert [(r["index"], r["faults"]) for r in read["reps"]] == [(1, []), (2, ["knee_bent"]), (3, [])]
    assert [(f["code"], f["rep"]) for f in read["faults"]] == [("knee_bent", 2)]


def test_a_failed_take_back_leaves_the_set_whole(store, monkeypatch):
    pid = store.ensure_profile()
    set_id = store.start_set(store.start_session(pid), "squat", 5)
    for i in (1, 2, 3):
        store.add_rep(set_id, _rep(i, None, 2.0 * i, ["shallow"]))
        store.add_fault(set_id, FaultRecord("shallow", i, 2.0 * i + 1, "Lower"))
    real_write = store._write

    def failing(sql, params=()):
        if sql.startswith("DELETE FROM reps"):
            raise sqlite3.OperationalError("disk I/O error")
        return real_write(sql, params)

    monkeypatch.setattr(store, "_write", failing)
    with pytest.raises(sqlite3.OperationalError):
        store.take_back_reps(set_id, 2)
    monkeypatch.undo()
    conn = store.connection
    assert not conn.in_transaction
    assert conn.execute("SELECT COUNT(*) FROM reps WHERE set_id = ?", (set_id,)).fetchone()[0] == 3
    assert conn.execute("SELECT COUNT(*) FROM faults WHERE set_id = ?", (set_id,)).fetchone()[0] == 3


def test_the_recorder_takes_back_from_its_open_set_only(store):
    pid = store.ensure_profile()
    recorder = SessionRecorder(store, pid)
    assert recorder.take_back(1) == 0  # no set open: nothing to take
    set_id = recorder.begin_set("standing_hip_flexion", 6)
    by_side = {"left": 0, "right": 0}
    for i, side in enumerate(["left", "right", "left"], start=1):
        by_side[side] += 1
        record = _rep(i, side, 2.0 * i, ["knee_bent"] if i == 3 else [])
        events: list[object] = [RepCompleted(record.end_s, i, side, i, dict(by_side), record)]
        if i == 3:
            events.append(FaultRaised(record.end_s, "knee_bent", 3, "Straight knee"))
        recorder.take(events)
    assert recorder.take_back(3) == 1
    recorder.end_set("done")
    conn = store.connection
    assert conn.execute("SELECT idx FROM reps WHERE set_id = ? ORDER BY idx", (set_id,)).fetchall() == [(1,), (2,)]
    assert conn.execute("SELECT COUNT(*) FROM faults WHERE set_id = ?", (set_id,)).fetchone()[0] == 0
    assert recorder.take_back(1) == 0  # the set ended: nothing is taken from it any more
