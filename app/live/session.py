"""What a live session did so far, and how its summary ends. Qt-free.

Fed the checker's events step by step; time comes from the frame timestamps, less the paused
stretches (:meth:`SessionLog.resumed`). :func:`ending` turns a set and the pain check-ins around
it into the summary's words: pain before/after first, "Well done" only when it is true.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.coach import safety
from exercises.vocabulary import status_message

# After a resume, a gap this long between two frames is the pause, not exercise time. A camera
# (or a file played as one) sends a frame every 30-250 ms; a pause holds them back for seconds.
PAUSE_GAP_S = 0.4
FRAMES_AFTER_RESUME = 3  # the worker may hand over the frame it held through the pause first


@dataclass
class SessionLog:
    exercise_id: str
    exercise_title: str
    unilateral: bool
    target_reps: int | None = None
    reps: int = 0
    reps_by_side: dict[str, int] | None = None
    holds_reached: int = 0
    holds_short: int = 0
    faults: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)  # how often each "not counting" state began
    first_s: float | None = None
    last_s: float | None = None
    frames: int = 0
    end_reason: str = ""  # what ended the session, in words
    recording_note: str = ""  # the set's video: recorded, and how many frames it left out
    notes: list[str] = field(default_factory=list)  # more lines for the summary (Auto: the sets before this one)
    paused_s: float = 0.0  # frame time that passed while the person had paused
    _after_resume: int = 0
    # What was counted for each rep (its number in the set), so reps can be given back (Auto, moving on).
    _rep_sides: dict[int, str | None] = field(default_factory=dict)
    _rep_tallies: list[tuple[int, str, str]] = field(default_factory=list)  # (rep, event kind, fault code)

    def resumed(self) -> None:
        """The person resumed after a pause: the next frame gap is the pause, not exercise time."""
        self._after_resume = FRAMES_AFTER_RESUME

    def add(self, result: Any, t_s: float) -> None:
        """Take one pipeline step's checker result (``.state``, ``.events``) at frame time ``t_s``."""
        self.frames += 1
        if self.first_s is None:
            self.first_s = t_s
        elif self._after_resume and self.last_s is not None:
            gap = t_s - self.last_s
            if gap > PAUSE_GAP_S:
                self.paused_s += gap
                self._after_resume = 0
            else:
                self._after_resume -= 1
        self.last_s = t_s
        if result is None:
            return
        for event in getattr(result, "events", ()):
            kind = getattr(event, "kind", "")
            if kind == "rep_completed":
                self.reps = event.reps
                self.reps_by_side = dict(event.reps_by_side) if event.reps_by_side is not None else None
                self._rep_sides[event.rep] = event.side
            elif kind == "hold_reached":
                self.holds_reached += 1
                self._rep_tallies.append((event.rep, kind, ""))
            elif kind == "hold_broken":
                self.holds_short += 1
                self._rep_tallies.append((event.rep, kind, ""))
            elif kind == "fault":
                self.faults[event.code] += 1
                self._rep_tallies.append((event.rep, kind, event.code))
            elif kind == "status_changed" and event.code:
                self.statuses[event.code] += 1
        state = getattr(result, "state", None)
        if state is not None:
            self.reps = state.reps
            if state.reps_by_side is not None:
                self.reps_by_side = dict(state.reps_by_side)

    def give_back(self, from_rep: int) -> int:
        """Take back the reps numbered ``from_rep`` and after, with the holds and faults counted for them
        (an unfinished rep's too); returns how many reps went. Auto: they were the next exercise's."""
        gone = [rep for rep in self._rep_sides if rep >= from_rep]
        for rep in gone:
            side = self._rep_sides.pop(rep)
            if self.reps_by_side is not None and side in self.reps_by_side:
                self.reps_by_side[side] = max(0, self.reps_by_side[side] - 1)
        self.reps = max(0, self.reps - len(gone))
        for _rep, kind, code in (t for t in self._rep_tallies if t[0] >= from_rep):
            if kind == "hold_reached":
                self.holds_reached -= 1
            elif kind == "hold_broken":
                self.holds_short -= 1
            else:
                self.faults[code] -= 1
        self._rep_tallies = [t for t in self._rep_tallies if t[0] < from_rep]
        self.faults = +self.faults  # drop the codes no rep has any more
        return len(gone)

    @property
    def duration_s(self) -> float:
        if self.first_s is None or self.last_s is None:
            return 0.0
        return max(0.0, self.last_s - self.first_s - self.paused_s)

    def summary_lines(self) -> list[str]:
        """The summary as short lines a person reads at a glance."""
        minutes, seconds = divmod(int(round(self.duration_s)), 60)
        lines = [f"{self.exercise_title}: {minutes}:{seconds:02d} min"]
        target = f" of {self.target_reps}" if self.target_reps else ""
        if self.unilateral and self.reps_by_side is not None:
            left, right = self.reps_by_side.get("left", 0), self.reps_by_side.get("right", 0)
            lines.append(f"Reps: left {left}{target}, right {right}{target}")
        else:
            lines.append(f"Reps: {self.reps}{target}")
        if self.holds_reached or self.holds_short:
            lines.append(
                f"Holds achieved: {self.holds_reached}"
                + (f" (ended early: {self.holds_short})" if self.holds_short else "")
            )
        if self.faults:
            lines.append(
                "Form to work on: "
                + ", ".join(f"{code.replace('_', ' ')} x{n}" for code, n in self.faults.most_common())
            )
        else:
            lines.append("No form faults seen.")
        if self.end_reason:
            lines.append(self.end_reason)
        if self.recording_note:
            lines.append(self.recording_note)
        return lines + self.notes


@dataclass(frozen=True)
class Ending:
    """The summary's words: ``lead`` (pain before/after and what it means) comes first; ``rest``
    means the pain went up, so the page offers rest instead of another go."""

    title: str
    lead: str
    lines: list[str]
    well_done: bool
    rest: bool
    tone: str  # 'good', 'neutral', 'warn' or 'stop': the lead's colour


def ending(
    session: SessionLog,
    pain_before: int | None,
    pain_after: int | None,
    pain_pending: bool = False,
    sharp: bool = False,
) -> Ending:
    """The summary of one set: honest about pain first, then what was counted.

    "Well done" only when reps were counted and the pain did not go up (an unknown "after" is not
    "not up"). A rise of 2 or more (the pain rule) or sharp pain means rest, not another go.
    """
    return pain_ending(
        "Set",
        session.reps,
        session.summary_lines(),
        pain_before,
        pain_after,
        pain_pending,
        sharp,
        _why_none(session, session.reps),
    )


def pain_ending(
    what: str,
    reps: int,
    lines: list[str],
    pain_before: int | None,
    pain_after: int | None,
    pain_pending: bool = False,
    sharp: bool = False,
    why_none: list[str] | None = None,
) -> Ending:
    """:func:`ending` for a set or a whole routine (``what``: "Set" or "Routine"), from its reps and lines."""
    counted = f"{reps} rep{'s' if reps != 1 else ''}"
    why_none = why_none or []
    if sharp:
        return Ending(
            "Stopped: sharp pain",
            safety.pain_decision(pain_before, pain_after, sharp=True).message,
            lines,
            False,
            True,
            "stop",
        )
    if pain_pending:
        return Ending(
            f"{what} over: {counted}",
            "How much does your hip hurt now? Answer on the screen.",
            lines,
            False,
            False,
            "neutral",
        )
    if pain_before is None or pain_after is None:
        known = f"Pain now: {pain_after}. " if pain_after is not None else ""
        title = f"{what} done: {counted}" if reps else "No reps counted this time"
        lead = known + "Stop or ease off if an exercise is hard or hurts."
        return Ending(title, lead, lines + why_none, False, False, "neutral")
    decision = safety.pain_decision(pain_before, pain_after)
    rise = pain_after - pain_before
    change = "up" if rise > 0 else "down" if rise < 0 else "the same"
    scores = f"Pain {pain_before} before → {pain_after} now ({change}"
    scores += f" {abs(rise)})." if rise else ")."
    # The pain rule's sentences, without repeating the scores or the title's "Well done".
    meaning = decision.message.removeprefix(f"Your pain went up from {pain_before} to {pain_after}. ")
    meaning = meaning.replace("Well done, your pain", "Your pain")
    lead = f"{scores} {meaning}"
    if decision.stop:
        return Ending("Your pain went up: stop and rest", lead, lines, False, True, "stop")
    if rise > 0:
        return Ending(f"{what} done: {counted}. Ease off next time", lead, lines, False, False, "warn")
    if not reps:
        return Ending("No reps counted this time", lead, lines + why_none, False, False, "neutral")
    title = f"Well done! {counted[0].upper()}{counted[1:]}" if what == "Set" else f"{what} done – well done!"
    return Ending(title, lead, lines, True, False, "good")


def _why_none(session: SessionLog, reps: int) -> list[str]:
    """With nothing counted: the "not counting" state seen most, in the checker's words."""
    if reps or not session.statuses:
        return []
    code, _ = session.statuses.most_common(1)[0]
    return [f"Mostly not counting: {status_message(code)}."]
