"""The Progress tab: per-exercise charts over time, a calendar of days trained, and recent sessions.

The page only renders what ``app.coach.store.progress`` computes from the history database; it holds no
state of its own beyond the chosen exercise and date range. The charts themselves are drawn by
``app.gui.progress_charts``. ``refresh()`` re-reads everything (the window calls it when a
session ends and after the data was deleted). A session with recorded sets offers "Review recording"
(``recording_chosen`` carries the :class:`~app.coach.recordings.Recording`; the window opens the review).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from PyQt6.QtCore import QDate, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QTextCharFormat
from PyQt6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.coach import recordings
from app.coach import store as store_mod
from app.coach.store import progress
from app.coach.store.reads import database_file
from app.gui.progress_charts import ChartData, ProgressCharts
from app.gui.style import big_font
from exercises.registry import EXERCISE_IDS, get_exercise

log = logging.getLogger(__name__)

# (label, days back including today); None = everything
RANGES: tuple[tuple[str, int | None], ...] = (
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("All time", None),
)
TRAINED = QColor(60, 160, 95)
RECENT_SESSIONS = 30

# What the session table shows: returns (the connection, the profile id) or None when no history is open.
HistoryProvider = Callable[[], "tuple[object, int] | None"]


def range_bounds(days_back: int | None, today: date) -> tuple[date | None, date]:
    """``since``/``until`` (inclusive) for "the last N days including today"; ``since`` None means all."""
    return (None if days_back is None else today - timedelta(days=days_back - 1)), today


class ProgressPage(QWidget):
    """Exercise chooser + date range; charts; calendar of days trained; recent sessions.

    ``history`` returns ``(connection, profile_id)`` of the open store, or None while there is none;
    it may raise the store's :class:`~app.coach.store.StoreError`. A history that cannot be read
    shows its one-sentence message in place of the charts (``problem_text``), never a traceback.
    """

    recording_chosen = pyqtSignal(object)  # the Recording to review

    def __init__(
        self, history: HistoryProvider, parent: QWidget | None = None, today: Callable[[], date] = date.today
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._today = today
        self.data = ChartData()
        self.trained_days: set[date] = set()
        self._highlighted: set[date] = set()
        self.session_recordings: dict[int, list[recordings.Recording]] = {}  # by table row
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

        self.chart_panel = ProgressCharts()

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
        self.table = QTableWidget(0, 5)
        # pain before the exercise list: the list is the column that may be cut short
        self.table.setHorizontalHeaderLabels(["Date", "Reps", "Pain", "Exercises (reps)", "Recording"])
        self.table.horizontalHeaderItem(2).setToolTip("Pain from 0 to 10: before the session → after it")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)  # one line per session; the full list is in the tooltip
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 2, 4):
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
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.chart_panel)
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
        folder = _recordings_folder(conn)
        self.session_recordings = {}
        for r, row in enumerate(rows):
            found = recordings.for_session(folder, row.id) if folder is not None else []
            self.table.setCellWidget(r, 4, self._review_button(r, found) if found else None)
            if found:
                self.session_recordings[r] = found
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

    def _review_button(self, row: int, found: list[recordings.Recording]) -> QPushButton:
        """ "Review recording": the set's video; a menu of them when the session recorded several sets."""
        button = QPushButton("Review recording" if len(found) == 1 else f"Review recording ({len(found)})")
        if len(found) == 1:
            button.clicked.connect(lambda: self.review_recording(row))
        else:
            menu = QMenu(button)
            for i, rec in enumerate(found):
                text = f"{progress.title(rec.exercise_id)}, {rec.started:%H:%M}"
                menu.addAction(text).triggered.connect(lambda _c=False, i=i: self.review_recording(row, i))
            button.setMenu(menu)
        return button

    def review_recording(self, row: int, index: int = 0) -> None:
        """Open the review of the ``index``-th recorded set of the session in table row ``row``."""
        self.recording_chosen.emit(self.session_recordings[row][index])

    # ------------------------------------------------------------------ charts
    def _refresh_charts(self) -> None:
        opened = self._history()
        if opened is None:
            return
        conn, profile_id = opened
        definition = get_exercise(self.exercise_id)
        since, until = range_bounds(self.range_box.currentData(), self._today())
        stats = progress.daily_stats(conn, profile_id, exercise=self.exercise_id, since=since, until=until)
        self.data = ChartData.from_stats(stats, definition.unilateral)
        pain_sessions = [
            s
            for s in progress.trained_sessions(conn, profile_id, since, until)
            if s.pain_before is not None or s.pain_after is not None
        ]
        label = self.range_box.currentText().lower()
        self.chart_panel.draw(definition, self.data, pain_sessions, since, until, label)


def _when(started_at: str, this_year: int) -> str:
    """``Sat 14 Nov, 23:50`` (with the year when it is not this year)."""
    try:
        when = datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return str(started_at)
    return when.strftime("%a %d %b, %H:%M" if when.year == this_year else "%a %d %b %Y, %H:%M")


def _recordings_folder(conn) -> Path | None:
    """The recordings folder beside the history this connection reads (None for an in-memory one)."""
    main = database_file(conn)
    return recordings.folder_in(Path(main).parent) if main else None


def _pain(score: int | None) -> str:
    return "–" if score is None else str(score)
