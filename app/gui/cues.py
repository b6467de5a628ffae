"""What to say, and when: the cue throttle behind the voice. Qt-free, so it is unit-tested directly.

One cue at a time; the same sentence is not repeated within ``repeat_gap_s``; cues offered while
another is being spoken wait in a single slot where a more urgent one replaces a less urgent one
(a count is never dropped for a status nag).
"""

from __future__ import annotations

from dataclasses import dataclass

# Higher wins the waiting slot.
PRIORITY = {"status": 0, "cue": 1, "hold": 2, "fault": 3, "count": 4}


@dataclass(frozen=True)
class Cue:
    text: str
    kind: str  # one of PRIORITY

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.kind, 1)


class CueThrottle:
    """Decides which offered cue is spoken next. Time is passed in (seconds), never read from a clock."""

    def __init__(self, min_gap_s: float = 0.6, repeat_gap_s: float = 8.0, status_repeat_gap_s: float = 20.0) -> None:
        if min_gap_s < 0 or repeat_gap_s < 0 or status_repeat_gap_s < 0:
            raise ValueError(
                f"gaps must be >= 0, got min_gap_s={min_gap_s}, repeat_gap_s={repeat_gap_s}, "
                f"status_repeat_gap_s={status_repeat_gap_s}"
            )
        self.min_gap_s = min_gap_s
        self.repeat_gap_s = repeat_gap_s
        self.status_repeat_gap_s = status_repeat_gap_s
        self._last_said: dict[str, float] = {}
        self._last_end_s: float | None = None
        self._pending: Cue | None = None

    def offer(self, text: str, kind: str, now_s: float) -> None:
        """A cue the engine would like said; it may wait, replace a waiting one, or be dropped."""
        text = text.strip()
        if not text or self._too_soon(text, kind, now_s):
            return
        cue = Cue(text, kind)
        if self._pending is None or cue.priority >= self._pending.priority:
            self._pending = cue

    def next_cue(self, now_s: float, busy: bool) -> Cue | None:
        """The cue to say now (and mark it said), or None while busy, too close to the last one, or idle."""
        if busy or self._pending is None:
            return None
        if self._last_end_s is not None and now_s - self._last_end_s < self.min_gap_s:
            return None
        cue, self._pending = self._pending, None
        if self._too_soon(cue.text, cue.kind, now_s):
            return None
        self._last_said[cue.text] = now_s
        return cue

    def finished_speaking(self, now_s: float) -> None:
        self._last_end_s = now_s

    def reset(self) -> None:
        self._last_said.clear()
        self._pending = None
        self._last_end_s = None

    def _too_soon(self, text: str, kind: str, now_s: float) -> bool:
        if kind == "count":  # each count is news, even "one" again after a reset
            return False
        gap = self.status_repeat_gap_s if kind == "status" else self.repeat_gap_s
        last = self._last_said.get(text)
        return last is not None and now_s - last < gap
