"""Which exercise is this? Every exercise's checker follows the same frames, and the evidence decides.

Nothing is lost while it decides: each candidate counts from the first frame, so whichever is chosen has
all its reps. A candidate's evidence is the reps its checker counted whose movement fits the exercise:
the posture (a checker counts nothing in the wrong position; and a starting posture, such as a bridge's
hips up, must hold on both sides, not only on the leg that moves), the joint that moves (the counting
signal) and whether the hips travel in each rep (a squat goes down, a standing leg raise leaves them where they
are: :attr:`ExerciseDef.hips_travel`). Form faults count a little against a candidate: a squat read as a
standing hip flexion bends the knee and leans in every rep. When no candidate leads clearly, the
recogniser says it is unsure instead of guessing.

The glute squeeze cannot be seen (the camera sees someone lying still), so it is never recognised here;
a routine that expects it names it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.events import (
    CheckerStep,
    Event,
    FaultRecord,
    NoteInterval,
    PartialRecord,
    RepRecord,
    StatusInterval,
)
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.vocabulary import MOVEMENT_STATUS_CODES
from pose.frame import PoseFrame
from pose.landmarks import SIDES, landmark_index

AUTO = "auto"  # what a user passes instead of an exercise id
HIPS_TRAVEL_MIN = 0.1  # hips moving this much of the leg's length within a rep travel (squats 0.2-1.4,
# bridges 0.15-0.2, leg raises and swings at most 0.04, measured on the generated and real clips)
POSTURE_HELD_MIN = 0.5  # the starting posture held on both sides for at least this share of a rep
HELD_SET_REPS = 2  # a rep whose span holds this many fitting reps of another exercise is not a rep (see
# :meth:`Recogniser._holds_another_set`)
FAULT_WEIGHT = 0.25  # a form fault takes this much from a rep's evidence
MIN_EVIDENCE = 1.5  # less than this for the leader: not sure yet (about two reps)
MIN_EVIDENCE_AT_END = 0.5  # once the recording has ended, one rep that fits, alone, is enough
MIN_LEAD = 0.34  # the leader must be ahead of the next by this share of its evidence

_HIPS = [landmark_index(n, s) for n in ("hip",) for s in ("left", "right")]
_LEG = [(landmark_index("hip", s), landmark_index("knee", s), landmark_index("ankle", s)) for s in ("left", "right")]


def candidates() -> tuple[ExerciseDef, ...]:
    """The exercises a camera can tell apart: all but the guided holds."""
    return tuple(d for d in map(get_exercise, EXERCISE_IDS) if d.mode == "reps")


@dataclass(frozen=True)
class Recognition:
    """The decision: ``exercise`` (None while unsure), how sure, and every candidate's evidence."""

    exercise: str | None
    confidence: float  # 0..1: the leader's lead over the next candidate, as a share of its evidence
    decided_at_s: float | None  # when the chosen exercise took the lead for good, with two reps of evidence
    evidence: dict[str, float]

    def to_json(self) -> dict[str, object]:
        return {
            "exercise": self.exercise,
            "confidence": round(self.confidence, 2),
            "decided_at_s": None if self.decided_at_s is None else round(self.decided_at_s, 2),
            "evidence": {k: round(v, 2) for k, v in sorted(self.evidence.items(), key=lambda kv: -kv[1])},
        }


class Recogniser:
    """Follows frames like a checker (``update`` / ``finish``) for every candidate exercise at once.

    After the last frame, the report fields (``reps``, ``reps_detail``...) are the chosen exercise's; while
    unsure, the candidate leading so far stands in, so a live view has something to show.
    """

    def __init__(self, definition_for: Callable[[str], ExerciseDef] | None = None) -> None:
        """``definition_for(exercise_id)``: each candidate's definition (a person's own calibration and
        strictness, say); the registry's when not given."""
        definitions = [d if definition_for is None else definition_for(d.id) for d in candidates()]
        for standard, given in zip(candidates(), definitions):
            if given.id != standard.id:
                raise ValueError(f"definition_for({standard.id!r}) gave the definition of {given.id!r}")
        self.checkers = {d.id: ExerciseChecker(d) for d in definitions}
        self.last_steps: dict[str, CheckerStep] = {}  # every candidate's step on the last frame
        self.final_events: dict[str, tuple[Event, ...]] = {}  # every candidate's events from finish()
        self._t: list[float] = []
        self._hip_y: list[float] = []  # the hips' height in the picture (px, down), per frame
        self._leg_px: list[float] = []  # the longer leg's hip-knee-ankle length (px), per frame
        self._posture: dict[str, list[bool]] = {d.id: [] for d in candidates() if d.gates}
        self._fits_rep: dict[tuple[str, int], bool] = {}  # (exercise, rep index): judged once, when counted
        self._evidence_key: tuple[int, ...] = ()
        self._evidence: dict[str, float] = {}
        self._fitting: dict[str, set[int]] = {}  # per exercise, the indices of its reps that fit it
        self._leader: str | None = None
        self._lead_since: float | None = None
        self._final: Recognition | None = None
        self._ended = False

    # ------------------------------------------------------------------ following frames

    def update(self, frame: PoseFrame) -> CheckerStep:
        steps = self.last_steps = {ex: checker.update(frame) for ex, checker in self.checkers.items()}
        self._follow_hips(frame)
        for ex, held in self._posture.items():
            held.append(frame.has_pose and self._gates_hold_both_sides(self.checkers[ex]))
        leader = self._leading()
        if leader != self._leader:
            self._leader, self._lead_since = leader, frame.timestamp_s
        return steps[self._shown()]

    def finish(self) -> None:
        self.final_events = {ex: tuple(checker.finish()) for ex, checker in self.checkers.items()}
        self._ended = True
        self._final = self.recognition()

    @staticmethod
    def _gates_hold_both_sides(checker: ExerciseChecker) -> bool:
        reader = checker.reader
        return all(lo <= reader.measure(m, s) <= hi for m, lo, hi in checker.defn.gates for s in SIDES)

    def _follow_hips(self, frame: PoseFrame) -> None:
        self._t.append(frame.timestamp_s)
        if not frame.has_pose:
            self._hip_y.append(math.nan)
            self._leg_px.append(math.nan)
            return
        xy = frame.xy_px
        self._hip_y.append(float(np.mean(xy[_HIPS, 1])))
        legs = [float(np.hypot(*(xy[h] - xy[k])) + np.hypot(*(xy[k] - xy[a]))) for h, k, a in _LEG]
        self._leg_px.append(max(legs))

    # ------------------------------------------------------------------ evidence

    def evidence(self) -> dict[str, float]:
        """Each candidate's evidence so far: its reps that fit the exercise, less a little per fault."""
        key = tuple(len(c.reps_detail) + len(c.faults) + len(c.status_intervals) for c in self.checkers.values())
        if key == self._evidence_key:
            return self._evidence  # it changes only when a rep is counted (faults come with it) or a status shows
        t, hip_y, legs = np.asarray(self._t), np.asarray(self._hip_y), np.asarray(self._leg_px)
        scale = float(np.nanpercentile(legs, 90)) if np.isfinite(legs).any() else math.nan
        out, self._fitting = {}, {}
        for ex, checker in self.checkers.items():
            fitting = self._fitting[ex] = set()
            for r in checker.reps_detail:
                if self._under_status(checker, r):
                    continue  # the checker itself says it could not judge then (a wrong view, say)
                if (ex, r.index) not in self._fits_rep:
                    held = self._posture.get(ex)
                    self._fits_rep[ex, r.index] = self._fits(checker.defn, r, t, hip_y, scale) and (
                        held is None or self._posture_held(r, t, np.asarray(held))
                    )
                if self._fits_rep[ex, r.index]:
                    fitting.add(r.index)
        first_look = {ex: [r for r in c.reps_detail if r.index in self._fitting[ex]] for ex, c in self.checkers.items()}
        for ex, checker in self.checkers.items():
            kept = [r for r in first_look[ex] if not _holds_another_set(r, ex, first_look)]
            fitting = self._fitting[ex] = {r.index for r in kept}
            faults = sum(1 for f in checker.faults if f.rep in fitting)
            out[ex] = max(0.0, len(fitting) - FAULT_WEIGHT * faults)
        self._evidence_key, self._evidence = key, out
        return out

    def fitting_reps(self) -> list[tuple[str, RepRecord]]:
        """Every candidate's reps that fit its exercise, in time order: the evidence, rep by rep."""
        self.evidence()
        reps = [(ex, r) for ex, c in self.checkers.items() for r in c.reps_detail if r.index in self._fitting[ex]]
        return sorted(reps, key=lambda item: item[1].start_s)

    @staticmethod
    def _fits(d: ExerciseDef, rep: RepRecord, t: np.ndarray, hip_y: np.ndarray, scale: float) -> bool:
        """Whether the hips did in this rep what the exercise does with them (unknown: it fits)."""
        inside = (t >= rep.start_s) & (t <= rep.end_s) & np.isfinite(hip_y)
        if inside.sum() < 3 or not (scale > 0):
            return True
        travel = float(np.ptp(hip_y[inside])) / scale
        return (travel >= HIPS_TRAVEL_MIN) == d.hips_travel

    @staticmethod
    def _under_status(checker: ExerciseChecker, rep: RepRecord) -> bool:
        blocking = (s for s in checker.status_intervals if s.code not in MOVEMENT_STATUS_CODES)
        return any(s.start_s < rep.end_s and rep.start_s < s.end_s for s in blocking)

    @staticmethod
    def _posture_held(rep: RepRecord, t: np.ndarray, held: np.ndarray) -> bool:
        """Whether the starting posture held on both sides during most of the rep (a bridge march
        keeps both hips up; a straight-leg raise beside a bent knee does not)."""
        inside = (t >= rep.start_s) & (t <= rep.end_s)
        return bool(inside.any()) and float(held[inside].mean()) >= POSTURE_HELD_MIN

    def recognition(self) -> Recognition:
        """The decision on what has been seen so far."""
        if self._final is not None:
            return self._final
        ev = self.evidence()
        ranked = sorted(ev, key=lambda ex: -ev[ex])
        best = ranked[0]
        second = ev[ranked[1]] if len(ranked) > 1 else 0.0
        lead = (ev[best] - second) / ev[best] if ev[best] > 0 else 0.0
        needed = MIN_EVIDENCE_AT_END if self._ended else MIN_EVIDENCE
        sure = ev[best] >= needed and lead >= MIN_LEAD
        decided = self._lead_since if sure and best == self._leader else None
        return Recognition(best if sure else None, lead, decided, ev)

    def _leading(self) -> str | None:
        ev = self.evidence()
        best = max(ev, key=lambda ex: ev[ex])
        return best if ev[best] > 0 else None

    def _shown(self) -> str:
        """The candidate whose state stands for the recogniser now."""
        if self._final is not None and self._final.exercise is not None:
            return self._final.exercise
        return self._leader or next(iter(self.checkers))

    # ------------------------------------------------------------------ the chosen checker's report

    @property
    def chosen(self) -> ExerciseChecker:
        return self.checkers[self._shown()]

    @property
    def defn(self) -> ExerciseDef:
        return self.chosen.defn

    @property
    def reps(self) -> int:
        return self.chosen.reps

    @property
    def reps_by_side(self) -> dict[str, int] | None:
        return self.chosen.reps_by_side

    @property
    def reps_detail(self) -> list[RepRecord]:
        return self.chosen.reps_detail

    @property
    def faults(self) -> list[FaultRecord]:
        return self.chosen.faults

    @property
    def status_intervals(self) -> list[StatusInterval]:
        return self.chosen.status_intervals

    @property
    def partial_reps(self) -> list[PartialRecord]:
        return self.chosen.partial_reps

    @property
    def notes(self) -> list[NoteInterval]:
        return self.chosen.notes


def _holds_another_set(rep: RepRecord, exercise: str, fitting: dict[str, list[RepRecord]]) -> bool:
    """Whether this rep's span holds a run of fitting reps of another exercise: then it was getting down
    to, and up from, that set (a slow "squat" around a set of leg raises on the floor), or the posture
    another exercise's reps happen in (a bridge held through a march), not a rep of its own."""
    for other, reps in fitting.items():
        inside = [r for r in reps if rep.start_s <= r.start_s and r.end_s <= rep.end_s]
        if other != exercise and len(inside) >= HELD_SET_REPS:
            return True
    return False
