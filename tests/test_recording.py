"""Recording live sets: the video plays and re-analyses to the live counts, the disk never holds up the
live view, a crash keeps what was recorded up to about the last second, and the recordings folder
(which session, retention, delete all). Expected counts come from the clips' generator truth.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import av
import numpy as np
import pytest

from app.analysis import analyze_clip
from app.cli import main as cli_main
from app.coach import recordings
from app.coach.recordings import Retention
from app.live.pipeline import LiveSource, live_items
from app.live.recording import SetRecording, VideoRecorder, summary_line
from tests.conftest import sample_truth

ROOT = Path(__file__).resolve().parent.parent
CLIP = "squat_side_continuous"  # 12 s, six squats
LINE_TIMEOUT_S = 90.0


def decoded(video: Path) -> tuple[int, float, int]:
    """(frames, time of the last frame in s, keyframes) of a video, decoded with PyAV."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
    last = frames[-1]
    return len(frames), float(last.pts * last.time_base), sum(f.key_frame for f in frames)


def test_a_recorded_set_plays_and_analyses_again_to_the_live_counts(tmp_path, capsys):
    truth = sample_truth(CLIP)
    recording = SetRecording(tmp_path / "recordings", truth["exercise"], session_id=7, model="lite")
    live_reps = 0
    for item in live_items(LiveSource(path=Path(truth["path"])), truth["exercise"], "lite", recording=recording):
        state = item.step.result.state if item.step.result is not None else None
        live_reps = state.reps if state is not None else live_reps
    report = json.loads(recording.report_path.read_text())
    assert report["schema"] == 1 and report["exercise"] == truth["exercise"] and report["session_id"] == 7
    assert report["reps"] == truth["reps"] == live_reps
    assert report["frames_dropped"] == 0 and report["frames_recorded"] == report["frames"]
    # The file plays, with every recorded frame at its time, and a keyframe at least every second.
    frames, last_s, keyframes = decoded(recording.video_path)
    assert frames == report["frames"]
    assert abs(last_s + 1 / 30 - report["duration_s"]) < 0.05
    assert abs(report["duration_s"] - truth["duration_s"]) < 0.5
    assert keyframes >= int(last_s)
    # Private files in a private folder.
    for path in (recording.video_path, recording.report_path):
        assert path.stat().st_mode & 0o777 == 0o600
    assert recording.video_path.parent.stat().st_mode & 0o777 == 0o700
    # `hipcoach analyze` on the recording counts what the live set counted.
    capsys.readouterr()
    args = ["analyze", str(recording.video_path), "--exercise", truth["exercise"], "--model", "lite", "--json", "-"]
    assert cli_main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["reps"] == report["reps"]
    assert again["reps_by_side"] == report["reps_by_side"]
    assert [f["code"] for f in again["faults"]] == [f["code"] for f in report["faults"]]
    assert again["frames"] == report["frames"]
    # The folder knows whose recording it is.
    (listed,) = recordings.list_recordings(recording.video_path.parent)
    assert listed.session_id == 7 and listed.exercise_id == truth["exercise"] and listed.report == recording.report_path


class SlowDisk:
    """A sink that takes 200 ms per frame: a disk far slower than the camera."""

    def __init__(self, _path: Path) -> None:
        self.frames = 0

    def write(self, image_bgr: np.ndarray, t_ms: float) -> None:
        time.sleep(0.2)
        self.frames += 1

    def close(self) -> None:
        pass


def test_a_slow_disk_drops_frames_and_counts_them_the_producer_never_waits(tmp_path):
    recorder = VideoRecorder(tmp_path / "slow.mp4", sink_factory=SlowDisk, max_queued=8)
    image = np.zeros((48, 64, 3), np.uint8)
    waits = []
    for i in range(200):
        start = time.perf_counter()
        recorder.offer(image, i * 33.3)
        waits.append(time.perf_counter() - start)
    # A queue put, never a write: well under one write even when a busy machine stalls the thread.
    assert max(waits) < 0.1
    stats = recorder.close()
    assert stats.frames_dropped > 150  # 200 frames offered in a blink, 200 ms each to write
    assert stats.frames_written + stats.frames_dropped == 200
    assert "left out" in summary_line(stats) and str(stats.frames_dropped) in summary_line(stats)


class BrokenDisk(SlowDisk):
    def write(self, image_bgr: np.ndarray, t_ms: float) -> None:
        if self.frames == 3:
            raise OSError(28, "No space left on device")
        self.frames += 1


def test_a_failing_disk_stops_the_recording_never_the_set(tmp_path):
    recorder = VideoRecorder(tmp_path / "full.mp4", sink_factory=BrokenDisk, max_queued=1000)
    for i in range(20):
        recorder.offer(np.zeros((8, 8, 3), np.uint8), i * 33.3)
    stats = recorder.close()
    assert stats.frames_written == 3 and stats.frames_dropped == 17
    assert "No space left" in (stats.error or "") and "No space left" in summary_line(stats)


def _lines(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line.strip())
    out.put(None)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_a_killed_process_leaves_a_playable_recording_up_to_about_the_last_second(tmp_path):
    truth = sample_truth(CLIP)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.recording_child", truth["path"], truth["exercise"], str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    video: Path | None = None
    offered_ms = 0.0
    try:
        while offered_ms < 6000:
            try:
                line = lines.get(timeout=LINE_TIMEOUT_S)
            except queue.Empty:
                pytest.fail(f"no output from the child for {LINE_TIMEOUT_S} s")
            assert line is not None and line != "done", f"the child ended early: {proc.stderr.read()[-2000:]}"
            word, value = line.split(maxsplit=1)
            if word == "video":
                video = Path(value)
            elif word == "frame":
                offered_ms = float(value)
        proc.send_signal(signal.SIGKILL)  # mid-recording, six seconds in
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert video is not None and video.exists()
    assert not recordings.report_path(video).exists()  # the set never ended
    frames, last_s, _ = decoded(video)
    assert last_s >= offered_ms / 1000 - 2.0  # at most about a second (one fragment) and the queue lost
    assert frames >= 30 * (offered_ms / 1000 - 2.0) * 0.8
    # The cut recording is still a clip `analyze` reads.
    assert analyze_clip(video, truth["exercise"], "lite").frames == frames


def _fake_recording(folder: Path, session: int, when: datetime, size: int = 1000, report: bool = True) -> Path:
    video = recordings.new_video_path(folder, session, "squat", now=when)
    video.write_bytes(b"\0" * size)
    if report:
        recordings.report_path(video).write_text("{}")
    stamp = when.timestamp()
    os.utime(video, (stamp, stamp))
    return video


def test_the_folder_links_recordings_to_sessions_and_ignores_other_files(tmp_path):
    now = datetime(2026, 12, 2, 9, 0, 0)
    first = _fake_recording(tmp_path, 3, now)
    second = _fake_recording(tmp_path, 3, now)  # the same second: a name of its own
    other = _fake_recording(tmp_path, 4, now + timedelta(minutes=5), report=False)
    (tmp_path / "holiday.mp4").write_bytes(b"x")
    assert first != second
    assert [r.video for r in recordings.for_session(tmp_path, 3)] == [first, second]
    assert recordings.list_recordings(tmp_path)[0].video == other
    assert recordings.list_recordings(tmp_path)[0].report is None  # cut short: no analysis yet
    assert recordings.sessions_with_recordings(tmp_path) == {3, 4}


def test_retention_by_days_removes_old_recordings_and_keeps_the_one_being_written(tmp_path):
    now = datetime(2026, 12, 2, 9, 0, 0)
    old = _fake_recording(tmp_path, 1, now - timedelta(days=40))
    older_but_open = _fake_recording(tmp_path, 2, now - timedelta(days=50))
    recent = _fake_recording(tmp_path, 3, now - timedelta(days=2))
    removed = recordings.apply_retention(tmp_path, Retention("days", 30), now=now, keep=[older_but_open])
    assert set(removed) == {old, recordings.report_path(old)}
    assert recent.exists() and older_but_open.exists() and not old.exists()


def test_retention_by_size_keeps_the_newest_up_to_the_limit(tmp_path):
    now = datetime(2026, 12, 2, 9, 0, 0)
    videos = [_fake_recording(tmp_path, i, now - timedelta(hours=i), size=400_000) for i in range(5)]
    recordings.apply_retention(tmp_path, Retention("gb", 0.001), now=now)  # 1 MB: two recordings fit
    assert [v.exists() for v in videos] == [True, True, False, False, False]


def test_delete_all_removes_every_recording_and_the_folder(tmp_path):
    folder = recordings.ensure_folder(tmp_path / "recordings")
    for i in range(3):
        _fake_recording(folder, i, datetime(2026, 12, 1, 8, i))
    (folder / "x.json.tmp").write_text("{")
    assert len(recordings.delete_all(folder)) == 7
    assert not folder.exists()
    assert recordings.delete_all(folder) == []


def test_recording_settings_default_off_and_survive_damage():
    assert recordings.settings_from({}) == recordings.RecordingSettings(False, Retention("days", 30))
    chosen = recordings.RecordingSettings(True, Retention("gb", 2.5))
    assert recordings.settings_from(recordings.settings_into({"strictness": "gentle"}, chosen)) == chosen
    damaged = {"record_video": True, "recording_keep_unit": "weeks", "recording_keep_amount": "lots"}
    assert recordings.settings_from(damaged) == recordings.RecordingSettings(True, Retention())
    with pytest.raises(ValueError):
        Retention("days", 0)


def test_a_set_recorded_before_its_session_existed_takes_the_sessions_number_at_the_end(tmp_path):
    from types import SimpleNamespace

    from app.live.recording import wanted_recording

    session: list[int] = []
    store = SimpleNamespace(path=tmp_path / "history.sqlite3")
    assert wanted_recording(store, {}, "squat", "lite", lambda: None) is None  # off by default
    assert wanted_recording(None, {"record_video": True}, "squat", "lite", lambda: None) is None  # no history
    old = _fake_recording(recordings.folder_in(tmp_path), 1, datetime.now() - timedelta(days=60))
    recording = wanted_recording(
        store, {"record_video": True}, "squat", "lite", lambda: session[0] if session else None
    )
    assert recording is not None and not old.exists()  # the retention ran first (30 days)
    assert "_s-_squat" in recording.video_path.name
    for i in range(5):
        recording.offer(np.full((48, 64, 3), 40 * i, np.uint8), i * 33.3, has_pose=False)
    session.append(12)  # the history made the session with the first picture
    checker = SimpleNamespace(
        reps=0, reps_by_side=None, reps_detail=[], faults=[], status_intervals=[], partial_reps=[], notes=[]
    )
    stats = recording.finish(checker)
    assert stats.frames_written == 5 and "Video recorded" in summary_line(stats)
    assert "_s12_squat" in recording.video_path.name and recording.video_path.exists()
    assert json.loads(recording.report_path.read_text())["session_id"] == 12
    assert [r.video for r in recordings.for_session(recordings.folder_in(tmp_path), 12)] == [recording.video_path]
