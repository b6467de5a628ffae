"""The sessions one by one: a table of them, and (asked for) every rep of every set."""

from __future__ import annotations

from app.coach import charts
from app.coach.report.blocks import Block, Facts, Group, Heading, Paragraph, Section, Table
from app.coach.report.data import ReportData, clock, long_day, stamp
from app.coach.report.text import end_word, fault_list, num, plural, score
from app.coach.store import progress
from app.coach.store.progress_values import SessionSummary, SetDetail
from exercises.vocabulary import fault_label, status_label

SESSION_HEAD = ("Day", "Time", "Sets", "Reps", "Pain", "Notes")
_SESSION_WIDTHS = (22, 14, 12, 12, 18, 102)
REP_HEAD = ("#", "Time", "Side", "Peak angle", "Hold", "Faults")
_REP_WIDTHS = (10, 22, 16, 24, 18, 90)
PER_REP_LEFT_OUT = (
    'The table of every rep is left out of this report; choose "Include every rep" when '
    "exporting (or hipcoach report --per-rep) to add it, or export CSV."
)


def sessions_section(data: ReportData) -> Section:
    table = Table(SESSION_HEAD, session_rows(data), widths=_SESSION_WIDTHS, small=True, kind="sessions")
    return Section("Sessions", (table,), anchor="sessions")


def every_rep_section(data: ReportData) -> Section:
    """Every rep of every set, session by session; only a note saying how to get it when not asked for."""
    if not data.per_rep:
        return Section(None, (Paragraph(PER_REP_LEFT_OUT, "small"),))
    groups: list[Block] = []
    for d in data.details:
        if not d.sets:
            continue
        blocks: list[Block] = [Heading(session_heading(d.session), 3), Facts(tuple(session_facts(d.session)))]
        for st in d.sets:
            blocks.append(Heading(set_heading(st), 4))
            if st.reps:
                blocks.append(Table(REP_HEAD, rep_rows(st), widths=_REP_WIDTHS, small=True, kind="reps"))
            blocks += [Paragraph(line, "line") for line in span_lines(st)]
        groups.append(Group(tuple(blocks)))
    return Section("Every rep", tuple(groups), anchor="every-rep")


def session_rows(data: ReportData) -> tuple[tuple[str, ...], ...]:
    """One row per session: when, how much, pain before -> after, and what stood out."""
    rows = []
    for d in data.details:
        if not d.sets:
            continue
        s = d.session
        notes = [f"sharp pain{' during ' + progress.title(ex) if ex else ''}" for ex in s.sharp_pain]
        notes += [
            f"{progress.title(st.exercise)} {end_word(st.end_reason)}"
            for st in d.sets
            if st.end_reason not in (None, "done") and not (st.end_reason == "pain" and s.sharp_pain)
        ]
        if s.end_reason not in (None, "done", "pain"):
            notes.append("session " + end_word(s.end_reason))
        lost = sum(sp.duration_s or 0.0 for st in d.sets for sp in st.spans)
        if lost:
            notes.append(f"not counting {lost:.1f} s")
        rows.append(
            (
                charts.day_label(s.day),
                clock(stamp(s.started_at)),
                str(s.sets),
                str(s.reps),
                f"{score(s.pain_before)} -> {score(s.pain_after)}",
                "; ".join(notes) or "–",
            )
        )
    return tuple(rows)


def session_heading(s: SessionSummary) -> str:
    """'2 November 2026, 09:15-09:40'."""
    text = f"{long_day(s.day)}, {clock(stamp(s.started_at))}"
    ended = stamp(s.ended_at)
    if ended is not None:
        text += f"-{clock(ended)}"
    return text


def session_facts(s: SessionSummary) -> list[str]:
    facts = [f"{plural(s.sets, 'set')}, {plural(s.reps, 'rep')}"]
    if s.pain_before is not None or s.pain_after is not None:
        facts.append(f"pain {score(s.pain_before)} before, {score(s.pain_after)} after (0-10)")
    for ex in s.sharp_pain:
        facts.append("sharp pain reported" + (f" during {progress.title(ex)}" if ex else ""))
    if s.end_reason:
        facts.append("session " + end_word(s.end_reason))
    return facts


def set_heading(st: SetDetail) -> str:
    parts = [f"Set {st.number}: {progress.title(st.exercise)}", f"started {clock(stamp(st.started_at))}"]
    if st.target_reps:
        parts.append(f"target {st.target_reps}")
    parts.append(plural(len(st.reps), "rep"))
    if st.end_reason:
        parts.append(end_word(st.end_reason))
    if st.strictness != "standard":
        parts.append(f"{st.strictness} strictness")
    return ", ".join(parts)


def rep_rows(st: SetDetail) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(r.index),
            clock(stamp(r.recorded_at), seconds=True),
            r.side or "–",
            num(r.peak_angle_deg, 1, "°"),
            num(r.hold_s, 1, " s"),
            fault_list(r.faults) or "–",
        )
        for r in st.reps
    )


def span_lines(st: SetDetail) -> list[str]:
    """Why the coach was not counting, and faults raised in movements that did not count."""
    lines = []
    for sp in st.spans:
        end = "end of set" if sp.end_s is None else f"{sp.end_s:.1f} s"
        lines.append(f"Not counting ({status_label(sp.code)}): {sp.start_s:.1f} s to {end}")
    counted = {r.index for r in st.reps}
    for f in st.faults:
        if f.rep_idx not in counted:
            lines.append(f"{fault_label(f.code).capitalize()} at {f.t_s:.1f} s, in a movement that did not count")
    return lines
