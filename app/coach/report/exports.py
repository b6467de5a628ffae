"""The report as data: CSV (one row per counted rep) and JSON (everything, schema 1).

Both carry the history's timestamps as stored (ISO 8601 text), so a spreadsheet or script reads
exactly what was recorded.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from app.coach.report.data import ReportData
from app.coach.store import progress
from app.coach.store.progress_values import SessionDetail

JSON_SCHEMA = 1

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

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell as a spreadsheet will read it as text: text that would start a formula gets a leading
    apostrophe (OWASP's advice for CSV injection). Numbers stay numbers, negative ones included."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(data: ReportData) -> str:
    """One row per counted rep, with its session, set and exercise."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in data.details:
        for st in d.sets:
            for r in st.reps:
                row = (
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
                writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def render_json(data: ReportData) -> dict[str, Any]:
    """The report as plain JSON-ready data (schema 1)."""
    return {
        "schema": JSON_SCHEMA,
        "generated_at": data.generated_at.isoformat(timespec="seconds"),
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
