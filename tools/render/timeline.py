"""A request as time: eased keyframes of motion parameters, each rep's truth, and the clip's time base.

The timeline is a setup period (walking in, or sitting and lying back), then for each rep
``up -> hold -> down -> rest`` towards that rep's peak (a jump squat: down, drive, flight, landing).
The clip's time base maps clip time to timeline time: a start inside rep 1 and at most one hard cut.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .motions import Motion, Params
from .request import Request


@dataclass
class RepTruth:
    index: int
    side: str | None
    start_s: float
    peak_s: float
    end_s: float
    hold_s: float | None
    faults: list[str]


def _rep_sides(req: Request, m: Motion) -> list[str | None]:
    if not m.unilateral:
        return [None] * req.reps
    n = req.reps
    if req.sides in ("left", "right"):
        return [req.sides] * n
    if req.sides == "alternate":
        return ["left" if i % 2 == 0 else "right" for i in range(n)]
    first, second = req.sides.split("-then-")
    return [first] * ((n + 1) // 2) + [second] * (n // 2)


# Jump squat (ballistic): after the bottom, drive up onto the toes and leave the floor.
JUMP_AIR_M = 0.30
_JUMP_PHASES_S = {"drive": 0.32, "rise": 0.22, "fall": 0.22, "land": 0.2, "recover": 0.3}


def _tempo_factors(req: Request) -> list[float]:
    """Per-rep duration factors from tempo_end (a linear ramp) and tempo_jitter (own stream)."""
    n = req.reps
    ramp = [1.0 + (req.tempo_end - 1.0) * (i / (n - 1) if n > 1 else 0.0) for i in range(n)]
    if not req.tempo_jitter:
        return ramp
    # A stream of its own, so the tidy clips' draws (and pixels) stay as they were.
    rng = np.random.default_rng([req.seed, 15])
    return [r * float(rng.uniform(1 - req.tempo_jitter, 1 + req.tempo_jitter)) for r in ramp]


def build_timeline(req: Request, m: Motion) -> tuple[list[tuple[float, Params]], list[RepTruth], float]:
    """Keyframes ``(t_s, params)`` (eased between), the reps' truth, and when the setup ends."""
    neutral = dict(m.neutral)
    start = {k: (0.0 if k in m.constant else v) for k, v in neutral.items()}
    if req.ballistic:
        neutral.update(air=0.0, point=0.0, arm=0.0)
    t = 0.0
    if req.no_setup:
        keys: list[tuple[float, Params]] = [(0.0, {**neutral, "_setup": 0.0})]
    else:
        keys = [(0.0, {**start, "_setup": 1.0})]

    def go(dt: float, params: Params) -> None:
        nonlocal t
        t += dt
        keys.append((t, params))

    if not req.no_setup:
        go(max(req.setup_s, 0.0), {**start, "_setup": 0.0})
        if m.constant:
            go(1.2, {**neutral, "_setup": 0.0})
        go(0.6, {**neutral, "_setup": 0.0})
    setup_end = round(t, 3)
    reps: list[RepTruth] = []
    hold_target = m.hold_s if req.hold_s is None else req.hold_s
    rest = m.rest_s if req.rest_s is None else req.rest_s
    rng = np.random.default_rng(req.seed)
    tempo = _tempo_factors(req)
    for i, side in enumerate(_rep_sides(req, m), start=1):
        faults = frozenset(code for code, which in req.faults.items() if i in which)
        v = req.variation

        def jitter(v: float = v) -> float:
            return float(rng.uniform(1 - v, 1 + v))

        rom = req.rom * float(rng.uniform(1 - v / 2, 1 + v / 3))
        peak = {**neutral, **m.peak(side, faults, rom), "_setup": 0.0}
        speed = (0.3 if "too_fast" in faults else 1.0) * tempo[i - 1]
        up, down = m.up_s * req.tempo * speed * jitter(), m.down_s * req.tempo * speed * jitter()
        hold = None
        if hold_target is not None:
            hold = req.short_hold_s if "hold_short" in faults else hold_target
        start_s = t
        if req.ballistic:
            # Down to the bottom a little quicker than a slow squat, then the jump; ~1.8 s a rep.
            go(up * 0.42, {**peak, "arm": -25.0})
            peak_s = t
            ph = {k: d * req.tempo * speed for k, d in _JUMP_PHASES_S.items()}
            go(ph["drive"], {**neutral, "point": 1.0, "arm": 70.0, "_setup": 0.0})
            go(ph["rise"], {**neutral, "air": JUMP_AIR_M * rom, "point": 1.0, "arm": 80.0, "_setup": 0.0})
            go(ph["fall"], {**neutral, "point": 0.6, "arm": 45.0, "_setup": 0.0})
            go(ph["land"], {**neutral, "depth": 0.3 * peak["depth"], "arm": 10.0, "_setup": 0.0})
            go(ph["recover"], {**neutral, "_setup": 0.0})
        else:
            go(up, peak)
            peak_s = t
            if hold:
                go(hold, peak)
            go(down, {**neutral, "_setup": 0.0})
        reps.append(
            RepTruth(
                i,
                side,
                round(start_s, 3),
                round(peak_s, 3),
                round(t, 3),
                None if hold is None else round(hold, 3),
                sorted(faults),
            )
        )
        go(rest * jitter() * tempo[i - 1], {**neutral, "_setup": 0.0})
    if m.constant:
        go(1.5, {**start, "_setup": 0.0})
    go(req.tail_s, keys[-1][1])
    return keys, reps, setup_end


@dataclass(frozen=True)
class Timebase:
    """Clip time -> timeline time: a start inside rep 1, and at most one hard cut.

    Before ``cut_s`` (clip time) the timeline is at ``t + offset_s``; from it on at
    ``t + offset_s + skip_s``.
    """

    offset_s: float = 0.0
    cut_s: float | None = None
    skip_s: float = 0.0

    def source(self, t: float) -> float:
        if self.cut_s is not None and t >= self.cut_s - 1e-9:
            return t + self.offset_s + self.skip_s
        return t + self.offset_s

    def after_cut(self, t: float) -> bool:
        return self.cut_s is not None and t >= self.cut_s - 1e-9


def clip_timebase(req: Request, reps: list[RepTruth]) -> Timebase:
    first = reps[0]
    offset = first.start_s + req.start_phase * (first.peak_s - first.start_s) if req.no_setup else 0.0
    if req.cut_rep is None:
        return Timebase(round(offset, 4))
    a, b = reps[req.cut_rep - 1], reps[req.cut_rep]
    cut_src = a.start_s + 0.5 * (a.peak_s - a.start_s)  # half-way down
    down_from = b.peak_s + (b.hold_s or 0.0)
    resume_src = down_from + 0.5 * (b.end_s - down_from)  # half-way back up
    return Timebase(round(offset, 4), round(cut_src - offset, 4), round(resume_src - cut_src, 4))


def clip_reps(reps: list[RepTruth], tb: Timebase) -> tuple[list[RepTruth], list[dict]]:
    """The reps as the clip shows them: clip times, a rep started before frame 0 starts at 0, and
    the two reps a cut splits dropped (returned as partial reps, reason ``across_cut``)."""
    out, partial = [], []
    for r in reps:
        if tb.cut_s is not None:
            before = r.end_s - tb.offset_s < tb.cut_s
            after = r.start_s - tb.offset_s - tb.skip_s >= tb.cut_s
            if not (before or after):
                partial.append(
                    {"source_index": r.index, "side": r.side, "reason": "across_cut", "seen_s": _seen_part(r, tb)}
                )
                continue
            shift = tb.offset_s + (tb.skip_s if after else 0.0)
        else:
            shift = tb.offset_s
        out.append(
            dataclasses.replace(
                r,
                index=len(out) + 1,
                start_s=round(max(0.0, r.start_s - shift), 3),
                peak_s=round(max(0.0, r.peak_s - shift), 3),
                end_s=round(r.end_s - shift, 3),
            )
        )
    return out, partial


def _seen_part(r: RepTruth, tb: Timebase) -> list[float]:
    """The clip-time span of a rep split by the cut that is on screen."""
    if r.start_s - tb.offset_s < tb.cut_s:  # the part before the cut
        return [round(max(0.0, r.start_s - tb.offset_s), 3), round(tb.cut_s, 3)]
    return [round(tb.cut_s, 3), round(r.end_s - tb.offset_s - tb.skip_s, 3)]


def params_at(keys: list[tuple[float, Params]], t: float) -> Params:
    if t <= keys[0][0]:
        return dict(keys[0][1])
    for (t0, p0), (t1, p1) in zip(keys, keys[1:]):
        if t <= t1:
            u = 0.0 if t1 <= t0 else (t - t0) / (t1 - t0)
            e = 0.5 - 0.5 * math.cos(math.pi * u)
            return {k: p0.get(k, 0.0) + (p1.get(k, 0.0) - p0.get(k, 0.0)) * e for k in p1}
    return dict(keys[-1][1])
