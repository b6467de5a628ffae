"""The live coaching window, offscreen, with a generated clip played as the camera (never a webcam).

Expected counts come from the clip's truth file (how it was rendered), not from the program.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.gui.main import _qt_environment  # noqa: E402

_qt_environment()

from app.live.pipeline import LiveSource  # noqa: E402
from exercises.registry import get_exercise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("HIPCOACH_SAMPLES", ROOT / "sample_videos"))


def clip_with_truth(exercises=("squat", "glute_bridge"), clean: bool | None = None):
    """The shortest sample clip of one of ``exercises`` with its truth; skip when there is none."""
    found = []
    for truth_path in SAMPLES.glob("*.json"):
        truth = json.loads(truth_path.read_text())
        if not isinstance(truth, dict) or truth.get("exercise") not in exercises:
            continue
        video = truth_path.parent / truth.get("video", truth_path.with_suffix(".mp4").name)
        if clean is not None and bool(truth.get("faults")) == clean:
            continue
        if video.exists():
            found.append((truth.get("duration_s", 1e9), video, truth))
    if not found:
        pytest.skip(f"no generated {'/'.join(exercises)} clip with truth in {SAMPLES}")
    _, video, truth = min(found, key=lambda f: f[0])
    return video, truth


def test_live_session_counts_the_clip_and_says_counts_in_order(qtbot, window):
    video, truth = clip_with_truth()
    window.select_exercise(truth["exercise"])
    said: list[str] = []
    window.voice.said.connect(said.append)
    with qtbot.waitSignal(window.live.session_ended, timeout=120_000) as ended:
        # At the clip's own speed: a file played as a camera drops the frames a busy machine is late
        # for, as a camera would, and this test is about counting, not about a starved CPU.
        window.live.start(LiveSource(path=video, speed=1.0), truth["exercise"], "lite")
    session = ended.args[0]
    assert session.reps == truth["reps"]
    assert window.live.counter.text().startswith(str(truth["reps"]))
    counts = [s for s in said if s.isdigit()]
    assert counts == [str(n) for n in range(1, truth["reps"] + 1)]
    # Each fault the clip was made with is spoken, after the count of the rep before it.
    cues = {rule.code: rule.cue for rule in get_exercise(truth["exercise"]).rules}
    timing = get_exercise(truth["exercise"]).cues
    cues.update(too_fast=timing.too_fast, hold_short=timing.hold_short)
    # (The same sentence is not said again within the repeat gap, so each fault is checked at the
    # first rep that had it.)
    first_rep: dict[str, int] = {}
    for fault in truth["faults"]:
        first_rep.setdefault(fault["code"], fault["rep"])
    for code, rep in first_rep.items():
        assert cues[code] in said, f"{code} (rep {rep}) not said; said {said}"
        if rep > 1:
            assert said.index(cues[code]) > said.index(str(rep - 1))
    assert session.end_reason == "The video ended."
    assert window.live.stack.currentWidget() is window.live.message  # the summary is on screen
    assert f"Reps: {truth['reps']}" in window.live.message.body.text()
    assert window.live.video.frames_painted > 0


def test_pause_stops_the_steps_and_resume_goes_on(qtbot, window):
    video, truth = clip_with_truth()
    steps: list[object] = []
    window.live.stepped.connect(steps.append)
    window.live.start(LiveSource(path=video), truth["exercise"], "lite")
    qtbot.waitUntil(lambda: len(steps) >= 10, timeout=30_000)
    qtbot.keyClick(window, " ")  # Space pauses
    assert window.live.paused
    assert window.pause_action.text() == "Resume"
    qtbot.wait(300)  # let an item already on its way arrive
    held = len(steps)
    qtbot.wait(700)
    assert len(steps) == held
    qtbot.keyClick(window, " ")
    assert not window.live.paused
    qtbot.waitUntil(lambda: len(steps) >= held + 10, timeout=30_000)
    window.stop_action.trigger()
    assert not window.live.running
    assert "You stopped the session." in window.live.message.body.text()


def test_a_camera_that_cannot_open_offers_the_demo(qtbot, window):
    with qtbot.waitSignal(window.live.session_ended, timeout=30_000):
        window.live.start(LiveSource(camera=97), "squat", "lite")  # no such camera here or on CI
    assert window.live.message.title.text() == "No camera found"
    assert "camera 97" in window.live.message.body.text()


def test_a_corrupt_file_says_so_without_crashing(qtbot, window, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    with qtbot.waitSignal(window.live.session_ended, timeout=30_000):
        window.live.start(LiveSource(path=bad), "squat", "lite")
    assert window.live.message.title.text() == "Cannot play this video"
    assert "broken.mp4" in window.live.message.body.text()


def test_the_cue_banner_follows_the_cues_kind_not_its_words(qtbot, window):
    from app.gui.style import BAD
    from exercises.vocabulary import status_message

    live = window.live
    live.stack.setCurrentWidget(live.video)
    live._show_cue(status_message("no_person"), "status")  # the "not counting" banner says it, with advice
    assert live.cue_banner.message == ""
    live._show_cue("Any words at all", "fault")  # a fault is red whatever its sentence
    assert live.cue_banner.message == "Any words at all" and live.cue_banner.background == BAD
    live._show_cue("Lift and hold", "cue")
    assert live.cue_banner.message == "Lift and hold" and live.cue_banner.background != BAD
