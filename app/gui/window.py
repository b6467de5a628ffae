"""The main window: the live coaching page and the replay review page, menus and shortcuts."""

from __future__ import annotations

import logging
from pathlib import Path

from PyQt6.QtCore import QRect, Qt
from PyQt6.QtGui import QAction, QGuiApplication, QKeySequence
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.coach import store as store_mod
from app.coach.recordings import saved_report
from app.coach.store import WindowHistory
from app.gui.coaching import Coach
from app.gui.live import LivePage
from app.gui.voice import Voice
from app.gui.widgets import big_font
from app.live.pipeline import LiveSource
from exercises.recognition import AUTO
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.vocabulary import AUTO_CHOICE

log = logging.getLogger(__name__)

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
ROOMY_SCREEN = (1600, 1000)  # from this size on the window opens at 90 % of the screen, else maximised


class MainWindow(QMainWindow):
    def __init__(
        self,
        exercise_id: str = "glute_bridge",
        model: str = "full",
        muted: bool = False,
        enable_speech: bool = True,
        checkins: bool = True,
        source: LiveSource | None = None,
    ) -> None:
        super().__init__()
        # What Start (and Start routine) use before anything else was played: the command line's
        # --source or --camera, else camera 0.
        self.default_source = source or LiveSource(camera=0)
        self.setWindowTitle("HipCoach")
        self.model = model
        self.voice = Voice(self, enable_speech=enable_speech)
        self.voice.set_muted(muted)
        self.live = LivePage(self.voice)
        self.live.exercise_id = exercise_id
        self.live.model = model
        # The history: one store for the window and its coach, opened by the coach below.
        self.window_history = WindowHistory()
        self.coach = Coach(self, self.live, self.voice, self.window_history, checkins=checkins)
        self.live.pick_camera = self._choose_camera  # what the "no camera" page offers
        self.live.open_recording = self._choose_review_file
        self.review = None  # built on first use (pyqtgraph import)
        self.progress_page = None  # built on first use, like the review page
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.live, "Coach")
        # The history banner: why sessions are not being saved (read-only, busy, another window, off).
        self.history_banner = QLabel("")
        self.history_banner.setWordWrap(True)
        self.history_banner.setFont(big_font(13, bold=False))
        self.history_banner.setStyleSheet("QLabel { background: #7a4b00; color: white; padding: 8px; }")
        self.history_banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.history_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_toolbar(exercise_id, muted)
        self._build_menus()
        self.setAcceptDrops(True)
        self.live.running_changed.connect(self._update_buttons)
        self._update_buttons()
        self.live._show_exercise()
        self.coach.status.connect(lambda text: self.statusBar().showMessage(text, 20000))
        self.coach.exercise_shown.connect(self._show_exercise_quietly)
        history_note = self.coach.open_history()
        self._show_history_problem(self.window_history.problem)
        self.live.refresh_exercise()  # targets from the profile's routine
        if history_note or self.voice.note:
            self.statusBar().showMessage("   ".join(n for n in (history_note, self.voice.note) if n), 20000)
        self.setStyleSheet("QMainWindow { background: #1c1e22; } QToolBar { spacing: 8px; }")

    # ------------------------------------------------------------------ size
    def fit_to_screen(self, available: QRect) -> None:
        """Open inside the screen's free area: maximised on a laptop screen (1280x800, 1366x768),
        90 % of a larger one (1920x1080), centred. Never wider or taller than the screen."""
        if available.width() < ROOMY_SCREEN[0] or available.height() < ROOMY_SCREEN[1]:
            self.resize(min(self.width(), available.width()), min(self.height(), available.height()))
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            return
        width, height = int(available.width() * 0.9), int(available.height() * 0.9)
        self.resize(width, height)
        self.move(
            available.left() + (available.width() - width) // 2, available.top() + (available.height() - height) // 2
        )

    def showEvent(self, event) -> None:  # noqa: N802
        if not getattr(self, "_fitted", False):
            self._fitted = True
            screen = self.screen() or QGuiApplication.primaryScreen()
            # The offscreen platform (tests) has no real screen: its windows keep the size they are given.
            if screen is not None and QGuiApplication.platformName() != "offscreen":
                self.fit_to_screen(screen.availableGeometry())
        super().showEvent(event)

    # ------------------------------------------------------------------ chrome
    def _build_toolbar(self, exercise_id: str, muted: bool) -> None:
        bar = QToolBar("Session")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        font = big_font(13)
        bar.setFont(font)
        self.addToolBar(bar)
        label = QLabel(" Exercise: ")
        label.setFont(font)
        bar.addWidget(label)
        self.exercise_box = QComboBox()
        self.exercise_box.setFont(font)
        for ex_id in EXERCISE_IDS:
            self.exercise_box.addItem(get_exercise(ex_id).title, ex_id)
        self.exercise_box.addItem(AUTO_CHOICE, AUTO)  # recognises the exercise and follows the person to the next
        self.exercise_box.setCurrentIndex(self.exercise_box.findData(exercise_id))
        self.exercise_box.currentIndexChanged.connect(self._exercise_chosen)
        bar.addWidget(self.exercise_box)
        self.about_action = QAction("How to do it…", self)
        self.about_action.setShortcut(QKeySequence("Ctrl+I"))
        self.about_action.triggered.connect(self.show_picker)
        bar.addAction(self.about_action)
        bar.addSeparator()
        self.start_action = QAction("Start", self)
        self.start_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_action.triggered.connect(self._start_clicked)
        self.pause_action = QAction("Pause", self)
        self.pause_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.pause_action.triggered.connect(self.live.toggle_pause)
        self.stop_action = QAction("Stop", self)
        self.stop_action.setShortcuts([QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+.")])
        self.stop_action.triggered.connect(lambda: self.coach.stop())
        self.routine_action = QAction("Start routine", self)
        self.routine_action.setShortcut(QKeySequence("Ctrl+R"))
        self.routine_action.triggered.connect(lambda: self.coach.start_routine())
        for action in (self.start_action, self.routine_action, self.pause_action, self.stop_action):
            bar.addAction(action)
        bar.addSeparator()
        self.mute_box = QCheckBox("Mute")
        self.mute_box.setFont(font)
        self.mute_box.setChecked(muted)
        self.mute_box.toggled.connect(self.voice.set_muted)
        bar.addWidget(self.mute_box)
        mute_action = QAction("Mute", self)
        mute_action.setShortcut(QKeySequence("M"))
        mute_action.triggered.connect(self.mute_box.toggle)
        self.addAction(mute_action)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        open_cam = QAction("Use camera…", self)
        open_cam.triggered.connect(self._choose_camera)
        play = QAction("Play a video as the camera…", self)
        play.triggered.connect(self._choose_live_file)
        review = QAction("&Review a recorded video…", self)
        review.setShortcut(QKeySequence.StandardKey.Open)
        review.triggered.connect(self._choose_review_file)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for action in (open_cam, play, review, quit_action):
            menu.addAction(action)
        self._build_history_menus(menu, quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.where_action)

    def _update_buttons(self, *_: object) -> None:
        running = self.live.running
        self.start_action.setEnabled(not running)
        self.pause_action.setEnabled(running)
        self.pause_action.setText("Resume" if self.live.paused else "Pause")
        self.stop_action.setEnabled(running)

    # ------------------------------------------------------------------ live
    def start_live(self, camera: int | None = 0, path: Path | None = None) -> None:
        source = LiveSource(camera=camera) if path is None else LiveSource(path=Path(path))
        self.tabs.setCurrentWidget(self.live)
        self.coach.request_start(source, self.exercise_box.currentData())

    def _start_clicked(self) -> None:
        source = self.live.source or self.default_source
        self.coach.request_start(source, self.exercise_box.currentData())

    def _show_exercise_quietly(self, exercise_id: str) -> None:
        """The routine moved on: show it in the toolbar without restarting anything."""
        self.exercise_box.blockSignals(True)
        self.exercise_box.setCurrentIndex(self.exercise_box.findData(exercise_id))
        self.exercise_box.blockSignals(False)

    def _exercise_chosen(self, index: int) -> None:
        # One exercise for the whole window: the toolbar, Review (which analyses again) and Progress.
        exercise_id = self.exercise_box.itemData(index)
        self.live.set_exercise(exercise_id)
        if exercise_id == AUTO:
            return  # Review and Progress stay on their exercise (the live page names each set's own)
        if self.review is not None:
            self.review.set_exercise(exercise_id)
        if self.progress_page is not None:
            self.progress_page.set_exercise(exercise_id)

    def select_exercise(self, exercise_id: str) -> None:
        self.exercise_box.setCurrentIndex(self.exercise_box.findData(exercise_id))

    def _choose_camera(self) -> None:
        """The cameras found with a preview, or a phone or network camera by its address."""
        from app.gui.camera_picker import CameraPicker

        source = CameraPicker.choose(self)
        if source is not None:
            self.tabs.setCurrentWidget(self.live)
            self.coach.request_start(source, self.exercise_box.currentData())

    def _choose_live_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Play a video as the camera", "", VIDEO_FILTER)
        if path:
            self.start_live(camera=None, path=Path(path))

    def show_picker(self) -> None:
        from app.gui.picker import ExercisePicker

        picker = ExercisePicker(self.exercise_box.currentData(), self)
        if picker.exec():
            self.select_exercise(picker.chosen)

    # ------------------------------------------------------------------ review
    def _ensure_review(self):
        if self.review is None:
            from app.gui.replay import ReplayPage

            self.review = ReplayPage(self.model)
            self.review.exercise_chosen.connect(self.select_exercise)
            self.tabs.addTab(self.review, "Review")
        return self.review

    def open_recording(self, recording) -> None:
        """Progress ▸ Review recording: the review at that set's video, its saved analysis shown at once."""
        self.open_review(recording.video, recording.exercise_id, saved_report(recording))

    def open_review(self, path: Path, exercise_id: str | None = None, saved=None) -> None:
        review = self._ensure_review()
        if self.live.running:
            self.live.stop()
        exercise_id = exercise_id or self.exercise_box.currentData()  # Auto: the review recognises it too
        self.exercise_box.blockSignals(True)  # one exercise for the window, without re-analysing twice
        self.exercise_box.setCurrentIndex(self.exercise_box.findData(exercise_id))
        self.exercise_box.blockSignals(False)
        self.live.set_exercise(exercise_id)
        if self.progress_page is not None and exercise_id != AUTO:
            self.progress_page.set_exercise(exercise_id)
        self.tabs.setCurrentWidget(review)
        review.open(Path(path), exercise_id, saved)

    def _choose_review_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Review a recorded video", "", VIDEO_FILTER)
        if path:
            self.open_review(Path(path))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_review(Path(urls[0]))
            event.acceptProposedAction()

    # ------------------------------------------------------------------ history: progress, settings, export
    def _build_history_menus(self, file_menu, before: QAction) -> None:
        def action(text: str, shortcut: str | None, slot) -> QAction:
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda _checked=False: slot())
            return act

        self.export_action = action("&Export report…", "Ctrl+E", self.export_report)
        file_menu.insertAction(before, self.export_action)
        file_menu.insertSeparator(before)
        self.progress_action = action("&Progress", "Ctrl+G", self.show_progress)
        self.menuBar().addMenu("&View").addAction(self.progress_action)
        self.settings_action = action("&Settings…", "Ctrl+,", self.show_settings)
        self.menuBar().addMenu("&Tools").addAction(self.settings_action)
        self.where_action = action("Where is my data?", None, self.show_data_location)
        self.live.session_ended.connect(lambda _session: self.refresh_progress())
        self.tabs.currentChanged.connect(lambda _i: self.refresh_progress(only_if_visible=True))

    def history(self):
        """``(HistoryStore, profile_id)``, opening the store on first use; None (after a message) if it cannot."""
        try:
            return self._open_history()
        except store_mod.StoreError as exc:
            self.error(str(exc))
            return None

    def _open_history(self):
        """``(HistoryStore, profile_id)``; the store's one-sentence :class:`StoreError` when there is none."""
        if self.window_history.store is not None:
            return self.window_history.get()
        try:
            return self.window_history.get()  # no question here: only the startup offers a move
        finally:
            self._show_history_problem(self.window_history.problem)

    @property
    def store(self):
        """The history (:class:`app.coach.store.HistoryStore`), None while there is none."""
        return self.window_history.store

    @property
    def profile_id(self) -> int | None:
        return self.window_history.profile_id

    def _show_history_problem(self, problem: store_mod.StoreError | None) -> None:
        """The banner above the tabs: what is wrong with the history and what it means for this window."""
        if problem is None:
            self.history_banner.hide()
            self.history_banner.setText("")
            return
        if self.store is not None:
            text = f"Your history can be viewed but new sessions cannot be saved: {problem}."
        else:
            text = f"Your sessions are not being saved: {problem}."
        self.history_banner.setText(text[0].upper() + text[1:])
        self.history_banner.show()

    def show_progress(self):
        """View ▸ Progress: the progress tab (built on first use), refreshed."""
        if self.progress_page is None:
            from app.gui.progress_page import ProgressPage

            def opened():
                store, profile_id = self._open_history()  # its StoreError: the page shows the sentence
                return None if profile_id is None else (store.connection, profile_id)

            self.progress_page = ProgressPage(opened)
            self.progress_page.recording_chosen.connect(self.open_recording)
            shown = self.exercise_box.currentData()
            if shown == AUTO:
                shown = self.live.exercise_id  # the exercise Auto named last (while none: Progress's own)
            if shown != AUTO:
                self.progress_page.set_exercise(shown)
            # A pick in Progress (activated: the person's, not a follow) becomes the window's exercise.
            box = self.progress_page.exercise_box
            box.activated.connect(lambda i: self.select_exercise(box.itemData(i)))
            self.tabs.addTab(self.progress_page, "Progress")
        self.tabs.setCurrentWidget(self.progress_page)
        self.progress_page.refresh()
        return self.progress_page

    def refresh_progress(self, only_if_visible: bool = False) -> None:
        page = self.progress_page
        if page is not None and (not only_if_visible or self.tabs.currentWidget() is page):
            page.refresh()

    def show_settings(self):
        """Tools ▸ Settings… (window-modal, not blocking: returns the dialog)."""
        found = self.history()
        if found is None:
            return None
        if found[0].read_only is not None:
            self.error(f"Settings cannot be saved now: {found[0].read_only}.")
            return None
        from app.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(found[0], found[1], self, can_delete=not self.live.running)
        dialog.data_deleted.connect(self._data_deleted)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _data_deleted(self, folder: Path) -> None:
        self.window_history.forget()  # the old one is closed; a fresh, empty history opens now
        self.history()
        self.refresh_progress()
        self.statusBar().showMessage(
            f"Your data was deleted from {folder}. HipCoach starts a new, empty history.", 15000
        )

    def export_report(self):
        """File ▸ Export report… (window-modal, not blocking: returns the dialog)."""
        found = self.history()
        if found is None:
            return None
        if found[1] is None:
            self.error("There is nothing to export yet: no session has been recorded.")
            return None
        from app.gui.data_dialog import ExportDialog

        dialog = ExportDialog(found[0], found[1], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_data_location(self) -> None:
        from app.gui.data_dialog import show_data_location

        store = self.store
        show_data_location(self, Path(store.path).parent if store is not None else store_mod.data_dir())

    def closeEvent(self, event) -> None:  # noqa: N802
        self.coach.close()  # ends the set and the session in the history
        self.live.shutdown()
        if self.review is not None:
            self.review.shutdown()
        super().closeEvent(event)

    def error(self, text: str) -> None:
        QMessageBox.warning(self, "HipCoach", text)
