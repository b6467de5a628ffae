"""Issue 11, the history part: a damaged, busy, read-only or shared history is never lost.

Every case is made for real: private modes under umask 022, damaged pages written into a real
history file after its header page, a lock held by another process, a read-only folder (a
read-only bind mount in a private mount namespace when the tests run as root, where chmod does
not stop writes), and two windows on one data folder.
"""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app import cli  # noqa: E402
from app.coach.schema import MIGRATIONS  # noqa: E402
from app.coach.store import (  # noqa: E402
    DB_NAME,
    LOCK_NAME,
    HistoryBusy,
    HistoryDamaged,
    HistoryStore,
    move_aside,
    opening,  # noqa: E402
)
from app.coach.store import errors as store_errors  # noqa: E402
from tests.history_trust_helpers import (  # noqa: E402
    damage_reps_pages,
    held_by_another_process,
    make_history,
    make_window,
    mode,
    one_sentence,
    profile_names,
)


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch):
    """A modal box would wait for a click forever offscreen: record what would be shown instead."""
    shown: list[str] = []
    monkeypatch.setattr("app.gui.window.MainWindow.error", lambda self, text: shown.append(text))
    monkeypatch.setattr("app.gui.coaching.Coach._ask_fresh", lambda self, message: shown.append(message) or False)
    return shown


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def short_busy_wait(monkeypatch):
    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_MS", 400)
    return 0.4


# ---------------------------------------------------------------------------- private by default
def test_folder_history_wal_shm_and_lock_are_private_under_umask_022(tmp_path, umask_022):
    folder = tmp_path / "deep" / "HipCoach"
    path = folder / DB_NAME
    store = HistoryStore.open(path)
    try:
        store.claim()
        pid = store.ensure_profile()
        store.add_pain(store.start_session(pid), "before", 4)  # a write: the -wal and -shm exist now
        wal, shm = path.with_name(DB_NAME + "-wal"), path.with_name(DB_NAME + "-shm")
        assert wal.exists() and shm.exists()
        assert mode(folder) == 0o700
        assert {p.name: mode(p) for p in (path, wal, shm, folder / LOCK_NAME)} == {
            DB_NAME: 0o600,
            DB_NAME + "-wal": 0o600,
            DB_NAME + "-shm": 0o600,
            LOCK_NAME: 0o600,
        }
    finally:
        store.close()


def test_an_old_world_readable_history_is_made_private_on_open(tmp_path, umask_022):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / DB_NAME
    make_history(path, reps=3)
    copy = move_aside(path)  # a copy an earlier start made
    make_history(path, reps=3)
    for p in (path, copy):
        os.chmod(p, 0o644)
    os.chmod(folder, 0o755)
    HistoryStore.open(path).close()
    assert mode(folder) == 0o700
    assert mode(path) == 0o600 and mode(copy) == 0o600


# ---------------------------------------------------------------------------- damaged pages
def test_a_damaged_data_page_is_found_on_open_and_the_file_left_alone(tmp_path):
    path = tmp_path / DB_NAME
    make_history(path)
    damage_reps_pages(path)
    before = path.read_bytes()
    with pytest.raises(HistoryDamaged) as err:
        HistoryStore.open(path)
    one_sentence(str(err.value))
    assert err.value.kind == "damaged" and "damaged" in str(err.value) and "move it aside" in str(err.value)
    assert path.read_bytes() == before
    with pytest.raises(HistoryDamaged):
        HistoryStore.open(path, read_only=True)


def test_the_check_on_open_stops_when_its_time_is_up(tmp_path, monkeypatch):
    """On a huge file the check gives up after QUICK_CHECK_S and the history opens as it is."""
    path = tmp_path / DB_NAME
    make_history(path, reps=1)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bulk (id INTEGER PRIMARY KEY, a TEXT, b BLOB)")  # bulk a long check must read
    conn.execute("CREATE INDEX bulk_a ON bulk (a)")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
        "INSERT INTO bulk (a, b) SELECT (i * 7919) % 100003, randomblob(200) FROM n"
    )
    conn.commit()
    started = time.monotonic()
    assert conn.execute("PRAGMA quick_check(3)").fetchall() == [("ok",)]
    full_s = time.monotonic() - started
    conn.close()
    monkeypatch.setattr(opening, "QUICK_CHECK_S", full_s / 20)
    started = time.monotonic()
    HistoryStore.open(path).close()
    assert time.monotonic() - started < full_s * 0.6, f"the check was not cut short (a full one takes {full_s:.2f} s)"


def skip_the_check_on_open(monkeypatch) -> None:
    """As on a huge file where the check on open runs out of time before it reaches the damage."""
    monkeypatch.setattr(opening, "_quick_check", lambda conn, path: None)


def test_report_on_a_damaged_page_is_one_line(tmp_path, capsys):
    path = tmp_path / DB_NAME
    make_history(path)
    damage_reps_pages(path)
    code = cli.main(["report", "--out", str(tmp_path / "r.json"), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "damaged" in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "r.json").exists()


def test_report_on_damage_the_bounded_check_missed_is_one_line(tmp_path, capsys, monkeypatch):
    path = tmp_path / DB_NAME
    make_history(path)
    damage_reps_pages(path)
    skip_the_check_on_open(monkeypatch)
    code = cli.main(["report", "--out", str(tmp_path / "r.csv"), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "damaged" in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_window_offers_to_move_a_damaged_page_aside(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    path = tmp_path / DB_NAME
    make_history(path)
    damage_reps_pages(path)
    damaged = path.read_bytes()
    asked: list[str] = []
    monkeypatch.setattr("app.gui.coaching.Coach._ask_fresh", lambda self, message: asked.append(message) or True)
    win = make_window(qtbot)
    try:
        assert len(asked) == 1 and "damaged" in asked[0]
        one_sentence(asked[0])
        (aside,) = tmp_path.glob(DB_NAME + ".damaged-*")
        assert aside.read_bytes() == damaged and mode(aside) == 0o600
        assert win.store is not None and win.store.read_only is None
        assert win.store.connection.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 0
    finally:
        win.coach.close()


def test_declining_the_move_shows_one_sentence_in_the_banner_and_the_progress_tab(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    path = tmp_path / DB_NAME
    make_history(path)
    damage_reps_pages(path)
    win = make_window(qtbot)
    try:
        assert win.store is None
        assert win.history_banner.isVisibleTo(win) and "damaged" in win.history_banner.text()
        one_sentence(win.history_banner.text())
        page = win.show_progress()  # no tracebacks: the page says what is wrong
        assert "damaged" in page.problem_text
        one_sentence(page.problem_text)
        assert path.exists() and not list(tmp_path.glob(DB_NAME + ".damaged-*"))  # nothing moved
    finally:
        win.coach.close()


def test_progress_tab_on_damage_the_bounded_check_missed_shows_a_message(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    path = tmp_path / DB_NAME
    make_history(path)
    damage_reps_pages(path)
    skip_the_check_on_open(monkeypatch)
    asked: list[str] = []
    monkeypatch.setattr("app.gui.coaching.Coach._ask_fresh", lambda self, message: asked.append(message) or True)
    win = make_window(qtbot)
    try:
        assert win.store is not None and asked == []  # opened: the damage was not reached on open
        page = win.show_progress()
        assert "damaged" in page.problem_text
        one_sentence(page.problem_text)
        page.set_range(None)  # the chart choosers read the history too: a message again, no exception
        assert "damaged" in page.problem_text
    finally:
        win.coach.close()


# ---------------------------------------------------------------------------- busy
def test_a_history_locked_by_another_process_still_opens_and_a_write_says_busy(tmp_path, short_busy_wait):
    path = tmp_path / DB_NAME
    make_history(path, reps=3)
    with held_by_another_process(path):
        started = time.monotonic()
        store = HistoryStore.open(path)  # up to date: opening needs no write lock
        try:
            pid = store.ensure_profile()
            with pytest.raises(HistoryBusy) as err:
                store.start_session(pid)
            waited = time.monotonic() - started
        finally:
            store.close()
    assert err.value.kind == "busy" and "busy" in str(err.value)
    one_sentence(str(err.value))
    assert short_busy_wait * 0.8 <= waited < short_busy_wait + 5.0  # it waited, and not forever
    assert profile_names(path) == ["Me", "held"]  # the other program's write landed in the same file


def test_an_upgrade_blocked_by_another_process_is_busy_not_damage(tmp_path, short_busy_wait):
    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:2]:
        conn.executescript(step)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with held_by_another_process(path):
        started = time.monotonic()
        with pytest.raises(HistoryBusy) as err:
            HistoryStore.open(path)
        waited = time.monotonic() - started
    one_sentence(str(err.value))
    assert short_busy_wait * 0.8 <= waited < short_busy_wait + 5.0
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 2  # left as it was, to upgrade next time
    finally:
        check.close()
    HistoryStore.open(path).close()  # once free, it upgrades


def test_the_window_never_moves_a_busy_history(qtbot, tmp_path, monkeypatch, short_busy_wait):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    path = tmp_path / DB_NAME
    make_history(path, reps=3)
    asked: list[str] = []
    monkeypatch.setattr("app.gui.coaching.Coach._ask_fresh", lambda self, message: asked.append(message) or True)
    with held_by_another_process(path, rollback_journal=True):  # even reading waits for it
        win = make_window(qtbot)
        try:
            assert asked == []  # not taken for damage: no offer to move it
            assert win.store is None and "busy" in win.history_banner.text()
            one_sentence(win.history_banner.text())
            assert not list(tmp_path.glob(DB_NAME + ".damaged-*"))
        finally:
            win.coach.close()
    assert profile_names(path) == ["Me", "held"]  # the other process wrote into the same, unmoved file
