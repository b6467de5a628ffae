"""The history database: :class:`HistoryStore`, the one object that reads and writes it.

One SQLite file (``history.sqlite3`` in the data folder) in WAL mode. Every write is committed at
once (the connection runs in autocommit mode), so a crash or a killed process loses nothing that
was already written. Opening checks and migrates it (:mod:`app.coach.store.opening`); the writes
and reads are the mixins :class:`~app.coach.store.writes.HistoryWrites` and
:class:`~app.coach.store.reads.HistoryReads`; this module adds opening, the one-window claim,
ending what a dead process left open, and deleting everything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.coach.store.errors import HistoryInUse, HistoryReadOnly, StoreError, explain
from app.coach.store.files import InstanceLock, default_path, delete_history_files
from app.coach.store.opening import connect, connect_read_only
from app.coach.store.reads import HistoryReads, parse_time
from app.coach.store.writes import HistoryWrites, now_iso


class HistoryStore(HistoryReads, HistoryWrites):
    """The history database. Open with :meth:`open`; every write method commits before it returns.

    ``read_only`` (a :class:`HistoryReadOnly` or :class:`HistoryInUse` saying why, else None): the
    store reads (progress, reports) and every write raises that error at once.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, read_only: StoreError | None = None) -> None:
        self.path = Path(path)
        self.connection = connection
        self.read_only = read_only
        self._lock: InstanceLock | None = None

    @classmethod
    def open(cls, path: Path | None = None, *, read_only: bool | StoreError = False) -> HistoryStore:
        """Open (create, migrate) the history; default ``data_dir()/history.sqlite3``.

        ``read_only``: open an existing history without changing it (an older schema is upgraded in
        memory only); pass the :class:`StoreError` saying why, for the writes to raise.
        """
        path = default_path(path)
        if not read_only:
            return cls(path, connect(path))
        reason = (
            read_only
            if isinstance(read_only, StoreError)
            else HistoryReadOnly(f"the history {path} was opened for reading only, so nothing can be saved into it")
        )
        return cls(path, connect_read_only(path), reason)

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL and removes it when it is the last one)."""
        try:
            self.connection.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ one window at a time
    @property
    def claimed(self) -> bool:
        return self._lock is not None and self._lock.held

    def claim(self, lock: InstanceLock | None = None) -> None:
        """Become the one HipCoach saving sessions into this data folder until :meth:`close`.

        ``lock``: the folder's lock, already taken (opening after moving a damaged file aside).
        :class:`HistoryInUse` when another window (this process or another) already is.
        """
        if self.read_only is not None:
            raise self.read_only
        if lock is not None and lock.held:
            self._lock = lock
        if self.claimed:
            return
        lock = InstanceLock.for_history(self.path)
        try:
            taken = lock.acquire()
        except OSError as exc:
            raise StoreError(
                f"cannot lock the data folder {self.path.parent} ({exc.strerror or exc}); check its permissions"
            ) from None
        if not taken:
            raise HistoryInUse(
                "another HipCoach window is open and is saving sessions into "
                f"{self.path.parent}, so this one will not save any; use that window, "
                "or close it and restart HipCoach"
            )
        self._lock = lock

    # ------------------------------------------------------------------ writing
    def _write(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        """One statement, committed at once (autocommit)."""
        if self.read_only is not None:
            raise self.read_only
        try:
            return self.connection.execute(sql, tuple(params))
        except sqlite3.IntegrityError:
            raise  # a caller's mistake (unknown id, bad value): not the person's
        except sqlite3.Error as exc:
            raise explain(exc, self.path, "save to") from None

    def ensure_profile(self, name: str = "Me") -> int | None:
        """The first profile's id, created (with ``name``) if there is none (None when read-only and empty)."""
        found = self.first_profile()
        if found is not None:
            return found
        if self.read_only is not None:
            return None  # nothing recorded, and nothing can be: an empty history to show
        return self._insert("INSERT INTO profiles (name, created_at) VALUES (?, ?)", (name, now_iso()))

    # ------------------------------------------------------------------ recovery and deletion
    def recover_interrupted(self) -> list[int]:
        """End what a dead process left open; returns the ids of the sessions it ended ('interrupted').

        An open set ends at its last written moment (its last rep, fault or status span, else its
        start); an open session at the latest of its start, its sets' ends and its pain scores.
        Only the window that holds the data folder (:meth:`claim`, taken here if free) may do it:
        :class:`HistoryInUse` while another window runs, whose open session is alive, not dead.
        """
        self.claim()
        conn = self.connection
        open_sets = conn.execute("SELECT id, started_at FROM sets WHERE ended_at IS NULL").fetchall()
        open_sessions = [r[0] for r in conn.execute("SELECT id FROM sessions WHERE ended_at IS NULL ORDER BY id")]
        if not open_sets and not open_sessions:
            return []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for set_id, started in open_sets:
                ended = self._set_last_moment(set_id, parse_time(started))
                conn.execute(
                    "UPDATE sets SET ended_at = ?, end_reason = 'interrupted' WHERE id = ?",
                    (ended.isoformat(timespec="seconds"), set_id),
                )
            for session_id in open_sessions:
                ended = self._session_last_moment(session_id)
                conn.execute(
                    "UPDATE sessions SET ended_at = ?, end_reason = 'interrupted' WHERE id = ?",
                    (ended.isoformat(timespec="seconds"), session_id),
                )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise explain(exc, self.path, "close the interrupted session in") from None
        return open_sessions

    def _set_last_moment(self, set_id: int, started: datetime) -> datetime:
        conn = self.connection
        (recorded,) = conn.execute("SELECT MAX(recorded_at) FROM reps WHERE set_id = ?", (set_id,)).fetchone()
        # Faults and spans carry set-relative seconds only: the set's start plus the latest of them.
        (offset,) = conn.execute(
            "SELECT MAX(t) FROM (SELECT MAX(t_s) AS t FROM faults WHERE set_id = ?1"
            " UNION ALL SELECT MAX(COALESCE(end_s, start_s)) FROM status_spans WHERE set_id = ?1)",
            (set_id,),
        ).fetchone()
        moments = [started]
        if recorded:
            moments.append(parse_time(recorded))
        if offset is not None:
            moments.append(started + timedelta(seconds=float(offset)))
        return max(moments)

    def _session_last_moment(self, session_id: int) -> datetime:
        texts = [
            t
            for (t,) in self.connection.execute(
                "SELECT started_at FROM sessions WHERE id = ?1"
                " UNION ALL SELECT COALESCE(ended_at, started_at) FROM sets WHERE session_id = ?1"
                " UNION ALL SELECT recorded_at FROM pain_scores WHERE session_id = ?1",
                (session_id,),
            )
            if t
        ]
        return max(parse_time(t) for t in texts)

    def delete_all_data(self) -> Path:
        """Close the history and remove every file HipCoach made for it: the database with its -wal,
        -shm and journal, the copies ``move_aside`` made, and the lock; returns the folder.

        Refused (:class:`HistoryInUse`) while another window saves into the folder, and on a
        read-only history (its ``read_only`` error).
        """
        self.claim()  # nobody else may be writing what is about to go
        try:
            self.connection.close()
        except sqlite3.Error:
            pass  # closing an already closed connection: go on deleting
        lock = self._lock
        try:
            delete_history_files(self.path)
        finally:
            if lock is not None:
                lock.release()
            self._lock = None
        return self.path.parent
