"""Notes: things worth knowing that do not stop counting (someone else in the room, form checks
that need a body part out of the picture), kept as spans for the report."""

from __future__ import annotations

from exercises.events import NoteInterval
from exercises.rounding import rounded

NOTE_GAP_S = 1.0  # not seen for this long: the span ends


class NoteKeeper:
    """``seen(code, t, detail)`` on each frame a note applies; ``notes`` holds the closed spans."""

    def __init__(self) -> None:
        self.notes: list[NoteInterval] = []
        self._open: dict[str, list] = {}  # code -> [start_t, last_t, details]

    def seen(self, code: str, t: float, detail: str = "") -> None:
        span = self._open.get(code)
        if span is not None and t - span[1] > NOTE_GAP_S:
            self._close(code)
            span = None
        if span is None:
            span = self._open[code] = [t, t, []]
        span[1] = t
        if detail and detail not in span[2]:
            span[2].append(detail)

    def close(self) -> None:
        """The session ends: every open span is recorded."""
        for code in list(self._open):
            self._close(code)

    def _close(self, code: str) -> None:
        start, last, details = self._open.pop(code)
        self.notes.append(NoteInterval(code, rounded(start), rounded(last), ", ".join(details)))
        self.notes.sort(key=lambda n: n.start_s)
