"""The window's look in one place: dark colours and large type, applied once to the QApplication.

:func:`apply` sets the Fusion style, a dark palette and an application stylesheet, so every dialog
(screening, pain check-in, settings, export), message box and menu looks like the main window and
reads from across the room. Widgets that set their own font or stylesheet keep them.
Text on the dark background is at least 7:1 contrast (WCAG AAA); :func:`contrast_ratio` checks it.
"""

from __future__ import annotations

from PyQt6.QtGui import QColor, QFont, QPalette
from PyQt6.QtWidgets import QApplication, QStyleFactory

# Signal colours (the live overlay, progress and replay use the same ones).
GOOD = QColor(60, 200, 110)
WARN = QColor(250, 190, 40)
BAD = QColor(235, 80, 70)
LEFT = QColor(60, 170, 255)  # the overlay's left (BGR 255,170,60)
RIGHT = QColor(255, 140, 60)
MUTED = QColor(150, 150, 150)

# Surfaces and text.
PANEL_BG = QColor(28, 30, 34)  # the window and every dialog
SURFACE = QColor(40, 43, 49)  # menus, lists, fields: one step up from the background
BUTTON_BG = QColor(52, 56, 64)
BORDER = QColor(96, 100, 110)
TEXT = QColor(238, 238, 238)
TEXT_DISABLED = QColor(130, 130, 130)
ACCENT = QColor(50, 110, 200)  # selection, the default button, the cue banner's blue

BASE_POINT_SIZE = 14  # everything without a font of its own
MENU_POINT_SIZE = 16  # menus are read from a distance too


def big_font(point_size: int, bold: bool = True) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def palette() -> QPalette:
    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, PANEL_BG),
        (roles.WindowText, TEXT),
        (roles.Base, SURFACE),
        (roles.AlternateBase, BUTTON_BG),
        (roles.Text, TEXT),
        (roles.Button, BUTTON_BG),
        (roles.ButtonText, TEXT),
        (roles.BrightText, QColor(255, 255, 255)),
        (roles.Highlight, ACCENT),
        (roles.HighlightedText, QColor(255, 255, 255)),
        (roles.ToolTipBase, SURFACE),
        (roles.ToolTipText, TEXT),
        (roles.PlaceholderText, MUTED),
        (roles.Link, LEFT),
        (roles.Light, BORDER),
        (roles.Mid, BORDER),
        (roles.Dark, PANEL_BG),
        (roles.Shadow, QColor(0, 0, 0)),
    ):
        pal.setColor(role, colour)
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, TEXT_DISABLED)
    return pal


def stylesheet() -> str:
    """The application stylesheet. No font sizes for widgets that may set their own font (a stylesheet
    font would override it); those get the larger application font instead."""
    c = {
        name: colour.name()
        for name, colour in (
            ("bg", PANEL_BG),
            ("surface", SURFACE),
            ("button", BUTTON_BG),
            ("border", BORDER),
            ("text", TEXT),
            ("disabled", TEXT_DISABLED),
            ("accent", ACCENT),
        )
    }
    return f"""
QDialog, QMessageBox {{ background: {c["bg"]}; color: {c["text"]}; }}
QMessageBox QLabel {{ color: {c["text"]}; font-size: {BASE_POINT_SIZE + 1}pt; }}
QMenu {{ background: {c["surface"]}; color: {c["text"]}; border: 1px solid {c["border"]};
        font-size: {MENU_POINT_SIZE}pt; padding: 6px 0; }}
QMenu::item {{ padding: 10px 32px 10px 24px; }}
QMenu::item:selected {{ background: {c["accent"]}; color: #ffffff; }}
QMenu::item:disabled {{ color: {c["disabled"]}; }}
QMenu::separator {{ height: 1px; background: {c["border"]}; margin: 6px 12px; }}
QMenuBar {{ background: {c["bg"]}; color: {c["text"]}; font-size: {BASE_POINT_SIZE}pt; }}
QMenuBar::item:selected {{ background: {c["accent"]}; color: #ffffff; }}
QToolTip {{ background: {c["surface"]}; color: {c["text"]}; border: 1px solid {c["border"]};
           font-size: {BASE_POINT_SIZE}pt; padding: 6px; }}
QDialog QPushButton, QMessageBox QPushButton {{ background: {c["button"]}; color: {c["text"]};
        border: 1px solid {c["border"]}; border-radius: 6px; padding: 8px 18px; }}
    /* no min-height above: it would override big buttons */
QDialog QPushButton:hover, QMessageBox QPushButton:hover {{ border-color: {c["text"]}; }}
QDialog QPushButton:default, QMessageBox QPushButton:default {{ border: 2px solid {c["accent"]}; }}
QDialog QPushButton:disabled, QMessageBox QPushButton:disabled {{ color: {c["disabled"]}; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox, QPlainTextEdit, QTextEdit, QListWidget {{
        background: {c["surface"]}; color: {c["text"]}; border: 1px solid {c["border"]}; border-radius: 4px;
        selection-background-color: {c["accent"]}; selection-color: #ffffff; }}
QComboBox QAbstractItemView {{ background: {c["surface"]}; color: {c["text"]};
        selection-background-color: {c["accent"]}; }}
QGroupBox {{ color: {c["text"]}; }}
"""


def apply(app: QApplication) -> None:
    """Give the whole application the window's dark look and large type (call once, at start-up)."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:  # Fusion follows the palette on every platform
        app.setStyle(fusion)
    app.setPalette(palette())
    font = app.font()
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(stylesheet())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def lin(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

        return 0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
