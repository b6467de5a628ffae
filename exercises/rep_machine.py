"""The rep state machine: when a repetition starts, when it ends, and whether it counts.

::

    setup --(at rest and still, or leaving rest after a pass through it; posture ok)--> rest
    setup --(first frames already past enter_deg: a rep under way when the recording began)--> active
    rest  --(signal past enter_deg)--> active           [rep_started]
    active --(signal back past exit_deg, or most of the way and up again)--> rest
                                                        [rep_completed | partial_rep]

No still start and no pause are needed: people who never stop start each rep from the lowest
point of their last pass through rest (:mod:`exercises.arming`), and two reps run together are
split at the valley between them. A scene cut ends whatever was under way (``across_cut``).

The gap between ``enter_deg`` and ``exit_deg`` is the hysteresis: jitter or a wobble at the
top cannot end a rep and start another. A rep counts only if it moved at least
``min_range_deg`` from its rest trough and lasted ``min_rep_s`` (:mod:`exercises.rep`).
Unilateral exercises follow the larger of the two sides' signals and decide the side by a vote
over the rep's frames, so a left/right label swap for a few frames neither splits a rep nor
moves it to the wrong leg.

Frames that cannot be read freeze the machine; a rep survives a short gap and is dropped (as a
partial rep) after ``ABORT_AFTER_S``. Time is taken only from the readings' timestamps.
"""

from __future__ import annotations

import math

from exercises.arming import Arming
from exercises.definitions import ExerciseDef
from exercises.events import Event, FaultRecord, PartialRecord, RepRecord, RepStarted
from exercises.hold import HoldTimer
from exercises.motion_watch import MovementWatch
from exercises.notes import NoteKeeper
from exercises.pace import SignalPace
from exercises.rep import ARM_WATCH_S, Excursion, Rep
from exercises.rest import LearntRest, PostureGates
from exercises.rounding import rounded, rounded_s
from exercises.rules import RuleJudge
from exercises.signals import BodyReader, Reading
from exercises.tally import Tally
from pose.landmarks import Side

ABORT_AFTER_S = 1.0  # a rep interrupted this long no longer counts
FIRST_FRAMES_S = 0.5  # readable this soon after the first frame: a rep under way may have begun before it
JUMP_SET_S = 2.5  # a rep that ends this soon after a jump (the last rep's take-off) is a jump squat
CUT_OFF_REP_MIN_S = 0.6  # a rep cut off by the end of the recording counts if under way this long
REST_LEARN_FAST_S = 1.5  # after coming into view, rest is learnt fast for this long
REST_STUCK_S = 8.0  # this long between the thresholds without a rep: rest was misjudged
NAN = float("nan")


class RepMachine:
    """Counts repetitions (``mode="reps"``) from readings, into the tally.

    ``phase`` is ``setup`` (finding the start position), ``rest`` (ready) or ``active`` (in a rep).
    """

    def __init__(
        self, defn: ExerciseDef, reader: BodyReader, tally: Tally, watch: MovementWatch, notes: NoteKeeper
    ) -> None:
        self.defn, self.reader = defn, reader
        self._tally, self._watch, self._notes = tally, watch, notes
        self._rest = LearntRest(defn)
        self._gates = PostureGates(defn, reader)
        self.judge = RuleJudge(defn, reader)
        self._arming = Arming(defn)
        self._pace = SignalPace()
        self.phase = "setup"
        self.rep: Rep | None = None
        self._exc: Excursion | None = None
        self._t: float | None = None
        self._first_t: float | None = None
        self._blocked: str | None = None
        self._last_rest_t: float | None = None
        self._rest_min_x = math.inf
        self._interrupted_since: float | None = None
        self._above_exit_since: float | None = None
        self._readable_since: float | None = None
        self.value: float = NAN  # the counted signal now (natural units)
        self.value_side: Side | None = None
        self._last_x: float = NAN
        # The thresholds in internal units (movement away from rest, positive towards a rep).
        self._enter = defn.enter_deg if defn.relative_to_rest else defn.direction * defn.enter_deg
        self._exit = defn.exit_deg if defn.relative_to_rest else defn.direction * defn.exit_deg

    def finish(self, t: float, events: list[Event]) -> None:
        """The recording ended at ``t``: close the rep under way."""
        rep = self.rep
        if rep is not None and t - rep.start_t >= CUT_OFF_REP_MIN_S:
            # The recording stopped after the rep reached its target (at the top, or on the way
            # back): a person counting by eye counts it; the usual checks still apply.
            self._end_rep(t, self._last_x, events)
        elif rep is not None:
            self._abandon(t, "unfinished", events)

    def after_cut(self, t: float, events: list[Event]) -> None:
        """Another shot begins: nothing under way counts across it, and rest is learnt anew."""
        if self.rep is not None:
            self._abandon(t, "across_cut", events)
        self._back_to_setup()
        self._readable_since = None
        self._rest.forget()
        self._pace.forget()

    def thresholds(self, side: Side | None) -> tuple[float | None, float | None]:
        """The values (natural units) a rep must pass to start and come back past to finish."""
        d = self.defn
        if d.relative_to_rest:
            return self._rest.natural(side, d.enter_deg), self._rest.natural(side, d.exit_deg)
        return d.enter_deg, d.exit_deg

    def step(self, reading: Reading, t: float, blocked: str | None, events: list[Event]) -> None:
        """Advance by one frame's reading; ``blocked``: the status shown, if it stops counting."""
        if self._first_t is None:
            self._first_t = t
        dt = t - self._t if self._t is not None else 0.0
        self._t, self._blocked = t, blocked
        if reading.hard_status is not None or blocked:
            self._freeze(t, events)
            return
        xs = {s: self._rest.internal(s, v) for s, v in reading.signal.items() if math.isfinite(v)}
        if not xs:
            self._freeze(t, events)
            return
        self._interrupted_since = None
        if self._readable_since is None:
            self._readable_since = t
        side = max(xs, key=lambda s_: xs[s_])
        x = xs[side]
        v_smooth = self._pace.update(reading.signal, side, dt)
        self._last_x = x
        self.value, self.value_side = reading.signal[side], side
        rep = self.rep
        in_posture = rep is not None or (self._gates.hold(reading, dt) and not self._rest.below_window(reading))
        blocker = None if in_posture else "outside_exercise"
        if blocker is None and self.phase == "setup" and self._arming.trough is None:
            blocker = "not_back_to_start"
        if self._watched_for(t) >= REST_LEARN_FAST_S:
            # Not while the person is only just in view: settling into place is no movement to explain.
            self._watch.update(t, x, self._enter, self._exit, blocker, self.reader.body_motion, in_rep=rep is not None)
        for code in self.judge.not_judged:
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
        self.judge.remember(t, reading)
        if x <= exit_:
            self._above_exit_since = None
        elif self._above_exit_since is None:
            self._above_exit_since = t
        if d.relative_to_rest and (x < enter or self.phase == "setup"):
            # Learn rest only while no side is lifted: one foot up in a march pushes the
            # other foot's signal negative, and that is not its rest. A short excursion
            # (a partial rep) leaves rest alone; a long one means rest was misjudged.
            stuck = self._above_exit_since is not None and t - self._above_exit_since > REST_STUCK_S
            # Just in view (or back after a status): learn the person's rest quickly at first.
            fast = self._watched_for(t) < REST_LEARN_FAST_S
            self._rest.learn(reading.signal, dt, fast, self.phase == "setup", stuck)
        if x <= exit_:
            self._last_rest_t = t
            self._rest_min_x = min(self._rest_min_x, x)
            self._close_excursion(t, events)
            if self.phase == "setup":
                if not d.relative_to_rest:
                    self._arming.lowest_at_rest(t, x, reading.signal)
                # Still at rest, in position: ready. Not while lying down or stepping into
                # place: a signal still swinging (strides, towards the camera too) is not a
                # starting position.
                watched = self._watched_for(t) >= ARM_WATCH_S
                if (
                    watched
                    and self._gates.settled()
                    and self._pace.still()
                    and self._rest.in_window(reading.signal[side])
                ):
                    if d.relative_to_rest:
                        self._count_first_cycle(t, d.direction * reading.signal[side], events)
                    self._arm(reading.signal, t, x)
        elif self.phase == "setup":
            trough = self._arming.trough
            if not d.relative_to_rest and trough is not None and self._watched_for(t) >= ARM_WATCH_S:
                # Leaving rest after touching it: people who never pause start their reps
                # from the lowest point of the last pass through rest.
                self._arm(trough.signal, trough.t, trough.v)
                x = self._rest.internal(side, reading.signal[side])
            elif (
                not self._arming.ever_armed
                and x >= enter
                and self._first_t is not None
                and t - self._first_t <= FIRST_FRAMES_S
                and self._readable_since == self._first_t
            ):
                # In the middle of a rep when the picture starts: it counts if its turn
                # and return are seen.
                self._start_rep(t, side, x, reading, events, start_t=self._readable_since)
                return
        if self.phase == "setup" and d.relative_to_rest:
            bottom = self._arming.cycle_bottom(reading.signal, side, t, self._watched_for(t) >= ARM_WATCH_S)
            if bottom is not None:
                self._count_first_cycle(bottom.t, bottom.v, events)
                self._arm(bottom.signal, bottom.t, 0.0)
                x = self._rest.internal(side, reading.signal[side])
        if self.phase == "rest" and x > exit_:
            if x >= enter:
                self._start_rep(t, side, x, reading, events)
            elif self._exc is None:
                rep_side = side if d.unilateral else None
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
            self._start_rep(t, side, x, reading, events)
            return
        if d.unilateral and x >= enter:
            rep.votes[side] += 1
        rep_side = rep.voted_side() if d.unilateral else reading.best_side
        if d.has_hold:
            # The hold follows the smoothed signal: jitter neither ends it nor moves its top.
            rep.hold.track(self._rest.internal(side, v_smooth), rep.range_x, enter, t, events)
        self.judge.check(rep_side, x >= enter, t, events)
        if x <= self._exit:
            self._end_rep(t, x, events)

    def _count_first_cycle(self, end_t: float, end_v: float, events: list[Event]) -> None:
        """Learnt rest, being armed at ``end_v``: a first rep seen whole before rest was known
        counts; its form and hold are not judged."""
        cycle = self._arming.first_cycle(end_t, end_v)
        if cycle is None:
            return
        side = cycle.side if self.defn.unilateral else None
        index = self._tally.reps + 1
        start_s, end_s, peak = rounded_s(cycle.start_t), rounded_s(cycle.end_t), self.defn.direction * cycle.peak_v
        self._tally.count(RepRecord(index, side, start_s, end_s, rounded_s(peak, 1), None, []), [], events)

    def _back_to_setup(self) -> None:
        """Not ready to count: the start position is to be found again."""
        self.phase, self._exc = "setup", None
        self._arming.clear()

    def _watched_for(self, t: float) -> float:
        """How long the body has been readable without a break."""
        return 0.0 if self._readable_since is None else t - self._readable_since

    def _arm(self, values: dict[Side, float], t: float, x: float) -> None:
        """Ready to count: ``values`` (the signal at ``t``) is the start position, whatever was
        learnt on the way into place."""
        self.phase = "rest"
        self._arming.armed()
        self._last_rest_t, self._rest_min_x = t, x
        self._rest.arm_at(values)

    def _freeze(self, t: float, events: list[Event]) -> None:
        """Nothing readable this frame: keep the rep for a while, then drop it."""
        self._watch.pause()
        shown = self._blocked
        if shown is not None:
            self._readable_since = None
            self._pace.forget()
        if self.rep is not None:
            if self._interrupted_since is None:
                self._interrupted_since = t
            if shown is not None and t - self._interrupted_since >= ABORT_AFTER_S:
                self._abandon(t, "interrupted", events)
        if shown is not None and self.rep is None:
            self._back_to_setup()

    def _start_rep(
        self, t: float, counted: Side, x: float, reading: Reading, events: list[Event], start_t: float | None = None
    ) -> None:
        """A rep begins on the ``counted`` side's signal; ``start_t`` given: it began before the
        first frame, under way since then."""
        d = self.defn
        side = counted if d.unilateral else None
        pre_started = start_t is not None
        start_x = x if pre_started or not math.isfinite(self._rest_min_x) else self._rest_min_x
        if start_t is None:
            start_t = self._last_rest_t if self._last_rest_t is not None else t
        index = self._tally.reps + 1
        rep = Rep(
            index=index,
            start_t=start_t,
            side=side,
            start_x=start_x,
            peak_x=x,
            peak_v=reading.signal[counted],
            peak_t=t,
            hold=HoldTimer(index, d.hold_target_s, d.cues.hold_reached),
            pre_started=pre_started,
        )
        rep.feet = self.reader.feet_torso
        self.judge.begin_rep(index, counted)
        self.rep = rep
        self._exc = None
        self.phase = "active"
        self.reader.side_locked = True
        events.append(RepStarted(rounded_s(t), index, side, d.cues.start))

    def _end_rep(self, t: float, x: float, events: list[Event]) -> None:
        d = self.defn
        rep = self.rep
        assert rep is not None
        if d.has_hold:
            rep.hold.close(rep.range_x, t, events)
        duration = t - rep.start_t
        side = rep.voted_side() if d.unilateral else None
        reason = rep.rejection(d, self.reader.feet_torso, t, x)
        if reason is not None:
            self._abandon(t, reason, events)
        else:
            judge = self.judge
            # The feet left the floor in the last few seconds: jump squats, quick by nature.
            ballistic = self.reader.last_airborne_t >= t - JUMP_SET_S
            judge.judge_end(duration, rep.hold.best_hold, t, events, ballistic)
            record = RepRecord(
                index=rep.index,
                side=side,
                start_s=rounded_s(rep.start_t),
                end_s=rounded_s(t),
                peak_angle_deg=rounded(rep.peak_v, 1),
                hold_s=rounded(rep.hold.best_hold) if d.has_hold else None,
                faults=list(judge.faults),
            )
            faults = [FaultRecord(c, rep.index, rounded_s(judge.fault_t[c]), judge.cue(c)) for c in judge.faults]
            self._tally.count(record, faults, events)
        self.rep = None
        self.phase = "rest"
        self._rest_min_x = x
        self._last_rest_t = t
        self.reader.side_locked = False

    def _abandon(self, t: float, reason: str, events: list[Event]) -> None:
        """Record the rep in progress as partial (not counted)."""
        rep = self.rep
        if rep is None:
            return
        if self.defn.has_hold:
            rep.hold.close(rep.range_x, t, events)
        side = rep.voted_side() if self.defn.unilateral else None
        self._tally.partial(
            PartialRecord(
                side, rounded_s(rep.start_t), rounded_s(t), rounded(rep.peak_v, 1), reason, list(self.judge.faults)
            ),
            events,
        )
        self.rep = None
        self.reader.side_locked = False
        if reason in ("too_small", "too_short"):
            self.phase, self._arming.trough = "rest", None
        else:
            self._back_to_setup()

    def _close_excursion(self, t: float, events: list[Event]) -> None:
        exc = self._exc
        self._exc = None
        if exc is None or self.phase != "rest":
            return
        if exc.is_partial(t, self._enter, self._exit, self.defn.min_rep_s):
            record = PartialRecord(
                exc.side, rounded_s(exc.start_t), rounded_s(t), rounded(exc.peak_v, 1), "too_small", []
            )
            self._tally.partial(record, events)
