"""Crash safety: the window killed mid-session (SIGKILL) loses no rep that was already counted.

The GUI runs in a subprocess (offscreen, a generated clip as the camera, the lite model, no
check-in dialogs); the test reads the history read-only while it runs, kills it once two reps
are on disk, then reopens the history as the next start of the app would.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import sample_truth

ROOT = Path(__file__).resolve().parent.parent


def reps_on_disk(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
        try:
            return conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or being migrated
        return 0


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_killed_mid_session_keeps_every_counted_rep(tmp_path, qtbot, monkeypatch):
    truth = sample_truth("squat_side_fast")
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HIPCOACH_NO_CHECKIN="1")
    env.pop("HIPCOACH_DATA_DIR", None)  # --data-dir must be enough
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "--source",
            truth["path"],
            "--exercise",
            truth["exercise"],
            "--model",
            "lite",
            "--mute",
            "--data-dir",
            str(data),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    db = data / "history.sqlite3"
    try:
        deadline = time.monotonic() + 90
        while reps_on_disk(db) < 2:
            assert proc.poll() is None, f"the window exited early: {proc.stderr.read().decode()[-2000:]}"
            assert time.monotonic() < deadline, "two reps never reached the history"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()
    counted = reps_on_disk(db)
    assert 2 <= counted < truth["reps"]  # killed mid-clip
    # A copy, for the window's own start below (the database with its write-ahead log).
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in data.iterdir():
        shutil.copy2(f, copy / f.name)

    from app.coach.store import HistoryStore

    store = HistoryStore.open(db)
    try:
        conn = store.connection
        ((session_id, ended),) = conn.execute("SELECT id, ended_at FROM sessions").fetchall()
        assert ended is None  # the dead process could not close it
        recovered = store.recover_interrupted()
        assert session_id in recovered
        assert conn.execute("SELECT end_reason FROM sessions").fetchone()[0] == "interrupted"
        assert conn.execute("SELECT end_reason FROM sets").fetchone()[0] == "interrupted"
        reps = conn.execute("SELECT idx, end_s FROM reps ORDER BY idx").fetchall()
        assert [idx for idx, _ in reps] == list(range(1, counted + 1))
        for (_, end_s), expected in zip(reps, truth["reps_detail"]):
            assert abs(end_s - expected["end_s"]) < 1.0
        assert store.recover_interrupted() == []  # once only
    finally:
        store.close()

    # The next start of the window says so.
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(copy))
    from app.gui.main import _qt_environment

    _qt_environment()
    from app.gui.window import MainWindow

    window = MainWindow(model="lite", enable_speech=False)
    qtbot.addWidget(window)
    try:
        assert (
            f"Your last session was interrupted; the {counted} reps counted were kept"
            in window.statusBar().currentMessage()
        )
    finally:
        window.coach.close()
