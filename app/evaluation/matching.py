"""Lining counted reps up with the true ones in time (``hipcoach eval``).

- a counted rep matches the truth rep it overlaps most in time, each truth rep once (:func:`match_reps`);
- rep timing: each true rep has a moment (``peak_s`` in a generated truth, ``rep_times_s`` for a real
  clip); a counted rep takes a moment inside its [start_s, end_s] (with ``REP_TIME_SLACK_S``), one to
  one (:func:`match_rep_times`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from exercises.events import RepRecord

Span = tuple[float, float]

# Slack for rep timing: a true rep's moment (its peak, or the time a person marked by eye) still
# belongs to a counted rep that starts or ends this close to it.
REP_TIME_SLACK_S = 0.3


def truth_span(rep: dict) -> Span | None:
    """A truth rep's [start_s, end_s]; None when the truth file leaves either out."""
    s, e = rep.get("start_s"), rep.get("end_s")
    if s is None or e is None:
        return None
    return float(s), float(e)


def rep_span(rep: RepRecord) -> Span:
    return float(rep.start_s), float(rep.end_s)


def overlap(a: Span, b: Span, slack: float = 0.0) -> float:
    """How long two spans overlap (negative: the gap between them), each widened by ``slack``."""
    return min(a[1], b[1]) + slack - (max(a[0], b[0]) - slack)


def match_reps(truth: Iterable[dict], counted: Sequence[RepRecord]) -> list[tuple[dict, RepRecord]]:
    """Pairs (truth rep, counted rep), greedily by the largest time overlap; each rep used once."""
    pairs = []
    for t in truth:
        ts = truth_span(t)
        if ts is None:
            continue
        for p in counted:
            ps = rep_span(p)
            if overlap(ts, ps) > 0:
                pairs.append((overlap(ts, ps), t["index"], t, p))
    pairs.sort(key=lambda x: -x[0])
    used_t, used_p, out = set(), set(), []
    for _, ti, t, p in pairs:
        if ti in used_t or id(p) in used_p:
            continue
        used_t.add(ti)
        used_p.add(id(p))
        out.append((t, p))
    return out


@dataclass(frozen=True)
class RepTiming:
    """How counted reps line up with the true reps' moments (one moment per true rep).

    ``pairs`` are (counted rep index in the given list, true time), one-to-one; ``false_reps`` are counted
    reps matched to no true moment; ``merged_reps`` are counted reps whose own span holds two or more true
    moments (two true reps counted as one); ``missed_times`` are true moments no counted rep took.
    """

    pairs: tuple[tuple[int, float], ...]
    false_reps: tuple[int, ...]
    merged_reps: tuple[int, ...]
    missed_times: tuple[float, ...]

    @property
    def matched(self) -> int:
        return len(self.pairs)


def match_rep_times(
    counted: Iterable[RepRecord], true_times_s: Iterable[float], slack_s: float = REP_TIME_SLACK_S
) -> RepTiming:
    """Match counted reps to true rep moments, each used at most once.

    A counted rep may take the moments inside its own span; only when there is none, those within
    ``slack_s`` of it (a peak marked by eye a little after a quick rep ended). The pairing is a maximum
    one-to-one matching, so a right count made of one false rep and one missed rep shows as both.
    """
    reps = [rep_span(r) for r in counted]
    times = sorted(float(t) for t in true_times_s)
    options: list[list[int]] = []
    merged, strict = [], set()
    for k, span in enumerate(reps):
        inside = [j for j, t in enumerate(times) if span[0] <= t <= span[1]]
        if len(inside) > 1:
            merged.append(k)
        if inside:
            strict.add(k)
        options.append(inside or [j for j, t in enumerate(times) if span[0] - slack_s <= t <= span[1] + slack_s])
    owner: dict[int, int] = {}  # time index -> counted rep index

    def augment(k: int, seen: set[int]) -> bool:  # Kuhn's augmenting path; the lists are tiny
        for j in options[k]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = k
                return True
        return False

    # Reps holding a moment in their own span first: a moment inside one rep is never given away to a
    # neighbour that only reaches it through the slack.
    for k in sorted(range(len(reps)), key=lambda k: k not in strict):
        augment(k, set())
    taken = {k: j for j, k in owner.items()}
    return RepTiming(
        pairs=tuple((k, times[taken[k]]) for k in sorted(taken)),
        false_reps=tuple(k for k in range(len(reps)) if k not in taken),
        merged_reps=tuple(merged),
        missed_times=tuple(t for j, t in enumerate(times) if j not in owner),
    )
