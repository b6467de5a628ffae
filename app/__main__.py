"""``hipcoach``: one parser for every command (``hipcoach --help`` lists them); the window is the default.

Only the window's command imports Qt; the headless ones (``analyze``, ``eval``, ``bench``, ``report``) never do.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli_parser import WINDOW, parse  # light: no Qt, no OpenCV

    args = parse(sys.argv[1:] if argv is None else argv)
    if args.command == WINDOW:
        from app.gui.main import run as run_window

        return run_window(args)
    from app.cli import run as run_headless  # never imports Qt

    return run_headless(args)


if __name__ == "__main__":
    raise SystemExit(main())
