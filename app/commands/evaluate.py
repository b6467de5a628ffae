"""``hipcoach eval MANIFEST``: accuracy over labelled clips; a non-zero exit below the manifest's thresholds."""

from __future__ import annotations

import argparse

from app.outputs import check_destination


def run(args: argparse.Namespace) -> int:
    """Analyse every clip of the manifest and print the accuracy; 1 below its thresholds."""
    from app.evaluation import run_manifest_cli

    if args.json not in (None, "-"):
        # Checked before the clips are analysed; the manifest is never the destination.
        check_destination(args.json, [args.manifest], "--json")
    return run_manifest_cli(args.manifest, args.model, args.json, args.recognise, args.jobs)
