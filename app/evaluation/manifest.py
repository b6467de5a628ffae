"""What ``hipcoach eval`` scores against: the manifest, its clips' truth and its thresholds.

A *manifest* (``sample_videos/manifest.json``) lists generated clips with exact truth files and the
thresholds the analyser must meet, ``routines`` (recordings of several exercises in a row, with
their ``routine_thresholds``), and optionally ``report_only`` sets of real clips (``clips.json``
lists: a count or ``reps_range``, and ``rep_times_s``) whose results are printed but never gated.
Unknown keys and list entries in either file are ignored; clip paths are relative to the file's folder.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from app.evaluation.routines import DEFAULT_ROUTINE_THRESHOLDS, RoutineTruth, load_routine

log = logging.getLogger(__name__)

DEFAULT_THRESHOLDS = {
    "within_one_rate": 1.0,
    "exact_count_rate": 0.95,
    "per_side_exact_rate": 0.90,
    "hold_error_max_s": 0.5,
    "fault_precision": 0.90,
    "fault_recall": 0.80,
    "rep_timing_rate": 0.95,
    "recognition_rate": 0.95,  # with --recognise: clips whose exercise was recognised (no data: passes)
}


@dataclass(frozen=True)
class ClipTruth:
    """One labelled clip. ``reps_detail`` and ``faults`` are the truth file's dicts (index, side,
    start_s, end_s, hold_s, faults, peak_s; code, rep, t_s)."""

    name: str
    video: Path
    exercise: str
    reps: int
    reps_by_side: dict | None = None
    reps_detail: tuple[dict, ...] = ()
    faults: tuple[dict, ...] = ()
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
    routines: tuple[RoutineTruth, ...] = ()  # recordings of several exercises in a row
    routine_thresholds: dict = field(default_factory=lambda: dict(DEFAULT_ROUTINE_THRESHOLDS))


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
    routines = [
        load_routine(entry.get("name", Path(entry["video"]).stem), base / entry["video"], base / entry["truth"])
        for entry in data.get("routines", ())
    ]
    return Manifest(
        path,
        tuple(clips),
        {**DEFAULT_THRESHOLDS, **data.get("thresholds", {})},
        tuple(extra),
        {ex: dict(v) for ex, v in per_ex.items()},
        tuple(routines),
        {**DEFAULT_ROUTINE_THRESHOLDS, **data.get("routine_thresholds", {})},
    )
