"""Folders and globs on the command line become a list of video files.

A folder is searched recursively for files with a video suffix; a glob (``*``, ``?``, ``[``; ``**`` for any
depth) keeps what it matches with a video suffix; a file named outright is taken whatever its suffix (it is
what the person asked for; a non-video becomes an error row). The batch's own output folder is never searched,
nor any folder holding a batch's records, so annotated videos of an earlier run are not analysed as inputs.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.batch.results import RECORDS_DIR

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp"})
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Expanded:
    videos: tuple[Path, ...]  # absolute, in the order given (folders and globs sorted), no duplicates
    missing: tuple[str, ...]  # arguments that name nothing: no such file, a glob matching no video


def is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES and not path.name.startswith(".")


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        Path(os.path.realpath(path)).relative_to(folder)
        return True
    except ValueError:
        return False


def _batch_output(folder: Path) -> bool:
    return (folder / RECORDS_DIR).is_dir()


def _folder_videos(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        if _batch_output(Path(root)):  # another batch's output folder: its annotated videos are no recordings
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # hidden folders: caches, our own records
        found.extend(Path(root, name) for name in sorted(files) if is_video_name(Path(name)))
    return found


def expand_paths(args: Iterable[str], exclude: str | Path | None = None) -> Expanded:
    """The videos the arguments name; ``exclude`` is a folder never searched (the batch's ``--out``)."""
    excluded = Path(os.path.realpath(exclude)) if exclude is not None else None
    videos: list[Path] = []
    missing: list[str] = []
    seen: set[str] = set()
    for arg in args:
        path = Path(arg).expanduser()
        if path.is_dir():
            candidates = _folder_videos(path)
        elif path.exists() or path.is_symlink():
            candidates = [path]
        elif _GLOB_CHARS & set(arg):
            matches = sorted(Path(m) for m in glob.glob(str(path), recursive=True))
            candidates = [m for m in matches if m.is_file() and is_video_name(m) and not _batch_output(m.parent)]
            for m in matches:
                if m.is_dir():
                    candidates.extend(_folder_videos(m))
        else:
            candidates = []
        kept = [c for c in candidates if not (c != path and _inside(c, excluded))]
        if not kept:
            missing.append(arg)
        for candidate in kept:
            real = os.path.realpath(candidate)
            if real not in seen:
                seen.add(real)
                videos.append(candidate.absolute())
    return Expanded(tuple(videos), tuple(missing))
