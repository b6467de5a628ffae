"""Runs a synthetic scenario through PoseFilter and ExerciseChecker (shared by the checker tests)."""

from __future__ import annotations

from dataclasses import dataclass

from exercises.checker import ExerciseChecker
from exercises.events import CheckerState, Event
from pose.filtering import PoseFilter
from pose.frame import PoseFrame
from tests.synthetic_skeleton import Scenario, generate


@dataclass
class Run:
    checker: ExerciseChecker
    events: list[Event]
    states: list[CheckerState]

    def kinds(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]


def run_frames(exercise: str, frames: list[PoseFrame], filtered: bool = True) -> Run:
    checker = ExerciseChecker(exercise)
    pf = PoseFilter()
    events: list[Event] = []
    states: list[CheckerState] = []
    for fr in frames:
        step = checker.update(pf.apply(fr) if filtered else fr)
        events.extend(step.events)
        states.append(step.state)
    events.extend(checker.finish())
    return Run(checker, events, states)


def run(sc: Scenario, exercise: str | None = None, filtered: bool = True) -> Run:
    return run_frames(exercise or sc.exercise, generate(sc), filtered)
