"""The voice on Qt's mock speech engine: one cue at a time, in order, no quick repeats, mute."""

from __future__ import annotations

import os
import wave

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.gui.voice import Voice, write_tone  # noqa: E402


@pytest.fixture
def voice(qtbot):
    v = Voice(engine="mock")
    if not v.can_speak:
        pytest.skip(f"Qt's mock speech engine is not available: {v.note}")
    return v


def test_cues_are_spoken_in_order_without_quick_repeats(qtbot, voice):
    said: list[str] = []
    voice.said.connect(said.append)
    for text, kind in (("1", "count"), ("Keep your knee straight", "fault")):
        voice.offer(text, kind)
        qtbot.waitUntil(lambda t=text: said[-1:] == [t], timeout=5000)
    voice.offer("Keep your knee straight", "fault")  # again at once: not repeated
    voice.offer("2", "count")
    qtbot.waitUntil(lambda: said[-1:] == ["2"], timeout=5000)
    assert said == ["1", "Keep your knee straight", "2"]


def test_muted_voice_still_shows_every_cue(qtbot, voice):
    said: list[str] = []
    voice.said.connect(said.append)
    voice.set_muted(True)
    voice.offer("Lift and hold", "cue")
    qtbot.waitUntil(lambda: said == ["Lift and hold"], timeout=2000)


def test_rep_sound_is_a_valid_short_wav(tmp_path):
    path = write_tone(tmp_path / "rep.wav", [(880.0, 0.1), (1320.0, 0.1)])
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        assert 0.15 < w.getnframes() / w.getframerate() < 0.25
