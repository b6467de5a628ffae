"""The truth JSON of a routine clip: its parts as segments (exercise, view, when the part and its reps
are, each rep as a single clip's truth has it but in clip time) and where one part gives way to the
next (half-way between the sets)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .routine_builder import RoutineBuilder, RoutineRequest
from .truth import TRUTH_SCHEMA, request_json


def routine_request_json(req: RoutineRequest) -> dict:
    """Every generator parameter of the routine and of its parts."""
    out = {f.name: getattr(req, f.name) for f in dataclasses.fields(req) if f.name not in ("parts", "look")}
    out["look"] = dataclasses.asdict(req.look)
    out["parts"] = [request_json(p) for p in req.parts]
    return out


def segment_json(builder: RoutineBuilder, k: int, duration_s: float) -> dict:
    part = builder.parts[k]
    m, start = part.motion, builder.starts_s[k]
    end = builder.starts_s[k + 1] if k + 1 < len(builder.parts) else duration_s
    reps = [
        dataclasses.asdict(
            dataclasses.replace(
                r,
                start_s=round(r.start_s + start, 3),
                peak_s=round(r.peak_s + start, 3),
                end_s=round(r.end_s + start, 3),
            )
        )
        for r in part.reps
    ]
    by_side = None
    if m.unilateral:
        by_side = {side: sum(r["side"] == side for r in reps) for side in ("left", "right")}
    return {
        "exercise": part.req.exercise,
        "view": part.view,
        "facing": part.req.facing,
        "hold_target_s": m.hold_s if part.req.hold_s is None else part.req.hold_s,
        "start_s": round(start, 3),
        "end_s": round(end, 3),
        "reps_start_s": reps[0]["start_s"],
        "reps_end_s": reps[-1]["end_s"],
        "reps": len(reps),
        "reps_by_side": by_side,
        "reps_detail": reps,
    }


def routine_truth(builder: RoutineBuilder) -> dict:
    """The routine's truth (no per-frame detail: :func:`routine.render_routine` adds it)."""
    req, cam = builder.req, builder.camera
    duration_s = round(builder.frames / req.fps, 3)
    segments = [segment_json(builder, k, duration_s) for k in range(len(builder.parts))]
    boundaries = [round((a["reps_end_s"] + b["reps_start_s"]) / 2, 3) for a, b in zip(segments, segments[1:])]
    return {
        "schema": TRUTH_SCHEMA,
        "kind": "routine",
        "generator": "tools.render.routine",
        "fps": req.fps,
        "frames": builder.frames,
        "width": req.width,
        "height": req.height,
        "duration_s": duration_s,
        "camera": {
            "eye_m": np.round(cam.eye, 3).tolist(),
            "target_m": np.round(cam.target, 3).tolist(),
            "fov_y_deg": cam.fov_y_deg,
        },
        "request": routine_request_json(req),
        "reps": sum(s["reps"] for s in segments),
        "segments": segments,
        "boundaries_s": boundaries,
        # How each part after the first is reached: outside (walks out and in), stand (gets up if
        # lying, turns, gets down if the next one lies), floor (changes posture lying) or roll.
        "transitions": builder.kinds[1:],
    }
