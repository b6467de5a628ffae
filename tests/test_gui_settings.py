"""Tools ▸ Settings, offscreen: edits survive a save and a reopen, bad overrides are refused with a
message, and "Delete my data" removes the database while the window keeps working.

The history lives in ``tmp_path`` (HIPCOACH_DATA_DIR), written through HistoryStore.
"""

from __future__ import annotations

import pytest

from app.coach.routine import DEFAULT_ROUTINE, routine_from_settings
from app.coach.store import HistoryStore
from app.gui.settings_dialog import SettingsDialog
from exercises.events import RepRecord
from exercises.registry import EXERCISE_IDS, get_exercise


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def store(data_dir):
    opened = HistoryStore.open()
    yield opened
    try:
        opened.close()
    except Exception:  # already closed by a delete
        pass


def dialog_for(qtbot, store) -> SettingsDialog:
    dialog = SettingsDialog(store, store.ensure_profile())
    qtbot.addWidget(dialog)
    return dialog


def row_of(dialog: SettingsDialog, exercise: str) -> int:
    table = dialog.routine_table
    return next(r for r in range(table.rowCount()) if table.item(r, 1).data(0x0100) == exercise)


def knee_rule(exercise: str) -> str:
    return next(rule.code for rule in get_exercise(exercise).rules)


def test_settings_round_trip(qtbot, store):
    pid = store.ensure_profile()
    dialog = dialog_for(qtbot, store)
    # Before any edit, the table shows the article's routine, ticked, in its order.
    shown = dialog.routine()
    assert [i.exercise for i in shown if i.enabled] == [i.exercise for i in DEFAULT_ROUTINE if i.enabled]
    table = dialog.routine_table
    bridge, squat = row_of(dialog, "glute_bridge"), row_of(dialog, "squat")
    table.cellWidget(bridge, 2).setValue(12)
    table.cellWidget(bridge, 3).setValue(2)
    table.cellWidget(bridge, 4).setValue(45)
    table.cellWidget(squat, 0).setChecked(False)
    dialog.strictness_box.setCurrentIndex(dialog.strictness_box.findData("strict"))
    rule = knee_rule("straight_leg_raise")
    dialog.set_override_text("straight_leg_raise", "target_reps", "6")
    dialog.set_override_text("straight_leg_raise", "hold_target_s", "7")
    dialog.set_override_text("straight_leg_raise", f"limit:{rule}", "150")
    dialog.set_override_text("glute_bridge", "hold_target_s", "4.5")  # switching exercise keeps the texts above
    assert dialog.save()

    saved = store.profile_settings(pid)
    assert saved["strictness"] == "strict"
    assert saved["overrides"] == {
        "straight_leg_raise": {"target_reps": 6, "hold_target_s": 7.0, "limits": {rule: 150.0}},
        "glute_bridge": {"hold_target_s": 4.5},
    }
    items = {i.exercise: i for i in routine_from_settings(saved)}
    assert (items["glute_bridge"].target_reps, items["glute_bridge"].sets, items["glute_bridge"].rest_s) == (12, 2, 45)
    assert "squat" not in items or not items["squat"].enabled

    # Reopened (a new store on the same file, as after a restart): the dialog shows the edits.
    path = store.path
    store.close()
    again = HistoryStore.open(path)
    try:
        reopened = dialog_for(qtbot, again)
        assert reopened.strictness_box.currentData() == "strict"
        row = row_of(reopened, "glute_bridge")
        assert reopened.routine_table.cellWidget(row, 2).value() == 12
        assert not reopened.routine_table.cellWidget(row_of(reopened, "squat"), 0).isChecked()
        reopened.override_exercise.setCurrentIndex(EXERCISE_IDS.index("straight_leg_raise"))
        assert reopened.override_fields["hold_target_s"].text() == "7"
        assert reopened.override_fields[f"limit:{rule}"].text() == "150"
        # Saving again without edits keeps the same settings.
        assert reopened.save()
        assert again.profile_settings(pid) == saved
    finally:
        again.close()


def test_record_video_setting_with_its_retention_loads_and_saves(qtbot, store):
    from app.coach import recordings

    # Settings saved by an older version: "Record video of my sessions" on, no retention yet.
    pid = store.ensure_profile()
    store.save_profile_settings(pid, {"record_video": True, "strictness": "gentle"})
    dialog = dialog_for(qtbot, store)
    assert dialog.strictness_box.currentData() == "gentle"  # the rest of the old settings loaded
    # Recording works now, so the dialog offers it, with how long recordings are kept (30 days by default).
    assert dialog.record_video.text() == "Record video of my sessions" and dialog.record_video.isChecked()
    assert (dialog.keep_amount.value(), dialog.keep_unit.currentData()) == (30, "days")
    assert dialog.keep_amount.isEnabled()
    dialog.keep_amount.setValue(5)
    dialog.keep_unit.setCurrentIndex(dialog.keep_unit.findData("gb"))
    assert dialog.save()
    saved = store.profile_settings(pid)
    assert saved["strictness"] == "gentle"
    assert recordings.settings_from(saved) == recordings.RecordingSettings(True, recordings.Retention("gb", 5.0))
    # Off: the retention cannot be edited (nothing to keep) and the setting says off.
    reopened = dialog_for(qtbot, store)
    reopened.record_video.setChecked(False)
    assert not reopened.keep_amount.isEnabled() and not reopened.keep_unit.isEnabled()
    assert reopened.save()
    assert store.profile_settings(pid)["record_video"] is False


def test_reset_to_the_articles_routine(qtbot, store):
    dialog = dialog_for(qtbot, store)
    table = dialog.routine_table
    table.cellWidget(row_of(dialog, "glute_bridge"), 2).setValue(3)
    table.cellWidget(row_of(dialog, "bridge_march"), 0).setChecked(False)
    dialog.set_routine(DEFAULT_ROUTINE)
    enabled = [i for i in dialog.routine() if i.enabled]
    assert enabled == [i for i in DEFAULT_ROUTINE if i.enabled]


@pytest.mark.parametrize(
    "field, text, words",
    [
        ("hold_target_s", "abc", "must be a number"),
        ("target_reps", "2.5", "whole number"),
        ("target_reps", "-3", ""),  # refused by exercises.personalise
        ("hold_target_s", "-1", ""),  # refused by exercises.personalise
        ("limit:hips_low", "400", "hips low limit"),  # refused by exercises.personalise (far off the standard)
    ],
)
def test_a_bad_override_shows_a_message_and_is_not_saved(qtbot, store, field, text, words):
    pid = store.ensure_profile()
    before = store.profile_settings(pid)
    dialog = dialog_for(qtbot, store)
    dialog.show()
    dialog.set_override_text("glute_bridge", field, text)
    dialog.override_exercise.setCurrentIndex(EXERCISE_IDS.index("squat"))  # the error must lead back to it
    dialog.strictness_box.setCurrentIndex(dialog.strictness_box.findData("gentle"))
    assert not dialog.save()
    message = dialog.error_label.text()
    assert dialog.error_label.isVisible() and message.startswith("Glute bridge: ") and words in message
    assert "\n" not in message and "Traceback" not in message
    assert dialog.override_exercise.currentData() == "glute_bridge"
    flagged = [name for name, edit in dialog.override_fields.items() if "c0392b" in edit.styleSheet()]
    assert flagged == [field]  # the field to correct is marked
    assert dialog.isVisible()  # the dialog stays open for a correction
    assert store.profile_settings(pid) == before


def test_delete_my_data_removes_the_database_and_the_app_keeps_working(qtbot, data_dir, monkeypatch):
    from PyQt6.QtWidgets import QMessageBox

    from app.gui.window import MainWindow

    win = MainWindow(model="lite", enable_speech=False)
    qtbot.addWidget(win)
    store, pid = win.history()
    assert store.path.parent == data_dir
    store.save_profile_settings(pid, {"record_video": True})
    sid = store.start_session(pid)
    set_id = store.start_set(sid, "glute_bridge", 10)
    for i in (1, 2):
        store.add_rep(set_id, RepRecord(i, None, 8.0 * i, 8.0 * i + 6, 165.0, 5.0, []))
    store.end_set(set_id, "done")
    store.add_pain(sid, "before", 3)
    store.end_session(sid, "done")
    assert not win.show_progress().is_empty
    db = store.path
    from app.coach import recordings

    video = recordings.new_video_path(recordings.folder_in(data_dir), sid, "glute_bridge")
    video.write_bytes(b"\0" * 100)
    recordings.report_path(video).write_text("{}")

    dialog = SettingsDialog(store, pid, win)
    qtbot.addWidget(dialog)
    seen: list = []
    wal = db.with_name(db.name + "-wal")
    dialog.data_deleted.connect(lambda folder: seen.append((folder, db.exists(), wal.exists())))
    dialog.data_deleted.connect(win._data_deleted)
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", answer)
    dialog.confirm_delete()
    # The confirmation names the file, the folder and what goes with it.
    assert db.name in asked[0] and str(data_dir) in asked[0]
    assert "1 session(s) with 2 rep(s)" in asked[0] and "1 pain score(s)" in asked[0]
    assert "1 recorded video(s)" in asked[0]
    assert not video.exists() and not recordings.folder_in(data_dir).exists()  # the recordings went too
    # When the window heard of it, the database and its WAL were gone.
    assert seen == [(data_dir, False, False)]
    # The window goes on with a fresh, empty history in the same folder.
    fresh, fresh_pid = win.history()
    assert fresh is not store and fresh.path == db
    assert fresh.connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    assert fresh.profile_settings(fresh_pid).get("record_video") is not True
    assert win.progress_page.is_empty
    sid = fresh.start_session(fresh_pid)
    fresh.add_rep(fresh.start_set(sid, "squat", 5), RepRecord(1, None, 0.5, 3.0, 95.0, None, []))
    fresh.end_session(sid, "done")
    win.refresh_progress()
    assert not win.progress_page.is_empty


def test_targets_eased_after_pain_are_named_on_the_routine_tab(qtbot, store):
    from datetime import datetime

    from app.coach.safety import apply_pain_easing

    pid = store.ensure_profile()
    store.save_profile_settings(pid, apply_pain_easing({}, "squat", now=datetime(2026, 11, 20, 9, 0)))
    dialog = dialog_for(qtbot, store)
    squat = next(i for i in routine_from_settings(store.profile_settings(pid)) if i.exercise == "squat")
    article = next(i for i in DEFAULT_ROUTINE if i.exercise == "squat")
    assert squat.target_reps < article.target_reps
    assert dialog.routine_table.cellWidget(row_of(dialog, "squat"), 2).value() == squat.target_reps
    assert dialog.eased_label.text() == (
        f"Eased after pain: Squat: {article.target_reps} → {squat.target_reps} reps (after pain, 2026-11-20)."
    )
