"""What the headless commands share: the one-line error, the stop between two frames, the JSON output."""

from __future__ import annotations

import json
import sys

from app.outputs import OutputFile


class CliError(Exception):
    """A user-facing problem; its message is printed as one line."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) asked the run to stop: handled like Ctrl-C, so outputs are finished."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StopRequest:
    """A SIGTERM/SIGHUP that arrived while the frame loop can stop cleanly between frames."""

    graceful = False
    signum: int | None = None

    def check(self) -> None:
        if self.signum is not None:
            raise Terminated(self.signum)


# The one stop request of this process: the signal handler (app.cli) sets it, the frame loop checks it.
STOP = StopRequest()


def json_output(target: str | None, reads: list) -> OutputFile | None:
    """The ``--json`` file, checked and created (empty, private) before any work; None for none or '-'."""
    if target is None or target == "-":
        return None
    return OutputFile(target, reads, "--json")


def write_json(data: dict, out: OutputFile | None) -> None:
    text = json.dumps(data, indent=1) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_bytes(text.encode("utf-8"))
