"""The readable summary ``hipcoach analyze`` prints after the progress bar."""

from __future__ import annotations

from collections import Counter

from app.clip_report import ClipReport
from exercises.vocabulary import note_message, partial_reason, status_label


def format_summary(report: ClipReport) -> str:
    lines = [
        f"{report.video}: {report.exercise}, {report.duration_s:.1f} s, "
        f"pose found in {report.frames_with_pose}/{report.frames} frames (model {report.model})",
        f"  repetitions: {report.reps}",
    ]
    if report.recognition is not None:
        lines.insert(1, "  " + _recognition_line(report))
    if report.reps_by_side is not None:
        sides = report.reps_by_side
        lines[-1] += f"  (left {sides.get('left', 0)}, right {sides.get('right', 0)})"
    for rep in report.reps_detail:
        side = f" {rep.side}" if rep.side else ""
        hold = f", hold {rep.hold_s:.1f} s" if rep.hold_s is not None else ""
        faults = f"  [{', '.join(rep.faults)}]" if rep.faults else ""
        lines.append(f"    #{rep.index}{side}: {rep.start_s:.1f}-{rep.end_s:.1f} s{hold}{faults}")
    if report.partial_reps:
        why = Counter(partial_reason(p.reason) for p in report.partial_reps)
        lines.append(
            f"  partial repetitions (not counted): {len(report.partial_reps)}: "
            + ", ".join(f"{reason} x{n}" for reason, n in why.most_common())
        )
    if report.faults:
        counts = Counter(f.code for f in report.faults)
        lines.append("  form: " + ", ".join(f"{code} x{n}" for code, n in counts.most_common()))
        for cue in dict.fromkeys(f.cue for f in report.faults):
            lines.append(f"    - {cue}")
    else:
        lines.append("  form: no faults seen")
    if report.status:
        total: Counter[str] = Counter()
        for s in report.status:
            total[s.code] += s.end_s - s.start_s
        lines.append(
            "  not counting: " + ", ".join(f"{status_label(code)} {secs:.1f} s" for code, secs in total.most_common())
        )
    for note in dict.fromkeys(note_message(n.code) + (f" ({n.detail})" if n.detail else "") for n in report.notes):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _recognition_line(report: ClipReport) -> str:
    """What ``--exercise auto`` recognised, or that it is not sure (and what it counted as, meanwhile)."""
    rec = report.recognition or {}
    if rec.get("exercise"):
        when = rec.get("decided_at_s")
        at = f", sure from {when:.1f} s" if when is not None else ""
        return f"recognised: {rec['exercise']} ({rec.get('confidence', 0):.0%} ahead of the next{at})"
    return (
        f"not sure which exercise this is: counted as {report.exercise}, the closest; "
        "run again with --exercise to name it"
    )
