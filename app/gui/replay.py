"""Replay review: a recorded video analysed in the background, with timeline, rep table and angle plot.

The review explains itself: the plot names what it measures and the band a rep must cross; every
movement that looked like a rep and did not count is on the timeline, the plot and in the table
with its reason; the spans when the camera could not count say why. All words come from
:mod:`app.review_data` (which reads the one vocabulary in :mod:`exercises.events`).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QPainter, QPen
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.analysis import ClipAnalysis
from app.annotate import status_words
from app.coach.report import fault_word
from app.gui.live import SIGNAL_CAPTIONS
from app.gui.widgets import BAD, GOOD, LEFT, MUTED, RIGHT, WARN, VideoView, big_font
from app.gui.worker import GeneratorWorker
from app.review_data import (
    REVIEW_COLUMNS,
    AnalysisDone,
    ReplayFrame,
    analysis_items,
    export_annotated,
    note_words,
    partial_words,
    plot_title,
    review_rows,
    write_report_json,
    write_reps_csv,
)
from exercises.registry import EXERCISE_IDS, get_exercise

log = logging.getLogger(__name__)

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0)
BOTH = QColor(90, 200, 120)
PARTIAL = WARN  # a movement that did not count: hatched, so it never reads as a right-side rep
NOTE = QColor(120, 160, 230)
CURVE = QColor(120, 200, 255)
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


def side_colour(side: str | None) -> QColor:
    return LEFT if side == "left" else RIGHT if side == "right" else BOTH


def swatch(colour: QColor, glyph: str = "■") -> str:
    return f'<span style="color:{colour.name()}">{glyph}</span>'


def caption_for(exercise_id: str) -> str:
    signal = get_exercise(exercise_id).signal
    return SIGNAL_CAPTIONS.get(signal, signal.replace("_", " "))


def timeline_legend(unilateral: bool) -> str:
    reps = f"{swatch(LEFT)} {swatch(RIGHT)} counted rep (left, right)" if unilateral else f"{swatch(BOTH)} counted rep"
    return (
        "   ".join(
            (
                reps,
                f"{swatch(PARTIAL, '▨')} moved, not counted",
                f"{swatch(BAD, '●')} form to check",
                f"{swatch(MUTED, '▬')} camera could not count",
                f"{swatch(NOTE, '▬')} note",
            )
        )
        + "   (point at the timeline to see why)"
    )


class Timeline(QWidget):
    """Reps as segments (coloured by side), movements that did not count hatched, faults as red
    markers, not-counting spans in grey, notes in blue, the playhead.

    Clicking or dragging jumps there (``seek`` in seconds); pointing shows what is there in words
    (:meth:`describe_at`).
    """

    seek = pyqtSignal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(64)
        self.setMouseTracking(True)
        self.duration_s = 0.0
        self.analysed_s = 0.0
        self.position_s = 0.0
        self.reps: list[dict] = []
        self.faults: list[dict] = []
        self.status: list[dict] = []
        self.partials: list[dict] = []
        self.notes: list[dict] = []

    def set_data(
        self,
        reps: list[dict],
        faults: list[dict],
        status: list[dict],
        partials: list[dict] = (),
        notes: list[dict] = (),
    ) -> None:
        self.reps, self.faults, self.status = list(reps), list(faults), list(status)
        self.partials, self.notes = list(partials), list(notes)
        self.update()

    def describe_at(self, t_s: float, slack_s: float | None = None) -> str:
        """What the timeline shows at ``t_s``, in words (the tooltip); '' when nothing is there."""
        if slack_s is None:  # about 4 px either side, so thin marks can be pointed at
            slack_s = 4 * self.duration_s / max(1, self.width() - 16)

        def near(item: dict) -> bool:
            return item["start_s"] - slack_s <= t_s <= item["end_s"] + slack_s

        lines = []
        for rep in filter(near, self.reps):
            side = f" ({rep['side']})" if rep.get("side") else ""
            line = f"Rep {rep['index']}{side}: counted"
            if rep.get("faults"):
                line += "; check: " + ", ".join(fault_word(c) for c in rep["faults"])
            lines.append(line)
        for part in filter(near, self.partials):
            lines.append(
                f"Moved {part['start_s']:.1f}-{part['end_s']:.1f} s, not counted: {partial_words(part['reason'])}"
            )
        for fault in self.faults:
            if abs(fault["t_s"] - t_s) <= slack_s:
                lines.append(f"Form: {fault.get('cue') or fault_word(fault['code'])}")
        for span in filter(near, self.status):
            lines.append(f"Not counting: {status_words(span['code'])}")
        for note in filter(near, self.notes):
            lines.append(f"Note: {note_words(note)}")
        return "\n".join(lines)

    def set_position(self, t_s: float) -> None:
        self.position_s = t_s
        self.update()

    def _x(self, t_s: float) -> float:
        return 8 + (self.width() - 16) * (t_s / self.duration_s if self.duration_s > 0 else 0.0)

    def _t(self, x: float) -> float:
        return max(0.0, min(self.duration_s, (x - 8) / max(1, self.width() - 16) * self.duration_s))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        p.fillRect(self.rect(), QColor(34, 36, 40))
        lane = QRectF(8, h * 0.3, self.width() - 16, h * 0.45)
        p.fillRect(lane, QColor(55, 57, 62))
        if self.analysed_s < self.duration_s:  # not analysed yet: hatched
            p.fillRect(
                QRectF(
                    self._x(self.analysed_s),
                    lane.top(),
                    self._x(self.duration_s) - self._x(self.analysed_s),
                    lane.height(),
                ),
                QColor(45, 45, 48),
            )
        for s in self.status:  # under the lane: the camera could not count here
            p.fillRect(
                QRectF(
                    self._x(s["start_s"]), lane.bottom() + 2, max(2.0, self._x(s["end_s"]) - self._x(s["start_s"])), 6
                ),
                MUTED,
            )
        for n in self.notes:  # over the lane: worth knowing, counting went on
            p.fillRect(
                QRectF(self._x(n["start_s"]), lane.top() - 6, max(2.0, self._x(n["end_s"]) - self._x(n["start_s"])), 4),
                NOTE,
            )
        for part in self.partials:
            x0, x1 = self._x(part["start_s"]), self._x(part["end_s"])
            rect = QRectF(x0, lane.top() + 3, max(4.0, x1 - x0), lane.height() - 10)
            p.fillRect(rect, QBrush(PARTIAL, Qt.BrushStyle.BDiagPattern))
            p.setPen(QPen(PARTIAL, 1.5, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
        p.setFont(big_font(9))
        for rep in self.reps:
            x0, x1 = self._x(rep["start_s"]), self._x(rep["end_s"])
            rect = QRectF(x0, lane.top() + 3, max(3.0, x1 - x0), lane.height() - 10)
            p.fillRect(rect, side_colour(rep.get("side")))
            p.setPen(QColor(20, 20, 20))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(rep["index"]))
        for fault in self.faults:
            x = self._x(fault["t_s"])
            p.setPen(QPen(BAD, 3))
            p.drawLine(int(x), int(h * 0.12), int(x), int(lane.bottom()))
            p.setBrush(BAD)
            p.drawEllipse(QRectF(x - 5, h * 0.05, 10, 10))
        x = self._x(self.position_s)
        p.setPen(QPen(QColor(255, 255, 255), 2))
        p.drawLine(int(x), 0, int(x), h)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self.duration_s > 0:
            self.seek.emit(self._t(event.position().x()))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self.duration_s <= 0:
            return
        t_s = self._t(event.position().x())
        if event.buttons():
            self.seek.emit(t_s)
            return
        text = self.describe_at(t_s)
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), f"{t_s:.1f} s\n{text}", self)
        else:
            QToolTip.hideText()


class ReplayPage(QWidget):
    analysis_finished = pyqtSignal(dict)
    analysis_failed = pyqtSignal(str)
    exercise_chosen = pyqtSignal(str)  # the person picked another exercise here (the window follows)

    def __init__(self, model: str = "full", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.path: Path | None = None
        self.exercise_id = "glute_bridge"
        self.frames: list[ReplayFrame] = []
        self.report: dict | None = None
        self.fps = 30.0
        self.position = 0
        self.speed = 1.0
        self.worker: GeneratorWorker | None = None
        self._retired: list[GeneratorWorker] = []
        self._live_reps: list[dict] = []
        self._live_faults: list[dict] = []
        self._live_partials: list[dict] = []
        self._rows: list[dict] = []
        self._partial_regions: list[pg.LinearRegionItem] = []
        self._total_frames = 0
        self._build()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._advance)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.setAcceptDrops(True)
        self.setStyleSheet("QLabel { color: #e6e6e6; }")
        font = big_font(12, bold=False)
        top = QHBoxLayout()
        self.file_label = QLabel("Open a recorded video (File ▸ Review, or drop it here)")
        self.file_label.setFont(big_font(13))
        self.exercise_box = QComboBox()
        for ex_id in EXERCISE_IDS:
            self.exercise_box.addItem(get_exercise(ex_id).title, ex_id)
        self.exercise_box.setFont(font)
        self.exercise_box.activated.connect(self._exercise_picked)
        self.analyse_button = QPushButton("Analyse again")
        self.analyse_button.clicked.connect(lambda: self.set_exercise(self.exercise_box.currentData(), force=True))
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(240)
        self.progress.setMaximumWidth(360)
        self.progress.setFormat("analysing %p%")
        top.addWidget(self.file_label, 1)
        top.addWidget(QLabel("Exercise:"))
        top.addWidget(self.exercise_box)
        top.addWidget(self.analyse_button)
        top.addWidget(self.progress)

        self.video = VideoView()
        self.video.clear("Drop a video here to review it.")
        self.timeline = Timeline()
        self.timeline.seek.connect(self.seek_s)
        self.timeline_legend = QLabel()
        self.timeline_legend.setFont(big_font(10, bold=False))
        self.timeline_legend.setTextFormat(Qt.TextFormat.RichText)
        self.timeline_legend.setWordWrap(True)
        # Why the count is what it is, in one or two sentences (the reasons are on the timeline).
        self.summary = QLabel("")
        self.summary.setFont(big_font(12, bold=False))
        self.summary.setWordWrap(True)

        controls = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.setShortcut("K")
        self.play_button.clicked.connect(self.toggle_play)
        back = QPushButton("◀ frame")
        back.setShortcut("Left")
        back.clicked.connect(lambda: self.step_frames(-1))
        forward = QPushButton("frame ▶")
        forward.setShortcut("Right")
        forward.clicked.connect(lambda: self.step_frames(1))
        self.speed_box = QComboBox()
        for s in SPEEDS:
            self.speed_box.addItem(f"{s:g}x", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(lambda i: self.set_speed(SPEEDS[i]))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self._slider_moved)
        self.time_label = QLabel("0.0 / 0.0 s")
        self.time_label.setFont(font)
        self.export_video = QPushButton("Export video…")
        self.export_video.clicked.connect(lambda: self._export("mp4"))
        self.export_csv = QPushButton("Reps CSV…")
        self.export_csv.clicked.connect(lambda: self._export("csv"))
        self.export_json = QPushButton("JSON…")
        self.export_json.clicked.connect(lambda: self._export("json"))
        for w in (self.play_button, back, forward, self.speed_box):
            w.setFont(font)
            controls.addWidget(w)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        for w in (self.export_video, self.export_csv, self.export_json):
            w.setFont(font)
            w.setEnabled(False)
            controls.addWidget(w)

        self.table = QTableWidget(0, len(REVIEW_COLUMNS))
        self.table.setHorizontalHeaderLabels([HEADERS[c] for c in REVIEW_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.cellClicked.connect(self._row_clicked)
        pg.setConfigOptions(antialias=True, background=(28, 30, 34), foreground=(220, 220, 220))
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "time", units="s")
        self.plot.setLabel("left", "degrees")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        # The band a rep must cross: past the target to start, back past the start line to finish
        # (per frame: exercises measured from the person's rest learn it as they go).
        self.target_curve = self.plot.plot([], [], pen=pg.mkPen(GOOD, width=1.5, style=Qt.PenStyle.DashLine))
        self.rest_curve = self.plot.plot([], [], pen=pg.mkPen(MUTED, width=1.5, style=Qt.PenStyle.DashLine))
        self.band = pg.FillBetweenItem(self.target_curve, self.rest_curve, brush=pg.mkBrush(60, 200, 110, 55))
        self.plot.addItem(self.band)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(CURVE, width=2))
        self.playhead = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen((255, 255, 255), width=2))
        self.playhead.sigDragged.connect(lambda line: self.seek_s(line.value()))
        self.plot.addItem(self.playhead)
        self.plot.scene().sigMouseClicked.connect(self._plot_clicked)
        # The legend sits under the plot, never over the curve.
        self.plot_legend = QLabel()
        self.plot_legend.setFont(big_font(10, bold=False))
        self.plot_legend.setTextFormat(Qt.TextFormat.RichText)
        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.setSpacing(2)
        plot_layout.addWidget(self.plot, 1)
        plot_layout.addWidget(self.plot_legend)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.table)
        lower.addWidget(plot_box)
        lower.setSizes([640, 600])  # the table's last column says why a movement did not count
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.video, 1)
        upper_layout.addWidget(self.timeline)
        upper_layout.addWidget(self.timeline_legend)
        upper_layout.addLayout(controls)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setSizes([620, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self._show_exercise()

    def _show_exercise(self) -> None:
        """Title, plot title and legends for the chosen exercise (before and after analysing)."""
        ex = get_exercise(self.exercise_id)
        name = self.path.name if self.path is not None else None
        self.file_label.setText(
            f"{name}: {ex.title}" if name else "Open a recorded video (File ▸ Review, or drop it here)"
        )
        self.plot.setTitle(plot_title(ex, caption_for(self.exercise_id)), size="11pt")
        self.timeline_legend.setText(timeline_legend(ex.unilateral))
        self._show_plot_legend()

    def _show_plot_legend(self) -> None:
        ex = get_exercise(self.exercise_id)
        # Two fixed lines: a wrapped rich-text label may be given one line's height and cut.
        first = [
            f"{swatch(CURVE, '—')} {caption_for(self.exercise_id)} as measured",
            f"{swatch(PARTIAL, '▨')} moved, not counted",
        ]
        second = []
        target, rest = self._band_now()
        if not math.isnan(target):
            way = "below" if ex.direction < 0 else "above"
            second.append(f"{swatch(GOOD, '- -')} target: a rep starts {way} {target:.0f}°")
        if not math.isnan(rest):
            second.append(f"{swatch(MUTED, '- -')} start position: it ends back past {rest:.0f}°")
        self.plot_legend.setText("<br>".join("&nbsp;&nbsp; ".join(line) for line in (first, second) if line))

    def _band_now(self) -> tuple[float, float]:
        """The last known (target, start) thresholds; NaN before the checker knows them."""
        for frame in reversed(self.frames):
            target, rest = frame.band_deg
            if not (math.isnan(target) and math.isnan(rest)):
                return target, rest
        return float("nan"), float("nan")

    # ------------------------------------------------------------------ analysis
    def open(self, path: Path, exercise_id: str | None = None) -> None:
        self.path = Path(path)
        self.set_exercise(exercise_id or self.exercise_box.currentData(), force=True)

    def set_exercise(self, exercise_id: str, force: bool = False) -> None:
        """Review the clip as ``exercise_id``: a new exercise (or ``force``) analyses it again."""
        changed = exercise_id != self.exercise_id
        self.exercise_id = exercise_id
        self.exercise_box.blockSignals(True)
        self.exercise_box.setCurrentIndex(EXERCISE_IDS.index(exercise_id))
        self.exercise_box.blockSignals(False)
        self._show_exercise()
        if self.path is not None and (changed or force):
            self._analyse()

    def _exercise_picked(self, index: int) -> None:
        exercise_id = self.exercise_box.itemData(index)
        self.set_exercise(exercise_id)
        self.exercise_chosen.emit(exercise_id)

    def _analyse(self) -> None:
        self._stop_worker()
        self.pause()
        self.frames, self.report, self.position = [], None, 0
        self._live_reps, self._live_faults, self._live_partials, self._rows = [], [], [], []
        self.table.setRowCount(0)
        for curve in (self.curve, self.target_curve, self.rest_curve):
            curve.setData([], [])
        self._clear_partial_regions()
        for w in (self.export_video, self.export_csv, self.export_json):
            w.setEnabled(False)
        try:
            analysis = ClipAnalysis(self.path, self.exercise_id, self.model)
        except Exception as exc:  # bad file, bad model: a message, never a crash
            log.warning("cannot analyse %s: %s", self.path, exc)
            self.video.clear(f"Cannot open {self.path.name}:\n{exc}")
            self.progress.setValue(0)
            self.analysis_failed.emit(str(exc))
            return
        info = analysis.info
        self.fps = info.fps or 30.0
        self._total_frames = max(1, info.frame_count)
        self.timeline.duration_s = info.duration_s or self._total_frames / self.fps
        self.timeline.analysed_s = 0.0
        self.timeline.set_data([], [], [])
        self.slider.setRange(0, 0)
        self.progress.setRange(0, self._total_frames)
        self.progress.setValue(0)
        title = get_exercise(self.exercise_id).title
        self.progress.setFormat(f"{title}: analysing %p%")
        self.summary.setText(f"Analysing {self.path.name} as {title.lower()} …")
        self._show_exercise()
        self.video.clear(f"Analysing {self.path.name} as {title.lower()} …")
        worker = GeneratorWorker(lambda: analysis_items(analysis))
        worker.yielded.connect(self._on_item)
        worker.errored.connect(self._on_error)
        self.worker = worker
        worker.start()

    def _on_item(self, item) -> None:
        if self.sender() is not self.worker:
            return
        if isinstance(item, AnalysisDone):
            self._done(item.report)
            return
        self.frames.append(item)
        for event in getattr(item.result, "events", ()):
            if event.kind == "rep_completed":
                self._live_reps.append(event.record.to_json())
            elif event.kind == "fault":
                self._live_faults.append({"code": event.code, "t_s": event.t_s, "rep": event.rep, "cue": event.cue})
            elif event.kind == "partial_rep":
                self._live_partials.append(event.record.to_json())
        n = len(self.frames)
        self.progress.setValue(min(n, self._total_frames))
        self.slider.setRange(0, n - 1)
        self.timeline.analysed_s = item.t_s
        if n == 1:
            self.seek_frame(0)
        if n % 15 == 0:
            self._refresh_plot()
            self.timeline.set_data(self._live_reps, self._live_faults, [], self._live_partials)

    def _on_error(self, message: str) -> None:
        self.video.clear(f"Analysis stopped: {message}")
        self.analysis_failed.emit(message)

    def _done(self, report: dict) -> None:
        self.report = report
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(f"{get_exercise(self.exercise_id).title}: {report['reps']} reps")
        self.timeline.duration_s = max(self.timeline.duration_s, self.frames[-1].t_s if self.frames else 0.0)
        self.timeline.analysed_s = self.timeline.duration_s
        partials = report.get("partial_reps") or []
        self.timeline.set_data(
            report["reps_detail"], report["faults"], report["status"], partials, report.get("notes") or []
        )
        self._refresh_plot()
        self._clear_partial_regions()
        for part in partials:  # the plot shows them too: a cycle on the curve that did not count
            region = pg.LinearRegionItem(
                (part["start_s"], part["end_s"]),
                movable=False,
                brush=pg.mkBrush(PARTIAL.red(), PARTIAL.green(), PARTIAL.blue(), 60),
                pen=pg.mkPen(PARTIAL, style=Qt.PenStyle.DashLine),
            )
            region.setZValue(-10)
            self.plot.addItem(region)
            self._partial_regions.append(region)
        self._show_plot_legend()
        self.summary.setText(self._summary_text(report))
        self._fill_table(review_rows(report))
        for w in (self.export_video, self.export_csv, self.export_json):
            w.setEnabled(bool(self.frames))
        self.analysis_finished.emit(report)

    def _fill_table(self, rows: list[dict]) -> None:
        self._rows = rows
        self.table.setRowCount(len(rows))
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
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()  # the reason column takes the room that is left
        header.setSectionResizeMode(len(REVIEW_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def _summary_text(self, report: dict) -> str:
        """The count, then why anything else did not count, in plain words."""
        reps = report["reps"]
        text = [f"{reps} repetition{'s' if reps != 1 else ''} counted."]
        partials = report.get("partial_reps") or []
        if partials:
            reasons = dict.fromkeys(partial_words(p["reason"]) for p in partials)
            n = len(partials)
            text.append(f"{n} movement{'s' if n != 1 else ''} did not count: {'; '.join(reasons)}.")
        seconds: dict[str, float] = {}
        for span in report.get("status") or []:
            seconds[span["code"]] = seconds.get(span["code"], 0.0) + span["end_s"] - span["start_s"]
        for code, secs in sorted(seconds.items(), key=lambda kv: -kv[1]):
            text.append(f"Not counting for {secs:.1f} s: {status_words(code)}.")
        for note in dict.fromkeys(note_words(n) for n in report.get("notes") or []):
            text.append(f"Note: {note}.")
        if reps == 0 and not partials and not report.get("status"):
            text.append("No movement that looked like a repetition was seen.")
        return " ".join(text)

    def _clear_partial_regions(self) -> None:
        for region in self._partial_regions:
            self.plot.removeItem(region)
        self._partial_regions = []

    def _refresh_plot(self) -> None:
        if not self.frames:
            return
        t = np.array([f.t_s for f in self.frames])
        a = np.array([f.angle_deg for f in self.frames])
        band = np.array([f.band_deg for f in self.frames])
        self.curve.setData(t, a, connect="finite")
        self.target_curve.setData(t, band[:, 0], connect="finite")
        self.rest_curve.setData(t, band[:, 1], connect="finite")

    # ------------------------------------------------------------------ playback
    def toggle_play(self) -> None:
        if self._timer.isActive():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if not self.frames:
            return
        if self.position >= len(self.frames) - 1:
            self.position = 0
        self._timer.start(max(5, int(1000.0 / (self.fps * self.speed))))
        self.play_button.setText("Pause")

    def pause(self) -> None:
        self._timer.stop()
        self.play_button.setText("Play")

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        if self._timer.isActive():
            self.play()

    def _advance(self) -> None:
        if self.position + 1 >= len(self.frames):
            if self.report is not None:
                self.pause()
            return  # still analysing: wait for the next frame
        self.seek_frame(self.position + 1)

    def step_frames(self, n: int) -> None:
        self.pause()
        self.seek_frame(self.position + n)

    def seek_s(self, t_s: float) -> None:
        if not self.frames:
            return
        times = np.array([f.t_s for f in self.frames])
        self.seek_frame(int(np.clip(np.searchsorted(times, t_s), 0, len(self.frames) - 1)))

    def _slider_moved(self, value: int) -> None:
        if value != self.position:
            self.seek_frame(value)

    def _row_clicked(self, row: int, _column: int) -> None:
        if row < len(self._rows):
            self.seek_s(self._rows[row]["start_s"])

    def _plot_clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            point = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
            self.seek_s(point.x())

    def seek_frame(self, index: int) -> None:
        if not self.frames:
            return
        index = max(0, min(len(self.frames) - 1, index))
        self.position = index
        frame = self.frames[index]
        self.video.show_frame(frame.annotated_bgr(caption_for(self.exercise_id)))
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self.timeline.set_position(frame.t_s)
        self.playhead.setValue(frame.t_s)
        total = self.timeline.duration_s
        self.time_label.setText(f"{frame.t_s:5.1f} / {total:.1f} s")
        self._select_rep_at(frame.t_s)

    def _select_rep_at(self, t_s: float) -> None:
        if self.report is None:
            return
        for row, rep in enumerate(self._rows):
            if rep["start_s"] <= t_s <= rep["end_s"]:
                if self.table.currentRow() != row:
                    self.table.selectRow(row)
                return
        self.table.clearSelection()

    # ------------------------------------------------------------------ export
    def _export(self, kind: str) -> None:
        if self.report is None or self.path is None:
            return
        suggested = self.path.with_name(f"{self.path.stem}_{self.exercise_id}")
        filters = {"mp4": "MP4 video (*.mp4)", "csv": "CSV (*.csv)", "json": "JSON (*.json)"}
        target, _ = QFileDialog.getSaveFileName(self, "Export", f"{suggested}.{kind}", filters[kind])
        if target:
            self.export(kind, Path(target))

    def export(self, kind: str, target: Path) -> Path:
        """Write the annotated video, the reps CSV or the report JSON to ``target``."""
        try:
            if kind == "csv":
                return write_reps_csv(self.report, target)
            if kind == "json":
                return write_report_json(self.report, target)
            if kind == "mp4":
                self.progress.setRange(0, len(self.frames))
                self.progress.setFormat("exporting %p%")
                for n in export_annotated(self.frames, target, self.fps, caption_for(self.exercise_id)):
                    if n % 30 == 0:
                        self.progress.setValue(n)
                        QTimer.singleShot(0, lambda: None)
                self.progress.setValue(len(self.frames))
                self.progress.setFormat(f"saved {target.name}")
                return target
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export", f"Could not export {target.name}: {exc}")
            raise
        raise ValueError(f"unknown export kind {kind!r}; expected mp4, csv or json")

    # ------------------------------------------------------------------ drag and drop, shutdown
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open(Path(urls[0]))
            event.acceptProposedAction()

    def _stop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
            if worker.thread is not None:
                # The worker's finished -> thread.quit is queued to this thread, which is about to
                # block in wait(): ask the thread to quit directly (Qt keeps a quit asked before
                # its event loop starts), or wait() times out and a running QThread is destroyed.
                worker.thread.quit()
            if not worker.wait(10000):
                self._retired.append(worker)  # still running: never let it be destroyed

    def shutdown(self) -> None:
        self._timer.stop()
        self._stop_worker()
