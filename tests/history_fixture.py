"""A hand-written training history for the progress and report tests.

Written with plain sqlite3 and the schema's migrations (not through the store), so the progress
code is checked against rows whose meaning is fixed here. Profile 1 ("Alex") trained on ten
days over two weeks; session ``k`` (0..9) is the k-th of them:

* pain before = 5 - k // 2, after = before - 1, except session 6 where pain rose by 2 (after =
  before + 2) and a sharp pain stopped the squat after 2 reps (set ended 'pain').
* set 1, glute bridge: ``6 + k // 3`` reps; rep i (from 1) peaks at ``160 + k`` for odd i and
  ``158 + k`` for even i; rep 1 holds 3.0 s with ``hold_short``, the others 5.0 s; in sessions
  0..4 rep 2 also has ``hips_low``. Session 3 has a second bridge set of 4 reps, same rules.
* set 2, straight leg raise (unilateral): 8 left reps peaking at 18.0, then ``8 - 2 * (k < 5)``
  right reps peaking at ``14.0 + 0.5 * k``; left holds 5.0 s; right holds 4.0 s with
  ``hold_short`` when k < 3, else 5.0 s; right rep 1 (the first right rep) has ``knee_bent``.
* set 3, squat: 5 reps, rep i with the knee at ``110 - 2 * k + (i - 1)`` at the bottom (the first
  rep deepest, and deeper each day), no hold, every rep ``shallow`` in sessions 0 and 1.
* session 0, set 1 also has a status span (out_of_frame 2.0-3.5 s) and a fault raised in a rep
  that did not count (too_fast, rep 99); session 9 starts at 23:50 and runs past midnight.

Also: an empty session (no sets) on a day between, and a second profile ("Sam") with 3 squats
on the first day, neither of which may show up in Alex's numbers or calendar.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from app.coach.schema import MIGRATIONS

TZ = timezone(timedelta(hours=1))
START = date(2026, 11, 2)  # a Monday
DAY_OFFSETS = (0, 1, 2, 4, 5, 7, 8, 10, 11, 12)  # the ten trained days, from START
TRAINED_DAYS = tuple(START + timedelta(days=o) for o in DAY_OFFSETS)
EMPTY_SESSION_DAY = START + timedelta(days=3)
PROFILE = 1
OTHER_PROFILE = 2
PAIN_SESSION = 6


def pain_before(k: int) -> int:
    return 5 - k // 2


def pain_after(k: int) -> int:
    return pain_before(k) + 2 if k == PAIN_SESSION else pain_before(k) - 1


def bridge_reps(k: int) -> int:
    return 6 + k // 3


def bridge_peak(k: int, i: int) -> float:
    return 160.0 + k if i % 2 else 158.0 + k


def slr_right_reps(k: int) -> int:
    return 8 - 2 * (k < 5)


def slr_right_peak(k: int) -> float:
    return 14.0 + 0.5 * k


def squat_reps(k: int) -> int:
    return 2 if k == PAIN_SESSION else 5


def squat_peak(k: int, i: int) -> float:
    return 110.0 - 2 * k + (i - 1)


@dataclass
class _Rep:
    side: str | None
    peak: float
    hold: float | None
    faults: list[str]


def _bridge_set(k: int, n: int) -> list[_Rep]:
    reps = []
    for i in range(1, n + 1):
        faults = []
        if i == 1:
            faults.append("hold_short")
        if i == 2 and k < 5:
            faults.append("hips_low")
        reps.append(_Rep(None, bridge_peak(k, i), 3.0 if i == 1 else 5.0, faults))
    return reps


def _slr_set(k: int) -> list[_Rep]:
    reps = [_Rep("left", 18.0, 5.0, []) for _ in range(8)]
    for i in range(1, slr_right_reps(k) + 1):
        faults = ["knee_bent"] if i == 1 else []
        hold = 5.0
        if k < 3:
            hold = 4.0
            faults.append("hold_short")
        reps.append(_Rep("right", slr_right_peak(k), hold, faults))
    return reps


def _squat_set(k: int) -> list[_Rep]:
    return [_Rep(None, squat_peak(k, i), None, ["shallow"] if k < 2 else []) for i in range(1, squat_reps(k) + 1)]


def create_schema(conn: sqlite3.Connection) -> None:
    """Bring an empty database to the current schema with the migrations, as the store would."""
    for version, step in enumerate(MIGRATIONS):
        conn.executescript(step)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    conn.commit()


class _Writer:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def profile(self, pid: int, name: str, at: datetime) -> None:
        self.conn.execute("INSERT INTO profiles (id, name, created_at) VALUES (?, ?, ?)", (pid, name, at.isoformat()))

    def session(self, pid: int, at: datetime, end: datetime, reason: str = "done") -> int:
        cur = self.conn.execute(
            "INSERT INTO sessions (profile_id, started_at, ended_at, end_reason) VALUES (?, ?, ?, ?)",
            (pid, at.isoformat(), end.isoformat(), reason),
        )
        return int(cur.lastrowid)

    def pain(self, sid: int, moment: str, score: int | None, at: datetime, exercise: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO pain_scores (session_id, moment, score, recorded_at, exercise) VALUES (?, ?, ?, ?, ?)",
            (sid, moment, score, at.isoformat(), exercise),
        )

    def set(
        self, sid: int, exercise: str, at: datetime, reps: list[_Rep], target: int | None, reason: str = "done"
    ) -> int:
        span_s = 8.0 * len(reps) + 2.0
        cur = self.conn.execute(
            "INSERT INTO sets (session_id, exercise, started_at, ended_at, target_reps, strictness, end_reason)"
            " VALUES (?, ?, ?, ?, ?, 'standard', ?)",
            (sid, exercise, at.isoformat(), (at + timedelta(seconds=span_s)).isoformat(), target, reason),
        )
        set_id = int(cur.lastrowid)
        for idx, rep in enumerate(reps, start=1):
            start_s = 8.0 * (idx - 1) + 1.0
            end_s = start_s + 7.0
            self.conn.execute(
                "INSERT INTO reps (set_id, idx, side, start_s, end_s, peak_angle_deg, hold_s, faults, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    set_id,
                    idx,
                    rep.side,
                    start_s,
                    end_s,
                    rep.peak,
                    rep.hold,
                    json.dumps(rep.faults),
                    (at + timedelta(seconds=end_s)).isoformat(),
                ),
            )
            for code in rep.faults:
                self.conn.execute(
                    "INSERT INTO faults (set_id, code, rep_idx, t_s, cue) VALUES (?, ?, ?, ?, ?)",
                    (set_id, code, idx, end_s - 1.0, f"cue for {code}"),
                )
        return set_id


def session_start(k: int) -> datetime:
    day = TRAINED_DAYS[k]
    hour, minute = (23, 50) if k == 9 else (8, 0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def write_history(conn: sqlite3.Connection) -> None:
    """Write the fixture history described in the module docstring into an empty database."""
    create_schema(conn)
    w = _Writer(conn)
    first = session_start(0) - timedelta(days=1)
    w.profile(PROFILE, "Alex <physio test> & co", first)
    w.profile(OTHER_PROFILE, "Sam", first)
    for k in range(len(TRAINED_DAYS)):
        at = session_start(k)
        sid = w.session(PROFILE, at, at + timedelta(minutes=30), "pain" if k == PAIN_SESSION else "done")
        w.pain(sid, "before", pain_before(k), at)
        set_at = at + timedelta(minutes=1)
        first_set = w.set(sid, "glute_bridge", set_at, _bridge_set(k, bridge_reps(k)), 10)
        if k == 0:
            conn.execute(
                "INSERT INTO status_spans (set_id, code, start_s, end_s) VALUES (?, 'out_of_frame', 2.0, 3.5)",
                (first_set,),
            )
            conn.execute(
                "INSERT INTO faults (set_id, code, rep_idx, t_s, cue) VALUES (?, 'too_fast', 99, 40.0, '')",
                (first_set,),
            )
        if k == 3:
            w.set(sid, "glute_bridge", set_at + timedelta(minutes=2), _bridge_set(k, 4), 10)
        w.set(sid, "straight_leg_raise", set_at + timedelta(minutes=5), _slr_set(k), 8)
        squat_at = set_at + timedelta(minutes=10)
        w.set(sid, "squat", squat_at, _squat_set(k), 5, "pain" if k == PAIN_SESSION else "done")
        if k == PAIN_SESSION:
            w.pain(sid, "sharp", None, squat_at + timedelta(seconds=20), "squat")
        w.pain(sid, "after", pain_after(k), at + timedelta(minutes=29))
    empty_at = datetime(EMPTY_SESSION_DAY.year, EMPTY_SESSION_DAY.month, EMPTY_SESSION_DAY.day, 9, 0, tzinfo=TZ)
    w.session(PROFILE, empty_at, empty_at + timedelta(minutes=1), "stopped")
    other = w.session(OTHER_PROFILE, session_start(0), session_start(0) + timedelta(minutes=5))
    w.set(other, "squat", session_start(0), [_Rep(None, 90.0, None, ["head_lowered"]) for _ in range(3)], 3)
    conn.commit()


def build_history(path: Path) -> Path:
    """Write the fixture history to a new database file at ``path``."""
    conn = sqlite3.connect(path)
    try:
        write_history(conn)
    finally:
        conn.close()
    return path
