"""What to say, and when: the cue throttle behind the voice. Qt-free, so it is unit-tested directly.

One cue at a time, from a queue. Counts, form faults and milestones ("That's your target") are
news: once offered they are said, however long the voice is busy (late under load, never lost), and
nothing offered after them replaces them. Everything else (instructions, hold prompts, status) is
best effort: it goes after the news, a newer status replaces a waiting one, and a cue still waiting
``stale_s`` after it was offered (a status: ``status_stale_s``) is dropped, as it no longer fits what
the person is doing.
The same sentence is not repeated within ``repeat_gap_s`` (``status_repeat_gap_s`` for status); a
count or a milestone is always news. A milestone (the target reached, a routine's rest and next
exercise, a check-in question, a safety message) is offered once, when it happens, so the same
sentence again is a new event (the pain question before and after a short session), not nagging.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count as _counter
from typing import Literal

# What a cue is, so the screen can show it without guessing from its words: a rep's count, a form
# fault, a hold prompt, a "not counting" status, a milestone, or any other instruction.
CueKind = Literal["count", "fault", "hold", "status", "milestone", "cue"]

# Higher is said first; ties go in the order offered. A rep's count, then what to fix in it, then
# the milestone it reached.
PRIORITY: dict[CueKind, int] = {"status": 0, "cue": 1, "hold": 2, "milestone": 3, "fault": 4, "count": 5}
# Kinds that are never dropped once accepted.
MUST_SAY: frozenset[CueKind] = frozenset({"count", "fault", "milestone"})


@dataclass(frozen=True)
class Cue:
    text: str
    kind: CueKind
    offered_s: float = 0.0
    order: int = field(default=0, compare=False)

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.kind, 1)

    @property
    def must_say(self) -> bool:
        return self.kind in MUST_SAY


class CueThrottle:
    """Decides which offered cue is spoken next. Time is passed in (seconds), never read from a clock."""

    def __init__(
        self,
        min_gap_s: float = 0.6,
        repeat_gap_s: float = 8.0,
        status_repeat_gap_s: float = 20.0,
        stale_s: float = 5.0,
        status_stale_s: float = 2.0,
    ) -> None:
        if min(min_gap_s, repeat_gap_s, status_repeat_gap_s, stale_s, status_stale_s) < 0:
            raise ValueError(
                f"gaps must be >= 0, got min_gap_s={min_gap_s}, repeat_gap_s={repeat_gap_s}, "
                f"status_repeat_gap_s={status_repeat_gap_s}, stale_s={stale_s}, status_stale_s={status_stale_s}"
            )
        self.min_gap_s = min_gap_s
        self.repeat_gap_s = repeat_gap_s
        self.status_repeat_gap_s = status_repeat_gap_s
        self.stale_s = stale_s
        self.status_stale_s = status_stale_s
        self._last_said: dict[str, float] = {}
        self._last_end_s: float | None = None
        self._queue: list[Cue] = []
        self._order = _counter()

    @property
    def waiting(self) -> tuple[Cue, ...]:
        """The cues waiting, in the order they would be said."""
        return tuple(sorted(self._queue, key=lambda c: (-c.priority, c.order)))

    def offer(self, text: str, kind: CueKind, now_s: float) -> None:
        """A cue the engine would like said: it is queued, or dropped as a quick repeat or a duplicate."""
        text = text.strip()
        if not text or self._too_soon(text, kind, now_s):
            return
        if kind != "count" and any(c.text == text for c in self._queue):
            return  # already waiting: saying it twice adds nothing
        if kind == "status":  # only the latest status is worth saying
            self._queue = [c for c in self._queue if c.kind != "status"]
        self._queue.append(Cue(text, kind, now_s, next(self._order)))

    def next_cue(self, now_s: float, busy: bool) -> Cue | None:
        """The cue to say now (and mark it said), or None while busy, too close to the last one, or idle."""
        self._queue = [c for c in self._queue if c.must_say or now_s - c.offered_s <= self._keep_s(c)]
        if busy or not self._queue:
            return None
        if self._last_end_s is not None and now_s - self._last_end_s < self.min_gap_s:
            return None
        cue = self.waiting[0]
        self._queue = [c for c in self._queue if c is not cue]
        self._last_said[cue.text] = now_s
        return cue

    def finished_speaking(self, now_s: float) -> None:
        self._last_end_s = now_s

    def new_set(self) -> None:
        """A new set starts: sentences may be said again at once; news still waiting is kept, the rest dropped."""
        self._last_said.clear()
        self._queue = [c for c in self._queue if c.must_say]

    def reset(self) -> None:
        """Forget everything, waiting news included (e.g. to say something urgent at once)."""
        self._last_said.clear()
        self._queue = []
        self._last_end_s = None

    def _keep_s(self, cue: Cue) -> float:
        return self.status_stale_s if cue.kind == "status" else self.stale_s

    def _too_soon(self, text: str, kind: CueKind, now_s: float) -> bool:
        if kind in ("count", "milestone"):  # each is news, even "one" again after a reset
            return False
        gap = self.status_repeat_gap_s if kind == "status" else self.repeat_gap_s
        last = self._last_said.get(text)
        return last is not None and now_s - last < gap
