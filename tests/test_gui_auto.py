"""Auto in the window, offscreen: a generated clip played as the camera is recognised as the exercise its
generator made, every rep counted (also those done while it decided), said and saved under that exercise;
two clips played one after the other are followed: the first set ends when the person moves on and the
next is counted from its first rep. Expected exercises and counts come from the clips' truth JSON.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

from app.gui.window import MainWindow  # noqa: E402
from app.live.pipeline import LiveSource  # noqa: E402
from exercises.recognition import AUTO  # noqa: E402
from exercises.registry import get_exercise  # noqa: E402
from exercises.vocabulary import (  # noqa: E402
    AUTO_CHOICE,
    AUTO_TITLE,
    chosen_cue,
    given_back_words,
    moved_on_cue,
    recognised_cue,
)
from pose.sources import VideoFrame, live_file_frames  # noqa: E402
from tests.conftest import sample_truth  # noqa: E402

ONE = "squat_side_continuous"  # 12 s, six squats
FIRST, THEN = "glute_bridge_continuous", "squat_side_jump"  # 11 s of four bridges, then 12 s: five squats
# 13 s of seven leg lifts, then 12 s: six squats, whose first knee lift the leg-lift checker counts too.
LIFTS, SQUATS = "standing_hip_flexion_tempo", "squat_side_continuous"


@dataclass(frozen=True)
class ClipThenClip(LiveSource):
    """A file played as the camera, then a second one: one person doing one exercise, then another."""

    then: Path | None = None

    def frames(self) -> Iterator[VideoFrame]:
        assert self.path is not None and self.then is not None
        last: VideoFrame | None = None
        for frame in live_file_frames(self.path, speed=self.speed):
            last = frame
            yield frame
        assert last is not None
        offset_ms, first_index = last.timestamp_ms + 1000.0 / 30.0, last.index + 1
        for frame in live_file_frames(self.then, speed=self.speed):  # the camera's clock runs on
            later = frame.timestamp_ms + offset_ms
            yield dataclasses.replace(frame, timestamp_ms=later, index=frame.index + first_index)


def _sets(window) -> list[tuple[str, int, str]]:
    """The history's sets of the window's one session: (exercise, reps written, how it ended)."""
    store, _pid = window.history()
    rows = store.connection.execute(
        "SELECT s.exercise, (SELECT COUNT(*) FROM reps r WHERE r.set_id = s.id), s.end_reason FROM sets s ORDER BY s.id"
    ).fetchall()
    return [tuple(row) for row in rows]


def test_auto_is_in_the_exercise_box_and_the_picker(qtbot, window):
    from app.gui.picker import ExercisePicker

    box = window.exercise_box
    assert box.itemText(box.findData(AUTO)) == AUTO_CHOICE
    window.select_exercise(AUTO)
    assert window.live.exercise_id == AUTO and window.live.title.text() == AUTO_TITLE
    picker = ExercisePicker(AUTO, window)
    qtbot.addWidget(picker)
    picker.demo.stop()
    assert picker.chosen == AUTO and picker.title.text() == AUTO_CHOICE
    assert "press N" in picker.steps.text() and "glute squeeze" in picker.steps.text()
    picker.list.setCurrentRow(0)  # an exercise again
    picker.demo.stop()
    assert picker.chosen == "glute_squeeze"


def test_the_window_opens_on_auto_from_the_command_line(qtbot):
    from app.cli_parser import parse

    args = parse(["--exercise", "auto"])
    win = MainWindow(exercise_id=args.exercise, model="lite", enable_speech=False)
    qtbot.addWidget(win)
    assert win.exercise_box.currentData() == AUTO and win.live.title.text() == AUTO_TITLE
    win.live.shutdown()


def test_auto_recognises_the_clip_counts_every_rep_and_saves_the_set_under_it(qtbot, window):
    truth = sample_truth(ONE)
    window.select_exercise(AUTO)
    titles: list[str] = []
    window.live.stepped.connect(lambda _item: titles.append(window.live.title.text()))
    with qtbot.waitSignal(window.live.session_ended, timeout=120_000) as ended:
        window.live.start(LiveSource(path=Path(truth["path"])), AUTO, "lite")
    session = ended.args[0]
    title = get_exercise(truth["exercise"]).title
    assert titles[0] == AUTO_TITLE and titles[-1] == title  # "which exercise?" first, then its name
    assert (session.exercise_id, session.reps) == (truth["exercise"], truth["reps"])
    said = [text for text, _kind in ((c.text, c.kind) for c in window.voice.history)]
    assert recognised_cue(truth["exercise"]) in said
    assert [s for s in said if s.isdigit()][-1] == str(truth["reps"])  # the count said last is the truth's
    assert [row[:2] for row in _sets(window)] == [(truth["exercise"], truth["reps"])]
    assert window.live.message.title.text().endswith(f"{truth['reps']} reps")
    assert window.exercise_box.currentData() == AUTO  # Start again recognises again


def test_auto_follows_the_person_to_the_next_exercise(qtbot, window):
    first, then = sample_truth(FIRST), sample_truth(THEN)
    window.select_exercise(AUTO)
    followed = []
    window.live.set_followed.connect(followed.append)
    source = ClipThenClip(path=Path(first["path"]), then=Path(then["path"]))
    with qtbot.waitSignal(window.live.session_ended, timeout=180_000) as ended:
        window.live.start(source, AUTO, "lite")
    last = ended.args[0]
    assert [(s.exercise_id, s.reps) for s in followed] == [(first["exercise"], first["reps"])]
    assert (last.exercise_id, last.reps) == (then["exercise"], then["reps"])
    said = [c.text for c in window.voice.history]
    assert recognised_cue(first["exercise"]) in said and moved_on_cue(then["exercise"]) in said
    sets = _sets(window)
    assert sets[0] == (first["exercise"], first["reps"], "done")  # saved as done when the person moved on
    assert [row[:2] for row in sets[1:]] == [(then["exercise"], then["reps"])]
    summary = window.live.message.body.text()
    assert f"Before that: {get_exercise(first['exercise']).title}, {first['reps']} reps" in summary


def test_the_set_moved_on_from_gives_back_what_it_counted_of_the_next_exercise(qtbot, window):
    lifts, squats = sample_truth(LIFTS), sample_truth(SQUATS)
    window.select_exercise(AUTO)
    followed = []
    window.live.set_followed.connect(followed.append)
    source = ClipThenClip(path=Path(lifts["path"]), then=Path(squats["path"]))
    with qtbot.waitSignal(window.live.session_ended, timeout=180_000) as ended:
        window.live.start(source, AUTO, "lite")
    last = ended.args[0]
    (lift_set,) = followed
    assert (lift_set.exercise_id, lift_set.reps, lift_set.reps_by_side) == (
        lifts["exercise"],
        lifts["reps"],
        lifts["reps_by_side"],
    )
    assert (last.exercise_id, last.reps) == (squats["exercise"], squats["reps"])
    # Said nowhere (the new set's "Now squats" is enough); written in the ended set's summary.
    title = get_exercise(lifts["exercise"]).title
    notes = [line for line in lift_set.summary_lines() if "change of exercise" in line]
    assert len(notes) == 1 and notes[0] in {given_back_words(n, title) for n in range(1, 4)}
    assert not any("change of exercise" in c.text for c in window.voice.history)
    # The history holds the truth's lifts (no fault kept for a rep it no longer has), then the squats.
    sets = _sets(window)
    assert sets[0] == (lifts["exercise"], lifts["reps"], "done")
    assert [row[:2] for row in sets[1:]] == [(squats["exercise"], squats["reps"])]
    store, _pid = window.history()
    lift_set_id = store.connection.execute("SELECT MIN(id) FROM sets").fetchone()[0]
    sides = store.connection.execute(
        "SELECT side, COUNT(*) FROM reps WHERE set_id = ? GROUP BY side ORDER BY side", (lift_set_id,)
    ).fetchall()
    assert dict(sides) == lifts["reps_by_side"]
    stray = "SELECT COUNT(*) FROM faults WHERE set_id = ? AND rep_idx > ?"
    assert store.connection.execute(stray, (lift_set_id, lifts["reps"])).fetchone()[0] == 0
    summary = window.live.message.body.text()
    assert f"Before that: {title}, {lifts['reps']} reps" in summary and notes[0] in summary


def test_n_corrects_the_name_through_the_candidates_and_nothing_is_lost(qtbot, window):
    truth = sample_truth(ONE)
    window.select_exercise(AUTO)
    live = window.live
    pressed: list[str] = []  # the exercise each N was pressed on

    def press_n(_item) -> None:
        # Once it is named, N ("not this one") until the choice comes round to the clip's exercise again;
        # each press once the one before it took effect.
        if live.recognising or (pressed and live.exercise_id in (pressed[-1], truth["exercise"])):
            return
        pressed.append(live.exercise_id)
        live.next_action.trigger()

    live.stepped.connect(press_n)
    with qtbot.waitSignal(live.session_ended, timeout=120_000) as ended:
        live.start(LiveSource(path=Path(truth["path"])), AUTO, "lite")
    session = ended.args[0]
    assert pressed[0] == truth["exercise"] and len(pressed) == len(live._auto_definitions)  # round once
    said = [c.text for c in window.voice.history]
    assert recognised_cue(truth["exercise"]) in said
    assert all(chosen_cue(exercise) in said for exercise in pressed[1:])
    assert chosen_cue(truth["exercise"]) in said
    # The choice that was kept counts the clip's reps from its start.
    assert (session.exercise_id, session.reps) == (truth["exercise"], truth["reps"])
    sets = _sets(window)
    assert sets[0][0] == truth["exercise"] and sets[0][2] == "skipped"  # the name the person corrected
    assert sets[-1][:2] == (truth["exercise"], truth["reps"])
