"""Opening the history for its users: the window (opens or repairs it) and a report (reads it).

:func:`open_for_window` is the one function that opens-or-repairs the history: it claims the data
folder, offers to move only a damaged file aside (never a busy, newer or read-only one), falls back
to read-only when it cannot write, and ends what a dead process left open. :class:`WindowHistory`
holds what it opened for a window's lifetime, so the window and its coach share one store.
:func:`open_for_report` opens it read-only for ``hipcoach report`` and the export.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.coach.store.errors import HistoryDamaged, HistoryInUse, HistoryReadOnly, StoreError, explain
from app.coach.store.files import InstanceLock, default_path, move_aside
from app.coach.store.history import HistoryStore

log = logging.getLogger(__name__)


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

    def note(self) -> str:
        """What the status bar says about this opening ('' when all is well)."""
        if self.store is None:
            return f"History is off: {self.problem}"
        notes = []
        if self.moved_to is not None:
            notes.append(f"The damaged history was moved to {self.moved_to.name}; a fresh one was started.")
        if self.problem is not None:
            notes.append(f"History is read-only: {self.problem}.")
        if self.recovered:
            notes.append(f"Your last session was interrupted; the {self.recovered_reps} reps counted were kept.")
        return " ".join(notes)


def open_for_window(
    path: Path | None = None, ask_move_aside: Callable[[StoreError], bool] | None = None
) -> OpenedHistory:
    """Open the history for the window: claim the data folder, end what a dead process left open.

    Only a damaged history is offered to be moved aside (``ask_move_aside(error)`` answers), and
    only while no other window holds the folder; a busy, newer or read-only one is never moved.
    """
    path = default_path(path)
    moved: Path | None = None
    guard: InstanceLock | None = None
    try:
        store = HistoryStore.open(path)
    except HistoryReadOnly as exc:
        return _opened_read_only(path, exc)
    except HistoryDamaged as exc:
        if ask_move_aside is None or not ask_move_aside(exc):
            return OpenedHistory(None, problem=exc)
        guard = InstanceLock.for_history(path)
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
    except StoreError as exc:
        return OpenedHistory(None, problem=exc)
    try:
        store.claim(guard)  # the window that moved a damaged file aside keeps the folder
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


def open_for_report(path: Path | None = None, session_id: int | None = None) -> tuple[HistoryStore, int]:
    """The history read-only (never changed on disk) and the profile to report on: the session's
    own, else the first profile (the one the app uses). A :class:`StoreError` says what is wrong."""
    store = HistoryStore.open(path, read_only=True)
    try:
        if session_id is not None:
            return store, store.session_profile(session_id)
        found = store.first_profile()
        return store, 1 if found is None else found
    except LookupError as exc:
        store.close()
        raise StoreError(str(exc)) from None
    except sqlite3.Error as exc:
        store.close()
        raise explain(exc, store.path) from None


class WindowHistory:
    """The history of one window: opened at startup, again on first use after it failed or was
    deleted, closed with the window. The window and its coach read ``store`` here; nothing else
    opens the history for them."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path  # None: the data folder's history
        self.store: HistoryStore | None = None
        self.profile_id: int | None = None
        self.problem: StoreError | None = None  # why the history is off or read-only

    def open(self, ask_move_aside: Callable[[StoreError], bool] | None = None) -> OpenedHistory:
        """Open it now (closing one already open); only the startup asks to move a damaged file aside."""
        self.close()
        opened = open_for_window(self.path, ask_move_aside)
        self.store, self.profile_id, self.problem = opened.store, opened.profile_id, opened.problem
        return opened

    def get(self) -> tuple[HistoryStore, int | None]:
        """``(store, profile_id)``, opening it on first use; the store's :class:`StoreError` when there is none."""
        if self.store is not None:
            return self.store, self.profile_id
        opened = self.open()
        if opened.store is None:
            raise opened.problem or StoreError("the history could not be opened")
        return opened.store, opened.profile_id

    def forget(self) -> None:
        """The store was closed elsewhere (its data deleted): the next :meth:`get` opens a fresh one."""
        self.store, self.profile_id = None, None

    def close(self) -> None:
        """Close the store (a failing close is logged: the window is going anyway)."""
        store, self.store = self.store, None
        if store is not None:
            try:
                store.close()
            except (sqlite3.Error, OSError):
                log.exception("closing the history failed")
