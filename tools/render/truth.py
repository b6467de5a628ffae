"""The truth JSON of a clip: what the request asked for, what the clip shows (reps, faults, camera, the
hard cases) and, per frame, where the landmarks are. Its layout is pinned: old truth files stay byte-identical."""

from __future__ import annotations

import dataclasses

import numpy as np

from .posing import ClipBuilder
from .renderer import Camera
from .request import Request
from .rig import rot_y
from .timeline import JUMP_AIR_M

TRUTH_SCHEMA = 1
# BlazePose order (pose/landmarks.py), as names of the figure's anchors.
BLAZEPOSE = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)


def _camera_json(cam: Camera) -> dict:
    return {
        "eye_m": np.round(cam.eye, 3).tolist(),
        "target_m": np.round(cam.target, 3).tolist(),
        "fov_y_deg": cam.fov_y_deg,
    }


# Request fields added for issue 15; left out of a truth's "request" while at their defaults, so
# the truth files of clips rendered before them stay byte-identical.
NEW_REQUEST_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(Request)
    if f.name in ("no_setup", "start_phase", "tempo_jitter", "tempo_end", "ballistic", "cut_rep", "bystander")
}


def request_json(req: Request) -> dict:
    """Every generator parameter of ``req`` as JSON values (see NEW_REQUEST_DEFAULTS)."""
    out = dataclasses.asdict(req)
    out["faults"] = {k: list(v) for k, v in req.faults.items()}
    for key, default in NEW_REQUEST_DEFAULTS.items():
        if out[key] == default:
            del out[key]
    return out


def truth_header(builder: ClipBuilder) -> dict:
    req, m = builder.req, builder.motion
    cam = builder.camera
    reps = [dataclasses.asdict(r) for r in builder.reps]
    by_side = None
    if m.unilateral:
        by_side = {
            "left": sum(r.side == "left" for r in builder.reps),
            "right": sum(r.side == "right" for r in builder.reps),
        }
    near = None
    if builder.view in ("side", "oblique"):
        # The camera sees the side of the body that points at it.
        to_cam = cam.eye - cam.target
        left_axis = rot_y(builder.yaw) @ np.array([1.0, 0.0, 0.0])
        near = "left" if float(np.dot(to_cam, left_axis)) > 0 else "right"
    faults = [{"code": c, "rep": r.index, "t_s": r.peak_s} for r in builder.reps for c in r.faults]
    request = request_json(req)
    return {
        "schema": TRUTH_SCHEMA,
        "generator": "tools.render",
        "exercise": req.exercise,
        "position": m.position,
        "fps": req.fps,
        "frames": builder.frames,
        "width": req.width,
        "height": req.height,
        "duration_s": round(builder.frames / req.fps, 3),
        "camera": {
            "view": builder.view,
            "eye_m": np.round(cam.eye, 3).tolist(),
            "target_m": np.round(cam.target, 3).tolist(),
            "fov_y_deg": cam.fov_y_deg,
            "near_side": near,
        },
        "facing": req.facing,
        "setup_end_s": round(builder.setup_end_s, 3),
        "hold_target_s": m.hold_s,
        "request": request,
        "reps": len(builder.reps),
        "reps_by_side": by_side,
        "reps_detail": reps,
        "faults": faults,
        "landmark_names": list(BLAZEPOSE),
        **_hard_case_truth(builder),
    }


def _hard_case_truth(builder: ClipBuilder) -> dict:
    """Truth only the issue-15 options add (nothing for a tidy clip, so its truth file is unchanged)."""
    req, tb, out = builder.req, builder.timebase, {}
    if req.no_setup:
        # Frame 0 is already in position; with start_phase > 0, inside rep 1 (whose start_s is 0).
        out["starts_mid_rep"] = req.start_phase > 0
        out["start_in_timeline_s"] = tb.offset_s
    if req.ballistic:
        out["jump_air_m"] = JUMP_AIR_M
    if tb.cut_s is not None:
        out["cuts_s"] = [round(tb.cut_s, 3)]
        out["camera_after_cut"] = _camera_json(builder.camera_cut)
        out["partial_reps"] = builder.partial_reps
    if builder.bystander is not None:
        b = builder.bystander
        out["bystander"] = {
            "kind": req.bystander,
            "depth_behind_m": b.DEPTH_M,
            "speed_m_s": b.SPEED_M_S,
            "look": dataclasses.asdict(b.look),
        }
    return out
