"""The values the history statistics (:mod:`app.coach.store.progress`) return: frozen rows and summaries.

Kept apart from the queries so a reader of a report or a chart sees what a rep, a set, a session
or a day holds without reading SQL. Times are local ISO strings as the database stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def asymmetry_ratio(left: float | None, right: float | None) -> float | None:
    """``|L - R| / max(L, R)``: 0 is even, 1 is one side only; None when it means nothing."""
    if left is None or right is None:
        return None
    top = max(abs(left), abs(right))
    if top == 0:
        return None
    return abs(left - right) / top


@dataclass(frozen=True)
class RepRow:
    """One counted repetition, with where it belongs."""

    session_id: int
    set_id: int
    exercise: str
    day: date
    index: int
    side: str | None
    start_s: float
    end_s: float
    peak_angle_deg: float | None
    hold_s: float | None
    faults: tuple[str, ...]
    recorded_at: str


@dataclass(frozen=True)
class FaultRow:
    """A fault as raised during a set (with its time and cue); ``rep_idx`` may be a rep that did not count."""

    code: str
    rep_idx: int | None
    t_s: float
    cue: str


@dataclass(frozen=True)
class SpanRow:
    """A "why I'm not counting" span; ``end_s`` is None when the set ended inside it."""

    code: str
    start_s: float
    end_s: float | None

    @property
    def duration_s(self) -> float | None:
        return None if self.end_s is None else max(0.0, self.end_s - self.start_s)


@dataclass(frozen=True)
class SetDetail:
    """One set with everything recorded in it; ``number`` counts the sets of its session from 1."""

    id: int
    session_id: int
    number: int
    exercise: str
    started_at: str
    ended_at: str | None
    target_reps: int | None
    strictness: str
    end_reason: str | None
    reps: tuple[RepRow, ...]
    faults: tuple[FaultRow, ...]
    spans: tuple[SpanRow, ...]


@dataclass(frozen=True)
class SessionSummary:
    """One session: counts, and the pain scores around it (first 'before', last 'after')."""

    id: int
    profile_id: int
    day: date
    started_at: str
    ended_at: str | None
    end_reason: str | None
    sets: int
    reps: int
    pain_before: int | None
    pain_after: int | None
    sharp_pain: tuple[str | None, ...]  # one entry per sharp-pain stop: the exercise it happened in

    @property
    def failed_start(self) -> bool:
        """A session that never got going: no counted rep, no pain after it, no sharp pain, and either no
        set at all (no picture ever reached the coach) or cut off (interrupted, or never closed).

        Newer versions do not save these; older histories have them, and they are no training.
        A session stopped early by the person or for pain is kept: that is worth a physio's eye.
        """
        if self.reps or self.pain_after is not None or self.sharp_pain:
            return False
        return self.sets == 0 or self.end_reason in (None, "interrupted")

    @property
    def pain_change(self) -> int | None:
        if self.pain_before is None or self.pain_after is None:
            return None
        return self.pain_after - self.pain_before


@dataclass(frozen=True)
class SessionDetail:
    """A session's full detail: its summary and its sets in order."""

    session: SessionSummary
    sets: tuple[SetDetail, ...]


@dataclass(frozen=True)
class DayStat:
    """One exercise on one day. Means are None when nothing was measured (no reps, no holds)."""

    day: date
    exercise: str
    sets: int
    reps: int
    reps_left: int
    reps_right: int
    hold_s_mean: float | None
    hold_s_total: float
    peak_deg_mean: float | None
    peak_deg_best: float | None
    peak_deg_left_mean: float | None
    peak_deg_right_mean: float | None
    faults: int
    fault_rate: float | None  # faults per counted rep

    @property
    def count_asymmetry(self) -> float | None:
        return asymmetry_ratio(self.reps_left, self.reps_right)

    @property
    def peak_asymmetry(self) -> float | None:
        return asymmetry_ratio(self.peak_deg_left_mean, self.peak_deg_right_mean)


@dataclass(frozen=True)
class Asymmetry:
    """Left against right for one unilateral exercise over the chosen range."""

    exercise: str
    reps_left: int
    reps_right: int
    count_asymmetry: float | None
    peak_deg_left_mean: float | None
    peak_deg_right_mean: float | None
    peak_asymmetry: float | None


@dataclass(frozen=True)
class PainTrend:
    """Pain over the sessions that have scores: the first and last 'before', and how each session went."""

    sessions: int  # sessions with both a before and an after score
    first_before: int | None
    last_before: int | None
    eased: int  # after < before
    same: int
    rose: int  # after > before
    rose_by_stop: int  # rose by the stop rule's 2 or more
    sharp: int  # sessions with a sharp-pain stop
    mean_change: float | None


@dataclass(frozen=True)
class Screening:
    """One answered warning-sign screening: its local ISO time and the ids answered "yes"."""

    answered_at: str
    yes: tuple[str, ...]
    questions: int
