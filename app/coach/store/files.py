"""The history's files on disk: where they live, kept private, moved aside, and the one-window lock.

The data folder is 0700 and every file HipCoach writes in it 0600, whatever the umask. A damaged
history is never overwritten: :func:`move_aside` renames it (with its side files) next to itself.
"""

from __future__ import annotations

import errno
import os
from datetime import datetime
from pathlib import Path

import platformdirs

from app.coach.store.errors import StoreError

DB_NAME = "history.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")
LOCK_NAME = "hipcoach.lock"  # held by the one window that saves sessions into the folder
DAMAGED_TAG = ".damaged-"  # move_aside's copies: history.sqlite3.damaged-<time>
FOLDER_MODE, FILE_MODE = 0o700, 0o600


def data_dir() -> Path:
    """Where HipCoach keeps its data: ``$HIPCOACH_DATA_DIR``, else the platform's user data folder."""
    env = os.environ.get("HIPCOACH_DATA_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("HipCoach", appauthor=False))


def default_path(path: Path | None = None) -> Path:
    """``path``, else the history in :func:`data_dir`."""
    return Path(path) if path is not None else data_dir() / DB_NAME


def tighten(path: Path, mode: int) -> None:
    """Take away what group and others may do with ``path`` (a file of ours); quiet when it cannot."""
    try:
        current = path.stat().st_mode & 0o777
        if current & 0o077 or (mode == FILE_MODE and current & 0o600 != 0o600):
            os.chmod(path, mode)
    except OSError:
        pass  # gone meanwhile, not ours, or on a read-only medium: nothing to tighten


def history_files(path: Path) -> list[Path]:
    """The history, its side files, the lock, and every copy move_aside made (with their side files)."""
    folder = path.parent
    names = [path.name, *(path.name + s for s in SIDE_FILES), LOCK_NAME]
    found = [folder / n for n in names if (folder / n).exists()]
    return found + sorted(folder.glob(f"{path.name}{DAMAGED_TAG}*"))


def make_private(path: Path) -> None:
    """The data folder 0700 and every file HipCoach wrote in it 0600."""
    tighten(path.parent, FOLDER_MODE)
    for file in history_files(path):
        tighten(file, FILE_MODE)


def prepare_folder(path: Path) -> None:
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


def writable(path: Path) -> bool:
    """Whether the folder (and the file, if there) can be written, the medium included."""
    folder_ok = os.access(path.parent, os.W_OK)
    if folder_ok:
        try:
            folder_ok = not os.statvfs(path.parent).f_flag & os.ST_RDONLY
        except (OSError, AttributeError):
            pass  # no statvfs (Windows): trust access()
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def create_private(path: Path) -> None:
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


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal/-shm) to ``<name>.damaged-<time>``; returns the new path.

    Only for a damaged history: a busy history is healthy and in use, and is never moved.
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
    make_private(path)
    return aside


def delete_history_files(path: Path) -> None:
    """Remove the history, its side files, the copies move_aside made and the lock (the lock last)."""
    try:
        for file in history_files(path):
            if file.name != LOCK_NAME:
                file.unlink(missing_ok=True)
        (path.parent / LOCK_NAME).unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(
            f"could not delete {exc.filename or path} ({exc.strerror or exc}); "
            "close other programs using it, or delete the folder by hand"
        ) from None


class InstanceLock:
    """An exclusive lock on ``hipcoach.lock`` in the data folder, held by the one window saving sessions.

    The operating system drops it when the process dies, so a crash never leaves it stale.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @classmethod
    def for_history(cls, history: Path) -> InstanceLock:
        return cls(Path(history).parent / LOCK_NAME)

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process (or window) holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            tighten(self.path, FILE_MODE)
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
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows-only names
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
