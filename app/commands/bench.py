"""``hipcoach bench [VIDEO]``: per-frame timings and the ratio to a bare MediaPipe loop on the same clip."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.shared import CliError


def run(args: argparse.Namespace) -> int:
    """Time the clip (default: the first sample video) and print the per-frame timings; exit status."""
    from app.bench import format_bench, run_bench

    video = args.video
    if video is None:
        samples = sorted((Path(__file__).resolve().parents[2] / "sample_videos").glob("*.mp4"))
        if not samples:
            raise CliError("no video given and no sample videos found; pass a clip: hipcoach bench VIDEO")
        video = str(samples[0])
    if args.rounds < 1:
        raise CliError(f"--rounds must be at least 1, got {args.rounds}")
    result = run_bench(video, args.exercise, args.model, args.rounds)
    print(format_bench(video, args.model, result))
    return 0
