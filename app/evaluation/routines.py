"""Scoring a whole routine in one recording: which exercise each part is, where the parts meet, and
what was counted inside each part (``hipcoach eval`` over a manifest's ``routines``).

A routine's truth (written by ``tools/render``'s routine clips) lists its parts as ``segments``:
exercise, [start_s, end_s] (getting into position included), [reps_start_s, reps_end_s] and the
reps' truth, plus ``boundaries_s``: half-way between one part's last rep and the next part's first.
The analysis (``--exercise auto``) reports its own segments. Scored:

- a true part is *recognised* when the reported segment overlapping its reps most is its exercise;
- each true boundary's error is the distance to the nearest reported boundary (none reported:
  the boundary is missed); reported segments beyond the true number are ``extra_segments``;
- a part's count is the counted reps whose middle falls inside the part, against its true reps
  (and by side, and each true rep's peak taken by a counted rep, as for single clips).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.clip_report import ClipReport
from app.evaluation.matching import Span, match_rep_times, overlap
from exercises.events import RepRecord
from exercises.recognition import AUTO

log = logging.getLogger(__name__)

DEFAULT_ROUTINE_THRESHOLDS = {
    "segment_accuracy": 0.95,
    "boundary_error_max_s": 2.0,
    "missed_boundaries_max": 0,
    "extra_segments_max": 0,
    "segment_exact_count_rate": 0.95,
    "segment_per_side_exact_rate": 0.90,
}


@dataclass(frozen=True)
class RoutineTruth:
    """One routine clip: its parts in order (the truth file's ``segments`` dicts) and where they meet."""

    name: str
    video: Path
    segments: tuple[dict, ...]
    boundaries_s: tuple[float, ...]


def load_routine(name: str, video: Path, truth_path: Path) -> RoutineTruth:
    t = json.loads(truth_path.read_text())
    if t.get("kind") != "routine" or not t.get("segments"):
        raise ValueError(f"{truth_path}: not a routine truth (kind 'routine' with 'segments')")
    return RoutineTruth(name, video, tuple(t["segments"]), tuple(float(b) for b in t.get("boundaries_s", ())))


@dataclass
class PartResult:
    exercise: str
    got_exercise: str | None  # the reported segment's over this part's reps (None: nothing reported there)
    true_reps: int
    got_reps: int
    side_exact: bool | None = None  # None: not a unilateral part
    rep_times: int = 0
    rep_times_matched: int = 0

    @property
    def recognised(self) -> bool:
        return self.got_exercise == self.exercise


@dataclass
class RoutineResult:
    name: str
    parts: list[PartResult] = field(default_factory=list)
    boundary_errors_s: list[float | None] = field(default_factory=list)  # None: no reported boundary near it
    reported_segments: int = 0
    extra_segments: int = 0
    error: str | None = None


def _reported_segments(report: ClipReport) -> list[tuple[str, Span]]:
    """(exercise, [start_s, end_s]) of each reported segment; a report without segments is one."""
    if report.segments:
        return [(str(s["exercise"]), (float(s["start_s"]), float(s["end_s"]))) for s in report.segments]
    return [(report.exercise, (0.0, float(report.duration_s or 0.0)))]


def _inside(reps: Sequence[RepRecord], span: Span) -> list[RepRecord]:
    return [r for r in reps if span[0] <= (float(r.start_s) + float(r.end_s)) / 2 < span[1]]


def _by_side(reps: Iterable[RepRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in reps:
        if r.side:
            counts[r.side] = counts.get(r.side, 0) + 1
    return counts


def score_part(part: Mapping[str, Any], reported: list[tuple[str, Span]], reps: Sequence[RepRecord]) -> PartResult:
    reps_span = (float(part["reps_start_s"]), float(part["reps_end_s"]))
    best = max(reported, key=lambda seg: overlap(seg[1], reps_span), default=None)
    got_exercise = best[0] if best is not None and overlap(best[1], reps_span) > 0 else None
    counted = _inside(reps, (float(part["start_s"]), float(part["end_s"])))
    res = PartResult(str(part["exercise"]), got_exercise, int(part["reps"]), len(counted))
    true_sides = part.get("reps_by_side")
    if true_sides is not None:
        got = _by_side(counted)
        res.side_exact = all(got.get(side, 0) == int(n) for side, n in true_sides.items())
    peaks = [float(r["peak_s"]) for r in part.get("reps_detail", ()) if r.get("peak_s") is not None]
    if peaks:
        res.rep_times, res.rep_times_matched = len(peaks), match_rep_times(counted, peaks).matched
    return res


def score_routine(truth: RoutineTruth, report: ClipReport) -> RoutineResult:
    reported = _reported_segments(report)
    res = RoutineResult(truth.name, reported_segments=len(reported))
    res.parts = [score_part(part, reported, report.reps_detail) for part in truth.segments]
    reported_boundaries = [span[0] for _, span in reported[1:]]
    for boundary in truth.boundaries_s:
        nearest = min((abs(b - boundary) for b in reported_boundaries), default=None)
        res.boundary_errors_s.append(None if nearest is None else round(nearest, 3))
    res.extra_segments = max(0, len(reported) - len(truth.segments))
    return res


def evaluate_routines(routines: Iterable[RoutineTruth], analyze, progress=None) -> list[RoutineResult]:
    """Analyse each routine with the exercise recognised (``auto``) and score it; errors are recorded."""
    routines = list(routines)
    out = []
    for i, routine in enumerate(routines):
        if progress:
            progress(i, len(routines), routine.name)
        try:
            report = analyze(routine.video, AUTO)
        except Exception as exc:  # one broken clip must not hide the others' results
            log.warning("%s: analysis failed: %s", routine.name, exc)
            out.append(RoutineResult(routine.name, error=f"{type(exc).__name__}: {exc}"))
            continue
        out.append(score_routine(routine, report))
    return out


def _rate(hits: int, n: int) -> float | None:
    return hits / n if n else None


def summarize_routines(results: list[RoutineResult]) -> dict:
    """Metrics over all routines, the recognition table per exercise, and each routine (JSON-ready)."""
    parts = [p for r in results for p in r.parts]
    found = [e for r in results for e in r.boundary_errors_s if e is not None]
    sided = [p for p in parts if p.side_exact is not None]
    n_times = sum(p.rep_times for p in parts)
    per_exercise: dict[str, dict] = {}
    for p in parts:
        row = per_exercise.setdefault(p.exercise, {"segments": 0, "recognised": 0, "exact_counts": 0, "taken_for": {}})
        row["segments"] += 1
        row["recognised"] += p.recognised
        row["exact_counts"] += p.got_reps == p.true_reps
        if not p.recognised:
            key = p.got_exercise or "nothing"
            row["taken_for"][key] = row["taken_for"].get(key, 0) + 1
    for row in per_exercise.values():
        row["recognised_rate"] = _rate(row["recognised"], row["segments"])
    return {
        "overall": {
            "routines": len(results),
            "errors": sum(r.error is not None for r in results),
            "segments": len(parts),
            "segment_accuracy": _rate(sum(p.recognised for p in parts), len(parts)),
            "boundaries": sum(len(r.boundary_errors_s) for r in results),
            "missed_boundaries": sum(e is None for r in results for e in r.boundary_errors_s),
            "boundary_error_mean_s": sum(found) / len(found) if found else None,
            "boundary_error_max_s": max(found) if found else None,
            "extra_segments": sum(r.extra_segments for r in results),
            "segment_exact_count_rate": _rate(sum(p.got_reps == p.true_reps for p in parts), len(parts)),
            "segment_per_side_exact_rate": _rate(sum(bool(p.side_exact) for p in sided), len(sided)),
            "segment_rep_timing_rate": _rate(sum(p.rep_times_matched for p in parts), n_times),
        },
        "per_exercise": dict(sorted(per_exercise.items())),
        "routines": [asdict(r) for r in results],
    }


def format_routines(summary: dict, title: str = "Routines") -> str:
    """The routine results for people: the overall line, the recognition table, then each routine's parts."""
    o = summary["overall"]

    def pct(v: float | None) -> str:
        return "-" if v is None else f"{100 * v:.0f}%"

    mean = "-" if o["boundary_error_mean_s"] is None else f"{o['boundary_error_mean_s']:.2f}"
    worst = "-" if o["boundary_error_max_s"] is None else f"{o['boundary_error_max_s']:.2f}"
    out = [
        f"{title}: {o['routines']} routine(s), {o['segments']} segments;"
        f" exercise right on {pct(o['segment_accuracy'])};"
        f" boundaries off by {mean} s on average, {worst} s at worst, {o['missed_boundaries']} missed,"
        f" {o['extra_segments']} extra segment(s); counts exact in {pct(o['segment_exact_count_rate'])} of segments,"
        f" by side in {pct(o['segment_per_side_exact_rate'])} of one-sided ones,"
        f" rep timing {pct(o['segment_rep_timing_rate'])}",
        f"  {'exercise':<22} {'segments':>8} {'recognised':>10} {'exact count':>11}  taken for",
    ]
    for ex, row in summary["per_exercise"].items():
        taken = ", ".join(f"{k} x{n}" for k, n in row["taken_for"].items()) or "-"
        rate = pct(row["recognised_rate"])
        out.append(f"  {ex:<22} {row['segments']:>8} {rate:>10} {row['exact_counts']:>11}  {taken}")
    for r in summary["routines"]:
        if r["error"]:
            out.append(f"  {r['name']}: {r['error']}")
            continue
        parts = "; ".join(
            f"{p['exercise']}{'' if p['got_exercise'] == p['exercise'] else ' as ' + str(p['got_exercise'])}"
            f" {p['got_reps']}/{p['true_reps']}"
            for p in r["parts"]
        )
        errors = ", ".join("missed" if e is None else f"{e:.1f}s" for e in r["boundary_errors_s"])
        out.append(f"  {r['name']}: {parts}; boundaries {errors or '-'}")
    return "\n".join(out)
