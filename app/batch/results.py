"""What a batch stores: one task per clip, and one result record per task beside the clip's outputs.

In ``--out``: ``<clip>-<key8>.json`` (the clip's schema-1 JSON), ``<clip>-<key8>.annotated.mp4`` on request,
and the record ``.hipcoach-batch/<key>.json`` (done or failed, when, where, the outputs' names). The record is
written last, atomically and privately, so a record that exists means its outputs are whole; the summary is
rebuilt from the records, so a crash loses at most the clips still running.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.outputs import OutputError, write_private

RECORDS_DIR = ".hipcoach-batch"
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


@dataclass(frozen=True)
class ClipTask:
    """One clip to analyse; plain data, so it travels to a worker process or a Dask worker as is."""

    source: str  # absolute path, readable by the worker
    key: str
    exercise: str
    model: str
    out_dir: str  # absolute
    annotate: bool = False
    frames_hint: int = 0  # the container's frame count (for the progress bar; may be 0)

    @property
    def base_name(self) -> str:
        stem = _UNSAFE.sub("_", Path(self.source).stem).strip("._") or "clip"
        return f"{stem[:80]}-{self.key[:8]}"

    @property
    def json_name(self) -> str:
        return self.base_name + ".json"

    @property
    def annotated_name(self) -> str:
        return self.base_name + ".annotated.mp4"


@dataclass(frozen=True)
class ResultRecord:
    """How one task ended. ``final`` errors (the clip itself is bad) are not retried by a rerun; others
    (a worker that died, an unexpected failure) are."""

    key: str
    source: str
    exercise: str
    model: str
    engine: str
    ok: bool
    error: str | None = None
    final: bool = True
    json: str | None = None  # file names in the output folder
    annotated: str | None = None
    frames: int = 0
    seconds: float = 0.0  # the analysis's wall time on its worker
    finished: str = ""
    host: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResultRecord:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def one_line(text: str) -> str:
    """An error message as one line (file names may hold line breaks)."""
    return " ".join(str(text).replace("\r", " ").split("\n")).strip() or "unknown error"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def error_record(task: ClipTask, engine: str, message: str, final: bool, seconds: float = 0.0) -> ResultRecord:
    return ResultRecord(
        key=task.key,
        source=task.source,
        exercise=task.exercise,
        model=task.model,
        engine=engine,
        ok=False,
        error=one_line(message),
        final=final,
        seconds=round(seconds, 3),
        finished=now_iso(),
        host=worker_name(),
    )


def records_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / RECORDS_DIR


def make_out_dir(out_dir: str | Path) -> Path:
    """The output folder and its records folder, created private (0700) when new. Raises OutputError."""
    out = Path(out_dir)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        records_dir(out).mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out}: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise OutputError(f"--out {out} is not a folder")
    return out


def write_record(record: ResultRecord, out_dir: str | Path, reads: tuple[str, ...] = ()) -> Path:
    text = json.dumps(record.to_json(), indent=1) + "\n"
    return write_private(records_dir(out_dir) / f"{record.key}.json", text.encode("utf-8"), reads, "batch record")


def read_record(out_dir: str | Path, key: str) -> ResultRecord | None:
    """The stored record of ``key``, or None when there is none or it cannot be read."""
    try:
        return ResultRecord.from_json(json.loads((records_dir(out_dir) / f"{key}.json").read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def all_records(out_dir: str | Path) -> list[ResultRecord]:
    """Every readable record in the output folder (a damaged one is left out, and redone by a rerun)."""
    found = []
    for path in sorted(records_dir(out_dir).glob("*.json")):
        record = read_record(out_dir, path.stem)
        if record is not None:
            found.append(record)
    return found


def is_done(record: ResultRecord | None, task: ClipTask) -> bool:
    """Whether a rerun may skip ``task``: a final answer whose outputs are all still there."""
    if record is None:
        return False
    if not record.ok:
        return record.final
    out = Path(task.out_dir)
    if not record.json or not (out / record.json).is_file():
        return False
    if task.annotate and not (record.annotated and (out / record.annotated).is_file()):
        return False
    return True


def error_text(exc: BaseException) -> str:
    return one_line(str(exc) or type(exc).__name__)
