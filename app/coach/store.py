"""The history database: profiles, sessions, sets, every rep as it is counted, pain and screening.

One SQLite file (``history.sqlite3`` in :func:`data_dir`) in WAL mode. Every write is committed
at once (the connection runs in autocommit mode), so a crash or a killed process loses nothing
that was already written; ``synchronous=NORMAL`` is durable against a killed process (only a power
cut can lose the last commits). Opening migrates the schema (:mod:`app.coach.schema`) one step at
a time, each step in its own transaction together with its ``PRAGMA user_version``.

This module is the only owner of the history on disk. It keeps it private (the folder 0700, every
file it writes 0600, whatever the umask), checks it on open (a ``quick_check`` bounded in time),
and tells the cases a person must handle differently apart, each a :class:`StoreError` whose
``str()`` is one sentence: :class:`HistoryDamaged` (may be moved aside), :class:`HistoryBusy`
(another program holds it locked: wait, never move it), :class:`HistoryReadOnly` (a read-only disk
or folder: open it with ``read_only=True`` for reports), :class:`HistoryInUse` (another HipCoach
window saves sessions into this folder) and :class:`HistoryNewer`. A window opens it with
:func:`open_for_window`; reads let ``sqlite3.Error`` through, :func:`explain` words them.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from app.coach.schema import MIGRATIONS, SCHEMA_VERSION
from exercises.events import FaultRecord, RepRecord, StatusInterval

log = logging.getLogger(__name__)

DB_NAME = "history.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")
LOCK_NAME = "hipcoach.lock"  # held by the one window that saves sessions into the folder
DAMAGED_TAG = ".damaged-"  # move_aside's copies: history.sqlite3.damaged-<time>
PAIN_MOMENTS = ("before", "after", "sharp")
BUSY_TIMEOUT_MS = 5000  # how long a write (or a read of a locked file) waits for another program
QUICK_CHECK_S = 1.0  # the integrity check on open stops after this long on a huge file
FOLDER_MODE, FILE_MODE = 0o700, 0o600

# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff from Python 3.11 on).
_BUSY, _LOCKED, _READONLY, _INTERRUPT, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 9, 11, 13, 14, 26
_CODE_BY_MESSAGE = (  # Python 3.10 has no error codes: the messages SQLite gives for them
    ("database is locked", _BUSY),
    ("database table is locked", _LOCKED),
    ("readonly database", _READONLY),
    ("interrupted", _INTERRUPT),
    ("malformed", _CORRUPT),
    ("disk is full", _FULL),
    ("unable to open database file", _CANTOPEN),
    ("file is not a database", _NOTADB),
)


class StoreError(Exception):
    """A history problem a person can act on; ``str()`` is one sentence saying what to do."""

    kind = "error"


class HistoryDamaged(StoreError):
    """The file is damaged or is not a HipCoach history: it may be moved aside (:func:`move_aside`)."""

    kind = "damaged"


class HistoryBusy(StoreError):
    """Another program kept the history locked longer than ``BUSY_TIMEOUT_MS``: nothing was changed."""

    kind = "busy"


class HistoryReadOnly(StoreError):
    """The history's file or folder cannot be written: it can be opened with ``read_only=True``."""

    kind = "read_only"


class HistoryInUse(StoreError):
    """Another HipCoach window saves sessions into this data folder."""

    kind = "in_use"


class HistoryNewer(StoreError):
    """Written by a newer HipCoach: kept as it is."""

    kind = "newer"


def data_dir() -> Path:
    """Where HipCoach keeps its data: ``$HIPCOACH_DATA_DIR``, else the platform's user data folder."""
    env = os.environ.get("HIPCOACH_DATA_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("HipCoach", appauthor=False))


def now_iso() -> str:
    """Local time with its UTC offset, to the second (the schema's timestamp format)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _json_or_none(text: str | None) -> Any:
    try:
        return json.loads(text) if text is not None else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------- errors in words
def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    text = str(exc).lower()
    return next((c for words, c in _CODE_BY_MESSAGE if words in text), None)


def explain(exc: sqlite3.Error, path: Path | None = None, doing: str = "read") -> StoreError:
    """An ``sqlite3.Error`` met on the history as the :class:`StoreError` (one sentence) a person can act on."""
    where = f"the history {path}" if path is not None else "the history"
    code = _code(exc)
    if code in (_BUSY, _LOCKED):
        return HistoryBusy(
            f"{where} is busy: another program has kept it locked for more than "
            f"{BUSY_TIMEOUT_MS / 1000:g} s, so nothing was changed; close that program "
            "(or another HipCoach) and try again"
        )
    if code == _READONLY:
        return HistoryReadOnly(
            f"{where} is on a read-only disk or in a folder that cannot be written, "
            "so new sessions cannot be saved there; reports still work"
        )
    if code == _NOTADB:
        return HistoryDamaged(
            f"{where} is damaged or is not a HipCoach history ({exc}); "
            "move it aside or delete it to start a fresh history"
        )
    if code == _CORRUPT:
        return HistoryDamaged(f"{where} is damaged ({exc}); move it aside or delete it to start a fresh history")
    if code == _FULL:
        return StoreError(f"the disk holding {where} is full; free some space and try again")
    return StoreError(f"could not {doing} {where} ({exc})")


# ---------------------------------------------------------------------- private files
def _tighten(path: Path, mode: int) -> None:
    """Take away what group and others may do with ``path`` (a file of ours); quiet when it cannot."""
    try:
        current = path.stat().st_mode & 0o777
        if current & 0o077 or (mode == FILE_MODE and current & 0o600 != 0o600):
            os.chmod(path, mode)
    except OSError:
        pass  # gone meanwhile, not ours, or on a read-only medium: nothing to tighten


def _history_files(path: Path) -> list[Path]:
    """The history, its side files, the lock, and every copy move_aside made (with their side files)."""
    folder = path.parent
    names = [path.name, *(path.name + s for s in SIDE_FILES), LOCK_NAME]
    found = [folder / n for n in names if (folder / n).exists()]
    return found + sorted(folder.glob(f"{path.name}{DAMAGED_TAG}*"))


def _make_private(path: Path) -> None:
    """The data folder 0700 and every file HipCoach wrote in it 0600."""
    _tighten(path.parent, FOLDER_MODE)
    for file in _history_files(path):
        _tighten(file, FILE_MODE)


def _prepare_folder(path: Path) -> None:
    """Create the data folder privately; refuse a folder that is not there and cannot be made."""
    folder = path.parent
    if not folder.is_dir():
        try:
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is cut by the umask only; make it exact
        except OSError as exc:
            raise StoreError(
                f"cannot create the data folder {folder} ({exc.strerror or exc}); "
                "choose another with --data-dir or HIPCOACH_DATA_DIR"
            ) from None


def _writable(path: Path) -> bool:
    """Whether the folder (and the file, if there) can be written, the medium included."""
    folder_ok = os.access(path.parent, os.W_OK)
    if folder_ok:
        try:
            folder_ok = not os.statvfs(path.parent).f_flag & os.ST_RDONLY
        except (OSError, AttributeError):
            pass  # no statvfs (Windows): trust access()
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def _create_private(path: Path) -> None:
    """Create the empty database file 0600 before SQLite does (its -wal/-shm then take the same mode)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return  # another process made it meanwhile
    except OSError as exc:
        raise StoreError(
            f"cannot create the history {path} ({exc.strerror or exc}); "
            "check the folder's permissions or choose another with --data-dir"
        ) from None
    try:
        os.fchmod(fd, FILE_MODE) if hasattr(os, "fchmod") else None
    finally:
        os.close(fd)


# ---------------------------------------------------------------------- moving aside
def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal/-shm) to ``<name>.damaged-<time>``; returns the new path.

    Only for :class:`HistoryDamaged`: a busy history is healthy and in use, and is never moved.
    """
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}{DAMAGED_TAG}{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}{DAMAGED_TAG}{stamp}-{n}")
    try:
        path.rename(aside)
        for extra in SIDE_FILES:
            side = path.with_name(path.name + extra)
            if side.exists():
                side.rename(aside.with_name(aside.name + extra))
    except OSError as exc:
        raise StoreError(f"could not move {path} aside ({exc.strerror or exc}); move or delete it by hand") from None
    _make_private(path)
    return aside


# ---------------------------------------------------------------------- the single-window guard
class InstanceLock:
    """An exclusive lock on ``hipcoach.lock`` in the data folder, held by the one window saving sessions.

    The operating system drops it when the process dies, so a crash never leaves it stale.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process (or window) holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            _tighten(self.path, FILE_MODE)
            if not _try_lock(fd):
                os.close(fd)
                return False
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


# ---------------------------------------------------------------------- opening
def _connect(path: Path) -> sqlite3.Connection:
    """Open for writing (creating the folder and file privately), check, set the pragmas, migrate."""
    _prepare_folder(path)
    if not _writable(path):
        if path.is_file():
            raise HistoryReadOnly(
                f"the history {path} is on a read-only disk or in a folder that cannot be "
                "written, so new sessions cannot be saved there; reports still work"
            )
        raise StoreError(
            f"the data folder {path.parent} cannot be written; "
            "fix its permissions or choose another with --data-dir or HIPCOACH_DATA_DIR"
        )
    _create_private(path)
    try:
        # Autocommit (isolation_level=None): each write commits at once; transactions are explicit.
        # check_same_thread=False: the module is built thread-safe (serialized), and a report
        # worker may read through this connection.
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as exc:
        raise explain(exc, path, "open") from None
    try:
        _check_and_migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    _make_private(path)
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open for reading only, never changing the file; an older schema is upgraded in a private in-memory copy."""
    if not path.is_file():
        raise StoreError(
            f"there is no history at {path}: nothing has been recorded there yet "
            "(choose the folder with --data-dir or HIPCOACH_DATA_DIR)"
        )
    uri = path.resolve().as_uri()
    try:
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            _probe(conn, path)
        except sqlite3.OperationalError as exc:
            # A WAL history on a read-only medium, closed cleanly (no -wal): nothing newer than the
            # file itself exists, so reading it as immutable is exact.
            if _code(exc) not in (_CANTOPEN, _READONLY) or path.with_name(path.name + "-wal").exists():
                raise
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        version = _check_version(conn, path)
        _quick_check(conn, path)
        if version < SCHEMA_VERSION:
            memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            conn.backup(memory)
            conn.close()
            conn = memory
            for step in MIGRATIONS[version:]:
                for statement in _statements(step):
                    conn.execute(statement)
        return conn
    except sqlite3.Error as exc:
        raise explain(exc, path, "read") from None


def _probe(conn: sqlite3.Connection, path: Path) -> tuple[int, int]:
    # One statement, one snapshot: another process may be creating the schema right now.
    return conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table')"
    ).fetchone()


def _check_version(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version, after refusing a newer history and another program's database."""
    try:
        version, tables = _probe(conn, path)
    except sqlite3.Error as exc:
        if _code(exc) in (_BUSY, _LOCKED, _READONLY, _CANTOPEN, _FULL):
            raise explain(exc, path, "open") from None
        raise HistoryDamaged(
            f"{path} is damaged or is not a HipCoach history (not an SQLite database); "
            "move it aside or delete it to start a fresh history"
        ) from None
    if version > SCHEMA_VERSION:
        raise HistoryNewer(
            f"{path} was written by a newer HipCoach (schema v{version}, this one knows "
            f"v{SCHEMA_VERSION}); update HipCoach to open it"
        )
    if version == 0 and tables:
        raise HistoryDamaged(
            f"{path} is an SQLite file but not a HipCoach history; move it aside or choose another data folder"
        )
    return version


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check``, interrupted after ``QUICK_CHECK_S`` (a huge file is then taken as it is).

    The check runs inside one virtual-machine step, which a progress handler cannot stop: a timer
    thread interrupts it (``Connection.interrupt`` is thread-safe), the handler covers the steps
    between.
    """
    budget = max(QUICK_CHECK_S, 0.0)
    deadline = time.monotonic() + budget
    timer = threading.Timer(budget, conn.interrupt)
    timer.daemon = True
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
    timer.start()
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.Error as exc:
        if _code(exc) == _INTERRUPT:
            log.info("the integrity check of %s took longer than %.1f s; not finished", path, budget)
            return
        if _code(exc) in (_BUSY, _LOCKED, _READONLY, _CANTOPEN, _FULL):
            raise explain(exc, path, "check") from None
        raise HistoryDamaged(
            f"{path} is damaged ({exc}); move it aside or delete it to start a fresh history"
        ) from None
    finally:
        timer.cancel()
        timer.join()  # no interrupt may reach a later statement
        conn.set_progress_handler(None, 0)
    if rows != [("ok",)]:
        found = [
            line.strip()
            for (row,) in rows
            for line in str(row).splitlines()
            if line.strip() and not line.startswith("***")
        ]  # "*** in database main ***" is a heading
        first = found[0][:160] if found else "no answer"
        raise HistoryDamaged(
            f"{path} is damaged (the integrity check found: {first}); "
            "move it aside or delete it to start a fresh history"
        )


def _check_and_migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = _check_version(conn, path)
    _quick_check(conn, path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise explain(exc, path, "set up") from None
    if str(mode).lower() != "wal":
        raise StoreError(f"the history {path} cannot use WAL mode (got {mode!r}); put the data folder on a local disk")
    if version < SCHEMA_VERSION:
        _migrate(conn, path)  # an up-to-date history needs no write lock to open (a busy one still opens)


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
    running the statements one by one keeps a failed step wholly rolled back. A history another
    program keeps locked is :class:`HistoryBusy` (never taken for damage).
    """
    while True:
        version = None
        try:
            conn.execute("BEGIN IMMEDIATE")
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
            if version is None or _code(exc) in (_BUSY, _LOCKED, _READONLY, _FULL, _CORRUPT, _NOTADB):
                raise explain(exc, path, "upgrade") from None
            raise StoreError(
                f"could not upgrade the history {path} to schema v{version + 1} ({exc}); it was "
                f"left at v{version}: update HipCoach, or move the file aside to start a fresh one"
            ) from None


class HistoryStore:
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
        path = Path(path) if path is not None else data_dir() / DB_NAME
        if not read_only:
            return cls(path, _connect(path))
        reason = (
            read_only
            if isinstance(read_only, StoreError)
            else HistoryReadOnly(f"the history {path} was opened for reading only, so nothing can be saved into it")
        )
        return cls(path, _connect_read_only(path), reason)

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

    def claim(self) -> None:
        """Become the one HipCoach saving sessions into this data folder until :meth:`close`.

        :class:`HistoryInUse` when another window (this process or another) already is.
        """
        if self.read_only is not None:
            raise self.read_only
        if self.claimed:
            return
        lock = InstanceLock(self.path.parent / LOCK_NAME)
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

    # ------------------------------------------------------------------ profiles
    def ensure_profile(self, name: str = "Me") -> int | None:
        """The first profile's id, created (with ``name``) if there is none (None when read-only and empty)."""
        row = self.connection.execute("SELECT id FROM profiles ORDER BY id LIMIT 1").fetchone()
        if row is not None:
            return int(row[0])
        if self.read_only is not None:
            return None  # nothing recorded, and nothing can be: an empty history to show
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
        return self._write(
            "INSERT INTO sessions (profile_id, started_at) VALUES (?, ?)", (profile_id, now_iso())
        ).lastrowid

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
        return self._write(
            "INSERT INTO sets (session_id, exercise, started_at, target_reps, strictness) VALUES (?, ?, ?, ?, ?)",
            (session_id, exercise, now_iso(), target_reps, strictness),
        ).lastrowid

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
        return self._write(
            "INSERT INTO status_spans (set_id, code, start_s) VALUES (?, ?, ?)", (set_id, code, start_s)
        ).lastrowid

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
        return self._write(
            "INSERT INTO screenings (profile_id, answered_at, answers, any_yes, blocks) VALUES (?, ?, ?, ?, ?)",
            (profile_id, now_iso(), json.dumps(plain, sort_keys=True), int(any(plain.values())), json.dumps(stopped)),
        ).lastrowid

    def add_safety_clearance(self, profile_id: int, reason: str, signs: Iterable[str]) -> int:
        """The person confirmed that a doctor has seen them (``reason`` 'doctor') or that the warning
        signs have gone ('gone'); it lifts the newest screening's stop. Returns the row's id."""
        if reason not in ("doctor", "gone"):
            raise ValueError(f"a clearance's reason is 'doctor' or 'gone', got {reason!r}")
        row = self.connection.execute(
            "SELECT id FROM screenings WHERE profile_id = ? ORDER BY id DESC LIMIT 1", (profile_id,)
        ).fetchone()
        return self._write(
            "INSERT INTO safety_clearances (profile_id, screening_id, cleared_at, reason, signs)"
            " VALUES (?, ?, ?, ?, ?)",
            (profile_id, None if row is None else row[0], now_iso(), reason, json.dumps(list(signs))),
        ).lastrowid

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
                {"kind": "screening", "at": _parse(at), "answers": parsed, "blocks": stopped, "_order": 2 * row_id}
            )
        for at, reason, signs, screening_id in self.connection.execute(
            "SELECT cleared_at, reason, signs, screening_id FROM safety_clearances WHERE profile_id = ? ORDER BY id",
            (profile_id,),
        ):
            parsed = _json_or_none(signs)
            out.append(
                {
                    "kind": "clearance",
                    "at": _parse(at),
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
        return None if row is None else (_parse(row[0]), json.loads(row[1]))

    def save_calibration(self, profile_id: int, exercise: str, peak_deg: float, rest_deg: float | None) -> None:
        """The person's own range for an exercise (replaces an earlier one)."""
        self._write(
            "INSERT INTO calibrations (profile_id, exercise, rest_deg, peak_deg, measured_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (profile_id, exercise) DO UPDATE SET rest_deg = excluded.rest_deg,"
            " peak_deg = excluded.peak_deg, measured_at = excluded.measured_at",
            (profile_id, exercise, rest_deg, peak_deg, now_iso()),
        )

    def calibration(self, profile_id: int, exercise: str) -> tuple[float, float | None] | None:
        row = self.connection.execute(
            "SELECT peak_deg, rest_deg FROM calibrations WHERE profile_id = ? AND exercise = ?", (profile_id, exercise)
        ).fetchone()
        return None if row is None else (float(row[0]), None if row[1] is None else float(row[1]))

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
                ended = self._set_last_moment(set_id, _parse(started))
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

    def reps_in_sessions(self, session_ids: Iterable[int]) -> int:
        """How many reps the given sessions hold (what :meth:`recover_interrupted` kept)."""
        ids = [int(i) for i in session_ids]
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        (reps,) = self.connection.execute(
            f"SELECT COUNT(*) FROM reps JOIN sets ON sets.id = reps.set_id WHERE sets.session_id IN ({marks})", ids
        ).fetchone()
        return int(reps)

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
            moments.append(_parse(recorded))
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
        return max(_parse(t) for t in texts)

    def delete_all_data(self) -> Path:
        """Close the history and remove every file HipCoach made for it: the database with its -wal,
        -shm and journal, the copies :func:`move_aside` made, and the lock; returns the folder.

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
            for file in _history_files(self.path):
                if file.name != LOCK_NAME:
                    file.unlink(missing_ok=True)
            (self.path.parent / LOCK_NAME).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(
                f"could not delete {exc.filename or self.path} ({exc.strerror or exc}); "
                "close other programs using it, or delete the folder by hand"
            ) from None
        finally:
            if lock is not None:
                lock.release()
            self._lock = None
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


# ---------------------------------------------------------------------- a window's history
@dataclass
class OpenedHistory:
    """What opening the history for a window found.

    ``store`` None: the window runs without history, ``problem`` says why. With a store, a
    ``problem`` means it is read-only (a read-only medium, or another window saving into the
    folder): progress and reports work, sessions are not saved. ``moved_to``: where a damaged
    history went; ``recovered``: the sessions a dead process had left open, now ended.
    """

    store: HistoryStore | None
    profile_id: int | None = None
    problem: StoreError | None = None
    moved_to: Path | None = None
    recovered: list[int] = field(default_factory=list)
    recovered_reps: int = 0


def open_for_window(
    path: Path | None = None, ask_move_aside: Callable[[StoreError], bool] | None = None
) -> OpenedHistory:
    """Open the history for the window: claim the data folder, end what a dead process left open.

    Only a damaged history is offered to be moved aside (``ask_move_aside(error)`` answers), and
    only while no other window holds the folder; a busy, newer or read-only one is never moved.
    """
    path = Path(path) if path is not None else data_dir() / DB_NAME
    moved: Path | None = None
    try:
        store = HistoryStore.open(path)
    except HistoryReadOnly as exc:
        return _opened_read_only(path, exc)
    except HistoryDamaged as exc:
        if ask_move_aside is None or not ask_move_aside(exc):
            return OpenedHistory(None, problem=exc)
        guard = InstanceLock(path.parent / LOCK_NAME)
        try:
            if not guard.acquire():
                return OpenedHistory(
                    None,
                    problem=HistoryInUse(
                        f"{exc}; another HipCoach window is open on it, so it was not moved: close that window first"
                    ),
                )
            moved = move_aside(path)
            store = HistoryStore.open(path)
        except StoreError as again:
            guard.release()
            return OpenedHistory(None, problem=again, moved_to=moved)
        except OSError as again:
            guard.release()
            return OpenedHistory(
                None,
                problem=StoreError(
                    f"cannot lock the data folder {path.parent} ({again.strerror or again}); check its permissions"
                ),
            )
        store._lock = guard  # the window that moved it keeps the folder
    except StoreError as exc:
        return OpenedHistory(None, problem=exc)
    try:
        store.claim()
    except HistoryInUse as exc:
        store.close()
        return _opened_read_only(path, exc)
    except StoreError as exc:
        store.close()
        return OpenedHistory(None, problem=exc)
    try:
        profile_id = store.ensure_profile()
        recovered = store.recover_interrupted()
        reps = store.reps_in_sessions(recovered)
    except (StoreError, sqlite3.Error) as exc:
        store.close()
        return OpenedHistory(None, problem=exc if isinstance(exc, StoreError) else explain(exc, path))
    return OpenedHistory(store, profile_id, moved_to=moved, recovered=recovered, recovered_reps=reps)


def _opened_read_only(path: Path, why: StoreError) -> OpenedHistory:
    try:
        store = HistoryStore.open(path, read_only=why)
    except StoreError as exc:
        return OpenedHistory(None, problem=exc)
    try:
        return OpenedHistory(store, store.ensure_profile(), problem=why)
    except sqlite3.Error as exc:
        store.close()
        return OpenedHistory(None, problem=explain(exc, path))
