"""Progress from the history database: per exercise and day, per session, and the calendar.

Every function takes an open :class:`sqlite3.Connection` (the store's, or a read-only one) and
only reads. Days are the first ten characters of the session's local ISO start time, so a
session that runs past midnight stays whole on the day it began. ``since`` and ``until`` are
inclusive dates. Faults are counted from the counted reps' own fault lists, so "faults per rep"
never includes a movement that did not count.

Range of motion is the rep's peak of the counting signal in its natural units. For most
exercises more is better; for the squat (``direction = -1``, knee angle) a *smaller* peak is a
deeper squat, so "best" means the smallest there: see :func:`best_peak`. The rows and summaries
returned are the frozen values of :mod:`app.coach.store.progress_values`.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from statistics import fmean

from app.coach.store.progress_values import (
    Asymmetry,
    DayStat,
    FaultRow,
    PainTrend,
    RepRow,
    Screening,
    SessionDetail,
    SessionSummary,
    SetDetail,
    SpanRow,
    asymmetry_ratio,
)
from exercises.registry import get_exercise

SIDES = ("left", "right")


# ----------------------------------------------------------------------------- small rules


def direction(exercise: str) -> int:
    """+1 when a larger peak is a bigger movement, -1 when smaller is (the squat's knee angle)."""
    try:
        return get_exercise(exercise).direction
    except ValueError:
        return 1  # an id from a newer version: assume the usual way round


def title(exercise: str) -> str:
    """The exercise's readable title (the id itself for an id this version does not know)."""
    try:
        return get_exercise(exercise).title
    except ValueError:
        return exercise


def best_peak(exercise: str, peaks: Iterable[float]) -> float | None:
    """The biggest movement among ``peaks``: the largest, or for the squat the smallest angle."""
    values = list(peaks)
    if not values:
        return None
    return max(values) if direction(exercise) > 0 else min(values)


def _mean(values: Sequence[float]) -> float | None:
    return fmean(values) if values else None


def _day(iso: str) -> date:
    return date.fromisoformat(iso[:10])


# ----------------------------------------------------------------------------- queries


def _session_filter(
    profile_id: int | None, since: date | None, until: date | None, session_id: int | None
) -> tuple[str, list[object]]:
    where, params = [], []
    if profile_id is not None:
        where.append("s.profile_id = ?")
        params.append(profile_id)
    if since is not None:
        where.append("substr(s.started_at, 1, 10) >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("substr(s.started_at, 1, 10) <= ?")
        params.append(until.isoformat())
    if session_id is not None:
        where.append("s.id = ?")
        params.append(session_id)
    return (" AND ".join(where) or "1"), params


# SQL twin of SessionSummary.failed_start, on the session aliased ``s``.
_FAILED_START_SQL = """(NOT EXISTS (SELECT 1 FROM sets fs JOIN reps fr ON fr.set_id = fs.id WHERE fs.session_id = s.id)
    AND NOT EXISTS (SELECT 1 FROM pain_scores fp WHERE fp.session_id = s.id
                    AND (fp.moment = 'sharp' OR (fp.moment = 'after' AND fp.score IS NOT NULL)))
    AND (s.end_reason IS NULL OR s.end_reason = 'interrupted'
         OR NOT EXISTS (SELECT 1 FROM sets fs2 WHERE fs2.session_id = s.id)))"""


def rep_rows(
    conn: sqlite3.Connection,
    profile_id: int | None,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
    exercise: str | None = None,
) -> list[RepRow]:
    """Every counted rep in the range, in session, set and rep order."""
    where, params = _session_filter(profile_id, since, until, session_id)
    if exercise is not None:
        where += " AND st.exercise = ?"
        params.append(exercise)
    rows = conn.execute(
        f"""SELECT s.id, st.id, st.exercise, s.started_at, r.idx, r.side, r.start_s, r.end_s,
                   r.peak_angle_deg, r.hold_s, r.faults, r.recorded_at
            FROM sessions s JOIN sets st ON st.session_id = s.id JOIN reps r ON r.set_id = st.id
            WHERE {where} ORDER BY s.started_at, s.id, st.started_at, st.id, r.idx""",
        params,
    ).fetchall()
    return [
        RepRow(
            session_id=sid,
            set_id=set_id,
            exercise=ex,
            day=_day(started),
            index=idx,
            side=side,
            start_s=start_s,
            end_s=end_s,
            peak_angle_deg=peak,
            hold_s=hold,
            faults=tuple(json.loads(faults or "[]")),
            recorded_at=recorded,
        )
        for sid, set_id, ex, started, idx, side, start_s, end_s, peak, hold, faults, recorded in rows
    ]


def session_rows(conn: sqlite3.Connection, session_id: int) -> list[RepRow]:
    """Every counted rep of one session."""
    return rep_rows(conn, None, session_id=session_id)


def sessions(
    conn: sqlite3.Connection,
    profile_id: int | None,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
) -> list[SessionSummary]:
    """The sessions in the range, oldest first, with their set and rep counts and pain scores."""
    where, params = _session_filter(profile_id, since, until, session_id)
    rows = conn.execute(
        f"""SELECT s.id, s.profile_id, s.started_at, s.ended_at, s.end_reason,
                   (SELECT count(*) FROM sets st WHERE st.session_id = s.id),
                   (SELECT count(*) FROM sets st JOIN reps r ON r.set_id = st.id WHERE st.session_id = s.id)
            FROM sessions s WHERE {where} ORDER BY s.started_at, s.id""",
        params,
    ).fetchall()
    pains: dict[int, list[tuple[str, int | None, str | None]]] = defaultdict(list)
    ids = [row[0] for row in rows]
    for chunk_start in range(0, len(ids), 500):  # keep under SQLite's bound-parameter limit
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        for sid, moment, score, exercise in conn.execute(
            f"SELECT session_id, moment, score, exercise FROM pain_scores WHERE session_id IN ({marks}) "
            "ORDER BY recorded_at, id",
            chunk,
        ):
            pains[sid].append((moment, score, exercise))
    result = []
    for sid, pid, started, ended, reason, n_sets, n_reps in rows:
        entries = pains.get(sid, [])
        before = [score for moment, score, _ in entries if moment == "before" and score is not None]
        after = [score for moment, score, _ in entries if moment == "after" and score is not None]
        result.append(
            SessionSummary(
                id=sid,
                profile_id=pid,
                day=_day(started),
                started_at=started,
                ended_at=ended,
                end_reason=reason,
                sets=n_sets,
                reps=n_reps,
                pain_before=before[0] if before else None,
                pain_after=after[-1] if after else None,
                sharp_pain=tuple(ex for moment, _, ex in entries if moment == "sharp"),
            )
        )
    return result


def trained_sessions(
    conn: sqlite3.Connection, profile_id: int | None, since: date | None = None, until: date | None = None
) -> list[SessionSummary]:
    """:func:`sessions` without the ones that failed to start (:attr:`SessionSummary.failed_start`)."""
    return [s for s in sessions(conn, profile_id, since, until) if not s.failed_start]


def session_detail(conn: sqlite3.Connection, session_id: int) -> SessionDetail:
    """A session with its sets, reps, faults and status spans; ``LookupError`` if there is none."""
    found = sessions(conn, None, session_id=session_id)
    if not found:
        raise LookupError(f"no session {session_id} in the history")
    reps_by_set: dict[int, list[RepRow]] = defaultdict(list)
    for rep in session_rows(conn, session_id):
        reps_by_set[rep.set_id].append(rep)
    set_rows = conn.execute(
        """SELECT id, exercise, started_at, ended_at, target_reps, strictness, end_reason
           FROM sets WHERE session_id = ? ORDER BY started_at, id""",
        (session_id,),
    ).fetchall()
    details = []
    for number, (set_id, ex, started, ended, target, strictness, reason) in enumerate(set_rows, start=1):
        faults = tuple(
            FaultRow(code, rep_idx, t_s, cue or "")
            for code, rep_idx, t_s, cue in conn.execute(
                "SELECT code, rep_idx, t_s, cue FROM faults WHERE set_id = ? ORDER BY t_s, id", (set_id,)
            )
        )
        spans = tuple(
            SpanRow(code, start_s, end_s)
            for code, start_s, end_s in conn.execute(
                "SELECT code, start_s, end_s FROM status_spans WHERE set_id = ? ORDER BY start_s, id", (set_id,)
            )
        )
        details.append(
            SetDetail(
                id=set_id,
                session_id=session_id,
                number=number,
                exercise=ex,
                started_at=started,
                ended_at=ended,
                target_reps=target,
                strictness=strictness,
                end_reason=reason,
                reps=tuple(reps_by_set.get(set_id, ())),
                faults=faults,
                spans=spans,
            )
        )
    return SessionDetail(found[0], tuple(details))


def daily_stats(
    conn: sqlite3.Connection,
    profile_id: int | None,
    exercise: str | None = None,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
) -> list[DayStat]:
    """Per exercise and day: sets, reps (and per side), hold, peak, faults; by day, then exercise order.

    A day with a set but no counted rep (stopped for pain, say) appears with ``reps == 0``; a session
    that failed to start (:attr:`SessionSummary.failed_start`) does not count at all.
    """
    where, params = _session_filter(profile_id, since, until, session_id)
    where += f" AND NOT {_FAILED_START_SQL}"
    if exercise is not None:
        where += " AND st.exercise = ?"
        params.append(exercise)
    set_counts: dict[tuple[date, str], int] = defaultdict(int)
    for started, ex in conn.execute(
        f"SELECT s.started_at, st.exercise FROM sessions s JOIN sets st ON st.session_id = s.id WHERE {where}",
        params,
    ):
        set_counts[(_day(started), ex)] += 1
    reps: dict[tuple[date, str], list[RepRow]] = defaultdict(list)
    for rep in rep_rows(conn, profile_id, since, until, session_id, exercise):
        reps[(rep.day, rep.exercise)].append(rep)
    order = _exercise_order()
    keys = sorted(set_counts, key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))
    return [_day_stat(day, ex, set_counts[(day, ex)], reps.get((day, ex), [])) for day, ex in keys]


def _day_stat(day: date, exercise: str, n_sets: int, reps: list[RepRow]) -> DayStat:
    holds = [r.hold_s for r in reps if r.hold_s is not None]
    peaks = [r.peak_angle_deg for r in reps if r.peak_angle_deg is not None]
    by_side = {side: [r for r in reps if r.side == side] for side in SIDES}
    side_peaks = {
        side: [r.peak_angle_deg for r in rows if r.peak_angle_deg is not None] for side, rows in by_side.items()
    }
    n_faults = sum(len(r.faults) for r in reps)
    return DayStat(
        day=day,
        exercise=exercise,
        sets=n_sets,
        reps=len(reps),
        reps_left=len(by_side["left"]),
        reps_right=len(by_side["right"]),
        hold_s_mean=_mean(holds),
        hold_s_total=float(sum(holds)),
        peak_deg_mean=_mean(peaks),
        peak_deg_best=best_peak(exercise, peaks),
        peak_deg_left_mean=_mean(side_peaks["left"]),
        peak_deg_right_mean=_mean(side_peaks["right"]),
        faults=n_faults,
        fault_rate=n_faults / len(reps) if reps else None,
    )


def _exercise_order() -> dict[str, int]:
    from exercises.registry import EXERCISE_IDS

    return {ex: i for i, ex in enumerate(EXERCISE_IDS)}


def days_trained(
    conn: sqlite3.Connection, profile_id: int | None, since: date | None = None, until: date | None = None
) -> set[date]:
    """The calendar days with at least one counted rep (a session opened and closed at once is not training)."""
    where, params = _session_filter(profile_id, since, until, None)
    rows = conn.execute(
        f"""SELECT DISTINCT substr(s.started_at, 1, 10) FROM sessions s
            WHERE {where} AND EXISTS (SELECT 1 FROM sets st JOIN reps r ON r.set_id = st.id
                                      WHERE st.session_id = s.id)""",
        params,
    ).fetchall()
    return {date.fromisoformat(day) for (day,) in rows}


def asymmetry(
    conn: sqlite3.Connection,
    profile_id: int | None,
    exercise: str | None = None,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
) -> list[Asymmetry]:
    """Left against right over the whole range, for each exercise that has reps with a side."""
    by_ex: dict[str, list[RepRow]] = defaultdict(list)
    for rep in rep_rows(conn, profile_id, since, until, session_id, exercise):
        if rep.side in SIDES:
            by_ex[rep.exercise].append(rep)
    order = _exercise_order()
    result = []
    for ex in sorted(by_ex, key=lambda e: (order.get(e, len(order)), e)):
        left = [r for r in by_ex[ex] if r.side == "left"]
        right = [r for r in by_ex[ex] if r.side == "right"]
        peak_l = _mean([r.peak_angle_deg for r in left if r.peak_angle_deg is not None])
        peak_r = _mean([r.peak_angle_deg for r in right if r.peak_angle_deg is not None])
        result.append(
            Asymmetry(
                exercise=ex,
                reps_left=len(left),
                reps_right=len(right),
                count_asymmetry=asymmetry_ratio(len(left), len(right)),
                peak_deg_left_mean=peak_l,
                peak_deg_right_mean=peak_r,
                peak_asymmetry=asymmetry_ratio(peak_l, peak_r),
            )
        )
    return result


def profile_name(conn: sqlite3.Connection, profile_id: int) -> str | None:
    """The profile's name, or None if there is no such profile."""
    row = conn.execute("SELECT name FROM profiles WHERE id = ?", (profile_id,)).fetchone()
    return None if row is None else row[0]


def days_in_month(trained: Iterable[date], year: int, month: int, until: date | None = None) -> int:
    """How many of ``trained`` fall in ``year``-``month`` (and on or before ``until`` when given)."""
    return sum(1 for d in trained if (d.year, d.month) == (year, month) and (until is None or d <= until))


def pain_trend(summaries: Sequence[SessionSummary], stop_rise: int = 2) -> PainTrend:
    """The pain trend of ``summaries`` (oldest first)."""
    befores = [s.pain_before for s in summaries if s.pain_before is not None]
    changes = [s.pain_change for s in summaries if s.pain_change is not None]
    return PainTrend(
        sessions=len(changes),
        first_before=befores[0] if befores else None,
        last_before=befores[-1] if befores else None,
        eased=sum(1 for c in changes if c < 0),
        same=sum(1 for c in changes if c == 0),
        rose=sum(1 for c in changes if c > 0),
        rose_by_stop=sum(1 for c in changes if c >= stop_rise),
        sharp=sum(1 for s in summaries if s.sharp_pain),
        mean_change=_mean([float(c) for c in changes]),
    )


def screenings(
    conn: sqlite3.Connection, profile_id: int, since: date | None = None, until: date | None = None
) -> list[Screening]:
    """The warning-sign screenings answered in the range, oldest first (unreadable answers left out)."""
    where, params = ["profile_id = ?"], [profile_id]
    if since is not None:
        where.append("substr(answered_at, 1, 10) >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("substr(answered_at, 1, 10) <= ?")
        params.append(until.isoformat())
    result = []
    for at, answers in conn.execute(
        f"SELECT answered_at, answers FROM screenings WHERE {' AND '.join(where)} ORDER BY answered_at, id", params
    ):
        try:
            parsed = json.loads(answers)
        except (TypeError, ValueError):
            continue
        if isinstance(parsed, dict):
            result.append(Screening(at, tuple(k for k, v in parsed.items() if v), len(parsed)))
    return result
