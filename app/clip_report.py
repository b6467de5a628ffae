"""The report of one analysed clip: a frozen value read by attribute, written as the schema-1 JSON.

``hipcoach analyze --json``, the review's JSON export, ``hipcoach eval`` and the summary all read this
one value; only :meth:`ClipReport.to_json` knows the JSON layout (PRODUCT.md, schema 1: fields may be
added, none removed) and :meth:`ClipReport.from_json` reads a saved report back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from exercises.events import FaultRecord, NoteInterval, PartialRecord, RepRecord, StatusInterval

if TYPE_CHECKING:
    from exercises.checker import ExerciseChecker
    from exercises.recognition import Recogniser

SCHEMA_VERSION = 1
DECIMALS = 3  # times to the millisecond: what a person reads, and what the JSON has always carried

Record = TypeVar("Record", RepRecord, FaultRecord, StatusInterval, PartialRecord, NoteInterval)


def rounded_json(value: Any) -> Any:
    """``value`` with every float rounded to :data:`DECIMALS`, tuples as lists (recursively)."""
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, dict):
        return {k: rounded_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded_json(v) for v in value]
    return value


def _rounded_record(record: Record) -> Record:
    """The record with its float fields rounded like the JSON, so attributes and JSON agree."""
    changes: dict[str, Any] = {
        f.name: round(getattr(record, f.name), DECIMALS)
        for f in dataclasses.fields(record)
        if isinstance(getattr(record, f.name), float)
    }
    lists = {f.name: list(getattr(record, f.name)) for f in dataclasses.fields(record) if f.name == "faults"}
    return dataclasses.replace(record, **changes, **lists)


def _records(kind: type[Record], items: Iterable[Any]) -> tuple[Record, ...]:
    """Records of ``kind`` from records or their JSON dicts (unknown keys ignored: fields may be added)."""
    names = {f.name for f in dataclasses.fields(kind)}
    out = []
    for item in items or ():
        record = item if isinstance(item, kind) else kind(**{k: v for k, v in dict(item).items() if k in names})
        out.append(_rounded_record(record))
    return tuple(out)


@dataclass(frozen=True)
class ClipReport:
    """One clip analysed for one exercise (the fields of PRODUCT.md's ``analyze --json``, same names).

    Times in seconds from the clip's start, rounded to the millisecond on construction, so what a
    reader sees by attribute is what the JSON says. ``reps_by_side`` is None for an exercise done with
    both legs at once; ``status`` holds the spans of "why I'm not counting", ``partial_reps`` the
    movements that did not count and why, ``notes`` what was worth knowing without stopping the count.
    ``fps`` and ``size_px`` (width, height) are the clip's own; None when a saved report lacks them.
    """

    video: str
    exercise: str
    model: str
    duration_s: float
    frames: int
    frames_with_pose: int
    reps: int
    reps_by_side: Mapping[str, int] | None
    reps_detail: tuple[RepRecord, ...]
    faults: tuple[FaultRecord, ...]
    status: tuple[StatusInterval, ...]
    partial_reps: tuple[PartialRecord, ...] = ()
    notes: tuple[NoteInterval, ...] = ()
    fps: float | None = None
    size_px: tuple[int, int] | None = None
    # ``--exercise auto`` only (PRODUCT.md): how sure the recognition is (0..1), the recording split into one
    # segment per exercise (top-level counts are their sums), and the evidence behind the decision.
    exercise_confidence: float | None = None
    segments: tuple[Mapping[str, Any], ...] | None = None
    recognition: Mapping[str, Any] | None = None
    schema: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        # Frozen: normalised once here (records typed and rounded, containers immutable or copied).
        set_ = object.__setattr__
        set_(self, "duration_s", round(float(self.duration_s), DECIMALS))
        if self.fps is not None:
            set_(self, "fps", round(float(self.fps), DECIMALS))
        if self.size_px is not None:
            width, height = self.size_px
            set_(self, "size_px", (int(width), int(height)))
        if self.reps_by_side is not None:
            set_(self, "reps_by_side", dict(self.reps_by_side))
        set_(self, "reps_detail", _records(RepRecord, self.reps_detail))
        set_(self, "faults", _records(FaultRecord, self.faults))
        set_(self, "status", _records(StatusInterval, self.status))
        set_(self, "partial_reps", _records(PartialRecord, self.partial_reps))
        set_(self, "notes", _records(NoteInterval, self.notes))

    def to_json(self) -> dict[str, Any]:
        """The schema-1 JSON (PRODUCT.md), keys in their documented order, floats to the millisecond."""
        data = {
            "schema": self.schema,
            "video": self.video,
            "exercise": self.exercise,
            "model": self.model,
            "duration_s": self.duration_s,
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "reps": self.reps,
            "reps_by_side": None if self.reps_by_side is None else dict(self.reps_by_side),
            "reps_detail": [r.to_json() for r in self.reps_detail],
            "faults": [f.to_json() for f in self.faults],
            "status": [s.to_json() for s in self.status],
            "partial_reps": [p.to_json() for p in self.partial_reps],
            "notes": [n.to_json() for n in self.notes],
            "fps": self.fps,
            "size_px": None if self.size_px is None else list(self.size_px),
        }
        if self.exercise_confidence is not None:  # added fields, present only with --exercise auto
            data["exercise_confidence"] = self.exercise_confidence
        if self.segments is not None:
            data["segments"] = [dict(s) for s in self.segments]
        if self.recognition is not None:
            data["recognition"] = dict(self.recognition)
        return rounded_json(data)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClipReport:
        """A saved report read back. Unknown keys are ignored; the added fields may be missing.

        Raises ``ValueError`` naming the first missing schema-1 field or a schema other than 1.
        """
        schema = data.get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            raise ValueError(f"clip report schema {schema!r}; expected {SCHEMA_VERSION}")
        required = ("video", "exercise", "model", "duration_s", "frames", "frames_with_pose", "reps")
        missing = [key for key in required if key not in data]
        if missing:
            raise ValueError(f"clip report has no {missing[0]!r} field (schema 1 needs {', '.join(required)})")
        size = data.get("size_px")
        return cls(
            video=str(data["video"]),
            exercise=str(data["exercise"]),
            model=str(data["model"]),
            duration_s=float(data["duration_s"]),
            frames=int(data["frames"]),
            frames_with_pose=int(data["frames_with_pose"]),
            reps=int(data["reps"]),
            reps_by_side=data.get("reps_by_side"),
            reps_detail=_records(RepRecord, data.get("reps_detail") or ()),
            faults=_records(FaultRecord, data.get("faults") or ()),
            status=_records(StatusInterval, data.get("status") or ()),
            partial_reps=_records(PartialRecord, data.get("partial_reps") or ()),
            notes=_records(NoteInterval, data.get("notes") or ()),
            fps=data.get("fps"),
            size_px=None if size is None else (int(size[0]), int(size[1])),
            exercise_confidence=data.get("exercise_confidence"),
            segments=None if data.get("segments") is None else tuple(data["segments"]),
            recognition=data.get("recognition"),
        )


def checker_report(
    checker: ExerciseChecker | Recogniser,
    *,
    video: str,
    exercise: str,
    model: str,
    duration_s: float,
    frames: int,
    frames_with_pose: int,
    fps: float | None = None,
    size_px: tuple[int, int] | None = None,
) -> ClipReport:
    """The report of a finished checker's records plus what the caller knows of the clip (the one place a
    checker becomes a report: the analysis here, and developer tools replaying cached landmarks)."""
    return ClipReport(
        video=video,
        exercise=exercise,
        model=model,
        duration_s=duration_s,
        frames=frames,
        frames_with_pose=frames_with_pose,
        reps=checker.reps,
        reps_by_side=checker.reps_by_side,
        reps_detail=tuple(checker.reps_detail),
        faults=tuple(checker.faults),
        status=tuple(checker.status_intervals),
        partial_reps=tuple(checker.partial_reps),
        notes=tuple(checker.notes),
        fps=fps,
        size_px=size_px,
    )
