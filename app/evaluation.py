"""Accuracy of the analyser over labelled clips: counts, sides, holds and faults. Imports no Qt.

A *manifest* (``sample_videos/manifest.json``) lists generated clips with exact truth files and
the thresholds ``hipcoach eval`` must meet, and optionally ``report_only`` sets of real clips
(``clips.json`` lists: a count or ``reps_range``, and ``rep_times_s``) whose results are printed but
never gated. Unknown keys and lists in either file are ignored.

The guided glute squeeze (``mode="guided_hold"``) is a timed squeeze/relax cycle, not a perceived
count: it is left out of the overall rates, reported on its own line and gated only by its own
per-exercise thresholds.

Everything here is a pure function of the manifest and an ``analyze(video_path, exercise_id)``
callable returning the ``analyze --json`` dict (PRODUCT.md), so tests pass fake analysers.

Matching rules:
- a predicted rep matches the truth rep it overlaps most in time (each truth rep once);
- hold error = |predicted hold_s - true hold_s| over matched reps whose truth has a hold (a
  matched rep with no predicted hold counts the whole true hold as the error);
- a predicted fault is a true positive when a not-yet-matched truth fault has the same code and
  the two reps overlap in time (the predicted rep's span from ``reps_detail``, else its ``t_s``);
- rep timing: each true rep has a moment (``peak_s`` in a generated truth, ``rep_times_s`` for a real
  clip); a counted rep takes a moment inside its [start_s, end_s] (with ``REP_TIME_SLACK_S``), one to
  one (:func:`match_rep_times`); ``rep_timing_rate`` is the share of true moments taken, and counted
  reps that take none are ``false_reps``;
- a count inside a clip's ``reps_range`` [lo, hi] is exact; outside, the error is the distance to it.

Thresholds: ``thresholds`` gate the overall (perceived) metrics; ``exercise_thresholds``
({exercise id or "*": {key: value}}) gate each exercise's own metrics ("*" applies to every exercise,
an exercise's own entry overrides it key by key).
"""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

Analyze = Callable[[Path, str], dict]

DEFAULT_THRESHOLDS = {
    "within_one_rate": 1.0,
    "exact_count_rate": 0.95,
    "per_side_exact_rate": 0.90,
    "hold_error_max_s": 0.5,
    "fault_precision": 0.90,
    "fault_recall": 0.80,
    "rep_timing_rate": 0.95,
}
# Threshold keys where the measured value must stay at or below the threshold.
_UPPER_BOUNDS = {"hold_error_max_s", "mean_abs_count_error", "false_reps_max"}
# Threshold keys named apart from the metric they bound.
_METRIC_OF = {"false_reps_max": "false_reps"}
# Slack for time overlaps: a fault reported at the very end of a rep still belongs to it.
_OVERLAP_SLACK_S = 0.25


@dataclass(frozen=True)
class ClipTruth:
    name: str
    video: Path
    exercise: str
    reps: int
    reps_by_side: dict | None = None
    reps_detail: tuple[dict, ...] = ()  # index, side, start_s, end_s, hold_s, faults
    faults: tuple[dict, ...] = ()  # code, rep, t_s
    has_detail: bool = True  # False for real clips known only by their count
    reps_range: tuple[int, int] | None = None  # any count in [lo, hi] is right (real clips)
    rep_times_s: tuple[float, ...] = ()  # the true reps' moments when there is no detail

    @property
    def true_times_s(self) -> tuple[float, ...]:
        """One moment per true rep: ``rep_times_s``, else each detailed rep's ``peak_s`` (all or none)."""
        if self.rep_times_s:
            return self.rep_times_s
        peaks = [r.get("peak_s") for r in self.reps_detail]
        return tuple(float(p) for p in peaks) if peaks and None not in peaks else ()


@dataclass(frozen=True)
class Manifest:
    path: Path
    clips: tuple[ClipTruth, ...]
    thresholds: dict
    report_only: tuple[tuple[str, tuple[ClipTruth, ...]], ...] = ()
    exercise_thresholds: dict = field(default_factory=dict)  # exercise id or "*" -> thresholds


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

    @property
    def count_error(self) -> int | None:
        """Counted minus true; with a range, 0 inside it and the distance to it outside."""
        if self.got_reps is None:
            return None
        lo, hi = self.reps_range or (self.true_reps, self.true_reps)
        return self.got_reps - hi if self.got_reps > hi else min(0, self.got_reps - lo)


# --------------------------------------------------------------------------- loading


def _truth_from_file(name: str, video: Path, truth_path: Path) -> ClipTruth:
    t = json.loads(truth_path.read_text())
    return ClipTruth(
        name=name,
        video=video,
        exercise=t["exercise"],
        reps=int(t["reps"]),
        reps_by_side=t.get("reps_by_side"),
        reps_detail=tuple(t.get("reps_detail", ())),
        faults=tuple(t.get("faults", ())),
    )


def _count_truth(name: str, video: Path, entry: dict) -> ClipTruth:
    """A clip known by its count (or ``reps_range``) and optionally ``rep_times_s``."""
    rng = entry.get("reps_range")
    reps = entry.get("reps")
    if reps is None:
        reps = rng[1]
    return ClipTruth(
        name=name,
        video=video,
        exercise=entry["exercise"],
        reps=int(reps),
        reps_by_side=entry.get("reps_by_side"),
        has_detail=False,
        reps_range=(int(rng[0]), int(rng[1])) if rng else None,
        rep_times_s=tuple(float(t) for t in entry.get("rep_times_s") or ()),
    )


def load_real_clips(clips_json: str | Path) -> tuple[ClipTruth, ...]:
    """Real clips from a ``clips.json`` list (``file``, ``exercise``, ``reps`` or ``reps_range``,
    optional ``rep_times_s``); entries without a file, exercise or count are skipped."""
    path = Path(clips_json)
    out = []
    for entry in json.loads(path.read_text()):
        if not isinstance(entry, dict) or "file" not in entry or "exercise" not in entry:
            continue
        if entry.get("reps") is None and not entry.get("reps_range"):
            continue
        out.append(_count_truth(Path(entry["file"]).stem, path.parent / entry["file"], entry))
    return tuple(out)


def load_manifest(path: str | Path) -> Manifest:
    """Read a manifest; clip paths are relative to the manifest's folder.

    Raises ``ValueError`` naming the problem for a missing or malformed manifest.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"manifest not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"manifest {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or "clips" not in data:
        raise ValueError(f"manifest {path}: expected an object with a 'clips' list")
    base = path.parent
    clips = []
    for entry in data["clips"]:
        video = base / (entry.get("video") or entry["file"])
        if "truth" in entry:
            clips.append(_truth_from_file(entry.get("name", video.stem), video, base / entry["truth"]))
        else:  # a bare count entry
            clips.append(_count_truth(entry.get("name", video.stem), video, entry))
    extra = []
    for item in data.get("report_only", ()):
        if not isinstance(item, dict) or "clips_json" not in item:
            continue
        src = base / item["clips_json"]
        if src.exists():
            extra.append((item.get("name", src.parent.name), load_real_clips(src)))
        else:
            log.info("report-only set %s not present (%s); skipped", item.get("name"), src)
    per_ex = data.get("exercise_thresholds") or {}
    if not isinstance(per_ex, dict) or not all(isinstance(v, dict) for v in per_ex.values()):
        raise ValueError(f"manifest {path}: 'exercise_thresholds' must map exercise ids to threshold objects")
    return Manifest(
        path,
        tuple(clips),
        {**DEFAULT_THRESHOLDS, **data.get("thresholds", {})},
        tuple(extra),
        {ex: dict(v) for ex, v in per_ex.items()},
    )


# --------------------------------------------------------------------------- scoring one clip


def _span(rep: dict) -> tuple[float, float] | None:
    s, e = rep.get("start_s"), rep.get("end_s")
    if s is None or e is None:
        return None
    return float(s), float(e)


def _overlap(a: tuple[float, float], b: tuple[float, float], slack: float = 0.0) -> float:
    return min(a[1], b[1]) + slack - (max(a[0], b[0]) - slack)


def match_reps(truth: Iterable[dict], predicted: Iterable[dict]) -> list[tuple[dict, dict]]:
    """Pairs (truth rep, predicted rep), greedily by the largest time overlap; each rep used once."""
    pairs = []
    for t in truth:
        ts = _span(t)
        if ts is None:
            continue
        for p in predicted:
            ps = _span(p)
            if ps is not None and _overlap(ts, ps) > 0:
                pairs.append((_overlap(ts, ps), t["index"], p.get("index"), t, p))
    pairs.sort(key=lambda x: -x[0])
    used_t, used_p, out = set(), set(), []
    for _, ti, _pi, t, p in pairs:
        if ti in used_t or id(p) in used_p:
            continue
        used_t.add(ti)
        used_p.add(id(p))
        out.append((t, p))
    return out


# Slack for rep timing: a true rep's moment (its peak, or the time a person marked by eye) still
# belongs to a counted rep that starts or ends this close to it.
REP_TIME_SLACK_S = 0.3


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
    counted: Iterable[dict], true_times_s: Iterable[float], slack_s: float = REP_TIME_SLACK_S
) -> RepTiming:
    """Match counted reps (``start_s``/``end_s``) to true rep moments, each used at most once.

    A counted rep may take the moments inside its own span; only when there is none, those within
    ``slack_s`` of it (a peak marked by eye a little after a quick rep ended). The pairing is a maximum
    one-to-one matching, so a right count made of one false rep and one missed rep shows as both.
    """
    reps = [_span(r) for r in counted]
    times = sorted(float(t) for t in true_times_s)
    options: list[list[int]] = []
    merged, strict = [], set()
    for k, span in enumerate(reps):
        if span is None:
            options.append([])
            continue
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


def _predicted_faults(analysis: dict) -> list[tuple[str, tuple[float, float] | None, float | None]]:
    """(code, rep span, t_s) of each reported fault, once per (code, rep)."""
    reps = {r.get("index"): r for r in analysis.get("reps_detail") or []}
    seen, out = set(), []
    for f in analysis.get("faults") or []:
        key = (f.get("code"), f.get("rep"))
        if key in seen:
            continue
        seen.add(key)
        rep = reps.get(f.get("rep"))
        out.append((f["code"], _span(rep) if rep else None, f.get("t_s")))
    for r in reps.values():
        for code in r.get("faults") or []:
            if (code, r.get("index")) not in seen:
                seen.add((code, r.get("index")))
                out.append((code, _span(r), None))
    return out


def is_guided(exercise: str) -> bool:
    """True for a guided exercise (a timed cycle the camera cannot perceive: the glute squeeze)."""
    from exercises.registry import get_exercise

    try:
        return get_exercise(exercise).mode == "guided_hold"
    except ValueError:
        return False


def score_clip(truth: ClipTruth, analysis: dict) -> ClipResult:
    """Compare one analysis dict with its truth."""
    got = analysis.get("reps")
    res = ClipResult(
        truth.name,
        truth.exercise,
        truth.reps,
        None if got is None else int(got),
        reps_range=truth.reps_range,
        guided=is_guided(truth.exercise),
    )
    if truth.reps_by_side is not None:
        got_sides = analysis.get("reps_by_side") or {}
        res.side_exact = all(int(got_sides.get(s) or 0) == int(n) for s, n in truth.reps_by_side.items())
    predicted = list(analysis.get("reps_detail") or [])
    times = truth.true_times_s
    if times:
        timing = match_rep_times(predicted, times)
        res.rep_times, res.rep_times_matched = len(times), timing.matched
        res.false_reps = [f"{predicted[k].get('start_s')}-{predicted[k].get('end_s')}s" for k in timing.false_reps]
        res.missed_rep_times = list(timing.missed_times)
    if not truth.has_detail:
        return res
    for t, p in match_reps(truth.reps_detail, predicted):
        if t.get("hold_s") is not None:
            got_hold = p.get("hold_s")
            res.hold_errors_s.append(abs(float(t["hold_s"]) - (0.0 if got_hold is None else float(got_hold))))
    truth_faults = []
    spans = {r["index"]: _span(r) for r in truth.reps_detail}
    for f in truth.faults:
        truth_faults.append((f["code"], spans.get(f["rep"]), f.get("rep")))
    matched = [False] * len(truth_faults)
    for code, span, t_s in _predicted_faults(analysis):
        pspan = span or ((t_s, t_s) if t_s is not None else None)
        hit = None
        for i, (tcode, tspan, _) in enumerate(truth_faults):
            if matched[i] or tcode != code or tspan is None or pspan is None:
                continue
            if _overlap(tspan, pspan, _OVERLAP_SLACK_S) >= 0:
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
    return res


def evaluate(
    clips: Iterable[ClipTruth], analyze: Analyze, progress: Callable[[int, int, str], None] | None = None
) -> list[ClipResult]:
    """Run ``analyze`` on each clip and score it. An analyser error is recorded, not raised."""
    clips = list(clips)
    out = []
    for i, clip in enumerate(clips):
        if progress:
            progress(i, len(clips), clip.name)
        try:
            analysis = analyze(clip.video, clip.exercise)
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
        out.append(score_clip(clip, analysis))
    return out


# --------------------------------------------------------------------------- summaries


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


def _gate(metrics: dict, thresholds: dict, prefix: str = "") -> list[str]:
    failures = []
    if metrics.get("errors"):
        failures.append(f"{prefix}{metrics['errors']} clip(s) could not be analysed")
    for key, limit in thresholds.items():
        value = metrics.get(_METRIC_OF.get(key, key))
        if value is None or limit is None:
            continue
        if key in _UPPER_BOUNDS:
            if value > limit + 1e-9:
                failures.append(f"{prefix}{key} = {_num(value)}, expected at most {limit}")
        elif value < limit - 1e-9:
            failures.append(f"{prefix}{key} = {_num(value)}, expected at least {limit}")
    return failures


def _num(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def exercise_gates(exercise: str, exercise_thresholds: dict | None) -> dict:
    """The thresholds one exercise's own metrics must meet: ``"*"`` overridden by its own entry."""
    per_ex = exercise_thresholds or {}
    return {**per_ex.get("*", {}), **per_ex.get(exercise, {})}


def check_thresholds(summary: dict, thresholds: dict, exercise_thresholds: dict | None = None) -> list[str]:
    """One line per gate missed (empty: all met). A metric with no data passes.

    ``thresholds`` gate the overall perceived metrics (the guided exercise is not in them);
    ``exercise_thresholds`` gate each exercise's own metrics, the guided one included.
    """
    failures = _gate(summary["overall"], thresholds)
    guided = summary.get("guided")
    if guided and guided.get("errors"):
        failures.append(f"guided: {guided['errors']} clip(s) could not be analysed")
    for ex, metrics in summary["per_exercise"].items():
        gates = exercise_gates(ex, exercise_thresholds)
        if gates:
            failures += [f for f in _gate(metrics, gates, f"{ex}: ") if "could not be analysed" not in f]
    return failures


def _fmt(value, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if pct:
        return f"{100 * value:.0f}%"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def format_table(summary: dict, title: str = "", per_clip: bool = True) -> str:
    """The summary as a plain-text table: one line per perceived exercise, overall; the guided
    exercise on its own line below; then the misses clip by clip."""
    cols = (
        "exercise",
        "clips",
        "exact",
        "±1",
        "MAE",
        "sides",
        "hold max s",
        "fault P",
        "fault R",
        "timing",
        "false reps",
    )

    def row(name: str, m: dict) -> tuple[str, ...]:
        return (
            name,
            str(m["clips"]),
            _fmt(m["exact_count_rate"], True),
            _fmt(m["within_one_rate"], True),
            _fmt(m["mean_abs_count_error"]),
            _fmt(m["per_side_exact_rate"], True),
            _fmt(m["hold_error_max_s"]),
            _fmt(m["fault_precision"]),
            _fmt(m["fault_recall"]),
            _fmt(m["rep_timing_rate"], True),
            _fmt(m["false_reps"]),
        )

    guided_ids = {c["exercise"] for c in summary["clips"] if c.get("guided")}
    rows = [row(ex, m) for ex, m in summary["per_exercise"].items() if ex not in guided_ids]
    overall = row("overall (perceived)", summary["overall"])
    guided = [row(ex, m) for ex, m in summary["per_exercise"].items() if ex in guided_ids]
    widths = [max(len(c), *(len(r[i]) for r in [*rows, overall, *guided])) for i, c in enumerate(cols)]
    line = lambda r: "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths)))  # noqa: E731
    rule = line(tuple("-" * w for w in widths))
    out = [title] if title else []
    out += [line(cols), rule, *(line(r) for r in rows), rule, line(overall)]
    for r in guided:
        out.append(line(r) + "   <- guided squeeze/relax cycles: timed, not seen; not in overall")
    if per_clip:
        for c in summary["clips"]:
            notes = []
            if c["error"]:
                notes.append(c["error"])
            elif c["count_error"]:
                lo, hi = c["reps_range"] or (c["true_reps"], c["true_reps"])
                notes.append(f"reps {c['got_reps']} vs {lo if lo == hi else f'{lo}-{hi}'}")
            if c["false_reps"]:
                notes.append("false reps at " + ", ".join(c["false_reps"]))
            if c["missed_rep_times"]:
                notes.append("no counted rep at " + ", ".join(f"{t:g}s" for t in c["missed_rep_times"]))
            if c["side_exact"] is False:
                notes.append("side counts differ")
            if c["missed_faults"]:
                notes.append("missed " + ", ".join(c["missed_faults"]))
            if c["extra_faults"]:
                notes.append("extra " + ", ".join(c["extra_faults"]))
            big = [h for h in c["hold_errors_s"] if h > 0.5]
            if big:
                notes.append("hold off by " + ", ".join(f"{h:.1f}s" for h in big))
            if notes:
                out.append(f"  {c['name']}: " + "; ".join(notes))
    return "\n".join(out)


def evaluate_manifest(
    manifest: Manifest, analyze: Analyze, progress: Callable[[int, int, str], None] | None = None
) -> dict:
    """Gated results on the manifest's clips and report-only results on its real sets."""
    summary = summarize(evaluate(manifest.clips, analyze, progress))
    result = {
        "manifest": str(manifest.path),
        "thresholds": manifest.thresholds,
        "exercise_thresholds": manifest.exercise_thresholds,
        "summary": summary,
        "failures": check_thresholds(summary, manifest.thresholds, manifest.exercise_thresholds),
        "report_only": {},
    }
    for name, clips in manifest.report_only:
        result["report_only"][name] = summarize(evaluate(clips, analyze, progress))
    return result


def format_report(result: dict) -> str:
    parts = [format_table(result["summary"], f"Generated clips ({result['manifest']})")]
    for name, summary in result["report_only"].items():
        parts.append(format_table(summary, f"Report only: {name}"))
    if result["failures"]:
        parts.append("FAILED thresholds:\n" + "\n".join(f"  {f}" for f in result["failures"]))
    else:
        parts.append("All thresholds met.")
    return "\n\n".join(parts)


def run_manifest_cli(manifest_path: str, model: str = "full", json_path: str | None = None) -> int:
    """``hipcoach eval``: print the table (or JSON), exit 1 below the thresholds, 2 on bad input."""
    from app.analysis import analyze_clip

    try:
        manifest = load_manifest(manifest_path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = [str(c.video) for c in manifest.clips if not Path(c.video).exists()]
    if missing:
        print(f"error: {len(missing)} clip(s) in the manifest are missing, first: {missing[0]}", file=sys.stderr)
        return 2

    def progress(i: int, n: int, name: str) -> None:
        if json_path != "-":
            print(f"\r[{i + 1}/{n}] {name:<40}", end="", file=sys.stderr, flush=True)

    result = evaluate_manifest(manifest, lambda video, ex: analyze_clip(video, ex, model), progress)
    if json_path != "-":
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
        print(format_report(result))
    if json_path:
        text = json.dumps(result, indent=1)
        if json_path == "-":
            print(text)
        else:
            Path(json_path).write_text(text + "\n")
    return 1 if result["failures"] else 0
