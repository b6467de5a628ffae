"""The batch's summary table, rebuilt from the result records in ``--out``: a CSV and a self-contained HTML page.

One row per clip (the latest result of each clip, exercise and model): reps, reps by side, holds, faults, the
time not counted (the union of the "why I'm not counting" spans) and links to the clip's outputs. The page
needs nothing but itself: its style and its column sorting (click a heading) are inline.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.batch.results import ResultRecord, all_records, one_line
from app.clip_report import ClipReport
from app.outputs import write_private

CSV_NAME = "summary.csv"
HTML_NAME = "summary.html"
COLUMNS = (
    "clip", "exercise", "model", "result", "reps", "sides", "holds", "mean_hold_s", "faults", "fault_count",
    "not_counted_s", "duration_s", "frames", "analysis_s", "json", "annotated", "source", "error",
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    values: dict[str, object]

    def __getitem__(self, name: str) -> object:
        return self.values[name]


def not_counted_s(report: ClipReport) -> float:
    """Seconds under at least one status span (overlapping spans counted once), within the clip."""
    spans = sorted((max(0.0, s.start_s), min(report.duration_s, s.end_s)) for s in report.status)
    total, reach = 0.0, 0.0
    for start, end in spans:
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return round(total, 1)


def _row(record: ResultRecord, out_dir: Path) -> Row:
    values: dict[str, object] = dict.fromkeys(COLUMNS, "")
    values.update(
        clip=Path(record.source).name,
        exercise=record.exercise,
        model=record.model,
        source=record.source,
        analysis_s=round(record.seconds, 1),
        result="ok" if record.ok else "error",
        error=record.error or "",
    )
    if record.ok and record.json:
        try:
            report = ClipReport.from_json(json.loads((out_dir / record.json).read_text("utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            values.update(result="error", error=one_line(f"cannot read {record.json}: {exc}"))
            return Row(values)
        holds = [r.hold_s for r in report.reps_detail if r.hold_s is not None]
        faults = Counter(f.code for f in report.faults)
        sides = report.reps_by_side or {}
        values.update(
            exercise=report.exercise,  # as recognised, when the batch asked for 'auto'
            reps=report.reps,
            sides=" ".join(f"{side} {n}" for side, n in sorted(sides.items())),
            holds=len(holds) if holds else "",
            mean_hold_s=round(sum(holds) / len(holds), 1) if holds else "",
            faults=" ".join(f"{code}×{n}" if n > 1 else code for code, n in sorted(faults.items())),
            fault_count=sum(faults.values()),
            not_counted_s=not_counted_s(report),
            duration_s=round(report.duration_s, 1),
            frames=report.frames,
            json=record.json,
            annotated=record.annotated or "",
        )
    return Row(values)


def build_rows(out_dir: str | Path) -> list[Row]:
    """The summary's rows from the records: each clip's latest result per exercise and model, by clip name."""
    out = Path(out_dir)
    latest: dict[tuple[str, str, str], ResultRecord] = {}
    for record in all_records(out):
        slot = (record.source, record.exercise, record.model)
        if slot not in latest or record.finished >= latest[slot].finished:
            latest[slot] = record
    rows = [_row(record, out) for record in latest.values()]
    return sorted(rows, key=lambda r: (str(r["clip"]), str(r["source"]), str(r["exercise"]), str(r["model"])))


def _csv_cell(value: object) -> object:
    # A spreadsheet runs a cell that starts with these as a formula; a clip name must stay a name.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in COLUMNS])
    return buffer.getvalue()


_STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#eef;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}tr.error td{background:#fee}td.num{text-align:right}"""
_SORT = """document.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),up=th.getAttribute('aria-sort')!=='ascending';
document.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
th.setAttribute('aria-sort',up?'ascending':'descending');
function v(r){var t=r.cells[i].getAttribute('data-v');var n=parseFloat(t);return t!==''&&!isNaN(n)&&isFinite(t)?n:t}
rows.sort(function(a,b){var x=v(a),y=v(b);var c=(typeof x===typeof y)?(x<y?-1:x>y?1:0):(typeof x==='number'?-1:1);
return up?c:-c});rows.forEach(function(r){body.appendChild(r)})})});"""
_SHOWN = (
    ("clip", "Clip"), ("exercise", "Exercise"), ("result", "Result"), ("reps", "Reps"), ("sides", "Sides"),
    ("holds", "Holds"), ("mean_hold_s", "Mean hold (s)"), ("faults", "Faults"), ("not_counted_s", "Not counted (s)"),
    ("duration_s", "Length (s)"), ("json", "JSON"), ("annotated", "Annotated video"), ("error", "Error"),
)  # fmt: skip


def _cell(name: str, row: Row) -> str:
    value = row[name]
    text = html.escape(str(value))
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    sort_value = f' data-v="{text}"'
    if name in ("json", "annotated") and value:
        text = f'<a href="{html.escape(Path(str(value)).name)}">{"JSON" if name == "json" else "video"}</a>'
    elif name == "clip":
        source = str(row["source"])
        text = f'<a href="{html.escape(Path(source).absolute().as_uri())}" title="{html.escape(source)}">{text}</a>'
    return f"<td{sort_value}{' class=num' if numeric else ''}>{text}</td>"


def to_html(rows: list[Row]) -> str:
    done = sum(1 for r in rows if r["result"] == "ok")
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in _SHOWN)
    body = "\n".join(
        f'<tr class="{html.escape(str(r["result"]))}">' + "".join(_cell(name, r) for name, _ in _SHOWN) + "</tr>"
        for r in rows
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>HipCoach batch summary</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>HipCoach batch summary</h1><p>{len(rows)} clips: {done} analysed, {len(rows) - done} with an error. "
        "Click a heading to sort. \u201cNot counted\u201d is the time HipCoach could not count (no person, out of "
        "frame, wrong view...): see each clip's JSON for why.</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>\n<script>{_SORT}</script>"
        "</body></html>\n"
    )


def write_summary(out_dir: str | Path, reads: tuple[str, ...] = ()) -> tuple[Path, Path, list[Row]]:
    """Rebuild both summary files from the records (atomically, privately); returns their paths and rows."""
    out = Path(out_dir)
    rows = build_rows(out)
    csv_path = write_private(out / CSV_NAME, to_csv(rows).encode("utf-8"), reads, "summary CSV")
    html_path = write_private(out / HTML_NAME, to_html(rows).encode("utf-8"), reads, "summary page")
    return csv_path, html_path, rows
