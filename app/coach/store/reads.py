"""Reading the history: settings, safety answers, calibrations, sessions in detail.

A mixin of :class:`~app.coach.store.history.HistoryStore` (it needs only ``connection``); reads let
``sqlite3.Error`` through, :func:`~app.coach.store.errors.explain` words them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any


def parse_time(text: str) -> datetime:
    """A stored timestamp (ISO 8601 with its UTC offset) as an aware datetime."""
    return datetime.fromisoformat(text)


def _json_or_none(text: str | None) -> Any:
    try:
        return json.loads(text) if text is not None else None
    except (TypeError, ValueError):
        return None


def database_file(conn: sqlite3.Connection) -> str | None:
    """The file this connection reads ('' or None for an in-memory database)."""
    try:
        rows = conn.execute("PRAGMA database_list").fetchall()
    except sqlite3.Error:
        return None
    return next((r[2] for r in rows if r[1] == "main"), None) or None


class HistoryReads:
    """The reading half of the store."""

    connection: sqlite3.Connection

    # ------------------------------------------------------------------ profiles
    def record_counts(self) -> dict[str, int]:
        """How many sessions, reps, pain scores and screening answers the history holds ("Delete my data")."""
        tables = ("sessions", "reps", "pain_scores", "screenings")  # fixed names, never from input
        return {t: int(self.connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}

    def first_profile(self) -> int | None:
        """The first profile's id (the one the app uses), None in an empty history."""
        row = self.connection.execute("SELECT id FROM profiles ORDER BY id LIMIT 1").fetchone()
        return None if row is None else int(row[0])

    def session_profile(self, session_id: int) -> int:
        """The profile a session belongs to; LookupError when there is no such session."""
        row = self.connection.execute("SELECT profile_id FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise LookupError(f"there is no session {session_id} in this history")
        return int(row[0])

    def profile_settings(self, profile_id: int) -> dict:
        """The profile's coaching settings (routine, strictness, overrides, ...); {} if unreadable."""
        row = self.connection.execute("SELECT settings FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        if row is None:
            raise LookupError(f"no profile {profile_id}")
        try:
            settings = json.loads(row[0] or "{}")
        except json.JSONDecodeError:
            return {}  # a damaged settings text: defaults, not a crash
        return settings if isinstance(settings, dict) else {}

    # ------------------------------------------------------------------ safety and calibration
    def safety_history(self, profile_id: int) -> list[dict]:
        """Every screening (``kind`` 'screening': ``at``, ``answers``, ``blocks``) and confirmation
        (``kind`` 'clearance': ``at``, ``reason``, ``signs``) of the profile, oldest first; ``at`` is
        an aware datetime. A screening whose answers cannot be read is left out (the questions are
        then asked again); a damaged ``blocks`` reads as every "yes" of its answers."""
        out: list[dict] = []
        for row_id, at, answers, blocks in self.connection.execute(
            "SELECT id, answered_at, answers, blocks FROM screenings WHERE profile_id = ? ORDER BY id", (profile_id,)
        ):
            parsed, stopped = _json_or_none(answers), _json_or_none(blocks)
            if not isinstance(parsed, dict):
                continue
            if not isinstance(stopped, list):
                stopped = [k for k, v in parsed.items() if v]
            out.append(
                {"kind": "screening", "at": parse_time(at), "answers": parsed, "blocks": stopped, "_order": 2 * row_id}
            )
        for at, reason, signs, screening_id in self.connection.execute(
            "SELECT cleared_at, reason, signs, screening_id FROM safety_clearances WHERE profile_id = ? ORDER BY id",
            (profile_id,),
        ):
            parsed = _json_or_none(signs)
            out.append(
                {
                    "kind": "clearance",
                    "at": parse_time(at),
                    "reason": reason,
                    "signs": parsed if isinstance(parsed, list) else [],
                    "_order": 2 * (screening_id or 0) + 1,
                }
            )  # just after the screening it answers
        out.sort(key=lambda r: (r["at"], r["_order"]))
        return [{k: v for k, v in r.items() if k != "_order"} for r in out]

    def last_screening(self, profile_id: int) -> tuple[datetime, dict[str, bool]] | None:
        """When the warning-sign questions were last answered (aware datetime) and the answers."""
        row = self.connection.execute(
            "SELECT answered_at, answers FROM screenings WHERE profile_id = ? ORDER BY id DESC LIMIT 1", (profile_id,)
        ).fetchone()
        return None if row is None else (parse_time(row[0]), json.loads(row[1]))

    def calibration(self, profile_id: int, exercise: str) -> tuple[float, float | None] | None:
        """The person's own range for an exercise: (peak_deg, rest_deg), None before it was measured."""
        row = self.connection.execute(
            "SELECT peak_deg, rest_deg FROM calibrations WHERE profile_id = ? AND exercise = ?", (profile_id, exercise)
        ).fetchone()
        return None if row is None else (float(row[0]), None if row[1] is None else float(row[1]))

    # ------------------------------------------------------------------ sessions
    def programme_start(self, profile_id: int) -> date | None:
        """The day of the profile's first session (its local calendar day), None before any."""
        row = self.connection.execute(
            "SELECT MIN(started_at) FROM sessions WHERE profile_id = ?", (profile_id,)
        ).fetchone()
        return None if row is None or row[0] is None else date.fromisoformat(row[0][:10])

    def last_session(self, profile_id: int | None) -> tuple[int, str] | None:
        """The newest session of the profile: (id, started_at), or None before the first one."""
        row = self.connection.execute(
            "SELECT id, started_at FROM sessions WHERE profile_id = ? ORDER BY started_at DESC, id DESC LIMIT 1",
            (profile_id,),
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def reps_in_sessions(self, session_ids: Iterable[int]) -> int:
        """How many reps the given sessions hold (what ``recover_interrupted`` kept)."""
        ids = [int(i) for i in session_ids]
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        (reps,) = self.connection.execute(
            f"SELECT COUNT(*) FROM reps JOIN sets ON sets.id = reps.set_id WHERE sets.session_id IN ({marks})", ids
        ).fetchone()
        return int(reps)

    def session_detail(self, session_id: int) -> dict:
        """One session with its sets (each with reps, faults, status spans) and pain scores."""
        conn = self.connection
        row = conn.execute(
            "SELECT id, profile_id, started_at, ended_at, end_reason FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"no session {session_id}")
        detail = dict(zip(("id", "profile_id", "started_at", "ended_at", "end_reason"), row))
        set_keys = ("id", "exercise", "started_at", "ended_at", "target_reps", "strictness", "end_reason")
        sets = [
            dict(zip(set_keys, r))
            for r in conn.execute(
                f"SELECT {', '.join(set_keys)} FROM sets WHERE session_id = ? ORDER BY id", (session_id,)
            )
        ]
        for s in sets:
            s["reps"] = [
                {
                    "index": idx,
                    "side": side,
                    "start_s": a,
                    "end_s": b,
                    "peak_angle_deg": peak,
                    "hold_s": hold,
                    "faults": json.loads(faults or "[]"),
                    "recorded_at": recorded,
                }
                for idx, side, a, b, peak, hold, faults, recorded in conn.execute(
                    "SELECT idx, side, start_s, end_s, peak_angle_deg, hold_s, faults, recorded_at FROM reps"
                    " WHERE set_id = ? ORDER BY idx",
                    (s["id"],),
                )
            ]
            s["faults"] = [
                {"code": c, "rep": r, "t_s": t, "cue": cue}
                for c, r, t, cue in conn.execute(
                    "SELECT code, rep_idx, t_s, cue FROM faults WHERE set_id = ? ORDER BY t_s, id", (s["id"],)
                )
            ]
            s["status"] = [
                {"code": c, "start_s": a, "end_s": b}
                for c, a, b in conn.execute(
                    "SELECT code, start_s, end_s FROM status_spans WHERE set_id = ? ORDER BY start_s, id", (s["id"],)
                )
            ]
        detail["sets"] = sets
        detail["pain"] = [
            {"moment": m, "score": sc, "exercise": ex, "recorded_at": at}
            for m, sc, ex, at in conn.execute(
                "SELECT moment, score, exercise, recorded_at FROM pain_scores WHERE session_id = ? ORDER BY id",
                (session_id,),
            )
        ]
        return detail
