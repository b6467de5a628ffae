"""Output files that never touch an input, appear whole or not at all, and are private.

Every file HipCoach writes for a person (the JSON report, the annotated video, an exported report)
holds health data and may sit next to the recording it came from. So an output:

- is refused when it names the input or any other file the run reads (the same file by another
  name too: a symbolic or hard link), or a folder, device or pipe;
- has its folder checked *before* the work starts, by really creating the file it will become:
  a hidden temporary file beside the destination, created 0600 whatever the umask;
- replaces the destination only at the end, by an atomic rename, so a crash or a full disk
  leaves the old file (or nothing) rather than half a file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

PRIVATE_MODE = 0o600


class OutputError(OSError):
    """An output that cannot or must not be written; the message names the problem in one line."""

    def __str__(self) -> str:  # OSError would print its errno tuple for some constructions
        return str(self.args[0]) if self.args else "cannot write the output"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where the names lead
        return os.path.realpath(a) == os.path.realpath(b)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_destination(target: str | Path, reads: Iterable[str | Path] = (), label: str = "output") -> Path:
    """The path an output will really be written to, after refusing what must not be written.

    ``reads`` are the files the run reads (the input clip, the model, the history); ``label`` names
    the option in messages ("--json"). Symbolic links are followed, so the file they point at is
    replaced and the link kept. Raises :class:`OutputError`.
    """
    text = str(target)
    if not text.strip():
        raise OutputError(f"{label}: empty file name")
    given = Path(text)
    dest = Path(os.path.realpath(given))
    for source in reads:
        if source is not None and _same_file(dest, Path(source)):
            also = "" if os.path.realpath(source) == str(dest) else f" (the same file as {source})"
            raise OutputError(f"{label} {given} would overwrite the input {source}{also}; choose another file name")
    try:
        mode = dest.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{label} {given}: {exc.strerror or exc}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"{label} {given} is {_kind(mode)}, not a file name")
    folder = dest.parent
    if not folder.exists():
        raise OutputError(f"{label} {given}: folder {given.parent} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{label} {given}: {given.parent} is not a folder")
    return dest


class OutputFile:
    """A destination checked up front and written through a private temporary file beside it.

    Write to :attr:`temp` (by path: OpenCV's video writer needs one), then :meth:`commit` renames it
    over the destination; :meth:`discard` removes it. Used as a context manager, anything not
    committed is discarded.
    """

    def __init__(self, target: str | Path, reads: Iterable[str | Path] = (), label: str = "output") -> None:
        self.given = Path(target)
        self.label = label
        self.path = check_destination(target, reads, label)
        # '%' would be read by FFmpeg as an image-sequence pattern; the suffix picks the container.
        stem = self.path.name.replace("%", "")[:80]
        suffix = self.path.suffix.replace("%", "")
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".part{suffix}", dir=self.path.parent)
        except OSError as exc:
            raise OutputError(f"cannot write {self.given}: {exc.strerror or exc} (folder {self.path.parent})") from None
        try:
            os.fchmod(fd, PRIVATE_MODE)  # mkstemp's 0600 is still subject to an odd umask
        finally:
            os.close(fd)
        self.temp = Path(temp)
        self._done = False

    def write_bytes(self, data: bytes) -> Path:
        """Write ``data`` and commit; returns the destination."""
        try:
            with open(self.temp, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {self.given}: {exc.strerror or exc}") from None
        return self.commit()

    def commit(self) -> Path:
        """Make the written file the destination, atomically; returns the destination."""
        if self._done:
            raise RuntimeError(f"{self.given} was already committed or discarded")
        try:
            os.chmod(self.temp, PRIVATE_MODE)  # a writer may have recreated it
            fd = os.open(self.temp, os.O_RDONLY)
            try:
                os.fsync(fd)  # the data is on disk before the name points at it
            finally:
                os.close(fd)
            os.replace(self.temp, self.path)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write {self.given}: {exc.strerror or exc}") from None
        self._done = True
        return self.path

    def discard(self) -> None:
        """Remove the temporary file; the destination stays as it was."""
        self._done = True
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass

    @property
    def done(self) -> bool:
        return self._done

    def __enter__(self) -> OutputFile:
        return self

    def __exit__(self, *exc) -> None:
        if not self._done:
            self.discard()


def write_private(target: str | Path, data: bytes, reads: Iterable[str | Path] = (), label: str = "output") -> Path:
    """Check, write and commit ``data`` in one go; returns the destination."""
    with OutputFile(target, reads, label) as out:
        return out.write_bytes(data)
