"""``python -m tools.render EXERCISE OUT.mp4 [options]``: render a clip and its truth JSON.

Example::

    python -m tools.render glute_bridge out/bridge.mp4 --reps 4 --fault hold_short:2 --look random --seed 3

Exit status 2 with a one-line message on a bad request.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from pathlib import Path

import numpy as np

from .generate import render_clip
from .motions import FAULT_CODES, MOTIONS
from .request import CLOTH, FLOORS, HAIR, SKIN, WALLS, Look, Request


def _fault(text: str) -> tuple[str, tuple[int, ...] | None]:
    code, _, reps = text.partition(":")
    if code not in FAULT_CODES:
        raise argparse.ArgumentTypeError(f"unknown fault {code!r}; expected one of {', '.join(FAULT_CODES)}")
    if not reps:
        return code, None
    try:
        return code, tuple(int(r) for r in reps.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"fault reps must be like knee_bent:1,3, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.render",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("exercise", choices=sorted(MOTIONS))
    p.add_argument("out", type=Path, help="output .mp4; the truth goes to the same name with .json")
    p.add_argument("--truth", type=Path, help="truth JSON path (default: OUT with .json)")
    p.add_argument("--reps", type=int, default=4, help="repetitions, all sides together")
    p.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="CODE[:REPS]",
        help="inject a fault on the given 1-based reps (all reps if none); repeatable",
    )
    p.add_argument(
        "--sides", default="alternate", choices=["alternate", "left", "right", "left-then-right", "right-then-left"]
    )
    p.add_argument("--tempo", type=float, default=1.0, help="multiplies the up/down durations")
    p.add_argument("--hold", type=float, help="hold at the top, s (default: the exercise's target)")
    p.add_argument("--short-hold", type=float, default=2.0, help="hold of a hold_short rep, s")
    p.add_argument("--rest", type=float, help="pause between reps, s")
    p.add_argument("--rom", type=float, default=1.0, help="range-of-motion factor")
    p.add_argument("--view", help="side | front | oblique (squat) | feet | above (hip_abduction)")
    p.add_argument(
        "--facing",
        choices=["left", "right"],
        default="right",
        help="standing: where the person looks; lying: where the feet point (in the image)",
    )
    p.add_argument("--camera-distance", type=float, help="m (default: frame the movement)")
    p.add_argument("--camera-height", type=float, help="m above the floor")
    p.add_argument("--camera-azimuth", type=float, default=0.0, help="deg, turns the camera about the person")
    p.add_argument("--fov", type=float, default=45.0, help="vertical field of view, deg")
    p.add_argument("--setup", type=float, default=2.0, help="walking in / lying down before the first rep, s")
    real = p.add_argument_group("how real sets differ (issue 15)")
    real.add_argument(
        "--no-setup", action="store_true", help="no walk-in or lying down: the person is in position at the first frame"
    )
    real.add_argument(
        "--start-phase",
        type=float,
        default=0.0,
        help="with --no-setup: how far into rep 1's way to its peak the first frame is "
        "(0 = at rest, 0.5 = half-way down, 0.9 = nearly at the bottom); rep 1 still counts",
    )
    real.add_argument(
        "--continuous",
        action="store_true",
        help="no pause between reps and no still start: --rest 0 --no-setup, and "
        "--start-phase 0.15 unless given (already moving at the first frame)",
    )
    real.add_argument("--tempo-jitter", type=float, default=0.0, help="extra per-rep tempo spread, +-fraction")
    real.add_argument(
        "--tempo-end",
        type=float,
        default=1.0,
        help="the last rep's duration relative to the first (0.6: the set speeds up)",
    )
    real.add_argument(
        "--ballistic",
        action="store_true",
        help="squat: jump squats (feet leave the floor; the head may leave the picture)",
    )
    real.add_argument(
        "--cut",
        type=int,
        metavar="REP",
        help="hard cut from half-way down rep REP to half-way up rep REP+1, seen by another camera; neither rep counts",
    )
    real.add_argument("--bystander", choices=["walk"], help="a second person walks back and forth behind the exerciser")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--size", default="480x360", help="WIDTHxHEIGHT")
    p.add_argument("--supersample", type=int, default=2)
    p.add_argument(
        "--look",
        default="default",
        help="'default', 'random' (from --seed), or key=value,... "
        f"with skin={'/'.join(SKIN)}, hair={'/'.join(HAIR)}, shirt/shorts/socks={'/'.join(CLOTH)}, "
        f"floor={'/'.join(FLOORS)}, wall={'/'.join(WALLS)}, height, girth, sun_azimuth_deg, "
        "sun_elevation_deg",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--codec",
        choices=["auto", "h264", "mp4v"],
        default="auto",
        help="h264 needs PyAV (pip package av); auto falls back to OpenCV's mp4v",
    )
    p.add_argument("--world", action="store_true", help="also write 3D landmark positions per frame")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def parse_look(text: str, seed: int) -> Look:
    if text == "default":
        return Look()
    base = Look()
    items = text.split(",")
    if items[0] == "random":
        base = Look.random(np.random.default_rng(seed))
        items = items[1:]
    fields = {f.name: f.type for f in dataclasses.fields(Look)}
    changes = {}
    for item in filter(None, items):
        key, _, value = item.partition("=")
        if key not in fields:
            raise ValueError(f"unknown look key {key!r}; expected one of {', '.join(fields)}")
        changes[key] = float(value) if fields[key] in (float, "float") else value
    look = dataclasses.replace(base, **changes)
    for key, table in (
        ("skin", SKIN),
        ("hair", HAIR),
        ("shirt", CLOTH),
        ("shorts", CLOTH),
        ("socks", CLOTH),
        ("floor", FLOORS),
        ("wall", WALLS),
    ):
        if getattr(look, key) not in table:
            raise ValueError(f"look {key}={getattr(look, key)!r}: expected one of {', '.join(table)}")
    return look


def request_from_args(args: argparse.Namespace) -> Request:
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT, got {args.size!r}") from None
    if args.continuous:
        args.rest, args.no_setup = 0.0, True
        if args.start_phase == 0.0:
            args.start_phase = 0.15
    faults = {code: reps if reps is not None else tuple(range(1, args.reps + 1)) for code, reps in args.fault}
    req = Request(
        exercise=args.exercise,
        reps=args.reps,
        faults=faults,
        sides=args.sides,
        tempo=args.tempo,
        hold_s=args.hold,
        short_hold_s=args.short_hold,
        rest_s=args.rest,
        rom=args.rom,
        view=args.view,
        facing=args.facing,
        camera_distance_m=args.camera_distance,
        camera_height_m=args.camera_height,
        camera_azimuth_deg=args.camera_azimuth,
        fov_y_deg=args.fov,
        setup_s=args.setup,
        fps=args.fps,
        width=width,
        height=height,
        supersample=args.supersample,
        look=parse_look(args.look, args.seed),
        seed=args.seed,
        no_setup=args.no_setup,
        start_phase=args.start_phase,
        tempo_jitter=args.tempo_jitter,
        tempo_end=args.tempo_end,
        ballistic=args.ballistic,
        cut_rep=args.cut,
        bystander=args.bystander,
    )
    req.validate()
    return req


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:
        req = request_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()

    def progress(i: int, n: int) -> None:
        if not args.quiet and (i % 30 == 0 or i == n):
            print(f"\r{args.out}: frame {i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)

    truth = render_clip(req, args.out, args.truth, progress=progress, codec=args.codec, world=args.world)
    dt = time.perf_counter() - t0
    if not args.quiet:
        print(
            f"{args.out}: {truth['frames']} frames, {truth['reps']} reps, {dt:.1f} s "
            f"({truth['frames'] / dt:.1f} frames/s)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
