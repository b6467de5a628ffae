"""The review's rep table: every counted rep and every movement that did not count, with why.

The rows are ``app.review_data.review_rows`` (counted reps and not-counted movements in time
order, the last column saying why; with Auto, grouped under a heading row per segment of a routine);
this widget only shows them and finds the one at a time.
"""

from __future__ import annotations

from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from app.gui.replay_timeline import PARTIAL, exercise_colour, side_colour
from app.gui.style import MUTED, big_font
from app.review_data import REVIEW_COLUMNS

HEADERS = {
    "index": "#",
    "side": "side",
    "start_s": "start s",
    "end_s": "end s",
    "duration_s": "time s",
    "peak_angle_deg": "peak °",
    "hold_s": "hold s",
    "faults": "form",
    "result": "counted?",
}


class RepTable(QTableWidget):
    """One row per movement; a movement that did not count is greyed, its reason in the last column."""

    def __init__(self) -> None:
        super().__init__(0, len(REVIEW_COLUMNS))
        self.rows: list[dict] = []
        self.setHorizontalHeaderLabels([HEADERS[c] for c in REVIEW_COLUMNS])
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

    def fill(self, rows: list[dict]) -> None:
        self.rows = rows
        self.clearSpans()
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            if "heading" in row:
                self._fill_heading(r, row)
                continue
            for c, key in enumerate(REVIEW_COLUMNS):
                value = row[key]
                item = QTableWidgetItem(f"{value:.2f}" if isinstance(value, float) else str(value))
                if key == "side" and value:
                    item.setForeground(side_colour(value))
                elif not row["counted"]:
                    item.setForeground(PARTIAL if key == "result" else MUTED)
                if key == "result":
                    item.setToolTip(value)
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        header = self.horizontalHeader()  # the reason column takes the room that is left
        header.setSectionResizeMode(len(REVIEW_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def _fill_heading(self, r: int, row: dict) -> None:
        """A segment's heading (Auto): its words across the row, on its exercise's colour."""
        item = QTableWidgetItem(row["heading"])
        item.setFont(big_font(11))
        item.setForeground(QColor(20, 20, 20))
        item.setBackground(exercise_colour(row["exercise"]))
        self.setItem(r, 0, item)
        for c in range(1, len(REVIEW_COLUMNS)):
            self.setItem(r, c, QTableWidgetItem(""))
        self.setSpan(r, 0, 1, len(REVIEW_COLUMNS))

    def clear_rows(self) -> None:
        self.rows = []
        self.clearSpans()
        self.setRowCount(0)

    def select_at(self, t_s: float) -> None:
        """Select the row whose movement spans ``t_s`` (none when nothing does; never a heading)."""
        for row, rep in enumerate(self.rows):
            if "heading" not in rep and rep["start_s"] <= t_s <= rep["end_s"]:
                if self.currentRow() != row:
                    self.selectRow(row)
                return
        self.clearSelection()
