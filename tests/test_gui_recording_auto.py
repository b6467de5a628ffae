"""An Auto run recorded, offscreen: a generated clip played as the camera on Auto with "Record video of my
sessions" on is one file from the run's start to its end, its JSON the recognised report (exercise,
reps and segments as the clip's generator truth has them), and Progress offers it for review on Auto.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import av

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

from app.coach import recordings  # noqa: E402
from app.live.pipeline import LiveSource  # noqa: E402
from exercises.recognition import AUTO  # noqa: E402
from exercises.registry import get_exercise  # noqa: E402
from tests.conftest import sample_truth  # noqa: E402

CLIP = "squat_side_continuous"  # 12 s, six squats


def _record_on(window) -> Path:
    store, pid = window.history()
    settings = dict(store.profile_settings(pid))
    settings["record_video"] = True
    store.save_profile_settings(pid, settings)
    return recordings.folder_in(Path(store.path).parent)


def test_an_auto_run_is_recorded_with_its_recognised_report_and_reviewed_on_auto(qtbot, window):
    truth = sample_truth(CLIP)
    folder = _record_on(window)
    window.select_exercise(AUTO)
    with qtbot.waitSignal(window.live.session_ended, timeout=120_000):
        window.live.start(LiveSource(path=Path(truth["path"])), AUTO, "lite")

    (recording,) = recordings.list_recordings(folder)
    store, _pid = window.history()
    ((session_id,),) = store.connection.execute("SELECT id FROM sessions").fetchall()
    assert recording.session_id == session_id and recording.exercise_id == AUTO
    assert folder.stat().st_mode & 0o777 == 0o700
    for path in (recording.video, recording.report):
        assert path is not None and path.stat().st_mode & 0o777 == 0o600
    # The saved JSON is the recognised report: the truth's exercise and reps, one segment for the one set.
    report = json.loads(recording.report.read_text())
    assert report["schema"] == 1 and report["session_id"] == session_id
    assert (report["exercise"], report["reps"]) == (truth["exercise"], truth["reps"])
    assert 0.0 < report["exercise_confidence"] <= 1.0 and report["recognition"]
    assert [(s["exercise"], s["reps"]) for s in report["segments"]] == [(truth["exercise"], truth["reps"])]
    # The file plays over the clip's length, every recorded frame.
    with av.open(str(recording.video)) as container:
        frames = list(container.decode(container.streams.video[0]))
    assert len(frames) == report["frames_recorded"] == report["frames"] - report["frames_dropped"]
    assert abs(float(frames[-1].pts * frames[-1].time_base) - truth["duration_s"]) < 0.5
    summary = window.live.message.body.text()
    assert "Video recorded" in summary and "not recorded" not in summary

    # Progress offers it; the review opens that file on Auto, handed the saved report.
    page = window.show_progress()
    button = page.table.cellWidget(0, 4)
    assert button is not None and button.text() == "Review recording"
    review = window._ensure_review()
    opened: list = []
    review_open = review.open
    review.open = lambda path, exercise_id=None, saved=None: (
        opened.append((path, exercise_id, saved)),
        review_open(path, exercise_id, saved),
    )
    with qtbot.waitSignal(review.analysis_finished, timeout=120_000) as analysed:
        button.click()
        # The saved analysis is on screen at once, before the file is analysed again.
        title = get_exercise(truth["exercise"]).title
        assert review.summary.text().startswith(f"{title} 0:00"), review.summary.text()
        assert f": {truth['reps']} reps." in review.summary.text()
    ((path, exercise_id, saved),) = opened
    assert path == recording.video and exercise_id == AUTO
    assert saved is not None and (saved.exercise, saved.reps) == (truth["exercise"], truth["reps"])
    assert window.tabs.currentWidget() is review and review.exercise_id == AUTO
    assert (analysed.args[0].exercise, analysed.args[0].reps) == (truth["exercise"], truth["reps"])


def test_an_auto_run_of_two_exercises_is_one_recording_with_a_segment_for_each(qtbot, window):
    from tests.test_gui_auto import FIRST, THEN, ClipThenClip

    first, then = sample_truth(FIRST), sample_truth(THEN)
    folder = _record_on(window)
    window.select_exercise(AUTO)
    source = ClipThenClip(path=Path(first["path"]), then=Path(then["path"]))
    with qtbot.waitSignal(window.live.session_ended, timeout=180_000):
        window.live.start(source, AUTO, "lite")
    (recording,) = recordings.list_recordings(folder)  # one file for the whole run
    report = json.loads(recording.report.read_text())
    expected = [(first["exercise"], first["reps"]), (then["exercise"], then["reps"])]
    assert [(s["exercise"], s["reps"]) for s in report["segments"]] == expected
    assert report["reps"] == first["reps"] + then["reps"]
    with av.open(str(recording.video)) as container:
        frames = list(container.decode(container.streams.video[0]))
    length = float((frames[-1].pts - frames[0].pts) * frames[-1].time_base)
    assert abs(length - (first["duration_s"] + then["duration_s"])) < 0.6
