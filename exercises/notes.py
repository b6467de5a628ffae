"""Notes: things worth knowing that do not stop counting (someone else in the room, form checks
that need a body part out of the picture), kept as spans for the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from exercises.events import NoteInterval
from exercises.rounding import rounded_s

NOTE_GAP_S = 1.0  # not seen for this long: the span ends


@dataclass
class _Span:
    """A note's open span: first and last time seen, and its details in the order met."""

    start_s: float
    last_s: float
    details: list[str] = field(default_factory=list)


class NoteKeeper:
    """``seen(code, t, detail)`` on each frame a note applies; ``notes`` holds the closed spans."""

    def __init__(self) -> None:
        self.notes: list[NoteInterval] = []
        self._open: dict[str, _Span] = {}

    def seen(self, code: str, t: float, detail: str = "") -> None:
        span = self._open.get(code)
        if span is not None and t - span.last_s > NOTE_GAP_S:
            self._close(code)
            span = None
        if span is None:
            span = self._open[code] = _Span(t, t)
        span.last_s = t
        if detail and detail not in span.details:
            span.details.append(detail)

    def close(self) -> None:
        """The session ends: every open span is recorded."""
        for code in list(self._open):
            self._close(code)

    def _close(self, code: str) -> None:
        span = self._open.pop(code)
        self.notes.append(NoteInterval(code, rounded_s(span.start_s), rounded_s(span.last_s), ", ".join(span.details)))
        self.notes.sort(key=lambda n: n.start_s)
