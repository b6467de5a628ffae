"""``hipcoach batch PATH... --exercise ID``: many clips analysed on every core or a Dask cluster, resumable.

Each clip's schema-1 JSON (and annotated video with ``--annotate``) goes to ``--out``, with a summary table
(summary.csv, summary.html). Exit status 0 when every clip was analysed, 1 when some are error rows (the
batch still went on: see the summary), 2 when the batch could not run at all.
"""

from __future__ import annotations

import argparse
import sys

from app.commands.shared import CliError

EXIT_SOME_FAILED = 1


def run(args: argparse.Namespace) -> int:
    from app.batch.runner import BatchError, BatchOptions, run_batch

    if args.jobs is not None and args.jobs < 1:
        raise CliError(f"--jobs must be at least 1, got {args.jobs}")
    if args.jobs is not None and args.scheduler:
        raise CliError("--jobs is for local worker processes; with --scheduler the cluster's workers run the clips")
    options = BatchOptions(
        paths=tuple(args.paths),
        exercise=args.exercise,
        out=args.out,
        model=args.model,
        jobs=args.jobs,
        scheduler=args.scheduler,
        annotate=args.annotate,
    )
    try:
        outcome = run_batch(options)
    except BatchError as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt as exc:
        exc.kept = f"; the clips finished so far are kept in {args.out} and the same command continues the batch"
        raise
    for record in outcome.records:
        if not record.get("ok"):
            source, error = str(record.get("source")), str(record.get("error"))
            print(f"error: {error if source in error else f'{source}: {error}'}", file=sys.stderr)
    rate = outcome.frames / outcome.wall_s if outcome.wall_s > 0 else 0.0
    before = f" ({outcome.skipped_errors} of them error rows)" if outcome.skipped_errors else ""
    print(
        f"batch: {outcome.analysed} analysed, {outcome.errors} with an error, {outcome.skipped} done before{before} "
        f"(skipped); {outcome.frames} frames in {outcome.wall_s:.1f} s ({rate:.1f} frames/s)"
    )
    print(f"summary: {outcome.summary_html}  (table: {outcome.summary_csv})")
    return EXIT_SOME_FAILED if outcome.errors or outcome.skipped_errors else 0
