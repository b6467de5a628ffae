"""Report charts as plain drawings: laid out once, drawn as inline SVG or on an fpdf2 page.

A :class:`Drawing` is a list of primitives (lines, rectangles, dots, polylines, text) in its own
units, y pointing down, text placed by its baseline. The HTML report turns it into an ``<svg>``
with :func:`to_svg`; the PDF report draws it with :func:`draw_pdf`, scaled to a width in mm, so
both show the same chart. No plotting library, and nothing here imports Qt.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

# Okabe-Ito based: tell-apart colours for colour-blind readers too.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999933", "#882255", "#555555")
LEFT_COLOUR = "#0072B2"
RIGHT_COLOUR = "#D55E00"
TRAINED_COLOUR = "#009E73"
INK = "#222222"
GRID = "#DDDDDD"
MUTED = "#666666"
FONT = "Helvetica, Arial, sans-serif"

WIDTH = 640.0
HEIGHT = 230.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 52.0, 16.0, 56.0, 34.0  # plot margins: axis labels, title + legend, dates


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = INK
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 2.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = 11.0
    anchor: str = "start"  # 'start' | 'middle' | 'end'
    colour: str = INK
    bold: bool = False


Item = Line | Rect | Dot | Polyline | Text


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    title: str
    items: tuple[Item, ...] = field(default_factory=tuple)
    empty: bool = False  # nothing to plot: a report shows one line instead of the frame


@dataclass(frozen=True)
class Series:
    """One coloured series: ``points`` are (category index, value)."""

    label: str
    colour: str
    points: tuple[tuple[int, float], ...]


# ----------------------------------------------------------------------------- axes


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 x 10^n steps) covering ``low..high``."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:g}"


def day_categories(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``: a gap in training shows as a gap on the axis."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_label(day: date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]}"


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.6  # a little wide for Helvetica, so wider fallback fonts fit too


class _Frame:
    """The plot area of a chart and its value -> position mapping."""

    def __init__(self, n_categories: int, y_ticks: list[float], invert: bool, width: float, height: float) -> None:
        self.x0, self.x1 = _LEFT, width - _RIGHT
        self.y0, self.y1 = _TOP, height - _BOTTOM
        self.n = max(1, n_categories)
        self.lo, self.hi = y_ticks[0], y_ticks[-1]
        self.invert = invert

    @property
    def slot(self) -> float:
        return (self.x1 - self.x0) / self.n

    def x(self, category: float) -> float:
        return self.x0 + (category + 0.5) * self.slot

    def y(self, value: float) -> float:
        share = (value - self.lo) / (self.hi - self.lo)
        if self.invert:
            share = 1.0 - share
        return self.y1 - share * (self.y1 - self.y0)


def _axes(
    frame: _Frame, ticks: list[float], labels: Sequence[str], title: str, unit: str, series: Sequence[Series], note: str
) -> list[Item]:
    items: list[Item] = [Text(4, 16, title, 13, bold=True)]
    if note:
        items.append(Text(4, 31, note, 10, colour=MUTED))
    for value in ticks:
        y = frame.y(value)
        items.append(Line(frame.x0, y, frame.x1, y, GRID, 0.8))
        items.append(Text(frame.x0 - 6, y + 4, _fmt(value), 10, "end", MUTED))
    if unit:
        items.append(Text(frame.x0 - 6, frame.y0 - 10, unit, 10, "end", MUTED))
    items.append(Line(frame.x0, frame.y1, frame.x1, frame.y1, INK, 1.0))
    # At most ~9 date labels, evenly spaced, always including the first.
    step = max(1, math.ceil(len(labels) / 9))
    for i in range(0, len(labels), step):
        items.append(Line(frame.x(i), frame.y1, frame.x(i), frame.y1 + 4, INK, 1.0))
        items.append(Text(frame.x(i), frame.y1 + 17, labels[i], 10, "middle", MUTED))
    items.extend(_legend(frame, title, note, series))
    return items


def _legend(frame: _Frame, title: str, note: str, series: Sequence[Series]) -> list[Item]:
    """Right-aligned above the plot: on the title row when it fits beside the title, else on its own
    row between the note and the plot, never over the data."""
    labels = [s for s in series if s.label]
    if not labels:
        return []
    width = sum(_text_width(s.label, 10) + 24 for s in labels) - 10
    beside_title = frame.x1 - width > 4 + _text_width(title, 13) + 16
    beside_note = frame.x1 - width > 4 + _text_width(note, 10) + 16
    y = 16.0 if beside_title else (31.0 if beside_note else frame.y0 - 8)
    items: list[Item] = []
    x = frame.x1
    for s in reversed(labels):
        x -= _text_width(s.label, 10)
        items.append(Text(x, y, s.label, 10, colour=INK))
        items.append(Rect(x - 14, y - 9, 10, 10, fill=s.colour))
        x -= 24
    return items


def _empty(title: str, width: float, height: float, message: str) -> Drawing:
    return Drawing(
        width,
        height,
        title,
        (
            Text(4, 16, title, 13, bold=True),
            Text(width / 2, height / 2, message, 12, "middle", MUTED),
        ),
        empty=True,
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    note: str = "",
    width: float = WIDTH,
    height: float = HEIGHT,
) -> Drawing:
    """Stacked bars, one per category; each series adds its value on top of the ones before."""
    totals: dict[int, float] = {}
    for s in series:
        for i, v in s.points:
            totals[i] = totals.get(i, 0.0) + v
    if not totals:
        return _empty(title, width, height, "nothing recorded")
    ticks = nice_ticks(0.0, max(totals.values()) or 1.0)
    frame = _Frame(len(labels), ticks, False, width, height)
    items = _axes(frame, ticks, labels, title, unit, series, note)
    bar_w = min(frame.slot * 0.7, 40.0)
    base: dict[int, float] = {}
    for s in series:
        for i, v in s.points:
            if v <= 0:
                continue
            under = base.get(i, 0.0)
            top, bottom = frame.y(under + v), frame.y(under)
            items.append(Rect(frame.x(i) - bar_w / 2, top, bar_w, bottom - top, fill=s.colour))
            base[i] = under + v
    return Drawing(width, height, title, tuple(items))


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    note: str = "",
    invert: bool = False,
    y_min: float | None = None,
    y_max: float | None = None,
    width: float = WIDTH,
    height: float = HEIGHT,
    pairs: bool = False,
) -> Drawing:
    """Lines with a dot per value; ``invert`` puts small values at the top (a deeper squat is "up").

    ``pairs``: a thin grey stroke joins the first two series at each category they share (pain
    before -> after one session), under the dots.
    """
    values = [v for s in series for _, v in s.points]
    if not values:
        return _empty(title, width, height, "no values recorded")
    low = min(values) if y_min is None else min(y_min, min(values))
    high = max(values) if y_max is None else max(y_max, max(values))
    pad = max(1.0, (high - low) * 0.1) if y_min is None and y_max is None else 0.0
    ticks = nice_ticks(low - pad if y_min is None else low, high + pad if y_max is None else high)
    frame = _Frame(len(labels), ticks, invert, width, height)
    items = _axes(frame, ticks, labels, title, unit, series, note)
    if pairs and len(series) >= 2:
        second = dict(series[1].points)
        for i, v in series[0].points:
            if i in second and second[i] != v:
                items.append(Line(frame.x(i), frame.y(v), frame.x(i), frame.y(second[i]), "#AAAAAA", 3.0))
    for s in series:
        pts = tuple((frame.x(i), frame.y(v)) for i, v in sorted(s.points))
        if len(pts) > 1:
            items.append(Polyline(pts, s.colour, 2.0))
        items.extend(Dot(x, y, 3.2, s.colour) for x, y in pts)
    return Drawing(width, height, title, tuple(items))


def calendar_chart(trained: set[date], first: date, last: date, width: float = WIDTH) -> Drawing:
    """Month grids (Monday first) from ``first`` to ``last``; days trained filled in."""
    cell, gap_x, gap_y = 22.0, 22.0, 16.0
    block_w, block_h = 7 * cell, 34.0 + 6 * cell
    per_row = max(1, int((width + gap_x) // (block_w + gap_x)))
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    rows = math.ceil(len(months) / per_row)
    items: list[Item] = []
    for n, (year, month) in enumerate(months):
        bx = (n % per_row) * (block_w + gap_x)
        by = (n // per_row) * (block_h + gap_y)
        items.append(Text(bx, by + 14, f"{calendar.month_name[month]} {year}", 12, bold=True))
        for col, name in enumerate(("M", "T", "W", "T", "F", "S", "S")):
            items.append(Text(bx + col * cell + cell / 2, by + 30, name, 9, "middle", MUTED))
        for row, week in enumerate(calendar.Calendar(0).monthdayscalendar(year, month)):
            for col, day_no in enumerate(week):
                if not day_no:
                    continue
                day = date(year, month, day_no)
                x, y = bx + col * cell + 1, by + 34 + row * cell + 1
                in_range = first <= day <= last
                done = day in trained
                fill = TRAINED_COLOUR if done else ("#EEEEEE" if in_range else None)
                items.append(Rect(x, y, cell - 2, cell - 2, fill=fill, stroke=None if fill else GRID))
                colour = "#FFFFFF" if done else (INK if in_range else "#BBBBBB")
                items.append(Text(x + (cell - 2) / 2, y + cell / 2 + 3, str(day_no), 10, "middle", colour, done))
    height = rows * block_h + (rows - 1) * gap_y + 2
    return Drawing(width, height, "Calendar of days trained", tuple(items))


# ----------------------------------------------------------------------------- SVG


def to_svg(drawing: Drawing) -> str:
    """The drawing as a standalone inline ``<svg>`` element (all text escaped)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {drawing.width:g} {drawing.height:.0f}" '
        f'width="{drawing.width:g}" height="{drawing.height:.0f}" role="img" aria-label="{escape(drawing.title)}" '
        f'font-family="{FONT}">',
        f"<title>{escape(drawing.title)}</title>",
    ]
    for item in drawing.items:
        if isinstance(item, Line):
            dash = ' stroke-dasharray="4 3"' if item.dashed else ""
            out.append(
                f'<line x1="{item.x1:.1f}" y1="{item.y1:.1f}" x2="{item.x2:.1f}" y2="{item.y2:.1f}" '
                f'stroke="{item.colour}" stroke-width="{item.width:g}"{dash}/>'
            )
        elif isinstance(item, Rect):
            fill = item.fill or "none"
            stroke = f' stroke="{item.stroke}"' if item.stroke else ""
            out.append(
                f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" height="{item.h:.1f}" '
                f'fill="{fill}"{stroke}/>'
            )
        elif isinstance(item, Dot):
            out.append(f'<circle cx="{item.x:.1f}" cy="{item.y:.1f}" r="{item.r:g}" fill="{item.fill}"/>')
        elif isinstance(item, Polyline):
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in item.points)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{item.colour}" '
                f'stroke-width="{item.width:g}" stroke-linejoin="round"/>'
            )
        else:
            weight = ' font-weight="bold"' if item.bold else ""
            out.append(
                f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size:g}" '
                f'text-anchor="{item.anchor}" fill="{item.colour}"{weight}>{escape(item.text)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


# ----------------------------------------------------------------------------- PDF


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def pdf_text(text: str) -> str:
    """Text the PDF core fonts can show (Latin-1); anything else becomes '?'."""
    swaps = {
        "\u2013": "-",
        "\u2014": "-",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2212": "-",
        "\u00a0": " ",
    }
    text = "".join(swaps.get(ch, ch) for ch in text)
    return text.encode("latin-1", "replace").decode("latin-1")


def draw_pdf(pdf: FPDF, drawing: Drawing, x_mm: float, y_mm: float, width_mm: float) -> float:
    """Draw ``drawing`` with its top-left corner at (x_mm, y_mm), ``width_mm`` wide; returns its height in mm."""
    k = width_mm / drawing.width
    pt_per_unit = k * 72.0 / 25.4  # font sizes are in drawing units

    def px(v: float) -> float:
        return x_mm + v * k

    def py(v: float) -> float:
        return y_mm + v * k

    for item in drawing.items:
        if isinstance(item, Line):
            pdf.set_draw_color(*_rgb(item.colour))
            pdf.set_line_width(item.width * k)
            if item.dashed:
                pdf.set_dash_pattern(dash=4 * k, gap=3 * k)
            pdf.line(px(item.x1), py(item.y1), px(item.x2), py(item.y2))
            if item.dashed:
                pdf.set_dash_pattern()
        elif isinstance(item, Rect):
            style = ""
            if item.fill:
                pdf.set_fill_color(*_rgb(item.fill))
                style += "F"
            if item.stroke:
                pdf.set_draw_color(*_rgb(item.stroke))
                pdf.set_line_width(0.8 * k)
                style = "D" + style
            if style:
                pdf.rect(px(item.x), py(item.y), item.w * k, item.h * k, style=style)
        elif isinstance(item, Dot):
            pdf.set_fill_color(*_rgb(item.fill))
            r = item.r * k
            pdf.ellipse(px(item.x) - r, py(item.y) - r, 2 * r, 2 * r, style="F")
        elif isinstance(item, Polyline):
            pdf.set_draw_color(*_rgb(item.colour))
            pdf.set_line_width(item.width * k)
            pdf.polyline([(px(x), py(y)) for x, y in item.points], style="D")
        else:
            pdf.set_font("Helvetica", "B" if item.bold else "", item.size * pt_per_unit)
            pdf.set_text_color(*_rgb(item.colour))
            text = pdf_text(item.text)
            w = pdf.get_string_width(text)
            x = px(item.x) - (w / 2 if item.anchor == "middle" else w if item.anchor == "end" else 0.0)
            pdf.text(x, py(item.y), text)
    # Leave fpdf's state as found: tables and cells pick up the last fill colour otherwise.
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.2)
    return drawing.height * k
