"""Every write into the history: settings, sessions, sets, each rep as it is counted, pain, screening.

A mixin of :class:`~app.coach.store.history.HistoryStore`: each method is one statement (or two)
through the store's ``_write``, committed before it returns (the connection runs in autocommit
mode), so a crash loses nothing already written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from exercises.events import FaultRecord, RepRecord, StatusInterval

PAIN_MOMENTS = ("before", "after", "sharp")
CLEARANCE_REASONS = ("doctor", "gone")


def now_iso() -> str:
    """Local time with its UTC offset, to the second (the schema's timestamp format)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


class HistoryWrites:
    """The writing half of the store; the store gives ``connection`` and ``_write``."""

    connection: sqlite3.Connection

    def _write(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        raise NotImplementedError  # the store's: one statement, committed at once

    def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One INSERT, committed at once; the new row's id."""
        row_id = self._write(sql, params).lastrowid
        if row_id is None:  # never for an INSERT into the history's tables (all have rowids)
            raise RuntimeError(f"no row id after {sql.split('(')[0].strip()}")
        return row_id

    # ------------------------------------------------------------------ profiles
    def save_profile_settings(self, profile_id: int, settings: dict) -> None:
        """Replace the profile's settings (a JSON-serialisable dict)."""
        text = json.dumps(settings, sort_keys=True)
        if self._write("UPDATE profiles SET settings = ? WHERE id = ?", (text, profile_id)).rowcount == 0:
            raise LookupError(f"no profile {profile_id}")

    # ------------------------------------------------------------------ sessions and sets
    def start_session(self, profile_id: int) -> int:
        return self._insert("INSERT INTO sessions (profile_id, started_at) VALUES (?, ?)", (profile_id, now_iso()))

    def end_session(self, session_id: int, reason: str) -> None:
        """End the session (and any set still open in it, with the same reason)."""
        ended = now_iso()
        self._write(
            "UPDATE sets SET ended_at = ?, end_reason = ? WHERE session_id = ? AND ended_at IS NULL",
            (ended, reason, session_id),
        )
        self._write(
            "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
            (ended, reason, session_id),
        )

    def start_set(self, session_id: int, exercise: str, target_reps: int | None, strictness: str = "standard") -> int:
        return self._insert(
            "INSERT INTO sets (session_id, exercise, started_at, target_reps, strictness) VALUES (?, ?, ?, ?, ?)",
            (session_id, exercise, now_iso(), target_reps, strictness),
        )

    def end_set(self, set_id: int, reason: str) -> None:
        """End a set: 'done', 'stopped', 'pain', 'skipped', 'interrupted'. Ending twice keeps the first."""
        self._write(
            "UPDATE sets SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
            (now_iso(), reason, set_id),
        )

    def add_rep(self, set_id: int, rep: RepRecord) -> None:
        """Write one counted rep (its fault list too, which the progress counts come from)."""
        self._write(
            "INSERT INTO reps (set_id, idx, side, start_s, end_s, peak_angle_deg, hold_s, faults, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                set_id,
                rep.index,
                rep.side,
                rep.start_s,
                rep.end_s,
                rep.peak_angle_deg,
                rep.hold_s,
                json.dumps(list(rep.faults)),
                now_iso(),
            ),
        )

    def take_back_reps(self, set_id: int, from_index: int) -> int:
        """Remove the set's reps numbered ``from_index`` and after, with the faults raised for them (a
        rep's hold is its own column); both or neither. Auto counted them under this set, but they were the
        next exercise's first movements. Returns how many reps were removed."""
        self._write("BEGIN IMMEDIATE")
        try:
            self._write("DELETE FROM faults WHERE set_id = ? AND rep_idx >= ?", (set_id, from_index))
            removed = self._write("DELETE FROM reps WHERE set_id = ? AND idx >= ?", (set_id, from_index)).rowcount
            self._write("COMMIT")
        except BaseException:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise
        return removed

    def add_fault(self, set_id: int, fault: FaultRecord) -> None:
        self._write(
            "INSERT INTO faults (set_id, code, rep_idx, t_s, cue) VALUES (?, ?, ?, ?, ?)",
            (set_id, fault.code, fault.rep, fault.t_s, fault.cue or ""),
        )

    def add_status_span(self, set_id: int, span: StatusInterval) -> None:
        self._write(
            "INSERT INTO status_spans (set_id, code, start_s, end_s) VALUES (?, ?, ?, ?)",
            (set_id, span.code, span.start_s, span.end_s),
        )

    def open_status_span(self, set_id: int, code: str, start_s: float) -> int:
        """A "not counting" span as it starts (``end_s`` NULL until :meth:`close_status_span`), so a
        crash keeps it; readers show an open span as lasting to the end of its set."""
        return self._insert(
            "INSERT INTO status_spans (set_id, code, start_s) VALUES (?, ?, ?)", (set_id, code, start_s)
        )

    def close_status_span(self, span_id: int, end_s: float) -> None:
        self._write("UPDATE status_spans SET end_s = ? WHERE id = ? AND end_s IS NULL", (end_s, span_id))

    def add_pain(self, session_id: int, moment: str, score: int | None, exercise: str | None = None) -> None:
        """A pain score 0-10 ``before``/``after`` the session, or a ``sharp`` stop (score may be None)."""
        if moment not in PAIN_MOMENTS:
            raise ValueError(f"pain moment must be one of {PAIN_MOMENTS}, got {moment!r}")
        if score is not None and not 0 <= score <= 10:
            raise ValueError(f"pain score must be 0-10, got {score}")
        self._write(
            "INSERT INTO pain_scores (session_id, moment, score, recorded_at, exercise) VALUES (?, ?, ?, ?, ?)",
            (session_id, moment, score, now_iso(), exercise),
        )

    # ------------------------------------------------------------------ screening and calibration
    def add_screening(self, profile_id: int, answers: dict[str, bool], blocks: Iterable[str] | None = None) -> int:
        """The warning-sign answers; ``blocks``: the signs that stop exercise (the safety rules
        decide; default every "yes"). Returns the row's id."""
        plain = {str(k): bool(v) for k, v in answers.items()}
        stopped = [k for k, v in plain.items() if v] if blocks is None else [str(b) for b in blocks]
        return self._insert(
            "INSERT INTO screenings (profile_id, answered_at, answers, any_yes, blocks) VALUES (?, ?, ?, ?, ?)",
            (profile_id, now_iso(), json.dumps(plain, sort_keys=True), int(any(plain.values())), json.dumps(stopped)),
        )

    def add_safety_clearance(self, profile_id: int, reason: str, signs: Iterable[str]) -> int:
        """The person confirmed that a doctor has seen them (``reason`` 'doctor') or that the warning
        signs have gone ('gone'); it lifts the newest screening's stop. Returns the row's id."""
        if reason not in CLEARANCE_REASONS:
            raise ValueError(f"a clearance's reason is 'doctor' or 'gone', got {reason!r}")
        row = self.connection.execute(
            "SELECT id FROM screenings WHERE profile_id = ? ORDER BY id DESC LIMIT 1", (profile_id,)
        ).fetchone()
        return self._insert(
            "INSERT INTO safety_clearances (profile_id, screening_id, cleared_at, reason, signs)"
            " VALUES (?, ?, ?, ?, ?)",
            (profile_id, None if row is None else row[0], now_iso(), reason, json.dumps(list(signs))),
        )

    def save_calibration(self, profile_id: int, exercise: str, peak_deg: float, rest_deg: float | None) -> None:
        """The person's own range for an exercise (replaces an earlier one)."""
        self._write(
            "INSERT INTO calibrations (profile_id, exercise, rest_deg, peak_deg, measured_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (profile_id, exercise) DO UPDATE SET rest_deg = excluded.rest_deg,"
            " peak_deg = excluded.peak_deg, measured_at = excluded.measured_at",
            (profile_id, exercise, rest_deg, peak_deg, now_iso()),
        )
