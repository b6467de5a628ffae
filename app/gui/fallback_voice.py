"""The built-in voice: espeak-ng rendered to a WAV (app.live.speech_render) and played by QtMultimedia.

Used by app.gui.voice.Voice when the system speech service (QtTextToSpeech: speech-dispatcher on
Linux) is missing or fails, which is the case on a fresh Linux machine with no speechd daemon running.
It looks like a QTextToSpeech to the Voice: say(), stop(), state() and stateChanged, Speaking from
say() until the end of the sound. Rendering runs on a worker thread, so the GUI never waits for it.

It never cuts a cue off: a say() while still speaking waits its turn (QTextToSpeech would interrupt;
the Voice only says something during speech when the engine was slow to report its end).
The first sentence it plays in a session starts with ANNOUNCEMENT, so the person knows which voice this is.
Without a sound output (no sound card, as on CI) it still renders, keeps the audio in ``last_wav`` for
inspection, reports the reason once through ``problem`` and ends each cue at once: the screen carries it.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import shutil
import tempfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PyQt6.QtCore import QObject, QTimer, QUrl, pyqtSignal

from app.live.speech_render import find_espeak, render_wav, wav_duration_s

log = logging.getLogger(__name__)

ANNOUNCEMENT = "Using the built-in voice."
NOTE_BUILT_IN = "Using the built-in voice: the system speech service is not available."
NOTE_NO_OUTPUT = "Voice is off: no sound output found. Read the cues on the screen."
NOTE_NO_ESPEAK = "Voice is off: no speech engine on this computer (install espeak-ng). Read the cues on the screen."
NOTE_NO_MULTIMEDIA = "Voice is off: Qt multimedia is missing, so no sound can play. Read the cues on the screen."
NOTE_FAILED = "Voice is off: the built-in voice failed. Read the cues on the screen."


class _OwnSpeechState(enum.Enum):
    """QTextToSpeech.State's names, for a Qt built without the speech module."""

    Ready = 0
    Speaking = 1
    Paused = 2
    Error = 3
    Synthesizing = 4


try:  # the Voice compares states with QTextToSpeech's, so use the same values when there are any
    from PyQt6.QtTextToSpeech import QTextToSpeech

    SpeechState = QTextToSpeech.State
except ImportError:
    SpeechState = _OwnSpeechState  # type: ignore[assignment,misc]


def has_audio_output() -> bool:
    """True when Qt finds a device to play sound on (asked each time: headphones may be plugged in later)."""
    try:
        from PyQt6.QtMultimedia import QMediaDevices
    except ImportError:
        return False
    return bool(QMediaDevices.audioOutputs())


class FallbackVoice(QObject):
    stateChanged = pyqtSignal(object)  # a SpeechState, as QTextToSpeech.stateChanged
    problem = pyqtSignal(str)  # a one-line note for the screen, once per reason, when a cue cannot be heard
    _rendered = pyqtSignal(int, object)  # (utterance number, WAV bytes or the exception): from the worker thread

    def __init__(self, parent: QObject | None = None, render: Callable[[str], bytes] = render_wav) -> None:
        super().__init__(parent)
        self._render = render
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hipcoach-voice")
        self._state = SpeechState.Ready
        self._waiting: deque[str] = deque()
        self._number = 0  # of the utterance in progress; a rendering for an older number is stale
        self._announced = False
        self._problems: set[str] = set()
        self.spoken: list[str] = []  # every sentence rendered, the announcement included
        self.last_wav: bytes | None = None
        # A private folder (mode 0700) for the WAV being played: QMediaPlayer plays files, not buffers.
        self._folder = Path(tempfile.mkdtemp(prefix="hipcoach-voice-"))
        self._player = None
        self._audio_out = None
        self._end = QTimer(self)  # ends a cue whose end the player never reports
        self._end.setSingleShot(True)
        self._end.timeout.connect(self._finish)
        self._rendered.connect(self._on_rendered)
        folder, worker = self._folder, self._worker  # not self: it is gone when destroyed arrives
        self.destroyed.connect(lambda *_: _clean_up(folder, worker))

    # ------------------------------------------------------------------ the QTextToSpeech face
    def state(self):
        return self._state

    def errorString(self) -> str:  # noqa: N802 (QTextToSpeech's name)
        return ""

    def setRate(self, rate: float) -> None:  # noqa: N802 (QTextToSpeech's name; espeak-ng's rate is fixed here)
        pass

    @property
    def can_play(self) -> bool:
        return has_audio_output()

    def say(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self._state == SpeechState.Speaking:
            self._waiting.append(text)  # never cut the sentence being said
            return
        self._start(text)

    def stop(self) -> None:
        """Silence now: the sentence playing, the one rendering and those waiting are all dropped."""
        self._number += 1
        self._waiting.clear()
        self._end.stop()
        if self._player is not None:
            self._player.stop()
        self._set_state(SpeechState.Ready)

    def close(self) -> None:
        self.stop()
        _clean_up(self._folder, self._worker)

    # ------------------------------------------------------------------ inside
    def _start(self, text: str) -> None:
        words = text if self._announced else f"{ANNOUNCEMENT} {text}"
        self.spoken.append(words)
        self._number += 1
        number = self._number
        self._set_state(SpeechState.Speaking)
        future = self._worker.submit(self._render, words)
        future.add_done_callback(lambda done: self._deliver(number, done))

    def _deliver(self, number: int, done: Future[bytes]) -> None:
        """On the worker thread: hand the result to the GUI thread (a queued signal)."""
        result: object = done.exception() or done.result()
        with contextlib.suppress(RuntimeError):  # the voice was deleted meanwhile: nobody to tell
            self._rendered.emit(number, result)

    def _on_rendered(self, number: int, result: object) -> None:
        if number != self._number:
            return  # stopped, or replaced, while it rendered
        if not isinstance(result, bytes):
            log.warning("the built-in voice could not render a cue: %s", result)
            self._complain(NOTE_FAILED)
            self._finish()
            return
        self.last_wav = result
        if not has_audio_output():
            log.info("no sound output; the cue %r is shown on screen only", self.spoken[-1])
            self._complain(NOTE_NO_OUTPUT)
            self._finish()
            return
        player = self._make_player()
        if player is None:
            self._complain(NOTE_NO_MULTIMEDIA)
            self._finish()
            return
        path = self._folder / f"cue-{number % 2}.wav"  # two names: never rewrite the file just played
        path.write_bytes(result)
        player.setSource(QUrl.fromLocalFile(str(path)))
        player.play()
        self._announced = True
        self._end.start(int(1000 * (wav_duration_s(result) + 1.5)))

    def _make_player(self):
        if self._player is None:
            try:
                from PyQt6.QtMultimedia import QAudioOutput, QMediaPlayer
            except ImportError as exc:
                log.warning("the built-in voice cannot play: %s", exc)
                return None
            self._audio_out = QAudioOutput(self)
            self._player = QMediaPlayer(self)
            self._player.setAudioOutput(self._audio_out)
            self._player.mediaStatusChanged.connect(self._on_media_status)
            self._player.errorOccurred.connect(self._on_player_error)
        return self._player

    def _on_media_status(self, status) -> None:
        from PyQt6.QtMultimedia import QMediaPlayer

        ended = (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia)
        if status in ended and self._state == SpeechState.Speaking and self._end.isActive():
            self._finish()

    def _on_player_error(self, error, message: str = "") -> None:
        log.warning("the built-in voice could not play a cue: %s %s", error, message)
        self._complain(NOTE_FAILED)
        if self._end.isActive():
            self._finish()

    def _finish(self) -> None:
        self._end.stop()
        if self._waiting:
            self._start(self._waiting.popleft())
        else:
            self._set_state(SpeechState.Ready)

    def _set_state(self, state) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    def _complain(self, note: str) -> None:
        if note not in self._problems:
            self._problems.add(note)
            self.problem.emit(note)


def _clean_up(folder: Path, worker: ThreadPoolExecutor) -> None:
    worker.shutdown(wait=False, cancel_futures=True)
    shutil.rmtree(folder, ignore_errors=True)


def make_fallback_voice(parent: QObject | None = None) -> tuple[FallbackVoice | None, str]:
    """The built-in voice and a one-line note on it for the screen, or None and why it cannot speak."""
    if find_espeak() is None:
        log.warning("no espeak-ng on PATH: the built-in voice is off, cues are shown on screen")
        return None, NOTE_NO_ESPEAK
    try:
        import PyQt6.QtMultimedia  # noqa: F401 (only checks that it loads)
    except ImportError as exc:
        log.warning("Qt multimedia is not available (%s): the built-in voice is off", exc)
        return None, NOTE_NO_MULTIMEDIA
    voice = FallbackVoice(parent)
    return voice, (NOTE_BUILT_IN if voice.can_play else NOTE_NO_OUTPUT)
