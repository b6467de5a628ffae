"""What a live session did so far, for the summary at the end. Qt-free.

Fed the checker's events step by step; time comes from the frame timestamps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


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
    cues: list[str] = field(default_factory=list)  # everything shown or said, in order

    def add(self, result: Any, t_s: float) -> None:
        """Take one pipeline step's checker result (``.state``, ``.events``) at frame time ``t_s``."""
        self.frames += 1
        if self.first_s is None:
            self.first_s = t_s
        self.last_s = t_s
        if result is None:
            return
        for event in getattr(result, "events", ()):
            kind = getattr(event, "kind", "")
            if kind == "rep_completed":
                self.reps = event.reps
                self.reps_by_side = dict(event.reps_by_side) if event.reps_by_side is not None else None
            elif kind == "hold_reached":
                self.holds_reached += 1
            elif kind == "hold_broken":
                self.holds_short += 1
            elif kind == "fault":
                self.faults[event.code] += 1
            elif kind == "status_changed" and event.code:
                self.statuses[event.code] += 1
        state = getattr(result, "state", None)
        if state is not None:
            self.reps = state.reps
            if state.reps_by_side is not None:
                self.reps_by_side = dict(state.reps_by_side)

    @property
    def duration_s(self) -> float:
        if self.first_s is None or self.last_s is None:
            return 0.0
        return self.last_s - self.first_s

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
            lines.append(f"Holds achieved: {self.holds_reached}" + (
                f" (ended early: {self.holds_short})" if self.holds_short else ""))
        if self.faults:
            lines.append("Form to work on: " + ", ".join(
                f"{code.replace('_', ' ')} x{n}" for code, n in self.faults.most_common()))
        else:
            lines.append("No form faults seen.")
        if self.end_reason:
            lines.append(self.end_reason)
        return lines
