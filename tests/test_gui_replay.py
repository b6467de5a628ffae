"""Replay review, offscreen: a generated clip fills the timeline and the rep table; exports are valid."""

from __future__ import annotations

import csv
import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

import cv2  # noqa: E402
import pytest  # noqa: E402

from app.gui.window import MainWindow  # noqa: E402
from tests.test_gui_live import clip_with_truth  # noqa: E402


@pytest.fixture(scope="module")
def reviewed(qapp):
    """One window with the shortest generated clip analysed (module-wide: analysis is the slow part)."""
    video, truth = clip_with_truth()
    win = MainWindow(model="lite", enable_speech=False)
    win.resize(1200, 800)
    win.show()
    done: list[dict] = []
    failed: list[str] = []
    win.open_review(video, truth["exercise"])
    win.review.analysis_finished.connect(done.append)
    win.review.analysis_failed.connect(failed.append)
    import time

    deadline = time.monotonic() + 120
    while not done and not failed and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert not failed, failed
    assert done, "analysis did not finish in 120 s"
    yield win, truth, done[0]
    win.review.shutdown()
    win.close()


def test_replay_fills_the_timeline_and_the_rep_table(reviewed):
    win, truth, report = reviewed
    review = win.review
    assert report.reps == truth["reps"]
    # One row per counted rep, and one per movement that did not count (marked so).
    results = [review.table.item(r, review.table.columnCount() - 1).text() for r in range(review.table.rowCount())]
    assert results.count("counted") == truth["reps"]
    assert len(results) == truth["reps"] + len(report.partial_reps)
    assert len(review.timeline.reps) == truth["reps"]
    assert [r["index"] for r in review.timeline.reps] == list(range(1, truth["reps"] + 1))
    assert len(review.frames) == report.frames
    assert review.progress.value() == review.progress.maximum()


def test_seeking_keeps_playhead_table_and_plot_in_sync(qtbot, reviewed):
    win, truth, report = reviewed
    review = win.review
    rep = report.reps_detail[-1]
    middle = (rep.start_s + rep.end_s) / 2
    review.seek_s(middle)
    assert abs(review.timeline.position_s - middle) < 0.05
    assert abs(review.plot.playhead.value() - middle) < 0.05
    assert review.table.rows[review.table.currentRow()]["index"] == rep.index
    # Clicking a row jumps to the start of its rep.
    review._row_clicked(0, 0)
    assert abs(review.timeline.position_s - report.reps_detail[0].start_s) < 0.05
    before = review.position
    review.step_frames(1)
    assert review.position == before + 1
    review.set_speed(2.0)
    review.play()
    qtbot.wait(300)
    review.pause()
    assert review.position > before + 1


def test_exports_write_valid_files(reviewed, tmp_path):
    win, truth, report = reviewed
    review = win.review
    rows = list(csv.DictReader(review.export("csv", tmp_path / "reps.csv").open()))
    assert len(rows) == truth["reps"]
    assert set(rows[0]) >= {"index", "side", "start_s", "end_s", "peak_angle_deg", "hold_s", "faults"}
    data = json.loads(review.export("json", tmp_path / "report.json").read_text())
    assert data["schema"] == 1 and data["reps"] == truth["reps"] and data["exercise"] == truth["exercise"]
    out = review.export("mp4", tmp_path / "annotated.mp4")
    cap = cv2.VideoCapture(str(out))
    try:
        assert cap.isOpened()
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == report.frames
        ok, image = cap.read()
        assert ok and image.shape[1] == truth["width"]
    finally:
        cap.release()


def test_a_file_that_is_not_a_video_gives_a_message(qtbot, tmp_path):
    win = MainWindow(model="lite", enable_speech=False)
    qtbot.addWidget(win)
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video")
    with qtbot.waitSignal(win._ensure_review().analysis_failed, timeout=10_000) as failed:
        win.open_review(bad, "squat")
    assert "notes.mp4" in failed.args[0]
