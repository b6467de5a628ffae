"""The review explains itself (issue 14 item 5), offscreen on a generated clip with a scene cut.

squat_side_cut.mp4 has three counted squats and a squat cut in two by the scene cut ('across_cut').
The plot names the angle and labels the band; the movement that did not count is on the timeline,
the plot and in the table with its reason in words; no engine words reach the screen; choosing
another exercise in Review analyses again; one exercise selection is shared by the window's pages.
"""

from __future__ import annotations

import os
import re
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

import pytest  # noqa: E402

from app import review_data  # noqa: E402
from app.clip_report import ClipReport  # noqa: E402
from app.gui.window import MainWindow  # noqa: E402
from exercises.registry import get_exercise  # noqa: E402
from exercises.vocabulary import partial_reason, status_message  # noqa: E402
from tests.conftest import sample_truth  # noqa: E402

ENGINE_WORDS = re.compile(r"\b(setup|rest|active|relax|too_small|across_cut|out_of_frame)\b|_")


def wait_for_report(qapp, review, exercise_id: str, timeout_s: float = 120.0) -> ClipReport:
    """Process events until the review holds a finished report for ``exercise_id``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if review.report is not None and review.report.exercise == exercise_id:
            return review.report
        qapp.processEvents()
        time.sleep(0.01)
    raise AssertionError(f"no {exercise_id} analysis within {timeout_s} s")


def table_texts(review) -> list[list[str]]:
    table = review.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


@pytest.fixture(scope="module")
def cut_review(qapp):
    truth = sample_truth("squat_side_cut")
    win = MainWindow(exercise_id="squat", model="lite", enable_speech=False, checkins=False)
    win.resize(1280, 800)
    win.show()
    win.open_review(truth["path"], "squat")
    report = wait_for_report(qapp, win.review, "squat")
    yield win, truth, report
    win.review.shutdown()
    win.close()


def test_a_movement_that_did_not_count_is_shown_with_its_reason(cut_review):
    win, truth, report = cut_review
    review = win.review
    cut = [p for p in report.partial_reps if p.reason == "across_cut"]
    assert report.reps == truth["reps"] and cut, report.partial_reps
    words = partial_reason("across_cut")
    # The timeline draws it, and pointing at it says why in words.
    assert review.timeline.partials == report.to_json()["partial_reps"]
    middle = (cut[0].start_s + cut[0].end_s) / 2
    tip = review.timeline.describe_at(middle, slack_s=0.0)
    assert f"not counted: {words}" in tip and "across_cut" not in tip
    assert "not counted" in review.timeline_legend.text()
    # A row per movement in the table, in time order, marked with the reason.
    rows = table_texts(review)
    result = [row[-1] for row in rows]
    assert result.count("counted") == report.reps
    assert f"not counted: {words}" in result
    starts = [float(row[2]) for row in rows]
    assert starts == sorted(starts)
    # The plot marks the same span, and the summary line says it in words.
    assert len(review._partial_regions) == len(report.partial_reps)
    assert words in review.summary.text() and f"{report.reps} repetitions counted" in review.summary.text()
    # Clicking the row of the movement that did not count jumps to it.
    row = result.index(f"not counted: {words}")
    review._row_clicked(row, 0)
    assert abs(review.timeline.position_s - cut[0].start_s) < 0.1


def test_the_plot_names_its_angle_and_labels_the_target_band(cut_review):
    win, _truth, _report = cut_review
    review = win.review
    title = review.plot.getPlotItem().titleLabel.text
    assert "Knee angle (hip-knee-ankle), degrees" in title
    # The band's lines follow what the checker used, frame by frame.
    states = [f.result.state for f in review.frames if f.result.state.target_deg is not None]
    assert states
    _t, target = review.target_curve.getData()
    _t, rest = review.rest_curve.getData()
    assert target[-1] == pytest.approx(states[-1].target_deg)
    assert rest[-1] == pytest.approx(states[-1].rest_deg)
    legend = review.plot_legend.text()
    assert f"target: a rep starts below {states[-1].target_deg:.0f}°" in legend
    assert f"start position: it ends back past {states[-1].rest_deg:.0f}°" in legend
    # The legend is a row of its own under the plot, never drawn over the data.
    plot, label = review.plot.geometry(), review.plot_legend.geometry()
    assert label.height() > 0 and label.top() >= plot.bottom()


def test_no_engine_words_on_screen(cut_review, monkeypatch):
    win, _truth, _report = cut_review
    review = win.review
    shown: list[list[str]] = []
    draw = review_data.draw_panel
    monkeypatch.setattr(
        review_data,
        "draw_panel",
        lambda image, lines, *a, **k: (shown.append(list(lines)), draw(image, lines, *a, **k))[1],
    )
    for index in range(0, len(review.frames), 10):
        review.seek_frame(index)
    lines = [line for frame_lines in shown for line in frame_lines]
    assert "Getting into position" in lines  # the start, before the first squat
    assert any("Knee angle" in line for line in lines)
    assert not [line for line in lines if ENGINE_WORDS.search(line)]
    on_screen = [review.summary.text(), review.file_label.text(), review.progress.text()]
    on_screen += [text for row in table_texts(review) for text in row]
    assert not [text for text in on_screen if ENGINE_WORDS.search(text) and not text.endswith(".mp4: Squat")]


def test_the_overlay_words_a_status_and_a_fault():
    class State:
        reps, reps_by_side, hold_s, hold_target_s = 2, {"left": 1, "right": 1}, 0.0, None
        angle_deg, phase, status, faults = 120.0, "setup", "out_of_frame", ("knee_bent",)

    lines = review_data.hud_lines(State(), "hip angle")
    assert lines[0] == "Reps 2   left 1  right 1"
    assert lines[1:3] == ["Hip angle 120 deg", "Getting into position"]
    assert f"Not counting: {status_message('out_of_frame')}" in lines
    assert "Check: knee bent" in lines
    assert not [line for line in lines if ENGINE_WORDS.search(line)]


def test_overlay_lines_are_wrapped_to_fit_a_narrow_portrait_picture():
    import cv2

    status = f"Not counting: {status_message('other_movement')}"
    for shape in ((480, 848, 3), (848, 480, 3)):  # landscape, then a phone held upright
        lines = review_data.fit_lines(["Reps 2", status], shape)
        assert lines[0] == "Reps 2" and " ".join(lines[1:]) == status
        scale = max(shape[:2]) / 640.0
        widths = [
            cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale, round(2 * scale))[0][0] for line in lines
        ]
        assert max(widths) + 20 * scale < shape[1], (shape, lines)
    assert len(review_data.fit_lines([status], (848, 480, 3))) > len(review_data.fit_lines([status], (480, 848, 3)))


def test_choosing_another_exercise_analyses_again_and_every_page_follows(qapp, cut_review):
    win, _truth, _report = cut_review
    review = win.review
    progress = win.show_progress()
    assert progress.exercise_id == "squat"
    win.tabs.setCurrentWidget(review)
    seen: list[int] = []
    review.progress.valueChanged.connect(seen.append)
    try:
        # In Review: the person picks the bridge.
        box = review.exercise_box
        box.setCurrentIndex(box.findData("glute_bridge"))
        box.activated.emit(box.currentIndex())
        assert review.report is None  # the squat result is gone at once, not shown under the new name
        report = wait_for_report(qapp, review, "glute_bridge")
    finally:
        review.progress.valueChanged.disconnect(seen.append)
    assert report.exercise == "glute_bridge"
    assert any(0 < v < review.progress.maximum() for v in seen), "no progress shown while analysing"
    title = get_exercise("glute_bridge").title
    assert review.file_label.text().endswith(title)
    assert review.progress.text().startswith(title)
    assert review.plot.getPlotItem().titleLabel.text.startswith("Hip angle (shoulder-hip-knee)")
    assert win.exercise_box.currentData() == "glute_bridge"
    assert progress.exercise_id == "glute_bridge"
    # In Progress: the person goes back to the squat; the toolbar and Review follow.
    progress.exercise_box.setCurrentIndex(progress.exercise_box.findData("squat"))
    progress.exercise_box.activated.emit(progress.exercise_box.currentIndex())
    assert win.exercise_box.currentData() == "squat"
    assert review.exercise_box.currentData() == "squat"
    assert wait_for_report(qapp, review, "squat").reps == _report.reps
    # From the toolbar: Progress follows too.
    win.exercise_box.setCurrentIndex(win.exercise_box.findData("glute_bridge"))
    assert progress.exercise_id == "glute_bridge" and review.exercise_id == "glute_bridge"
    review.shutdown()


def test_another_exercise_mid_analysis_stops_the_old_one_at_once(qapp):
    """Changing the exercise while a clip is analysed stops that analysis without freezing the window
    (the worker's thread used to be waited on for 10 s, then destroyed while still running)."""
    truth = sample_truth("squat_side_cut")
    win = MainWindow(exercise_id="squat", model="lite", enable_speech=False, checkins=False)
    try:
        win.open_review(truth["path"], "squat")
        review = win.review
        deadline = time.monotonic() + 60
        while len(review.frames) < 10 and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        assert len(review.frames) >= 10
        started = time.monotonic()
        review.set_exercise("glute_bridge")
        assert time.monotonic() - started < 5.0
        assert review.frames == [] and review.exercise_id == "glute_bridge"
        while len(review.frames) < 5 and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        started = time.monotonic()
        review.shutdown()
        assert time.monotonic() - started < 5.0
        assert review.worker is None and not review._retired
    finally:
        win.close()
