"""The readable summary ``hipcoach analyze`` prints after the progress bar.

With ``--exercise auto`` and a routine split into several segments, the reps, the movements that did
not count, the form and the time not counting are grouped under each segment's exercise and span.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from app.clip_report import ClipReport
from exercises.events import FaultRecord, PartialRecord, RepRecord, StatusInterval
from exercises.vocabulary import RECOGNITION_UNSURE, note_message, partial_reason, status_label


def format_summary(report: ClipReport) -> str:
    segments = report.segments or ()
    routine = len(segments) > 1
    what = " then ".join(str(s["exercise"]) for s in segments) if routine else report.exercise
    lines = [
        f"{report.video}: {what}, {report.duration_s:.1f} s, "
        f"pose found in {report.frames_with_pose}/{report.frames} frames (model {report.model})",
    ]
    if report.recognition is not None:
        lines.append("  " + _recognition_line(report))
    lines.append(f"  repetitions: {report.reps}" + _sides(report.reps_by_side))
    if routine:
        for index, segment in enumerate(segments):
            lines.append(
                f"  {segment['exercise']} {segment['start_s']:.1f}-{segment['end_s']:.1f} s: "
                f"{segment['reps']} repetition{'s' if segment['reps'] != 1 else ''}"
                + _sides(segment.get("reps_by_side"))
            )

            def inside(t_s: float, index: int = index) -> bool:
                return _segment_at(segments, t_s) == index

            lines += _detail_lines(
                [r for r in report.reps_detail if inside(r.start_s)],
                [p for p in report.partial_reps if inside(p.start_s)],
                [f for f in report.faults if inside(f.t_s)],
                [s for s in report.status if inside(s.start_s)],
                indent="    ",
            )
    else:
        lines += _detail_lines(report.reps_detail, report.partial_reps, report.faults, report.status, indent="  ")
    for note in dict.fromkeys(note_message(n.code) + (f" ({n.detail})" if n.detail else "") for n in report.notes):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _sides(by_side: Mapping[str, int] | None) -> str:
    if by_side is None:
        return ""
    return f"  (left {by_side.get('left', 0)}, right {by_side.get('right', 0)})"


def _segment_at(segments: Sequence[Mapping[str, Any]], t_s: float) -> int:
    """The segment ``t_s`` falls in: segments meet, so every moment has one."""
    return max([i for i, s in enumerate(segments) if s["start_s"] <= t_s], default=0)


def _detail_lines(
    reps: Sequence[RepRecord],
    partials: Sequence[PartialRecord],
    faults: Sequence[FaultRecord],
    status: Sequence[StatusInterval],
    indent: str,
) -> list[str]:
    """Each rep, the movements that did not count, the form and the time not counting, at ``indent``."""
    lines = []
    for rep in reps:
        side = f" {rep.side}" if rep.side else ""
        hold = f", hold {rep.hold_s:.1f} s" if rep.hold_s is not None else ""
        marks = f"  [{', '.join(rep.faults)}]" if rep.faults else ""
        lines.append(f"{indent}  #{rep.index}{side}: {rep.start_s:.1f}-{rep.end_s:.1f} s{hold}{marks}")
    if partials:
        why = Counter(partial_reason(p.reason) for p in partials)
        lines.append(
            f"{indent}partial repetitions (not counted): {len(partials)}: "
            + ", ".join(f"{reason} x{n}" for reason, n in why.most_common())
        )
    if faults:
        counts = Counter(f.code for f in faults)
        lines.append(f"{indent}form: " + ", ".join(f"{code} x{n}" for code, n in counts.most_common()))
        for cue in dict.fromkeys(f.cue for f in faults):
            lines.append(f"{indent}  - {cue}")
    else:
        lines.append(f"{indent}form: no faults seen")
    if status:
        total: Counter[str] = Counter()
        for s in status:
            total[s.code] += s.end_s - s.start_s
        lines.append(
            f"{indent}not counting: "
            + ", ".join(f"{status_label(code)} {secs:.1f} s" for code, secs in total.most_common())
        )
    return lines


def _recognition_line(report: ClipReport) -> str:
    """What ``--exercise auto`` recognised, or that it is not sure (and what it counted as, meanwhile)."""
    segments = report.segments or ()
    if len(segments) > 1:  # each segment stands on a run of reps that fit its exercise
        return f"recognised: {len(segments)} exercises in a row, one segment each"
    rec = report.recognition or {}
    if rec.get("exercise"):
        when = rec.get("decided_at_s")
        at = f", sure from {when:.1f} s" if when is not None else ""
        return f"recognised: {rec['exercise']} ({rec.get('confidence', 0):.0%} ahead of the next{at})"
    return f"{RECOGNITION_UNSURE}: counted as {report.exercise}, the closest; run again with --exercise to name it"
