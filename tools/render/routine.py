"""``python -m tools.render.routine OUT.mp4 --part EXERCISE:REPS[,key=value...] ...``: a routine clip.

Several exercises in a row by one person in one room, seen by one fixed camera, with the truth of
each part (its exercise, when it is, its reps) and where one part gives way to the next::

    python -m tools.render.routine out/routine.mp4 --part squat:4 --part glute_bridge:3 \\
        --part bridge_march:4 --look random --seed 5

A part's keys: sides, view, facing, tempo, hold, rest, rom, azimuth, seed and fault=CODE:REP+REP
(repeatable), as the single-clip options of ``python -m tools.render``. Without ``facing`` the
person lies or stands the way that lets them stay where they are (or a seeded way).
Exit status 2 with a one-line message on a bad request.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from .__main__ import parse_look
from .generate import frames
from .motions import FAULT_CODES, MOTIONS
from .request import Look, Request
from .routine_builder import TRANSITIONS, RoutineBuilder, RoutineRequest, transition_kind
from .routine_part import ROUTINE_VIEWS, part_yaw
from .routine_truth import routine_truth
from .truth import BLAZEPOSE
from .video_writer import VideoWriter

PART_KEYS = {
    "sides": ("sides", str),
    "view": ("view", str),
    "facing": ("facing", str),
    "tempo": ("tempo", float),
    "hold": ("hold_s", float),
    "rest": ("rest_s", float),
    "rom": ("rom", float),
    "azimuth": ("camera_azimuth_deg", float),
    "seed": ("seed", int),
}


def parse_part(text: str) -> dict:
    """``squat:4,facing=left,fault=shallow:2+3`` -> Request fields (without look, fps, seed defaults)."""
    head, *items = text.split(",")
    exercise, _, reps = head.partition(":")
    if exercise not in MOTIONS:
        raise ValueError(f"part {text!r}: unknown exercise {exercise!r}; expected one of {', '.join(sorted(MOTIONS))}")
    try:
        fields: dict = {"exercise": exercise, "reps": int(reps) if reps else 4}
    except ValueError:
        raise ValueError(f"part {text!r}: reps must be a whole number, got {reps!r}") from None
    faults: dict[str, tuple[int, ...]] = {}
    for item in items:
        key, _, value = item.partition("=")
        if key == "fault":
            code, _, which = value.partition(":")
            if code not in FAULT_CODES:
                raise ValueError(f"part {text!r}: unknown fault {code!r}; expected one of {', '.join(FAULT_CODES)}")
            try:
                faults[code] = tuple(int(r) for r in which.split("+")) if which else tuple(range(1, fields["reps"] + 1))
            except ValueError:
                raise ValueError(f"part {text!r}: fault reps must be like knee_bent:1+3, got {value!r}") from None
        elif key in PART_KEYS:
            name, kind = PART_KEYS[key]
            try:
                fields[name] = kind(value)
            except ValueError:
                raise ValueError(f"part {text!r}: {key} must be a {kind.__name__}, got {value!r}") from None
        else:
            raise ValueError(f"part {text!r}: unknown key {key!r}; expected one of {', '.join([*PART_KEYS, 'fault'])}")
    if faults:
        fields["faults"] = faults
    return fields


def build_parts(specs: list[dict], look: Look, seed: int, fps: float, transitions: str) -> tuple[Request, ...]:
    """The parts' requests; a part without a facing gets the one that keeps the person in place
    (lying on, rolling over, no turn), else a seeded one. Part k's seed defaults to seed * 100 + k."""
    rng = np.random.default_rng([seed, 12])
    parts: list[Request] = []
    for k, spec in enumerate(specs, start=1):
        spec = {"seed": seed * 100 + k, **spec, "look": look, "fps": fps}
        if "facing" not in spec:
            options = [str(f) for f in rng.permutation(["left", "right"])]
            if parts and transitions != "walk":
                prev = parts[-1]
                here = (MOTIONS[prev.exercise].position, part_yaw(prev, prev.view or MOTIONS[prev.exercise].views[0]))

                def cost(facing: str, spec: dict = spec, here: tuple = here) -> float:
                    req = Request(**{**spec, "facing": facing})
                    there = (MOTIONS[req.exercise].position, part_yaw(req, req.view or MOTIONS[req.exercise].views[0]))
                    if transition_kind(here, there, transitions) in ("floor", "roll"):
                        return -1.0
                    return abs((there[1] - here[1] + 180.0) % 360.0 - 180.0)

                options.sort(key=cost)
            spec["facing"] = options[0]
        parts.append(Request(**spec))
    return tuple(parts)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.render.routine",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("out", type=Path, help="output .mp4; the truth goes to the same name with .json")
    p.add_argument("--truth", type=Path, help="truth JSON path (default: OUT with .json)")
    p.add_argument(
        "--part",
        action="append",
        required=True,
        metavar="EXERCISE:REPS[,key=value...]",
        help=f"a part, in order; keys {', '.join(PART_KEYS)}, fault=CODE:REP+REP; views {', '.join(ROUTINE_VIEWS)}",
    )
    p.add_argument(
        "--transitions",
        choices=TRANSITIONS,
        default="auto",
        help="auto: stay in the room between parts (get up/down, roll over); walk: walk out and back in",
    )
    p.add_argument("--camera-height", type=float, help="m above the floor (default: 1.25 with a feet view, else 1.0)")
    p.add_argument("--camera-distance", type=float, help="m (default: frame every part)")
    p.add_argument("--fov", type=float, default=45.0, help="vertical field of view, deg")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--size", default="480x360", help="WIDTHxHEIGHT")
    p.add_argument("--supersample", type=int, default=2)
    p.add_argument("--look", default="default", help="as python -m tools.render: default, random or key=value,...")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--codec", choices=["auto", "h264", "mp4v"], default="auto")
    p.add_argument("--frames-detail", action="store_true", help="write per-frame landmarks and angles in the truth")
    p.add_argument("--dry-run", action="store_true", help="print the truth's segments and render nothing")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def request_from_args(args: argparse.Namespace) -> RoutineRequest:
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT, got {args.size!r}") from None
    look = parse_look(args.look, args.seed)
    specs = [parse_part(text) for text in args.part]
    req = RoutineRequest(
        parts=build_parts(specs, look, args.seed, args.fps, args.transitions),
        look=look,
        seed=args.seed,
        transitions=args.transitions,
        camera_height_m=args.camera_height,
        camera_distance_m=args.camera_distance,
        fov_y_deg=args.fov,
        fps=args.fps,
        width=width,
        height=height,
        supersample=args.supersample,
    )
    req.validate()
    return req


def render_routine(
    req: RoutineRequest,
    out_mp4: Path,
    truth_path: Path | None = None,
    progress=None,
    codec: str = "auto",
    frames_detail: bool = False,
) -> dict:
    """Render ``req`` to ``out_mp4`` and write its truth JSON (default: same name, ``.json``)."""
    builder = RoutineBuilder(req)
    out_mp4 = Path(out_mp4)
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    truth_path = Path(truth_path) if truth_path else out_mp4.with_suffix(".json")
    writer = VideoWriter(out_mp4, req.fps, req.width, req.height, codec)
    per_frame, empty = [], []
    try:
        for i, (img, info) in enumerate(frames(builder)):
            writer.write(img)
            px = np.array(info["landmarks_px"])
            inside = (px[:, 0] >= 0) & (px[:, 0] < req.width) & (px[:, 1] >= 0) & (px[:, 1] < req.height)
            empty.append(not inside.any())
            if frames_detail:
                del info["landmarks_world_m"]
                info["part"] = builder.part_at(info["t_s"])
                per_frame.append(info)
            if progress:
                progress(i + 1, builder.frames)
    finally:
        writer.close()
    truth = routine_truth(builder)
    # When nobody is in the picture (every landmark outside it): between parts, after walking out.
    truth["nobody_in_picture_s"] = _runs(empty, req.fps)
    truth["video"] = out_mp4.name
    truth["codec"] = writer.codec
    if frames_detail:
        truth["landmark_names"] = list(BLAZEPOSE)
        truth["frames_detail"] = per_frame
    truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return truth


def _runs(flags: list[bool], fps: float) -> list[list[float]]:
    """[start_s, end_s] of each run of true flags (end: the first frame after the run)."""
    out, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append([round(start / fps, 3), round(i / fps, 3)])
            start = None
    return out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:
        req = request_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        truth = routine_truth(RoutineBuilder(req))
        del truth["request"]
        for seg in truth["segments"]:
            del seg["reps_detail"]
        print(json.dumps(truth, indent=1))
        return 0
    t0 = time.perf_counter()

    def progress(i: int, n: int) -> None:
        if not args.quiet and (i % 30 == 0 or i == n):
            print(f"\r{args.out}: frame {i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)

    truth = render_routine(req, args.out, args.truth, progress, args.codec, args.frames_detail)
    dt = time.perf_counter() - t0
    if not args.quiet:
        parts = ", ".join(f"{s['exercise']} x{s['reps']}" for s in truth["segments"])
        print(
            f"{args.out}: {truth['duration_s']:.1f} s, {truth['frames']} frames ({parts}), {dt:.1f} s to render "
            f"({dt / truth['duration_s']:.2f} s per second of clip)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
