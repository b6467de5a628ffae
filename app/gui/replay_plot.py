"""The review's angle plot: the measured signal over time, the band a rep must cross, the
movements that did not count and a playhead; and the legend the page writes under it.

The plot names what it measures (``app.review_data.plot_title``) in the words of
``exercises.texts.SIGNAL_CAPTIONS``; clicking it or dragging the playhead asks the page to seek.
With Auto each segment of a routine is drawn with its own exercise's measure, its span tinted in the
exercise's colour (``app.review_segments.ExerciseTrack`` says which exercise shows when); the page names
the measure of the segment under the playhead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QColor

from app.gui.replay_timeline import PARTIAL, exercise_colour, swatch
from app.gui.style import GOOD, MUTED
from app.review_data import ReplayFrame
from app.review_segments import ExerciseTrack, ReviewSegment
from exercises.registry import get_exercise
from exercises.texts import SIGNAL_CAPTIONS

CURVE = QColor(120, 200, 255)


def caption_for(exercise_id: str) -> str:
    """What the exercise's counting signal is, in words (the plot's title and the video's caption)."""
    signal = get_exercise(exercise_id).signal
    return SIGNAL_CAPTIONS.get(signal, signal.replace("_", " "))


class AnglePlot(pg.PlotWidget):
    """The counting signal against time, with the rep band, the not-counted movements and a playhead.

    ``seek`` (seconds) is emitted when the plot is clicked or the playhead dragged.
    """

    seek = pyqtSignal(float)

    def __init__(self) -> None:
        pg.setConfigOptions(antialias=True, background=(28, 30, 34), foreground=(220, 220, 220))
        super().__init__()
        self.setLabel("bottom", "time", units="s")
        self.setLabel("left", "degrees")
        self.showGrid(x=True, y=True, alpha=0.2)
        # The band a rep must cross: past the target to start, back past the start line to finish
        # (per frame: exercises measured from the person's rest learn it as they go).
        self.target_curve = self.plot([], [], pen=pg.mkPen(GOOD, width=1.5, style=Qt.PenStyle.DashLine))
        self.rest_curve = self.plot([], [], pen=pg.mkPen(MUTED, width=1.5, style=Qt.PenStyle.DashLine))
        self.band = pg.FillBetweenItem(self.target_curve, self.rest_curve, brush=pg.mkBrush(60, 200, 110, 55))
        self.addItem(self.band)
        self.curve = self.plot([], [], pen=pg.mkPen(CURVE, width=2))
        self.playhead = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen((255, 255, 255), width=2))
        self.playhead.sigDragged.connect(lambda line: self.seek.emit(line.value()))
        self.addItem(self.playhead)
        self.scene().sigMouseClicked.connect(self._clicked)
        self.partial_regions: list[pg.LinearRegionItem] = []
        self.segment_regions: list[pg.LinearRegionItem] = []

    def show_frames(self, track: ExerciseTrack) -> None:
        """The signal and the band of the frames analysed so far, each frame's as ``track`` shows it."""
        if not track.frames:
            return
        t, angle, target, rest = track.series()
        self.curve.setData(t, angle, connect="finite")
        self.target_curve.setData(t, target, connect="finite")
        self.rest_curve.setData(t, rest, connect="finite")

    def reset(self) -> None:
        """Empty, for a new analysis."""
        for curve in (self.curve, self.target_curve, self.rest_curve):
            curve.setData([], [])
        self.clear_not_counted()
        self.mark_segments(())

    def mark_segments(self, segments: Sequence[ReviewSegment]) -> None:
        """Tint each segment's span in its exercise's colour (Auto), behind everything else."""
        for region in self.segment_regions:
            self.removeItem(region)
        self.segment_regions = []
        for segment in segments:
            colour = exercise_colour(segment.exercise)
            region = pg.LinearRegionItem(
                (segment.start_s, segment.end_s),
                movable=False,
                brush=pg.mkBrush(colour.red(), colour.green(), colour.blue(), 22),
                pen=pg.mkPen(colour.red(), colour.green(), colour.blue(), 90),
            )
            region.setZValue(-20)
            self.addItem(region)
            self.segment_regions.append(region)

    def mark_not_counted(self, partials: Sequence[dict]) -> None:
        """Shade each movement that did not count: a cycle on the curve the table says why about."""
        self.clear_not_counted()
        for part in partials:
            region = pg.LinearRegionItem(
                (part["start_s"], part["end_s"]),
                movable=False,
                brush=pg.mkBrush(PARTIAL.red(), PARTIAL.green(), PARTIAL.blue(), 60),
                pen=pg.mkPen(PARTIAL, style=Qt.PenStyle.DashLine),
            )
            region.setZValue(-10)
            self.addItem(region)
            self.partial_regions.append(region)

    def clear_not_counted(self) -> None:
        for region in self.partial_regions:
            self.removeItem(region)
        self.partial_regions = []

    def _clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            point = self.getPlotItem().vb.mapSceneToView(event.scenePos())
            self.seek.emit(point.x())


def last_band(frames: Sequence[ReplayFrame], exercise_id: str | None = None) -> tuple[float, float]:
    """The last known (target, start) thresholds (of ``exercise_id``, with Auto); NaN before the
    checker knows them."""
    for frame in reversed(frames):
        target, rest = frame.band_for(exercise_id)
        if not (math.isnan(target) and math.isnan(rest)):
            return target, rest
    return float("nan"), float("nan")


def plot_legend_html(exercise_id: str | None, frames: Sequence[ReplayFrame]) -> str:
    """The legend under the plot: what the curve is, the hatching, and the band's two lines in degrees
    (empty with Auto before any exercise leads)."""
    if exercise_id is None:
        return ""
    ex = get_exercise(exercise_id)
    # Two fixed lines: a wrapped rich-text label may be given one line's height and cut.
    first = [
        f"{swatch(CURVE, '—')} {caption_for(exercise_id)} as measured",
        f"{swatch(PARTIAL, '▨')} moved, not counted",
    ]
    second = []
    target, rest = last_band(frames, exercise_id)
    if not math.isnan(target):
        way = "below" if ex.direction < 0 else "above"
        second.append(f"{swatch(GOOD, '- -')} target: a rep starts {way} {target:.0f}°")
    if not math.isnan(rest):
        second.append(f"{swatch(MUTED, '- -')} start position: it ends back past {rest:.0f}°")
    return "<br>".join("&nbsp;&nbsp; ".join(line) for line in (first, second) if line)
