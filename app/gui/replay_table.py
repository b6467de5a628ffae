"""The review's rep table: every counted rep and every movement that did not count, with why.

The rows are ``app.review_data.review_rows`` (counted reps and not-counted movements in time
order, the last column saying why); this widget only shows them and finds the one at a time.
"""

from __future__ import annotations

from PyQt6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from app.gui.replay_timeline import PARTIAL, side_colour
from app.gui.style import MUTED
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
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
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

    def clear_rows(self) -> None:
        self.rows = []
        self.setRowCount(0)

    def select_at(self, t_s: float) -> None:
        """Select the row whose movement spans ``t_s`` (none when nothing does)."""
        for row, rep in enumerate(self.rows):
            if rep["start_s"] <= t_s <= rep["end_s"]:
                if self.currentRow() != row:
                    self.selectRow(row)
                return
        self.clearSelection()
