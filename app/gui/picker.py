"""The exercise picker: how to do it, where the camera goes (in words and a drawing), safety, a demo clip.

The last entry is Auto: what it does, in the same places (no drawing or demo: it is every exercise's).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets import VideoView, big_font
from app.guidance import SEE_A_DOCTOR, camera_diagram, demo_clip, safety_text
from exercises.recognition import AUTO
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.texts import camera_placement, instructions
from exercises.vocabulary import AUTO_CAMERA, AUTO_CHOICE, AUTO_DRAWING, AUTO_SAFETY, AUTO_STEPS
from pose.sources import SourceError, VideoFrame, file_frames

log = logging.getLogger(__name__)

DRAWING_WIDTH = 400  # the committed drawings are 400 x 260 px


class DemoLoop(VideoView):
    """Plays a small clip over and over on a timer (decoding a 480p frame is cheap on the GUI thread)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path = None
        self._frames: Iterator[VideoFrame] | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._next)

    def play(self, path) -> None:
        self._timer.stop()
        self._close()
        self._path = path
        if path is None:
            self.clear("No demo clip for this exercise yet.")
            return
        self._timer.start(33)

    def _close(self) -> None:
        if self._frames is not None:
            self._frames.close()
            self._frames = None

    def _next(self) -> None:
        try:
            if self._frames is None:
                self._frames = file_frames(self._path)
            frame = next(self._frames, None)
            if frame is None:  # loop
                self._close()
                return
            self.show_frame(frame.image_bgr)
        except SourceError as exc:
            self._timer.stop()
            self.clear(str(exc))

    def stop(self) -> None:
        self._timer.stop()
        self._close()


class ExercisePicker(QDialog):
    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exercises")
        self.resize(1200, 760)
        self.chosen = current
        self.list = QListWidget()
        self.list.setFont(big_font(15, bold=False))
        self.list.setMaximumWidth(320)
        self.choices = (*EXERCISE_IDS, AUTO)
        for ex_id in self.choices:
            item = QListWidgetItem(AUTO_CHOICE if ex_id == AUTO else get_exercise(ex_id).title)
            item.setData(Qt.ItemDataRole.UserRole, ex_id)
            item.setToolTip(item.text())
            self.list.addItem(item)
        self.title = QLabel()
        self.title.setFont(big_font(24))
        self.steps = QLabel()
        self.steps.setFont(big_font(15, bold=False))
        self.steps.setWordWrap(True)
        self.placement = QLabel()
        self.placement.setFont(big_font(14, bold=False))
        self.placement.setWordWrap(True)
        self.note = QLabel()
        self.note.setFont(big_font(13, bold=False))
        self.note.setWordWrap(True)
        # Where the laptop goes, drawn (rendered once by tools/render/camera_diagrams.py).
        self.camera_drawing = QLabel()
        self.camera_drawing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.camera_drawing.setFixedSize(DRAWING_WIDTH, DRAWING_WIDTH * 13 // 20)
        self.drawing_path = None
        self.safety = QLabel()
        self.safety.setFont(big_font(13, bold=False))
        self.safety.setWordWrap(True)
        self.safety.setStyleSheet("background: #fff4d6; color: #4a3800; padding: 8px; border-radius: 6px;")
        self.demo = DemoLoop()
        self.demo.setMinimumSize(360, 240)
        camera = QVBoxLayout()
        camera.addWidget(self.camera_drawing)
        camera.addWidget(self.placement)
        camera.addStretch(1)
        media = QHBoxLayout()
        media.addWidget(self.demo, 1)
        media.addLayout(camera)
        details = QVBoxLayout()
        details.addWidget(self.title)
        details.addWidget(self.steps)
        details.addWidget(self.note)
        details.addLayout(media, 1)
        details.addWidget(self.safety)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Do this exercise")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        details.addWidget(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(details, 1)
        self.list.currentRowChanged.connect(self._show)
        self.list.setCurrentRow(self.choices.index(current))

    def _show(self, row: int) -> None:
        ex_id = self.choices[row]
        if ex_id == AUTO:
            self._show_auto()
            return
        ex = get_exercise(ex_id)
        self.chosen = ex_id
        self.title.setText(ex.title)
        steps = "".join(f"<li>{s}</li>" for s in instructions(ex_id))
        target = ""
        if ex.target_reps:
            target = f"<p><b>Aim:</b> {ex.target_reps}{' per side' if ex.unilateral else ''}"
            target += f", holding {ex.hold_target_s:.0f} s</p>" if ex.hold_target_s else "</p>"
        self.steps.setText(f"<ol>{steps}</ol>{target}")
        self.placement.setText(f"<b>Camera:</b> {camera_placement(ex_id)}")
        self.placement.setMaximumWidth(DRAWING_WIDTH)
        self.note.setText(ex.note)
        self.drawing_path = camera_diagram(ex_id)
        if self.drawing_path is None:
            self.camera_drawing.clear()
            self.camera_drawing.setText("(no drawing)")
        else:
            self.camera_drawing.setPixmap(
                QPixmap(str(self.drawing_path)).scaled(
                    self.camera_drawing.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self.camera_drawing.setToolTip(camera_placement(ex_id))
        self.safety.setText(f"<b>Safety:</b> {safety_text(ex_id)}")
        self.demo.play(demo_clip(ex_id))

    def _show_auto(self) -> None:
        self.chosen = AUTO
        self.title.setText(AUTO_CHOICE)
        self.steps.setText("<ol>" + "".join(f"<li>{s}</li>" for s in AUTO_STEPS) + "</ol>")
        self.placement.setText(f"<b>Camera:</b> {AUTO_CAMERA}")
        self.placement.setMaximumWidth(DRAWING_WIDTH)
        self.note.setText("")
        self.drawing_path = None
        self.camera_drawing.clear()
        self.camera_drawing.setText(AUTO_DRAWING)
        self.camera_drawing.setToolTip(AUTO_CAMERA)
        self.safety.setText(f"<b>Safety:</b> {AUTO_SAFETY} {SEE_A_DOCTOR}")
        self.demo.play(None)

    def done(self, result: int) -> None:
        self.demo.stop()
        super().done(result)
