"""The one checker state machine: ``update(frame) -> CheckerStep`` for any exercise definition.

Counting (``mode="reps"``)::

    setup --(at rest and still, or leaving rest after a pass through it; posture ok)--> rest
    setup --(first frames already past enter_deg: a rep under way when the recording began)--> active
    rest  --(signal past enter_deg)--> active           [rep_started]
    active --(signal back past exit_deg, or most of the way and up again)--> rest
                                                        [rep_completed | partial_rep]

No still start and no pause are needed: people who never stop start each rep from the lowest
point of their last pass through rest, and two reps run together are split at the valley
between them. A scene cut ends whatever was under way (``across_cut``).

The gap between ``enter_deg`` and ``exit_deg`` is the hysteresis: jitter or a wobble at the
top cannot end a rep and start another. A rep counts only if it moved at least
``min_range_deg`` from its rest trough and lasted ``min_rep_s``. Unilateral exercises follow
the larger of the two sides' signals and decide the side by a vote over the rep's frames, so a
left/right label swap for a few frames neither splits a rep nor moves it to the wrong leg.

Frames that cannot be read (no person, joints hidden or out of the picture) freeze the machine;
a rep survives a short gap and is dropped (as a partial rep) after ``ABORT_AFTER_S``. Time is
taken only from ``frame.timestamp_ms``.

The checker orchestrates; each concern is its own object: which status to show
(:mod:`exercises.status`), where rest is (:mod:`exercises.rest`), a rep under way and whether
it counts (:mod:`exercises.rep`), its hold (:mod:`exercises.hold`), its form faults
(:mod:`exercises.rules`), the glute squeeze's guided hold (:mod:`exercises.guided`), notes
that do not stop counting (:mod:`exercises.notes`), and movement that counts for nothing
(:mod:`exercises.motion_watch`).
"""

from __future__ import annotations

import math

from exercises.definitions import ExerciseDef
from exercises.events import (
    MOVEMENT_STATUS_CODES,
    STATUS_MESSAGES,
    CheckerState,
    CheckerStep,
    Event,
    FaultRecord,
    PartialRecord,
    PartialRep,
    RepCompleted,
    RepRecord,
    RepStarted,
    StatusInterval,
)
from exercises.guided import GuidedHold
from exercises.hold import HoldTimer
from exercises.motion_watch import MovementWatch
from exercises.notes import NoteKeeper
from exercises.registry import get_exercise
from exercises.rep import ARM_WATCH_S, Excursion, Rep
from exercises.rest import LearntRest, PostureGates
from exercises.rounding import rounded
from exercises.rules import RuleJudge
from exercises.signals import BodyReader, Reading
from exercises.status import StatusDebouncer, frame_status
from pose.frame import PoseFrame
from pose.landmarks import SIDES, Side
from pose.smoothing import ema

ABORT_AFTER_S = 1.0  # a rep interrupted this long no longer counts
FIRST_FRAMES_S = 0.5  # readable this soon after the first frame: a rep under way may have begun before it
JUMP_SET_S = 2.5  # a rep that ends this soon after a jump (the last rep's take-off) is a jump squat
CUT_OFF_REP_MIN_S = 0.6  # a rep cut off by the end of the recording counts if under way this long
SETTLED_DEG_PER_S = 20.0  # the signal at rest changes slower than this: still, ready to count
REST_LEARN_FAST_S = 1.5  # after coming into view, rest is learnt fast for this long
REST_STUCK_S = 8.0  # this long between the thresholds without a rep: rest was misjudged
NAN = float("nan")


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
        self.reps = 0
        self.reps_by_side: dict[str, int] | None = {"left": 0, "right": 0} if d.unilateral else None
        self.reps_detail: list[RepRecord] = []
        self.faults: list[FaultRecord] = []
        self.partial_reps: list[PartialRecord] = []
        self._statuses = StatusDebouncer()
        self._held_back: list[Reading] = []  # readable frames seen while a status still showed
        self.status_intervals: list[StatusInterval] = self._statuses.intervals
        self._notes = NoteKeeper()
        self.notes = self._notes.notes
        self._watch = MovementWatch(d)
        self._rest = LearntRest(d)
        self._gates = PostureGates(d, self.reader)
        self._judge = RuleJudge(d, self.reader)
        self._guided = GuidedHold(d, self.reader) if d.mode == "guided_hold" else None
        self._t: float | None = None
        self._phase = "setup"
        self._trough: tuple[float, float, dict] | None = None  # (t, x, signal) lowest at rest in setup
        # Learnt rest, getting ready: (t, value[, side]) of the first low, the highest point since.
        self._setup_low: tuple[float, float] | None = None
        self._setup_high: tuple[float, float, Side] | None = None
        self._ever_armed = False
        self._first_t: float | None = None
        self._last_rest_t: float | None = None
        self._rest_min_x = math.inf
        self._rep: Rep | None = None
        self._exc: Excursion | None = None
        self._interrupted_since: float | None = None
        self._above_exit_since: float | None = None
        self._readable_since: float | None = None
        self._value: float = NAN
        self._last_x: float = NAN
        self._last_v: float = NAN
        self._signal_rate = math.inf  # |d signal / dt|, smoothed; unknown until two frames
        self._side_v: dict[Side, float] = {}  # each side's signal, smoothed (unilateral: both legs)
        self._side_rate: dict[Side, float] = {}  # and how fast it changes
        self._value_side: Side | None = None
        self._finished = False
        self._last_state: CheckerState | None = None
        # The thresholds in internal units (movement away from rest, positive towards a rep).
        self._enter = d.enter_deg if d.relative_to_rest else d.direction * d.enter_deg
        self._exit = d.exit_deg if d.relative_to_rest else d.direction * d.exit_deg

    def update(self, frame: PoseFrame) -> CheckerStep:
        """Advance by one frame; frames whose time does not advance are ignored."""
        t = frame.timestamp_s
        if self._t is not None and t <= self._t and self._last_state is not None:
            return CheckerStep(self._last_state, ())
        if self._first_t is None:
            self._first_t = t
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
        if self._guided is not None:
            self._step_guided(reading, t, events)
        else:
            self._step_counting(reading, status is None, t, events)
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
        rep = self._rep
        if self._guided is not None:
            self._record_partial(self._guided.abandon(t, "unfinished"), events)
        elif rep is not None and t - rep.start_t >= CUT_OFF_REP_MIN_S:
            # The recording stopped after the rep reached its target (at the top, or on the way
            # back): a person counting by eye counts it; the usual checks still apply.
            self._end_rep(t, self._last_x, events)
        elif rep is not None:
            self._abandon(t, "unfinished", events)
        self._statuses.close(t)
        self._notes.close()
        return tuple(events)

    @property
    def state(self) -> CheckerState | None:
        """The state after the last frame (None before the first)."""
        return self._last_state

    def report(self) -> dict:
        """The report pieces as plain data, in the PRODUCT.md JSON field names."""
        return {
            "exercise": self.defn.id,
            "reps": self.reps,
            "reps_by_side": dict(self.reps_by_side) if self.reps_by_side is not None else None,
            "reps_detail": [r.to_json() for r in self.reps_detail],
            "faults": [f.to_json() for f in self.faults],
            "status": [s.to_json() for s in self.status_intervals],
            "partial_reps": [p.to_json() for p in self.partial_reps],
            "notes": [n.to_json() for n in self.notes],
        }

    # ------------------------------------------------------------------ counting

    def _step_counting(self, reading: Reading, frame_ok: bool, t: float, events: list[Event]) -> None:
        """Count from this frame. A status waits to be sure before it goes (a moment of good
        frames), and the count must not lose what it saw meanwhile: readable frames seen while a
        status still showed are judged, in order, once it clears (a leg lifted as the camera
        finds it again)."""
        if self._blocked() is not None:
            if frame_ok:
                self._held_back.append(reading)
            else:
                self._held_back.clear()
            self._step_reps(reading, t, events)
            return
        held, self._held_back = self._held_back, []
        for earlier in held:
            self._step_reps(earlier, earlier.t_s, events)
            self._t = earlier.t_s
        self._step_reps(reading, t, events)

    def _step_reps(self, reading: Reading, t: float, events: list[Event]) -> None:
        if reading.hard_status is not None or self._blocked():
            self._freeze(t, events)
            return
        xs = {s: self._rest.internal(s, v) for s, v in reading.signal.items() if math.isfinite(v)}
        if not xs:
            self._freeze(t, events)
            return
        self._interrupted_since = None
        if self._readable_since is None:
            self._readable_since = t
        side = max(xs, key=xs.get)
        x = xs[side]
        dt = t - self._t if self._t is not None else 0.0
        # How fast the (smoothed) signal moves: jitter averages out, lying down does not.
        v_smooth = ema(self._last_v, reading.signal[side], dt, 0.15)
        if dt > 0 and math.isfinite(self._last_v):
            rate = abs(v_smooth - self._last_v) / dt
            self._signal_rate = rate if math.isinf(self._signal_rate) else ema(self._signal_rate, rate, dt, 0.15)
        self._last_x, self._last_v = x, v_smooth
        for s_, v in reading.signal.items():
            if math.isfinite(v):
                prev = self._side_v.get(s_, NAN)
                now = self._side_v[s_] = ema(prev, v, dt, 0.15)
                if dt > 0 and math.isfinite(prev):
                    self._side_rate[s_] = ema(self._side_rate.get(s_, NAN), abs(now - prev) / dt, dt, 0.15)
        self._value, self._value_side = reading.signal[side], side
        rep = self._rep
        in_posture = rep is not None or (self._gates.hold(reading, dt) and not self._rest.below_window(reading))
        blocker = None if in_posture else "outside_exercise"
        if blocker is None and self._phase == "setup" and self._trough is None:
            blocker = "not_back_to_start"
        self._watch.update(t, x, self._enter, self._exit, blocker, self.reader.body_motion, in_rep=rep is not None)
        for code in self._judge.not_judged:
            self._notes.seen("form_not_judged", t, code)
        if not in_posture:
            # Not in the starting posture yet (still lying down, legs straight...): not ready,
            # and what was learnt about rest belongs to another posture.
            self._back_to_setup()
            self._readable_since = t
            self._rest.forget()
            return
        if self.reader.walking:
            # Walking into place (or away): not ready, whatever the legs look like.
            if rep is not None:
                self._abandon(t, "walking", events)
            self._back_to_setup()
            return
        if rep is None:
            self._step_between_reps(reading, side, x, dt, t, events)
        else:
            self._step_in_rep(rep, reading, side, x, v_smooth, t, events)

    def _step_between_reps(
        self, reading: Reading, side: Side, x: float, dt: float, t: float, events: list[Event]
    ) -> None:
        d = self.defn
        enter, exit_ = self._enter, self._exit
        self._judge.remember(t, reading)
        if x <= exit_:
            self._above_exit_since = None
        elif self._above_exit_since is None:
            self._above_exit_since = t
        if d.relative_to_rest and (x < enter or self._phase == "setup"):
            # Learn rest only while no side is lifted: one foot up in a march pushes the
            # other foot's signal negative, and that is not its rest. A short excursion
            # (a partial rep) leaves rest alone; a long one means rest was misjudged.
            stuck = self._above_exit_since is not None and t - self._above_exit_since > REST_STUCK_S
            # Just in view (or back after a status): learn the person's rest quickly at first.
            fast = t - self._readable_since < REST_LEARN_FAST_S
            self._rest.learn(reading.signal, dt, fast, self._phase == "setup", stuck)
        rep_side = side if d.unilateral else None
        if x <= exit_:
            self._last_rest_t = t
            self._rest_min_x = min(self._rest_min_x, x)
            self._close_excursion(t, events)
            if self._phase == "setup":
                if not d.relative_to_rest and (self._trough is None or x < self._trough[1]):
                    self._trough = (t, x, dict(reading.signal))
                # Still at rest, in position: ready. Not while lying down or stepping into
                # place: a signal still swinging (strides, towards the camera too) is not a
                # starting position.
                watched = self._watched_for(t) >= ARM_WATCH_S
                if watched and self._gates.settled() and self._still() and self._rest.in_window(reading.signal[side]):
                    if d.relative_to_rest:
                        self._count_first_cycle(t, d.direction * reading.signal[side], events)
                    self._arm(reading.signal, t, x)
        elif self._phase == "setup":
            if not d.relative_to_rest and self._trough is not None and self._watched_for(t) >= ARM_WATCH_S:
                # Leaving rest after touching it: people who never pause start their reps
                # from the lowest point of the last pass through rest.
                t_tr, x_tr, values = self._trough
                self._arm(values, t_tr, x_tr)
                x = self._rest.internal(side, reading.signal[side])
            elif (
                not self._ever_armed
                and x >= enter
                and self._first_t is not None
                and t - self._first_t <= FIRST_FRAMES_S
                and self._readable_since == self._first_t
            ):
                # In the middle of a rep when the picture starts: it counts if its turn
                # and return are seen.
                self._start_rep(t, rep_side, x, reading, events, start_t=self._readable_since)
                return
        if self._phase == "setup" and d.relative_to_rest and self._cycle_bottom_passed(reading, side, t, events):
            x = self._rest.internal(side, reading.signal[side])
        if self._phase == "rest" and x > exit_:
            if x >= enter:
                self._start_rep(t, rep_side, x, reading, events)
            elif self._exc is None:
                self._exc = Excursion(self._last_rest_t or t, rep_side, x, reading.signal[side])
            elif x > self._exc.peak_x:
                self._exc.peak_x, self._exc.peak_v = x, reading.signal[side]

    def _step_in_rep(
        self, rep: Rep, reading: Reading, side: Side, x: float, v_smooth: float, t: float, events: list[Event]
    ) -> None:
        d = self.defn
        enter = self._enter
        # The valley between two reps run together is judged on the smoothed signal: a one-frame
        # dip of a wobbling leg during a hold is not a return.
        x_s = self._rest.internal(side, v_smooth)
        if x > rep.peak_x:
            rep.peak_x, rep.peak_v, rep.peak_t = x, reading.signal[side], t
        if x_s >= rep.peak_smooth:
            rep.peak_smooth, rep.valley = x_s, None
        elif rep.valley is None or x_s < rep.valley[1]:
            rep.valley = (t, x_s)
        elif rep.rebounded(x_s, enter, d.min_range_deg):
            # Back most of the way, then up again without reaching rest: two reps run together.
            # The first ends, and the next starts, at the valley between them.
            t_v, x_v = rep.valley
            self._end_rep(t_v, x_v, events)
            self._start_rep(t, side if d.unilateral else None, x, reading, events)
            return
        if d.unilateral and x >= enter:
            rep.votes[side] += 1
        rep_side = rep.voted_side() if d.unilateral else reading.best_side
        if d.has_hold:
            # The hold follows the smoothed signal: jitter neither ends it nor moves its top.
            rep.hold.track(self._rest.internal(side, v_smooth), rep.range_x, enter, t, events)
        self._judge.check(rep_side, x >= enter, t, events)
        if x <= self._exit:
            self._end_rep(t, x, events)

    def _cycle_bottom_passed(self, reading: Reading, side: Side, t: float, events: list[Event]) -> bool:
        """Learnt rest, never still: arm at the bottom of a cycle seen whole (down from a high by
        at least a rep's range, then up again past the hysteresis), never at a low point met
        while lying down or getting into place."""
        d = self.defn
        v = d.direction * reading.signal[side]
        if self._setup_low is None or (self._setup_high is None and v < self._setup_low[1]):
            self._setup_low = (t, v)  # where the first movement started from
        if self._setup_high is None or v > self._setup_high[1]:
            self._setup_high, self._trough = (t, v, side), None
            return False
        # Down and up again on the leg that went highest: the other leg's rest is no bottom.
        followed = reading.signal.get(self._setup_high[2], math.nan)
        v = d.direction * followed if math.isfinite(followed) else v
        if self._trough is None or v < self._trough[1]:
            self._trough = (t, v, dict(reading.signal))
            return False
        t_tr, v_tr, values = self._trough
        v_hi = self._setup_high[1]
        # Up again: that leg, or the other one starting its lift (legs taking turns).
        rises = [
            d.direction * (now - values[s])
            for s, now in reading.signal.items()
            if math.isfinite(now) and math.isfinite(values.get(s, math.nan))
        ]
        rise = max(rises, default=v - v_tr)
        if v_hi - v_tr >= d.min_range_deg and rise >= d.enter_deg - d.exit_deg and self._watched_for(t) >= ARM_WATCH_S:
            self._count_first_cycle(t_tr, v_tr, events)
            self._arm(values, t_tr, 0.0)
            return True
        return False

    def _count_first_cycle(self, end_t: float, end_v: float, events: list[Event]) -> None:
        """Learnt rest, being armed at ``end_v``: if the movement seen so far was one whole cycle
        from that same rest and back (a first rep done before rest was known), count it."""
        d = self.defn
        if self._setup_low is None or self._setup_high is None:
            return
        (t_lo, v_lo), (_, v_hi, side) = self._setup_low, self._setup_high
        if (
            abs(v_lo - end_v) <= d.enter_deg - d.exit_deg
            and v_hi - end_v >= d.enter_deg
            and end_t - t_lo >= d.min_rep_s
        ):
            self._count_seen_cycle(t_lo, end_t, side if d.unilateral else None, d.direction * v_hi, events)

    def _count_seen_cycle(
        self, start_t: float, end_t: float, side: Side | None, peak_v: float, events: list[Event]
    ) -> None:
        """A first rep seen whole before rest was known: counted, its form and hold not judged."""
        self.reps += 1
        if self.reps_by_side is not None and side is not None:
            self.reps_by_side[side] += 1
        record = RepRecord(
            index=self.reps,
            side=side,
            start_s=rounded(start_t),
            end_s=rounded(end_t),
            peak_angle_deg=rounded(peak_v, 1),
            hold_s=None,
            faults=[],
        )
        self.reps_detail.append(record)
        self._watch.recorded(end_t)
        events.append(
            RepCompleted(
                rounded(end_t),
                record.index,
                side,
                self.reps,
                dict(self.reps_by_side) if self.reps_by_side is not None else None,
                record,
                self.defn.cues.rep_done,
            )
        )

    def _still(self) -> bool:
        """The counted signal is still, and so is every leg's (a leg coming down is no rest)."""
        return self._signal_rate < SETTLED_DEG_PER_S and all(r < SETTLED_DEG_PER_S for r in self._side_rate.values())

    def _back_to_setup(self) -> None:
        """Not ready to count: the start position is to be found again."""
        self._phase, self._trough, self._setup_high, self._setup_low, self._exc = "setup", None, None, None, None

    def _watched_for(self, t: float) -> float:
        """How long the body has been readable without a break."""
        return 0.0 if self._readable_since is None else t - self._readable_since

    def _arm(self, values: dict[Side, float], t: float, x: float) -> None:
        """Ready to count: ``values`` (the signal at ``t``) is the start position, whatever was
        learnt on the way into place."""
        self._phase, self._trough, self._setup_high, self._setup_low, self._ever_armed = "rest", None, None, None, True
        self._last_rest_t, self._rest_min_x = t, x
        self._rest.arm_at(values)

    def _blocked(self) -> str | None:
        """The status shown, when it is one that stops counting (not a movement notice)."""
        shown = self._statuses.shown
        return None if shown in MOVEMENT_STATUS_CODES else shown

    def _after_cut(self, t: float, events: list[Event]) -> None:
        """Another shot begins: nothing under way counts across it, and rest is learnt anew."""
        self._held_back.clear()
        if self._rep is not None:
            self._abandon(t, "across_cut", events)
        self._back_to_setup()
        self._readable_since = None
        self._rest.forget()
        self._last_v, self._signal_rate, self._side_v, self._side_rate = NAN, math.inf, {}, {}
        self._watch.reset()

    def _freeze(self, t: float, events: list[Event]) -> None:
        """Nothing readable this frame: keep the rep for a while, then drop it."""
        self._watch.pause()
        shown = self._blocked()
        if shown is not None:
            self._readable_since = None
            # Whatever moved while nothing was seen is not a movement speed.
            self._last_v, self._signal_rate, self._side_v, self._side_rate = NAN, math.inf, {}, {}
        if self._rep is not None:
            if self._interrupted_since is None:
                self._interrupted_since = t
            if shown is not None and t - self._interrupted_since >= ABORT_AFTER_S:
                self._abandon(t, "interrupted", events)
        if shown is not None and self._rep is None:
            self._back_to_setup()

    def _start_rep(
        self, t: float, side: Side | None, x: float, reading: Reading, events: list[Event], start_t: float | None = None
    ) -> None:
        """A rep begins; ``start_t`` given: it began before the first frame, under way since then."""
        d = self.defn
        pre_started = start_t is not None
        start_x = x if pre_started or not math.isfinite(self._rest_min_x) else self._rest_min_x
        if start_t is None:
            start_t = self._last_rest_t if self._last_rest_t is not None else t
        index = self.reps + 1
        rep = Rep(
            index=index,
            start_t=start_t,
            side=side,
            start_x=start_x,
            peak_x=x,
            peak_v=reading.signal[side or reading.best_side],
            peak_t=t,
            hold=HoldTimer(index, d.hold_target_s, d.cues.hold_reached),
            pre_started=pre_started,
        )
        rep.feet = self.reader.feet_torso
        self._judge.begin_rep(index, side or reading.best_side)
        self._rep = rep
        self._exc = None
        self._phase = "active"
        self.reader.side_locked = True
        events.append(RepStarted(rounded(t), index, side, d.cues.start))

    def _end_rep(self, t: float, x: float, events: list[Event]) -> None:
        d = self.defn
        rep = self._rep
        assert rep is not None
        if d.has_hold:
            rep.hold.close(rep.range_x, t, events)
        duration = t - rep.start_t
        side = rep.voted_side() if d.unilateral else None
        reason = rep.rejection(d, self.reader.feet_torso, t, x)
        if reason is not None:
            self._abandon(t, reason, events)
        else:
            judge = self._judge
            # The feet left the floor in the last few seconds: jump squats, quick by nature.
            ballistic = self.reader.last_airborne_t >= t - JUMP_SET_S
            judge.judge_end(duration, rep.hold.best_hold, t, events, ballistic)
            self.reps += 1
            if self.reps_by_side is not None and side is not None:
                self.reps_by_side[side] += 1
            record = RepRecord(
                index=rep.index,
                side=side,
                start_s=rounded(rep.start_t),
                end_s=rounded(t),
                peak_angle_deg=rounded(rep.peak_v, 1),
                hold_s=rounded(rep.hold.best_hold) if d.has_hold else None,
                faults=list(judge.faults),
            )
            self.reps_detail.append(record)
            self._watch.recorded(t)
            for code in judge.faults:
                self.faults.append(FaultRecord(code, rep.index, rounded(judge.fault_t[code]), judge.cue(code)))
            events.append(
                RepCompleted(
                    rounded(t),
                    rep.index,
                    side,
                    self.reps,
                    dict(self.reps_by_side) if self.reps_by_side is not None else None,
                    record,
                    d.cues.rep_done,
                )
            )
        self._rep = None
        self._phase = "rest"
        self._rest_min_x = x
        self._last_rest_t = t
        self.reader.side_locked = False

    def _abandon(self, t: float, reason: str, events: list[Event]) -> None:
        """Record the rep in progress as partial (not counted)."""
        rep = self._rep
        if rep is None:
            return
        if self.defn.has_hold:
            rep.hold.close(rep.range_x, t, events)
        side = rep.voted_side() if self.defn.unilateral else None
        self._record_partial(
            PartialRecord(
                side, rounded(rep.start_t), rounded(t), rounded(rep.peak_v, 1), reason, list(self._judge.faults)
            ),
            events,
        )
        self._rep = None
        self.reader.side_locked = False
        if reason in ("too_small", "too_short"):
            self._phase, self._trough = "rest", None
        else:
            self._back_to_setup()

    def _record_partial(self, record: PartialRecord | None, events: list[Event]) -> None:
        if record is not None:
            self.partial_reps.append(record)
            self._watch.recorded(record.end_s)
            events.append(PartialRep(record.end_s, record))

    def _close_excursion(self, t: float, events: list[Event]) -> None:
        exc = self._exc
        self._exc = None
        if exc is None or self._phase != "rest":
            return
        if exc.is_partial(t, self._enter, self._exit, self.defn.min_rep_s):
            record = PartialRecord(exc.side, rounded(exc.start_t), rounded(t), rounded(exc.peak_v, 1), "too_small", [])
            self._record_partial(record, events)

    # ------------------------------------------------------------------ guided hold (glute squeeze)

    def _step_guided(self, reading: Reading, t: float, events: list[Event]) -> None:
        assert self._guided is not None
        ended = self._guided.step(reading, self._statuses.shown, t, self.reps + 1, events)
        if isinstance(ended, PartialRecord):
            self._record_partial(ended, events)
        elif ended is not None:
            self.reps += 1
            self.reps_detail.append(ended)
            events.append(RepCompleted(ended.end_s, ended.index, None, self.reps, None, ended, self.defn.cues.rep_done))

    # ------------------------------------------------------------------ state

    def _make_state(self, t: float) -> CheckerState:
        d = self.defn
        rep = self._rep
        guided = self._guided
        side: str | None
        if rep is not None and d.unilateral:
            side = rep.voted_side()
        elif not d.unilateral:
            side = self.reader.best_side
        else:
            side = None
        target = rest = None
        if guided is not None:
            phase, value = guided.phase, guided.value
            hold = guided.held_s if guided.hold_index is not None else 0.0
        else:
            phase, value = self._phase, self._value
            hold = rep.hold.live_hold if rep is not None else 0.0
            ref_side = side if side in SIDES else self._value_side
            if d.relative_to_rest:
                target = self._rest.natural(ref_side, d.enter_deg)
                rest = self._rest.natural(ref_side, d.exit_deg)
            else:
                target, rest = d.enter_deg, d.exit_deg
        shown = self._statuses.shown
        return CheckerState(
            t_s=rounded(t),
            exercise=d.id,
            phase=phase,
            reps=self.reps,
            reps_by_side=dict(self.reps_by_side) if self.reps_by_side is not None else None,
            side=side,
            hold_s=rounded(hold),
            hold_target_s=d.hold_target_s,
            angle_deg=rounded(value, 1),
            target_deg=rounded(target, 1) if target is not None else None,
            rest_deg=rounded(rest, 1) if rest is not None else None,
            faults=tuple(self._judge.faults) if rep is not None else (),
            status=shown,
            status_message=STATUS_MESSAGES.get(shown, "") if shown else "",
        )
