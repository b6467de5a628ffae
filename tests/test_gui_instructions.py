"""Issue 14 items 6 and 8: "How to do it" agrees with PRODUCT.md's table and with one camera placement
per exercise, names no pose model, shows a drawing of where the camera goes; and one dark, large-type
style reaches dialogs, message boxes and menus.
"""

from __future__ import annotations

import re

import pytest
from PyQt6.QtGui import QImage, QPalette
from PyQt6.QtWidgets import QApplication, QMenu, QMessageBox

from app.gui import style
from app.guidance import camera_diagram
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.texts import PLACEMENTS, camera_placement, camera_spot, instructions
from exercises.vocabulary import STATUSES, status_advice

# PRODUCT.md's exercise table: (position words, hold_s, sides, repetitions phrase or None).
TABLE = {
    "glute_squeeze": ("lie on your back", 5, False, "up to 30"),
    "glute_bridge": ("lie on your back", 5, False, "up to 30"),
    "bridge_march": ("lie on your back", None, True, "15 lifts per foot"),
    "straight_leg_raise": ("lie on your back", 5, True, None),
    "hip_abduction": ("lie on your back", None, True, None),
    "prone_hip_extension": ("lie on your stomach", 5, True, None),
    "standing_hip_flexion": ("stand", None, True, None),
    "standing_hip_extension": ("stand", None, True, None),
    "squat": ("stand", None, False, None),
}

# Camera words that belong to other set-ups: one of these in an exercise's camera sentences would
# contradict its placement (the straight-leg raise once said both "at floor level" and "at hip height").
CONFLICTS = {
    "side_lying": (
        "floor level",
        "hip height",
        "above you",
        "beyond your feet",
        "at your feet",
        "along your body",
        "table",
    ),
    "feet": ("side-on", "to your side", "from the side", "floor level", "hip height", "stool"),
    "side_standing": ("floor level", "on the floor", "above you", "beyond your feet", "along your body", "stool"),
}
EVERY_STATUS = tuple(STATUSES)  # every status, the movement notices too
MODEL_WORDS = re.compile(r"\b(lite|heavy|full model|pose model|model)\b", re.IGNORECASE)


def user_texts(ex_id: str) -> list[str]:
    """Everything a person reads or hears about setting up this exercise."""
    ex = get_exercise(ex_id)
    return [
        *instructions(ex_id),
        ex.note,
        ex.cues.setup,
        camera_placement(ex_id),
        *(status_advice(code, ex_id) for code in EVERY_STATUS),
    ]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?:;])\s+", text) if s.strip()]


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_steps_follow_the_product_table(ex_id):
    position, hold_s, sides, reps = TABLE[ex_id]
    steps = instructions(ex_id)
    text = " ".join(steps).lower()
    assert position in text
    assert ("hold for" in text and f"{hold_s} seconds" in text) == (hold_s is not None)
    assert ("other leg" in text or "switch feet" in text or "per foot" in text) == sides
    if reps:
        assert reps in text
    ex = get_exercise(ex_id)
    assert ex.unilateral == sides and (ex.hold_target_s or None) == hold_s
    for step in steps:  # each step a whole sentence: none is split across two steps
        assert step[0].isupper() and step.endswith("."), step


def test_the_steps_say_what_the_article_says_where_it_is_specific():
    assert "1 inch" in instructions("straight_leg_raise")[1]
    assert "5 to 10 cm" in instructions("bridge_march")[1]
    assert "pillow" in instructions("prone_hip_extension")[0]
    assert "both hands" in instructions("standing_hip_extension")[0]
    assert "warm up" in instructions("squat")[0].lower()


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_camera_words_never_contradict_the_placement(ex_id):
    spot = camera_spot(ex_id)
    assert camera_placement(ex_id) == PLACEMENTS[spot]
    camera_sentences = [s for t in user_texts(ex_id) for s in sentences(t) if re.search(r"camera|laptop", s, re.I)]
    assert camera_sentences
    for sentence in camera_sentences:
        clashes = [w for w in CONFLICTS[spot] if w in sentence.lower()]
        assert not clashes, f"{ex_id} ({spot}): {sentence!r} says {clashes}"
    # Where the laptop goes is said once, by camera_placement; nothing else gives a second place.
    placements = [s for t in user_texts(ex_id) for s in sentences(t) if s.startswith("Put the laptop")]
    assert set(placements) == {camera_placement(ex_id)}


def test_the_placements_fit_the_views_each_exercise_is_judged_from():
    assert camera_spot("hip_abduction") == "feet"  # invisible from the side (PRODUCT.md)
    assert "side view" in get_exercise("hip_abduction").note
    assert {camera_spot(e) for e in ("standing_hip_flexion", "standing_hip_extension", "squat")} == {"side_standing"}
    lying = ("glute_squeeze", "glute_bridge", "bridge_march", "straight_leg_raise", "prone_hip_extension")
    assert {camera_spot(e) for e in lying} == {"side_lying"}
    assert "side-on" in camera_placement("straight_leg_raise")


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_no_pose_model_names_in_what_a_person_reads(ex_id):
    for text in user_texts(ex_id):
        assert not MODEL_WORDS.search(text), text


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_every_exercise_has_a_small_camera_drawing(ex_id):
    path = camera_diagram(ex_id)
    assert path is not None and path.name == f"camera_{ex_id}.png"
    assert path.stat().st_size < 60_000
    image = QImage(str(path))
    assert (image.width(), image.height()) == (400, 260)
    # The laptop's lens is marked (the renderer's yellow dot, BGR 0,200,255): the drawing shows a camera.
    lens = [(x, y) for x in range(0, 400, 2) for y in range(0, 260, 2) if image.pixelColor(x, y).name() == "#ffc800"]
    assert lens


def test_picker_shows_the_steps_the_placement_once_and_the_drawing(qtbot):
    from app.gui.picker import ExercisePicker

    picker = ExercisePicker("straight_leg_raise")
    qtbot.addWidget(picker)
    picker.demo.stop()
    pix = picker.camera_drawing.pixmap()
    assert not pix.isNull() and pix.width() >= 300
    assert picker.drawing_path == camera_diagram("straight_leg_raise")
    shown = " ".join(w.text() for w in (picker.steps, picker.note, picker.placement))
    assert shown.count("Put the laptop") == 1 and camera_placement("straight_leg_raise") in shown
    assert "1 inch" in picker.steps.text() and "5 seconds" in picker.steps.text()
    assert not MODEL_WORDS.search(shown)
    before = pix.toImage()
    picker.list.setCurrentRow(EXERCISE_IDS.index("hip_abduction"))
    picker.demo.stop()
    assert picker.drawing_path == camera_diagram("hip_abduction")
    assert picker.camera_drawing.pixmap().toImage() != before
    assert camera_placement("hip_abduction") in picker.placement.text()
    assert all(f"<li>{step}</li>" in picker.steps.text() for step in instructions("hip_abduction"))


@pytest.fixture
def styled(qapp):
    """The application styled as main() styles it, and put back afterwards for the other tests."""
    saved = (qapp.style().name(), QPalette(qapp.palette()), qapp.font(), qapp.styleSheet())
    style.apply(qapp)
    yield qapp
    qapp.setStyleSheet(saved[3])
    qapp.setStyle(saved[0])
    qapp.setPalette(saved[1])
    qapp.setFont(saved[2])


def test_dialogs_message_boxes_and_menus_share_the_dark_large_look(qtbot, styled):
    box = QMessageBox(QMessageBox.Icon.Question, "Delete", "Delete all your data?")
    qtbot.addWidget(box)
    box.ensurePolished()
    assert box.palette().color(QPalette.ColorRole.Window) == style.PANEL_BG
    assert box.palette().color(QPalette.ColorRole.WindowText) == style.TEXT
    assert box.font().pointSize() >= style.BASE_POINT_SIZE
    menu = QMenu()
    qtbot.addWidget(menu)
    menu.addAction("Settings…")
    menu.ensurePolished()
    assert menu.font().pointSize() == style.MENU_POINT_SIZE
    assert menu.palette().color(QPalette.ColorRole.Window) == style.SURFACE


def test_settings_dialog_is_dark_and_its_reset_speaks_plainly(qtbot, styled, monkeypatch, tmp_path):
    from PyQt6.QtWidgets import QPushButton

    from app.coach.store import HistoryStore
    from app.gui.settings_dialog import SettingsDialog

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    store = HistoryStore.open()
    try:
        dialog = SettingsDialog(store, store.ensure_profile())
        qtbot.addWidget(dialog)
        dialog.ensurePolished()
        labels = [b.text() for b in dialog.findChildren(QPushButton)]
        assert "Reset to the standard routine" in labels
        assert not any("article" in label.lower() for label in labels)
        assert dialog.palette().color(QPalette.ColorRole.Window) == style.PANEL_BG
        assert dialog.palette().color(QPalette.ColorRole.ButtonText) == style.TEXT
    finally:
        store.close()


def test_text_stays_readable_on_every_surface():
    for surface in (style.PANEL_BG, style.SURFACE, style.BUTTON_BG):
        assert style.contrast_ratio(style.TEXT, surface) >= 7.0
        assert style.contrast_ratio(style.TEXT_DISABLED, surface) >= 3.0
    from PyQt6.QtGui import QColor

    assert style.contrast_ratio(QColor(255, 255, 255), style.ACCENT) >= 4.5


def test_main_styles_the_application_once_before_the_window(qapp, monkeypatch, sample_clip_with_person):
    import app.gui.window as window_module
    from app.gui import main as gui_main

    seen = {}

    class FakeWindow:
        def __init__(self, **kwargs):
            app = QApplication.instance()
            seen["sheet"] = app.styleSheet()
            seen["window_bg"] = app.palette().color(QPalette.ColorRole.Window)

        def resize(self, *_):
            pass

        def show(self):
            pass

    saved = (qapp.style().name(), QPalette(qapp.palette()), qapp.font(), qapp.styleSheet())
    monkeypatch.setattr(window_module, "MainWindow", FakeWindow)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    try:
        assert gui_main.main(["--source", str(sample_clip_with_person), "--no-start", "--no-checkin"]) == 0
    finally:
        qapp.setStyleSheet(saved[3])
        qapp.setStyle(saved[0])
        qapp.setPalette(saved[1])
        qapp.setFont(saved[2])
    assert seen["sheet"] == style.stylesheet()
    assert seen["window_bg"] == style.PANEL_BG
