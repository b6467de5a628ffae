"""The history store and the session recorder: round trips, pragmas, errors a person can meet, recovery."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from app.coach.recorder import SessionRecorder
from app.coach.schema import SCHEMA_VERSION
from app.coach.store import HistoryStore, StoreError, data_dir, move_aside, opening, progress
from exercises.events import FaultRaised, FaultRecord, RepCompleted, RepRecord, StatusChanged, StatusInterval


@pytest.fixture
def store(tmp_path):
    opened = HistoryStore.open(tmp_path / "history.sqlite3")
    yield opened
    try:
        opened.close()
    except sqlite3.Error:
        pass


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere"
    opened = HistoryStore.open()
    try:
        assert opened.path == tmp_path / "elsewhere" / "history.sqlite3" and opened.path.is_file()
    finally:
        opened.close()


def test_pragmas_wal_foreign_keys_synchronous_and_version(store):
    conn = store.connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_every_write_is_visible_to_another_connection_at_once(store):
    """Committed on return: a second reader (another process, after a crash) sees each rep."""
    pid = store.ensure_profile()
    set_id = store.start_set(store.start_session(pid), "squat", 5)
    reader = sqlite3.connect(store.path)
    try:
        for i in (1, 2, 3):
            store.add_rep(set_id, RepRecord(i, None, 2.0 * i, 2.0 * i + 1.5, 100.0 + i, None, []))
            assert reader.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == i
    finally:
        reader.close()


def test_profile_settings_screening_and_calibration_round_trip(store):
    pid = store.ensure_profile("Alex")
    assert store.ensure_profile("Other") == pid  # the first profile, not a new one
    assert store.connection.execute("SELECT name FROM profiles").fetchall() == [("Alex",)]
    assert store.profile_settings(pid) == {}
    settings = {"strictness": "gentle", "overrides": {"squat": {"target_reps": 6}}, "record_video": False}
    store.save_profile_settings(pid, settings)
    assert store.profile_settings(pid) == settings
    with pytest.raises(LookupError):
        store.save_profile_settings(pid + 1, {})

    assert store.last_screening(pid) is None
    store.add_screening(pid, {"fever": False, "weight_loss": False})
    store.add_screening(pid, {"fever": True, "weight_loss": False})
    when, answers = store.last_screening(pid)
    assert answers == {"fever": True, "weight_loss": False}  # the latest
    assert when.utcoffset() is not None and abs(datetime.now().astimezone() - when) < timedelta(minutes=1)
    assert store.connection.execute("SELECT any_yes FROM screenings ORDER BY id").fetchall() == [(0,), (1,)]

    assert store.calibration(pid, "glute_bridge") is None
    store.save_calibration(pid, "glute_bridge", 150.0, 95.0)
    store.save_calibration(pid, "glute_bridge", 155.5, None)  # replaces
    store.save_calibration(pid, "squat", 100.0, 170.0)
    assert store.calibration(pid, "glute_bridge") == (155.5, None)
    assert store.calibration(pid, "squat") == (100.0, 170.0)


def test_session_round_trip_through_session_detail(store):
    pid = store.ensure_profile()
    assert store.programme_start(pid) is None
    sid = store.start_session(pid)
    store.add_pain(sid, "before", 3)
    set_id = store.start_set(sid, "straight_leg_raise", 8, "strict")
    store.add_rep(set_id, RepRecord(1, "left", 1.0, 7.5, 42.0, 5.0, ["knee_bent"]))
    store.add_rep(set_id, RepRecord(2, "right", 9.0, 15.0, 38.5, 4.0, []))
    store.add_fault(set_id, FaultRecord("knee_bent", 1, 3.25, "Keep your knee straight"))
    store.add_status_span(set_id, StatusInterval("out_of_frame", 7.5, 8.75))
    store.end_set(set_id, "pain")
    store.end_set(set_id, "done")  # a second end keeps the first
    store.add_pain(sid, "sharp", None, "straight_leg_raise")
    store.end_session(sid, "done")

    detail = store.session_detail(sid)
    assert detail["end_reason"] == "done" and detail["ended_at"] is not None
    (s,) = detail["sets"]
    assert (s["exercise"], s["target_reps"], s["strictness"], s["end_reason"]) == (
        "straight_leg_raise",
        8,
        "strict",
        "pain",
    )
    assert [
        (r["index"], r["side"], r["start_s"], r["end_s"], r["peak_angle_deg"], r["hold_s"], r["faults"])
        for r in s["reps"]
    ] == [(1, "left", 1.0, 7.5, 42.0, 5.0, ["knee_bent"]), (2, "right", 9.0, 15.0, 38.5, 4.0, [])]
    assert s["faults"] == [{"code": "knee_bent", "rep": 1, "t_s": 3.25, "cue": "Keep your knee straight"}]
    assert s["status"] == [{"code": "out_of_frame", "start_s": 7.5, "end_s": 8.75}]
    assert [(p["moment"], p["score"], p["exercise"]) for p in detail["pain"]] == [
        ("before", 3, None),
        ("sharp", None, "straight_leg_raise"),
    ]
    for text in (detail["started_at"], s["started_at"], s["reps"][0]["recorded_at"]):
        # Local time with its offset, as schema.py documents: 2026-11-25T19:03:12+01:00
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", text), text

    assert store.programme_start(pid) == date.fromisoformat(detail["started_at"][:10])
    today = date.fromisoformat(detail["started_at"][:10])
    # The session list the progress page and the reports read (their days are local calendar days).
    assert [x.id for x in progress.sessions(store.connection, pid)] == [sid]
    assert [x.id for x in progress.sessions(store.connection, pid, since=today, until=today)] == [sid]
    assert progress.sessions(store.connection, pid, since=today + timedelta(days=1)) == []
    assert progress.sessions(store.connection, pid, until=today - timedelta(days=1)) == []
    with pytest.raises(LookupError):
        store.session_detail(sid + 100)


def test_bad_values_are_refused(store):
    pid = store.ensure_profile()
    sid = store.start_session(pid)
    with pytest.raises(ValueError):
        store.add_pain(sid, "during", 3)
    with pytest.raises(ValueError):
        store.add_pain(sid, "before", 11)
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced
        store.start_set(sid + 50, "squat", 5)
    set_id = store.start_set(sid, "squat", 5)
    store.add_rep(set_id, RepRecord(1, None, 0.0, 1.0, None, None, []))
    with pytest.raises(sqlite3.IntegrityError):  # one row per rep index
        store.add_rep(set_id, RepRecord(1, None, 0.0, 1.0, None, None, []))


def test_deleting_a_profile_cascades_to_everything_under_it(store):
    pid = store.ensure_profile()
    sid = store.start_session(pid)
    set_id = store.start_set(sid, "squat", 5)
    store.add_rep(set_id, RepRecord(1, None, 0.0, 1.0, 100.0, None, ["shallow"]))
    store.add_fault(set_id, FaultRecord("shallow", 1, 0.5, ""))
    store.add_status_span(set_id, StatusInterval("no_person", 1.0, 2.0))
    store.add_pain(sid, "before", 2)
    store.add_screening(pid, {"fever": False})
    store.save_calibration(pid, "squat", 100.0, None)
    store.connection.execute("DELETE FROM profiles WHERE id = ?", (pid,))
    for table in ("sessions", "sets", "reps", "faults", "status_spans", "pain_scores", "screenings", "calibrations"):
        assert store.connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_delete_all_data_removes_the_database_and_its_wal(store):
    pid = store.ensure_profile()
    store.start_session(pid)
    reader = sqlite3.connect(store.path)  # keeps the -wal/-shm alive past the store's close
    reader.execute("SELECT COUNT(*) FROM sessions").fetchone()
    wal = store.path.with_name(store.path.name + "-wal")
    shm = store.path.with_name(store.path.name + "-shm")
    assert wal.exists() and shm.exists()
    try:
        folder = store.delete_all_data()
    finally:
        reader.close()
    assert folder == store.path.parent
    assert not store.path.exists() and not wal.exists() and not shm.exists()
    fresh = HistoryStore.open(store.path)  # a new, empty history in the same place
    try:
        assert fresh.connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    finally:
        fresh.close()


def test_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        HistoryStore.open(path)
    message = str(err.value)
    assert "newer" in message and "update" in message.lower() and "\n" not in message
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"  # not even switched to WAL
    finally:
        conn.close()


def test_a_file_that_is_not_a_database_can_be_moved_aside(tmp_path):
    path = tmp_path / "history.sqlite3"
    garbage = b"this is not a database, just some text " * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as err:
        HistoryStore.open(path)
    assert "not a HipCoach history" in str(err.value) and "move it aside" in str(err.value)
    assert path.read_bytes() == garbage  # left as it was
    aside = move_aside(path)
    assert not path.exists() and aside.read_bytes() == garbage and aside.name.startswith("history.sqlite3.damaged-")
    with pytest.raises(StoreError, match="move or delete it by hand"):
        move_aside(tmp_path / "missing.sqlite3")
    fresh = HistoryStore.open(path)
    fresh.close()


def test_an_other_programs_sqlite_file_is_not_taken_over(tmp_path):
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a HipCoach history"):
        HistoryStore.open(path)


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as err:
        HistoryStore.open(blocker / "data" / "history.sqlite3")
    assert "data folder" in str(err.value) and "--data-dir" in str(err.value) and "\n" not in str(err.value)


def test_a_failing_migration_rolls_back_whole(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    HistoryStore.open(path).close()
    # A next step whose first statement works and whose second fails: nothing of it may stay.
    bad = "CREATE TABLE extra (x);\nINSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(opening, "MIGRATIONS", (*opening.MIGRATIONS, bad))
    monkeypatch.setattr(opening, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match=f"schema v{SCHEMA_VERSION + 1}"):
        HistoryStore.open(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    finally:
        conn.close()


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def test_recover_interrupted_ends_open_sessions_at_their_last_moment(store):
    conn = store.connection
    pid = store.ensure_profile()
    t0 = datetime(2026, 11, 20, 18, 0, 0).astimezone()
    # Session A: a set with two reps, the last written 40 s in; a fault raised 55 s into the set.
    conn.execute("INSERT INTO sessions (id, profile_id, started_at) VALUES (1, ?, ?)", (pid, _iso(t0)))
    conn.execute(
        "INSERT INTO sets (id, session_id, exercise, started_at) VALUES (1, 1, 'squat', ?)",
        (_iso(t0 + timedelta(seconds=10)),),
    )
    for idx, at in ((1, 25), (2, 40)):
        conn.execute(
            "INSERT INTO reps (set_id, idx, start_s, end_s, recorded_at) VALUES (1, ?, 0, 1, ?)",
            (idx, _iso(t0 + timedelta(seconds=at))),
        )
    # Session B: nothing but its start. Session C: properly ended, must stay as it is.
    conn.execute(
        "INSERT INTO sessions (id, profile_id, started_at) VALUES (2, ?, ?)", (pid, _iso(t0 + timedelta(hours=1)))
    )
    conn.execute(
        "INSERT INTO sessions (id, profile_id, started_at, ended_at, end_reason) VALUES (3, ?, ?, ?, 'done')",
        (pid, _iso(t0 + timedelta(hours=2)), _iso(t0 + timedelta(hours=3))),
    )

    assert store.recover_interrupted() == [1, 2]
    rows = conn.execute("SELECT id, ended_at, end_reason FROM sessions ORDER BY id").fetchall()
    parsed = [(i, datetime.fromisoformat(e), r) for i, e, r in rows]
    assert parsed[0] == (1, t0 + timedelta(seconds=40), "interrupted")  # the last rep
    assert parsed[1] == (2, t0 + timedelta(hours=1), "interrupted")  # its start
    assert parsed[2] == (3, t0 + timedelta(hours=3), "done")
    ended, reason = conn.execute("SELECT ended_at, end_reason FROM sets WHERE id = 1").fetchone()
    assert (datetime.fromisoformat(ended), reason) == (t0 + timedelta(seconds=40), "interrupted")
    assert store.recover_interrupted() == []  # once only

    # A fault later than the last rep moves the set's end (set start + the fault's t_s).
    conn.execute("INSERT INTO sessions (id, profile_id, started_at) VALUES (4, ?, ?)", (pid, _iso(t0)))
    conn.execute("INSERT INTO sets (id, session_id, exercise, started_at) VALUES (4, 4, 'squat', ?)", (_iso(t0),))
    conn.execute(
        "INSERT INTO reps (set_id, idx, start_s, end_s, recorded_at) VALUES (4, 1, 0, 1, ?)",
        (_iso(t0 + timedelta(seconds=20)),),
    )
    conn.execute("INSERT INTO faults (set_id, code, rep_idx, t_s) VALUES (4, 'shallow', 2, 55.0)")
    assert store.recover_interrupted() == [4]
    (ended,) = conn.execute("SELECT ended_at FROM sessions WHERE id = 4").fetchone()
    assert datetime.fromisoformat(ended) == t0 + timedelta(seconds=55)


# ------------------------------------------------------------------------- the recorder


def _rep(i: int, t: float, faults: list[str] | None = None) -> RepCompleted:
    record = RepRecord(i, None, t - 2.0, t, 95.0 + i, None, list(faults or []))
    return RepCompleted(t, i, None, i, None, record)


def test_recorder_writes_reps_faults_and_status_spans(store):
    pid = store.ensure_profile()
    rec = SessionRecorder(store, pid)
    rec.pain("before", 4)
    set_id = rec.begin_set("squat", 5, "gentle")
    rec.take([StatusChanged(1.0, "out_of_frame", None, "Part of your body is out of the picture")])
    rec.take([])
    rec.take([StatusChanged(2.5, "no_person", "out_of_frame", "I can't see anyone")])  # one span ends, one starts
    rec.take([StatusChanged(3.0, None, "no_person", "")])
    rec.take([FaultRaised(4.0, "shallow", 1, "Go a little deeper"), _rep(1, 5.0, ["shallow"])])
    rec.take([_rep(2, 9.0)])
    rec.take([StatusChanged(10.0, "no_person", None, "I can't see anyone")])
    # Already on disk while open (a crash keeps it, lasting "to the end of the set").
    assert store.connection.execute("SELECT code, start_s, end_s FROM status_spans ORDER BY id DESC").fetchone() == (
        "no_person",
        10.0,
        None,
    )
    rec.end_set("stopped", t_s=12.0)  # the open span ends with the set
    rec.take([])  # nothing is open: nothing happens
    rec.pain("after", 3)
    rec.end_session("done")
    rec.end_session("closed")  # once only

    detail = store.session_detail(rec.session_id)
    assert detail["end_reason"] == "done"
    (s,) = detail["sets"]
    assert s["id"] == set_id and (s["exercise"], s["target_reps"], s["strictness"], s["end_reason"]) == (
        "squat",
        5,
        "gentle",
        "stopped",
    )
    assert [(r["index"], r["end_s"], r["faults"]) for r in s["reps"]] == [(1, 5.0, ["shallow"]), (2, 9.0, [])]
    assert s["faults"] == [{"code": "shallow", "rep": 1, "t_s": 4.0, "cue": "Go a little deeper"}]
    assert [(x["code"], x["start_s"], x["end_s"]) for x in s["status"]] == [
        ("out_of_frame", 1.0, 2.5),
        ("no_person", 2.5, 3.0),
        ("no_person", 10.0, 12.0),
    ]
    assert [(p["moment"], p["score"]) for p in detail["pain"]] == [("before", 4), ("after", 3)]


def test_recorder_ends_an_open_set_when_a_new_one_or_the_session_ends(store):
    pid = store.ensure_profile()
    rec = SessionRecorder(store, pid)
    with pytest.raises(RuntimeError):  # a rep with nowhere to go is a bug, not something to drop
        rec.take([_rep(1, 3.0)])
    rec.take([StatusChanged(0.5, "no_person", None, "...")])  # between sets: not noted, no error
    first = rec.begin_set("glute_bridge", 10)
    rec.take([StatusChanged(1.0, "joints_hidden", None, "..."), _rep(1, 3.0)])
    second = rec.begin_set("squat", 5)  # the bridge set ends 'stopped', its span at the last event
    rec.take([_rep(1, 4.0)])
    rec.end_session("closed")
    sets = store.session_detail(rec.session_id)["sets"]
    assert [(s["id"], s["end_reason"]) for s in sets] == [(first, "stopped"), (second, "stopped")]
    assert sets[0]["status"] == [{"code": "joints_hidden", "start_s": 1.0, "end_s": 3.0}]
    assert all(s["ended_at"] is not None for s in sets)


def test_several_processes_opening_a_fresh_history_at_once_all_succeed(tmp_path):
    """The version is re-read under the write lock, so no step runs twice ("table already exists")."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "history.sqlite3"

    def open_and_close(_: int) -> int:
        opened = HistoryStore.open(path)
        try:
            return opened.connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            opened.close()

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(open_and_close, range(6))) == [SCHEMA_VERSION] * 6


# ---------------------------------------------------------------------- one way in for a report and a window


def test_a_report_opens_the_history_read_only_with_the_sessions_own_profile(tmp_path):
    from app.coach.store import open_for_report

    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        first = store.ensure_profile()
        # A second profile, as another program (or a later HipCoach) might write it.
        second = store.connection.execute(
            "INSERT INTO profiles (name, created_at) VALUES ('B', '2026-11-01T10:00:00+00:00')"
        ).lastrowid
        sid = store.start_session(second)
    before = path.read_bytes()
    store, profile = open_for_report(path)
    assert profile == first and store.read_only is not None
    store.close()
    store, profile = open_for_report(path, sid)
    assert profile == second
    store.close()
    with pytest.raises(StoreError, match=f"there is no session {sid + 1} in this history"):
        open_for_report(path, sid + 1)
    with pytest.raises(StoreError, match="there is no history"):
        open_for_report(tmp_path / "none" / "history.sqlite3")
    assert path.read_bytes() == before  # a report never writes


def test_the_window_history_is_one_store_reopened_on_demand(tmp_path):
    from app.coach.store import WindowHistory

    history = WindowHistory(tmp_path / "history.sqlite3")
    opened = history.open()
    assert opened.store is history.store and history.profile_id == opened.profile_id and history.problem is None
    assert history.get() == (opened.store, opened.profile_id)  # not opened again
    folder = history.store.delete_all_data()
    history.forget()
    store, profile = history.get()  # a fresh, empty history
    assert store is not opened.store and (folder / "history.sqlite3").exists() and profile == 1
    history.close()
    history.close()  # closing twice is harmless
    assert history.store is None


def test_the_window_history_says_why_there_is_none(tmp_path):
    from app.coach.store import WindowHistory

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    history = WindowHistory(blocker / "history.sqlite3")
    with pytest.raises(StoreError, match="data folder"):
        history.get()
    assert history.store is None and "data folder" in str(history.problem)
