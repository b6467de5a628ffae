"""The accuracy table ``hipcoach eval`` prints: one line per exercise, overall, the guided exercise
apart, then each clip's misses."""

from __future__ import annotations

import math


def _fmt(value, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if pct:
        return f"{100 * value:.0f}%"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _clip_notes(c: dict) -> list[str]:
    """What went wrong on one clip (a summary's ``clips`` entry), in short phrases; empty: nothing."""
    notes = []
    if c["error"]:
        notes.append(c["error"])
    if c.get("recognised_as") not in (None, c["exercise"]):
        notes.append(f"taken for {c['recognised_as']}")
    elif c["count_error"]:
        lo, hi = c["reps_range"] or (c["true_reps"], c["true_reps"])
        notes.append(f"reps {c['got_reps']} vs {lo if lo == hi else f'{lo}-{hi}'}")
    if c["false_reps"]:
        notes.append("false reps at " + ", ".join(c["false_reps"]))
    if c["missed_rep_times"]:
        notes.append("no counted rep at " + ", ".join(f"{t:g}s" for t in c["missed_rep_times"]))
    if c["side_exact"] is False:
        notes.append("side counts differ")
    if c["missed_faults"]:
        notes.append("missed " + ", ".join(c["missed_faults"]))
    if c["extra_faults"]:
        notes.append("extra " + ", ".join(c["extra_faults"]))
    big = [h for h in c["hold_errors_s"] if h > 0.5]
    if big:
        notes.append("hold off by " + ", ".join(f"{h:.1f}s" for h in big))
    return notes


def format_table(summary: dict, title: str = "", per_clip: bool = True) -> str:
    """The summary as a plain-text table: one line per perceived exercise, overall; the guided
    exercise on its own line below; then the misses clip by clip."""
    cols = (
        "exercise",
        "clips",
        "exact",
        "±1",
        "MAE",
        "sides",
        "hold max s",
        "fault P",
        "fault R",
        "timing",
        "false reps",
        "recognised",
    )

    def row(name: str, m: dict) -> tuple[str, ...]:
        return (
            name,
            str(m["clips"]),
            _fmt(m["exact_count_rate"], True),
            _fmt(m["within_one_rate"], True),
            _fmt(m["mean_abs_count_error"]),
            _fmt(m["per_side_exact_rate"], True),
            _fmt(m["hold_error_max_s"]),
            _fmt(m["fault_precision"]),
            _fmt(m["fault_recall"]),
            _fmt(m["rep_timing_rate"], True),
            _fmt(m["false_reps"]),
            _fmt(m.get("recognition_rate"), True),
        )

    guided_ids = {c["exercise"] for c in summary["clips"] if c.get("guided")}
    rows = [row(ex, m) for ex, m in summary["per_exercise"].items() if ex not in guided_ids]
    overall = row("overall (perceived)", summary["overall"])
    guided = [row(ex, m) for ex, m in summary["per_exercise"].items() if ex in guided_ids]
    widths = [max(len(c), *(len(r[i]) for r in [*rows, overall, *guided])) for i, c in enumerate(cols)]
    line = lambda r: "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths)))  # noqa: E731
    rule = line(tuple("-" * w for w in widths))
    out = [title] if title else []
    out += [line(cols), rule, *(line(r) for r in rows), rule, line(overall)]
    for r in guided:
        out.append(line(r) + "   <- guided squeeze/relax cycles: timed, not seen; not in overall")
    if per_clip:
        for c in summary["clips"]:
            notes = _clip_notes(c)
            if notes:
                out.append(f"  {c['name']}: " + "; ".join(notes))
    return "\n".join(out)


def format_report(result: dict) -> str:
    parts = [format_table(result["summary"], f"Generated clips ({result['manifest']})")]
    if result.get("routines"):
        from app.evaluation.routines import format_routines

        parts.append(format_routines(result["routines"]))
    for name, summary in result["report_only"].items():
        parts.append(format_table(summary, f"Report only: {name}"))
    if result["failures"]:
        parts.append("FAILED thresholds:\n" + "\n".join(f"  {f}" for f in result["failures"]))
    else:
        parts.append("All thresholds met.")
    return "\n\n".join(parts)
