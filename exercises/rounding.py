"""Numbers as the report and the live state show them."""

from __future__ import annotations

import math


def rounded(x: float | None, nd: int = 2) -> float | None:
    """``x`` rounded to ``nd`` decimals; None for a missing (None or non-finite) value."""
    return None if x is None or not math.isfinite(x) else round(float(x), nd)
