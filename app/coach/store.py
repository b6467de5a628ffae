"""The history database: profiles, sessions, sets, every rep as it is counted, pain and screening.

One SQLite file (``history.sqlite3`` in :func:`data_dir`) in WAL mode. Every write is committed
at once (the connection runs in autocommit mode), so a crash or a killed process loses nothing
that was already written; ``synchronous=NORMAL`` is durable against a killed process (only a power
cut can lose the last commits). Opening migrates the schema (:mod:`app.coach.schema`) one step at
a time, each step in its own transaction together with its ``PRAGMA user_version``.

Errors a person can cause (a damaged file, a newer database, a folder that cannot be written) are
:class:`StoreError` with a one-line message; reads let ``sqlite3.Error`` through.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from app.coach.schema import MIGRATIONS, SCHEMA_VERSION
from exercises.events import FaultRecord, RepRecord, StatusInterval

DB_NAME = "history.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")
PAIN_MOMENTS = ("before", "after", "sharp")
BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """A history problem a person can act on; ``str()`` is one line saying what to do."""


def data_dir() -> Path:
    """Where HipCoach keeps its data: ``$HIPCOACH_DATA_DIR``, else the platform's user data folder."""
    env = os.environ.get("HIPCOACH_DATA_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("HipCoach", appauthor=False))


def now_iso() -> str:
    """Local time with its UTC offset, to the second (the schema's timestamp format)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal/-shm) to ``<name>.damaged-<time>``; returns the new path."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        path.rename(aside)
        for extra in SIDE_FILES:
            side = path.with_name(path.name + extra)
            if side.exists():
                side.rename(aside.with_name(aside.name + extra))
    except OSError as exc:
        raise StoreError(f"could not move {path} aside ({exc.strerror or exc}); move or delete it by hand") from None
    return aside


def _connect(path: Path) -> sqlite3.Connection:
    """Open (creating the folder), check it is our database and not newer, set the pragmas, migrate."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {path.parent} ({exc.strerror or exc}); "
                         "choose another with --data-dir or HIPCOACH_DATA_DIR") from None
    if not os.access(path.parent, os.W_OK):
        raise StoreError(f"the data folder {path.parent} cannot be written; "
                         "fix its permissions or choose another with --data-dir or HIPCOACH_DATA_DIR")
    try:
        # Autocommit (isolation_level=None): each write commits at once; transactions are explicit.
        # check_same_thread=False: the module is built thread-safe (serialized), and a report
        # worker may read through this connection.
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the history {path} ({exc}); check the folder's permissions") from None
    try:
        _check_and_migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_and_migrate(conn: sqlite3.Connection, path: Path) -> None:
    try:
        # One statement, one snapshot: another process may be creating the schema right now.
        version, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table')").fetchone()
    except sqlite3.DatabaseError:
        raise StoreError(f"{path} is damaged or is not a HipCoach history (not an SQLite database); "
                         "move it aside or delete it to start a fresh history") from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer HipCoach (schema v{version}, this one knows "
                         f"v{SCHEMA_VERSION}); update HipCoach to open it")
    if version == 0 and tables:
        raise StoreError(f"{path} is an SQLite file but not a HipCoach history; "
                         "move it aside or choose another data folder")
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use the history {path} ({exc}); check the file's permissions, "
                         "or move it aside to start a fresh one") from None
    if str(mode).lower() != "wal":
        raise StoreError(f"the history {path} cannot use WAL mode (got {mode!r}); put the data folder on a local disk")
    _migrate(conn, path)


def _statements(script: str) -> list[str]:
    """Split a migration script into single statements (semicolons in comments or strings stay)."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \t\n;"):
                out.append(buf)
            buf = ""
    return out


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations, each with its ``user_version`` bump in one transaction.

    The version is read again inside the (write-locked) transaction, so two processes opening a
    fresh history at once do not both run a step. ``executescript`` would commit on its own;
    running the statements one by one keeps a failed step wholly rolled back.
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"could not upgrade the history {path} to schema v{version + 1} ({exc}); it was "
                             f"left at v{version}: update HipCoach, or move the file aside to start a fresh one"
                             ) from None


class HistoryStore:
    """The history database. Open with :meth:`open`; every write method commits before it returns."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.connection = connection

    @classmethod
    def open(cls, path: Path | None = None) -> HistoryStore:
        """Open (create, migrate) the history; default ``data_dir()/history.sqlite3``."""
        path = Path(path) if path is not None else data_dir() / DB_NAME
        return cls(path, _connect(path))

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL and removes it when it is the last one)."""
        self.connection.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def _write(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        """One statement, committed at once (autocommit)."""
        try:
            return self.connection.execute(sql, tuple(params))
        except sqlite3.IntegrityError:
            raise  # a caller's mistake (unknown id, bad value): not the person's
        except sqlite3.Error as exc:
            raise StoreError(f"could not save to the history {self.path} ({exc})") from None

    # ------------------------------------------------------------------ profiles
    def ensure_profile(self, name: str = "Me") -> int:
        """The first profile's id, created (with ``name``) if there is none."""
        row = self.connection.execute("SELECT id FROM profiles ORDER BY id LIMIT 1").fetchone()
        if row is not None:
            return int(row[0])
        return self._write("INSERT INTO profiles (name, created_at) VALUES (?, ?)", (name, now_iso())).lastrowid

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

    def save_profile_settings(self, profile_id: int, settings: dict) -> None:
        """Replace the profile's settings (a JSON-serialisable dict)."""
        text = json.dumps(settings, sort_keys=True)
        if self._write("UPDATE profiles SET settings = ? WHERE id = ?", (text, profile_id)).rowcount == 0:
            raise LookupError(f"no profile {profile_id}")

    # ------------------------------------------------------------------ sessions and sets
    def start_session(self, profile_id: int) -> int:
        return self._write("INSERT INTO sessions (profile_id, started_at) VALUES (?, ?)",
                           (profile_id, now_iso())).lastrowid

    def end_session(self, session_id: int, reason: str) -> None:
        """End the session (and any set still open in it, with the same reason)."""
        ended = now_iso()
        self._write("UPDATE sets SET ended_at = ?, end_reason = ? WHERE session_id = ? AND ended_at IS NULL",
                    (ended, reason, session_id))
        self._write("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
                    (ended, reason, session_id))

    def start_set(self, session_id: int, exercise: str, target_reps: int | None,
                  strictness: str = "standard") -> int:
        return self._write(
            "INSERT INTO sets (session_id, exercise, started_at, target_reps, strictness) VALUES (?, ?, ?, ?, ?)",
            (session_id, exercise, now_iso(), target_reps, strictness)).lastrowid

    def end_set(self, set_id: int, reason: str) -> None:
        """End a set: 'done', 'stopped', 'pain', 'skipped', 'interrupted'. Ending twice keeps the first."""
        self._write("UPDATE sets SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
                    (now_iso(), reason, set_id))

    def add_rep(self, set_id: int, rep: RepRecord) -> None:
        """Write one counted rep (its fault list too, which the progress counts come from)."""
        self._write(
            "INSERT INTO reps (set_id, idx, side, start_s, end_s, peak_angle_deg, hold_s, faults, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (set_id, rep.index, rep.side, rep.start_s, rep.end_s, rep.peak_angle_deg, rep.hold_s,
             json.dumps(list(rep.faults)), now_iso()))

    def add_fault(self, set_id: int, fault: FaultRecord) -> None:
        self._write("INSERT INTO faults (set_id, code, rep_idx, t_s, cue) VALUES (?, ?, ?, ?, ?)",
                    (set_id, fault.code, fault.rep, fault.t_s, fault.cue or ""))

    def add_status_span(self, set_id: int, span: StatusInterval) -> None:
        self._write("INSERT INTO status_spans (set_id, code, start_s, end_s) VALUES (?, ?, ?, ?)",
                    (set_id, span.code, span.start_s, span.end_s))

    def open_status_span(self, set_id: int, code: str, start_s: float) -> int:
        """A "not counting" span as it starts (``end_s`` NULL until :meth:`close_status_span`), so a
        crash keeps it; readers show an open span as lasting to the end of its set."""
        return self._write("INSERT INTO status_spans (set_id, code, start_s) VALUES (?, ?, ?)",
                           (set_id, code, start_s)).lastrowid

    def close_status_span(self, span_id: int, end_s: float) -> None:
        self._write("UPDATE status_spans SET end_s = ? WHERE id = ? AND end_s IS NULL", (end_s, span_id))

    def add_pain(self, session_id: int, moment: str, score: int | None, exercise: str | None = None) -> None:
        """A pain score 0-10 ``before``/``after`` the session, or a ``sharp`` stop (score may be None)."""
        if moment not in PAIN_MOMENTS:
            raise ValueError(f"pain moment must be one of {PAIN_MOMENTS}, got {moment!r}")
        if score is not None and not 0 <= score <= 10:
            raise ValueError(f"pain score must be 0-10, got {score}")
        self._write("INSERT INTO pain_scores (session_id, moment, score, recorded_at, exercise) VALUES (?, ?, ?, ?, ?)",
                    (session_id, moment, score, now_iso(), exercise))

    # ------------------------------------------------------------------ screening and calibration
    def add_screening(self, profile_id: int, answers: dict[str, bool]) -> None:
        plain = {str(k): bool(v) for k, v in answers.items()}
        self._write("INSERT INTO screenings (profile_id, answered_at, answers, any_yes) VALUES (?, ?, ?, ?)",
                    (profile_id, now_iso(), json.dumps(plain, sort_keys=True), int(any(plain.values()))))

    def last_screening(self, profile_id: int) -> tuple[datetime, dict[str, bool]] | None:
        """When the warning-sign questions were last answered (aware datetime) and the answers."""
        row = self.connection.execute(
            "SELECT answered_at, answers FROM screenings WHERE profile_id = ? ORDER BY id DESC LIMIT 1",
            (profile_id,)).fetchone()
        return None if row is None else (_parse(row[0]), json.loads(row[1]))

    def save_calibration(self, profile_id: int, exercise: str, peak_deg: float, rest_deg: float | None) -> None:
        """The person's own range for an exercise (replaces an earlier one)."""
        self._write(
            "INSERT INTO calibrations (profile_id, exercise, rest_deg, peak_deg, measured_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (profile_id, exercise) DO UPDATE SET rest_deg = excluded.rest_deg,"
            " peak_deg = excluded.peak_deg, measured_at = excluded.measured_at",
            (profile_id, exercise, rest_deg, peak_deg, now_iso()))

    def calibration(self, profile_id: int, exercise: str) -> tuple[float, float | None] | None:
        row = self.connection.execute(
            "SELECT peak_deg, rest_deg FROM calibrations WHERE profile_id = ? AND exercise = ?",
            (profile_id, exercise)).fetchone()
        return None if row is None else (float(row[0]), None if row[1] is None else float(row[1]))

    def programme_start(self, profile_id: int) -> date | None:
        """The day of the profile's first session (its local calendar day), None before any."""
        row = self.connection.execute("SELECT MIN(started_at) FROM sessions WHERE profile_id = ?",
                                      (profile_id,)).fetchone()
        return None if row is None or row[0] is None else date.fromisoformat(row[0][:10])

    # ------------------------------------------------------------------ recovery and deletion
    def recover_interrupted(self) -> list[int]:
        """End what a dead process left open; returns the ids of the sessions it ended ('interrupted').

        An open set ends at its last written moment (its last rep, fault or status span, else its
        start); an open session at the latest of its start, its sets' ends and its pain scores.
        """
        conn = self.connection
        open_sets = conn.execute("SELECT id, started_at FROM sets WHERE ended_at IS NULL").fetchall()
        open_sessions = [r[0] for r in conn.execute("SELECT id FROM sessions WHERE ended_at IS NULL ORDER BY id")]
        if not open_sets and not open_sessions:
            return []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for set_id, started in open_sets:
                ended = self._set_last_moment(set_id, _parse(started))
                conn.execute("UPDATE sets SET ended_at = ?, end_reason = 'interrupted' WHERE id = ?",
                             (ended.isoformat(timespec="seconds"), set_id))
            for session_id in open_sessions:
                ended = self._session_last_moment(session_id)
                conn.execute("UPDATE sessions SET ended_at = ?, end_reason = 'interrupted' WHERE id = ?",
                             (ended.isoformat(timespec="seconds"), session_id))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"could not close the interrupted session in {self.path} ({exc})") from None
        return open_sessions

    def _set_last_moment(self, set_id: int, started: datetime) -> datetime:
        conn = self.connection
        (recorded,) = conn.execute("SELECT MAX(recorded_at) FROM reps WHERE set_id = ?", (set_id,)).fetchone()
        # Faults and spans carry set-relative seconds only: the set's start plus the latest of them.
        (offset,) = conn.execute(
            "SELECT MAX(t) FROM (SELECT MAX(t_s) AS t FROM faults WHERE set_id = ?1"
            " UNION ALL SELECT MAX(COALESCE(end_s, start_s)) FROM status_spans WHERE set_id = ?1)",
            (set_id,)).fetchone()
        moments = [started]
        if recorded:
            moments.append(_parse(recorded))
        if offset is not None:
            moments.append(started + timedelta(seconds=float(offset)))
        return max(moments)

    def _session_last_moment(self, session_id: int) -> datetime:
        texts = [t for (t,) in self.connection.execute(
            "SELECT started_at FROM sessions WHERE id = ?1"
            " UNION ALL SELECT COALESCE(ended_at, started_at) FROM sets WHERE session_id = ?1"
            " UNION ALL SELECT recorded_at FROM pain_scores WHERE session_id = ?1", (session_id,)) if t]
        return max(_parse(t) for t in texts)

    def delete_all_data(self) -> Path:
        """Close the history and remove its file (with -wal/-shm); returns the folder it was in."""
        try:
            self.connection.close()
        except sqlite3.Error:
            pass  # closing an already closed connection: go on deleting
        try:
            for name in (self.path.name, *(self.path.name + s for s in SIDE_FILES)):
                (self.path.parent / name).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"could not delete {self.path} ({exc.strerror or exc}); "
                             "close other programs using it, or delete the folder by hand") from None
        return self.path.parent

    # ------------------------------------------------------------------ reads for others
    def sessions(self, profile_id: int, since: date | None = None, until: date | None = None) -> list[dict]:
        """The profile's sessions (oldest first) as dicts; ``since``/``until`` are inclusive local days."""
        sql = "SELECT id, profile_id, started_at, ended_at, end_reason FROM sessions WHERE profile_id = ?"
        params: list[Any] = [profile_id]
        if since is not None:
            sql += " AND substr(started_at, 1, 10) >= ?"
            params.append(since.isoformat())
        if until is not None:
            sql += " AND substr(started_at, 1, 10) <= ?"
            params.append(until.isoformat())
        rows = self.connection.execute(sql + " ORDER BY started_at, id", params).fetchall()
        keys = ("id", "profile_id", "started_at", "ended_at", "end_reason")
        return [dict(zip(keys, row)) for row in rows]

    def session_detail(self, session_id: int) -> dict:
        """One session with its sets (each with reps, faults, status spans) and pain scores."""
        conn = self.connection
        row = conn.execute("SELECT id, profile_id, started_at, ended_at, end_reason FROM sessions WHERE id = ?",
                           (session_id,)).fetchone()
        if row is None:
            raise LookupError(f"no session {session_id}")
        detail = dict(zip(("id", "profile_id", "started_at", "ended_at", "end_reason"), row))
        set_keys = ("id", "exercise", "started_at", "ended_at", "target_reps", "strictness", "end_reason")
        sets = [dict(zip(set_keys, r)) for r in conn.execute(
            f"SELECT {', '.join(set_keys)} FROM sets WHERE session_id = ? ORDER BY id", (session_id,))]
        for s in sets:
            s["reps"] = [
                {"index": idx, "side": side, "start_s": a, "end_s": b, "peak_angle_deg": peak, "hold_s": hold,
                 "faults": json.loads(faults or "[]"), "recorded_at": recorded}
                for idx, side, a, b, peak, hold, faults, recorded in conn.execute(
                    "SELECT idx, side, start_s, end_s, peak_angle_deg, hold_s, faults, recorded_at FROM reps"
                    " WHERE set_id = ? ORDER BY idx", (s["id"],))]
            s["faults"] = [{"code": c, "rep": r, "t_s": t, "cue": cue} for c, r, t, cue in conn.execute(
                "SELECT code, rep_idx, t_s, cue FROM faults WHERE set_id = ? ORDER BY t_s, id", (s["id"],))]
            s["status"] = [{"code": c, "start_s": a, "end_s": b} for c, a, b in conn.execute(
                "SELECT code, start_s, end_s FROM status_spans WHERE set_id = ? ORDER BY start_s, id", (s["id"],))]
        detail["sets"] = sets
        detail["pain"] = [
            {"moment": m, "score": sc, "exercise": ex, "recorded_at": at} for m, sc, ex, at in conn.execute(
                "SELECT moment, score, exercise, recorded_at FROM pain_scores WHERE session_id = ? ORDER BY id",
                (session_id,))]
        return detail
