"""Issue 11, the history part (continued): a history shared by two windows or another process, deleted
on request, or on a read-only medium is never lost (tests/test_history_trust.py: private, damaged, busy).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.coach import store as store_mod  # noqa: E402
from app.coach.recorder import SessionRecorder  # noqa: E402
from app.coach.store import (  # noqa: E402
    DB_NAME,
    HistoryInUse,
    HistoryStore,
    StoreError,
    move_aside,
)
from exercises.events import RepRecord  # noqa: E402
from tests.history_trust_helpers import (  # noqa: E402
    ROOT,
    make_history,
    make_window,
    one_sentence,
    profile_names,
    rep_event,
)


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch):
    """A modal box would wait for a click forever offscreen: record what would be shown instead."""
    shown: list[str] = []
    monkeypatch.setattr("app.gui.window.MainWindow.error", lambda self, text: shown.append(text))
    monkeypatch.setattr("app.gui.coaching.Coach._ask_fresh", lambda self, message: shown.append(message) or False)
    return shown


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
