"""Developer tool: run MediaPipe once over clips and keep the raw landmarks, so engine changes can
be tried on real footage in seconds instead of minutes.

    python -m tools.pose_cache ../shared/clips/clips.json --out /tmp/pose_cache      # once
    python -m tools.pose_cache ../shared/clips/clips.json --out /tmp/pose_cache --replay

The cache holds the estimator's raw PoseFrames (pickled) and a 32x18 grey thumbnail per frame
(for trying cut detection); it is never committed (the real clips carry no licence).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from app.clip_report import ClipReport
from pose.scene_cut import CHANGED_LEVELS, CUT_FRACTION


def cache_clip(video: Path, out: Path, model: str) -> None:
    import cv2

    from pose.estimator import PoseEstimator
    from pose.sources import file_frames

    frames, thumbs = [], []
    with PoseEstimator(model) as estimator:
        for vf in file_frames(str(video)):
            frames.append(estimator.detect(vf.image_bgr, vf.timestamp_ms, vf.image_rgb))
            grey = cv2.cvtColor(vf.image_bgr, cv2.COLOR_BGR2GRAY)
            thumbs.append(cv2.resize(grey, (32, 18), interpolation=cv2.INTER_AREA))
    with out.open("wb") as fh:
        pickle.dump({"frames": frames, "thumbs": np.array(thumbs)}, fh)


def replay(cached: Path, exercise: str, model: str = "full") -> ClipReport:
    """The analysis report from cached raw landmarks (the clip's own fps and size are not kept);
    ``exercise`` may be ``auto``, as ``hipcoach analyze --exercise auto``."""
    from app.clip_report import checker_report
    from app.recognised_report import ClipFacts, recognised_report
    from exercises.checker import ExerciseChecker
    from exercises.recognition import AUTO, Recogniser
    from pose.filtering import PoseFilter

    data = pickle.loads(cached.read_bytes())
    pose_filter = PoseFilter()
    checker = Recogniser() if exercise == AUTO else ExerciseChecker(exercise)
    thumbs = data["thumbs"].astype(np.float32)
    for k, raw in enumerate(data["frames"]):
        if k and not raw.scene_cut:  # older caches: the cut from the kept thumbnails
            changed = np.abs(thumbs[k] - thumbs[k - 1]) > CHANGED_LEVELS
            raw = dataclasses.replace(raw, scene_cut=bool(changed.mean() > CUT_FRACTION))
        checker.update(pose_filter.apply(raw))
    checker.finish()
    frames = data["frames"]
    times_ms = [f.timestamp_ms for f in frames]
    # As the analysis counts it: the last frame lasts one frame period too.
    period_ms = (times_ms[-1] - times_ms[0]) / (len(times_ms) - 1) if len(times_ms) > 1 else 0.0
    clip = ClipFacts(
        video=str(cached),
        model=model,
        duration_s=(times_ms[-1] - times_ms[0] + period_ms) / 1000.0 if times_ms else 0.0,
        frames=len(frames),
        frames_with_pose=sum(f.has_pose for f in frames),
    )
    if isinstance(checker, Recogniser):
        return recognised_report(checker, clip, times_ms[0] / 1000.0 if times_ms else 0.0)
    return checker_report(checker, exercise=exercise, **clip.fields())


def _timing(report: ClipReport, times: list[float], slack_s: float = 0.3) -> str:
    marks = []
    for r in report.reps_detail:
        hits = [t for t in times if r.start_s - slack_s <= t <= r.end_s + slack_s]
        marks.append(f"{r.start_s:.1f}-{r.end_s:.1f}{'' if len(hits) == 1 else '!' + str(len(hits))}")
    return " ".join(marks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips_json", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pose_cache"))
    parser.add_argument("--model", default="full")
    parser.add_argument("--replay", action="store_true", help="replay the engine over the cache")
    parser.add_argument("--only", default="", help="substring of the clip file names to use")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    clips = [c for c in json.loads(args.clips_json.read_text()) if args.only in c["file"]]
    ok = 0
    for clip in clips:
        video = args.clips_json.parent / clip["file"]
        cached = args.out / f"{clip['file']}.{args.model}.pkl"
        if not args.replay:
            if not cached.exists():
                print(f"caching {clip['file']}", file=sys.stderr)
                cache_clip(video, cached, args.model)
            continue
        if not cached.exists():
            print(f"--- {clip['file']}: not cached yet")
            continue
        report = replay(cached, clip["exercise"], args.model)
        lo, hi = clip.get("reps_range", [clip["reps"], clip["reps"]])
        times = clip.get("rep_times_s", [])
        good = lo <= report.reps <= hi and "!" not in _timing(report, times) if times else lo <= report.reps <= hi
        ok += good
        partial = ",".join(f"{p.reason}@{p.start_s:.1f}" for p in report.partial_reps)
        status = ",".join(f"{s.code}@{s.start_s:.1f}-{s.end_s}" for s in report.status)
        print(
            f"{'OK ' if good else 'BAD'} {clip['file']:38s} {report.reps:2d} [{lo},{hi}] "
            f"{_timing(report, times) if times else ''} | partial {partial} | status {status}"
        )
    if args.replay:
        print(f"{ok}/{len(clips)} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
