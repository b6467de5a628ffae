"""Replay review: a recorded video analysed in the background, with timeline, rep table and angle plot.

The review explains itself: the plot names what it measures and the band a rep must cross; every
movement that looked like a rep and did not count is on the timeline, the plot and in the table
with its reason; the spans when the camera could not count say why. All words come from
:mod:`app.review_data` and the vocabulary. This page runs the analysis and the playback; the
timeline, plot, rep table and exports are drawn and written by ``app.gui.replay_*``.

"Auto" in the exercise box recognises the exercise and splits a routine into segments: the timeline
shows them as bands in each exercise's colour, the table groups its rows under a heading per
segment, the summary counts per segment, and the plot and the video's overlay show the measure of
the segment under the playhead (``app.review_segments.ExerciseTrack``). Like any pick here, Auto becomes
the window's exercise (the window keeps Progress on the exercise it showed).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QFontMetrics
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.analysis import ClipAnalysis
from app.clip_report import ClipReport
from app.gui.replay_export import EXPORT_FILTERS, ask_export_target, write_export
from app.gui.replay_plot import AnglePlot, caption_for, plot_legend_html
from app.gui.replay_summary import summary_text
from app.gui.replay_table import RepTable
from app.gui.replay_timeline import Timeline, timeline_legend
from app.gui.style import big_font
from app.gui.widgets import VideoView
from app.gui.worker import GeneratorWorker
from app.review_data import AnalysisDone, ReplayFrame, analysis_items, plot_title, review_rows
from app.review_segments import (
    AUTO_PLOT_TITLE,
    ExerciseTrack,
    analysing_words,
    progress_words,
    review_segments,
    review_title,
)
from exercises.recognition import AUTO
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.vocabulary import REVIEW_AUTO_CHOICE

log = logging.getLogger(__name__)

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0)


class ReplayPage(QWidget):
    """Open a clip, analyse it as the chosen exercise (or Auto) in a worker thread, then play it back and
    explain it."""

    analysis_finished = pyqtSignal(object)  # the ClipReport
    analysis_failed = pyqtSignal(str)
    exercise_chosen = pyqtSignal(str)  # the person picked another exercise here (the window follows)

    def __init__(self, model: str = "full", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.path: Path | None = None
        self.exercise_id = "glute_bridge"
        self.frames: list[ReplayFrame] = []
        self.report: ClipReport | None = None
        self.fps = 30.0
        self.position = 0
        self.speed = 1.0
        self.worker: GeneratorWorker | None = None
        self._retired: list[GeneratorWorker] = []
        self._live_reps: list[dict] = []
        self._live_faults: list[dict] = []
        self._live_partials: list[dict] = []
        self._total_frames = 0
        self._saved: ClipReport | None = None  # a recording's saved analysis, shown while the video loads
        self.track = ExerciseTrack(self.exercise_id)  # which exercise shows when (Auto: per segment)
        self._measured: str | None = None  # the exercise whose measure the plot names now
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
        self.exercise_box.setFont(font)
        for ex_id in EXERCISE_IDS:
            self.exercise_box.addItem(get_exercise(ex_id).title, ex_id)
        # Auto's words are long: the box keeps the exercises' width (the page as it was), its list is wider.
        self.exercise_box.ensurePolished()
        self.exercise_box.setMaximumWidth(self.exercise_box.sizeHint().width())
        self.exercise_box.addItem(REVIEW_AUTO_CHOICE, AUTO)
        self.exercise_box.view().setMinimumWidth(QFontMetrics(font).horizontalAdvance(REVIEW_AUTO_CHOICE) + 40)
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

        self.table = RepTable()
        self.table.cellClicked.connect(self._row_clicked)
        self.plot = AnglePlot()
        self.plot.seek.connect(self.seek_s)
        # The plot's lines under the page's own names (the review tests read them here).
        self.target_curve, self.rest_curve = self.plot.target_curve, self.plot.rest_curve
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
        name = self.path.name if self.path is not None else None
        title = review_title(self.exercise_id, self.report)
        self.file_label.setText(
            f"{name}: {title}" if name else "Open a recorded video (File ▸ Review, or drop it here)"
        )
        self.timeline_legend.setText(self._timeline_legend())
        self._show_measure(self.track.exercise_at(self.timeline.position_s), force=True)

    def _timeline_legend(self) -> str:
        if not self.track.auto:
            return timeline_legend(get_exercise(self.exercise_id).unilateral)
        exercises = [s.exercise for s in self.track.segments]
        kinds = {get_exercise(ex).unilateral for ex in exercises}
        return timeline_legend(kinds.pop() if len(kinds) == 1 else None, exercises)

    def _show_measure(self, exercise_id: str | None, force: bool = False) -> None:
        """The plot's title and legend for ``exercise_id``'s measure (with Auto: the segment's under the playhead)."""
        if exercise_id == self._measured and not force:
            return
        self._measured = exercise_id
        if exercise_id is None:
            self.plot.setTitle(AUTO_PLOT_TITLE, size="11pt")
        else:
            self.plot.setTitle(plot_title(get_exercise(exercise_id), caption_for(exercise_id)), size="11pt")
        self._show_plot_legend()

    def _show_plot_legend(self) -> None:
        frames = self.track.frames_at(self.timeline.position_s)
        self.plot_legend.setText(plot_legend_html(self._measured, frames))

    @property
    def _partial_regions(self) -> list:
        """The shaded not-counted movements on the plot (read by the review tests)."""
        return self.plot.partial_regions

    # ------------------------------------------------------------------ analysis
    def open(self, path: Path, exercise_id: str | None = None, saved: ClipReport | None = None) -> None:
        """Review ``path``; a recording's ``saved`` analysis shows at once while the video loads for playback."""
        self.path = None  # the exercise first, without analysing
        self.set_exercise(exercise_id or (saved.exercise if saved else self.exercise_box.currentData()))
        self.path = Path(path)
        # The saved analysis applies to the same reading: the same exercise, or Auto's (it has segments).
        same = saved is not None and (
            saved.exercise == self.exercise_id or (self.exercise_id == AUTO and saved.segments is not None)
        )
        self._saved = saved if same else None
        self._analyse()

    def set_exercise(self, exercise_id: str, force: bool = False) -> None:
        """Review the clip as ``exercise_id``: a new exercise (or ``force``) analyses it again."""
        changed = exercise_id != self.exercise_id
        if changed or force:
            self._saved = None  # another exercise, or "Analyse again": the saved analysis no longer applies
        if exercise_id != AUTO:
            get_exercise(exercise_id)  # an unknown id fails here, with the valid ones named
        self.exercise_id = exercise_id
        if changed:
            self.report, self.track = None, ExerciseTrack(exercise_id)
        self.exercise_box.blockSignals(True)
        self.exercise_box.setCurrentIndex(self.exercise_box.findData(exercise_id))
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
        self.track = ExerciseTrack(self.exercise_id, None, self.frames)
        self._live_reps, self._live_faults, self._live_partials = [], [], []
        self.table.clear_rows()
        self.plot.reset()
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
        self.timeline.set_segments(())
        self.slider.setRange(0, 0)
        self.progress.setRange(0, self._total_frames)
        self.progress.setValue(0)
        self.progress.setFormat(progress_words(self.exercise_id))
        self.summary.setText(analysing_words(self.path.name, self.exercise_id))
        self._show_exercise()
        self.video.clear(analysing_words(self.path.name, self.exercise_id))
        worker = GeneratorWorker(lambda: analysis_items(analysis))
        worker.yielded.connect(self._on_item)
        worker.errored.connect(self._on_error)
        self.worker = worker
        worker.start()
        if self._saved is not None:
            self._show_report(self._saved)
            self.summary.setText(summary_text(self._saved) + " (Loading the video for playback …)")

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
            self.plot.show_frames(self.track)
            self._show_measure(self.track.exercise_at(item.t_s))  # Auto: the exercise leading so far
            if self._saved is None:  # a saved analysis is already on the timeline
                self.timeline.set_data(self._live_reps, self._live_faults, [], self._live_partials)

    def _on_error(self, message: str) -> None:
        self.video.clear(f"Analysis stopped: {message}")
        self.analysis_failed.emit(message)

    def _done(self, report: ClipReport) -> None:
        self.report = report
        self.track = ExerciseTrack(self.exercise_id, report, self.frames)
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(progress_words(self.exercise_id, report))
        self.timeline.duration_s = max(self.timeline.duration_s, self.frames[-1].t_s if self.frames else 0.0)
        partials = self._show_report(report)
        self.plot.show_frames(self.track)
        self.plot.mark_not_counted(partials)  # the plot shows them too: a cycle on the curve that did not count
        self.plot.mark_segments(self.track.segments)
        self._show_exercise()  # with Auto: what was recognised, its legend, the measure under the playhead
        if self.frames and self.track.auto:
            self.seek_frame(self.position)  # the overlay as the segments now show it
        for w in (self.export_video, self.export_csv, self.export_json):
            w.setEnabled(bool(self.frames))
        self.analysis_finished.emit(report)

    def _show_report(self, report: ClipReport) -> list[dict]:
        """The timeline, summary and rep table of a report; returns its not-counted movements (as JSON)."""
        self.timeline.analysed_s = self.timeline.duration_s
        drawn = report.to_json()  # the timeline and the plot draw records as JSON, as the live events give them
        partials: list[dict] = drawn["partial_reps"]
        self.timeline.set_data(drawn["reps_detail"], drawn["faults"], drawn["status"], partials, drawn["notes"])
        self.timeline.set_segments(review_segments(report))
        self.summary.setText(summary_text(report))
        self.table.fill(review_rows(report))
        return partials

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
        if row < len(self.table.rows):
            self.seek_s(self.table.rows[row]["start_s"])

    def seek_frame(self, index: int) -> None:
        if not self.frames:
            return
        index = max(0, min(len(self.frames) - 1, index))
        self.position = index
        frame = self.frames[index]
        self.video.show_frame(self.track.overlay(frame))
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self.timeline.set_position(frame.t_s)
        self.plot.playhead.setValue(frame.t_s)
        total = self.timeline.duration_s
        self.time_label.setText(f"{frame.t_s:5.1f} / {total:.1f} s")
        self._show_measure(self.track.exercise_at(frame.t_s))
        self._select_rep_at(frame.t_s)

    def _select_rep_at(self, t_s: float) -> None:
        if self.report is None:
            return
        self.table.select_at(t_s)

    # ------------------------------------------------------------------ export
    def _export(self, kind: str) -> None:
        if self.report is None or self.path is None:
            return
        target = ask_export_target(self, self.path, self.exercise_id, kind)
        if target is not None:
            self.export(kind, target)

    def export(self, kind: str, target: Path) -> Path:
        """Write the annotated video, the reps CSV or the report JSON to ``target``."""
        if kind not in EXPORT_FILTERS:
            raise ValueError(f"unknown export kind {kind!r}; expected mp4, csv or json")
        try:
            return write_export(kind, target, self.report, self.frames, self.fps, self.track.overlay, self.progress)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export", f"Could not export {target.name}: {exc}")
            raise

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
