"""The review's timeline: what happened when in the clip, drawn as one lane under the video.

Counted reps are blocks coloured by side, movements that did not count are hatched, form faults
are red markers, the spans when the camera could not count are grey and notes blue. With Auto, each
segment of a routine is a band in its exercise's colour under the lane, titled where the title fits.
Pointing says what is there in words from :mod:`app.review_data` and the vocabulary; clicking seeks.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen
from PyQt6.QtWidgets import QToolTip, QWidget

from app.gui.style import BAD, LEFT, MUTED, RIGHT, WARN, big_font
from app.review_data import note_words
from app.review_segments import ReviewSegment, segment_index_at
from exercises.registry import get_exercise
from exercises.vocabulary import fault_label, partial_reason
from exercises.vocabulary import status_message as status_words

BOTH = QColor(90, 200, 120)
PARTIAL = WARN  # a movement that did not count: hatched, so it never reads as a right-side rep
NOTE = QColor(120, 160, 230)
# One colour per exercise for the segments of a routine (Auto), the same in every clip; light enough
# for dark writing on it, and apart from the side colours of the reps above.
EXERCISE_COLOURS = {
    "glute_squeeze": QColor(150, 160, 200),
    "glute_bridge": QColor(175, 130, 230),
    "bridge_march": QColor(235, 140, 200),
    "straight_leg_raise": QColor(100, 200, 180),
    "hip_abduction": QColor(225, 200, 150),
    "prone_hip_extension": QColor(190, 190, 90),
    "standing_hip_flexion": QColor(120, 210, 235),
    "standing_hip_extension": QColor(215, 130, 115),
    "squat": QColor(240, 225, 110),
}
SEGMENT_BAND_PX = 20  # the height of the segments' band under the lane (Auto)


def exercise_colour(exercise_id: str) -> QColor:
    return EXERCISE_COLOURS.get(exercise_id, QColor(200, 200, 200))


def side_colour(side: str | None) -> QColor:
    return LEFT if side == "left" else RIGHT if side == "right" else BOTH


def swatch(colour: QColor, glyph: str = "■") -> str:
    return f'<span style="color:{colour.name()}">{glyph}</span>'


def timeline_legend(unilateral: bool | None, exercises: Sequence[str] = ()) -> str:
    """The legend under the timeline. ``unilateral`` None: reps of both kinds may show (Auto, a routine
    of one-leg and two-leg exercises); ``exercises``: the segments' exercises, each named by its colour."""
    sided = f"{swatch(LEFT)} {swatch(RIGHT)} counted rep (left, right)"
    both = f"{swatch(BOTH)} counted rep"
    reps = sided if unilateral else both if unilateral is False else f"{both} {sided}"
    named = "  ".join(f"{swatch(exercise_colour(ex))} {get_exercise(ex).title}" for ex in dict.fromkeys(exercises))
    return (
        "   ".join(
            (
                *((named,) if named else ()),
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
    """Reps as blocks (coloured by side), movements that did not count hatched, faults as red
    markers, not-counting spans in grey, notes in blue, the playhead; with Auto the segments of a
    routine as a band of exercise colours underneath (:meth:`set_segments`).

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
        self.segments: tuple[ReviewSegment, ...] = ()

    def set_segments(self, segments: Sequence[ReviewSegment]) -> None:
        """The segments of an Auto review (none: the band goes and the timeline is as it was)."""
        self.segments = tuple(segments)
        self.setMinimumHeight(64 + (SEGMENT_BAND_PX if self.segments else 0))
        self.update()

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
        index = segment_index_at(self.segments, t_s)
        if index is not None:
            lines.append(self.segments[index].heading)
        for rep in filter(near, self.reps):
            side = f" ({rep['side']})" if rep.get("side") else ""
            line = f"Rep {rep['index']}{side}: counted"
            if rep.get("faults"):
                line += "; check: " + ", ".join(fault_label(c) for c in rep["faults"])
            lines.append(line)
        for part in filter(near, self.partials):
            lines.append(
                f"Moved {part['start_s']:.1f}-{part['end_s']:.1f} s, not counted: {partial_reason(part['reason'])}"
            )
        for fault in self.faults:
            if abs(fault["t_s"] - t_s) <= slack_s:
                lines.append(f"Form: {fault.get('cue') or fault_label(fault['code'])}")
        for span in filter(near, self.status):
            lines.append(f"Not counting: {status_words(span['code'])}")
        for note in filter(near, self.notes):
            lines.append(f"Note: {note_words(note['code'], note.get('detail', ''))}")
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
        band = SEGMENT_BAND_PX if self.segments else 0
        h = self.height() - band  # the lanes as without segments; their band below
        p.fillRect(self.rect(), QColor(34, 36, 40))
        lane = QRectF(8, h * 0.3, self.width() - 16, h * 0.45)
        p.fillRect(lane, QColor(55, 57, 62))
        self._paint_segments(p, lane, QRectF(8, h, self.width() - 16, band - 3))
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
        p.drawLine(int(x), 0, int(x), self.height())

    def _paint_segments(self, p: QPainter, lane: QRectF, band: QRectF) -> None:
        """Each segment: its colour faintly over the lane, and a band in it below titled where it fits."""
        p.setFont(big_font(9))
        metrics = QFontMetrics(p.font())
        for segment in self.segments:
            colour = exercise_colour(segment.exercise)
            x0, x1 = self._x(segment.start_s), self._x(min(segment.end_s, self.duration_s))
            tint = QColor(colour)
            tint.setAlpha(40)
            p.fillRect(QRectF(x0, lane.top(), x1 - x0, lane.height()), tint)
            rect = QRectF(x0 + 1, band.top(), max(1.0, x1 - x0 - 2), band.height())
            p.fillRect(rect, colour)
            title = segment.title
            if metrics.horizontalAdvance(title) + 8 <= rect.width():
                p.setPen(QColor(20, 20, 20))
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, title)

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
