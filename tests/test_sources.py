"""Frame sources: real container timestamps, the reader thread, a file played as a camera."""

from __future__ import annotations

import fractions
import time
from pathlib import Path

import av
import numpy as np
import pytest

from pose.sources import SourceError, file_frames, live_file_frames, probe_video, threaded

VFR_PTS_MS = [0, 33, 66, 100, 200, 300, 333, 366, 500, 700, 733, 766]


def _write_clip(path: Path, pts_ms: list[int], size=(160, 120)) -> Path:
    """An mp4 whose frames carry the given presentation times (variable frame rate allowed)."""
    container = av.open(str(path), "w")
    stream = container.add_stream("mpeg4", rate=30)
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    stream.codec_context.time_base = fractions.Fraction(1, 1000)
    stream.time_base = fractions.Fraction(1, 1000)
    for i, pts in enumerate(pts_ms):
        # Each frame's brightness encodes its index, so order can be checked after decoding.
        image = np.full((size[1], size[0], 3), 10 + 20 * (i % 12), np.uint8)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, fractions.Fraction(1, 1000)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def test_variable_frame_rate_keeps_the_container_timestamps(tmp_path):
    clip = _write_clip(tmp_path / "vfr.mp4", VFR_PTS_MS)
    stamps = [f.timestamp_ms for f in file_frames(clip)]
    assert stamps == pytest.approx(VFR_PTS_MS, abs=1.0)


def test_constant_rate_timestamps_and_info(tmp_path):
    pts = [round(i * 1000 / 30) for i in range(45)]
    clip = _write_clip(tmp_path / "cfr.mp4", pts)
    info = probe_video(clip)
    assert (info.width, info.height) == (160, 120)
    frames = list(file_frames(clip))
    assert [f.index for f in frames] == list(range(45))
    assert np.all(np.diff([f.timestamp_ms for f in frames]) > 0)
    assert frames[-1].timestamp_ms == pytest.approx(pts[-1], abs=1.0)
    assert frames[0].size_px == (160, 120)


def test_threaded_reader_keeps_order_and_content(tmp_path):
    clip = _write_clip(tmp_path / "cfr.mp4", [i * 33 for i in range(40)])
    direct = [(f.index, f.timestamp_ms, int(f.image_bgr.mean())) for f in file_frames(clip)]
    through_thread = [(f.index, f.timestamp_ms, int(f.image_bgr.mean())) for f in threaded(file_frames(clip), 3)]
    assert through_thread == direct


def test_threaded_reader_stops_when_the_consumer_stops(tmp_path):
    clip = _write_clip(tmp_path / "cfr.mp4", [i * 33 for i in range(40)])
    frames = threaded(file_frames(clip), 2)
    assert next(frames).index == 0
    frames.close()  # must return promptly rather than hang on a full queue


def test_threaded_reader_passes_source_errors_to_the_consumer(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        list(threaded(file_frames(tmp_path / "missing.mp4")))


def test_file_as_camera_runs_on_the_wall_clock_and_drops_late_frames(tmp_path):
    clip = _write_clip(tmp_path / "cfr.mp4", [i * 33 for i in range(30)])  # about 1 s
    start = time.monotonic()
    fast = list(live_file_frames(clip))
    assert time.monotonic() - start >= 0.9  # paced like a camera, not as fast as decoding
    assert len(fast) >= 28

    slow = []
    for frame in live_file_frames(clip):
        slow.append(frame)
        time.sleep(0.1)  # a consumer slower than the camera
    assert 5 <= len(slow) <= 15
    # The frames that do arrive keep the file's own timestamps.
    assert all(f.timestamp_ms == pytest.approx(f.index * 33, abs=1.0) for f in slow)


def test_rotation_metadata_is_applied(tmp_path):
    """A phone clip recorded sideways carries a display rotation; people must come out upright."""
    import subprocess

    import imageio_ffmpeg

    plain = _write_clip(tmp_path / "plain.mp4", [i * 33 for i in range(10)], size=(160, 120))
    rotated = tmp_path / "rotated.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-display_rotation",
            "90",
            "-i",
            str(plain),
            "-c",
            "copy",
            str(rotated),
        ],
        check=True,
        timeout=60,
    )
    info = probe_video(rotated)
    assert (info.width, info.height) == (120, 160)
    frames = list(file_frames(rotated))
    assert len(frames) == 10 and frames[0].size_px == (120, 160)
