"""Odd and bad inputs through the real command line: each gives exactly one line on stderr naming
the problem and exit 2, or (a GIF animation, a 4K clip, a rotated phone clip, a file literally
named with '%') is analysed as what it is. Every clip is made here, a few frames each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``python -m app ARGS`` from the project root, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def write_clip(path: Path, frames: int = 12, size: tuple[int, int] = (160, 120), fps: float = 30.0) -> Path:
    """A small mp4 with a moving box, written by OpenCV."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened()
    for i in range(frames):
        image = np.zeros((size[1], size[0], 3), np.uint8)
        cv2.rectangle(image, (2 * i, 10), (2 * i + 20, 40), (0, 200, 255), -1)
        writer.write(image)
    writer.release()
    return path


def _av_clip(
    path: Path,
    frames: int,
    size: tuple[int, int],
    codec: str,
    pix_fmt: str,
    rate: int = 30,
    time_base: Fraction | None = None,
) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = pix_fmt
        for i in range(frames):
            image = np.full((size[1], size[0], 3), 40 * i % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            if time_base is not None:
                frame.pts, frame.time_base = i, time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _audio_only(path: Path) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=8000)
        stream.layout = "mono"
        for i in range(4):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 8000, i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", *args], check=True, timeout=60)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("matrix")
    plain = write_clip(d / "plain.mp4", frames=10)
    zero = d / "zero.mp4"
    zero.write_bytes(b"")
    fifo = d / "pipe.mp4"
    os.mkfifo(fifo)
    folder = d / "folder.mp4"
    folder.mkdir()
    (d / "loop_b.mp4").symlink_to(d / "loop_a.mp4")
    (d / "loop_a.mp4").symlink_to(d / "loop_b.mp4")
    gif = d / "moving.gif"
    _ffmpeg("-i", str(plain), str(gif))
    rotated = d / "rotated.mp4"
    _ffmpeg("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(rotated))
    # A file literally named with a printf pattern, and the files FFmpeg would read instead.
    pattern = d / "session_%03d.png"
    pattern.write_bytes(write_clip(d / "twelve.mp4", frames=12).read_bytes())
    for i in range(3):
        cv2.imwrite(str(d / f"session_{i:03d}.png"), np.full((120, 160, 3), 90, np.uint8))
    return {
        "plain": plain,
        "zero": zero,
        "fifo": fifo,
        "directory": folder,
        "symlink_loop": d / "loop_a.mp4",
        "audio_only": _audio_only(d / "voice.m4a"),
        "one_pixel": _av_clip(d / "dot.mkv", 3, (1, 1), "ffv1", "yuv444p"),
        "absurd_fps": _av_clip(
            d / "fast.mp4", 6, (160, 120), "libx264", "yuv420p", rate=100000, time_base=Fraction(1, 100000)
        ),
        "gif": gif,
        "uhd": _av_clip(d / "uhd.mp4", 2, (3840, 2160), "mpeg4", "yuv420p"),
        "rotated": rotated,
        "pattern": pattern,
    }


ERROR_CASES = [
    # case, words the one line must contain
    ("zero", "empty (0 bytes)"),
    ("fifo", "named pipe"),
    ("directory", "is a directory"),
    ("symlink_loop", "symbolic link loop"),
    ("audio_only", "no video stream"),
    ("one_pixel", "1x1 pixels, too small"),
    ("absurd_fps", "100000 frames per second"),
]


def one_line(stderr: str) -> str:
    """The single line of stderr; fails on zero, several lines or a traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{stderr}"
    return lines[0]


@pytest.mark.parametrize("case, words", ERROR_CASES)
def test_bad_clip_gives_one_line_and_exit_2(clips, case, words):
    path = clips[case]
    result = run_cli("analyze", str(path), "--exercise", "squat", "--model", "lite", "--json", "-")
    line = one_line(result.stderr)
    assert result.returncode == 2
    assert line.startswith("hipcoach analyze: error:") and words in line and path.name in line, line
    assert result.stdout == ""


@pytest.mark.parametrize(
    "case, frames, size",
    [
        ("gif", 10, [160, 120]),  # an animation is a clip, not a "still image"
        ("uhd", 2, [3840, 2160]),
        ("rotated", 10, [120, 160]),  # the display rotation applied: portrait
        ("pattern", 12, [160, 120]),  # the file itself, not session_000.png ... session_002.png
    ],
)
def test_odd_but_valid_clip_is_analysed(clips, case, frames, size):
    result = run_cli("analyze", str(clips[case]), "--exercise", "squat", "--model", "lite", "--json", "-")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["frames"] == frames and report["size_px"] == size
    assert report["video"] == str(clips[case])
    # Only the progress lines on stderr: no OpenCV or FFmpeg chatter.
    assert all(line.startswith(clips[case].name) for line in result.stderr.splitlines()), result.stderr


def test_rotated_clip_is_annotated_upright(clips, tmp_path):
    out = tmp_path / "upright.mp4"
    result = run_cli("analyze", str(clips["rotated"]), "--exercise", "squat", "--model", "lite", "--annotate", str(out))
    assert result.returncode == 0, result.stderr
    cap = cv2.VideoCapture(str(out))
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (120, 160)
    cap.release()


@pytest.mark.parametrize(
    "args, words",
    [
        (["report", "--session", "²", "--out", "{tmp}/r.csv"], "--session must be a session number, got '²'"),
        (
            ["report", "--session", "99999999999999999999999", "--out", "{tmp}/r.csv"],
            "--session must be a session number",
        ),
        (["bench", "{plain}", "--rounds", "0"], "--rounds must be at least 1, got 0"),
        (["bench", "{plain}", "--rounds", "many"], "invalid int value: 'many'"),
        (["analyze", "{plain}"], "the following arguments are required: --exercise"),
        (["analyze", "{plain}", "--exercise", "squat", "--annotate"], "expected one argument"),
    ],
)
def test_bad_argument_gives_one_line_and_exit_2(clips, tmp_path, args, words):
    argv = [a.format(plain=clips["plain"], tmp=tmp_path) for a in args]
    result = run_cli(*argv)
    line = one_line(result.stderr)
    assert result.returncode == 2
    assert line.startswith("hipcoach") and words in line, line
    assert list(tmp_path.iterdir()) == []  # nothing written
