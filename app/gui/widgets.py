"""Small widgets that render what they are given: the video, the hold ring, the angle band, banners.

Sizes are in points or follow the widget size, so they stay sharp on HiDPI screens and read from 3 m.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PyQt6.QtWidgets import QLabel, QSizePolicy, QWidget

# The colours and fonts have one home, app.gui.style; re-exported here for the widgets' users.
from app.gui.style import BAD, GOOD, LEFT, MUTED, PANEL_BG, RIGHT, WARN, big_font  # noqa: F401


def pixel_font(pixel_size: int, bold: bool = True) -> QFont:
    """A font by pixel height: the large-type view sizes its text from the window, not in points."""
    font = QFont()
    font.setPixelSize(max(1, int(pixel_size)))
    font.setBold(bold)
    return font


def fitted_font(text: str, width: float, pixel_size: int, bold: bool = True) -> QFont:
    """``pixel_font(pixel_size)``, made smaller until one line of ``text`` fits ``width``."""
    font = pixel_font(pixel_size, bold)
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if advance > width > 0:
        font.setPixelSize(max(1, int(pixel_size * width / advance)))
    return font


def bgr_to_qimage(image_bgr: np.ndarray) -> QImage:
    """A QImage over a BGR array (copied, so the array may be freed)."""
    image_bgr = np.ascontiguousarray(image_bgr)
    height, width = image_bgr.shape[:2]
    return QImage(image_bgr.data, width, height, image_bgr.strides[0], QImage.Format.Format_BGR888).copy()


class VideoView(QWidget):
    """Paints the latest frame only, scaled to fit with its aspect ratio kept.

    ``show_frame`` may be called faster than the screen refreshes: it only keeps the newest
    array, and Qt merges the pending repaints, so stale frames are dropped, never queued.
    """

    painted = pyqtSignal(object)  # the tag of the frame just painted (for the lag measure)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._latest: np.ndarray | None = None
        self._latest_tag: object = None
        self._image: QImage | None = None
        self._painted_tag: object = None
        self.placeholder = ""
        self.frames_painted = 0
        self.frames_offered = 0

    def show_frame(self, image_bgr: np.ndarray, tag: object = None) -> None:
        self._latest, self._latest_tag = image_bgr, tag
        self.frames_offered += 1
        self.update()

    def clear(self, placeholder: str = "") -> None:
        self._latest = self._image = None
        self.placeholder = placeholder
        self.update()

    def current_image(self) -> QImage | None:
        return self._image

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(12, 12, 14))
        if self._latest is not None:
            self._image = bgr_to_qimage(self._latest)
            self._latest = None
            tag, self._latest_tag = self._latest_tag, None
            self.frames_painted += 1
            self._painted_tag = tag
        if self._image is not None:
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - size.width()) // 2, (self.height() - size.height()) // 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(x, y, size.width(), size.height()), self._image)
        elif self.placeholder:
            painter.setPen(QColor(220, 220, 220))
            painter.setFont(big_font(20, bold=False))
            painter.drawText(
                self.rect().adjusted(30, 30, -30, -30),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.placeholder,
            )
        painter.end()
        if self._painted_tag is not None:
            tag, self._painted_tag = self._painted_tag, None
            self.painted.emit((tag, time.perf_counter()))


class HoldRing(QWidget):
    """A ring that fills as the hold runs; green while the posture is right, grey otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(150, 150)
        self.hold_s = 0.0
        self.target_s: float | None = None
        self.ok = False

    def set_hold(self, hold_s: float, target_s: float | None, ok: bool) -> None:
        if (hold_s, target_s, ok) != (self.hold_s, self.target_s, self.ok):
            self.hold_s, self.target_s, self.ok = hold_s, target_s, ok
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        paint_hold(painter, QRectF(0, 0, self.width(), self.height()), self.hold_s, self.target_s, self.ok)
        painter.end()


def paint_hold(painter: QPainter, area: QRectF, hold_s: float, target_s: float | None, ok: bool) -> None:
    """The hold ring in the middle of ``area``: fills as the hold runs, the seconds left inside."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    outer = min(area.width(), area.height()) - 8
    thickness = max(10.0, outer * 0.1)
    side = outer - thickness  # the pen straddles the circle: keep all of it inside the area
    rect = QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side)
    painter.setPen(QPen(QColor(70, 72, 78), thickness))
    painter.drawEllipse(rect)
    if not target_s:
        painter.setPen(MUTED)
        painter.setFont(big_font(14, bold=False))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "no hold")
        painter.restore()
        return
    fraction = max(0.0, min(1.0, hold_s / target_s))
    done = fraction >= 1.0
    pen = QPen(GOOD if (ok or done) else MUTED, thickness)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawArc(rect, 90 * 16, -int(round(fraction * 360 * 16)))
    remaining = max(0.0, target_s - hold_s)
    painter.setPen(QColor(240, 240, 240))
    text = "done" if done else (f"{math.ceil(remaining)}" if hold_s > 0 else f"{target_s:.0f}s")
    painter.setFont(pixel_font(max(12, int(side / (3.2 if len(text) > 2 else 2.4)))))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class AngleBand(QWidget):
    """The counting angle on a scale, with the band it must reach (target) and the rest mark."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(78)
        self.angle: float | None = None
        self.target: float | None = None
        self.rest: float | None = None
        self.direction = 1
        self._lo, self._hi = 1e9, -1e9
        self.caption = ""

    def set_caption(self, caption: str) -> None:
        self.caption = caption
        self.update()

    def set_values(self, angle: float | None, target: float | None, rest: float | None, direction: int) -> None:
        self.angle = None if angle is None or not np.isfinite(angle) else float(angle)
        self.target = target if target is not None and np.isfinite(target) else None
        self.rest = rest if rest is not None and np.isfinite(rest) else None
        self.direction = direction
        marks = [v for v in (self.target, self.rest) if v is not None]
        if marks:
            span = max(20.0, max(marks) - min(marks))
            lo, hi = min(marks) - 0.6 * span, max(marks) + 0.6 * span
            if self.angle is not None:  # the needle stays on the scale
                lo, hi = min(lo, self.angle - 5.0), max(hi, self.angle + 5.0)
            # Widen at once, narrow slowly, so the scale does not jitter with the needle.
            self._lo = lo if lo < self._lo else self._lo + 0.02 * (lo - self._lo)
            self._hi = hi if hi > self._hi else self._hi + 0.02 * (hi - self._hi)
        self.update()

    def reset_scale(self) -> None:
        self._lo, self._hi = 1e9, -1e9

    def _x(self, value: float, left: float, width: float) -> float:
        t = (value - self._lo) / (self._hi - self._lo) if self._hi > self._lo else 0.5
        return left + max(0.0, min(1.0, t)) * width

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, width = 12.0, self.width() - 24.0
        bar = QRectF(left, self.height() * 0.45, width, self.height() * 0.18)
        if self.caption:
            painter.setPen(MUTED)
            painter.setFont(big_font(11, bold=False))
            painter.drawText(
                QRectF(0, self.height() * 0.7, self.width(), self.height() * 0.3),
                Qt.AlignmentFlag.AlignCenter,
                self.caption,
            )
        painter.fillRect(bar, QColor(60, 62, 68))
        reached = False
        if self.target is not None:
            end = self._hi if self.direction > 0 else self._lo
            x0, x1 = sorted((self._x(self.target, left, width), self._x(end, left, width)))
            painter.fillRect(QRectF(x0, bar.top(), x1 - x0, bar.height()), QColor(40, 120, 70))
            if self.angle is not None:
                reached = (self.angle - self.target) * self.direction >= 0
        if self.rest is not None:
            x = self._x(self.rest, left, width)
            painter.setPen(QPen(MUTED, 3))
            painter.drawLine(QPointF(x, bar.top() - 4), QPointF(x, bar.bottom() + 4))
        painter.setFont(big_font(20))
        if self.angle is not None:
            x = self._x(self.angle, left, width)
            painter.setPen(QPen(GOOD if reached else QColor(240, 240, 240), 6))
            painter.drawLine(QPointF(x, bar.top() - 10), QPointF(x, bar.bottom() + 10))
            painter.setPen(QColor(240, 240, 240))
            painter.drawText(
                QRectF(0, 0, self.width(), self.height() * 0.4), Qt.AlignmentFlag.AlignCenter, f"{self.angle:.0f}°"
            )
        else:
            painter.setPen(MUTED)
            painter.drawText(QRectF(0, 0, self.width(), self.height() * 0.4), Qt.AlignmentFlag.AlignCenter, "–")


class Banner(QLabel):
    """A big word-wrapped line on a coloured band; hidden when empty."""

    def __init__(self, point_size: int = 24, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setFont(big_font(point_size))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMargin(10)
        self.message = ""  # what it says now (also while suppressed)
        self.background = WARN
        self.foreground = QColor(20, 20, 20)
        self.suppressed = False  # the large-type board shows the words instead
        self.hide()

    def show_message(self, text: str, background: QColor = WARN, foreground: QColor | None = None) -> None:
        foreground = QColor(20, 20, 20) if foreground is None else foreground
        self.message, self.background, self.foreground = text, background, foreground
        if not text:
            self.hide()
            return
        self.setText(text)
        self.setStyleSheet(f"background: {background.name()}; color: {foreground.name()}; border-radius: 8px;")
        self.setVisible(not self.suppressed)

    def set_suppressed(self, suppressed: bool) -> None:
        self.suppressed = suppressed
        self.setVisible(bool(self.message) and not suppressed)


class BigBoard(QWidget):
    """The large-type exercise view, read from a mat 3 m away: the count, each side's count, the
    hold countdown and the one current cue, every size taken from the widget's own size (so
    they grow with the window), and a line on what the voice does."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(300, 300)
        self.count = "0"
        self.caption = "reps"
        self.sides: tuple[str, str] | None = None  # ("L 3 / 10", "R 2 / 10")
        self.hold: tuple[float, float, bool] | None = None  # (hold_s, target_s, ok)
        self.cue = ""
        self.cue_background = QColor(50, 110, 200)
        self.cue_foreground = QColor(255, 255, 255)
        self.voice_note = ""
        self.layout_rects: dict[str, QRectF] = {}  # where each part went at the last paint (tests)
        self.fonts: dict[str, int] = {}  # each part's pixel size at the last paint (tests)

    def set_values(
        self, count: str, caption: str, sides: tuple[str, str] | None, hold: tuple[float, float, bool] | None
    ) -> None:
        if (count, caption, sides, hold) != (self.count, self.caption, self.sides, self.hold):
            self.count, self.caption, self.sides, self.hold = count, caption, sides, hold
            self.update()

    def set_cue(self, text: str, background: QColor | None = None, foreground: QColor | None = None) -> None:
        background = background or QColor(50, 110, 200)
        foreground = foreground or QColor(255, 255, 255)
        if (text, background, foreground) != (self.cue, self.cue_background, self.cue_foreground):
            self.cue, self.cue_background, self.cue_foreground = text, background, foreground
            self.update()

    def set_voice_note(self, text: str) -> None:
        if text != self.voice_note:
            self.voice_note = text
            self.update()

    def plan(self) -> dict[str, QRectF]:
        """Where each part goes in a widget of this size: cue band on top, the count below it,
        the hold ring beside the count, the two sides under it, the voice line at the bottom."""
        w, h = float(self.width()), float(self.height())
        pad = max(6.0, h * 0.015)
        note_h = max(22.0, h * 0.045) if self.voice_note else 0.0
        cue_h = h * 0.27
        sides_h = h * 0.17 if self.sides else 0.0
        top = pad + cue_h + pad
        middle_h = h - top - sides_h - note_h - 2 * pad
        rects = {"cue": QRectF(pad, pad, w - 2 * pad, cue_h)}
        if self.hold is not None:
            ring = min(middle_h, w * 0.4)
            rects["hold"] = QRectF(w - pad - ring, top, ring, middle_h)
            rects["count"] = QRectF(pad, top, w - 3 * pad - ring, middle_h)
        else:
            rects["count"] = QRectF(pad, top, w - 2 * pad, middle_h)
        if self.sides:
            rects["sides"] = QRectF(pad, top + middle_h, w - 2 * pad, sides_h)
        if note_h:
            rects["voice"] = QRectF(pad, h - pad - note_h, w - 2 * pad, note_h)
        return rects

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), PANEL_BG)
        rects = self.layout_rects = self.plan()
        self.fonts = {}
        cue = rects["cue"]
        if self.cue:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.cue_background)
            painter.drawRoundedRect(cue, 12, 12)
            painter.setPen(self.cue_foreground)
            font = self._wrapped_font(self.cue, cue.adjusted(14, 8, -14, -8), int(cue.height() * 0.34))
            painter.setFont(font)
            painter.drawText(
                cue.adjusted(14, 8, -14, -8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.cue
            )
            self.fonts["cue"] = font.pixelSize()
        count = rects["count"]
        caption_h = count.height() * 0.16
        number = QRectF(count.left(), count.top(), count.width(), count.height() - caption_h)
        font = fitted_font(self.count, number.width() * 0.96, int(number.height() * 0.8))
        painter.setFont(font)
        painter.setPen(QColor(245, 245, 245))
        painter.drawText(number, Qt.AlignmentFlag.AlignCenter, self.count)
        self.fonts["count"] = font.pixelSize()
        painter.setPen(QColor(200, 200, 200))
        font = fitted_font(self.caption, count.width(), int(caption_h * 0.75), bold=False)
        painter.setFont(font)
        painter.drawText(
            QRectF(count.left(), number.bottom(), count.width(), caption_h), Qt.AlignmentFlag.AlignCenter, self.caption
        )
        if self.hold is not None:
            paint_hold(painter, rects["hold"], *self.hold)
        if self.sides:
            area = rects["sides"]
            half = area.width() / 2
            size = min(
                int(area.height() * 0.8),
                *(fitted_font(t, half * 0.92, int(area.height() * 0.8)).pixelSize() for t in self.sides),
            )
            painter.setFont(pixel_font(size))
            self.fonts["sides"] = size
            for k, (text, colour) in enumerate(zip(self.sides, (LEFT, RIGHT))):
                painter.setPen(colour)
                painter.drawText(
                    QRectF(area.left() + k * half, area.top(), half, area.height()), Qt.AlignmentFlag.AlignCenter, text
                )
        if "voice" in rects:
            area = rects["voice"]
            painter.setPen(WARN)
            font = fitted_font(self.voice_note, area.width(), int(area.height() * 0.75), bold=False)
            painter.setFont(font)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.voice_note)
            self.fonts["voice"] = font.pixelSize()
        painter.end()

    @staticmethod
    def _wrapped_font(text: str, area: QRectF, pixel_size: int) -> QFont:
        """The largest font up to ``pixel_size`` at which ``text``, word-wrapped, fits ``area``."""
        size = pixel_size
        flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
        while size > 12:
            font = pixel_font(size)
            bound = QFontMetricsF(font).boundingRect(area, flags, text)
            if bound.height() <= area.height() and bound.width() <= area.width():
                return font
            size = int(size * 0.9)
        return pixel_font(12)
