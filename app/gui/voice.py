"""Spoken cues and short sounds. When the system speech service is
missing or fails, the built-in voice (app.gui.fallback_voice, espeak-ng) speaks instead; without that
either, cues are on screen only.

What is said, and when, is decided by :class:`app.live.cues.CueThrottle`; this class only talks to
QtTextToSpeech and QSoundEffect, and emits ``said`` (text, kind) for every cue it delivers (spoken or
shown), so the screen knows a count from a fault without comparing words.

QTextToSpeech.say() interrupts whatever is being spoken, and the engine reports "Speaking" a
moment after say() (later still on a busy machine). So the voice counts itself busy from say()
until the engine reports the end, not only while the state is Speaking; otherwise the next cue
could cut the previous one off mid-sentence. If the engine never reports, a cap by length ends it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import struct
import tempfile
import time
import wave
from collections.abc import Iterator
from pathlib import Path

from PyQt6.QtCore import QObject, QTimer, QUrl, pyqtSignal

from app.gui.fallback_voice import FallbackVoice, SpeechState, make_fallback_voice
from app.live.cues import Cue, CueKind, CueThrottle

log = logging.getLogger(__name__)

PLAIN_NO_VOICE = "Voice is off: no speech engine on this computer. Read the cues on the screen."


def write_tone(path: Path, notes: list[tuple[float, float]], rate: int = 22050, volume: float = 0.4) -> Path:
    """A small mono WAV of (frequency Hz, duration s) notes with soft edges."""
    frames = bytearray()
    for freq, dur in notes:
        n = int(rate * dur)
        for i in range(n):
            edge = min(1.0, i / (0.01 * rate), (n - i) / (0.03 * rate))
            frames += struct.pack("<h", int(32767 * volume * edge * math.sin(2 * math.pi * freq * i / rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return path


class Voice(QObject):
    # Every cue delivered, in order (also when muted or without a speech engine): its text and its kind
    # (app.live.cues.CueKind). A slot taking only the text gets only the text.
    said = pyqtSignal(str, str)
    availability = pyqtSignal(str)  # a one-line note on what the voice can do

    def __init__(self, parent: QObject | None = None, engine: str | None = None, enable_speech: bool = True) -> None:
        super().__init__(parent)
        self.throttle = CueThrottle()
        self.muted = False
        self.history: list[Cue] = []
        self._tts = None
        self._utterance: tuple[float, float] | None = None  # (said at, longest it may take) until the end is reported
        self._held = 0  # > 0 while several cues are being offered together
        self._sounds: dict[str, object] = {}
        self.note = ""
        if enable_speech:
            self._tts = self._make_tts(engine)
            if self._tts is None:  # no system speech service (no speechd daemon on a fresh Linux)
                self._tts = self._make_fallback()
        self._make_sounds()
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._pump)
        self._timer.start()

    # ------------------------------------------------------------------ set-up
    def _make_tts(self, engine: str | None):
        try:
            from PyQt6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            self.note = PLAIN_NO_VOICE
            log.warning("Qt speech is not available (%s); cues are shown on screen", exc)
            return None
        engines = QTextToSpeech.availableEngines()
        if engine is None:
            engine = next((e for e in engines if e != "mock"), None)
        # The note is for the person (plain words); the detail for a developer goes to the log.
        if engine is None:
            self.note = PLAIN_NO_VOICE
            log.warning("no speech engine installed (e.g. speech-dispatcher); cues are shown on screen")
            return None
        tts = QTextToSpeech(engine, self)
        if tts.state() == QTextToSpeech.State.Error:
            self.note = PLAIN_NO_VOICE
            log.warning("speech engine %r failed (%s); cues are shown on screen", engine, tts.errorString())
            return None
        tts.setRate(-0.1)
        tts.stateChanged.connect(self._on_tts_state)
        return tts

    def _make_fallback(self) -> FallbackVoice | None:
        fallback, self.note = make_fallback_voice(self)
        if fallback is not None:
            fallback.stateChanged.connect(self._on_tts_state)
            fallback.problem.connect(self._on_voice_problem)
        return fallback

    def _on_voice_problem(self, note: str) -> None:
        self.note = note
        self.availability.emit(note)

    def _make_sounds(self) -> None:
        try:
            from PyQt6.QtMultimedia import QSoundEffect
        except ImportError as exc:
            log.warning("sounds off: Qt multimedia is not available (%s)", exc)
            return
        folder = Path(tempfile.mkdtemp(prefix="hipcoach-sounds-"))
        tones = {"rep": [(880.0, 0.09), (1320.0, 0.12)], "hold": [(660.0, 0.12), (880.0, 0.12), (1100.0, 0.2)]}
        for name, notes in tones.items():
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(write_tone(folder / f"{name}.wav", notes))))
            effect.setVolume(0.6)
            self._sounds[name] = effect

    @property
    def can_speak(self) -> bool:
        # The built-in voice is kept without a sound output (one may be plugged in), but cannot be heard.
        return self._tts is not None and not (isinstance(self._tts, FallbackVoice) and not self._tts.can_play)

    # ------------------------------------------------------------------ use
    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted and self._tts is not None:
            self._tts.stop()

    def offer(self, text: str, kind: CueKind = "cue") -> None:
        self.throttle.offer(text, kind, time.monotonic())
        if not self._held:
            self._pump()

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Offer several cues as one batch: the first is chosen by the queue's order (a rep's count
        before its fault, the fault before the milestone), not by which was offered first."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                self._pump()

    def play(self, name: str) -> None:
        effect = self._sounds.get(name)
        if effect is not None and not self.muted:
            effect.play()

    def reset(self) -> None:
        """Stop talking and forget every waiting cue (before something urgent)."""
        self.throttle.reset()
        self._utterance = None
        if self._tts is not None:
            self._tts.stop()

    def new_set(self) -> None:
        """A set starts: sentences may be said again; counts, faults and milestones still waiting are kept."""
        self.throttle.new_set()

    @staticmethod
    def longest_utterance_s(text: str) -> float:
        """A generous cap on how long saying ``text`` takes (about 12 characters a second, plus start-up)."""
        return 2.0 + len(text) / 12.0

    def _busy(self, now: float) -> bool:
        if self._tts is None or self.muted:
            return False
        if self._tts.state() == SpeechState.Speaking:
            return True
        if self._utterance is not None:
            said_at, longest = self._utterance
            if now - said_at < longest:
                return True  # said, and the engine has not reported the end yet
            log.debug("speech engine did not report the end of a cue after %.1f s; going on", longest)
            self._utterance = None
        return False

    def _pump(self) -> None:
        now = time.monotonic()
        cue = self.throttle.next_cue(now, self._busy(now))
        if cue is None:
            return
        self.history.append(cue)
        self.said.emit(cue.text, cue.kind)
        if self._tts is not None and not self.muted:
            self._utterance = (now, self.longest_utterance_s(cue.text))
            self._tts.say(cue.text)
        else:
            self.throttle.finished_speaking(now)

    def _on_tts_state(self, state) -> None:
        if state in (SpeechState.Ready, SpeechState.Error):
            self._utterance = None
            self.throttle.finished_speaking(time.monotonic())
            self._pump()
