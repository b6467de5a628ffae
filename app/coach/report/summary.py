"""The summary a physiotherapist reads first (page 1 on paper): totals, reps per exercise and side,
pain, the faults most seen, safety."""

from __future__ import annotations

from collections import Counter

from app.coach import charts
from app.coach.report.blocks import Block, Bullets, Figure, Heading, Paragraph, Section, Table
from app.coach.report.data import ReportData, stamp
from app.coach.report.text import num, pct, plural
from app.coach.store import progress
from exercises.vocabulary import fault_label

ANGLE_NOTE = (
    "Angles are what the camera saw (2D pose estimates): good for following change over time, "
    "not a clinical measurement."
)
EXERCISE_HEAD = ("Exercise", "Days", "Sets", "Reps", "Left", "Right", "Mean hold", "Best peak", "Faults (per rep)")
_EXERCISE_WIDTHS = (34, 12, 12, 14, 14, 14, 20, 20, 40)
_COMPACT_PAIN_HEIGHT = 190.0  # drawing units: short enough to keep the summary on one page


def summary_section(data: ReportData) -> Section:
    faults = fault_lines(data)
    pain = pain_chart(data)
    blocks: list[Block] = [
        Paragraph(totals_text(data), "lead"),
        Heading("Reps per exercise and side", 3),
        Table(EXERCISE_HEAD, exercise_rows(data), widths=_EXERCISE_WIDTHS),
        Heading("Pain", 3),
        Paragraph(pain_text(data)),
    ]
    if pain is not None:
        blocks.append(Figure(pain, compact=pain_chart(data, height=_COMPACT_PAIN_HEIGHT)))
    blocks += [
        Heading("Faults most seen", 3),
        Bullets(tuple(faults)) if faults else Paragraph("No form faults in counted reps."),
        Heading("Safety", 3),
        Bullets(tuple(safety_lines(data))),
        Paragraph(ANGLE_NOTE, "small"),
    ]
    return Section("Summary", tuple(blocks), anchor="summary")


def totals_text(data: ReportData) -> str:
    return (
        f"{plural(len(data.sessions), 'session')} on {plural(len(data.days_trained), 'day')}, "
        f"{plural(data.total_reps, 'repetition')} counted."
    )


def exercise_rows(data: ReportData) -> tuple[tuple[str, ...], ...]:
    """One row per exercise over the whole report, reps by side apart."""
    rows = []
    for ex in data.exercises:
        stats = [s for s in data.daily if s.exercise == ex]
        reps = sum(s.reps for s in stats)
        left, right = sum(s.reps_left for s in stats), sum(s.reps_right for s in stats)
        sided = data.is_unilateral(ex)
        holds = [
            r.hold_s
            for d in data.details
            for st in d.sets
            if st.exercise == ex
            for r in st.reps
            if r.hold_s is not None
        ]
        hold_mean = sum(holds) / len(holds) if holds else None
        peaks = [s.peak_deg_best for s in stats if s.peak_deg_best is not None]
        faults = sum(s.faults for s in stats)
        rows.append(
            (
                progress.title(ex),
                str(len({s.day for s in stats if s.reps})),
                str(sum(s.sets for s in stats)),
                str(reps),
                str(left) if sided else "–",
                str(right) if sided else "–",
                num(hold_mean, 1, " s"),
                num(progress.best_peak(ex, peaks), 1, "°"),
                f"{faults} ({pct(faults / reps if reps else None)})",
            )
        )
    return tuple(rows)


def pain_text(data: ReportData) -> str:
    """The pain trend in one or two sentences."""
    trend = progress.pain_trend([d.session for d in data.details])
    if trend.first_before is None and trend.sessions == 0:
        return "No pain scores were recorded."
    parts = []
    if trend.first_before is not None:
        befores = [d.session.pain_before for d in data.details if d.session.pain_before is not None]
        if len(befores) > 1:
            parts.append(
                f"Pain before exercise went from {trend.first_before} to {trend.last_before} (0-10) "
                f"over {plural(len(befores), 'session')}."
            )
        else:
            parts.append(f"Pain before exercise: {trend.first_before} (0-10).")
    if trend.sessions:
        text = (
            f"After exercise it was lower in {trend.eased}, the same in {trend.same} and higher in "
            f"{trend.rose} of {trend.sessions}"
        )
        if trend.mean_change is not None:
            text += f"; mean change {trend.mean_change:+.1f}"
        parts.append(text + ".")
    return " ".join(parts)


def pain_chart(data: ReportData, height: float = charts.HEIGHT) -> charts.Drawing | None:
    """Pain before and after each session that has a score, in order; None when none has."""
    with_pain = [s for s in data.sessions if s.pain_before is not None or s.pain_after is not None]
    if not with_pain:
        return None
    labels = [charts.day_label(s.day) for s in with_pain]
    before = tuple((i, float(s.pain_before)) for i, s in enumerate(with_pain) if s.pain_before is not None)
    after = tuple((i, float(s.pain_after)) for i, s in enumerate(with_pain) if s.pain_after is not None)
    return charts.line_chart(
        "Pain before and after each session",
        labels,
        [charts.Series("before", charts.LEFT_COLOUR, before), charts.Series("after", charts.RIGHT_COLOUR, after)],
        "0-10",
        "Self-reported, 0 = no pain, 10 = worst imaginable; grey: the change in one session.",
        y_min=0.0,
        y_max=10.0,
        height=height,
        pairs=True,
    )


def top_faults(data: ReportData, n: int = 5) -> list[tuple[str, str, int]]:
    """The faults most seen in counted reps: (fault code, exercise, reps with it), most first."""
    counts = Counter(
        (code, st.exercise) for d in data.details for st in d.sets for r in st.reps for code in dict.fromkeys(r.faults)
    )
    order = {ex: i for i, ex in enumerate(data.exercises)}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0][1], 99), kv[0][0]))
    return [(code, ex, count) for (code, ex), count in ranked[:n]]


def fault_lines(data: ReportData) -> list[str]:
    reps = data.total_reps
    return [
        f"{fault_label(code).capitalize()} ({progress.title(ex)}): {plural(count, 'rep')}"
        + (f" of {reps}" if reps else "")
        for code, ex, count in top_faults(data)
    ]


def safety_lines(data: ReportData) -> list[str]:
    """The warning-sign screening answers and the pain stops, in words."""
    from app.coach.safety import SCREENING_QUESTIONS, sign_words

    known = {qid for qid, _ in SCREENING_QUESTIONS}
    lines = []
    if data.session_id is None:
        if not data.screenings:
            lines.append("Warning-sign screening: none answered in this range.")
        else:
            last = data.screenings[-1]
            yes = [q for q in last.yes if q in known]
            answer = (
                f"yes to {sign_words(yes)} (advised to see a doctor without delay)"
                if yes
                else f"no to all {last.questions} warning signs"
            )
            lines.append(
                f"Warning-sign screening: answered {plural(len(data.screenings), 'time')}; "
                f"the last, on {_answered_day(last.answered_at)}, {answer}."
            )
            earlier = [sc for sc in data.screenings[:-1] if any(q in known for q in sc.yes)]
            for sc in earlier:
                lines.append(
                    f"Earlier, on {_answered_day(sc.answered_at)}: yes to "
                    f"{sign_words([q for q in sc.yes if q in known])}."
                )
    sessions = data.sessions
    sharp = [s for s in sessions if s.sharp_pain]
    if sharp:
        where = "; ".join(
            charts.day_label(s.day) + "".join(f" ({progress.title(ex)})" for ex in s.sharp_pain if ex) for s in sharp
        )
        lines.append(f"Sharp pain stopped exercise in {plural(len(sharp), 'session')}: {where}.")
    else:
        lines.append("No sharp pain was reported.")
    rose = [s for s in sessions if s.pain_change is not None and s.pain_change >= 2]
    if rose:
        lines.append(
            f"Pain rose by 2 or more during {plural(len(rose), 'session')}: "
            + "; ".join(f"{charts.day_label(s.day)} ({s.pain_before} to {s.pain_after})" for s in rose)
            + "."
        )
    return lines


def _answered_day(answered_at: str) -> str:
    moment = stamp(answered_at)
    return "an unrecorded day" if moment is None else charts.day_label(moment.date())
