"""Helpers for the history-trust tests: real histories, real damage, a real lock in another process."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.coach.recorder import SessionRecorder  # noqa: E402
from app.coach.store import HistoryStore  # noqa: E402
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


def make_window(qtbot):
    from app.gui.main import _qt_environment

    _qt_environment()
    from app.gui.window import MainWindow

    win = MainWindow(model="lite", enable_speech=False, checkins=False)
    qtbot.addWidget(win)
    return win
