"""A routine reviewed with Auto, offscreen: one band per segment on the timeline with the truth's
exercises in order, rows grouped under them, the summary counting each, the plot and the overlay
following the segment under the playhead, exports that name each rep's exercise.

Two recordings: two committed clips played one after the other (their truths joined), and a rendered
routine clip (``routines`` in sample_videos/manifest.json, its truth's ``segments``) when one is there.
Expected exercises, counts, sides and boundaries come from the generator's truth.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

import cv2  # noqa: E402
import pytest  # noqa: E402

from app import review_data  # noqa: E402
from app.gui.replay_plot import caption_for  # noqa: E402
from app.gui.window import MainWindow  # noqa: E402
from app.review_data import plot_title  # noqa: E402
from exercises.recognition import AUTO  # noqa: E402
from exercises.registry import get_exercise  # noqa: E402
from tests.conftest import SAMPLE_VIDEOS, sample_truth  # noqa: E402

JOINED = ("squat_side_continuous", "glute_bridge_continuous")  # two single clips, one after the other
# The rendered routine reviewed here: a standing set, one lying face down, one on the back (rolling over
# between them), each exercise, boundary and count of which the analysis gets with the full model.
ROUTINE = "routine_roll_over"
BOUNDARY_TOLERANCE_S = 2.0  # as hipcoach eval gates routines


def _rendered_routine() -> dict | None:
    """The manifest's entry of :data:`ROUTINE` (else its first routine) when its clip is there."""
    manifest = json.loads((SAMPLE_VIDEOS / "manifest.json").read_text())
    entries = [e for e in manifest.get("routines", ()) if (SAMPLE_VIDEOS / e["video"]).is_file()]
    entries.sort(key=lambda e: e.get("name") != ROUTINE)
    return entries[0] if entries else None


# (which recording, the model it is analysed with): the joined clips always, a rendered routine once there is one.
CASES = [("joined", "lite")] + ([("rendered", "full")] if _rendered_routine() else [])


def _halfway_boundaries(parts: list[dict]) -> list[float]:
    """Half-way between one part's last true rep and the next part's first."""
    return [(a["reps_detail"][-1]["end_s"] + b["reps_detail"][0]["start_s"]) / 2 for a, b in zip(parts, parts[1:])]


def _joined_clip(folder: Path) -> tuple[Path, list[dict], list[float]]:
    """Two committed clips one after the other, and their truths as the parts of one routine."""
    path = folder / "joined.mp4"
    writer, parts, offset_s = None, [], 0.0
    for stem in JOINED:
        truth = sample_truth(stem)
        cap = cv2.VideoCapture(truth["path"])
        frames = 0
        while True:
            ok, image = cap.read()
            if not ok:
                break
            if writer is None:
                size = (image.shape[1], image.shape[0])
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), truth["fps"], size)
            writer.write(image)
            frames += 1
        cap.release()
        shifted = [dict(r, start_s=r["start_s"] + offset_s, end_s=r["end_s"] + offset_s) for r in truth["reps_detail"]]
        end_s = offset_s + frames / truth["fps"]
        parts.append(
            {
                "exercise": truth["exercise"],
                "start_s": offset_s,
                "end_s": end_s,
                "reps": truth["reps"],
                "reps_by_side": truth["reps_by_side"],
                "reps_detail": shifted,
            }
        )
        offset_s = end_s
    writer.release()
    return path, parts, _halfway_boundaries(parts)


def routine_clip(kind: str, folder: Path) -> tuple[Path, list[dict], list[float]]:
    """(video, the truth's parts in order, where they meet) of the joined clips or the rendered routine."""
    if kind == "joined":
        return _joined_clip(folder)
    truth = sample_truth(Path(_rendered_routine()["truth"]).stem)
    parts = list(truth["segments"])
    return Path(truth["path"]), parts, list(truth.get("boundaries_s") or _halfway_boundaries(parts))


def wait_until(qapp, done, timeout_s: float = 300.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert done(), f"not done within {timeout_s} s"


def choose_in_review(review, exercise_id: str) -> None:
    """The person picks ``exercise_id`` in the review's own exercise box."""
    box = review.exercise_box
    box.setCurrentIndex(box.findData(exercise_id))
    box.activated.emit(box.currentIndex())


def analyse(qapp, review, path: Path | None = None):
    finished: list = []
    failed: list[str] = []
    review.analysis_finished.connect(finished.append)
    review.analysis_failed.connect(failed.append)
    try:
        if path is not None:
            review.open(path)  # analysed as the review's box says
        wait_until(qapp, lambda: finished or failed)
    finally:
        review.analysis_finished.disconnect(finished.append)
        review.analysis_failed.disconnect(failed.append)
    assert not failed, failed
    return finished[0]


def headings(review) -> list[dict]:
    return [row for row in review.table.rows if "heading" in row]


def rows_under_each_heading(review) -> list[list[dict]]:
    groups: list[list[dict]] = []
    for row in review.table.rows:
        if "heading" in row:
            groups.append([])
        else:
            groups[-1].append(row)
    return groups


@pytest.fixture(scope="module", params=CASES, ids=[kind for kind, _model in CASES])
def routine_review(request, qapp, tmp_path_factory):
    kind, model = request.param
    video, parts, boundaries = routine_clip(kind, tmp_path_factory.mktemp("routine"))
    win = MainWindow(exercise_id="glute_bridge", model=model, enable_speech=False, checkins=False)
    win.resize(1280, 860)
    win.show()
    review = win._ensure_review()
    win.tabs.setCurrentWidget(review)
    choose_in_review(review, AUTO)
    report = analyse(qapp, review, video)
    yield win, review, report, parts, boundaries
    review.shutdown()
    win.close()


def test_the_timeline_has_a_band_per_segment_with_the_truths_exercises(routine_review):
    win, review, report, parts, boundaries = routine_review
    bands = review.timeline.segments
    assert [band.exercise for band in bands] == [part["exercise"] for part in parts]
    for band, boundary in zip(bands, boundaries):
        assert abs(band.end_s - boundary) <= BOUNDARY_TOLERANCE_S, (band, boundary)
    assert review.timeline.minimumHeight() > 64  # room for the band under the lanes
    assert review.file_label.text().endswith(f": {len(parts)} exercises (recognised)")
    assert review.minimumSizeHint().width() <= 1280  # the exercises' words never widen the page
    legend = review.timeline_legend.text()
    assert all(get_exercise(part["exercise"]).title in legend for part in parts)
    # A pick in Review is the window's: its toolbar says Auto too (and the review was not analysed twice).
    assert win.exercise_box.currentData() == AUTO and review.exercise_id == AUTO


def test_rows_and_summary_count_each_segment_as_the_truth(routine_review):
    _win, review, _report, parts, _boundaries = routine_review
    titles = [get_exercise(part["exercise"]).title for part in parts]
    shown = headings(review)
    assert [row["exercise"] for row in shown] == [part["exercise"] for part in parts]
    for row, title, part in zip(shown, titles, parts):
        assert row["heading"].startswith(f"{title} ") and f": {part['reps']} rep" in row["heading"]
        if part["reps_by_side"] is not None:
            sides = part["reps_by_side"]
            assert row["heading"].endswith(f"(left {sides['left']}, right {sides['right']})")
    for group, part in zip(rows_under_each_heading(review), parts):
        assert sum(row["counted"] for row in group) == part["reps"]
    summary = review.summary.text()
    positions = [summary.index(f"{row['heading']}.") for row in shown]
    assert positions == sorted(positions)
    assert f"{sum(part['reps'] for part in parts)} repetitions in all." in summary
    assert "not sure" not in summary.lower()
    # A heading spans the table's width and, clicked, goes to its segment's start.
    first = review.table.rows.index(shown[-1])
    assert review.table.columnSpan(first, 0) == review.table.columnCount()
    review._row_clicked(first, 0)
    assert abs(review.timeline.position_s - shown[-1]["start_s"]) < 0.1


def test_the_plot_and_overlay_follow_the_segment_under_the_playhead(routine_review, monkeypatch):
    _win, review, _report, parts, _boundaries = routine_review
    shown: list[list[str]] = []
    draw = review_data.draw_panel
    monkeypatch.setattr(
        review_data, "draw_panel", lambda image, lines, *a, **k: (shown.append(list(lines)), draw(image, lines))[1]
    )
    for part in reversed(parts):  # backwards too: each segment's measure comes back when the playhead does
        reps = part["reps_detail"]
        review.seek_s((reps[0]["start_s"] + reps[-1]["end_s"]) / 2)
        ex = get_exercise(part["exercise"])
        assert review.plot.getPlotItem().titleLabel.text == plot_title(ex, caption_for(ex.id))
        assert caption_for(ex.id) in review.plot_legend.text()
        assert shown[-1][0] == ex.title  # the overlay names the exercise of the set on screen


def test_exports_keep_working_and_name_each_reps_exercise(routine_review, tmp_path):
    _win, review, report, parts, _boundaries = routine_review
    rows = list(csv.DictReader(review.export("csv", tmp_path / "reps.csv").open()))
    assert [row["exercise"] for row in rows] == [part["exercise"] for part in parts for _ in range(part["reps"])]
    data = json.loads(review.export("json", tmp_path / "report.json").read_text())
    assert [s["exercise"] for s in data["segments"]] == [part["exercise"] for part in parts]
    assert data["reps"] == sum(part["reps"] for part in parts)
    out = review.export("mp4", tmp_path / "annotated.mp4")
    cap = cv2.VideoCapture(str(out))
    try:
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == report.frames
    finally:
        cap.release()


def test_one_clip_with_auto_is_one_band_then_by_hand_as_before(qapp, qtbot):
    """Opened from the window on Auto: one band of the truth's exercise; then chosen by hand, as before."""
    truth = sample_truth("glute_bridge_continuous")
    title = get_exercise(truth["exercise"]).title
    win = MainWindow(exercise_id="squat", model="lite", enable_speech=False, checkins=False)
    qtbot.addWidget(win)
    review = win._ensure_review()
    try:
        with qtbot.waitSignal(review.analysis_finished, timeout=300_000):
            win.open_review(Path(truth["path"]), AUTO)  # the window's Auto reviews with Auto too
        assert review.exercise_id == AUTO
        assert [band.exercise for band in review.timeline.segments] == [truth["exercise"]]
        assert review.file_label.text().endswith(f"{title} (recognised)")
        assert review.summary.text().startswith(f"{title} 0:00–")
        assert f": {truth['reps']} reps." in review.summary.text()
        assert [row["exercise"] for row in headings(review)] == [truth["exercise"]]
        # The same clip with the exercise chosen by hand: no bands, no headings, the old words.
        choose_in_review(review, truth["exercise"])
        analyse(qapp, review)
        assert review.timeline.segments == () and review.timeline.minimumHeight() == 64
        assert not headings(review)
        assert review.summary.text().startswith(f"{truth['reps']} repetitions counted")
        assert review.file_label.text().endswith(f": {title}")
        assert win.exercise_box.currentData() == truth["exercise"]  # a choice by hand is the window's again
    finally:
        review.shutdown()
