"""How much MediaPipe's landmarks shake, lag and drop out on real footage, for engine tests.

Generated clips carry exact landmarks; the engine's own tests run on landmark sequences without
video (tests/synthetic_skeleton.py). This module gives those tests numbers measured on real
people, so the noise they add looks like what the pose estimator gives a camera:

- :data:`JITTER_STD` per landmark: the standard deviation of the landmark's image position while
  the person holds still, in units of *body length* (the nose-shoulder-hip-knee-ankle chain in
  pixels, median over the still stretch), x and y pooled.
- :data:`JITTER_AUTOCORR_LAG1`: the frame-to-frame correlation of that jitter (MediaPipe's
  VIDEO mode smooths between frames, so it is not white noise).
- :data:`LAG_FRAMES`: how many frames the estimator's landmarks trail the true motion.
- :data:`NO_POSE_RATE`, :data:`LOW_VISIBILITY_RATE`: frames with no person found, and landmarks
  with visibility below 0.5 in frames with a person.

:func:`add_noise` applies them to a sequence of exact landmarks. ``python -m tools.render.noise``
re-measures (it needs the real clips in ``../shared/clips``, which are never copied into the
project) and prints the table to paste below.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .truth import BLAZEPOSE

# --------------------------------------------------------------------------- measured numbers
# Measured 2026-12-02 with `python -m tools.render.noise` (model "full", VIDEO mode, every frame):
# jitter on the stillest 1.2 s (36 frames) of three real clips in ../shared/clips -- standing idle
# (squat_phone_low_oblique 6.1-7.3 s, squat_front_knees_in 10.2-11.4 s) and holding a bridge
# (bridge_physioplus_side 0.9-2.1 s) --, std after removing a linear drift, in body lengths
# (437-524 px there), x and y pooled, median of the three clips. The hips' centre moved 0.8-1.6 %
# of a body length in those windows, so a little real sway is included.
# Per clip, lag-1 autocorrelation 0.94 / 0.93 / 0.81; low-visibility landmark rate 0.030 / 0 / 0.15.
JITTER_STD: dict[str, float] = {
    "nose": 0.0028,
    "left_eye_inner": 0.0024,
    "left_eye": 0.0024,
    "left_eye_outer": 0.0022,
    "right_eye_inner": 0.0024,
    "right_eye": 0.0024,
    "right_eye_outer": 0.0024,
    "left_ear": 0.0019,
    "right_ear": 0.002,
    "mouth_left": 0.0024,
    "mouth_right": 0.0026,
    "left_shoulder": 0.0018,
    "right_shoulder": 0.0018,
    "left_elbow": 0.004,
    "right_elbow": 0.0032,
    "left_wrist": 0.003,
    "right_wrist": 0.0034,
    "left_pinky": 0.0033,
    "right_pinky": 0.0041,
    "left_index": 0.003,
    "right_index": 0.0042,
    "left_thumb": 0.0028,
    "right_thumb": 0.0057,
    "left_hip": 0.0013,
    "right_hip": 0.0009,
    "left_knee": 0.0023,
    "right_knee": 0.0018,
    "left_ankle": 0.003,
    "right_ankle": 0.0044,
    "left_heel": 0.0012,
    "right_heel": 0.0013,
    "left_foot_index": 0.0017,
    "right_foot_index": 0.0008,
}
JITTER_AUTOCORR_LAG1 = 0.93
# Lag: real clips have no per-frame truth, so it is measured on the generated squat_side_ok.mp4
# against its exact truth (mid-hip height, cross-correlation peak): 0.19 frames at 30 fps.
LAG_FRAMES = 0.19
# Over the whole of the same three clips (1158 frames): no person in 0.77 % / 0 % / 0 % of frames
# (the phone clip, while the camera is picked up); landmarks with visibility < 0.5 in frames with
# a person: 11.2 % / 0 % / 16.9 % (feet and far-side limbs).
NO_POSE_RATE = 0.0026
LOW_VISIBILITY_RATE = 0.0938


@dataclass(frozen=True)
class NoisyLandmarks:
    xy_px: np.ndarray  # (frames, 33, 2); whole rows NaN in frames where "no person" was found
    visibility: np.ndarray  # (frames, 33) in [0, 1]; 0 in frames with no person


def add_noise(xy_px: np.ndarray, rng: np.random.Generator, scale: float = 1.0) -> NoisyLandmarks:
    """Exact landmarks (frames, 33, 2) px -> landmarks shaken, delayed and dropped like MediaPipe's.

    Jitter is AR(1) per coordinate with the measured per-landmark std (times ``scale``) and
    lag-1 correlation, in units of the body length of each frame; the track is delayed by
    :data:`LAG_FRAMES`; whole frames go missing at :data:`NO_POSE_RATE` and single landmarks get
    a low visibility at :data:`LOW_VISIBILITY_RATE` (both independent per frame: real dropouts
    come in short bursts, so this is a mild version).
    """
    xy = np.asarray(xy_px, dtype=np.float64)
    if xy.ndim != 3 or xy.shape[1:] != (len(BLAZEPOSE), 2):
        raise ValueError(f"xy_px must have shape (frames, {len(BLAZEPOSE)}, 2), got {xy.shape}")
    n = len(xy)
    frames = np.arange(n, dtype=np.float64)
    delayed = np.empty_like(xy)
    for k in range(xy.shape[1]):
        for c in range(2):
            delayed[:, k, c] = np.interp(frames - LAG_FRAMES, frames, xy[:, k, c])
    sigma = np.array([JITTER_STD[name] for name in BLAZEPOSE]) * scale
    a = JITTER_AUTOCORR_LAG1
    noise = np.zeros_like(xy)
    shocks = rng.standard_normal(xy.shape)
    noise[0] = shocks[0]
    for i in range(1, n):
        noise[i] = a * noise[i - 1] + np.sqrt(1 - a * a) * shocks[i]
    length = body_length_px(xy)[:, None, None]
    out = delayed + noise * sigma[None, :, None] * length
    visibility = np.where(rng.random(xy.shape[:2]) < LOW_VISIBILITY_RATE, 0.3, 0.95)
    lost = rng.random(n) < NO_POSE_RATE
    out[lost] = np.nan
    visibility[lost] = 0.0
    return NoisyLandmarks(out, visibility)


# --------------------------------------------------------------------------- measuring

# Still stretches of the real clips (by eye, from ../shared/clips/clips.json notes, checked on
# the estimator's output: the body centre moves less than 2 % of the body length in them).
STILL_STRETCHES: dict[str, tuple[float, float]] = {
    "squat_phone_low_oblique.mp4": (3.0, 8.5),  # stands idle before the squats
    "squat_front_knees_in.mp4": (10.1, 11.4),  # stands between the two halves of the set
    "bridge_physioplus_side.mp4": (0.9, 2.1),  # lying, holding the bridge at the top
}
# Generated clip with exact truth, for the lag (real clips have no per-frame truth).
LAG_CLIP = "squat_side_ok.mp4"

WINDOW_S = 1.2
_CHAIN = ("nose", "shoulder", "hip", "knee", "ankle")


def body_length_px(xy: np.ndarray) -> np.ndarray:
    """(frames, 33, 2) -> (frames,): nose -> mid-shoulder -> mid-hip -> mid-knee -> mid-ankle, px.

    A length along the body, so it is the same standing, squatting or lying.
    """
    idx = {n: i for i, n in enumerate(BLAZEPOSE)}
    pts = [xy[:, idx["nose"]]]
    for part in _CHAIN[1:]:
        pts.append((xy[:, idx[f"left_{part}"]] + xy[:, idx[f"right_{part}"]]) / 2)
    return sum(np.linalg.norm(b - a, axis=-1) for a, b in zip(pts, pts[1:]))


def _run_estimator(video: Path, model: str, t0: float = 0.0, t1: float = 1e9):
    """Landmarks (frames, 33, 2) px with NaN where no person, visibility, and frame times (s)."""
    import cv2

    from pose.estimator import PoseEstimator

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    xy, vis, ts = [], [], []
    with PoseEstimator(model, people_check_interval_ms=0) as est:
        i = 0
        while True:
            ok, img = cap.read()
            if not ok:
                break
            t = i / fps
            i += 1
            if t > t1:
                break
            pose = est.detect(img, t * 1000.0)  # every frame, so the tracker runs as in the app
            if t < t0:
                continue
            xy.append(pose.xy_px)
            vis.append(pose.visibility)
            ts.append(t)
    cap.release()
    return np.array(xy), np.array(vis), np.array(ts)


def measure_jitter(video: Path, t0: float, t1: float, model: str = "full") -> dict:
    """Per-landmark jitter over a still stretch, in body lengths, after removing a linear drift."""
    xy, vis, ts = _run_estimator(video, model, max(0.0, t0 - 1.0), t1)
    keep = ts >= t0
    xy, vis, ts = xy[keep], vis[keep], ts[keep]
    found = ~np.isnan(xy[:, 0, 0])
    xy, vis, ts = xy[found], vis[found], ts[found]
    length = float(np.median(body_length_px(xy)))
    # The stillest WINDOW_S inside the stretch (people sway; a phone camera drifts).
    hips = [BLAZEPOSE.index("left_hip"), BLAZEPOSE.index("right_hip")]
    centre = xy[:, hips].mean(axis=1)
    n = max(8, int(round(WINDOW_S / np.median(np.diff(ts)))))
    if len(xy) > n:
        best = min(range(len(xy) - n + 1), key=lambda i: float(np.ptp(centre[i : i + n], axis=0).max()))
        xy, vis, ts = xy[best : best + n], vis[best : best + n], ts[best : best + n]
    # A linear fit per coordinate takes out a slow sway; what is left is the estimator's shake.
    design = np.c_[np.ones_like(ts), ts - ts.mean()]
    flat = xy.reshape(len(xy), -1)
    coef, *_ = np.linalg.lstsq(design, flat, rcond=None)
    resid = (flat - design @ coef).reshape(xy.shape) / length
    std = np.sqrt((resid**2).mean(axis=(0, 2)))
    r = resid.reshape(len(resid), -1)
    ac = float(np.nanmean([np.corrcoef(r[1:, k], r[:-1, k])[0, 1] for k in range(r.shape[1]) if r[:, k].std() > 0]))
    centre = xy[:, [BLAZEPOSE.index("left_hip"), BLAZEPOSE.index("right_hip")]].mean(axis=1)
    drift = float(np.ptp(centre, axis=0).max() / length)
    return {
        "clip": video.name,
        "t0": round(float(ts[0]), 2),
        "t1": round(float(ts[-1]), 2),
        "frames": int(len(xy)),
        "body_length_px": round(length, 1),
        "hip_range_body": round(drift, 4),
        "std_body": dict(zip(BLAZEPOSE, std.round(5).tolist())),
        "autocorr_lag1": round(ac, 3),
        "low_visibility_rate": round(float((vis < 0.5).mean()), 4),
    }


def measure_dropouts(video: Path, model: str = "full") -> dict:
    xy, vis, _ = _run_estimator(video, model)
    found = ~np.isnan(xy[:, 0, 0])
    return {
        "clip": video.name,
        "frames": int(len(xy)),
        "no_pose_rate": round(float(1 - found.mean()), 4),
        "low_visibility_rate": round(float((vis[found] < 0.5).mean()), 4),
    }


def measure_lag(video: Path, truth: Path, model: str = "full") -> dict:
    """Frames by which the estimated mid-hip height trails the truth (cross-correlation peak)."""
    xy, _, _ = _run_estimator(video, model)
    t = json.loads(truth.read_text())
    true = np.array([f["landmarks_px"] for f in t["frames_detail"]])
    hips = [BLAZEPOSE.index("left_hip"), BLAZEPOSE.index("right_hip")]
    est_y, true_y = xy[:, hips, 1].mean(axis=1), true[:, hips, 1].mean(axis=1)
    ok = ~np.isnan(est_y)
    est_y = np.interp(np.arange(len(est_y)), np.flatnonzero(ok), est_y[ok])
    a, b = est_y - est_y.mean(), true_y - true_y.mean()
    lags = np.arange(-6, 7)
    corr = np.array([np.dot(a[max(0, k) : len(a) + min(0, k)], b[max(0, -k) : len(b) - max(0, k)]) for k in lags])
    i = int(np.argmax(corr))
    frac = 0.0
    if 0 < i < len(lags) - 1:  # parabola through the peak and its neighbours
        y0, y1, y2 = corr[i - 1 : i + 2]
        frac = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return {"clip": video.name, "lag_frames": round(float(lags[i] + frac), 2)}


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[2]
    p = argparse.ArgumentParser(prog="python -m tools.render.noise", description="Measure MediaPipe's noise.")
    p.add_argument("--clips", type=Path, default=root.parent / "shared" / "clips")
    p.add_argument("--model", default="full")
    p.add_argument("--json", type=Path, help="also write everything measured here")
    args = p.parse_args(argv)
    if not args.clips.is_dir():
        print(f"error: real clips folder {args.clips} not found", file=sys.stderr)
        return 2
    out = {"jitter": [], "dropouts": [], "lag": None}
    for name, (t0, t1) in STILL_STRETCHES.items():
        out["jitter"].append(measure_jitter(args.clips / name, t0, t1, args.model))
        print(json.dumps({k: v for k, v in out["jitter"][-1].items() if k != "std_body"}), file=sys.stderr)
    for name in STILL_STRETCHES:
        out["dropouts"].append(measure_dropouts(args.clips / name, args.model))
        print(json.dumps(out["dropouts"][-1]), file=sys.stderr)
    sv = root / "sample_videos"
    out["lag"] = measure_lag(sv / LAG_CLIP, (sv / LAG_CLIP).with_suffix(".json"), args.model)
    print(json.dumps(out["lag"]), file=sys.stderr)
    stds = np.array([list(j["std_body"].values()) for j in out["jitter"]])
    out["summary"] = {
        "jitter_std": dict(zip(BLAZEPOSE, np.median(stds, axis=0).round(4).tolist())),
        "autocorr_lag1": round(float(np.median([j["autocorr_lag1"] for j in out["jitter"]])), 2),
        "no_pose_rate": round(float(np.mean([d["no_pose_rate"] for d in out["dropouts"]])), 4),
        "low_visibility_rate": round(float(np.mean([d["low_visibility_rate"] for d in out["dropouts"]])), 4),
        "lag_frames": out["lag"]["lag_frames"],
    }
    print(json.dumps(out["summary"], indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
