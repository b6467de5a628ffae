"""The details after the summary: the days trained, reps and faults per day, left against right, and
each exercise's range of motion with its table of days."""

from __future__ import annotations

from datetime import date

from app.coach import charts
from app.coach.report.blocks import Block, Figure, Heading, Paragraph, Section, Table
from app.coach.report.data import ReportData
from app.coach.report.text import num, pct
from app.coach.store import progress
from exercises.registry import EXERCISE_IDS

CALENDAR_NOTE = "Green: a day with at least one counted rep. Grey: a day in the range without one."
ASYM_NOTE = "Difference = |left - right| / the larger of the two."
ASYM_HEAD = ("Exercise", "Left reps", "Right reps", "Count difference", "Left peak", "Right peak", "Peak difference")
_MAX_MONTHS = 12  # calendar grids: a long range stays readable


def details_section(data: ReportData) -> Section:
    blocks: list[Block] = []
    cal = calendar_drawing(data)
    if cal is not None:
        blocks += [Heading("Days trained", 3), Paragraph(CALENDAR_NOTE, "note"), Figure(cal)]
    blocks += [Figure(drawing) for drawing in overview_charts(data)]
    if data.asymmetry:
        blocks += [Heading("Left and right", 3), Paragraph(ASYM_NOTE, "note"), Table(ASYM_HEAD, asym_rows(data))]
    for ex in data.exercises:
        head, rows = daily_rows(data, ex)
        blocks += [Heading(progress.title(ex), 3), Figure(peak_chart(data, ex)), Table(head, rows, small=True)]
    return Section("Details", tuple(blocks), anchor="details", new_page=True)


def daily_rows(data: ReportData, exercise: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """One exercise day by day: its table's head and rows (left and right apart when it has sides)."""
    unilateral = data.is_unilateral(exercise)
    head = (
        ["Day", "Sets", "Reps"]
        + (["Left", "Right"] if unilateral else [])
        + ["Hold mean", "Hold total", "Peak mean", "Peak best", "Faults", "Per rep"]
    )
    if unilateral:
        head += ["L/R reps", "L/R peak"]
    rows = []
    for s in data.daily:
        if s.exercise != exercise:
            continue
        row = [charts.day_label(s.day), str(s.sets), str(s.reps)]
        if unilateral:
            row += [str(s.reps_left), str(s.reps_right)]
        row += [
            num(s.hold_s_mean, 1, " s"),
            num(s.hold_s_total if s.hold_s_mean is not None else None, 0, " s"),
            num(s.peak_deg_mean, 1, "°"),
            num(s.peak_deg_best, 1, "°"),
            str(s.faults),
            pct(s.fault_rate),
        ]
        if unilateral:
            row += [pct(s.count_asymmetry), pct(s.peak_asymmetry)]
        rows.append(tuple(row))
    return tuple(head), tuple(rows)


def asym_rows(data: ReportData) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            progress.title(a.exercise),
            str(a.reps_left),
            str(a.reps_right),
            pct(a.count_asymmetry),
            num(a.peak_deg_left_mean, 1, "°"),
            num(a.peak_deg_right_mean, 1, "°"),
            pct(a.peak_asymmetry),
        )
        for a in data.asymmetry
    )


# ----------------------------------------------------------------------------- charts


def _colour(exercise: str) -> str:
    index = EXERCISE_IDS.index(exercise) if exercise in EXERCISE_IDS else len(EXERCISE_IDS)
    return charts.PALETTE[index % len(charts.PALETTE)]


def _peak_note(exercise: str, per: str = "mean per day") -> str:
    if progress.direction(exercise) < 0:
        return f"Knee angle at the bottom of each rep, {per}. Smaller is deeper: the axis is reversed."
    return f"Peak angle of each rep, {per} (higher is a bigger movement)."


def calendar_drawing(data: ReportData) -> charts.Drawing | None:
    if data.span is None:
        return None
    first = data.since if data.since and data.since <= data.span[0] else data.span[0]
    last = data.until if data.until and data.until >= data.span[1] else data.span[1]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > _MAX_MONTHS:  # the last twelve month grids
        back = last.year * 12 + last.month - 1 - (_MAX_MONTHS - 1)
        first = date(back // 12, back % 12 + 1, 1)
    return charts.calendar_chart(set(data.days_trained), first, last)


def overview_charts(data: ReportData) -> list[charts.Drawing]:
    """Reps per day and fault rate per day (pain has its own chart in the summary); none for one day."""
    if data.span is None or data.one_day:
        return []
    days = charts.day_categories(*data.span)
    labels = [charts.day_label(d) for d in days]
    index = {d: i for i, d in enumerate(days)}
    reps_series, fault_series = [], []
    for ex in data.exercises:
        stats = [s for s in data.daily if s.exercise == ex]
        reps_series.append(
            charts.Series(progress.title(ex), _colour(ex), tuple((index[s.day], float(s.reps)) for s in stats))
        )
        fault_series.append(
            charts.Series(
                progress.title(ex),
                _colour(ex),
                tuple((index[s.day], 100.0 * s.fault_rate) for s in stats if s.fault_rate is not None),
            )
        )
    return [
        charts.bar_chart("Reps per day", labels, reps_series, "reps", "All sides and sets, stacked by exercise."),
        charts.line_chart("Fault rate", labels, fault_series, "%", "Form faults per counted rep, per day.", y_min=0.0),
    ]


def peak_chart(data: ReportData, exercise: str) -> charts.Drawing:
    """Range of motion over time for one exercise (left and right apart when it has sides).

    For a single day (a session report) the x axis is the reps of that day in order instead.
    """
    assert data.span is not None
    invert = progress.direction(exercise) < 0
    if data.one_day:
        reps = [r for d in data.details for st in d.sets if st.exercise == exercise for r in st.reps]
        sides = ("left", "right") if data.is_unilateral(exercise) else (None,)
        colours = {"left": charts.LEFT_COLOUR, "right": charts.RIGHT_COLOUR, None: _colour(exercise)}
        series = [
            charts.Series(
                side or "peak",
                colours[side],
                tuple(
                    (i, r.peak_angle_deg) for i, r in enumerate(reps) if r.side == side and r.peak_angle_deg is not None
                ),
            )
            for side in sides
        ]
        return charts.line_chart(
            f"{progress.title(exercise)}: range of motion, rep by rep",
            [str(i + 1) for i in range(len(reps))],
            series,
            "deg",
            _peak_note(exercise, "in order"),
            invert=invert,
        )
    days = charts.day_categories(*data.span)
    index = {d: i for i, d in enumerate(days)}
    stats = [s for s in data.daily if s.exercise == exercise]
    if data.is_unilateral(exercise):
        series = [
            charts.Series(
                "left",
                charts.LEFT_COLOUR,
                tuple((index[s.day], s.peak_deg_left_mean) for s in stats if s.peak_deg_left_mean is not None),
            ),
            charts.Series(
                "right",
                charts.RIGHT_COLOUR,
                tuple((index[s.day], s.peak_deg_right_mean) for s in stats if s.peak_deg_right_mean is not None),
            ),
        ]
    else:
        series = [
            charts.Series(
                "mean",
                _colour(exercise),
                tuple((index[s.day], s.peak_deg_mean) for s in stats if s.peak_deg_mean is not None),
            )
        ]
    return charts.line_chart(
        f"{progress.title(exercise)}: range of motion",
        [charts.day_label(d) for d in days],
        series,
        "deg",
        _peak_note(exercise),
        invert=invert,
    )
