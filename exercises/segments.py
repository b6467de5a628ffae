"""A recording of several exercises in a row, split into one segment per exercise.

The recogniser's evidence, rep by rep and in time order, is a sequence of exercise names. A run of
at least two reps of one exercise makes a segment; a lone rep of another exercise inside a run (a
movement that happened to fit another exercise once) does not split it. Segments meet half-way
between the last rep of one and the first rep of the next (the rest, getting down onto the mat);
the first starts with the recording and the last ends with it. Each segment then holds what its own
exercise's checker counted, faulted and said in that span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.events import FaultRecord, PartialRecord, RepRecord, StatusInterval
from exercises.recognition import Recogniser
from exercises.rounding import rounded_s

BETWEEN_EXERCISES = "between_exercises"  # a partial rep's reason: moving between one exercise and the next
MIN_RUN_REPS = 2  # fewer fitting reps in a row than this do not make a segment of their own


@dataclass(frozen=True)
class Segment:
    """One exercise's part of a recording: what its checker counted between ``start_s`` and ``end_s``."""

    exercise: str
    start_s: float
    end_s: float
    reps_by_side: dict[str, int] | None
    reps_detail: tuple[RepRecord, ...]
    faults: tuple[FaultRecord, ...]
    status: tuple[StatusInterval, ...]
    partial_reps: tuple[PartialRecord, ...]

    @property
    def reps(self) -> int:
        return len(self.reps_detail)

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "reps": self.reps,
            "reps_by_side": self.reps_by_side,
            "reps_detail": [r.to_json() for r in self.reps_detail],
            "faults": [f.to_json() for f in self.faults],
            "status": [s.to_json() for s in self.status],
            "partial_reps": [p.to_json() for p in self.partial_reps],
        }


def _runs(labels: list[str]) -> list[tuple[str, int]]:
    """Consecutive equal labels as (label, how many)."""
    runs: list[tuple[str, int]] = []
    for label in labels:
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1] + 1)
        else:
            runs.append((label, 1))
    return runs


def split(recogniser: Recogniser, start_s: float, end_s: float) -> list[Segment]:
    """The recording from ``start_s`` to ``end_s`` as segments (none when no exercise was seen)."""
    fitting = recogniser.fitting_reps()
    runs = _runs([ex for ex, _ in fitting])
    # Where each run lies in time, by its first and last fitting rep.
    spans: list[tuple[str, float, float]] = []
    k = 0
    for ex, n in runs:
        reps = [r for _, r in fitting[k : k + n]]
        k += n
        if n < MIN_RUN_REPS and len(runs) > 1:
            continue  # a lone fit inside another exercise's run
        if spans and spans[-1][0] == ex:
            spans[-1] = (ex, spans[-1][1], max(spans[-1][2], reps[-1].end_s))
        else:
            spans.append((ex, reps[0].start_s, reps[-1].end_s))
    if not spans:
        decided = recogniser.recognition().exercise
        return [_segment(recogniser, decided, start_s, end_s)] if decided else []
    bounds = [start_s] + [(a[2] + b[1]) / 2 for a, b in zip(spans, spans[1:])] + [end_s]
    if len(spans) == 1:
        return [_segment(recogniser, spans[0][0], start_s, end_s)]
    return [
        _segment(recogniser, ex, bounds[i], bounds[i + 1], fits_span=(first, last))
        for i, (ex, first, last) in enumerate(spans)
    ]


def _segment(
    recogniser: Recogniser, exercise: str, start_s: float, end_s: float, fits_span: tuple[float, float] | None = None
) -> Segment:
    """What ``exercise``'s checker did from ``start_s`` to ``end_s``. In a routine (``fits_span``: the first
    fitting rep's start, the last one's end), a rep before or after the fitting ones that does not fit
    the exercise was getting into or out of its position (getting up off the mat and spreading the legs
    looks like a standing abduction): it is a movement that did not count, and says why."""
    checker = recogniser.checkers[exercise]

    def inside(t: float) -> bool:
        return start_s <= t < end_s

    reps = tuple(r for r in checker.reps_detail if inside(r.start_s))
    moving_between: tuple[RepRecord, ...] = ()
    if fits_span is not None:
        fits = {r.index for ex, r in recogniser.fitting_reps() if ex == exercise}
        moving_between = tuple(
            r for r in reps if r.index not in fits and (r.end_s <= fits_span[0] or r.start_s >= fits_span[1])
        )
        reps = tuple(r for r in reps if r not in moving_between)
    indices = {r.index for r in reps}
    by_side = None
    if checker.reps_by_side is not None:
        by_side = {side: sum(1 for r in reps if r.side == side) for side in ("left", "right")}
    status = tuple(
        StatusInterval(s.code, rounded_s(max(s.start_s, start_s)), rounded_s(min(s.end_s, end_s)))
        for s in checker.status_intervals
        if s.start_s < end_s and s.end_s > start_s
    )
    return Segment(
        exercise=exercise,
        start_s=rounded_s(start_s),
        end_s=rounded_s(end_s),
        reps_by_side=by_side,
        reps_detail=reps,
        faults=tuple(f for f in checker.faults if f.rep in indices),
        status=status,
        partial_reps=tuple(
            sorted(
                [
                    *(p for p in checker.partial_reps if inside(p.start_s)),
                    *(
                        PartialRecord(r.side, r.start_s, r.end_s, r.peak_angle_deg, BETWEEN_EXERCISES)
                        for r in moving_between
                    ),
                ],
                key=lambda p: p.start_s,
            )
        ),
    )
