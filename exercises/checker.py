"""The checker: ``update(frame) -> CheckerStep`` for any exercise definition.

It orchestrates; each concern is its own object. Per frame: the body reader turns landmarks
into a reading (:mod:`exercises.signals`); which "why I'm not counting" status to show is
debounced (:mod:`exercises.status`); then the rep state machine counts
(:mod:`exercises.rep_machine`, with where rest is in :mod:`exercises.rest`, how a first rep is
found without a still start in :mod:`exercises.arming`, a rep under way in :mod:`exercises.rep`,
its hold in :mod:`exercises.hold`, its form in :mod:`exercises.rules`), or, for the glute
squeeze, the guided hold does (:mod:`exercises.guided`). What counted and what did not is kept
in the tally (:mod:`exercises.tally`); notes that do not stop counting in :mod:`exercises.notes`;
movement that counts for nothing is named by :mod:`exercises.motion_watch`.

Time is taken only from ``frame.timestamp_ms``.
"""

from __future__ import annotations

from exercises.definitions import ExerciseDef
from exercises.events import CheckerState, CheckerStep, Event, FaultRecord, PartialRecord, RepRecord, StatusInterval
from exercises.guided import GuidedHold
from exercises.motion_watch import MovementWatch
from exercises.notes import NoteKeeper
from exercises.registry import get_exercise
from exercises.rep_machine import RepMachine
from exercises.rounding import rounded, rounded_s
from exercises.signals import BodyReader, Reading
from exercises.status import StatusDebouncer, frame_status
from exercises.tally import Tally
from exercises.vocabulary import MOVEMENT_STATUS_CODES, status_message
from pose.frame import PoseFrame
from pose.landmarks import SIDES


class ExerciseChecker:
    """Follows one exercise through a session of frames.

    ``update(frame)`` returns a :class:`CheckerStep` (state + this frame's events). The report
    pieces accumulate on the checker: ``reps``, ``reps_by_side``, ``reps_detail``
    (:class:`RepRecord`), ``faults`` (:class:`FaultRecord`), ``status_intervals``
    (:class:`StatusInterval`) and ``partial_reps`` (:class:`PartialRecord`); call
    :meth:`finish` after the last frame to close what is still open.
    """

    def __init__(self, definition: ExerciseDef | str) -> None:
        if isinstance(definition, str):
            definition = get_exercise(definition)
        if not isinstance(definition, ExerciseDef):
            raise TypeError(f"expected an ExerciseDef or an exercise id, got {type(definition).__name__}")
        self.defn = definition
        self.reader = BodyReader(definition)
        self.reset()

    # ------------------------------------------------------------------ public

    def reset(self) -> None:
        """Start a new session."""
        d = self.defn
        self.reader.reset()
        self._statuses = StatusDebouncer()
        self.status_intervals: list[StatusInterval] = self._statuses.intervals
        self._notes = NoteKeeper()
        self.notes = self._notes.notes
        self._watch = MovementWatch(d)
        self._tally = Tally(d, self._watch)
        self._guided = GuidedHold(d, self.reader) if d.mode == "guided_hold" else None
        self._machine = None if self._guided else RepMachine(d, self.reader, self._tally, self._watch, self._notes)
        self._held_back: list[Reading] = []  # readable frames seen while a status still showed
        self._t: float | None = None
        self._finished = False
        self._last_state: CheckerState | None = None

    def update(self, frame: PoseFrame) -> CheckerStep:
        """Advance by one frame; frames whose time does not advance are ignored."""
        t = frame.timestamp_s
        if self._t is not None and t <= self._t and self._last_state is not None:
            return CheckerStep(self._last_state, ())
        events: list[Event] = []
        reading = self.reader.read(frame)
        if reading.cut:
            self._after_cut(t, events)
        if reading.others_in_view and reading.hard_status != "second_person":
            self._notes.seen("someone_else_in_view", t)
        status = frame_status(reading, self.defn, self._statuses.shown)
        if status is None and self._guided is None:
            status = self._watch.code  # moving, yet nothing counts: say why
        self._statuses.update(status, t, events)
        if self._machine is not None:
            self._step_counting(self._machine, reading, status is None, t, events)
        else:
            self._step_guided(reading, t, events)
        self._t = t
        state = self._make_state(t)
        self._last_state = state
        return CheckerStep(state, tuple(events))

    def finish(self) -> tuple[Event, ...]:
        """Close what is open at the last timestamp: an unfinished rep, a status interval."""
        if self._finished or self._t is None:
            return ()
        self._finished = True
        t = self._t
        events: list[Event] = []
        if self._machine is not None:
            self._machine.finish(t, events)
        elif self._guided is not None:
            self._tally.partial(self._guided.abandon(t, "unfinished"), events)
        self._statuses.close(t)
        self._notes.close()
        return tuple(events)

    @property
    def state(self) -> CheckerState | None:
        """The state after the last frame (None before the first)."""
        return self._last_state

    # The report's records live in the tally; these are the names the report reads.
    @property
    def reps(self) -> int:
        return self._tally.reps

    @property
    def reps_by_side(self) -> dict[str, int] | None:
        return self._tally.reps_by_side

    @property
    def reps_detail(self) -> list[RepRecord]:
        return self._tally.reps_detail

    @property
    def faults(self) -> list[FaultRecord]:
        return self._tally.faults

    @property
    def partial_reps(self) -> list[PartialRecord]:
        return self._tally.partial_reps

    # ------------------------------------------------------------------ counting

    def _step_counting(
        self, machine: RepMachine, reading: Reading, frame_ok: bool, t: float, events: list[Event]
    ) -> None:
        """Count from this frame. A status waits to be sure before it goes (a moment of good
        frames), and the count must not lose what it saw meanwhile: readable frames seen while a
        status still showed are judged, in order, once it clears (a leg lifted as the camera
        finds it again)."""
        blocked = self._blocked()
        if blocked is not None:
            if frame_ok:
                self._held_back.append(reading)
            else:
                self._held_back.clear()
            machine.step(reading, t, blocked, events)
            return
        held, self._held_back = self._held_back, []
        for earlier in held:
            machine.step(earlier, earlier.t_s, None, events)
        machine.step(reading, t, None, events)

    def _blocked(self) -> str | None:
        """The status shown, when it is one that stops counting (not a movement notice)."""
        shown = self._statuses.shown
        return None if shown in MOVEMENT_STATUS_CODES else shown

    def _after_cut(self, t: float, events: list[Event]) -> None:
        """Another shot begins: nothing under way counts across it, and rest is learnt anew."""
        self._held_back.clear()
        if self._machine is not None:
            self._machine.after_cut(t, events)
        self._watch.reset()

    # ------------------------------------------------------------------ guided hold (glute squeeze)

    def _step_guided(self, reading: Reading, t: float, events: list[Event]) -> None:
        assert self._guided is not None
        ended = self._guided.step(reading, self._statuses.shown, t, self.reps + 1, events)
        if isinstance(ended, PartialRecord):
            self._tally.partial(ended, events)
        elif ended is not None:
            self._tally.count(ended, [], events)

    # ------------------------------------------------------------------ state

    def _make_state(self, t: float) -> CheckerState:
        d = self.defn
        machine, guided = self._machine, self._guided
        rep = machine.rep if machine is not None else None
        side: str | None
        if rep is not None and d.unilateral:
            side = rep.voted_side()
        elif not d.unilateral:
            side = self.reader.best_side
        else:
            side = None
        target = rest = None
        faults: tuple[str, ...] = ()
        if machine is not None:
            phase, value = machine.phase, machine.value
            hold = rep.hold.live_hold if rep is not None else 0.0
            target, rest = machine.thresholds(side if side in SIDES else machine.value_side)
            faults = tuple(machine.judge.faults) if rep is not None else ()
        else:
            assert guided is not None
            phase, value = guided.phase, guided.value
            hold = guided.held_s if guided.hold_index is not None else 0.0
        shown = self._statuses.shown
        return CheckerState(
            t_s=rounded_s(t),
            exercise=d.id,
            phase=phase,
            reps=self.reps,
            reps_by_side=dict(self.reps_by_side) if self.reps_by_side is not None else None,
            side=side,
            hold_s=rounded_s(hold),
            hold_target_s=d.hold_target_s,
            angle_deg=rounded(value, 1),
            target_deg=rounded(target, 1) if target is not None else None,
            rest_deg=rounded(rest, 1) if rest is not None else None,
            faults=faults,
            status=shown,
            status_message=status_message(shown) if shown else "",
        )
