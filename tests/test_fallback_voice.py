"""The built-in voice (espeak-ng through QtMultimedia) for machines without a system speech service.

No sound card is needed: the speech is rendered to a buffer and measured (length, loudness), and the
player's way of degrading without a sound output is checked rather than heard.
"""

from __future__ import annotations

import io
import os
import shutil
import wave

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.live import speech_render  # noqa: E402
from app.live.speech_render import (  # noqa: E402
    EspeakMissing,
    SpeechRenderError,
    find_espeak,
    measure_wav,
    render_wav,
    with_true_sizes,
)

needs_espeak = pytest.mark.skipif(find_espeak() is None, reason="espeak-ng is not installed (scripts/setup.sh)")
SILENCE_RMS = 0.005  # well below any speech (espeak-ng's is about 0.1 of full scale)


def _wav(samples: list[int], rate: int = 22050) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
    return buffer.getvalue()


# ---------------------------------------------------------------------- the renderer (no Qt)
@needs_espeak
def test_a_cue_renders_to_non_silent_audio_of_a_plausible_length():
    audio = measure_wav(render_wav("Good, five more"))
    assert 0.5 < audio.duration_s < 5.0, audio
    assert audio.rms > 10 * SILENCE_RMS and audio.peak > 0.2, audio


@needs_espeak
def test_a_longer_sentence_gives_longer_audio():
    short = measure_wav(render_wav("Good, five more")).duration_s
    long = measure_wav(render_wav("That's your target. Well done! Stop whenever you like.")).duration_s
    assert long > short + 1.0


@needs_espeak
def test_a_cue_that_starts_like_an_option_is_still_spoken():
    assert measure_wav(render_wav("-1")).rms > 10 * SILENCE_RMS


def test_without_espeak_on_path_the_renderer_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EspeakMissing, match="espeak-ng is not installed"):
        render_wav("Good, five more")


def test_a_renderer_that_hangs_is_stopped_by_the_timeout(monkeypatch, tmp_path):
    slow = tmp_path / "espeak-ng"
    slow.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 5\n")  # exec: one process, as espeak-ng is
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechRenderError, match="longer than"):
        render_wav("Good, five more", timeout_s=0.3)


def test_measures_tell_silence_from_sound():
    silence = measure_wav(_wav([0] * 22050))
    assert silence.duration_s == pytest.approx(1.0) and silence.rms == 0.0
    square = measure_wav(_wav([16384, -16384] * 2205))
    assert square.duration_s == pytest.approx(0.2) and square.rms == pytest.approx(0.5)


def test_placeholder_sizes_from_a_pipe_are_replaced_by_the_true_ones():
    data = bytearray(_wav([1000] * 100))
    data[4:8] = data[40:44] = (0x7FFFF000).to_bytes(4, "little")  # what espeak-ng --stdout writes
    fixed = with_true_sizes(bytes(data))
    assert measure_wav(fixed).duration_s == pytest.approx(100 / 22050)
    with pytest.raises(SpeechRenderError, match="not a WAV"):
        with_true_sizes(b"hello")


# ---------------------------------------------------------------------- the player (offscreen Qt)
@pytest.fixture
def fallback(qtbot):
    pytest.importorskip("PyQt6.QtMultimedia")
    from app.gui.fallback_voice import FallbackVoice

    voice = FallbackVoice()
    yield voice
    voice.close()


def _wait_until_quiet(qtbot, voice) -> None:
    from app.gui.fallback_voice import SpeechState

    qtbot.waitUntil(lambda: voice.state() == SpeechState.Ready, timeout=10000)


@needs_espeak
def test_without_a_sound_output_the_player_renders_then_says_why_once(qtbot, fallback, monkeypatch):
    from app.gui import fallback_voice as module

    monkeypatch.setattr(module, "has_audio_output", lambda: False)  # as on this machine, and CI
    problems: list[str] = []
    fallback.problem.connect(problems.append)
    fallback.say("Good, five more")
    assert fallback.state() == module.SpeechState.Speaking  # rendering happens off the GUI thread
    _wait_until_quiet(qtbot, fallback)
    fallback.say("Six")
    _wait_until_quiet(qtbot, fallback)
    assert problems == [module.NOTE_NO_OUTPUT]
    # Nothing was heard, so the next sentence that is will still announce the voice.
    assert fallback.spoken == [f"{module.ANNOUNCEMENT} Good, five more", f"{module.ANNOUNCEMENT} Six"]
    audio = measure_wav(fallback.last_wav)
    assert 0.5 < audio.duration_s < 5.0 and audio.rms > 10 * SILENCE_RMS


@needs_espeak
def test_the_player_goes_on_when_qt_cannot_open_the_output(qtbot, fallback, monkeypatch):
    """Qt is told there is a device: on a machine without one, QMediaPlayer ends or fails; either way the
    cue ends without raising and the next one is said."""
    from app.gui import fallback_voice as module

    monkeypatch.setattr(module, "has_audio_output", lambda: True)
    fallback.say("Good, five more")
    fallback.say("Keep your knee straight")  # while the first is said: it waits, it does not cut it off
    _wait_until_quiet(qtbot, fallback)
    assert fallback.spoken == [f"{module.ANNOUNCEMENT} Good, five more", "Keep your knee straight"]


def test_a_failing_renderer_ends_the_cue_and_says_why(qtbot):
    pytest.importorskip("PyQt6.QtMultimedia")
    from app.gui import fallback_voice as module

    def broken(text: str) -> bytes:
        raise SpeechRenderError("espeak-ng failed")

    voice = module.FallbackVoice(render=broken)
    problems: list[str] = []
    voice.problem.connect(problems.append)
    voice.say("Good")
    _wait_until_quiet(qtbot, voice)
    assert problems == [module.NOTE_FAILED] and voice.last_wav is None
    voice.close()


def test_stop_drops_the_sentence_being_rendered(qtbot):
    pytest.importorskip("PyQt6.QtMultimedia")
    import threading

    from app.gui import fallback_voice as module

    release = threading.Event()

    def slow(text: str) -> bytes:
        release.wait(5)
        return _wav([8000, -8000] * 2000)

    voice = module.FallbackVoice(render=slow)
    voice.say("Good")
    voice.say("Six")
    voice.stop()
    assert voice.state() == module.SpeechState.Ready
    release.set()
    qtbot.wait(300)
    assert voice.last_wav is None and voice.spoken == [f"{module.ANNOUNCEMENT} Good"]
    voice.close()


def test_make_fallback_voice_without_espeak_gives_the_reason(qtbot, monkeypatch, tmp_path):
    from app.gui import fallback_voice as module

    monkeypatch.setenv("PATH", str(tmp_path))
    voice, note = module.make_fallback_voice()
    assert voice is None and note == module.NOTE_NO_ESPEAK


def test_renderer_module_stays_free_of_qt():
    assert "PyQt6" not in open(speech_render.__file__).read()


# ---------------------------------------------------------------------- the Voice chooses it
@pytest.fixture
def no_system_speech(monkeypatch):
    """The system speech service fails, as on a fresh Linux machine without a speechd daemon."""
    pytest.importorskip("PyQt6.QtMultimedia")
    from app.gui.voice import PLAIN_NO_VOICE, Voice

    def failing_engine(self, engine):
        self.note = PLAIN_NO_VOICE
        return None

    monkeypatch.setattr(Voice, "_make_tts", failing_engine)
    return Voice


@needs_espeak
def test_a_voice_without_the_system_engine_speaks_through_the_built_in_one(qtbot, no_system_speech, monkeypatch):
    from app.gui import fallback_voice as module

    monkeypatch.setattr(module, "has_audio_output", lambda: False)  # no sound card, as here and on CI
    voice = no_system_speech()
    assert isinstance(voice._tts, module.FallbackVoice)
    assert voice.note == module.NOTE_NO_OUTPUT and not voice.can_speak  # the screen says why
    said: list[tuple[str, str]] = []
    voice.said.connect(lambda text, kind: said.append((text, kind)))
    voice.offer("Good, five more", "count")
    voice.offer("6", "count")  # while the first is still being said: it waits its turn (the throttle)
    assert said == [("Good, five more", "count")]
    qtbot.waitUntil(lambda: len(said) == 2 and voice._tts.state() == module.SpeechState.Ready, timeout=10000)
    assert said == [("Good, five more", "count"), ("6", "count")]  # the screen gets the cues, not the announcement
    assert voice._tts.spoken[0] == f"{module.ANNOUNCEMENT} Good, five more"
    audio = measure_wav(voice._tts.last_wav)  # the last cue rendered: "6" (announced again: nothing was heard)
    assert 0.5 < audio.duration_s < 5.0 and audio.rms > 10 * SILENCE_RMS


@needs_espeak
def test_with_a_sound_output_the_voice_says_it_uses_the_built_in_voice(qtbot, no_system_speech, monkeypatch):
    from app.gui import fallback_voice as module

    monkeypatch.setattr(module, "has_audio_output", lambda: True)
    voice = no_system_speech()
    assert voice.can_speak and voice.note == module.NOTE_BUILT_IN
    voice.offer("Good, five more", "count")
    qtbot.waitUntil(lambda: voice._tts.last_wav is not None, timeout=10000)
    assert voice._tts.spoken == [f"{module.ANNOUNCEMENT} Good, five more"]
    voice.set_muted(True)  # stops the sound at once
    assert voice._tts.state() == module.SpeechState.Ready


@needs_espeak
def test_an_engine_that_fails_for_real_gives_way_to_the_built_in_voice(qtbot):
    pytest.importorskip("PyQt6.QtTextToSpeech")
    pytest.importorskip("PyQt6.QtMultimedia")
    from app.gui.fallback_voice import FallbackVoice
    from app.gui.voice import Voice

    voice = Voice(engine="no-such-engine")  # QTextToSpeech reports an error, as speechd without its daemon
    assert isinstance(voice._tts, FallbackVoice)


def test_without_espeak_the_voice_stays_on_screen_and_says_why(qtbot, no_system_speech, monkeypatch, tmp_path):
    from app.gui import fallback_voice as module

    monkeypatch.setenv("PATH", str(tmp_path))
    voice = no_system_speech()
    assert voice._tts is None and not voice.can_speak and voice.note == module.NOTE_NO_ESPEAK
    said: list[str] = []
    voice.said.connect(said.append)
    voice.offer("Good, five more", "count")
    assert said == ["Good, five more"]
