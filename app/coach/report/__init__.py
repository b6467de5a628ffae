"""Reports for a physiotherapist: a session or a date range as HTML, PDF, CSV or JSON.

:func:`write_report` reads the history once (:func:`.data.collect`) and renders it by the output's
suffix. HTML and PDF show the same list of sections (:mod:`.sections`: summary, details, sessions,
every rep), each written once as blocks that :mod:`.html` and :mod:`.pdf` lay out; CSV is one row
per rep and JSON the whole structure (:mod:`.exports`). Qt-free.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from app.coach.report.data import ReportData, ReportError, collect
from app.coach.report.exports import CSV_COLUMNS, csv_cell, render_csv, render_json
from app.coach.report.html import render_html
from app.coach.report.pdf import render_pdf
from app.outputs import OutputError, OutputFile, write_private

__all__ = [
    "CSV_COLUMNS",
    "SUFFIXES",
    "ReportData",
    "ReportError",
    "collect",
    "csv_cell",
    "render_csv",
    "render_html",
    "render_json",
    "render_pdf",
    "report_kind",
    "write_report",
]

SUFFIXES = (".html", ".pdf", ".csv", ".json")


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
