"""Opening the history file: the schema probe, the integrity check, the pragmas and the migrations.

The one place that decides whether a file is a HipCoach history it can use: a newer schema is
refused (:class:`HistoryNewer`), another program's database or a damaged file is
:class:`HistoryDamaged`, a locked one :class:`HistoryBusy` (never taken for damage). Writing
connections run in WAL mode with ``synchronous=NORMAL`` and migrate one step at a time, each step
in its own transaction together with its ``PRAGMA user_version``; read-only ones never change the
file (an older schema is upgraded in a private in-memory copy).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from app.coach.schema import MIGRATIONS, SCHEMA_VERSION
from app.coach.store import errors
from app.coach.store.errors import (
    BUSY,
    CANTOPEN,
    CORRUPT,
    FULL,
    INTERRUPT,
    LOCKED,
    NOT_DAMAGE,
    NOTADB,
    READONLY,
    HistoryDamaged,
    HistoryNewer,
    HistoryReadOnly,
    StoreError,
    code_of,
    explain,
)
from app.coach.store.files import create_private, make_private, prepare_folder, writable

log = logging.getLogger(__name__)

QUICK_CHECK_S = 1.0  # the integrity check on open stops after this long on a huge file


def connect(path: Path) -> sqlite3.Connection:
    """Open for writing (creating the folder and file privately), check, set the pragmas, migrate."""
    prepare_folder(path)
    if not writable(path):
        if path.is_file():
            raise HistoryReadOnly(
                f"the history {path} is on a read-only disk or in a folder that cannot be "
                "written, so new sessions cannot be saved there; reports still work"
            )
        raise StoreError(
            f"the data folder {path.parent} cannot be written; "
            "fix its permissions or choose another with --data-dir or HIPCOACH_DATA_DIR"
        )
    create_private(path)
    try:
        # Autocommit (isolation_level=None): each write commits at once; transactions are explicit.
        # check_same_thread=False: the module is built thread-safe (serialized), and a report
        # worker may read through this connection.
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=errors.BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise explain(exc, path, "open") from None
    try:
        _check_and_migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    make_private(path)
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open for reading only, never changing the file; an older schema is upgraded in a private in-memory copy."""
    if not path.is_file():
        raise StoreError(
            f"there is no history at {path}: nothing has been recorded there yet "
            "(choose the folder with --data-dir or HIPCOACH_DATA_DIR)"
        )
    uri = path.resolve().as_uri()
    try:
        try:
            conn = sqlite3.connect(
                f"{uri}?mode=ro", uri=True, timeout=errors.BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
            _probe(conn)
        except sqlite3.OperationalError as exc:
            # A WAL history on a read-only medium, closed cleanly (no -wal): nothing newer than the
            # file itself exists, so reading it as immutable is exact.
            if code_of(exc) not in (CANTOPEN, READONLY) or path.with_name(path.name + "-wal").exists():
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


def _probe(conn: sqlite3.Connection) -> tuple[int, int]:
    """The schema version and how many tables the file has."""
    # One statement, one snapshot: another process may be creating the schema right now.
    return conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table')"
    ).fetchone()


def _check_version(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version, after refusing a newer history and another program's database."""
    try:
        version, tables = _probe(conn)
    except sqlite3.Error as exc:
        if code_of(exc) in NOT_DAMAGE:
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
        if code_of(exc) == INTERRUPT:
            log.info("the integrity check of %s took longer than %.1f s; not finished", path, budget)
            return
        if code_of(exc) in NOT_DAMAGE:
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
        conn.execute(f"PRAGMA busy_timeout = {errors.BUSY_TIMEOUT_MS}")
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
            if version is None or code_of(exc) in (BUSY, LOCKED, READONLY, FULL, CORRUPT, NOTADB):
                raise explain(exc, path, "upgrade") from None
            raise StoreError(
                f"could not upgrade the history {path} to schema v{version + 1} ({exc}); it was "
                f"left at v{version}: update HipCoach, or move the file aside to start a fresh one"
            ) from None
