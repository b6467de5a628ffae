"""``hipcoach``: the desktop window by default; ``analyze``, ``eval``, ``bench`` and ``report`` run headless."""

from __future__ import annotations

import sys

HEADLESS_COMMANDS = ("analyze", "eval", "bench", "report")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in HEADLESS_COMMANDS:
        from app.cli import main as cli_main  # never imports Qt

        return cli_main(args)
    from app.gui.main import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
