"""Auto in the live window: which exercise the person is doing, and when they move on to the next. Qt-free.

The recogniser (:mod:`exercises.recognition`) runs every candidate's checker on each frame, so nothing
is lost while it decides. :class:`Following` turns its evidence into sets, as a live session needs them:

- recognising: the leader so far stands in (its counts may be said); nothing belongs to a set yet;
- recognised: the set carries the exercise from the first frame; the reps its checker counted so far
  are handed over at once (``caught_up``) for the history and the summary;
- unsure: after the first reps, two candidates close or nothing that fits: said once, never guessed;
- chosen: the person pressed N; the set becomes the next candidate (leader first), from the set's start;
- moved on: the segments' rule (:func:`exercises.segments.split`: a run of at least two reps of another
  exercise) ends the set, and the next exercise's set starts where the segments meet, its reps so far
  caught up; the ended set gives back the reps it counted from there on (the new exercise's first
  movements, which its checker may have counted too).

A set is a window on its exercise's checker: the reps that began at or after the set's start. Counts,
rep numbers and events are re-based to the window, so each set counts from 1.

The glute squeeze cannot be seen, so it is never a candidate (the recogniser's rule): Auto never
offers it; a person who does it chooses it in the exercise box.
"""

from __future__ import annotations

import dataclasses
import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.events import (
    CheckerState,
    CheckerStep,
    Event,
    FaultRaised,
    HoldBroken,
    HoldReached,
    RepCompleted,
    RepStarted,
)
from exercises.recognition import MIN_EVIDENCE, MIN_LEAD, Recogniser, Recognition
from exercises.segments import split
from pose.frame import PoseFrame

UNSURE_AFTER_REPS = 3  # reps some candidate counted (fitting or not) with no exercise sure: "not sure"
# (the right candidate is sure after two fitting reps; a wrong one often counts the same movements too, and
# partial reps come from a shaky picture as well: on the generated clips 3 is never early, 2 is)
UNSURE_AFTER_S = 40.0  # a person in view this long and nothing named: "not sure" all the same (a movement the
# camera cannot see counts no rep anywhere; the slowest generated clips, held reps with faults, are named by 30 s)
NEUTRAL_STATUSES = ("no_person", "out_of_frame", "joints_hidden", "second_person")  # true of any exercise


# ---------------------------------------------------------------------------- what happens to the sets


@dataclass(frozen=True)
class Recognised:
    """The evidence named the exercise: the set carries it from the first frame."""

    kind: ClassVar[str] = "recognised"
    exercise: str
    t_s: float


@dataclass(frozen=True)
class Unsure:
    """After the first reps, no exercise is sure: ``candidates`` close (leading first), or () when nothing fits."""

    kind: ClassVar[str] = "unsure"
    candidates: tuple[str, ...]
    t_s: float


@dataclass(frozen=True)
class Chosen:
    """The person chose the exercise (N): the set is ``exercise`` from its start; ``previous`` (if any) was wrong."""

    kind: ClassVar[str] = "chosen"
    exercise: str
    previous: str | None
    t_s: float


@dataclass(frozen=True)
class MovedOn:
    """The person moved on: ``previous``'s set ended, ``exercise``'s began at ``start_s``.

    ``previous``'s checker often counted the new exercise's first movements too (a hip flexion checker
    counts a squat's knee lift): its set keeps its first ``kept_reps`` reps (begun before ``start_s``) and
    gives back the ``given_back`` reps after them, with what was counted for them.
    """

    kind: ClassVar[str] = "moved_on"
    previous: str
    exercise: str
    start_s: float
    t_s: float
    kept_reps: int = 0
    given_back: int = 0


News = Recognised | Unsure | Chosen | MovedOn


@dataclass(frozen=True)
class FollowStep:
    """One frame of Auto. ``state`` and ``events`` are the set's (re-based), as a checker's step would be.

    ``news`` comes first; a set that began this frame hands over its reps so far in ``caught_up`` (to keep,
    not to say again). While recognising, ``events`` is empty and ``preview`` has the leader's new counts
    (to say, not to keep).
    """

    state: CheckerState
    events: tuple[Event, ...] = ()
    news: tuple[News, ...] = ()
    caught_up: tuple[Event, ...] = ()
    preview: tuple[Event, ...] = ()
    exercise: str | None = None  # the set's exercise; None while recognising
    leader: str | None = None  # while recognising: the candidate ahead so far


class Following:
    """Follows the person through Auto: ``update(frame) -> FollowStep``, ``finish()`` at the end.

    ``definition_for(exercise_id)`` gives each candidate's definition (the person's own: calibration,
    strictness, target), so once an exercise is named its set is already counted as theirs.
    ``choose_next()`` may be called from another thread (the window's N key); it is applied on the next frame.
    """

    def __init__(self, definition_for: Callable[[str], ExerciseDef] | None = None) -> None:
        self.recogniser = Recogniser(definition_for)  # each candidate counted as the person's own from the first frame
        self.exercise: str | None = None  # the set's exercise
        self.set_start_s: float | None = None
        self.sets: list[tuple[str, float]] = []  # every set of the run: (exercise, start_s)
        self._base_reps = 0  # the set's checker's reps that began before the set
        self._base_by_side: dict[str, int] = {}
        self._first_s: float | None = None
        self._last_s = 0.0
        self._in_view_s = 0.0  # how long a person has been in view
        self._reps_seen: tuple[int, ...] = ()
        self._unsure_said = False
        self._preview_reps = 0
        self._cycle: list[str] = []  # the order N goes through the candidates
        self._requests: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    # ------------------------------------------------------------------ following frames

    def update(self, frame: PoseFrame) -> FollowStep:
        leader_step = self.recogniser.update(frame)
        t = frame.timestamp_s
        if self._first_s is None:
            self._first_s = t
        elif frame.has_pose:
            self._in_view_s += min(t - self._last_s, 0.5)  # a gap (a pause) is not time in view
        self._last_s = t
        chosen = self._take_request()
        if chosen is not None:
            previous = self.exercise
            start = self.set_start_s if self.set_start_s is not None else self._first_s
            return self._begin(chosen, start, Chosen(chosen, previous, t))
        if self.exercise is None:
            decision = self.recogniser.recognition()
            if decision.exercise is not None:
                return self._begin(decision.exercise, self._first_s, Recognised(decision.exercise, t))
            return self._recognising(leader_step, decision, t)
        moved = self._moved_on(t)
        if moved is not None:
            return self._begin(moved.exercise, moved.start_s, moved)
        step = self.recogniser.last_steps[self.exercise]
        return FollowStep(
            self._rebased_state(step.state), tuple(self._rebased(e) for e in step.events), exercise=self.exercise
        )

    def finish(self) -> FollowStep | None:
        """Close every checker; the set's last events (an unfinished rep...), or, for a run still
        unrecognised, the set the end's lower bar names (one fitting rep), with its reps caught up."""
        self.recogniser.finish()
        if self.exercise is None:
            decision = self.recogniser.recognition()
            if decision.exercise is None or self._first_s is None:
                return None
            return self._begin(decision.exercise, self._first_s, Recognised(decision.exercise, self._last_s))
        checker = self._checker
        if checker.state is None:
            return None
        return FollowStep(
            self._rebased_state(checker.state),
            tuple(self._rebased(e) for e in self.recogniser.final_events[self.exercise]),
            exercise=self.exercise,
        )

    # ------------------------------------------------------------------ the person chooses (N)

    def choose_next(self) -> None:
        """N: the set becomes the next candidate (the leader first, then by evidence), from its start."""
        self._requests.put(None)

    def choose(self, exercise: str) -> None:
        """The set becomes ``exercise`` (a candidate) from its start."""
        if exercise not in self.recogniser.checkers:
            raise ValueError(f"{exercise!r} cannot be followed here; candidates: {', '.join(self.ranking())}")
        self._requests.put(exercise)

    def ranking(self) -> list[str]:
        """The candidates by evidence so far, the registry's order among equals."""
        ev = self.recogniser.evidence()
        order = list(self.recogniser.checkers)
        return sorted(order, key=lambda ex: (-ev.get(ex, 0.0), order.index(ex)))

    def _take_request(self) -> str | None:
        chosen: str | None = None
        while not self._requests.empty():
            asked = self._requests.get_nowait()
            if asked is not None:
                chosen = asked
                continue
            current = chosen or self.exercise
            if not self._cycle or current is None:
                self._cycle = self.ranking()
            chosen = (
                self._cycle[0] if current is None else self._cycle[(self._cycle.index(current) + 1) % len(self._cycle)]
            )
        return chosen

    # ------------------------------------------------------------------ deciding

    @property
    def _checker(self) -> ExerciseChecker:
        assert self.exercise is not None
        return self.recogniser.checkers[self.exercise]

    @property
    def definition(self) -> ExerciseDef | None:
        """The set's exercise as it is counted (None while recognising)."""
        return None if self.exercise is None else self._checker.defn

    def _recognising(self, leader_step: CheckerStep, decision: Recognition, t: float) -> FollowStep:
        ev = decision.evidence
        leader = max(ev, key=lambda ex: ev[ex]) if ev and max(ev.values()) > 0 else None
        news: tuple[News, ...] = ()
        unsure = None if self._unsure_said else self._unsure(decision, t)
        if unsure is not None:
            self._unsure_said = True
            news = (unsure,)
        preview = []
        for event in leader_step.events if leader is not None else ():
            if isinstance(event, RepCompleted) and event.reps > self._preview_reps:
                self._preview_reps = event.reps  # counts go up while the leader changes, never back
                preview.append(event)
        state = leader_step.state
        if state.status is not None and state.status not in NEUTRAL_STATUSES:
            state = dataclasses.replace(state, status=None, status_message="")  # "wrong position" for a guess
        return FollowStep(state, news=news, preview=tuple(preview), leader=leader)

    def _unsure(self, decision: Recognition, t: float) -> Unsure | None:
        """Two candidates close with enough evidence, a few reps counted and none that fits enough, or a long
        time in view with nothing named."""
        ev = decision.evidence
        ranked = sorted(ev, key=lambda ex: -ev[ex])
        best = ev[ranked[0]]
        if best >= MIN_EVIDENCE:
            close = tuple(ex for ex in ranked if ev[ex] > 0 and ev[ex] >= best * (1 - MIN_LEAD))
            return Unsure(close[:3], t)
        checkers = self.recogniser.checkers.values()
        if max(len(c.reps_detail) for c in checkers) >= UNSURE_AFTER_REPS or self._in_view_s >= UNSURE_AFTER_S:
            return Unsure(tuple(ex for ex in ranked if ev[ex] > 0)[:2], t)
        return None

    def _moved_on(self, t: float) -> MovedOn | None:
        """The segments' rule over the run so far: a last segment of another exercise that began after this set."""
        reps_seen = tuple(len(c.reps_detail) for c in self.recogniser.checkers.values())
        if reps_seen == self._reps_seen:
            return None  # segments change only when a rep is counted
        self._reps_seen = reps_seen
        assert self._first_s is not None and self.exercise is not None and self.set_start_s is not None
        segments = split(self.recogniser, self._first_s, t)
        if not segments:
            return None
        last = segments[-1]
        if last.exercise == self.exercise or last.start_s <= self.set_start_s:
            return None
        counted = [r for r in self._checker.reps_detail if r.start_s >= self.set_start_s]  # the set's reps
        kept = sum(1 for r in counted if r.start_s < last.start_s)
        return MovedOn(self.exercise, last.exercise, last.start_s, t, kept, len(counted) - kept)

    # ------------------------------------------------------------------ a set begins

    def _begin(self, exercise: str, start_s: float, news: News) -> FollowStep:
        self.exercise, self.set_start_s = exercise, start_s
        self.sets.append((exercise, start_s))
        self._cycle = [] if not isinstance(news, Chosen) else self._cycle
        checker = self._checker
        before = [r for r in checker.reps_detail if r.start_s < start_s]
        self._base_reps = len(before)
        self._base_by_side = {side: sum(1 for r in before if r.side == side) for side in ("left", "right")}
        self._reps_seen = tuple(len(c.reps_detail) for c in self.recogniser.checkers.values())
        assert checker.state is not None  # a set begins after a frame
        return FollowStep(
            self._rebased_state(checker.state), news=(news,), caught_up=self._caught_up(checker), exercise=exercise
        )

    def _caught_up(self, checker: ExerciseChecker) -> tuple[Event, ...]:
        """The set's reps so far (and their faults) as the events that would have counted them."""
        out: list[Event] = []
        by_side: dict[str, int] | None = {"left": 0, "right": 0} if checker.reps_by_side is not None else None
        reps = [r for r in checker.reps_detail if r.start_s >= (self.set_start_s or 0.0)]
        for n, record in enumerate(reps, start=1):
            if by_side is not None and record.side in by_side:
                by_side[record.side] += 1
            counted = dataclasses.replace(record, index=n)
            out.append(RepCompleted(record.end_s, n, record.side, n, dict(by_side) if by_side else None, counted))
            for fault in checker.faults:
                if fault.rep == record.index:
                    out.append(FaultRaised(fault.t_s, fault.code, n, fault.cue))
        return tuple(out)

    # ------------------------------------------------------------------ re-basing to the set

    def _rebased_state(self, state: CheckerState) -> CheckerState:
        return dataclasses.replace(
            state, reps=state.reps - self._base_reps, reps_by_side=self._rebased_sides(state.reps_by_side)
        )

    def _rebased_sides(self, by_side: dict[str, int] | None) -> dict[str, int] | None:
        if by_side is None:
            return None
        return {side: n - self._base_by_side.get(side, 0) for side, n in by_side.items()}

    def _rebased(self, event: Event) -> Event:
        b = self._base_reps
        if not b:
            return event
        if isinstance(event, RepCompleted):
            return dataclasses.replace(
                event,
                rep=event.rep - b,
                reps=event.reps - b,
                reps_by_side=self._rebased_sides(event.reps_by_side),
                record=dataclasses.replace(event.record, index=event.record.index - b),
            )
        if isinstance(event, (RepStarted, HoldReached, HoldBroken, FaultRaised)):
            return dataclasses.replace(event, rep=event.rep - b)
        return event
