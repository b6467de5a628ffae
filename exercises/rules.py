"""Judges a rep's form: the definition's rules, the hold and the tempo, as faults of the rep."""

from __future__ import annotations

import math
from collections import deque

from exercises.definitions import ExerciseDef
from exercises.events import Event, FaultRaised
from exercises.rounding import rounded_s
from exercises.signals import BodyReader, Reading
from pose.landmarks import Side

RULE_REF_WINDOW_S = 1.0  # relative form rules compare with the best of the last second before a rep
PEAK_MIN_FRAMES = 3  # a peak rule judges a rep only from this many measured frames
NAN = float("nan")


class RuleJudge:
    """Follows the form rules through each rep; ``faults`` (and ``fault_t``) are the current rep's."""

    def __init__(self, defn: ExerciseDef, reader: BodyReader) -> None:
        self.defn = defn
        self.reader = reader
        self._recent: dict[str, deque[tuple[float, float]]] = {}  # rule code -> (t, measure) of the last second at rest
        self.not_judged: list[str] = []  # rules whose body parts are out of the picture this frame
        self.begin_rep(0, None)

    def remember(self, t: float, reading: Reading) -> None:
        """Between reps: keep the last second of the measures that relative rules compare against."""
        side = reading.best_side
        if side is None:
            return
        for rule in self.defn.rules:
            if rule.relative:
                buf = self._recent.setdefault(rule.code, deque())
                v = self.reader.measure(rule.measure, side)
                if math.isfinite(v):
                    buf.append((t, v))
                while buf and buf[0][0] < t - RULE_REF_WINDOW_S:
                    buf.popleft()

    def begin_rep(self, rep_index: int, side: Side | None) -> None:
        """A new rep: its faults start empty; relative rules take their reference now."""
        self.rep_index = rep_index
        self.faults: list[str] = []
        self.fault_t: dict[str, float] = {}
        self._since: dict[str, float | None] = {}  # a sustained rule's fault began
        self._ref: dict[str, float] = {}
        self._best: dict[str, float] = {}  # a peak rule's best value so far
        self._frames: dict[str, int] = {}
        for rule in self.defn.rules:
            self._since[rule.code] = None
            if rule.relative and side is not None:
                # The posture just before the rep: hips sag as the foot leaves the floor, so
                # the value at the start is already part of the fault.
                recent = [v for (_, v) in self._recent.get(rule.code, ())]
                now = self.reader.measure(rule.measure, side)
                pick = max if rule.fault_if == "below" else min
                self._ref[rule.code] = pick(recent + [now]) if recent else now

    def check(self, side: Side | None, lifted: bool, t: float, events: list[Event]) -> None:
        """One frame of the rep: a sustained rule raises its fault once it lasted ``min_duration_s``."""
        if side is None:
            return
        view = self.reader.view
        self.not_judged = [r.code for r in self.defn.rules if r.needs and not self.reader.in_picture(r.needs, side)]
        for rule in self.defn.rules:
            if (
                rule.code in self.faults
                or view not in rule.views
                or (rule.only_when_lifted and not lifted)
                or rule.code in self.not_judged
            ):
                self._since[rule.code] = None
                continue
            m = self.reader.measure(rule.measure, side)
            if rule.relative:
                ref = self._ref.get(rule.code, NAN)
                if not math.isfinite(ref):
                    self._ref[rule.code] = m
                    continue
                m -= ref
            if not math.isfinite(m):
                continue
            if rule.aggregate == "peak":
                best = self._best.get(rule.code)
                better = max if rule.fault_if == "below" else min
                self._best[rule.code] = m if best is None else better(best, m)
                self._frames[rule.code] = self._frames.get(rule.code, 0) + 1
                continue
            bad = m < rule.limit if rule.fault_if == "below" else m > rule.limit
            if not bad:
                self._since[rule.code] = None
                continue
            since = self._since.get(rule.code)
            if since is None:
                self._since[rule.code] = since = t
            if t - since >= rule.min_duration_s:
                self.raise_fault(rule.code, rule.cue, t, events)

    def judge_end(
        self, duration_s: float, hold_s: float, t: float, events: list[Event], ballistic: bool = False
    ) -> None:
        """The rep counts: judge its peaks, its hold (``hold_s``) and its tempo (not for a
        ``ballistic`` rep, a jump, which is quick by nature)."""
        d = self.defn
        for rule in d.rules:
            if rule.aggregate != "peak" or self._frames.get(rule.code, 0) < PEAK_MIN_FRAMES:
                continue
            best = self._best[rule.code]
            if (best < rule.limit) if rule.fault_if == "below" else (best > rule.limit):
                self.raise_fault(rule.code, rule.cue, t, events)
        if d.hold_target_s is not None and hold_s < d.hold_target_s - d.hold_tolerance_s:
            self.raise_fault("hold_short", d.cues.hold_short, t, events)
        # Tempo of the movement itself: a 5 s hold must not hide a rushed lift and lowering.
        moving_s = duration_s - (hold_s if d.has_hold else 0.0)
        if d.too_fast_s is not None and moving_s < d.too_fast_s and not ballistic:
            self.raise_fault("too_fast", d.cues.too_fast, t, events)

    def raise_fault(self, code: str, cue: str, t: float, events: list[Event]) -> None:
        if code in self.faults:
            return
        self.faults.append(code)
        self.fault_t[code] = t
        events.append(FaultRaised(rounded_s(t), code, self.rep_index, cue))

    def cue(self, code: str) -> str:
        """What to say about the fault ``code``."""
        for rule in self.defn.rules:
            if rule.code == code:
                return rule.cue
        return {"hold_short": self.defn.cues.hold_short, "too_fast": self.defn.cues.too_fast}.get(code, "")
