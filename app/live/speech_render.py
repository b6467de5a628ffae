"""Speech as audio, without Qt: text in, WAV bytes out, through the espeak-ng program.

The built-in voice (app.gui.fallback_voice) plays what this renders when the system speech service is
missing or fails. espeak-ng runs locally (scripts/setup.sh installs it); nothing goes over the network.
Also here: what a WAV holds (its length and loudness), so tests and callers can tell speech from silence.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import sys
import wave
from array import array
from dataclasses import dataclass

ESPEAK = "espeak-ng"
# A little slower than espeak-ng's 175 words a minute: heard from the floor, three metres away.
WORDS_PER_MINUTE = 160
RENDER_TIMEOUT_S = 10.0


class SpeechRenderError(RuntimeError):
    """espeak-ng could not turn the text into audio."""


class EspeakMissing(SpeechRenderError):
    """The espeak-ng program is not installed (or not on PATH)."""


def find_espeak() -> str | None:
    """The path of the espeak-ng program, or None when it is not on PATH."""
    return shutil.which(ESPEAK)


def render_wav(
    text: str,
    voice: str = "en",
    words_per_minute: int = WORDS_PER_MINUTE,
    timeout_s: float = RENDER_TIMEOUT_S,
) -> bytes:
    """The spoken ``text`` as a mono 16-bit WAV (bytes). Blocks for about a tenth of a second: call it off
    the GUI thread. Raises EspeakMissing without espeak-ng, SpeechRenderError when it fails or hangs."""
    text = " ".join(text.split())
    if not text:
        raise ValueError("nothing to say: the text is empty")
    if words_per_minute <= 0 or timeout_s <= 0:
        raise ValueError(f"words_per_minute and timeout_s must be > 0, got {words_per_minute} and {timeout_s}")
    program = find_espeak()
    if program is None:
        raise EspeakMissing(
            f"{ESPEAK} is not installed (or not on PATH), so the built-in voice cannot speak; "
            f"install it with scripts/setup.sh or 'sudo apt install {ESPEAK}'"
        )
    # The text goes in on stdin, so a cue starting with '-' is never read as an option.
    command = [program, "--stdout", "--stdin", "-v", voice, "-s", str(words_per_minute)]
    try:
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise SpeechRenderError(f"{ESPEAK} took longer than {timeout_s:g} s to say {text[:40]!r}") from exc
    except OSError as exc:
        raise EspeakMissing(f"{ESPEAK} at {program} could not be started: {exc}") from exc
    if done.returncode != 0 or not done.stdout:
        why = done.stderr.decode(sys.getdefaultencoding(), "replace").strip().splitlines()
        raise SpeechRenderError(
            f"{ESPEAK} failed (exit code {done.returncode}) on {text[:40]!r}: {why[-1] if why else 'no output'}"
        )
    return with_true_sizes(done.stdout)


def with_true_sizes(data: bytes) -> bytes:
    """The WAV with its RIFF and data sizes set to what it holds. Written to a pipe, espeak-ng cannot go back
    to fill them in and leaves placeholders (about 2 GB), which players and the wave module would believe."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechRenderError(f"not a WAV: it starts with {data[:12]!r}")
    fixed = bytearray(data)
    struct.pack_into("<I", fixed, 4, len(data) - 8)
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, offset)
        if chunk == b"data":
            struct.pack_into("<I", fixed, offset + 4, len(data) - offset - 8)
            return bytes(fixed)
        offset += 8 + size + (size & 1)  # chunks are padded to an even length
    raise SpeechRenderError("the WAV has no data chunk")


@dataclass(frozen=True)
class WavMeasure:
    """What a WAV holds: its length, and its loudness as RMS and peak, as fractions of full scale (0 to 1)."""

    duration_s: float
    rms: float
    peak: float
    sample_rate: int


def measure_wav(data: bytes) -> WavMeasure:
    """Length and loudness of a 16-bit PCM WAV (all channels together)."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"expected 16-bit samples, got {8 * w.getsampwidth()}-bit")
        rate, channels = w.getframerate(), w.getnchannels()
        samples = array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV samples are little-endian
    full_scale = 32768.0
    frames = len(samples) // max(1, channels)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / full_scale if samples else 0.0
    peak = max((abs(s) for s in samples), default=0) / full_scale
    return WavMeasure(duration_s=frames / rate if rate else 0.0, rms=rms, peak=peak, sample_rate=rate)


def wav_duration_s(data: bytes) -> float:
    return measure_wav(data).duration_s


def wav_rms(data: bytes) -> float:
    return measure_wav(data).rms
