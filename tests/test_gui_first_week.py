"""Issue 14, the two ways the first week could endanger or trap a patient, offscreen.

1. A "yes" to a warning sign is not forgotten: exercise stays stopped, at every Start and at Start
   routine, across a restart, until the person confirms on a later day that a doctor has seen them
   or the sign has gone; the stop and the confirmation are in the history.
2. No camera is not a questionnaire loop: the source is checked before the pain question, a start
   with no picture is not a session, one page says what to do, and toolbar Start uses ``--source``.

Expected values come from the issue's rules and the answers the tests give, not from the program.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PyQt6.QtCore import Qt  # noqa: E402

from app.coach import safety  # noqa: E402
from app.coach.routine import RoutineItem  # noqa: E402
from app.gui.window import MainWindow  # noqa: E402
from app.live.pipeline import LiveSource  # noqa: E402

NO_CAMERA = LiveSource(camera=97)  # no such camera here or on CI


def make_short_clip(path: Path, frames: int = 8) -> Path:
    """A one-second clip with nobody in it: a source that works and ends at once."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for i in range(frames):
        writer.write(np.full((240, 320, 3), 60 + 5 * i, np.uint8))
    writer.release()
    return path


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    return tmp_path


def make_window(qtbot, checkins: bool = True, source: LiveSource | None = None) -> MainWindow:
    win = MainWindow(model="lite", enable_speech=False, checkins=checkins, source=source)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win


def rows(data_dir, sql: str, args: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{data_dir / 'history.sqlite3'}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def visible(dialog) -> bool:
    return dialog is not None and dialog.isVisible()


def answer_screening(qtbot, coach, yes: tuple[str, ...] = ()) -> None:
    qtbot.waitUntil(lambda: visible(coach.screening_dialog), timeout=5000)
    dialog = coach.screening_dialog
    for qid, _ in safety.SCREENING_QUESTIONS:
        button = (dialog.yes_buttons if qid in yes else dialog.no_buttons)[qid]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def wait_hold(qtbot, coach):
    qtbot.waitUntil(lambda: visible(coach.hold_dialog), timeout=5000)
    return coach.hold_dialog


def move_history_back(data_dir, days: int) -> None:
    """As if the answers were given ``days`` days ago (the clock cannot be moved in a test)."""
    conn = sqlite3.connect(data_dir / "history.sqlite3")
    for table, column in (("screenings", "answered_at"), ("safety_clearances", "cleared_at")):
        for row_id, when in conn.execute(f"SELECT id, {column} FROM {table}").fetchall():
            earlier = (datetime.fromisoformat(when) - timedelta(days=days)).isoformat(timespec="seconds")
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (earlier, row_id))
    conn.commit()
    conn.close()


# ---------------------------------------------------------------------------- 1. a "yes" is not forgotten


def test_a_yes_stops_exercise_at_every_start_until_confirmed_on_a_later_day(qtbot, data_dir, tmp_path):
    clip = make_short_clip(tmp_path / "short.mp4")
    window = make_window(qtbot)
    coach = window.coach
    coach.request_start(LiveSource(path=clip), "squat")
    answer_screening(qtbot, coach, yes=("fever",))

    # The same day: see a doctor, and no way on (only OK); no pain question, no session.
    hold = wait_hold(qtbot, coach)
    assert "fever" in hold.body.text() and "see a doctor without delay" in hold.body.text()
    assert hold.confirm_buttons == {} and hold.stop_button.text() == "OK"
    qtbot.mouseClick(hold.stop_button, Qt.MouseButton.LeftButton)
    assert coach.pain_dialog is None and not window.live.running
    assert window.live.stack.currentWidget() is window.live.message
    assert window.live.message.title.text() == "No exercise today"
    assert "fever" in window.live.message.body.text()
    stored = rows(data_dir, "SELECT answers, blocks FROM screenings")
    assert [json.loads(b) for _, b in stored] == [["fever"]] and json.loads(stored[0][0])["fever"] is True

    # The very next Start, and the routine (Ctrl+R), show it again instead of the pain check-in.
    coach.hold_dialog = None
    window.start_action.trigger()
    qtbot.mouseClick(wait_hold(qtbot, coach).stop_button, Qt.MouseButton.LeftButton)
    coach.hold_dialog, coach.screening_dialog = None, None
    assert window.routine_action.shortcut().toString() == "Ctrl+R"
    window.routine_action.trigger()
    qtbot.mouseClick(wait_hold(qtbot, coach).stop_button, Qt.MouseButton.LeftButton)
    assert coach.screening_dialog is None and coach.pain_dialog is None and coach.mode is None
    assert rows(data_dir, "SELECT COUNT(*) FROM sessions") == [(0,)]
    coach.close()

    # Eight days later, after a restart: still stopped (the weekly clock does not lift it) ...
    move_history_back(data_dir, 8)
    window = make_window(qtbot)
    coach = window.coach
    assert not coach.screening_due()
    coach.request_start(LiveSource(path=clip), "squat")
    hold = wait_hold(qtbot, coach)
    assert set(hold.confirm_buttons) == {"doctor", "gone"}  # ... but now it can be confirmed
    assert hold.stop_button.text() == "Not today" and hold.stop_button.isDefault()
    qtbot.mouseClick(hold.confirm_buttons["doctor"], Qt.MouseButton.LeftButton)
    ((reason, signs, screening_id),) = rows(data_dir, "SELECT reason, signs, screening_id FROM safety_clearances")
    assert (reason, json.loads(signs), screening_id) == ("doctor", ["fever"], 1)

    # The questions again: the fever a doctor has seen is still there, so the advice is read
    # and the person may go on; then the source is checked and the pain asked.
    answer_screening(qtbot, coach, yes=("fever",))
    qtbot.waitUntil(lambda: visible(coach.advice_dialog), timeout=3000)
    assert "a doctor has seen you" in coach.advice_dialog.body.text()
    qtbot.mouseClick(coach.advice_dialog.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible(coach.pain_dialog), timeout=10_000)
    assert [json.loads(b) for (b,) in rows(data_dir, "SELECT blocks FROM screenings ORDER BY id")] == [["fever"], []]
    coach.pain_dialog.reject()
    coach.close()


def test_a_new_sign_after_the_confirmation_stops_exercise_again(qtbot, data_dir):
    window = make_window(qtbot)
    coach = window.coach
    coach.request_start(NO_CAMERA, "squat")
    answer_screening(qtbot, coach, yes=("worse_each_day",))
    qtbot.mouseClick(wait_hold(qtbot, coach).stop_button, Qt.MouseButton.LeftButton)
    move_history_back(data_dir, 1)
    coach.hold_dialog = None
    coach.request_start(NO_CAMERA, "squat")
    qtbot.mouseClick(wait_hold(qtbot, coach).confirm_buttons["gone"], Qt.MouseButton.LeftButton)
    coach.hold_dialog = None
    answer_screening(qtbot, coach, yes=("weight_loss",))
    hold = wait_hold(qtbot, coach)
    assert "weight loss" in hold.body.text() and hold.confirm_buttons == {}
    qtbot.mouseClick(hold.stop_button, Qt.MouseButton.LeftButton)
    assert coach.pain_dialog is None and coach.mode is None
    assert [r for (r,) in rows(data_dir, "SELECT reason FROM safety_clearances")] == ["gone"]
    coach.close()


def test_without_a_history_a_yes_still_holds_for_the_run(qtbot, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(blocker))
    window = make_window(qtbot)
    assert window.store is None
    coach = window.coach
    coach.request_start(NO_CAMERA, "squat")
    answer_screening(qtbot, coach, yes=("lean_forward",))
    qtbot.mouseClick(wait_hold(qtbot, coach).stop_button, Qt.MouseButton.LeftButton)
    coach.hold_dialog = None
    coach.request_start(NO_CAMERA, "squat")
    assert "lean forward" in wait_hold(qtbot, coach).body.text()
    coach.close()


# ---------------------------------------------------------------------------- 2. no camera


def assert_no_camera_page(window) -> None:
    live = window.live
    assert live.stack.currentWidget() is live.message
    assert live.message.title.text() == "No camera found"
    body = live.message.body.text()
    assert "camera 97" in body and "pick another camera" in body and "Ctrl+O" in body
    assert "Nothing was saved" in body
    buttons = [live.message.buttons.itemAt(i).widget() for i in range(live.message.buttons.count())]
    labels = [b.text() for b in buttons if b is not None and not b.isHidden()]
    assert labels[:3] == ["Try again", "Pick another camera…", "Use a recording…  (Ctrl+O)"]


def page_button(window, text: str):
    message = window.live.message
    buttons = [message.buttons.itemAt(i).widget() for i in range(message.buttons.count())]
    return next(b for b in buttons if b is not None and not b.isHidden() and b.text() == text)


def test_no_camera_is_checked_before_the_pain_question_and_is_not_a_session(qtbot, data_dir, monkeypatch):
    window = make_window(qtbot)
    coach = window.coach
    coach.request_start(NO_CAMERA, "squat")
    answer_screening(qtbot, coach)
    qtbot.waitUntil(lambda: window.live.message.title.text() == "No camera found", timeout=10_000)
    assert coach.pain_dialog is None  # the pain question never came
    assert_no_camera_page(window)

    # Try again: the same page, no questions, still nothing recorded.
    window.live.message.title.setText("")
    qtbot.mouseClick(page_button(window, "Try again"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.live.message.title.text() == "No camera found", timeout=10_000)
    assert coach.pain_dialog is None and coach.screening_dialog.isHidden()

    # The routine with no camera: the same page, not "You ended the routine early".
    monkeypatch.setattr(coach, "routine_source", lambda item, base: NO_CAMERA)
    window.live.message.title.setText("")
    window.routine_action.trigger()
    qtbot.waitUntil(lambda: window.live.message.title.text() == "No camera found", timeout=10_000)
    assert "ended the routine" not in window.live.message.body.text()
    assert coach.pain_dialog is None and coach.mode is None

    assert rows(data_dir, "SELECT COUNT(*) FROM sessions") == [(0,)]
    assert rows(data_dir, "SELECT COUNT(*) FROM pain_scores") == [(0,)]
    assert window.show_progress().is_empty  # nothing shows in Progress
    coach.close()


def test_a_camera_lost_before_its_first_picture_leaves_no_session(qtbot, data_dir, monkeypatch):
    """The check passed, then the camera gave nothing (unplugged between): no session, no pain after."""
    window = make_window(qtbot)
    coach = window.coach
    monkeypatch.setattr(window.live, "check_source", lambda source, done: done(None))
    coach.request_start(NO_CAMERA, "squat")
    answer_screening(qtbot, coach)
    qtbot.waitUntil(lambda: visible(coach.pain_dialog), timeout=5000)
    qtbot.keyClick(coach.pain_dialog, "3")
    qtbot.waitUntil(lambda: window.live.message.title.text() == "No camera found", timeout=20_000)
    qtbot.wait(300)
    assert coach.pain_dialog.moment == "before"  # no "after" question on top of the page
    assert coach.mode is None
    assert rows(data_dir, "SELECT COUNT(*) FROM sessions") == [(0,)]
    assert rows(data_dir, "SELECT COUNT(*) FROM sets") == [(0,)]

    # In a routine: the same page, and no routine summary on top of it.
    routine = (RoutineItem("squat", target_reps=2, rest_s=1),)
    monkeypatch.setattr(coach, "routine_items", lambda: routine)  # a tiny routine
    monkeypatch.setattr(coach, "routine_source", lambda item, base: NO_CAMERA)
    window.live.message.title.setText("")
    window.routine_action.trigger()
    qtbot.waitUntil(lambda: visible(coach.pain_dialog), timeout=5000)
    qtbot.keyClick(coach.pain_dialog, "3")
    qtbot.waitUntil(lambda: window.live.message.title.text() == "No camera found", timeout=20_000)
    qtbot.wait(300)
    assert coach.mode is None and not window.live.in_routine
    assert rows(data_dir, "SELECT COUNT(*) FROM sessions") == [(0,)]
    coach.close()


def test_a_clip_session_is_written_from_its_first_picture(qtbot, data_dir, tmp_path):
    clip = make_short_clip(tmp_path / "short.mp4")
    window = make_window(qtbot)
    coach = window.coach
    coach.request_start(LiveSource(path=clip), "squat")
    answer_screening(qtbot, coach)
    qtbot.waitUntil(lambda: visible(coach.pain_dialog), timeout=10_000)
    qtbot.keyClick(coach.pain_dialog, "2")
    qtbot.waitUntil(lambda: visible(coach.pain_dialog) and coach.pain_dialog.moment == "after", timeout=60_000)
    qtbot.keyClick(coach.pain_dialog, "2")
    assert rows(data_dir, "SELECT COUNT(*) FROM sessions WHERE ended_at IS NOT NULL") == [(1,)]
    assert rows(data_dir, "SELECT exercise FROM sets") == [("squat",)]
    assert rows(data_dir, "SELECT moment, score FROM pain_scores ORDER BY id") == [("before", 2), ("after", 2)]
    coach.close()


def test_toolbar_start_uses_the_source_from_the_command_line(qtbot, data_dir, tmp_path):
    clip = make_short_clip(tmp_path / "given.mp4")
    window = make_window(qtbot, checkins=False, source=LiveSource(path=clip))
    started: list[LiveSource] = []
    window.live.running_changed.connect(lambda running: running and started.append(window.live.source))
    window.start_action.trigger()
    qtbot.waitUntil(lambda: bool(started), timeout=10_000)
    assert started[0].path == clip and not started[0].is_camera
    qtbot.waitUntil(lambda: not window.live.running, timeout=60_000)
    window.coach.close()


def test_main_hands_the_source_to_the_window(monkeypatch, tmp_path, qapp):
    from app.gui import main as main_mod

    clip = make_short_clip(tmp_path / "given.mp4")
    made: dict = {}

    class FakeWindow:
        def __init__(self, **kwargs):
            made.update(kwargs)

        def resize(self, *_):
            pass

        def show(self):
            pass

    monkeypatch.setattr("app.gui.window.MainWindow", FakeWindow)
    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    assert main_mod.main(["--source", str(clip), "--no-start"]) == 0
    assert made["source"] == LiveSource(path=clip)
    made.clear()
    assert main_mod.main(["--camera", "2", "--no-start"]) == 0
    assert made["source"] == LiveSource(camera=2)
