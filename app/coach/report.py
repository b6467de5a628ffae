"""Reports for a physiotherapist: a session or a date range as HTML, PDF, CSV or JSON.

:func:`write_report` reads the history through :mod:`app.coach.progress`, gathers one
:class:`ReportData`, and renders it by the output's suffix. HTML is one self-contained file
(inline CSS, inline SVG charts); the PDF (fpdf2) has the same sections, charts drawn with
fpdf2 lines and rectangles from the same layouts (:mod:`app.coach.charts`); CSV is one row per
rep; JSON is the whole structure. Qt-free.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from app.coach import charts, progress
from app.coach.progress import DayStat, SessionDetail, SetDetail
from app.outputs import OutputError, OutputFile, write_private
from app.summary import STATUS_WORDS

SUFFIXES = (".html", ".pdf", ".csv", ".json")
JSON_SCHEMA = 1

FAULT_WORDS = {
    "knee_bent": "knee bent",
    "head_lowered": "head lowered",
    "hips_low": "hips not high enough",
    "hold_short": "hold too short",
    "trunk_lean": "body not upright",
    "shallow": "not deep enough",
    "hips_drop": "hips dropped",
    "too_fast": "too fast",
}

END_WORDS = {
    "done": "finished",
    "stopped": "stopped",
    "pain": "stopped for pain",
    "skipped": "skipped",
    "interrupted": "interrupted (the app closed)",
}

CALENDAR_NOTE = "Green: a day with at least one counted rep. Grey: a day in the range without one."
ANGLE_NOTE = (
    "Angles are what the camera saw (2D pose estimates): good for following change over time, "
    "not a clinical measurement."
)

CSV_COLUMNS = (
    "session_id",
    "session_started_at",
    "day",
    "set_id",
    "set_number",
    "exercise",
    "exercise_title",
    "rep",
    "side",
    "start_s",
    "end_s",
    "peak_angle_deg",
    "hold_s",
    "faults",
    "recorded_at",
)


class ReportError(Exception):
    """A report that cannot be made (unknown type, unknown session, unwritable file); one line."""


def fault_word(code: str) -> str:
    """A fault code in plain words."""
    return FAULT_WORDS.get(code, code.replace("_", " "))


def fault_list(codes: Sequence[str]) -> str:
    return ", ".join(fault_word(c) for c in codes)


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, read once from the history."""

    profile_id: int
    profile_name: str
    since: date | None
    until: date | None
    session_id: int | None
    generated_at: str
    details: tuple[SessionDetail, ...]
    daily: tuple[DayStat, ...]
    asymmetry: tuple[progress.Asymmetry, ...]
    days_trained: frozenset[date]
    screenings: tuple[progress.Screening, ...] = ()
    per_rep: bool = False  # the PDF and HTML end with every rep's row (off: a short report)

    @property
    def empty(self) -> bool:
        return not any(d.sets for d in self.details)

    @property
    def exercises(self) -> list[str]:
        """Exercises with at least one set, in the registry's order (as ``daily`` is)."""
        return list(dict.fromkeys(s.exercise for s in self.daily))

    @property
    def span(self) -> tuple[date, date] | None:
        """First and last day with a set: the charts' time axis."""
        days = [s.day for s in self.daily]
        return (min(days), max(days)) if days else None

    @property
    def total_reps(self) -> int:
        return sum(s.reps for s in self.daily)

    @property
    def heading(self) -> str:
        return "HipCoach session report" if self.session_id is not None else "HipCoach progress report"

    @property
    def range_text(self) -> str:
        if self.session_id is not None and self.details:
            s = self.details[0].session
            return f"Session {s.id}, {_long_day(s.day)} at {s.started_at[11:16]}"
        start = self.since or (self.span[0] if self.span else None)
        end = self.until or (self.span[1] if self.span else None)
        if start is None or end is None:
            return "All recorded sessions"
        return f"{_long_day(start)} to {_long_day(end)}"


def collect(
    conn: sqlite3.Connection,
    profile_id: int,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
    per_rep: bool = False,
) -> ReportData:
    """Read what a report shows. ``ReportError`` for a session that is not this profile's.

    Sessions that failed to start (:attr:`progress.SessionSummary.failed_start`) are left out of a
    range; a session asked for by its id is shown whatever it holds.
    """
    if since is not None and until is not None and since > until:
        raise ReportError(f"the start date {since} is after the end date {until}")
    if session_id is not None:
        found = progress.sessions(conn, None, session_id=session_id)
        if not found or found[0].profile_id != profile_id:
            raise ReportError(f"there is no session {session_id} in this history")
        since = until = None  # a session report is the session, whatever its day
    summaries = progress.sessions(conn, profile_id, since, until, session_id)
    if session_id is None:
        summaries = [s for s in summaries if not s.failed_start]
    details = tuple(progress.session_detail(conn, s.id) for s in summaries)
    if session_id is None:
        trained = progress.days_trained(conn, profile_id, since, until)
    else:
        trained = {details[0].session.day} if details and details[0].session.reps else set()
    return ReportData(
        profile_id=profile_id,
        profile_name=progress.profile_name(conn, profile_id) or "",
        since=since,
        until=until,
        session_id=session_id,
        generated_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        details=details,
        daily=tuple(progress.daily_stats(conn, profile_id, since=since, until=until, session_id=session_id)),
        asymmetry=tuple(progress.asymmetry(conn, profile_id, since=since, until=until, session_id=session_id)),
        days_trained=frozenset(trained),
        screenings=tuple(progress.screenings(conn, profile_id, since, until) if session_id is None else ()),
        per_rep=per_rep,
    )


def report_kind(out: Path) -> str:
    """The report type ``out`` asks for by its suffix ('.html', ...); ``ReportError`` for any other."""
    suffix = Path(out).suffix.lower()
    if suffix not in SUFFIXES:
        raise ReportError(
            f"unknown report type {Path(out).suffix or '(no suffix)'!r} for {Path(out).name}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    return suffix


def write_report(
    conn: sqlite3.Connection,
    profile_id: int,
    out: Path | OutputFile,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
    per_rep: bool = False,
) -> Path:
    """Write the report for ``profile_id`` to ``out``, its type chosen by the suffix (.html .pdf .csv .json).

    HTML and PDF lead with a one-page summary; ``per_rep`` adds every rep's row at the end (CSV is
    always one row per rep, JSON always everything).

    The file appears whole (written beside it, then renamed) and private (0600): it holds health data.
    ``out`` may be an :class:`~app.outputs.OutputFile` the caller checked before gathering anything.
    """
    name = out.given if isinstance(out, OutputFile) else Path(out)
    suffix = report_kind(name)
    data = collect(conn, profile_id, since, until, session_id, per_rep)
    if suffix == ".html":
        payload: bytes = render_html(data).encode("utf-8")
    elif suffix == ".pdf":
        payload = render_pdf(data)
    elif suffix == ".csv":
        payload = render_csv(data).encode("utf-8")
    else:
        payload = (json.dumps(render_json(data), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        if isinstance(out, OutputFile):
            out.write_bytes(payload)
        else:
            write_private(out, payload, label="report")
    except OSError as exc:
        raise ReportError(
            str(exc) if isinstance(exc, OutputError) else f"cannot write {name}: {exc.strerror or exc}"
        ) from None
    return name


# ----------------------------------------------------------------------------- formatting


def _long_day(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _num(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}{unit}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _colour(exercise: str) -> str:
    from exercises.registry import EXERCISE_IDS

    index = EXERCISE_IDS.index(exercise) if exercise in EXERCISE_IDS else len(EXERCISE_IDS)
    return charts.PALETTE[index % len(charts.PALETTE)]


def _is_unilateral(data: ReportData, exercise: str) -> bool:
    return any(s.reps_left or s.reps_right for s in data.daily if s.exercise == exercise)


def _peak_note(exercise: str, per: str = "mean per day") -> str:
    if progress.direction(exercise) < 0:
        return f"Knee angle at the bottom of each rep, {per}. Smaller is deeper: the axis is reversed."
    return f"Peak angle of each rep, {per} (higher is a bigger movement)."


def _set_heading(st: SetDetail) -> str:
    parts = [f"Set {st.number}: {progress.title(st.exercise)}", f"started {st.started_at[11:16]}"]
    if st.target_reps:
        parts.append(f"target {st.target_reps}")
    parts.append(_plural(len(st.reps), "rep"))
    if st.end_reason:
        parts.append(END_WORDS.get(st.end_reason, st.end_reason))
    if st.strictness != "standard":
        parts.append(f"{st.strictness} strictness")
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _totals_text(data: ReportData) -> str:
    n_sessions = sum(1 for d in data.details if d.sets)
    return (
        f"{_plural(n_sessions, 'session')} on {_plural(len(data.days_trained), 'day')}, "
        f"{_plural(data.total_reps, 'repetition')} counted."
    )


def _session_heading(s: progress.SessionSummary) -> str:
    text = f"{_long_day(s.day)}, {s.started_at[11:16]}"
    if s.ended_at:
        text += f"-{s.ended_at[11:16]}"
    return text


def _session_facts(s: progress.SessionSummary) -> list[str]:
    facts = [f"{_plural(s.sets, 'set')}, {_plural(s.reps, 'rep')}"]
    if s.pain_before is not None or s.pain_after is not None:
        before = "–" if s.pain_before is None else str(s.pain_before)
        after = "–" if s.pain_after is None else str(s.pain_after)
        facts.append(f"pain {before} before, {after} after (0-10)")
    for ex in s.sharp_pain:
        facts.append("sharp pain reported" + (f" during {progress.title(ex)}" if ex else ""))
    if s.end_reason:
        facts.append("session " + END_WORDS.get(s.end_reason, s.end_reason))
    return facts


def _rep_cells(st: SetDetail) -> list[list[str]]:
    rows = []
    for r in st.reps:
        hold = _num(r.hold_s, 1, " s") if r.hold_s is not None else "–"
        rows.append(
            [
                str(r.index),
                r.recorded_at[11:19],
                r.side or "–",
                _num(r.peak_angle_deg, 1, "°"),
                hold,
                fault_list(r.faults) or "–",
            ]
        )
    return rows


REP_HEAD = ["#", "Time", "Side", "Peak angle", "Hold", "Faults"]


def _span_lines(st: SetDetail) -> list[str]:
    lines = []
    for sp in st.spans:
        words = STATUS_WORDS.get(sp.code, sp.code.replace("_", " "))
        end = "end of set" if sp.end_s is None else f"{sp.end_s:.1f} s"
        lines.append(f"Not counting ({words}): {sp.start_s:.1f} s to {end}")
    counted = {r.index for r in st.reps}
    for f in st.faults:
        if f.rep_idx not in counted:
            lines.append(f"{fault_word(f.code).capitalize()} at {f.t_s:.1f} s, in a movement that did not count")
    return lines


def _exercise_rows(data: ReportData) -> list[list[str]]:
    """The summary's table: one row per exercise over the whole report, reps by side apart."""
    rows = []
    for ex in data.exercises:
        stats = [s for s in data.daily if s.exercise == ex]
        reps = sum(s.reps for s in stats)
        left, right = sum(s.reps_left for s in stats), sum(s.reps_right for s in stats)
        sided = _is_unilateral(data, ex)
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
            [
                progress.title(ex),
                str(len({s.day for s in stats if s.reps})),
                str(sum(s.sets for s in stats)),
                str(reps),
                str(left) if sided else "–",
                str(right) if sided else "–",
                _num(hold_mean, 1, " s"),
                _num(progress.best_peak(ex, peaks), 1, "°"),
                f"{faults} ({_pct(faults / reps if reps else None)})",
            ]
        )
    return rows


EXERCISE_HEAD = ["Exercise", "Days", "Sets", "Reps", "Left", "Right", "Mean hold", "Best peak", "Faults (per rep)"]


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
        f"{fault_word(code).capitalize()} ({progress.title(ex)}): {_plural(count, 'rep')}"
        + (f" of {reps}" if reps else "")
        for code, ex, count in top_faults(data)
    ]


def _sessions(data: ReportData) -> list[progress.SessionSummary]:
    return [d.session for d in data.details if d.sets]


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
                f"over {_plural(len(befores), 'session')}."
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
                f"Warning-sign screening: answered {_plural(len(data.screenings), 'time')}; "
                f"the last, on {charts.day_label(date.fromisoformat(last.answered_at[:10]))}, {answer}."
            )
            earlier = [sc for sc in data.screenings[:-1] if any(q in known for q in sc.yes)]
            for sc in earlier:
                lines.append(
                    f"Earlier, on {charts.day_label(date.fromisoformat(sc.answered_at[:10]))}: yes to "
                    f"{sign_words([q for q in sc.yes if q in known])}."
                )
    sharp = [s for s in _sessions(data) if s.sharp_pain]
    if sharp:
        where = "; ".join(
            charts.day_label(s.day) + "".join(f" ({progress.title(ex)})" for ex in s.sharp_pain if ex) for s in sharp
        )
        lines.append(f"Sharp pain stopped exercise in {_plural(len(sharp), 'session')}: {where}.")
    else:
        lines.append("No sharp pain was reported.")
    rose = [s for s in _sessions(data) if s.pain_change is not None and s.pain_change >= 2]
    if rose:
        lines.append(
            f"Pain rose by 2 or more during {_plural(len(rose), 'session')}: "
            + "; ".join(f"{charts.day_label(s.day)} ({s.pain_before} to {s.pain_after})" for s in rose)
            + "."
        )
    return lines


SESSION_HEAD = ["Day", "Time", "Sets", "Reps", "Pain", "Notes"]


def _session_rows(data: ReportData) -> list[list[str]]:
    """One row per session: when, how much, pain before -> after, and what stood out."""
    rows = []
    for d in data.details:
        if not d.sets:
            continue
        s = d.session
        notes = [f"sharp pain{' during ' + progress.title(ex) if ex else ''}" for ex in s.sharp_pain]
        notes += [
            f"{progress.title(st.exercise)} {END_WORDS.get(st.end_reason, st.end_reason)}"
            for st in d.sets
            if st.end_reason not in (None, "done") and not (st.end_reason == "pain" and s.sharp_pain)
        ]
        if s.end_reason not in (None, "done", "pain"):
            notes.append("session " + END_WORDS.get(s.end_reason, s.end_reason))
        lost = sum(sp.duration_s or 0.0 for st in d.sets for sp in st.spans)
        if lost:
            notes.append(f"not counting {lost:.1f} s")
        pain = f"{'–' if s.pain_before is None else s.pain_before} -> {'–' if s.pain_after is None else s.pain_after}"
        rows.append(
            [charts.day_label(s.day), s.started_at[11:16], str(s.sets), str(s.reps), pain, "; ".join(notes) or "–"]
        )
    return rows


PER_REP_LEFT_OUT = (
    'The table of every rep is left out of this report; choose "Include every rep" when '
    "exporting (or hipcoach report --per-rep) to add it, or export CSV."
)


def _daily_rows(data: ReportData, exercise: str) -> tuple[list[str], list[list[str]]]:
    unilateral = _is_unilateral(data, exercise)
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
            _num(s.hold_s_mean, 1, " s"),
            _num(s.hold_s_total if s.hold_s_mean is not None else None, 0, " s"),
            _num(s.peak_deg_mean, 1, "°"),
            _num(s.peak_deg_best, 1, "°"),
            str(s.faults),
            _pct(s.fault_rate),
        ]
        if unilateral:
            row += [_pct(s.count_asymmetry), _pct(s.peak_asymmetry)]
        rows.append(row)
    return head, rows


ASYM_HEAD = ["Exercise", "Left reps", "Right reps", "Count difference", "Left peak", "Right peak", "Peak difference"]


def _asym_rows(data: ReportData) -> list[list[str]]:
    return [
        [
            progress.title(a.exercise),
            str(a.reps_left),
            str(a.reps_right),
            _pct(a.count_asymmetry),
            _num(a.peak_deg_left_mean, 1, "°"),
            _num(a.peak_deg_right_mean, 1, "°"),
            _pct(a.peak_asymmetry),
        ]
        for a in data.asymmetry
    ]


# ----------------------------------------------------------------------------- charts


def _one_day(data: ReportData) -> bool:
    """A session (or a single day): charts over days would be single dots, so show reps instead."""
    return data.span is not None and data.span[0] == data.span[1]


def overview_charts(data: ReportData) -> list[charts.Drawing]:
    """Reps per day and fault rate per day (pain has its own chart in the summary)."""
    if data.span is None:
        return []
    drawings = []
    if not _one_day(data):
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
        drawings += [
            charts.bar_chart("Reps per day", labels, reps_series, "reps", "All sides and sets, stacked by exercise."),
            charts.line_chart(
                "Fault rate", labels, fault_series, "%", "Form faults per counted rep, per day.", y_min=0.0
            ),
        ]
    return drawings


def pain_chart(data: ReportData, height: float = charts.HEIGHT) -> charts.Drawing | None:
    """Pain before and after each session that has a score, in order; None when none has."""
    with_pain = [s for s in _sessions(data) if s.pain_before is not None or s.pain_after is not None]
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


def peak_chart(data: ReportData, exercise: str) -> charts.Drawing:
    """Range of motion over time for one exercise (left and right apart when it has sides).

    For a single day (a session report) the x axis is the reps of that day in order instead.
    """
    assert data.span is not None
    if _one_day(data):
        reps = [r for d in data.details for st in d.sets if st.exercise == exercise for r in st.reps]
        sides = ("left", "right") if _is_unilateral(data, exercise) else (None,)
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
        note = _peak_note(exercise, "in order")
        return charts.line_chart(
            f"{progress.title(exercise)}: range of motion, rep by rep",
            [str(i + 1) for i in range(len(reps))],
            series,
            "deg",
            note,
            invert=progress.direction(exercise) < 0,
        )
    days = charts.day_categories(*data.span)
    index = {d: i for i, d in enumerate(days)}
    stats = [s for s in data.daily if s.exercise == exercise]
    if _is_unilateral(data, exercise):
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
        invert=progress.direction(exercise) < 0,
    )


def calendar_drawing(data: ReportData) -> charts.Drawing | None:
    if data.span is None:
        return None
    first = data.since if data.since and data.since <= data.span[0] else data.span[0]
    last = data.until if data.until and data.until >= data.span[1] else data.span[1]
    # Keep a long range readable: at most twelve month grids, ending with the last month.
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 12:
        back = last.year * 12 + last.month - 1 - 11
        first = date(back // 12, back % 12 + 1, 1)
    return charts.calendar_chart(set(data.days_trained), first, last)


# ----------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 960px; margin: 24px auto;
       padding: 0 16px; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
h4 { font-size: 0.95em; margin: 0.9em 0 0.3em; font-weight: normal; color: #333; }
p.meta, p.note, li.note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
tr:nth-child(even) td { background: #fafafa; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.reps { font-size: 0.85em; }
figure { margin: 0.6em 0 1.2em; }
svg { max-width: 100%; height: auto; }
.session { page-break-inside: avoid; }
.empty { font-size: 1.1em; padding: 1em; background: #f4f4f4; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
"""


_NUMERIC = re.compile(r"[\d.]+ ?(s|%|°)?( \(.*\))?|–")  # right-aligned cells: 4.7 s, 17 (22 %), 150 (80 L / 70 R)


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    out = [f"<table{attr}><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for cell in row:
            numeric = _NUMERIC.fullmatch(cell) is not None
            cells.append(f'<td class="n">{escape(cell)}</td>' if numeric else f"<td>{escape(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _figure(drawing: charts.Drawing) -> str:
    if drawing.empty:  # collapsed: one line, not an empty frame
        return f'<p class="note">{escape(_nothing_yet(drawing))}</p>'
    return f"<figure>{charts.to_svg(drawing)}</figure>"


def _nothing_yet(drawing: charts.Drawing) -> str:
    return f"{drawing.title}: nothing recorded yet."


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page, in the PDF's order: summary, details, sessions, reps."""
    name = f" for {data.profile_name}" if data.profile_name else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(data.heading + name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(data.heading)}{escape(name)}</h1>",
        f'<p class="meta">{escape(data.range_text)}. Made {escape(data.generated_at[:16].replace("T", " "))} '
        f"by HipCoach on this computer.</p>",
    ]
    if data.empty:
        parts.append(
            '<p class="empty">No exercise sessions are recorded in this range, so there is nothing to report yet.</p>'
        )
        parts.append("</body></html>")
        return "\n".join(parts)

    def bullets(lines: Sequence[str]) -> str:
        return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"

    parts.append('<section id="summary"><h2>Summary</h2>')
    parts.append(f"<p>{escape(_totals_text(data))}</p>")
    parts.append("<h3>Reps per exercise and side</h3>")
    parts.append(_html_table(EXERCISE_HEAD, _exercise_rows(data)))
    parts.append(f"<h3>Pain</h3><p>{escape(pain_text(data))}</p>")
    pain = pain_chart(data)
    if pain is not None:
        parts.append(_figure(pain))
    faults = fault_lines(data)
    parts.append(
        "<h3>Faults most seen</h3>" + (bullets(faults) if faults else "<p>No form faults in counted reps.</p>")
    )
    parts.append("<h3>Safety</h3>" + bullets(safety_lines(data)))
    parts.append(f'<p class="note">{escape(ANGLE_NOTE)}</p></section>')

    parts.append("<h2>Details</h2>")
    cal = calendar_drawing(data)
    if cal is not None:
        parts.append(f'<h3>Days trained</h3><p class="note">{escape(CALENDAR_NOTE)}</p>' + _figure(cal))
    for drawing in overview_charts(data):
        parts.append(_figure(drawing))
    if data.asymmetry:
        parts.append("<h3>Left and right</h3>")
        parts.append('<p class="note">Difference = |left - right| / the larger of the two.</p>')
        parts.append(_html_table(ASYM_HEAD, _asym_rows(data)))
    for ex in data.exercises:
        parts.append(f"<h3>{escape(progress.title(ex))}</h3>")
        parts.append(_figure(peak_chart(data, ex)))
        head, rows = _daily_rows(data, ex)
        parts.append(_html_table(head, rows))

    parts.append("<h2>Sessions</h2>")
    parts.append(_html_table(SESSION_HEAD, _session_rows(data), "sessions"))

    if data.per_rep:
        parts.append('<h2 id="every-rep">Every rep</h2>')
        for d in data.details:
            if not d.sets:
                continue
            parts.append(f'<section class="session"><h3>{escape(_session_heading(d.session))}</h3>')
            parts.append(
                "<ul>" + "".join(f'<li class="note">{escape(f)}</li>' for f in _session_facts(d.session)) + "</ul>"
            )
            for st in d.sets:
                parts.append(f"<h4>{escape(_set_heading(st))}</h4>")
                if st.reps:
                    parts.append(_html_table(REP_HEAD, _rep_cells(st), "reps"))
                for line in _span_lines(st):
                    parts.append(f'<p class="note">{escape(line)}</p>')
            parts.append("</section>")
    else:
        parts.append(f'<p class="note">{escape(PER_REP_LEFT_OUT)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- PDF


def render_pdf(data: ReportData) -> bytes:
    """The report as an A4 PDF: a one-page summary, then details, sessions, and (``per_rep``) every rep."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    heading = data.heading + (f" for {data.profile_name}" if data.profile_name else "")

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, charts.pdf_text(f"{heading} - {data.range_text}"), align="L")
            self.cell(0, 6, f"page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    pdf = _Pdf(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(charts.pdf_text(heading))
    pdf.set_creator("HipCoach")
    pdf.add_page()
    width = pdf.epw
    bottom = pdf.h - 18
    grey = (90, 90, 90)

    def para(
        text: str, size: float = 10, style: str = "", colour: tuple[int, int, int] = (0, 0, 0), gap: float = 1.5
    ) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, size * 0.45, charts.pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(gap)

    def bullet(text: str, size: float = 9.5) -> None:
        pdf.set_font("Helvetica", "", size)
        pdf.set_x(pdf.l_margin + 2)
        pdf.multi_cell(width - 2, size * 0.45, charts.pdf_text("- " + text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)

    def title(text: str, level: int, keep_mm: float = 0.0) -> None:
        size = {1: 18, 2: 14, 3: 11.5, 4: 10}[level]
        need = max(keep_mm, {1: 20, 2: 40, 3: 30, 4: 22}[level])  # keep a heading with what follows it
        if pdf.get_y() + need > bottom:
            pdf.add_page()
        if level == 2:
            pdf.ln(3)
        para(text, size, "B" if level < 4 else "", gap=1.0)
        if level == 2:
            pdf.set_draw_color(0, 114, 178)
            pdf.set_line_width(0.5)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
            pdf.set_line_width(0.2)
            pdf.set_draw_color(0, 0, 0)
            pdf.ln(2.5)

    def figure(drawing: charts.Drawing, scale: float = 1.0) -> None:
        if drawing.empty:
            para(_nothing_yet(drawing), 9.5, colour=grey)
            return
        w = width * scale
        h = drawing.height * w / drawing.width
        if pdf.get_y() + h > bottom:
            pdf.add_page()
        used = charts.draw_pdf(pdf, drawing, pdf.l_margin, pdf.get_y(), w)
        pdf.set_y(pdf.get_y() + used + 3)

    def table_mm(n_rows: int, size: float) -> float:
        """A table's height, roughly: a two-line heading and one line per row."""
        return (n_rows + 2) * (size * 0.5 + 1.6)

    def table(
        head: Sequence[str], rows: Sequence[Sequence[str]], col_widths: Sequence[float] | None = None, size: float = 8.5
    ) -> None:
        # A table that fits on one page starts on a fresh page rather than split.
        estimate = table_mm(len(rows), size)
        if pdf.get_y() + min(estimate, 14) > bottom or (
            pdf.get_y() + estimate > bottom and estimate < bottom - pdf.t_margin
        ):
            pdf.add_page()
        pdf.set_font("Helvetica", "", size)
        style = FontFace(emphasis="BOLD", fill_color=(238, 243, 248))
        with pdf.table(
            col_widths=col_widths,
            headings_style=style,
            line_height=size * 0.5,
            text_align="LEFT",
            width=width,
            padding=0.8,
            borders_layout="HORIZONTAL_LINES",
            cell_fill_color=(247, 247, 247),
            cell_fill_mode="ROWS",
        ) as tbl:
            for row in [list(head), *rows]:
                r = tbl.row()
                for cell in row:
                    r.cell(charts.pdf_text(cell))
        pdf.ln(2)

    def rep_table(rows: Sequence[Sequence[str]], col_widths: Sequence[float], size: float = 8) -> None:
        """Single-line rows drawn cell by cell: fpdf2's table() takes seconds per thousand reps."""
        row_h = size * 0.5 + 1.6

        def rule() -> None:
            pdf.set_draw_color(0, 0, 0)
            pdf.set_line_width(0.2)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(col_widths), pdf.get_y())

        def heading_row() -> None:
            pdf.set_font("Helvetica", "B", size)
            pdf.set_fill_color(238, 243, 248)
            for text, w in zip(REP_HEAD, col_widths):
                pdf.cell(w, row_h, text, fill=True)
            pdf.ln(row_h)
            rule()
            pdf.set_font("Helvetica", "", size)

        heading_row()
        for n, row in enumerate(rows):
            if pdf.get_y() + row_h > bottom:
                pdf.add_page()
                heading_row()
            pdf.set_fill_color(*((247, 247, 247) if n % 2 else (255, 255, 255)))
            for text, w in zip(row, col_widths):
                text = charts.pdf_text(text)
                room = w - 2 * pdf.c_margin
                if pdf.get_string_width(text) > room:  # rare: a long fault list; cut it to fit
                    while len(text) > 1 and pdf.get_string_width(text + "...") > room:
                        text = text[:-1]
                    text += "..."
                pdf.cell(w, row_h, text, fill=True)
            pdf.ln(row_h)
        rule()
        pdf.set_fill_color(255, 255, 255)
        pdf.ln(2)

    title(heading, 1)
    para(
        f"{data.range_text}. Made {data.generated_at[:16].replace('T', ' ')} by HipCoach on this computer.",
        9,
        colour=grey,
        gap=3,
    )
    if data.empty:
        para("No exercise sessions are recorded in this range, so there is nothing to report yet.", 12)
        return bytes(pdf.output())

    # Page 1: what a physiotherapist reads first. Kept to one page: a short pain chart, five faults.
    title("Summary", 2)
    para(_totals_text(data), 11)
    title("Reps per exercise and side", 3, keep_mm=0)
    table(EXERCISE_HEAD, _exercise_rows(data), (34, 12, 12, 14, 14, 14, 20, 20, 40))
    title("Pain", 3, keep_mm=0)
    para(pain_text(data), 9.5)
    pain = pain_chart(data, height=190.0)
    if pain is not None:
        figure(pain, 0.85)
    title("Faults most seen", 3, keep_mm=0)
    for line in fault_lines(data) or ["No form faults in counted reps."]:
        bullet(line)
    pdf.ln(1.5)
    title("Safety", 3, keep_mm=0)
    for line in safety_lines(data):
        bullet(line)
    pdf.ln(1.5)
    para(ANGLE_NOTE, 8.5, colour=grey, gap=0)

    pdf.add_page()
    title("Details", 2)
    cal = calendar_drawing(data)
    if cal is not None:
        title("Days trained", 3)
        para(CALENDAR_NOTE, 9, colour=grey)
        figure(cal)
    for drawing in overview_charts(data):
        figure(drawing)
    if data.asymmetry:
        title("Left and right", 3)
        para("Difference = |left - right| / the larger of the two.", 9, colour=grey)
        table(ASYM_HEAD, _asym_rows(data))
    for ex in data.exercises:
        chart = peak_chart(data, ex)
        title(progress.title(ex), 3, keep_mm=10 + (0 if chart.empty else chart.height * width / chart.width))
        figure(chart)
        head, rows = _daily_rows(data, ex)
        table(head, rows, size=8)

    session_rows = _session_rows(data)
    need = table_mm(len(session_rows), 8) + 14
    title("Sessions", 2, keep_mm=need if need < bottom - pdf.t_margin else 0.0)  # with its table
    table(SESSION_HEAD, session_rows, (22, 14, 12, 12, 18, 102), size=8)

    if data.per_rep:
        title("Every rep", 2)
        for d in data.details:
            if not d.sets:
                continue
            title(_session_heading(d.session), 3)
            para("; ".join(_session_facts(d.session)), 9, colour=(60, 60, 60))
            for st in d.sets:
                fits = table_mm(len(st.reps), 8) if st.reps else 0.0
                title(_set_heading(st), 4, keep_mm=8 + fits if fits < bottom - pdf.t_margin - 8 else 0.0)
                if st.reps:
                    rep_table(_rep_cells(st), (10, 22, 16, 24, 18, 90))
                for line in _span_lines(st):
                    para(line, 8.5, colour=grey, gap=0.5)
    else:
        para(PER_REP_LEFT_OUT, 8.5, colour=grey)
    return bytes(pdf.output())


# ----------------------------------------------------------------------------- CSV and JSON


def render_csv(data: ReportData) -> str:
    """One row per counted rep, with its session, set and exercise."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in data.details:
        for st in d.sets:
            for r in st.reps:
                writer.writerow(
                    [
                        csv_cell(cell)
                        for cell in (
                            d.session.id,
                            d.session.started_at,
                            d.session.day.isoformat(),
                            st.id,
                            st.number,
                            st.exercise,
                            progress.title(st.exercise),
                            r.index,
                            r.side or "",
                            r.start_s,
                            r.end_s,
                            "" if r.peak_angle_deg is None else r.peak_angle_deg,
                            "" if r.hold_s is None else r.hold_s,
                            ";".join(r.faults),
                            r.recorded_at,
                        )
                    ]
                )
    return buffer.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell as a spreadsheet will read it as text: text that would start a formula gets a leading
    apostrophe (OWASP's advice for CSV injection). Numbers stay numbers, negative ones included."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_json(data: ReportData) -> dict[str, Any]:
    """The report as plain JSON-ready data (schema 1)."""
    return {
        "schema": JSON_SCHEMA,
        "generated_at": data.generated_at,
        "profile": {"id": data.profile_id, "name": data.profile_name},
        "from": data.since.isoformat() if data.since else None,
        "to": data.until.isoformat() if data.until else None,
        "session_id": data.session_id,
        "days_trained": sorted(d.isoformat() for d in data.days_trained),
        "total_reps": data.total_reps,
        "daily": [
            {
                **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in s.__dict__.items()},
                "title": progress.title(s.exercise),
                "count_asymmetry": s.count_asymmetry,
                "peak_asymmetry": s.peak_asymmetry,
            }
            for s in data.daily
        ],
        "asymmetry": [dict(a.__dict__, title=progress.title(a.exercise)) for a in data.asymmetry],
        "sessions": [_session_json(d) for d in data.details],
    }


def _session_json(d: SessionDetail) -> dict[str, Any]:
    s = d.session
    return {
        "id": s.id,
        "day": s.day.isoformat(),
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "end_reason": s.end_reason,
        "pain_before": s.pain_before,
        "pain_after": s.pain_after,
        "sharp_pain": list(s.sharp_pain),
        "reps": s.reps,
        "sets": [
            {
                "id": st.id,
                "number": st.number,
                "exercise": st.exercise,
                "title": progress.title(st.exercise),
                "started_at": st.started_at,
                "ended_at": st.ended_at,
                "target_reps": st.target_reps,
                "strictness": st.strictness,
                "end_reason": st.end_reason,
                "reps": [
                    {
                        "index": r.index,
                        "side": r.side,
                        "start_s": r.start_s,
                        "end_s": r.end_s,
                        "peak_angle_deg": r.peak_angle_deg,
                        "hold_s": r.hold_s,
                        "faults": list(r.faults),
                        "recorded_at": r.recorded_at,
                    }
                    for r in st.reps
                ],
                "faults": [{"code": f.code, "rep": f.rep_idx, "t_s": f.t_s, "cue": f.cue} for f in st.faults],
                "status": [{"code": sp.code, "start_s": sp.start_s, "end_s": sp.end_s} for sp in st.spans],
            }
            for st in d.sets
        ],
    }
