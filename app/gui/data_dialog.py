"""File ▸ Export report… and Help ▸ Where is my data?

The report is written by ``app.coach.report.write_report`` on a worker thread with its own
read-only store (``HistoryStore.open(read_only=True)``: checked, never changed; WAL lets the window
keep writing meanwhile), so the window never blocks while a PDF is drawn. History errors reach
the dialog as the store's one sentence.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from PyQt6.QtCore import QDate, QUrl, pyqtSignal
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.worker import GeneratorWorker

log = logging.getLogger(__name__)

FORMATS: tuple[tuple[str, str, str], ...] = (
    # (suffix, menu text, file-dialog filter)
    ("html", "HTML page (with charts)", "HTML (*.html)"),
    ("pdf", "PDF document", "PDF (*.pdf)"),
    ("csv", "CSV table (every rep)", "CSV (*.csv)"),
    ("json", "JSON data", "JSON (*.json)"),
)


def write_report_items(
    db_path: Path,
    profile_id: int,
    out: Path,
    since: date | None,
    until: date | None,
    session_id: int | None,
    per_rep: bool = False,
) -> Iterator[Path]:
    """Worker body: open a read-only store of this thread, write the report, yield its path."""
    from app.coach.report import write_report
    from app.coach.store import HistoryStore, explain

    store = HistoryStore.open(db_path, read_only=True)
    try:
        write_report(
            store.connection, profile_id, out, since=since, until=until, session_id=session_id, per_rep=per_rep
        )
    except sqlite3.Error as exc:
        raise explain(exc, Path(db_path)) from None
    finally:
        store.close()
    yield out


class ExportDialog(QDialog):
    """Choose what (the last session, a date range, everything) and a format; save where the user says.

    ``saved`` carries the written file, ``failed`` a one-line message.
    """

    saved = pyqtSignal(Path)
    failed = pyqtSignal(str)

    def __init__(self, store, profile_id: int, parent: QWidget | None = None, session_id: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a report")
        self.store = store
        self.profile_id = profile_id
        self.worker: GeneratorWorker | None = None
        self.output: Path | None = None
        latest = store.last_session(profile_id)
        self.session_id = session_id if session_id is not None else (latest[0] if latest else None)
        start = store.programme_start(profile_id) or date.today()

        what = QGroupBox("What to export")
        what_layout = QVBoxLayout(what)
        self.scope = QButtonGroup(self)
        when = f" ({_when(latest[1])})" if latest and self.session_id == latest[0] else ""
        self.this_session = QRadioButton(f"The last session{when}")
        self.this_session.setEnabled(self.session_id is not None)
        self.date_range = QRadioButton("A date range:")
        self.everything = QRadioButton("Everything")
        self.since_edit = QDateEdit(QDate(start.year, start.month, start.day))
        self.until_edit = QDateEdit(QDate.currentDate())
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(lambda _d: self.date_range.setChecked(True))
        range_row = QHBoxLayout()
        range_row.addWidget(self.date_range)
        range_row.addWidget(self.since_edit)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.until_edit)
        range_row.addStretch(1)
        for i, button in enumerate((self.this_session, self.date_range, self.everything)):
            self.scope.addButton(button, i)
        what_layout.addWidget(self.this_session)
        what_layout.addLayout(range_row)
        what_layout.addWidget(self.everything)
        (self.this_session if self.session_id is not None else self.everything).setChecked(True)

        form = QFormLayout()
        self.format_box = QComboBox()
        for suffix, text, _filter in FORMATS:
            self.format_box.addItem(text, suffix)
        form.addRow("Format:", self.format_box)
        # Off by default: every rep runs a two-week PDF from 5 pages to 14; the summary comes first anyway.
        self.per_rep_box = QCheckBox("Include every rep (a long table at the end)")
        self.per_rep_box.setToolTip(
            "The HTML and PDF reports start with a one-page summary; this adds a row per "
            "counted rep after everything else. CSV always has every rep."
        )
        form.addRow("", self.per_rep_box)
        self.format_box.currentIndexChanged.connect(lambda _i: self._format_changed())

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # a busy indicator: no percentage to report
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_file)
        self.open_button = QPushButton("Open")
        self.open_button.hide()
        self.open_button.clicked.connect(self.open_output)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(540, self.sizeHint().height())

    # ------------------------------------------------------------------ choices
    def set_scope(self, scope: str, since: date | None = None, until: date | None = None) -> None:
        """``session``, ``range`` (with ``since``/``until``) or ``all``."""
        if scope == "range":
            if since is not None:
                self.since_edit.setDate(QDate(since.year, since.month, since.day))
            if until is not None:
                self.until_edit.setDate(QDate(until.year, until.month, until.day))
        {"session": self.this_session, "range": self.date_range, "all": self.everything}[scope].setChecked(True)

    def set_format(self, suffix: str) -> None:
        self.format_box.setCurrentIndex([f[0] for f in FORMATS].index(suffix))

    def _format_changed(self) -> None:
        # CSV is one row per rep and JSON holds everything: the choice only shapes HTML and PDF.
        self.per_rep_box.setEnabled(self.format_box.currentData() in ("html", "pdf"))

    def selection(self) -> dict:
        """``write_report``'s keyword arguments for the current choice."""
        if self.this_session.isChecked():
            return {"since": None, "until": None, "session_id": self.session_id}
        if self.date_range.isChecked():
            return {
                "since": self.since_edit.date().toPyDate(),
                "until": self.until_edit.date().toPyDate(),
                "session_id": None,
            }
        return {"since": None, "until": None, "session_id": None}

    def suggested_name(self) -> str:
        suffix = self.format_box.currentData()
        sel = self.selection()
        if sel["session_id"] is not None:
            return f"hipcoach_session_{sel['session_id']}.{suffix}"
        if sel["since"] is not None:
            return f"hipcoach_{sel['since']:%Y-%m-%d}_to_{sel['until']:%Y-%m-%d}.{suffix}"
        return f"hipcoach_report_{date.today():%Y-%m-%d}.{suffix}"

    # ------------------------------------------------------------------ export
    def choose_file(self) -> None:
        suffix = self.format_box.currentData()
        filt = next(f[2] for f in FORMATS if f[0] == suffix)
        target, _ = QFileDialog.getSaveFileName(self, "Save the report", str(Path.home() / self.suggested_name()), filt)
        if target:
            out = Path(target)
            if out.suffix.lower() != f".{suffix}":
                out = out.with_name(out.name + f".{suffix}")
            self.export_to(out)

    def export_to(self, out: Path) -> None:
        """Write the report to ``out`` in the background (the format follows its suffix)."""
        sel = self.selection()
        if sel["since"] is not None and sel["since"] > sel["until"]:
            self._failed("The start date is after the end date.")
            return
        self.output = Path(out)
        self.export_button.setEnabled(False)
        self.open_button.hide()
        self.busy.show()
        self.status.setText(f"Writing {self.output.name} …")
        per_rep = self.per_rep_box.isChecked()
        if self.worker is not None:
            # 'finished' (which enables Export again) comes just before the last export's thread ends;
            # dropping a QThread that still runs aborts the program, so let it end first.
            self.worker.wait(30000)
        worker = GeneratorWorker(
            lambda: write_report_items(
                Path(self.store.path),
                self.profile_id,
                self.output,
                sel["since"],
                sel["until"],
                sel["session_id"],
                per_rep,
            )
        )
        worker.yielded.connect(self._saved)
        worker.errored.connect(self._failed)
        worker.finished.connect(self._finished)
        self.worker = worker
        worker.start()

    def _saved(self, path: Path) -> None:
        self.status.setText(f"Saved to {path}")
        self.open_button.show()
        self.saved.emit(Path(path))

    def _failed(self, message: str) -> None:
        self.status.setText(f"Could not write the report: {message}")
        self.failed.emit(message)

    def _finished(self) -> None:
        self.busy.hide()
        self.export_button.setEnabled(True)

    def open_output(self) -> bool:
        return self.output is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.output)))

    def done(self, result: int) -> None:  # noqa: D102 (Qt API): let a running export finish first
        if self.worker is not None and self.worker.thread is not None and self.worker.thread.isRunning():
            self.worker.wait(30000)
        super().done(result)


def show_data_location(parent: QWidget, folder: Path) -> None:
    """Help ▸ Where is my data?: the folder, what is kept there, and a button to open it."""
    box = QMessageBox(parent)
    box.setWindowTitle("Where is my data?")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(f"Your exercise history is kept on this computer only, in:\n\n{folder}")
    box.setInformativeText(
        "It holds your sessions and every counted rep, pain scores, screening answers, "
        "calibration and settings. Nothing is sent anywhere. Videos are kept only if you "
        "turn on “Record video of my sessions” (Tools ▸ Settings), where you can also "
        "delete it all."
    )
    open_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _when(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).strftime("%d %b %Y, %H:%M")
    except ValueError:
        return started_at
