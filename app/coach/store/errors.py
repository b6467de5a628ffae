"""What can go wrong with the history, each as one sentence a person can act on.

An ``sqlite3.Error`` is technical; :func:`explain` turns it into the :class:`StoreError` subclass
that says what to do: :class:`HistoryDamaged` (may be moved aside), :class:`HistoryBusy` (another
program holds it locked: wait, never move it), :class:`HistoryReadOnly` (open it with
``read_only=True`` for reports), :class:`HistoryInUse` (another HipCoach window saves into this
folder) and :class:`HistoryNewer` (kept as it is).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 5000  # how long a write (or a read of a locked file) waits for another program

# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff from Python 3.11 on).
BUSY, LOCKED, READONLY, INTERRUPT, CORRUPT, FULL, CANTOPEN, NOTADB = 5, 6, 8, 9, 11, 13, 14, 26
# The codes that say nothing about the file's health: never taken for damage.
NOT_DAMAGE = (BUSY, LOCKED, READONLY, CANTOPEN, FULL)
_CODE_BY_MESSAGE = (  # Python 3.10 has no error codes: the messages SQLite gives for them
    ("database is locked", BUSY),
    ("database table is locked", LOCKED),
    ("readonly database", READONLY),
    ("interrupted", INTERRUPT),
    ("malformed", CORRUPT),
    ("disk is full", FULL),
    ("unable to open database file", CANTOPEN),
    ("file is not a database", NOTADB),
)


# What a read of the history may raise (reads let sqlite3 errors through; a file may vanish):
# a caller that must go on without the answer catches these.
READ_ERRORS = (sqlite3.Error, OSError)


class StoreError(Exception):
    """A history problem a person can act on; ``str()`` is one sentence saying what to do."""

    kind = "error"


class HistoryDamaged(StoreError):
    """The file is damaged or is not a HipCoach history: it may be moved aside (``move_aside``)."""

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


def code_of(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``exc`` (from its message on Python 3.10)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    text = str(exc).lower()
    return next((c for words, c in _CODE_BY_MESSAGE if words in text), None)


def explain(exc: sqlite3.Error, path: Path | None = None, doing: str = "read") -> StoreError:
    """An ``sqlite3.Error`` met on the history as the :class:`StoreError` (one sentence) a person can act on."""
    where = f"the history {path}" if path is not None else "the history"
    code = code_of(exc)
    if code in (BUSY, LOCKED):
        return HistoryBusy(
            f"{where} is busy: another program has kept it locked for more than "
            f"{BUSY_TIMEOUT_MS / 1000:g} s, so nothing was changed; close that program "
            "(or another HipCoach) and try again"
        )
    if code == READONLY:
        return HistoryReadOnly(
            f"{where} is on a read-only disk or in a folder that cannot be written, "
            "so new sessions cannot be saved there; reports still work"
        )
    if code == NOTADB:
        return HistoryDamaged(
            f"{where} is damaged or is not a HipCoach history ({exc}); "
            "move it aside or delete it to start a fresh history"
        )
    if code == CORRUPT:
        return HistoryDamaged(f"{where} is damaged ({exc}); move it aside or delete it to start a fresh history")
    if code == FULL:
        return StoreError(f"the disk holding {where} is full; free some space and try again")
    return StoreError(f"could not {doing} {where} ({exc})")
