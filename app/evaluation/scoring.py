"""Scoring analyses against their truth: one clip (:func:`score_clip`), then the metrics over many
(:func:`summarize`). Pure functions of the truth and the :class:`~app.clip_report.ClipReport`.

- hold error = |counted hold_s - true hold_s| over matched reps whose truth has a hold (a matched rep
  with no counted hold counts the whole true hold as the error);
- a reported fault is a true positive when a not-yet-matched truth fault has the same code and the
  two reps overlap in time (the reported rep's span from ``reps_detail``, else its ``t_s``);
- ``rep_timing_rate`` is the share of true rep moments a counted rep took (:mod:`.matching`), and
  counted reps that take none are ``false_reps``;
- a count inside a clip's ``reps_range`` [lo, hi] is exact; outside, the error is the distance to it.

The guided glute squeeze (``mode="guided_hold"``) is a timed squeeze/relax cycle, not a perceived
count: it is left out of the overall metrics and summarised on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.clip_report import ClipReport
from app.evaluation.manifest import ClipTruth
from app.evaluation.matching import Span, match_rep_times, match_reps, overlap, rep_span, truth_span
from exercises.recognition import AUTO
from exercises.registry import get_exercise

log = logging.getLogger(__name__)

Analyze = Callable[[Path, str], ClipReport]  # (video, exercise id) -> the clip's report
Progress = Callable[[int, int, str], None]  # (clip number from 0, clips, clip name)

# Slack for time overlaps: a fault reported at the very end of a rep still belongs to it.
_OVERLAP_SLACK_S = 0.25


@dataclass
class ClipResult:
    name: str
    exercise: str
    true_reps: int
    got_reps: int | None
    reps_range: tuple[int, int] | None = None
    guided: bool = False  # a timed guided cycle, not a perceived count
    side_exact: bool | None = None  # None: not a unilateral clip (or no truth by side)
    hold_errors_s: list[float] = field(default_factory=list)
    fault_tp: int = 0
    fault_fp: int = 0
    fault_fn: int = 0
    missed_faults: list[str] = field(default_factory=list)
    extra_faults: list[str] = field(default_factory=list)
    rep_times: int = 0  # true rep moments scored (0: no timing truth)
    rep_times_matched: int = 0
    false_reps: list[str] = field(default_factory=list)  # "start-end s" of counted reps at no true rep
    missed_rep_times: list[float] = field(default_factory=list)
    error: str | None = None
    recognised_as: str | None = None  # with the exercise recognised: what it was taken for (a routine: "+"-joined)

    @property
    def count_error(self) -> int | None:
        """Counted minus true; with a range, 0 inside it and the distance to it outside."""
        if self.got_reps is None:
            return None
        lo, hi = self.reps_range or (self.true_reps, self.true_reps)
        return self.got_reps - hi if self.got_reps > hi else min(0, self.got_reps - lo)


def is_guided(exercise: str) -> bool:
    """True for a guided exercise (a timed cycle the camera cannot perceive: the glute squeeze)."""
    try:
        return get_exercise(exercise).mode == "guided_hold"
    except ValueError:
        return False


def analysed_as(clip: ClipTruth, recognise: bool) -> str:
    """The exercise a clip is analysed as: ``auto`` when recognising, unless the camera cannot see it."""
    return AUTO if recognise and not is_guided(clip.exercise) else clip.exercise


def _reported_faults(report: ClipReport) -> list[tuple[str, Span | None, float | None]]:
    """(code, rep span, t_s) of each reported fault, once per (code, rep)."""
    reps = {r.index: r for r in report.reps_detail}
    seen, out = set(), []
    for f in report.faults:
        if (f.code, f.rep) in seen:
            continue
        seen.add((f.code, f.rep))
        rep = reps.get(f.rep) if f.rep is not None else None
        out.append((f.code, rep_span(rep) if rep else None, f.t_s))
    for r in reps.values():
        for code in r.faults:
            if (code, r.index) not in seen:
                seen.add((code, r.index))
                out.append((code, rep_span(r), None))
    return out


def _score_faults(res: ClipResult, truth: ClipTruth, report: ClipReport) -> None:
    spans = {r["index"]: truth_span(r) for r in truth.reps_detail}
    truth_faults = [(f["code"], spans.get(f["rep"]), f.get("rep")) for f in truth.faults]
    matched = [False] * len(truth_faults)
    for code, span, t_s in _reported_faults(report):
        pspan = span or ((t_s, t_s) if t_s is not None else None)
        hit = None
        for i, (tcode, tspan, _) in enumerate(truth_faults):
            if matched[i] or tcode != code or tspan is None or pspan is None:
                continue
            if overlap(tspan, pspan, _OVERLAP_SLACK_S) >= 0:
                hit = i
                break
        if hit is None:
            res.fault_fp += 1
            res.extra_faults.append(f"{code}@{pspan[0] if pspan else '?'}s")
        else:
            matched[hit] = True
            res.fault_tp += 1
    for ok, (code, _, rep) in zip(matched, truth_faults):
        if not ok:
            res.fault_fn += 1
            res.missed_faults.append(f"{code}@rep{rep}")


def score_clip(truth: ClipTruth, report: ClipReport, recognised: bool = False) -> ClipResult:
    """Compare one clip's report with its truth (``recognised``: the report named the exercise itself)."""
    res = ClipResult(
        truth.name,
        truth.exercise,
        truth.reps,
        int(report.reps),
        reps_range=truth.reps_range,
        guided=is_guided(truth.exercise),
    )
    if recognised:
        res.recognised_as = "+".join(str(s["exercise"]) for s in report.segments or ()) or report.exercise
    if truth.reps_by_side is not None:
        got_sides = report.reps_by_side or {}
        res.side_exact = all(int(got_sides.get(s) or 0) == int(n) for s, n in truth.reps_by_side.items())
    counted = report.reps_detail
    times = truth.true_times_s
    if times:
        timing = match_rep_times(counted, times)
        res.rep_times, res.rep_times_matched = len(times), timing.matched
        res.false_reps = [f"{counted[k].start_s}-{counted[k].end_s}s" for k in timing.false_reps]
        res.missed_rep_times = list(timing.missed_times)
    if not truth.has_detail:
        return res
    for t, p in match_reps(truth.reps_detail, counted):
        if t.get("hold_s") is not None:
            res.hold_errors_s.append(abs(float(t["hold_s"]) - (0.0 if p.hold_s is None else float(p.hold_s))))
    _score_faults(res, truth, report)
    return res


def evaluate(
    clips: Iterable[ClipTruth], analyze: Analyze, progress: Progress | None = None, recognise: bool = False
) -> list[ClipResult]:
    """Run ``analyze`` on each clip and score it. An analyser error is recorded, not raised.

    ``recognise``: every clip the camera can see is analysed as ``auto`` (the exercise recognised, as a
    person using the app hands-free would have it), and scored on what it was taken for too.
    """
    clips = list(clips)
    out = []
    for i, clip in enumerate(clips):
        if progress:
            progress(i, len(clips), clip.name)
        exercise = analysed_as(clip, recognise)
        try:
            report = analyze(clip.video, exercise)
        except Exception as exc:  # one broken clip must not hide the others' results
            log.warning("%s: analysis failed: %s", clip.name, exc)
            out.append(
                ClipResult(
                    clip.name,
                    clip.exercise,
                    clip.reps,
                    None,
                    reps_range=clip.reps_range,
                    guided=is_guided(clip.exercise),
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
            continue
        out.append(score_clip(clip, report, recognised=exercise == AUTO))
    return out


def _metrics(results: list[ClipResult]) -> dict:
    n = len(results)
    errs = [r.count_error for r in results]
    valid = [e for e in errs if e is not None]
    sided = [r for r in results if r.side_exact is not None]
    holds = [h for r in results for h in r.hold_errors_s]
    tp = sum(r.fault_tp for r in results)
    fp = sum(r.fault_fp for r in results)
    fn = sum(r.fault_fn for r in results)
    timed = [r for r in results if r.rep_times and r.error is None]
    n_times = sum(r.rep_times for r in timed)
    recognising = [r for r in results if r.recognised_as is not None]
    return {
        "clips": n,
        "errors": sum(r.error is not None for r in results),
        "exact_count_rate": sum(e == 0 for e in valid) / n if n else None,
        "within_one_rate": sum(abs(e) <= 1 for e in valid) / n if n else None,
        "off_by_one_rate": sum(abs(e) == 1 for e in valid) / n if n else None,
        "mean_abs_count_error": sum(abs(e) for e in valid) / len(valid) if valid else None,
        "per_side_clips": len(sided),
        "per_side_exact_rate": sum(r.side_exact for r in sided) / len(sided) if sided else None,
        "holds": len(holds),
        "hold_error_mean_s": sum(holds) / len(holds) if holds else None,
        "hold_error_max_s": max(holds) if holds else None,
        "fault_tp": tp,
        "fault_fp": fp,
        "fault_fn": fn,
        "fault_precision": tp / (tp + fp) if tp + fp else None,
        "fault_recall": tp / (tp + fn) if tp + fn else None,
        "timed_clips": len(timed),
        "rep_times": n_times,
        "rep_times_matched": sum(r.rep_times_matched for r in timed),
        "rep_timing_rate": sum(r.rep_times_matched for r in timed) / n_times if n_times else None,
        "false_reps": sum(len(r.false_reps) for r in timed) if timed else None,
        "recognised_clips": len(recognising),
        "recognition_rate": (
            sum(r.recognised_as == r.exercise for r in recognising) / len(recognising) if recognising else None
        ),
    }


def summarize(results: list[ClipResult]) -> dict:
    """Metrics per exercise, overall over the perceived counts, the guided exercise apart, plus every
    clip's result (JSON-ready). ``guided`` is None when no guided clip was scored."""
    by_ex: dict[str, list[ClipResult]] = {}
    for r in results:
        by_ex.setdefault(r.exercise, []).append(r)
    clips = []
    for r in results:
        d = asdict(r)
        d["count_error"] = r.count_error
        clips.append(d)
    guided = [r for r in results if r.guided]
    return {
        "overall": _metrics([r for r in results if not r.guided]),
        "guided": _metrics(guided) if guided else None,
        "per_exercise": {ex: _metrics(rs) for ex, rs in sorted(by_ex.items())},
        "clips": clips,
    }
