"""``hipcoach analyze VIDEO --exercise ID``: count reps and find form faults in a recorded clip."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.shared import STOP, CliError, json_output, write_json
from app.outputs import OutputError, check_destination


def run(args: argparse.Namespace) -> int:
    """Analyse the clip with a progress bar; the readable summary, the JSON report or both; exit status."""
    from contextlib import ExitStack

    from app.analysis import ClipAnalysis
    from app.annotate import AnnotatedWriter
    from app.progress_bar import ProgressBar
    from app.summary import format_summary

    with ExitStack() as stack:
        # Nothing is written until the input, the model and every destination have been checked.
        analysis = ClipAnalysis(args.video, args.exercise, args.model)
        stack.callback(analysis.close)
        reads = analysis.reads
        json_out = json_output(args.json, reads)
        if json_out is not None:
            stack.enter_context(json_out)
        writer = None
        if args.annotate:
            if json_out is not None and _same_destination(json_out.path, args.annotate):
                raise CliError(f"--json and --annotate both name {args.annotate}; give two different files")
            writer = AnnotatedWriter(
                args.annotate,
                analysis.info.fps,
                (analysis.info.width, analysis.info.height),
                reads=reads,
                label="--annotate",
            )
            stack.callback(writer.discard)
        bar = ProgressBar(analysis.info.frame_count, label=Path(args.video).name)
        STOP.graceful = True
        try:
            for step in analysis.steps():
                if writer is not None:
                    writer.write(step)
                bar.update(analysis.frames)
                STOP.check()
        except KeyboardInterrupt as exc:
            STOP.graceful = False
            bar.close()
            if writer is not None and writer.frames:
                # A partial annotated video is still worth having: finish it so it plays.
                exc.kept = f" after {analysis.frames} frames; annotated video so far: {writer.close()}"
            raise
        STOP.graceful = False
        bar.close()
        report = analysis.report()
        if report.frames == 0:
            raise CliError(f"{args.video} has no decodable video frames")
        annotated = writer.close() if writer is not None else None
        if args.json is not None:  # no --json: the readable summary alone
            write_json(report.to_json(), json_out)
    if args.json != "-":
        print(format_summary(report))
        if annotated is not None:
            print(f"annotated video: {args.annotate}")
    return 0


def _same_destination(path: Path, other: str) -> bool:
    try:
        return path == check_destination(other)
    except OutputError:
        return False
