"""Numbers and short phrases as the reports write them (the fault and status words come from
:mod:`exercises.vocabulary`)."""

from __future__ import annotations

from collections.abc import Sequence

from exercises.vocabulary import fault_label

END_WORDS = {
    "done": "finished",
    "stopped": "stopped",
    "pain": "stopped for pain",
    "skipped": "skipped",
    "interrupted": "interrupted (the app closed)",
}


def end_word(reason: str) -> str:
    """How a set or session ended, in words."""
    return END_WORDS.get(reason, reason)


def fault_list(codes: Sequence[str]) -> str:
    return ", ".join(fault_label(c) for c in codes)


def num(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}{unit}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def score(value: int | None) -> str:
    """A pain score, or '–' when none was given."""
    return "–" if value is None else str(value)
