"""The Progress tab's charts: reps, pain, range of motion, hold, faults and left/right, per day.

The panel draws the numbers it is given (:class:`ChartData` from ``app.coach.store.progress.daily_stats``
and the sessions with pain scores); the page (``app.gui.progress_page``) reads the history and
chooses the exercise and range. A chart with nothing to show is hidden and the others take its room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.coach.store.progress_values import DayStat, SessionSummary, asymmetry_ratio
from app.gui.style import BAD, GOOD, LEFT, RIGHT, WARN, big_font
from exercises.definitions import ExerciseDef

DAY_S = 86400.0
HOLD_COLOUR = QColor(120, 200, 255)
PEAK_COLOUR = QColor(200, 160, 255)
COUNT_ASYM_COLOUR = QColor(160, 160, 160)
PAIN_BEFORE = QColor(150, 190, 255)
PAIN_AFTER = QColor(255, 170, 90)
# (key, y unit), in the order the charts fill the grid, two a row
CHART_UNITS: tuple[tuple[str, str], ...] = (
    ("reps", "reps"),
    ("pain", "0–10"),
    ("peak", "°"),
    ("hold", "s"),
    ("faults", "per rep"),
    ("asym", "%"),
)
# What a collapsed chart is called in the line that says it has nothing yet
CHART_NAMES = {
    "reps": "reps",
    "pain": "pain scores",
    "peak": "range of motion",
    "hold": "hold time",
    "faults": "form faults",
    "asym": "left / right difference",
}


def day_x(day: date) -> float:
    """The chart's x for a day: local noon as epoch seconds, so a day's bar sits in the middle of its day."""
    return datetime.combine(day, time(12, 0)).timestamp()


@dataclass
class ChartData:
    """The numbers behind the five charts, one entry per day the exercise was done (oldest first).

    Asymmetries are signed percentages of the larger side: + means more on the left, - more on
    the right (their size is ``asymmetry_ratio``); NaN where there is nothing to compare.
    """

    days: list[date] = field(default_factory=list)
    reps: list[int] = field(default_factory=list)
    reps_left: list[int] = field(default_factory=list)
    reps_right: list[int] = field(default_factory=list)
    hold_s: list[float] = field(default_factory=list)  # NaN on days without a hold
    peak_deg: list[float] = field(default_factory=list)
    peak_left_deg: list[float] = field(default_factory=list)
    peak_right_deg: list[float] = field(default_factory=list)
    faults_per_rep: list[float] = field(default_factory=list)
    count_asymmetry_pct: list[float] = field(default_factory=list)
    peak_asymmetry_pct: list[float] = field(default_factory=list)

    @classmethod
    def from_stats(cls, stats: list[DayStat], unilateral: bool) -> ChartData:
        """Per-day chart values from ``progress.daily_stats`` rows of one exercise."""
        data = cls()
        for s in sorted(stats, key=lambda s: s.day):
            data.days.append(s.day)
            data.reps.append(int(s.reps))
            data.reps_left.append(int(s.reps_left))
            data.reps_right.append(int(s.reps_right))
            data.hold_s.append(_num(s.hold_s_mean))
            data.peak_deg.append(_num(s.peak_deg_mean))
            data.peak_left_deg.append(_num(s.peak_deg_left_mean))
            data.peak_right_deg.append(_num(s.peak_deg_right_mean))
            data.faults_per_rep.append(_num(s.fault_rate))
            data.count_asymmetry_pct.append(signed_asymmetry_pct(s.reps_left, s.reps_right) if unilateral else math.nan)
            data.peak_asymmetry_pct.append(
                signed_asymmetry_pct(s.peak_deg_left_mean, s.peak_deg_right_mean) if unilateral else math.nan
            )
        return data


def session_x(started_at: str) -> float:
    """The chart's x for a session: its local start time, on the same clock as :func:`day_x`."""
    try:
        return datetime.fromisoformat(started_at).replace(tzinfo=None).timestamp()
    except (TypeError, ValueError):
        return math.nan


def signed_asymmetry_pct(left: float | None, right: float | None) -> float:
    """``asymmetry_ratio`` as a percentage, signed: + when the left is larger, - when the right is."""
    ratio = asymmetry_ratio(left, right)
    if ratio is None or left is None or right is None:
        return math.nan
    return 100.0 * ratio * (1.0 if abs(left) >= abs(right) else -1.0)


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


class ProgressCharts(QWidget):
    """The chart grid with, under it, a line naming the charts left out and a line summing up the range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = big_font(12, bold=False)
        pg.setConfigOptions(antialias=True, background=(28, 30, 34), foreground=(220, 220, 220))
        # One PlotWidget per chart in a grid: a chart with nothing to show is hidden and the others
        # take its room (``_lay_out_charts``); the grid is rebuilt from the charts still shown.
        self.charts = QWidget()
        self.chart_grid = QGridLayout(self.charts)
        self.chart_grid.setContentsMargins(0, 0, 0, 0)
        self.chart_grid.setSpacing(4)
        for col in (0, 1):
            self.chart_grid.setColumnStretch(col, 1)  # two equal columns, whatever each chart's size hint
        self.plot_widgets: dict[str, pg.PlotWidget] = {}
        self.plots: dict[str, pg.PlotItem] = {}
        self.chart_titles: dict[str, str] = {}
        for key, unit in CHART_UNITS:
            widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
            widget.setMinimumHeight(150)
            plot = widget.getPlotItem()
            plot.setLabel("left", unit)
            plot.showGrid(x=False, y=True, alpha=0.2)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            self.plot_widgets[key] = widget
            self.plots[key] = plot
        width = 0.7 * DAY_S
        self.bars_both = pg.BarGraphItem(x=[], height=[], width=width, brush=GOOD, pen=None)
        self.bars_left = pg.BarGraphItem(x=[], height=[], width=width, brush=LEFT, pen=None)
        self.bars_right = pg.BarGraphItem(x=[], y0=[], height=[], width=width, brush=RIGHT, pen=None)
        for item in (self.bars_both, self.bars_left, self.bars_right):
            self.plots["reps"].addItem(item)

        def line(key: str, colour: QColor, dashed: bool = False, filled: bool = True) -> pg.PlotDataItem:
            pen = pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
            return self.plots[key].plot(
                [],
                [],
                pen=pen,
                symbol="o",
                symbolSize=8,
                symbolBrush=colour if filled else (28, 30, 34),
                symbolPen=None if filled else pg.mkPen(colour, width=2),
                connect="finite",
            )

        self.hold_target = pg.InfiniteLine(angle=0, pen=pg.mkPen(GOOD, style=Qt.PenStyle.DotLine))
        self.plots["hold"].addItem(self.hold_target)
        self.hold_curve = line("hold", HOLD_COLOUR)
        self.peak_curve = line("peak", PEAK_COLOUR)
        self.peak_left_curve = line("peak", LEFT)
        self.peak_right_curve = line("peak", RIGHT)
        self.fault_curve = line("faults", BAD)
        self.plots["asym"].addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen((150, 150, 150))))
        self.peak_asym_curve = line("asym", WARN)
        self.count_asym_curve = line("asym", COUNT_ASYM_COLOUR, dashed=True)
        # Pain: each session a grey stroke from its 'before' (hollow dot) to its 'after' (filled dot).
        self.pain_change = self.plots["pain"].plot([], [], pen=pg.mkPen((130, 130, 130), width=3), connect="pairs")
        self.pain_before_curve = line("pain", PAIN_BEFORE, dashed=True, filled=False)
        self.pain_after_curve = line("pain", PAIN_AFTER)
        self.pain_x: list[float] = []
        self.pain_sessions: list[SessionSummary] = []
        self.chart_note = QLabel("")
        self.chart_note.setFont(font)
        self.chart_note.setWordWrap(True)
        self.nothing_note = QLabel("")  # one line for the charts collapsed because they have nothing yet
        self.nothing_note.setFont(big_font(11, bold=False))
        self.nothing_note.setStyleSheet("QLabel { color: #a8a8a8; }")
        self.nothing_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.charts, 1)
        layout.addWidget(self.nothing_note)
        layout.addWidget(self.chart_note)

    def _set_title(self, key: str, text: str, legend: tuple[tuple[str, QColor], ...] = ()) -> None:
        """The chart's title, with its legend written beside it (so no legend box sits on the data).

        A legend name starting with a marker (○ ●) keeps it; others get a square of their colour.
        """
        names = [name if name[:1] in "○●" else f"■ {name}" for name, _ in legend]
        keys = "".join(
            f'&nbsp;&nbsp;<span style="color:{colour.name()}">{name}</span>' for name, (_, colour) in zip(names, legend)
        )
        self.chart_titles[key] = text + "".join(f"  {name}" for name in names)
        # Kept short: pyqtgraph makes a title's width the plot's minimum width, so a long one pushes the
        # plot under the side panel on a 1280-pixel screen.
        self.plots[key].setTitle(f"{text}{keys}", size="11pt")

    def shown_charts(self) -> list[str]:
        """The charts laid out on the page, in order (the others have nothing to show yet)."""
        return [key for key, _ in CHART_UNITS if not self.plot_widgets[key].isHidden()]

    def _lay_out_charts(self, shown: list[str]) -> None:
        """Two charts a row; a row's lone chart takes the whole row. Hidden charts take no room."""
        for key, widget in self.plot_widgets.items():
            self.chart_grid.removeWidget(widget)
            widget.setVisible(key in shown)
        for n, key in enumerate(shown):
            lone = n == len(shown) - 1 and n % 2 == 0
            self.chart_grid.addWidget(self.plot_widgets[key], n // 2, n % 2, 1, 2 if lone else 1)
        for row in range(4):
            self.chart_grid.setRowStretch(row, 1 if row < (len(shown) + 1) // 2 else 0)

    def draw(
        self,
        definition: ExerciseDef,
        data: ChartData,
        pain_sessions: list[SessionSummary],
        since: date | None,
        until: date,
        range_label: str,
    ) -> None:
        """Draw one exercise's ``data`` and the pain of ``pain_sessions`` over ``since``..``until``.

        ``range_label`` names the range in the line under the charts ("last 30 days").
        """
        x = np.array([day_x(d) for d in data.days], dtype=float)
        nothing = np.array([], dtype=float)

        def arr(values: list) -> np.ndarray:
            return np.array(values, dtype=float)

        def show(curve: pg.PlotDataItem, values: list[float], wanted: bool = True) -> bool:
            y = arr(values)
            if not wanted or not np.isfinite(y).any():  # nothing to draw (pyqtgraph warns on all-NaN)
                curve.setData(nothing, nothing)
                return False
            curve.setData(x, y, connect="finite")
            return True

        one_sided = definition.unilateral
        if one_sided:
            self.bars_both.setOpts(x=nothing, height=nothing)
            self.bars_left.setOpts(x=x, height=arr(data.reps_left))
            self.bars_right.setOpts(x=x, y0=arr(data.reps_left), height=arr(data.reps_right))
        else:
            self.bars_left.setOpts(x=nothing, height=nothing)
            self.bars_right.setOpts(x=nothing, y0=nothing, height=nothing)
            self.bars_both.setOpts(x=x, height=arr(data.reps))
        has: dict[str, bool] = {"reps": bool(data.days)}
        has["hold"] = show(self.hold_curve, data.hold_s) and definition.hold_target_s is not None
        has["peak"] = any(
            [
                show(self.peak_curve, data.peak_deg, not one_sided),
                show(self.peak_left_curve, data.peak_left_deg, one_sided),
                show(self.peak_right_curve, data.peak_right_deg, one_sided),
            ]
        )
        has["faults"] = show(self.fault_curve, data.faults_per_rep)
        has["asym"] = any(
            [
                show(self.peak_asym_curve, data.peak_asymmetry_pct, one_sided),
                show(self.count_asym_curve, data.count_asymmetry_pct, one_sided),
            ]
        )
        has["pain"] = self._draw_pain(pain_sessions)
        self._set_title("reps", "Reps per day", (("left", LEFT), ("right, on top", RIGHT)) if one_sided else ())
        self._set_title("pain", "Pain per session (0–10)", (("○ before", PAIN_BEFORE), ("● after", PAIN_AFTER)))
        self._set_title("peak", "Range of motion (mean peak)", (("left", LEFT), ("right", RIGHT)) if one_sided else ())
        self._set_title("faults", "Form faults per rep")
        self._set_title("asym", "Left vs right (+: left larger)", (("range", WARN), ("reps", COUNT_ASYM_COLOUR)))
        has_hold = definition.hold_target_s is not None
        self.hold_target.setVisible(has_hold)
        if has_hold:
            self.hold_target.setValue(definition.hold_target_s)
            self._set_title("hold", f"Hold time (mean; target {definition.hold_target_s:g} s)")
        self._lay_out_charts([key for key, _ in CHART_UNITS if has[key]])
        self.nothing_note.setText(self._nothing_text(has, definition))
        self.nothing_note.setVisible(bool(self.nothing_note.text()))
        self._fit_ranges(since, until, data, definition.hold_target_s)
        self.chart_note.setText(
            f"{definition.title}: {sum(data.reps)} reps on {len(data.days)} day(s), {range_label}."
            if data.days
            else f"No {definition.title.lower()} {range_label}. Pick another exercise or a longer range."
        )

    def _nothing_text(self, has: dict[str, bool], definition: ExerciseDef) -> str:
        """One line naming the charts left out, and why when the exercise itself has none."""
        why = {
            "hold": "this exercise has no hold" if definition.hold_target_s is None else "",
            "asym": "both sides move together" if not definition.unilateral else "",
        }
        missing = [
            CHART_NAMES[key] + (f" ({why[key]})" if why.get(key) else "") for key, _ in CHART_UNITS if not has[key]
        ]
        if not missing:
            return ""
        return "Nothing to chart yet: " + "; ".join(missing) + "."

    def _draw_pain(self, rows: list[SessionSummary]) -> bool:
        """Pain before and after each of ``rows`` (sessions with a score, any exercise); False when there are none."""
        self.pain_sessions = rows
        self.pain_x = [session_x(s.started_at) for s in rows]
        x = np.array(self.pain_x, dtype=float)
        before = np.array([_num(s.pain_before) for s in rows], dtype=float)
        after = np.array([_num(s.pain_after) for s in rows], dtype=float)
        nothing = np.array([], dtype=float)
        for curve, y in ((self.pain_before_curve, before), (self.pain_after_curve, after)):
            keep = np.isfinite(y)
            if keep.any():
                curve.setData(x[keep], y[keep])
            else:
                curve.setData(nothing, nothing)
        both = np.isfinite(before) & np.isfinite(after)
        if both.any():  # x0, x0, x1, x1, ... against before0, after0, before1, after1, ...
            self.pain_change.setData(
                np.repeat(x[both], 2), np.column_stack([before[both], after[both]]).ravel(), connect="pairs"
            )
        else:
            self.pain_change.setData(nothing, nothing)
        return bool(rows)

    def _fit_ranges(self, since: date | None, until: date, data: ChartData, hold_target_s: float | None) -> None:
        first = since if since is not None else (data.days[0] if data.days else until)
        x0, x1 = day_x(first) - 0.6 * DAY_S, day_x(until) + 0.6 * DAY_S

        def top(*series: list[float]) -> float:
            return max([v for values in series for v in values if not math.isnan(v)], default=0.0)

        tops = {
            "reps": top(data.reps),
            "hold": max(top(data.hold_s), hold_target_s or 0.0),
            "faults": max(1.0, top(data.faults_per_rep)),
            "pain": 10.0,
        }
        for key, plot in self.plots.items():
            plot.setXRange(x0, x1, padding=0)
            if key == "asym":
                worst = max(top([abs(v) for v in data.peak_asymmetry_pct + data.count_asymmetry_pct]), 0.0)
                span = max(20.0, worst * 1.2)
                plot.setYRange(-span, span, padding=0)
            elif key == "peak":  # angles: zoom on the data, so a few degrees gained are visible
                values = [
                    v
                    for series in (data.peak_deg, data.peak_left_deg, data.peak_right_deg)
                    for v in series
                    if not math.isnan(v)
                ]
                low, high = (min(values), max(values)) if values else (0.0, 90.0)
                pad = max(5.0, 0.15 * (high - low))
                plot.setYRange(max(0.0, low - pad), high + pad, padding=0)
            elif key == "pain":
                plot.setYRange(-0.3, 10.3, padding=0)
            else:
                plot.setYRange(0, max(1.0, tops[key] * 1.15), padding=0)
