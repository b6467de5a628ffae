"""The one checker state machine: ``update(frame) -> CheckerStep`` for any exercise definition.

Counting (``mode="reps"``)::

    setup --(signal at rest for ARM_S, posture gate ok)--> rest
    rest  --(signal past enter_deg)--> active           [rep_started]
    active --(signal back past exit_deg)--> rest        [rep_completed | partial_rep]

The gap between ``enter_deg`` and ``exit_deg`` is the hysteresis: jitter or a wobble at the
top cannot end a rep and start another. A rep counts only if it moved at least
``min_range_deg`` from its rest trough and lasted ``min_rep_s``. Unilateral exercises follow
the larger of the two sides' signals and decide the side by a vote over the rep's frames, so a
left/right label swap for a few frames neither splits a rep nor moves it to the wrong leg.

Frames that cannot be read (no person, joints hidden or out of the picture) freeze the machine;
a rep survives a short gap and is dropped (as a partial rep) after ``ABORT_AFTER_S``. A status
is reported only after it persisted (``STATUS_PERSIST_S``), so a single bad frame does not
flash a message. Time is taken only from ``frame.timestamp_ms``.

The glute squeeze (``mode="guided_hold"``) is a timed squeeze/relax cycle that counts while the
hook-lying posture is held: the camera cannot see the squeeze itself.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from exercises.definitions import ExerciseDef, FormRule
from exercises.events import (
    STATUS_MESSAGES,
    CheckerState,
    CheckerStep,
    Event,
    FaultRaised,
    FaultRecord,
    HoldBroken,
    HoldReached,
    PartialRecord,
    PartialRep,
    RepCompleted,
    RepRecord,
    RepStarted,
    StatusChanged,
    StatusInterval,
)
from exercises.registry import get_exercise
from exercises.signals import BodyReader, Reading, _ema
from pose.frame import PoseFrame
from pose.landmarks import SIDES, Side

STATUS_PERSIST_S: dict[str | None, float] = {
    None: 0.25,
    "no_person": 0.3,
    "out_of_frame": 0.3,
    "joints_hidden": 0.3,
    "second_person": 0.5,
    "wrong_view": 1.0,
    "wrong_position": 1.0,
}
ABORT_AFTER_S = 1.0  # a rep interrupted this long no longer counts
FIRST_FRAMES_S = 0.5  # readable this soon after the first frame: a rep under way may have begun before it
SPLIT_FRAC = 0.6  # back this much of a rep's range and up again as much: the next rep, without a rest
ARM_WATCH_S = 0.8  # watched this long (enough to tell walking) before rest without a pause is trusted
PRE_TURN_S = 0.3  # a lift under way at the first frame: this much of it must be seen for it to count
CUT_OFF_REP_MIN_S = 0.6  # a rep cut off by the end of the recording counts if under way this long
HOLD_GRACE_S = 0.3  # a dip below the hold band shorter than this does not break a hold
HOLD_BAND_FRAC = 0.10  # the top of a rep: within 10 % of its range below the peak ...
HOLD_BAND_MIN_DEG = 3.0  # ... and never a band narrower than the jitter
HOLD_EDGE_K = 2.5  # the slow arrival at (departure from) the top: see _edge_correction
HOLD_SETTLE_S = 0.5  # after this long at the top a slightly higher peak no longer moves the hold's start
HOLD_EDGE_MAX_S = 0.6
HOLD_DRIFT_FRAC = 0.05  # a sag at the top slower than this (of the range per second) does not end a hold  # never move a hold's edge by more than this
POSTURE_SETTLE_S = 1.0  # guided hold: posture held this long before the first squeeze
POSTURE_GRACE_S = 0.5
PARTIAL_FRAC = 0.3
REST_TAU_S = 2.0  # how fast the learnt rest value follows the person at rest
GATE_SETTLED_DEG_PER_S = 30.0  # the starting posture changes slower than this: settled
REST_WINDOW_MARGIN_DEG = 3.0
RULE_REF_WINDOW_S = 1.0  # relative form rules compare with the best of the last second before a rep
SETTLED_DEG_PER_S = 20.0  # the signal at rest changes slower than this: still, ready to count
REST_LEARN_FAST_S = 1.5  # after coming into view, rest is learnt fast for this long
REST_STUCK_S = 8.0  # this long between the thresholds without a rep: rest was misjudged
REP_MAX_TRAVEL_TORSO = 0.25  # both feet carried sideways further than this during a rep: a stride
NAN = float("nan")


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


@dataclass
class _Rep:
    """A repetition in progress (internal, mutable)."""

    index: int
    start_t: float
    enter_t: float
    side: Side | None
    start_x: float
    peak_x: float
    peak_v: float
    peak_t: float = NAN
    pre_started: bool = False  # under way at the first frame: its start was not seen
    valley: tuple[float, float] | None = None  # (t, x): the lowest point since the peak
    votes: dict[str, int] = field(default_factory=lambda: {"left": 0, "right": 0})
    hold_start: float | None = None
    feet: tuple = ()  # the ankles at the start (px): both carried away is a stride, not an exercise
    trace: list = field(default_factory=list)  # (t, x) of the rep's readable frames
    run_i: int | None = None  # index in trace of the first sample of the current hold run
    floor: float = NAN  # the hold band's lower edge when hold_start was computed
    below_since: float | None = None
    below_i: int = 0
    live_hold: float = 0.0
    hold_peak: float = -math.inf  # the peak of the smoothed signal (the hold's reference)
    best_hold: float = 0.0
    hold_reached: bool = False
    faults: list[str] = field(default_factory=list)
    fault_t: dict[str, float] = field(default_factory=dict)
    rule_since: dict[str, float | None] = field(default_factory=dict)
    rule_ref: dict[str, float] = field(default_factory=dict)
    rule_best: dict[str, float] = field(default_factory=dict)
    rule_frames: dict[str, int] = field(default_factory=dict)


@dataclass
class _Excursion:
    """A movement away from rest that has not (yet) reached the enter threshold."""

    start_t: float
    side: Side | None
    peak_x: float
    peak_v: float


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
        self.status_intervals: list[StatusInterval] = []
        self.partial_reps: list[PartialRecord] = []
        self._t: float | None = None
        self._status: str | None = None
        self._status_since = 0.0
        self._cand: str | None = None  # the status waiting to persist, when _has_cand
        self._has_cand = False
        self._cand_since = 0.0
        self._phase = "setup"
        self._trough: tuple[float, float, dict] | None = None  # (t, x, signal) lowest at rest in setup
        self._ever_armed = False
        self._first_t: float | None = None
        self._last_rest_t: float | None = None
        self._rest_min_x = math.inf
        self._rep: _Rep | None = None
        self._exc: _Excursion | None = None
        self._interrupted_since: float | None = None
        self._above_exit_since: float | None = None
        self._readable_since: float | None = None
        self._gate_prev: dict[int, float] = {}
        self._rule_recent: dict[str, deque] = {}
        self._gate_rate: dict[int, float] = {}
        self._learn_fast = True
        self._base: dict[str, float] = {s: NAN for s in SIDES}
        self._value: float = NAN
        self._last_x: float = NAN
        self._last_v: float = NAN
        self._signal_rate = math.inf  # |d signal / dt|, smoothed; unknown until two frames
        self._value_side: Side | None = None
        self._posture_since: float | None = None
        self._broken_since: float | None = None
        self._relax_since: float | None = None
        self._finished = False
        self._last_state: CheckerState | None = None

    def update(self, frame: PoseFrame) -> CheckerStep:
        """Advance by one frame; frames whose time does not advance are ignored."""
        t = frame.timestamp_s
        if self._t is not None and t <= self._t and self._last_state is not None:
            return CheckerStep(self._last_state, ())
        if self._first_t is None:
            self._first_t = t
        events: list[Event] = []
        reading = self.reader.read(frame)
        raw = reading.hard_status
        if raw not in ("no_person", "second_person"):
            # Lying when one should stand explains hidden joints better than "joints hidden".
            raw = self._soft_status(reading) or raw
        self._update_status(raw, t, events)
        if self.defn.mode == "guided_hold":
            self._step_guided(reading, t, events)
        else:
            self._step_reps(reading, t, events)
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
        if rep is not None and self.defn.mode == "reps" and t - rep.start_t >= CUT_OFF_REP_MIN_S:
            # The recording stopped after the rep reached its target (at the top, or on the way
            # back): a person counting by eye counts it; the usual checks still apply.
            self._end_rep(t, self._last_x, events)
        elif rep is not None:
            self._abandon(t, "unfinished", events)
        if self._status is not None:
            self.status_intervals.append(StatusInterval(self._status, _r(self._status_since), _r(t)))
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
        }

    # ------------------------------------------------------------------ status

    def _soft_status(self, reading: Reading) -> str | None:
        """wrong_position / wrong_view; an unclear frame keeps the one already shown."""
        d = self.defn
        if reading.orientation == "unknown" and self._status == "wrong_position":
            return "wrong_position"
        if reading.orientation != "unknown" and reading.orientation not in d.positions:
            return "wrong_position"
        if reading.view == "unknown" and self._status == "wrong_view":
            return "wrong_view"
        if reading.view != "unknown" and reading.view not in d.views:
            return "wrong_view"
        return None

    def _update_status(self, raw: str | None, t: float, events: list[Event]) -> None:
        if raw == self._status:
            self._has_cand = False
            return
        if not self._has_cand or raw != self._cand:
            self._has_cand, self._cand, self._cand_since = True, raw, t
        if t - self._cand_since >= STATUS_PERSIST_S[raw]:
            since = self._cand_since
            if self._status is not None and since > self._status_since:
                self.status_intervals.append(StatusInterval(self._status, _r(self._status_since), _r(since)))
            prev, self._status, self._status_since, self._has_cand = self._status, raw, since, False
            events.append(StatusChanged(_r(t), raw, prev, STATUS_MESSAGES.get(raw, "") if raw else ""))

    # ------------------------------------------------------------------ counting

    def _internal(self, side: Side, v: float) -> float:
        d = self.defn
        if d.relative_to_rest:
            base = self._base[side]
            if not math.isfinite(base):
                base = self._base[side] = min(max(v, d.rest_deg - d.rest_limit_deg), d.rest_deg + d.rest_limit_deg)
            return d.direction * (v - base)
        return d.direction * v

    def _natural(self, side: Side | None, x: float) -> float:
        d = self.defn
        base = self._base.get(side, NAN) if (d.relative_to_rest and side) else 0.0
        if d.relative_to_rest and not math.isfinite(base):
            base = d.rest_deg
        return base + d.direction * x if d.relative_to_rest else d.direction * x

    def _update_baselines(self, values: dict[Side, float], dt: float, stuck: bool) -> None:
        d = self.defn
        for side, v in values.items():
            if not math.isfinite(v):
                continue
            base = self._base[side]
            r = d.direction * (v - base)
            # The mean of rest, not its lowest jitter: a base at the jitter's floor would put
            # the jitter's peaks half-way to a rep.
            if self._phase == "setup" or (self._learn_fast and r < d.enter_deg):
                base = _ema(base, v, dt, REST_TAU_S / 4)  # getting into position: learn fast
            elif r < d.exit_deg or (stuck and r < d.enter_deg):
                base = _ema(base, v, dt, REST_TAU_S)
            self._base[side] = min(max(base, d.rest_deg - d.rest_limit_deg), d.rest_deg + d.rest_limit_deg)

    def _step_reps(self, reading: Reading, t: float, events: list[Event]) -> None:
        d = self.defn
        if reading.hard_status is not None or self._status is not None:
            self._freeze(t, events)
            return
        xs = {s: self._internal(s, v) for s, v in reading.signal.items() if math.isfinite(v)}
        if not xs:
            self._freeze(t, events)
            return
        self._interrupted_since = None
        if self._readable_since is None:
            self._readable_since = t
        # Just in view (or back after a status): learn the person's rest quickly at first.
        self._learn_fast = t - self._readable_since < REST_LEARN_FAST_S
        side = max(xs, key=xs.get)
        x = xs[side]
        dt0 = t - self._t if self._t is not None else 0.0
        # How fast the (smoothed) signal moves: jitter averages out, lying down does not.
        v_smooth = _ema(self._last_v, reading.signal[side], dt0, 0.15)
        if dt0 > 0 and math.isfinite(self._last_v):
            rate = abs(v_smooth - self._last_v) / dt0
            self._signal_rate = rate if math.isinf(self._signal_rate) else _ema(self._signal_rate, rate, dt0, 0.15)
        self._last_x, self._last_v = x, v_smooth
        self._value, self._value_side = reading.signal[side], side
        enter, exit_ = d.direction * d.enter_deg, d.direction * d.exit_deg
        if d.relative_to_rest:
            enter, exit_ = d.enter_deg, d.exit_deg
        dt = t - self._t if self._t is not None else 0.0
        rep = self._rep
        if rep is None and (not self._gates_ok(reading, dt) or self._below_rest_window(reading)):
            # Not in the starting posture yet (still lying down, legs straight...): not ready,
            # and what was learnt about rest belongs to another posture.
            self._phase, self._trough, self._exc = "setup", None, None
            self._readable_since = t
            self._base = {s: NAN for s in SIDES}
            return
        if self.reader.walking:
            # Walking into place (or away): not ready, whatever the legs look like.
            if rep is not None:
                self._abandon(t, "walking", events)
            self._phase, self._trough, self._exc = "setup", None, None
            return
        if rep is None:
            self._remember_rule_measures(t, reading)
            if x <= exit_:
                self._above_exit_since = None
            elif self._above_exit_since is None:
                self._above_exit_since = t
            if d.relative_to_rest and (x < enter or self._phase == "setup"):
                # Learn rest only while no side is lifted: one foot up in a march pushes the
                # other foot's signal negative, and that is not its rest. A short excursion
                # (a partial rep) leaves rest alone; a long one means rest was misjudged.
                stuck = self._above_exit_since is not None and t - self._above_exit_since > REST_STUCK_S
                self._update_baselines(reading.signal, dt, stuck)
            if x <= exit_:
                self._last_rest_t = t
                self._rest_min_x = min(self._rest_min_x, x)
                self._close_excursion(t, enter, exit_, events)
                if self._phase == "setup":
                    if self._trough is None or x < self._trough[1]:
                        self._trough = (t, x, dict(reading.signal))
                    # Still at rest, in position: ready. Not while lying down or stepping into
                    # place: a signal still swinging (strides, towards the camera too) is not a
                    # starting position.
                    watched = self._watched_for(t) >= ARM_WATCH_S
                    if watched and self._gates_settled() and self._signal_rate < SETTLED_DEG_PER_S:
                        self._arm(reading.signal, t, x)
            elif self._phase == "setup":
                if self._trough is not None and self._watched_for(t) >= ARM_WATCH_S:
                    # Leaving rest after touching it: people who never pause start their reps
                    # from the lowest point of the last pass through rest.
                    t_tr, x_tr, values = self._trough
                    self._arm(values, t_tr, x_tr)
                    x = xs[side] = self._internal(side, reading.signal[side])
                elif (not self._ever_armed and x >= enter and self._first_t is not None
                      and t - self._first_t <= FIRST_FRAMES_S and self._readable_since == self._first_t):
                    # In the middle of a rep when the picture starts: it counts if its turn
                    # and return are seen.
                    self._start_rep(t, side if d.unilateral else None, x, reading, events,
                                    start_t=self._readable_since)
                    return
            if self._phase == "rest" and x > exit_:
                if x >= enter:
                    self._start_rep(t, side if d.unilateral else None, x, reading, events)
                else:
                    exc = self._exc
                    if exc is None:
                        self._exc = _Excursion(self._last_rest_t or t, side if d.unilateral else None, x,
                                               reading.signal[side])
                    elif x > exc.peak_x:
                        exc.peak_x, exc.peak_v = x, reading.signal[side]
            return

        # ---- in a rep
        if x > rep.peak_x:
            rep.peak_x, rep.peak_v, rep.peak_t, rep.valley = x, reading.signal[side], t, None
        elif rep.valley is None or x < rep.valley[1]:
            rep.valley = (t, x)
        elif self._rebounded(rep, x, enter):
            # Back most of the way, then up again without reaching rest: two reps run together.
            # The first ends, and the next starts, at the valley between them.
            t_v, x_v = rep.valley
            self._end_rep(t_v, x_v, events)
            self._start_rep(t, side if d.unilateral else None, x, reading, events)
            return
        if d.unilateral and x >= enter:
            rep.votes[side] += 1
        rep_side = self._rep_side(rep) if d.unilateral else reading.best_side
        if d.has_hold:
            # The hold follows the smoothed signal: jitter neither ends it nor moves its top.
            self._track_hold(rep, self._internal(side, v_smooth), enter, t, events)
        self._check_rules(rep, rep_side, x >= enter, t, events)
        if x <= exit_:
            self._end_rep(t, x, events)

    def _watched_for(self, t: float) -> float:
        """How long the body has been readable without a break."""
        return 0.0 if self._readable_since is None else t - self._readable_since

    def _arm(self, values: dict[Side, float], t: float, x: float) -> None:
        """Ready to count: ``values`` (the signal at ``t``) is the start position, whatever was
        learnt on the way into place."""
        d = self.defn
        self._phase, self._trough, self._ever_armed = "rest", None, True
        self._last_rest_t, self._rest_min_x = t, x
        if d.relative_to_rest:
            for s_, v in values.items():
                if math.isfinite(v):
                    self._base[s_] = min(max(v, d.rest_deg - d.rest_limit_deg), d.rest_deg + d.rest_limit_deg)

    def _rebounded(self, rep: _Rep, x: float, enter: float) -> bool:
        """Whether the rep came back most of its range and is rising again into a new one."""
        assert rep.valley is not None
        x_v = rep.valley[1]
        cycle = max(self.defn.min_range_deg, SPLIT_FRAC * (rep.peak_x - rep.start_x))
        return rep.peak_x - x_v >= cycle and x - x_v >= cycle and x >= enter

    def _remember_rule_measures(self, t: float, reading: Reading) -> None:
        """Keep the last second of the measures that relative rules compare against."""
        side = reading.best_side
        if side is None:
            return
        for rule in self.defn.rules:
            if rule.relative:
                buf = self._rule_recent.setdefault(rule.code, deque())
                v = self.reader.measure(rule.measure, side)
                if math.isfinite(v):
                    buf.append((t, v))
                while buf and buf[0][0] < t - RULE_REF_WINDOW_S:
                    buf.popleft()

    def _gates_ok(self, reading: Reading, dt: float) -> bool:
        """Whether the starting posture holds; also tracks whether it has settled."""
        side = reading.best_side
        if side is None:
            return False
        ok = True
        for k, (measure, lo, hi) in enumerate(self.defn.gates):
            v = self.reader.measure(measure, side)
            prev = self._gate_prev.get(k, NAN)
            if dt > 0 and math.isfinite(prev) and math.isfinite(v):
                self._gate_rate[k] = _ema(self._gate_rate.get(k, 0.0), abs(v - prev) / dt, dt, 0.2)
            self._gate_prev[k] = v
            ok = ok and lo <= v <= hi
        return ok

    def _below_rest_window(self, reading: Reading) -> bool:
        """A learnt-rest signal far below any plausible rest: not in the start position yet
        (a leg still coming down while lying down), so nothing learnt or counted."""
        d = self.defn
        if not d.relative_to_rest:
            return False
        floor = d.rest_deg - d.direction * (d.rest_limit_deg + REST_WINDOW_MARGIN_DEG)
        # The highest side decides: in a march the foot left down reads negative by design.
        vals = [d.direction * (v - floor) for v in reading.signal.values() if math.isfinite(v)]
        return bool(vals) and max(vals) < 0

    def _gates_settled(self) -> bool:
        """The posture has stopped changing (knees no longer being bent into place)."""
        return all(r < GATE_SETTLED_DEG_PER_S for r in self._gate_rate.values())

    def _freeze(self, t: float, events: list[Event]) -> None:
        """Nothing readable this frame: keep the rep for a while, then drop it."""
        if self._status is not None:
            self._readable_since = None
            # Whatever moved while nothing was seen is not a movement speed.
            self._last_v, self._signal_rate = NAN, math.inf
        if self._rep is not None:
            if self._interrupted_since is None:
                self._interrupted_since = t
            if self._status is not None and t - self._interrupted_since >= ABORT_AFTER_S:
                self._abandon(t, "interrupted", events)
        if self._status is not None and self._rep is None:
            self._phase = "setup"
            self._trough = None
            self._exc = None

    def _start_rep(self, t: float, side: Side | None, x: float, reading: Reading, events: list[Event],
                   start_t: float | None = None) -> None:
        """A rep begins; ``start_t`` given: it began before the first frame, under way since then."""
        d = self.defn
        pre_started = start_t is not None
        start_x = x if pre_started or not math.isfinite(self._rest_min_x) else self._rest_min_x
        if start_t is None:
            start_t = self._last_rest_t if self._last_rest_t is not None else t
        rep = _Rep(index=self.reps + 1, start_t=start_t, enter_t=t, side=side, start_x=start_x, peak_x=x,
                   peak_v=reading.signal[side or reading.best_side], peak_t=t, pre_started=pre_started)
        rep.feet = self.reader.feet_torso[:2]
        rule_side = side or reading.best_side
        for rule in d.rules:
            rep.rule_since[rule.code] = None
            if rule.relative and rule_side is not None:
                # The posture just before the rep: hips sag as the foot leaves the floor, so
                # the value at the start is already part of the fault.
                recent = [v for (_, v) in self._rule_recent.get(rule.code, ())]
                now = self.reader.measure(rule.measure, rule_side)
                pick = max if rule.fault_if == "below" else min
                rep.rule_ref[rule.code] = pick(recent + [now]) if recent else now
        self._rep = rep
        self._exc = None
        self._phase = "active"
        self.reader.side_locked = True
        events.append(RepStarted(_r(t), rep.index, side, d.cues.start))

    def _rep_side(self, rep: _Rep) -> Side | None:
        v = rep.votes
        if v["left"] == v["right"]:
            return rep.side
        return "left" if v["left"] > v["right"] else "right"

    @staticmethod
    def _crossing(trace: list, i: int, level: float) -> float:
        """Time at which the signal crossed ``level`` between samples i-1 and i (interpolated)."""
        t1, x1 = trace[i]
        if i == 0:
            return t1
        t0, x0 = trace[i - 1]
        if x1 == x0:
            return t1
        f = min(1.0, max(0.0, (level - x0) / (x1 - x0)))
        return t0 + f * (t1 - t0)

    @staticmethod
    def _edge_correction(near: float, far: float) -> float:
        """How long the slow end of the climb (or the start of the lowering) stayed inside the band.

        The signal eases into the top: it enters the band (``near``, ``band`` below the peak)
        before it arrives, and leaves it after it has started to lower. ``far`` is when it
        crossed a second level another ``band`` further down. For an eased (quadratic) approach
        the time from the band's edge to the top is about twice the time between the two levels.
        """
        return min(HOLD_EDGE_MAX_S, HOLD_EDGE_K * max(0.0, abs(near - far)))

    def _run_start(self, rep: _Rep, floor: float, band: float) -> float:
        """The corrected start of the hold run that begins at ``rep.run_i``."""
        tr, i = rep.trace, rep.run_i
        assert i is not None
        near = self._crossing(tr, i, floor)
        lower = floor - band
        j = i - 1
        while j > 0 and tr[j][1] >= lower:
            j -= 1
        far = self._crossing(tr, j + 1, lower) if j >= 0 and tr[j][1] < lower else tr[0][0]
        return near + self._edge_correction(near, far)

    def _track_hold(self, rep: _Rep, x: float, enter: float, t: float, events: list[Event]) -> None:
        """A hold is the time spent at the top: from arriving there to starting to lower.

        The band is a few degrees below the peak (``HOLD_BAND_MIN_DEG`` or ``HOLD_BAND_FRAC`` of
        the rep's range); the edges of the time spent in it are moved in by the eased approach
        and departure (:meth:`_edge_correction`), so the slow end of the climb and the slow
        start of the lowering do not count. Dips shorter than ``HOLD_GRACE_S`` do not break it.
        """
        target = self.defn.hold_target_s or math.inf
        band = self._hold_band(rep)
        # The top may sag slowly during a long hold (the hips settle): the reference follows
        # it down at HOLD_DRIFT_FRAC of the range per second, far slower than any lowering.
        if rep.trace and math.isfinite(rep.hold_peak):
            sag = HOLD_DRIFT_FRAC * max(rep.peak_x - rep.start_x, HOLD_BAND_MIN_DEG / HOLD_BAND_FRAC)
            rep.hold_peak -= sag * (t - rep.trace[-1][0])
        rep.hold_peak = max(rep.hold_peak, x)
        floor = max(enter, rep.hold_peak - band)
        tr = rep.trace
        tr.append((t, x))
        n = len(tr) - 1
        # Once at the top for a moment, a slow drift upwards is part of the hold; a further
        # climb by more than the band (a pause half-way up, then the rest) is not.
        restart = rep.hold_start is None or t - rep.hold_start < HOLD_SETTLE_S or floor > rep.floor + band
        if rep.run_i is not None and floor > rep.floor and not rep.hold_reached and restart:
            # A higher peak raises the band: samples of the climb below it are not part of the hold.
            i = rep.run_i
            while i <= n and tr[i][1] < floor:
                i += 1
            rep.run_i = i if i <= n and x >= floor else None
            if rep.run_i is not None:
                rep.hold_start, rep.floor = self._run_start(rep, floor, band), floor
                rep.below_since = None
            else:
                rep.hold_start = None
        if x >= floor:
            rep.below_since = None
            if rep.run_i is None:
                rep.run_i = n
                rep.hold_start, rep.floor = self._run_start(rep, floor, band), floor
        elif rep.run_i is not None and rep.below_since is None:
            rep.below_since, rep.below_i = self._crossing(tr, n, floor), n
        if rep.run_i is not None:
            # Below the band (a dip, or the lowering): the live hold stops growing.
            rep.live_hold = max(0.0, (t if rep.below_since is None else rep.below_since) - rep.hold_start)
            if rep.live_hold >= target and not rep.hold_reached and rep.below_since is None:
                rep.hold_reached = True
                events.append(HoldReached(_r(t), rep.index, _r(rep.live_hold), self.defn.cues.hold_reached))
            if rep.below_since is not None and t - rep.below_since > HOLD_GRACE_S and x < floor - band:
                self._close_hold(rep, t, events)
        else:
            rep.live_hold = 0.0

    def _hold_band(self, rep: _Rep) -> float:
        return max(HOLD_BAND_MIN_DEG, HOLD_BAND_FRAC * (rep.peak_x - rep.start_x))

    def _close_hold(self, rep: _Rep, t: float, events: list[Event]) -> None:
        if rep.hold_start is None or rep.run_i is None:
            rep.hold_start, rep.run_i, rep.below_since, rep.live_hold = None, None, None, 0.0
            return
        tr = rep.trace
        if rep.below_since is not None:
            near = rep.below_since
            lower = rep.floor - self._hold_band(rep)
            k = rep.below_i
            while k < len(tr) and tr[k][1] >= lower:
                k += 1
            far = self._crossing(tr, k, lower) if k < len(tr) else t
            end = near - self._edge_correction(near, far)
        else:
            end = t
        run = max(0.0, end - rep.hold_start)
        rep.best_hold = max(rep.best_hold, run)
        if not rep.hold_reached and self.defn.hold_target_s is not None:
            events.append(HoldBroken(_r(t), rep.index, _r(run), self.defn.hold_target_s, ""))
        rep.hold_start = None
        rep.run_i = None
        rep.below_since = None
        rep.live_hold = 0.0

    def _check_rules(self, rep: _Rep, side: Side | None, lifted: bool, t: float, events: list[Event]) -> None:
        if side is None:
            return
        view = self.reader.view
        for rule in self.defn.rules:
            if rule.code in rep.faults or view not in rule.views or (rule.only_when_lifted and not lifted):
                rep.rule_since[rule.code] = None
                continue
            m = self.reader.measure(rule.measure, side)
            if rule.relative:
                ref = rep.rule_ref.get(rule.code, NAN)
                if not math.isfinite(ref):
                    rep.rule_ref[rule.code] = m
                    continue
                m -= ref
            if not math.isfinite(m):
                continue
            if rule.aggregate == "peak":
                best = rep.rule_best.get(rule.code)
                better = max if rule.fault_if == "below" else min
                rep.rule_best[rule.code] = m if best is None else better(best, m)
                rep.rule_frames[rule.code] = rep.rule_frames.get(rule.code, 0) + 1
                continue
            bad = m < rule.limit if rule.fault_if == "below" else m > rule.limit
            if not bad:
                rep.rule_since[rule.code] = None
                continue
            since = rep.rule_since.get(rule.code)
            if since is None:
                rep.rule_since[rule.code] = since = t
            if t - since >= rule.min_duration_s:
                self._raise(rep, rule.code, rule.cue, t, events)

    def _raise(self, rep: _Rep, code: str, cue: str, t: float, events: list[Event]) -> None:
        if code in rep.faults:
            return
        rep.faults.append(code)
        rep.fault_t[code] = t
        events.append(FaultRaised(_r(t), code, rep.index, cue))

    def _cue(self, code: str) -> str:
        for rule in self.defn.rules:
            if rule.code == code:
                return rule.cue
        return {"hold_short": self.defn.cues.hold_short, "too_fast": self.defn.cues.too_fast}.get(code, "")

    def _end_rep(self, t: float, x: float, events: list[Event]) -> None:
        d = self.defn
        rep = self._rep
        assert rep is not None
        if d.has_hold:
            self._close_hold(rep, t, events)
        duration = t - rep.start_t
        side = self._rep_side(rep) if d.unilateral else None
        # Walking moves both feet (sideways, or towards the camera); a squat sits the hips back,
        # a leg raise moves one foot, a jump lands where it took off.
        *feet, torso = self.reader.feet_torso
        # Left/right labels may have swapped: any foot still where a foot was is planted.
        moved = [float(np.hypot(*(a - b))) for a in feet for b in rep.feet]
        travelled = min(moved) / torso if torso > 0 and moved else 0.0
        # A rep under way at the first frame is measured on its way back, and counts only if its
        # effort was seen: the return of a squat, or enough of the lift before the turn.
        low_x = x if rep.pre_started else rep.start_x
        lift_unseen = d.effort == "away" and rep.peak_t - rep.start_t < PRE_TURN_S
        if travelled > REP_MAX_TRAVEL_TORSO:
            self._abandon(t, "walking", events)  # a stride, not an exercise
        elif rep.pre_started and (lift_unseen or t - rep.start_t < ARM_WATCH_S):
            self._abandon(t, "started_before_clip", events)
        elif rep.peak_x - low_x < d.min_range_deg or (
            d.min_peak_deg is not None and d.direction * (rep.peak_v - d.min_peak_deg) < 0
        ):
            self._abandon(t, "too_small", events)
        elif duration < d.min_rep_s:
            self._abandon(t, "too_short", events)
        else:
            for rule in d.rules:
                if rule.aggregate != "peak" or rep.rule_frames.get(rule.code, 0) < 3:
                    continue
                best = rep.rule_best[rule.code]
                if (best < rule.limit) if rule.fault_if == "below" else (best > rule.limit):
                    self._raise(rep, rule.code, rule.cue, t, events)
            if d.has_hold and rep.best_hold < d.hold_target_s - d.hold_tolerance_s:
                self._raise(rep, "hold_short", d.cues.hold_short, t, events)
            # Tempo of the movement itself: a 5 s hold must not hide a rushed lift and lowering.
            moving_s = duration - (rep.best_hold if d.has_hold else 0.0)
            if d.too_fast_s is not None and moving_s < d.too_fast_s:
                self._raise(rep, "too_fast", d.cues.too_fast, t, events)
            self.reps += 1
            if self.reps_by_side is not None and side is not None:
                self.reps_by_side[side] += 1
            record = RepRecord(
                index=rep.index, side=side, start_s=_r(rep.start_t), end_s=_r(t), peak_angle_deg=_r(rep.peak_v, 1),
                hold_s=_r(rep.best_hold) if d.has_hold else None, faults=list(rep.faults),
            )
            self.reps_detail.append(record)
            for code in rep.faults:
                self.faults.append(FaultRecord(code, rep.index, _r(rep.fault_t[code]), self._cue(code)))
            events.append(RepCompleted(
                _r(t), rep.index, side, self.reps,
                dict(self.reps_by_side) if self.reps_by_side is not None else None, record, d.cues.rep_done,
            ))
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
        if self.defn.has_hold and self.defn.mode == "reps":
            self._close_hold(rep, t, events)
        side = self._rep_side(rep) if self.defn.unilateral else None
        record = PartialRecord(side, _r(rep.start_t), _r(t), _r(rep.peak_v, 1), reason, list(rep.faults))
        self.partial_reps.append(record)
        events.append(PartialRep(_r(t), record))
        self._rep = None
        self.reader.side_locked = False
        self._phase = "rest" if reason in ("too_small", "too_short") else "setup"
        self._trough = None

    def _close_excursion(self, t: float, enter: float, exit_: float, events: list[Event]) -> None:
        exc = self._exc
        self._exc = None
        if exc is None or self._phase != "rest":
            return
        # A third of the way from the exit to the enter threshold: clear of rest-time jitter.
        if exc.peak_x >= exit_ + PARTIAL_FRAC * (enter - exit_) and t - exc.start_t >= self.defn.min_rep_s:
            record = PartialRecord(exc.side, _r(exc.start_t), _r(t), _r(exc.peak_v, 1), "too_small", [])
            self.partial_reps.append(record)
            events.append(PartialRep(_r(t), record))

    # ------------------------------------------------------------------ guided hold (glute squeeze)

    def _posture_ok(self, reading: Reading) -> bool:
        if reading.hard_status is not None or self._status is not None or reading.best_side is None:
            return False
        side = reading.best_side
        knee = self.reader.measure("knee_angle_raw", side)
        hip = reading.signal.get(side, NAN)
        self._value, self._value_side = hip, side
        lo, hi = self.defn.posture_ok
        # Hips must stay down: a bridge is not a squeeze.
        return lo <= knee <= hi and hip < GLUTE_BRIDGE_UP_DEG

    def _step_guided(self, reading: Reading, t: float, events: list[Event]) -> None:
        d = self.defn
        ok = self._posture_ok(reading)
        if ok:
            self._broken_since = None
        elif self._broken_since is None:
            self._broken_since = t
        broken = not ok and t - self._broken_since > POSTURE_GRACE_S
        if self._phase == "setup":
            self._posture_since = (self._posture_since or t) if ok else None
            if ok and t - self._posture_since >= POSTURE_SETTLE_S:
                self._start_hold(t, events)
        elif self._phase == "active":
            rep = self._rep
            assert rep is not None
            if broken:
                run = max(0.0, self._broken_since - rep.enter_t)
                events.append(HoldBroken(_r(t), rep.index, _r(run), d.hold_target_s, d.cues.hold_broken))
                rep.best_hold = run
                self._abandon(t, "hold_broken", events)
                self._phase = "setup"
                self._posture_since = None
            else:
                rep.best_hold = t - rep.enter_t
                if rep.best_hold >= d.hold_target_s:
                    events.append(HoldReached(_r(t), rep.index, _r(rep.best_hold), d.cues.hold_reached))
                    self.reps += 1
                    record = RepRecord(rep.index, None, _r(rep.start_t), _r(t), None, _r(rep.best_hold), [])
                    self.reps_detail.append(record)
                    events.append(RepCompleted(_r(t), rep.index, None, self.reps, None, record, d.cues.rep_done))
                    self._rep = None
                    self._phase = "relax"
                    self._relax_since = t
        elif self._phase == "relax":
            if broken:
                self._phase = "setup"
                self._posture_since = None
            elif t - self._relax_since >= d.relax_s:
                self._start_hold(t, events)

    def _start_hold(self, t: float, events: list[Event]) -> None:
        self._rep = _Rep(index=self.reps + 1, start_t=t, enter_t=t, side=None, start_x=0.0, peak_x=0.0, peak_v=NAN)
        self._phase = "active"
        events.append(RepStarted(_r(t), self._rep.index, None, self.defn.cues.start))

    # ------------------------------------------------------------------ state

    def _make_state(self, t: float) -> CheckerState:
        d = self.defn
        rep = self._rep
        hold = 0.0
        if rep is not None:
            if d.mode == "guided_hold":
                hold = rep.best_hold
            else:
                hold = rep.live_hold
        side: str | None
        if rep is not None and d.unilateral:
            side = self._rep_side(rep)
        elif not d.unilateral:
            side = self.reader.best_side
        else:
            side = None
        target = rest = None
        if d.mode == "reps":
            ref_side = side if side in SIDES else self._value_side
            if d.relative_to_rest:
                target = self._natural(ref_side, d.enter_deg)
                rest = self._natural(ref_side, d.exit_deg)
            else:
                target, rest = d.enter_deg, d.exit_deg
        return CheckerState(
            t_s=_r(t),
            exercise=d.id,
            phase=self._phase,
            reps=self.reps,
            reps_by_side=dict(self.reps_by_side) if self.reps_by_side is not None else None,
            side=side,
            hold_s=_r(hold),
            hold_target_s=d.hold_target_s,
            angle_deg=_r(self._value, 1),
            target_deg=_r(target, 1) if target is not None else None,
            rest_deg=_r(rest, 1) if rest is not None else None,
            faults=tuple(rep.faults) if rep is not None else (),
            status=self._status,
            status_message=STATUS_MESSAGES.get(self._status, "") if self._status else "",
        )


GLUTE_BRIDGE_UP_DEG = 160.0  # hip angle above which a hook-lying person is bridging, not squeezing
