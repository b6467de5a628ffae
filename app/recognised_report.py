"""The report of ``--exercise auto``: the recognised exercise, or one segment per exercise of a routine.

One exercise seen: the report is its checker's, with how sure the recognition is. Several in a row: each
segment carries its own exercise's counts, and the top-level counts are the sums over the segments (reps
numbered through the whole recording), as PRODUCT.md has it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from app.clip_report import ClipReport, checker_report
from exercises.events import FaultRecord, RepRecord
from exercises.recognition import Recogniser
from exercises.segments import Segment, split


@dataclass(frozen=True)
class ClipFacts:
    """What the analysis knows of the clip itself, whatever was counted in it."""

    video: str
    model: str
    duration_s: float
    frames: int
    frames_with_pose: int
    fps: float | None = None
    size_px: tuple[int, int] | None = None

    def fields(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def recognised_report(recogniser: Recogniser, clip: ClipFacts, start_s: float = 0.0) -> ClipReport:
    decision = recogniser.recognition()
    segments = split(recogniser, start_s, start_s + clip.duration_s)
    added: dict[str, Any] = {
        "exercise_confidence": round(decision.confidence, 2),
        "segments": tuple(s.to_json() for s in segments),
        "recognition": decision.to_json(),
    }
    if len(segments) <= 1:
        exercise = segments[0].exercise if segments else recogniser.defn.id
        report = checker_report(recogniser.checkers[exercise], exercise=exercise, **clip.fields())
        return dataclasses.replace(report, **added)
    reps, faults = _numbered_through(segments)
    sided = [s.reps_by_side for s in segments if s.reps_by_side is not None]
    by_side = {side: sum(s.get(side, 0) for s in sided) for side in ("left", "right")} if sided else None
    main = max(segments, key=lambda s: s.reps).exercise
    return ClipReport(
        exercise=main,
        reps=len(reps),
        reps_by_side=by_side,
        reps_detail=reps,
        faults=faults,
        status=tuple(st for s in segments for st in s.status),
        partial_reps=tuple(p for s in segments for p in s.partial_reps),
        notes=tuple(recogniser.checkers[main].notes),
        **clip.fields(),
        **added,
    )


def _numbered_through(segments: list[Segment]) -> tuple[tuple[RepRecord, ...], tuple[FaultRecord, ...]]:
    """Every segment's reps numbered 1.. through the recording, and their faults pointing at the new numbers."""
    reps: list[RepRecord] = []
    faults: list[FaultRecord] = []
    for segment in segments:
        renumber = {}
        for r in segment.reps_detail:
            renumber[r.index] = len(reps) + 1
            reps.append(dataclasses.replace(r, index=len(reps) + 1))
        faults += [dataclasses.replace(f, rep=renumber[f.rep]) for f in segment.faults if f.rep in renumber]
    return tuple(reps), tuple(faults)
