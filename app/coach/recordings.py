"""The recordings folder: each live set's video and its analysis, which session they belong to,
how long they are kept, and deleting them all. Qt-free.

A recording is ``<data folder>/recordings/<YYYYmmdd-HHMMSS>_s<session id>_<exercise>.mp4`` with its
schema-1 analysis beside it (same name, ``.json``). The name links the files to the history's session
(``s-`` when no history was open), so the history's schema does not change and a recording cut short
by a crash (no JSON yet) still says whose it is. An Auto run is one recording of all its sets, named
``auto`` (its JSON the recognised report): being its session's, it is offered for each set of the run.
The folder is 0700 and every file in it 0600.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.clip_report import ClipReport

FOLDER_NAME = "recordings"
FOLDER_MODE = 0o700
RECORD_KEY = "record_video"  # the profile setting: record each live set
KEEP_UNIT_KEY = "recording_keep_unit"  # 'days' or 'gb'
KEEP_AMOUNT_KEY = "recording_keep_amount"
KEEP_UNITS = ("days", "gb")
DEFAULT_KEEP = ("days", 30.0)
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?_s(?P<session>\d+|-)_(?P<exercise>[a-z_]+)\.mp4$")


def folder_in(data_folder: Path) -> Path:
    """The recordings folder inside HipCoach's data folder (not created)."""
    return Path(data_folder) / FOLDER_NAME


def ensure_folder(folder: Path) -> Path:
    """Create the recordings folder (and the data folder) private to this user."""
    folder = Path(folder)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(folder, FOLDER_MODE)  # mkdir's mode is cut by the umask only
    return folder


def new_video_path(folder: Path, session_id: int | None, exercise_id: str, now: datetime | None = None) -> Path:
    """A free name for a new recording in ``folder`` (created), stamped with the local time."""
    folder = ensure_folder(folder)
    stamp = (now or datetime.now()).strftime(_STAMP)
    session = str(session_id) if session_id is not None else "-"
    path = folder / f"{stamp}_s{session}_{exercise_id}.mp4"
    n = 1
    while path.exists():  # two sets in the same second
        n += 1
        path = folder / f"{stamp}-{n}_s{session}_{exercise_id}.mp4"
    return path


def with_session(video: Path, session_id: int | None) -> Path:
    """The name ``video`` has once linked to ``session_id`` (unchanged when it already is, or for None)."""
    match = _NAME.match(Path(video).name)
    if match is None or session_id is None or match["session"] == str(session_id):
        return Path(video)
    start, end = match.span("session")
    name = Path(video).name
    return Path(video).with_name(f"{name[:start]}{session_id}{name[end:]}")


def report_path(video: Path) -> Path:
    """Where a recording's analysis (schema-1 JSON) lives: beside it, same name."""
    return Path(video).with_suffix(".json")


@dataclass(frozen=True)
class Recording:
    video: Path
    session_id: int | None
    exercise_id: str
    started: datetime
    size_bytes: int  # the video and its report
    number: int = 1  # the second recording started in the same second is 2

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.started, self.number)

    @property
    def report(self) -> Path | None:
        """The saved analysis, or None (a crash before the set ended leaves only the video)."""
        path = report_path(self.video)
        return path if path.exists() else None


def saved_report(recording: Recording) -> ClipReport | None:
    """The recording's saved analysis, None when there is none or it cannot be read (then the review analyses)."""
    path = recording.report
    if path is None:
        return None
    try:
        return ClipReport.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _parse(video: Path) -> Recording | None:
    match = _NAME.match(video.name)
    if match is None:
        return None
    try:
        started = datetime.strptime(match["stamp"], _STAMP)
        size = sum(p.stat().st_size for p in (video, report_path(video)) if p.exists())
    except (ValueError, OSError):
        return None
    session = None if match["session"] == "-" else int(match["session"])
    return Recording(video, session, match["exercise"], started, size, int(match["n"] or 1))


def list_recordings(folder: Path) -> list[Recording]:
    """Every recording in ``folder``, newest first (files that are not HipCoach's are left alone)."""
    if not Path(folder).is_dir():
        return []
    found = [r for r in (_parse(p) for p in Path(folder).glob("*.mp4")) if r is not None]
    return sorted(found, key=lambda r: r.order, reverse=True)


def for_session(folder: Path, session_id: int) -> list[Recording]:
    """The recordings of one session, in the order they were made."""
    return sorted((r for r in list_recordings(folder) if r.session_id == session_id), key=lambda r: r.order)


def sessions_with_recordings(folder: Path) -> set[int]:
    return {r.session_id for r in list_recordings(folder) if r.session_id is not None}


@dataclass(frozen=True)
class Retention:
    """Keep the last ``amount`` days, or the newest recordings up to ``amount`` GB."""

    unit: str = DEFAULT_KEEP[0]
    amount: float = DEFAULT_KEEP[1]

    def __post_init__(self) -> None:
        if self.unit not in KEEP_UNITS:
            raise ValueError(f"retention unit {self.unit!r}: expected one of {KEEP_UNITS}")
        if self.amount <= 0:
            raise ValueError(f"retention amount must be positive, got {self.amount}")

    def describe(self) -> str:
        return f"the last {self.amount:g} days" if self.unit == "days" else f"the newest {self.amount:g} GB"


@dataclass(frozen=True)
class RecordingSettings:
    record: bool = False
    retention: Retention = Retention()


def settings_from(profile_settings: Mapping[str, Any]) -> RecordingSettings:
    """The recording settings in a profile's settings; a damaged value falls back to the default."""
    try:
        retention = Retention(
            str(profile_settings.get(KEEP_UNIT_KEY, DEFAULT_KEEP[0])),
            float(profile_settings.get(KEEP_AMOUNT_KEY, DEFAULT_KEEP[1])),
        )
    except (TypeError, ValueError):
        retention = Retention()
    return RecordingSettings(bool(profile_settings.get(RECORD_KEY, False)), retention)


def settings_into(profile_settings: dict[str, Any], chosen: RecordingSettings) -> dict[str, Any]:
    """``profile_settings`` with the recording settings written in (the same dict, returned)."""
    profile_settings[RECORD_KEY] = chosen.record
    profile_settings[KEEP_UNIT_KEY] = chosen.retention.unit
    profile_settings[KEEP_AMOUNT_KEY] = chosen.retention.amount
    return profile_settings


def _remove(recording: Recording) -> list[Path]:
    removed = []
    for path in (recording.video, report_path(recording.video)):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def apply_retention(
    folder: Path, retention: Retention, now: datetime | None = None, keep: Iterable[Path] = ()
) -> list[Path]:
    """Delete the recordings the retention no longer keeps (never those in ``keep``: one being written).

    Age is the file's last change (a recording written over a long session is as old as its end).
    """
    keep_set = {Path(p).resolve() for p in keep}
    now = now or datetime.now()
    removed: list[Path] = []
    total = 0
    limit = retention.amount * 1e9
    for recording in list_recordings(folder):  # newest first
        if recording.video.resolve() in keep_set:
            total += recording.size_bytes
            continue
        try:
            changed = datetime.fromtimestamp(recording.video.stat().st_mtime)
        except OSError:
            continue
        if retention.unit == "days":
            drop = now - changed > timedelta(days=retention.amount)
        else:
            total += recording.size_bytes
            drop = total > limit
        if drop:
            removed += _remove(recording)
    return removed


def delete_all(folder: Path) -> list[Path]:
    """Delete every recording HipCoach made in ``folder`` (and leftovers of unfinished writes), then the
    folder itself when nothing else is in it; returns what was removed ("Delete my data")."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed: list[Path] = []
    for recording in list_recordings(folder):
        removed += _remove(recording)
    for leftover in folder.glob("*.json.tmp"):
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    try:
        folder.rmdir()
    except OSError:
        pass  # something else is in it: left alone
    return removed
