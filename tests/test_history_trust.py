"""Issue 11, the history part: a damaged, busy, read-only or shared history is never lost.

Every case is made for real: private modes under umask 022, damaged pages written into a real
history file after its header page, a lock held by another process, a read-only folder (a
read-only bind mount in a private mount namespace when the tests run as root, where chmod does
not stop writes), and two windows on one data folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app import cli  # noqa: E402
from app.coach import store as store_mod  # noqa: E402
from app.coach.recorder import SessionRecorder  # noqa: E402
from app.coach.schema import MIGRATIONS  # noqa: E402
from app.coach.store import (  # noqa: E402
    DB_NAME,
    LOCK_NAME,
    HistoryBusy,
    HistoryDamaged,
    HistoryInUse,
    HistoryStore,
    StoreError,
    move_aside,
    opening,  # noqa: E402
)
from app.coach.store import errors as store_errors  # noqa: E402
from exercises.events import RepCompleted, RepRecord  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPS = 240  # enough rows for the reps table and its indexes to span several pages


# ---------------------------------------------------------------------------- helpers
def make_history(path: Path, reps: int = REPS) -> None:
    """A real history written through the store: one profile, one closed session with ``reps`` reps."""
    with HistoryStore.open(path) as store:
        pid = store.ensure_profile()
        rec = SessionRecorder(store, pid)
        rec.begin_set("glute_bridge", reps)
        for i in range(1, reps + 1):
            rec.take([rep_event(RepRecord(i, None, 2.0 * i, 2.0 * i + 1.5, 160.0, 5.0, ["hold_short"]))])
        rec.end_session("done")


def rep_event(record: RepRecord) -> RepCompleted:
    return RepCompleted(
        t_s=record.end_s, rep=record.index, side=record.side, reps=record.index, reps_by_side=None, record=record
    )


def damage_reps_pages(path: Path) -> list[int]:
    """Write garbage over the root page of the reps table and of each of its indexes (all after page 1).

    The schema (page 1) stays intact, so the file still opens as a HipCoach history of this version.
    """
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [p for (p,) in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'reps'")]
        conn.execute("PRAGMA journal_mode = DELETE")  # no -wal beside it: the garbage is what is read
    finally:
        conn.close()
    assert pages and min(pages) > 1
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            f.write(bytes([0xA5, 0x0D]) * (page_size // 2))
    return pages


def one_sentence(text: str) -> None:
    assert text and "\n" not in text and "Traceback" not in text, text


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def held_by_another_process(path: Path, rollback_journal: bool = False):
    """Another process holds the history locked (BEGIN EXCLUSIVE with a write in it) until the block ends.

    Yields the process; after the block it commits its write and exits, so the caller can check
    that the write reached the file at ``path`` (that is: the file was not moved under it).
    """
    script = textwrap.dedent(f"""
        import sqlite3, sys
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        if {rollback_journal!r}:
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("INSERT INTO profiles (name, created_at) VALUES ('held', '2026-01-01T00:00:00+00:00')")
        print("locked", flush=True)
        sys.stdin.readline()
        conn.execute("COMMIT")
        conn.close()
        print("committed", flush=True)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
        yield proc
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "committed", proc.stderr.read()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def profile_names(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [n for (n,) in conn.execute("SELECT name FROM profiles ORDER BY id")]
    finally:
        conn.close()


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


def make_window(qtbot):
    from app.gui.main import _qt_environment

    _qt_environment()
    from app.gui.window import MainWindow

    win = MainWindow(model="lite", enable_speech=False, checkins=False)
    qtbot.addWidget(win)
    return win


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


# ---------------------------------------------------------------------------- two windows
def test_a_second_window_does_not_end_the_first_ones_session(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    first = make_window(qtbot)
    second = None
    try:
        assert first.store is not None and first.store.read_only is None
        recorder = SessionRecorder(first.store, first.profile_id)  # the first window's running session
        recorder.begin_set("squat", 10)
        recorder.take([rep_event(RepRecord(1, None, 0.5, 3.0, 95.0, None, []))])
        second = make_window(qtbot)
        assert second.store is not None and isinstance(second.store.read_only, HistoryInUse)
        assert "another HipCoach window is open" in second.history_banner.text()
        one_sentence(second.history_banner.text())
        assert "interrupted" not in second.statusBar().currentMessage()
        ((ended, reason),) = first.store.connection.execute(
            "SELECT ended_at, end_reason FROM sessions WHERE id = ?", (recorder.session_id,)
        ).fetchall()
        assert ended is None and reason is None  # still running
        with pytest.raises(HistoryInUse):  # nor can it delete what the first one is writing
            second.store.delete_all_data()
        assert second.show_progress().problem_text == ""  # it may still show the progress
        recorder.take([rep_event(RepRecord(2, None, 4.0, 6.5, 96.0, None, []))])  # the first goes on
        recorder.end_session("done")
    finally:
        if second is not None:
            second.coach.close()
        first.coach.close()
    third = make_window(qtbot)  # the first one closed: the next window saves again
    try:
        assert third.store.read_only is None and not third.history_banner.isVisibleTo(third)
        assert third.store.session_detail(recorder.session_id)["end_reason"] == "done"
    finally:
        third.coach.close()


def test_another_process_holding_the_folder_keeps_its_open_session(tmp_path):
    path = tmp_path / DB_NAME
    make_history(path, reps=1)
    script = textwrap.dedent(f"""
        import sys
        from app.coach.store import HistoryStore
        store = HistoryStore.open({str(path)!r})
        store.claim()
        store.start_session(store.ensure_profile())
        print("running", flush=True)
        sys.stdin.readline()
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "running", proc.stderr.read()
        opened = store_mod.open_for_window(path)
        try:
            assert isinstance(opened.problem, HistoryInUse) and opened.recovered == []
            with pytest.raises(HistoryInUse):
                opened.store.recover_interrupted()
        finally:
            opened.store.close()
        assert profile_names(path) == ["Me"]
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL").fetchone()[0] == 1
        conn.close()
    finally:
        proc.kill()
        proc.wait(10)
    # Killed: the operating system drops its lock, and the next start ends the session it left.
    opened = store_mod.open_for_window(path)
    try:
        assert opened.problem is None and len(opened.recovered) == 1
    finally:
        opened.store.close()


# ---------------------------------------------------------------------------- delete my data
def test_delete_my_data_removes_every_copy_the_app_made(tmp_path):
    path = tmp_path / DB_NAME
    path.write_bytes(b"not a database " * 100)
    path.with_name(DB_NAME + "-wal").write_bytes(b"old wal")
    first = move_aside(path)
    path.write_bytes(b"damaged again " * 100)
    second = move_aside(path)
    assert first != second and first.with_name(first.name + "-wal").exists()
    unrelated = tmp_path / "my-notes.txt"
    unrelated.write_text("the person's own file")
    store = HistoryStore.open(path)
    store.claim()
    store.add_pain(store.start_session(store.ensure_profile()), "before", 2)
    assert store.delete_all_data() == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-notes.txt"]


# ---------------------------------------------------------------------------- read-only medium
READ_ONLY_CHILD = textwrap.dedent("""
    import io, json, os, sys
    from contextlib import redirect_stderr
    from pathlib import Path
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    folder = Path(sys.argv[1])
    os.environ["HIPCOACH_DATA_DIR"] = str(folder)
    from app import cli
    from app.coach.store import HistoryStore, HistoryReadOnly
    out = {"writable": os.access(folder, os.W_OK)}
    try:
        HistoryStore.open(folder / "history.sqlite3")
        out["open"] = "opened for writing"
    except HistoryReadOnly as exc:
        out["open"] = "read_only: " + str(exc)
    err = io.StringIO()
    with redirect_stderr(err):
        out["report_code"] = cli.main(["report", "--out", sys.argv[2], "--data-dir", str(folder)])
    out["report_err"] = err.getvalue()
    from app.gui.main import _qt_environment
    _qt_environment()
    from PyQt6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from app.gui import coaching
    asked = []
    coaching.Coach._ask_fresh = lambda self, message: asked.append(message) or True
    from app.gui.window import MainWindow
    win = MainWindow(model="lite", enable_speech=False, checkins=False)
    out["asked"] = asked
    out["banner"] = win.history_banner.text()
    out["store_read_only"] = win.store is not None and win.store.read_only is not None
    out["reps"] = win.store.connection.execute("SELECT COUNT(*) FROM reps").fetchone()[0] if win.store else None
    out["progress_problem"] = win.show_progress().problem_text
    out["progress_empty"] = win.progress_page.is_empty
    win.coach.close()
    print(json.dumps(out))
""")


def run_on_read_only_folder(folder: Path, report: Path) -> dict:
    """Run READ_ONLY_CHILD with ``folder`` read-only: chmod 0500/0400 for a normal user; for root,
    whom chmod does not stop, a read-only bind mount of the folder in a private mount namespace."""
    child = [sys.executable, "-c", READ_ONLY_CHILD, str(folder), str(report)]
    if os.geteuid() != 0:
        for p in folder.iterdir():
            os.chmod(p, 0o400)
        os.chmod(folder, 0o500)
        try:
            result = subprocess.run(child, cwd=ROOT, capture_output=True, text=True, timeout=180)
        finally:
            os.chmod(folder, 0o700)
    else:
        unshare = shutil.which("unshare")
        if unshare is None:
            pytest.skip(
                "running as root, where chmod does not stop writes, and 'unshare' (for a read-only "
                "bind mount) is not installed"
            )
        quoted = " ".join(f"'{a}'" for a in child[3:])
        shell = (
            f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' && "
            f"exec '{sys.executable}' -c \"$CHILD\" {quoted}"
        )
        result = subprocess.run(
            [unshare, "-m", "sh", "-c", shell],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            env=dict(os.environ, CHILD=READ_ONLY_CHILD),
        )
        if result.returncode != 0 and "mount" in result.stderr and "permission denied" in result.stderr.lower():
            pytest.skip(
                "running as root without the right to mount (no CAP_SYS_ADMIN): cannot make a read-only folder here"
            )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_history_on_a_read_only_medium_reports_and_the_window_says_it_cannot_save(tmp_path):
    folder = tmp_path / "ro"
    make_history(folder / DB_NAME, reps=5)
    assert not (folder / (DB_NAME + "-wal")).exists()  # closed cleanly, as on a copied medium
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    out = run_on_read_only_folder(folder, report)
    assert out["writable"] is False
    assert out["open"].startswith("read_only: ") and "read-only" in out["open"]
    assert out["report_code"] == 0, out["report_err"]
    assert json.loads(report.read_text())["total_reps"] == 5
    assert out["asked"] == []  # a healthy history is not offered to be moved aside
    assert out["store_read_only"] and out["reps"] == 5
    assert "cannot be saved" in out["banner"] and "read-only" in out["banner"]
    one_sentence(out["banner"])
    assert out["progress_problem"] == "" and out["progress_empty"] is False  # the progress still shows
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing changed, nothing moved


def test_a_read_only_store_refuses_writes_with_its_reason(tmp_path):
    path = tmp_path / DB_NAME
    make_history(path, reps=2)
    store = HistoryStore.open(path, read_only=True)
    try:
        with pytest.raises(StoreError, match="reading only"):
            store.start_session(store.ensure_profile())
        with pytest.raises(StoreError, match="reading only"):
            store.delete_all_data()
        assert path.exists()
    finally:
        store.close()
