"""Crash safety: a process killed (SIGKILL) mid-session loses no rep it had already counted.

A child (tests/crash_child.py) runs a generated squat clip through the real pipeline into the
history, saying each rep once it is written; the test kills it right after the second, reopens
the history as the next start of the app would, and checks against the clip's generator truth.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from app.coach.store import HistoryStore
from tests.conftest import sample_truth

ROOT = Path(__file__).resolve().parent.parent
KILL_AFTER = 2  # reps announced before the kill
LINE_TIMEOUT_S = 90.0


def _lines(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line.strip())
    out.put(None)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_killed_process_keeps_every_announced_rep(tmp_path):
    truth = sample_truth("squat_side_ok")
    assert truth["reps"] == 5
    data = tmp_path / "data"
    env = dict(os.environ, HIPCOACH_DATA_DIR=str(data))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_child", truth["path"], truth["exercise"]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    announced: list[tuple[int, float, float]] = []
    session_id = None
    try:
        while len(announced) < KILL_AFTER:
            try:
                line = lines.get(timeout=LINE_TIMEOUT_S)
            except queue.Empty:
                pytest.fail(f"no output from the child for {LINE_TIMEOUT_S} s")
            assert line is not None and line != "done", f"the child ended early: {proc.stderr.read()[-2000:]}"
            word, *rest = line.split()
            if word == "session":
                session_id = int(rest[0])
            elif word == "rep":
                announced.append((int(rest[0]), float(rest[1]), float(rest[2])))
        proc.send_signal(signal.SIGKILL)  # right after the second rep was committed
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    store = HistoryStore.open(data / "history.sqlite3")
    try:
        conn = store.connection
        ((sid, ended),) = conn.execute("SELECT id, ended_at FROM sessions").fetchall()
        assert sid == session_id and ended is None  # the dead process could not end it
        reps = conn.execute("SELECT idx, start_s, end_s, recorded_at FROM reps ORDER BY idx").fetchall()
        # Every announced rep is there as announced; the child may have written one more before the
        # signal landed, but it was killed mid-clip, so never all five.
        assert [r[:3] for r in reps[: len(announced)]] == announced
        assert [r[0] for r in reps] == list(range(1, len(reps) + 1))
        assert KILL_AFTER <= len(reps) < truth["reps"]
        for (idx, start_s, end_s, _), expected in zip(reps, truth["reps_detail"]):
            assert idx == expected["index"]
            assert abs(end_s - expected["end_s"]) < 1.0 and start_s < end_s

        assert store.recover_interrupted() == [session_id]
        ended, reason = conn.execute("SELECT ended_at, end_reason FROM sessions").fetchone()
        assert reason == "interrupted"
        assert conn.execute("SELECT end_reason FROM sets").fetchall() == [("interrupted",)]
        # It ended when its last rep was written (or later: a fault after it), not at reopening.
        last_rep_at = datetime.fromisoformat(reps[-1][3])
        assert 0 <= (datetime.fromisoformat(ended) - last_rep_at).total_seconds() < 5
        assert store.recover_interrupted() == []
    finally:
        store.close()
