"""Recorded sessions in the window, offscreen, with a generated clip played as the camera and
"Record video of my sessions" on: the file plays, its length and the saved analysis match the live set
(and the clip's generator truth), Progress offers "Review recording", old recordings go, and
"Delete my data" removes them.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import av

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

from app.coach import recordings  # noqa: E402
from app.live.pipeline import LiveSource  # noqa: E402
from exercises.registry import get_exercise  # noqa: E402
from tests.conftest import sample_truth  # noqa: E402

CLIP = "squat_side_continuous"  # 12 s, six squats


def _record(window, on: bool, **more) -> Path:
    """Switch recording on or off in the profile's settings; returns the recordings folder."""
    store, pid = window.history()
    settings = dict(store.profile_settings(pid))
    settings.update({"record_video": on, **more})
    store.save_profile_settings(pid, settings)
    return recordings.folder_in(Path(store.path).parent)


def _old_recording(folder: Path, days: int) -> Path:
    when = datetime.now() - timedelta(days=days)
    video = recordings.new_video_path(folder, 999, "squat", now=when)
    video.write_bytes(b"\0" * 1000)
    os.utime(video, (when.timestamp(), when.timestamp()))
    return video


def test_a_recorded_session_plays_matches_the_live_counts_and_opens_in_review(qtbot, window):
    truth = sample_truth(CLIP)
    folder = _record(window, True)
    stale = _old_recording(folder, days=45)  # older than the default 30 days
    window.select_exercise(truth["exercise"])
    with qtbot.waitSignal(window.live.session_ended, timeout=120_000) as ended:
        window.live.start(LiveSource(path=Path(truth["path"])), truth["exercise"], "lite")
    session = ended.args[0]
    assert session.reps == truth["reps"]
    assert not stale.exists()  # the retention ran before the new recording

    (recording,) = recordings.list_recordings(folder)
    store, _pid = window.history()
    ((session_id,),) = store.connection.execute("SELECT id FROM sessions").fetchall()
    assert recording.session_id == session_id and recording.exercise_id == truth["exercise"]
    for path in (recording.video, recording.report):
        assert path is not None and path.stat().st_mode & 0o777 == 0o600
    # The saved analysis is the live set's: the same counts, and the clip's truth.
    report = json.loads(recording.report.read_text())
    assert report["schema"] == 1 and report["session_id"] == session_id
    assert report["reps"] == session.reps == truth["reps"]
    assert report["reps_by_side"] == session.reps_by_side
    # The file plays: every recorded frame decodes, over the clip's length.
    with av.open(str(recording.video)) as container:
        frames = list(container.decode(container.streams.video[0]))
    assert len(frames) == report["frames_recorded"] == report["frames"] - report["frames_dropped"]
    assert abs(float(frames[-1].pts * frames[-1].time_base) - truth["duration_s"]) < 0.5
    # The summary says it was recorded (and what it left out, if anything).
    assert "Video recorded" in window.live.message.body.text()

    # Progress offers the review; it opens at that recording with the saved analysis on screen at once,
    # and the analysis of the file (what `hipcoach analyze` does) counts what the live set counted.
    page = window.show_progress()
    button = page.table.cellWidget(0, 4)
    assert button is not None and button.text() == "Review recording"
    review = window._ensure_review()  # built on first use: made here only to listen to it
    with qtbot.waitSignal(review.analysis_finished, timeout=120_000) as analysed:
        button.click()
        assert window.tabs.currentWidget() is review and review.path == recording.video
        assert review.summary.text().startswith(f"{truth['reps']} repetitions counted")
    assert analysed.args[0].reps == report["reps"]
    assert review.exercise_id == truth["exercise"]


def test_recording_off_records_nothing_and_delete_my_data_removes_recordings(qtbot, window):
    from app.gui.settings_dialog import SettingsDialog

    folder = _record(window, False)
    definition = get_exercise("squat")
    assert window.coach.recording_for(definition.id, "lite") is None
    # On, with the newest 1 GB kept: a new set's recording starts in the private folder.
    _record(window, True, recording_keep_unit="gb", recording_keep_amount=1)
    kept = _old_recording(folder, days=400)  # old, but within the size limit
    started = window.coach.recording_for(definition.id, "lite")
    assert started is not None and kept.exists()
    assert folder.stat().st_mode & 0o777 == 0o700
    started.close_video()
    store, pid = window.history()
    dialog = SettingsDialog(store, pid, window)
    qtbot.addWidget(dialog)
    assert dialog.record_video.isChecked() and dialog.keep_unit.currentData() == "gb"
    assert "1 recorded video(s)" in dialog.deletion_summary()
    assert dialog.delete_data() is not None
    assert not kept.exists() and not folder.exists()


def test_a_session_of_several_recorded_sets_offers_each(qtbot, window):
    from exercises.events import RepRecord

    store, pid = window.history()
    sid = store.start_session(pid)
    for exercise in ("squat", "glute_bridge"):
        set_id = store.start_set(sid, exercise, 5)
        store.add_rep(set_id, RepRecord(1, None, 0.5, 3.0, 95.0, None, []))
        store.end_set(set_id, "done")
    store.end_session(sid, "done")
    folder = recordings.folder_in(Path(store.path).parent)
    first = recordings.new_video_path(folder, sid, "squat", now=datetime(2026, 12, 1, 9, 0))
    second = recordings.new_video_path(folder, sid, "glute_bridge", now=datetime(2026, 12, 1, 9, 5))
    for video in (first, second):
        video.write_bytes(b"\0")
    page = window.show_progress()
    button = page.table.cellWidget(0, 4)
    assert button.text() == "Review recording (2)"
    actions = button.menu().actions()
    assert [a.text() for a in actions] == ["Squat, 09:00", "Glute bridge, 09:05"]
    chosen: list = []
    page.recording_chosen.connect(chosen.append)
    actions[1].trigger()
    assert [r.video for r in chosen] == [second]
    assert recordings.saved_report(chosen[0]) is None  # no analysis beside it: the review analyses the file
