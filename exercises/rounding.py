"""Numbers as the report and the live state show them."""

from __future__ import annotations

import math


def rounded(x: float | None, nd: int = 2) -> float | None:
    """``x`` rounded to ``nd`` decimals; None for a missing (None or non-finite) value."""
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def rounded_s(t_s: float, nd: int = 2) -> float:
    """A frame time or a duration (always known, always finite) rounded to ``nd`` decimals.

    The same number :func:`rounded` gives for it, typed as present: events and records need one."""
    return round(float(t_s), nd)
