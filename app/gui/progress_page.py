"""The Progress tab: per-exercise charts over time, a calendar of days trained, and recent sessions.

The page only renders what ``app.coach.progress`` computes from the history database; it holds no
state of its own beyond the chosen exercise and date range. ``refresh()`` re-reads everything
(the window calls it when a session ends and after the data was deleted).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QDate, Qt
from PyQt6.QtGui import QBrush, QColor, QTextCharFormat
from PyQt6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.coach import progress
from app.coach import store as store_mod
from app.gui.widgets import BAD, GOOD, LEFT, RIGHT, WARN, big_font
from exercises.registry import EXERCISE_IDS, get_exercise

log = logging.getLogger(__name__)

# (label, days back including today); None = everything
RANGES: tuple[tuple[str, int | None], ...] = (
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("All time", None),
)
DAY_S = 86400.0
TRAINED = QColor(60, 160, 95)
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
RECENT_SESSIONS = 30

# What the session table shows: returns (the connection, the profile id) or None when no history is open.
HistoryProvider = Callable[[], "tuple[object, int] | None"]


def day_x(day: date) -> float:
    """The chart's x for a day: local noon as epoch seconds, so a day's bar sits in the middle of its day."""
    return datetime.combine(day, time(12, 0)).timestamp()


def range_bounds(days_back: int | None, today: date) -> tuple[date | None, date]:
    """``since``/``until`` (inclusive) for "the last N days including today"; ``since`` None means all."""
    return (None if days_back is None else today - timedelta(days=days_back - 1)), today


@dataclass
class ChartData:
    """The numbers behind the five charts, one entry per day the exercise was done (oldest first).

    Asymmetries are signed percentages of the larger side: + means more on the left, - more on
    the right (their size is ``progress.asymmetry_ratio``); NaN where there is nothing to compare.
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
    def from_stats(cls, stats: list[progress.DayStat], unilateral: bool) -> ChartData:
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
    """``progress.asymmetry_ratio`` as a percentage, signed: + when the left is larger, - when the right is."""
    ratio = progress.asymmetry_ratio(left, right)
    if ratio is None or left is None or right is None:
        return math.nan
    return 100.0 * ratio * (1.0 if abs(left) >= abs(right) else -1.0)


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


class ProgressPage(QWidget):
    """Exercise chooser + date range; charts; calendar of days trained; recent sessions.

    ``history`` returns ``(connection, profile_id)`` of the open store, or None while there is none;
    it may raise the store's :class:`~app.coach.store.StoreError`. A history that cannot be read
    shows its one-sentence message in place of the charts (``problem_text``), never a traceback.
    """

    def __init__(
        self, history: HistoryProvider, parent: QWidget | None = None, today: Callable[[], date] = date.today
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._today = today
        self.data = ChartData()
        self.trained_days: set[date] = set()
        self._highlighted: set[date] = set()
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.setStyleSheet("QLabel { color: #e6e6e6; }")
        font = big_font(12, bold=False)
        top = QHBoxLayout()
        title = QLabel("Your progress")
        title.setFont(big_font(16))
        self.exercise_box = QComboBox()
        self.exercise_box.setFont(font)
        for ex_id in EXERCISE_IDS:
            self.exercise_box.addItem(get_exercise(ex_id).title, ex_id)
        self.range_box = QComboBox()
        self.range_box.setFont(font)
        for label, days in RANGES:
            self.range_box.addItem(label, days)
        self.range_box.setCurrentIndex(1)
        top.addWidget(title)
        top.addStretch(1)
        for text, box in (("Exercise:", self.exercise_box), ("Show:", self.range_box)):
            label = QLabel(text)
            label.setFont(font)
            top.addWidget(label)
            top.addWidget(box)
        self.exercise_box.currentIndexChanged.connect(lambda _i: self._guarded(self._refresh_charts))
        self.range_box.currentIndexChanged.connect(lambda _i: self._guarded(self._refresh_charts))

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
        self.pain_sessions: list[progress.SessionSummary] = []
        self.chart_note = QLabel("")
        self.chart_note.setFont(font)
        self.chart_note.setWordWrap(True)
        self.nothing_note = QLabel("")  # one line for the charts collapsed because they have nothing yet
        self.nothing_note.setFont(big_font(11, bold=False))
        self.nothing_note.setStyleSheet("QLabel { color: #a8a8a8; }")
        self.nothing_note.setWordWrap(True)

        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        today = self._today()
        self.calendar.setMaximumDate(QDate(today.year, today.month, today.day))
        self.calendar.setSelectedDate(QDate(today.year, today.month, today.day))  # opens on today's month
        self.calendar.setMinimumWidth(340)
        self.calendar.currentPageChanged.connect(lambda _y, _m: self._update_days_label())
        self.days_label = QLabel("")
        self.days_label.setFont(big_font(13))
        self.days_label.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        # pain before the exercise list: the list is the column that may be cut short
        self.table.setHorizontalHeaderLabels(["Date", "Reps", "Pain", "Exercises (reps)"])
        self.table.horizontalHeaderItem(2).setToolTip("Pain from 0 to 10: before the session → after it")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)  # one line per session; the full list is in the tooltip
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        recent = QLabel("Recent sessions")
        recent.setFont(big_font(13))

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.calendar)
        side_layout.addWidget(self.days_label)
        side_layout.addWidget(recent)
        side_layout.addWidget(self.table, 1)
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.charts, 1)
        chart_layout.addWidget(self.nothing_note)
        chart_layout.addWidget(self.chart_note)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(chart_box)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([900, 460])

        self.empty = QLabel(
            "No sessions yet.\n\nYour reps, holds and range of motion will show up here "
            "after your first session.\nStart one on the Coach tab."
        )
        self.empty.setFont(big_font(18, bold=False))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.problem = QLabel("")
        self.problem.setFont(big_font(16, bold=False))
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        full = QWidget()
        full_layout = QVBoxLayout(full)
        full_layout.setContentsMargins(0, 0, 0, 0)
        full_layout.addLayout(top)
        full_layout.addWidget(split, 1)
        self.stack.addWidget(full)
        self.stack.addWidget(self.problem)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

    # ------------------------------------------------------------------ state
    @property
    def exercise_id(self) -> str:
        return self.exercise_box.currentData()

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    @property
    def problem_text(self) -> str:
        """The message shown instead of the charts when the history cannot be read ('' when all is well)."""
        return self.problem.text() if self.stack.currentWidget() is self.problem else ""

    def set_exercise(self, exercise_id: str) -> None:
        self.exercise_box.setCurrentIndex(EXERCISE_IDS.index(exercise_id))

    def set_range(self, days_back: int | None) -> None:
        self.range_box.setCurrentIndex([d for _label, d in RANGES].index(days_back))

    def refresh(self) -> None:
        """Re-read the history: calendar, day counts, session table and the charts."""
        self._guarded(self._refresh)

    def _guarded(self, read: Callable[[], None]) -> None:
        """Run a read of the history; a damaged, busy or missing one shows its sentence instead."""
        try:
            read()
        except store_mod.StoreError as exc:
            self._show_problem(str(exc))
        except sqlite3.Error as exc:
            log.warning("reading the history for the progress page failed: %s", exc)
            self._show_problem(str(store_mod.explain(exc)))

    def _show_problem(self, sentence: str) -> None:
        self.trained_days = set()
        self.data = ChartData()
        self.table.setRowCount(0)
        self.problem.setText(f"Your progress cannot be shown: {sentence}.")
        self.stack.setCurrentWidget(self.problem)

    def _refresh(self) -> None:
        opened = self._history()
        if opened is None:
            self._show_empty()
            return
        conn, profile_id = opened
        self.trained_days = set(progress.days_trained(conn, profile_id, None, None))
        if not self.trained_days:
            self._show_empty()
            return
        self.stack.setCurrentIndex(1)
        self._refresh_calendar()
        self._refresh_sessions(conn, profile_id)
        self._refresh_charts()

    def _show_empty(self) -> None:
        self.trained_days = set()
        self.data = ChartData()
        self._refresh_calendar()
        self.table.setRowCount(0)
        self.stack.setCurrentWidget(self.empty)

    # ------------------------------------------------------------------ calendar and sessions
    def _refresh_calendar(self) -> None:
        plain = QTextCharFormat()
        for day in self._highlighted - self.trained_days:
            self.calendar.setDateTextFormat(QDate(day.year, day.month, day.day), plain)
        marked = QTextCharFormat()
        marked.setBackground(QBrush(TRAINED))
        marked.setForeground(QBrush(QColor(255, 255, 255)))
        marked.setFontWeight(700)
        for day in self.trained_days:
            self.calendar.setDateTextFormat(QDate(day.year, day.month, day.day), marked)
        self._highlighted = set(self.trained_days)
        self._update_days_label()

    def _update_days_label(self) -> None:
        """Days trained in the month the calendar shows (and this week, while that is this month)."""
        today = self._today()
        year, month = self.calendar.yearShown(), self.calendar.monthShown()
        in_month = progress.days_in_month(self.trained_days, year, month, until=today)
        if (year, month) == (today.year, today.month):
            week_start = today - timedelta(days=today.weekday())
            week = sum(1 for d in self.trained_days if week_start <= d <= today)
            self.days_label.setText(f"Days trained: {week} this week · {in_month} this month")
        else:
            self.days_label.setText(f"Days trained in {date(year, month, 1):%B %Y}: {in_month}")

    def highlighted_days(self) -> set[date]:
        """The days the calendar shows as trained (read back from the widget, for tests)."""
        return {
            date(q.year(), q.month(), q.day())
            for q, fmt in self.calendar.dateTextFormat().items()
            if fmt.background().color() == TRAINED
        }

    def _refresh_sessions(self, conn, profile_id: int) -> None:
        # sessions that failed to start (no frames, no reps) are no training: left out
        rows = list(reversed(progress.trained_sessions(conn, profile_id)))[:RECENT_SESSIONS]
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            per_exercise = progress.daily_stats(conn, profile_id, session_id=row.id)
            done = ", ".join(f"{progress.title(d.exercise)} {d.reps}" for d in per_exercise)
            pain = f"{_pain(row.pain_before)} → {_pain(row.pain_after)}"
            if row.sharp_pain:
                pain += " · sharp pain"
            cells = (_when(row.started_at, self._today().year), str(row.reps), pain, done or "–")
            # the article's stop rule: pain up by 2 or more, or sharp pain
            worse = bool(row.sharp_pain) or (row.pain_change is not None and row.pain_change >= 2)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == 2 and worse:
                    item.setForeground(QBrush(QColor(190, 40, 30)))
                    item.setToolTip(
                        "Pain rose or was sharp in this session: the coach stopped the exercise and "
                        "suggested easier targets next time."
                    )
                if c == 3:
                    item.setToolTip(text)
                self.table.setItem(r, c, item)

    # ------------------------------------------------------------------ charts
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

    def _refresh_charts(self) -> None:
        opened = self._history()
        if opened is None:
            return
        conn, profile_id = opened
        definition = get_exercise(self.exercise_id)
        since, until = range_bounds(self.range_box.currentData(), self._today())
        stats = progress.daily_stats(conn, profile_id, exercise=self.exercise_id, since=since, until=until)
        self.data = data = ChartData.from_stats(stats, definition.unilateral)
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
        has["pain"] = self._refresh_pain(conn, profile_id, since, until)
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
        label = self.range_box.currentText().lower()
        self.chart_note.setText(
            f"{definition.title}: {sum(data.reps)} reps on {len(data.days)} day(s), {label}."
            if data.days
            else f"No {definition.title.lower()} {label}. Pick another exercise or a longer range."
        )

    def _nothing_text(self, has: dict[str, bool], definition) -> str:
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

    def _refresh_pain(self, conn, profile_id: int, since: date | None, until: date) -> bool:
        """Pain before and after each session in the range (any exercise); False when none has a score."""
        rows = [
            s
            for s in progress.trained_sessions(conn, profile_id, since, until)
            if s.pain_before is not None or s.pain_after is not None
        ]
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


def _when(started_at: str, this_year: int) -> str:
    """``Sat 14 Nov, 23:50`` (with the year when it is not this year)."""
    try:
        when = datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return str(started_at)
    return when.strftime("%a %d %b, %H:%M" if when.year == this_year else "%a %d %b %Y, %H:%M")


def _pain(score: int | None) -> str:
    return "–" if score is None else str(score)
