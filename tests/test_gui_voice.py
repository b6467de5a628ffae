"""The voice on Qt's mock speech engine: one cue at a time, in order, no quick repeats, mute."""

from __future__ import annotations

import os
import wave

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.gui.voice import Voice, write_tone  # noqa: E402
from app.live.cues import CueThrottle  # noqa: E402


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


def test_each_cue_comes_with_its_kind(qtbot, voice):
    said: list[tuple[str, str]] = []
    voice.said.connect(lambda text, kind: said.append((text, kind)))
    voice.set_muted(True)
    voice.throttle = CueThrottle(min_gap_s=0.0)  # no pause between cues: the test needs no clock
    with voice.holding():  # one batch: said in the queue's order, each with its kind
        voice.offer("I can't see anyone", "status")
        voice.offer("3", "count")
        voice.offer("Keep your knee straight", "fault")
    qtbot.waitUntil(lambda: len(said) == 3, timeout=3000)
    assert said == [("3", "count"), ("Keep your knee straight", "fault"), ("I can't see anyone", "status")]
    assert [(c.text, c.kind) for c in voice.history] == said


def test_rep_sound_is_a_valid_short_wav(tmp_path):
    path = write_tone(tmp_path / "rep.wav", [(880.0, 0.1), (1320.0, 0.1)])
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        assert 0.15 < w.getnframes() / w.getframerate() < 0.25


class _SilentEngine:
    """An engine that accepts say() but reports nothing until told: a machine too busy to keep up."""

    def __init__(self):
        from PyQt6.QtTextToSpeech import QTextToSpeech

        self.spoken: list[str] = []
        self._ready = QTextToSpeech.State.Ready

    def state(self):
        return self._ready

    def say(self, text: str) -> None:
        self.spoken.append(text)

    def stop(self) -> None:
        pass


@pytest.fixture
def slow_voice(qtbot, monkeypatch):
    pytest.importorskip("PyQt6.QtTextToSpeech")
    clock = [1000.0]
    monkeypatch.setattr("app.gui.voice.time.monotonic", lambda: clock[0])
    v = Voice(enable_speech=False)
    v._timer.stop()  # the test pumps by hand, with its own clock
    v._tts = engine = _SilentEngine()
    return v, engine, clock


def test_a_cue_is_not_cut_off_while_the_engine_has_not_reported_its_end(slow_voice):
    from PyQt6.QtTextToSpeech import QTextToSpeech

    voice, engine, clock = slow_voice
    voice.offer("5", "count")
    voice.offer("Slowly, there is no rush", "fault")
    voice.offer("That's your target. Well done! Stop whenever you like.", "milestone")
    for _ in range(10):  # the state still says Ready, yet "5" was just handed over: wait
        clock[0] += 0.2
        voice._pump()
    assert engine.spoken == ["5"]
    voice._on_tts_state(QTextToSpeech.State.Ready)  # the end of "5" arrives
    clock[0] += 1.0
    voice._pump()
    assert engine.spoken == ["5", "Slowly, there is no rush"]
    # An engine that never reports: after a cap by length the voice goes on, nothing is lost.
    clock[0] += Voice.longest_utterance_s("Slowly, there is no rush") + voice.throttle.min_gap_s
    voice._pump()
    assert engine.spoken[-1].startswith("That's your target")


def test_a_new_set_keeps_the_last_sets_waiting_fault(slow_voice):
    voice, engine, clock = slow_voice
    voice.offer("10", "count")
    voice.offer("Keep your knee straight", "fault")
    voice.new_set()
    clock[0] += Voice.longest_utterance_s("10") + 1.0
    voice._pump()
    assert engine.spoken == ["10", "Keep your knee straight"]


def test_cues_offered_together_go_in_the_queues_order_not_the_offer_order(slow_voice):
    voice, engine, clock = slow_voice
    with voice.holding():  # the checker raises a rep's fault just before its count
        voice.offer("Hold it a little longer next time", "fault")
        voice.offer("1", "count")
        assert engine.spoken == []
    assert engine.spoken == ["1"]
