"""The sections of an HTML or PDF report, in order. Adding a section is one line here (and its function)."""

from __future__ import annotations

from collections.abc import Callable

from app.coach.report.blocks import Paragraph, Section
from app.coach.report.data import ReportData
from app.coach.report.details import details_section
from app.coach.report.sessions import every_rep_section, sessions_section
from app.coach.report.summary import summary_section

SECTIONS: tuple[Callable[[ReportData], Section], ...] = (
    summary_section,
    details_section,
    sessions_section,
    every_rep_section,
)

EMPTY_TEXT = "No exercise sessions are recorded in this range, so there is nothing to report yet."


def report_sections(data: ReportData) -> list[Section]:
    """What the report shows after its heading: every section, or one line saying there is nothing yet."""
    if data.empty:
        return [Section(None, (Paragraph(EMPTY_TEXT, "empty"),))]
    return [make(data) for make in SECTIONS]
