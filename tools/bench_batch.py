"""Batch throughput on this machine (issue 12, item 3). Not a test: ``python -m tools.bench_batch``.

Runs the same clips three ways, each into a fresh output folder (nothing skipped): the local pool with one
worker process, with two, and a Dask LocalCluster of two single-threaded worker processes. Prints clips per
minute and frames per second (wall time from the batch's start, worker start-up included), the speed-up over
one process, and the load average before and after each run (other work on the machine skews the numbers).
Then ``hipcoach bench`` on one of the clips: the single-clip analyser against a bare decode + landmarker loop.

Aims (issue 12): two processes at least 1.8x one; Dask within 10 % of the local pool; the analyser at or below
1.0x the bare loop.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLIPS = (
    "squat_side_midrep", "squat_side_continuous", "squat_side_jump", "squat_side_cut",
    "squat_side_bystander", "squat_side_fast", "squat_side_ok", "squat_side_faults",
)  # fmt: skip


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def _run(label: str, clips: list[str], model: str, jobs: int | None, scheduler: str | None, work: Path) -> dict:
    from app.batch.runner import BatchOptions, run_batch

    out = Path(tempfile.mkdtemp(prefix="bench-", dir=work))
    load_before = _load()
    options = BatchOptions(
        paths=tuple(clips), exercise="squat", out=str(out), model=model, jobs=jobs, scheduler=scheduler
    )
    start = time.monotonic()
    outcome = run_batch(options, stream=open(os.devnull, "w"))
    wall = time.monotonic() - start
    worker_s = sum(float(r.get("seconds") or 0.0) for r in outcome.records)
    assert outcome.errors == 0 and outcome.analysed == len(clips), (label, outcome.records)
    return {
        "label": label,
        "wall_s": wall,
        "clips_per_min": 60.0 * len(clips) / wall,
        "fps": outcome.frames / wall,
        "frames": outcome.frames,
        "worker_s": worker_s,
        "load": f"{load_before} -> {_load()}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=len(DEFAULT_CLIPS), help="how many of the sample clips")
    parser.add_argument("--model", default="full", help="pose model (default full, as the product)")
    parser.add_argument("--rounds", type=int, default=3, help="hipcoach bench rounds (median)")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way, interleaved; the median is shown")
    args = parser.parse_args(argv)
    clips = [str(ROOT / "sample_videos" / f"{stem}.mp4") for stem in DEFAULT_CLIPS[: args.clips]]
    print(f"{len(clips)} clips, model {args.model}, {os.cpu_count()} cores, load average (1/5 min) {_load()}")
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="hipcoach-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        address = None
        if not args.skip_dask:
            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            address = stack.enter_context(cluster).scheduler_address
        ways = (("local pool, 1 process", 1, None), ("local pool, 2 processes", 2, None))
        if address is not None:
            ways += (("Dask LocalCluster, 2 workers", None, address),)
        for _ in range(args.repeat):  # interleaved, so a burst of other work does not favour one way
            for label, jobs, scheduler in ways:
                runs.setdefault(label, []).append(_run(label, clips, args.model, jobs, scheduler, work))
    results = [sorted(r, key=lambda x: x["wall_s"])[len(r) // 2] for r in runs.values()]
    one = results[0]["wall_s"]
    for r in results:
        print(
            f"  {r['label']:30s} {r['wall_s']:6.1f} s  {r['clips_per_min']:5.1f} clips/min  {r['fps']:6.1f} frames/s"
            f"  x{one / r['wall_s']:.2f} vs 1 process  (analysis time summed over clips {r['worker_s']:.1f} s;"
            f" load {r['load']})"
        )
    if len(results) == 3:
        print(f"  Dask / local pool of 2 (wall time): {results[2]['wall_s'] / results[1]['wall_s']:.2f}")

    from app.bench import format_bench, run_bench

    load_before = _load()
    result = run_bench(clips[0], "squat", args.model, args.rounds)
    print(format_bench(clips[0], args.model, result) + f"\n  (load {load_before} -> {_load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
