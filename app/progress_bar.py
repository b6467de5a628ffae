"""A terminal progress bar for long analyses, written to stderr so stdout stays clean for JSON."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``update(done)`` redraws at most ten times a second; non-terminals get a line per 10%."""

    def __init__(self, total: int, label: str = "", stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(0, total)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._last_decile = -1

    def update(self, done: int) -> None:
        now = time.monotonic()
        fraction = min(1.0, done / self.total) if self.total else 0.0
        if self._tty:
            if now - self._last_draw < 0.1 and done < self.total:
                return
            self._last_draw = now
            filled = int(self.width * fraction)
            elapsed = now - self._start
            rate = done / elapsed if elapsed > 0 else 0.0
            eta = (self.total - done) / rate if rate > 0 and self.total else 0.0
            bar = "#" * filled + "-" * (self.width - filled)
            total = self.total or "?"
            self.stream.write(f"\r{self.label} [{bar}] {done}/{total} frames  {rate:4.1f} fps  eta {eta:4.0f}s ")
            self.stream.flush()
        else:
            decile = int(fraction * 10)
            if decile > self._last_decile:
                self._last_decile = decile
                self.stream.write(f"{self.label} {decile * 10}%\n")
                self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
