"""What a report shows, read once from the history: :class:`ReportData` and :func:`collect`.

The history stores times as ISO 8601 text (local time with its UTC offset); :func:`stamp` reads one
into a :class:`~datetime.datetime` as written, so the sections format dates and clock times from
typed values and never cut a string apart. CSV and JSON still carry the stored text unchanged.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from app.coach.store import progress
from app.coach.store.progress_values import Asymmetry, DayStat, Screening, SessionDetail, SessionSummary


class ReportError(Exception):
    """A report that cannot be made (unknown type, unknown session, unwritable file); one line."""


def stamp(text: str | None) -> datetime | None:
    """A stored timestamp as a datetime in the local time it was written in; None when absent or unreadable."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # an older or hand-edited history: show '–' rather than fail the whole report
        return None


def clock(moment: datetime | None, seconds: bool = False) -> str:
    """'09:15' (or '09:15:30' with ``seconds``); '–' for an unknown time."""
    if moment is None:
        return "–"
    return moment.strftime("%H:%M:%S" if seconds else "%H:%M")


def long_day(day: date) -> str:
    """'2 November 2026'."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, read once from the history."""

    profile_id: int
    profile_name: str
    since: date | None
    until: date | None
    session_id: int | None
    generated_at: datetime  # local time, with its offset
    details: tuple[SessionDetail, ...]
    daily: tuple[DayStat, ...]
    asymmetry: tuple[Asymmetry, ...]
    days_trained: frozenset[date]
    screenings: tuple[Screening, ...] = ()
    per_rep: bool = False  # the PDF and HTML end with every rep's row (off: a short report)

    @property
    def empty(self) -> bool:
        return not any(d.sets for d in self.details)

    @property
    def exercises(self) -> list[str]:
        """Exercises with at least one set, in the registry's order (as ``daily`` is)."""
        return list(dict.fromkeys(s.exercise for s in self.daily))

    @property
    def sessions(self) -> list[SessionSummary]:
        """The sessions with at least one set, in order."""
        return [d.session for d in self.details if d.sets]

    @property
    def span(self) -> tuple[date, date] | None:
        """First and last day with a set: the charts' time axis."""
        days = [s.day for s in self.daily]
        return (min(days), max(days)) if days else None

    @property
    def one_day(self) -> bool:
        """A session (or a single day): charts over days would be single dots, so they show reps instead."""
        return self.span is not None and self.span[0] == self.span[1]

    @property
    def total_reps(self) -> int:
        return sum(s.reps for s in self.daily)

    def is_unilateral(self, exercise: str) -> bool:
        """Whether ``exercise`` was done one side at a time here (its reps have a side)."""
        return any(s.reps_left or s.reps_right for s in self.daily if s.exercise == exercise)

    @property
    def heading(self) -> str:
        return "HipCoach session report" if self.session_id is not None else "HipCoach progress report"

    @property
    def full_heading(self) -> str:
        """The heading with the person's name: the PDF's title and the HTML page's."""
        return self.heading + (f" for {self.profile_name}" if self.profile_name else "")

    @property
    def range_text(self) -> str:
        if self.session_id is not None and self.details:
            s = self.details[0].session
            return f"Session {s.id}, {long_day(s.day)} at {clock(stamp(s.started_at))}"
        start = self.since or (self.span[0] if self.span else None)
        end = self.until or (self.span[1] if self.span else None)
        if start is None or end is None:
            return "All recorded sessions"
        return f"{long_day(start)} to {long_day(end)}"

    @property
    def made_text(self) -> str:
        """The line under the heading: what the report covers and when it was made."""
        return f"{self.range_text}. Made {self.generated_at:%Y-%m-%d %H:%M} by HipCoach on this computer."


def collect(
    conn: sqlite3.Connection,
    profile_id: int,
    since: date | None = None,
    until: date | None = None,
    session_id: int | None = None,
    per_rep: bool = False,
) -> ReportData:
    """Read what a report shows. ``ReportError`` for a session that is not this profile's.

    Sessions that failed to start (:attr:`SessionSummary.failed_start`) are left out of a
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
        generated_at=datetime.now().astimezone().replace(microsecond=0),
        details=details,
        daily=tuple(progress.daily_stats(conn, profile_id, since=since, until=until, session_id=session_id)),
        asymmetry=tuple(progress.asymmetry(conn, profile_id, since=since, until=until, session_id=session_id)),
        days_trained=frozenset(trained),
        screenings=tuple(progress.screenings(conn, profile_id, since, until) if session_id is None else ()),
        per_rep=per_rep,
    )
