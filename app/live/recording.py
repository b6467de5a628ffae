"""Recording a live set to disk: the camera frames as seen (never mirrored) into an H.264 MP4. Qt-free.

The live pipeline only *offers* each frame to a :class:`VideoRecorder`: a bounded queue hands it to a
writer thread, and a frame that finds the queue full is dropped and counted, so the live view never
waits for the disk. The MP4 is fragmented (a fragment per keyframe, a keyframe at least every second)
and flushed as each fragment closes, so a crash keeps a playable file up to about the last second.
Frames keep the camera's own timestamps (milliseconds), so ``hipcoach analyze`` on the file sees the
frames the live checker saw, at the same times, and counts the same.

:class:`SetRecording` is one set's recording: the video plus, once the set's checker has finished,
its analysis as schema-1 JSON beside it (:func:`app.coach.recordings.report_path`), so a review opens
at once instead of analysing again. An Auto run is one recording from its start to its end (all the sets
it followed), named ``auto``; its JSON is the recognised report ``hipcoach analyze --exercise auto`` writes
(``exercise_confidence``, one segment per exercise, ``recognition``).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.coach import recordings

log = logging.getLogger(__name__)

QUEUE_FRAMES = 32  # about a second of camera frames waiting for the disk; beyond that, frames are dropped
KEYFRAME_EVERY_S = 1.0  # a crash loses at most about this much (one fragment)
FRAGMENTED_MP4 = "frag_keyframe+empty_moov+default_base_moof"
NOMINAL_FPS = 30  # the encoder's nominal rate; real frame times come from the timestamps


class FrameSink(Protocol):
    """Where the writer thread puts frames (the MP4; a test's slow disk)."""

    def write(self, image_bgr: np.ndarray, t_ms: float) -> None: ...
    def close(self) -> None: ...


def create_private(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (0600 whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class Mp4Sink:
    """A fragmented H.264 MP4 with variable frame timing (time base 1 ms), private from its first byte."""

    def __init__(self, path: Path) -> None:
        import av  # only a recording needs the encoder

        self.path = Path(path)
        create_private(self.path)  # av opens the existing file: its mode stays 0600
        self._av = av
        self._out = av.open(
            str(self.path), "w", format="mp4", options={"movflags": FRAGMENTED_MP4, "flush_packets": "1"}
        )
        self._stream: Any = None
        self._last_pts: int | None = None
        self._last_key_pts: int | None = None
        self.frames = 0

    def _open_stream(self, width: int, height: int) -> None:
        stream = self._out.add_stream("libx264", rate=NOMINAL_FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.codec_context.gop_size = round(NOMINAL_FPS * KEYFRAME_EVERY_S)
        # ultrafast and zerolatency: little CPU beside the pose model, and no frames held in a lookahead
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "23", "threads": "1"}
        self._stream = stream

    def write(self, image_bgr: np.ndarray, t_ms: float) -> None:
        height, width = image_bgr.shape[0] & ~1, image_bgr.shape[1] & ~1  # 4:2:0 needs even sizes
        if self._stream is None:
            self._open_stream(width, height)
        image = np.ascontiguousarray(image_bgr[:height, :width])
        frame = self._av.VideoFrame.from_ndarray(image, format="bgr24")
        pts = int(round(t_ms))
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1  # timestamps must rise in the file
        frame.pts, frame.time_base = pts, Fraction(1, 1000)
        if self._last_key_pts is None or pts - self._last_key_pts >= KEYFRAME_EVERY_S * 1000:
            frame.pict_type = self._av.video.frame.PictureType.I  # a keyframe closes the fragment before it
            self._last_key_pts = pts
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._out.mux(packet)
        self.frames += 1

    def close(self) -> None:
        try:
            if self._stream is not None:
                for packet in self._stream.encode():
                    self._out.mux(packet)
        finally:
            self._out.close()


@dataclass(frozen=True)
class RecordingStats:
    frames_written: int
    frames_dropped: int
    error: str | None = None  # why the recording stopped early (a full disk), in words


class VideoRecorder:
    """Frames offered from the live pipeline, written by a thread of its own; the producer never waits.

    ``sink_factory`` makes the sink (the MP4 at ``path`` by default) on the writer thread, so even
    opening the file is off the live path. A sink that fails stops the recording (frames offered
    after are dropped and counted) and never the live set.
    """

    def __init__(
        self,
        path: Path,
        sink_factory: Callable[[Path], FrameSink] = Mp4Sink,
        max_queued: int = QUEUE_FRAMES,
    ) -> None:
        self.path = Path(path)
        self._sink_factory = sink_factory
        self._queue: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue(maxsize=max_queued)
        self.frames_offered = 0
        self.frames_dropped = 0
        self.frames_written = 0
        self.error: str | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="video-recorder", daemon=True)
        self._thread.start()

    def offer(self, image_bgr: np.ndarray, t_ms: float) -> bool:
        """Queue one frame (never blocks); False when it was dropped (queue full, recording over)."""
        self.frames_offered += 1
        if self._closed or self.error is not None:
            self.frames_dropped += 1
            return False
        try:
            self._queue.put_nowait((image_bgr, t_ms))
        except queue.Full:
            self.frames_dropped += 1
            return False
        return True

    def _run(self) -> None:
        sink: FrameSink | None = None
        try:
            while True:
                item = self._queue.get()
                if item is None:  # close() asks the writer to finish
                    break
                if self.error is not None:
                    continue  # drain: the producer must never find the queue stuck
                try:
                    if sink is None:
                        sink = self._sink_factory(self.path)
                    sink.write(*item)
                    self.frames_written += 1
                except Exception as exc:  # a full disk, a vanished folder: the set goes on unrecorded
                    log.warning("recording %s stopped: %s", self.path, exc)
                    self.error = f"the recording stopped: {exc}"
        finally:
            if sink is not None:
                try:
                    sink.close()
                except Exception as exc:
                    log.warning("closing recording %s: %s", self.path, exc)
                    self.error = self.error or f"the recording could not be finished: {exc}"

    def close(self, timeout_s: float = 30.0) -> RecordingStats:
        """Write what is queued, close the file and return what was written and dropped (idempotent)."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)  # waits only for room: the writer is draining
        self._thread.join(timeout_s)
        return self.stats

    @property
    def stats(self) -> RecordingStats:
        """Once closed, every frame offered and not written counts as dropped (a failed sink's too)."""
        done = self._closed and not self._thread.is_alive()
        dropped = self.frames_offered - self.frames_written if done else self.frames_dropped
        return RecordingStats(self.frames_written, dropped, self.error)


class SetRecording:
    """One live set recorded: the video while it runs, then the set's analysis as JSON beside it.

    ``session_id`` links the files to the history's session (it is in their names); ``model`` is the
    pose model the live set used, written into the report as ``analyze`` would.
    """

    def __init__(
        self,
        folder: Path,
        exercise_id: str,
        session_id: int | None | Callable[[], int | None],
        model: str = "full",
        sink_factory: Callable[[Path], FrameSink] = Mp4Sink,
        max_queued: int = QUEUE_FRAMES,
    ) -> None:
        # The history may make the session only with the set's first picture: a callable is asked again
        # at the end, and the files then take the session's number.
        self._session = session_id
        self.video_path = recordings.new_video_path(folder, self.session_id, exercise_id)
        self.exercise_id = exercise_id
        self.model = model
        self.recorder = VideoRecorder(self.video_path, sink_factory, max_queued)
        self.frames_with_pose = 0
        self._first_ms: float | None = None
        self._last_ms: float | None = None
        self.report_path: Path | None = None

    @property
    def session_id(self) -> int | None:
        return self._session() if callable(self._session) else self._session

    def offer(self, image_bgr: np.ndarray, t_ms: float, has_pose: bool) -> bool:
        if self._first_ms is None:
            self._first_ms = t_ms
        self._last_ms = t_ms
        self.frames_with_pose += bool(has_pose)
        return self.recorder.offer(image_bgr, t_ms)

    def close_video(self) -> RecordingStats:
        return self.recorder.close()

    @property
    def duration_s(self) -> float:
        """As ``analyze`` measures a clip: first to last frame, plus one frame period."""
        frames = self.recorder.frames_offered
        if self._first_ms is None or self._last_ms is None:
            return 0.0
        period_ms = (self._last_ms - self._first_ms) / (frames - 1) if frames > 1 else 0.0
        return (self._last_ms - self._first_ms + period_ms) / 1000.0

    def finish(self, checker: Any) -> RecordingStats:
        """After the set's checker (an Auto run's Following) finished: close the video and write its
        report JSON (0600) beside it."""
        stats = self.close_video()
        if not self.video_path.exists():
            return stats  # no frame came: nothing was recorded
        session_id = self.session_id
        linked = recordings.with_session(self.video_path, session_id)
        if linked != self.video_path and not linked.exists():
            os.replace(self.video_path, linked)
            self.video_path = linked
        report = self._report(checker)
        # Added fields (schema 1 allows them): which session, and what the recording left out.
        report["session_id"] = session_id
        report["frames_recorded"] = stats.frames_written
        report["frames_dropped"] = stats.frames_dropped
        self.report_path = recordings.report_path(self.video_path)
        write_private_json(self.report_path, report)
        return stats

    def _report(self, checker: Any) -> dict[str, Any]:
        """The analysis as ``analyze`` writes it: the checker's, or for an Auto run the recogniser's."""
        from app.clip_report import checker_report
        from app.recognised_report import ClipFacts, recognised_report

        clip = ClipFacts(
            video=self.video_path.name,
            model=self.model,
            duration_s=self.duration_s,
            frames=self.recorder.frames_offered,
            frames_with_pose=self.frames_with_pose,
        )
        recogniser = getattr(checker, "recogniser", None)
        if recogniser is not None:  # segments are in the camera's time, as the frames' timestamps
            return recognised_report(recogniser, clip, (self._first_ms or 0.0) / 1000.0).to_json()
        return checker_report(checker, exercise=self.exercise_id, **clip.fields()).to_json()


def wanted_recording(
    store: Any, settings: Mapping[str, Any], exercise_id: str, model: str, session_id: Callable[[], int | None]
) -> SetRecording | None:
    """A recording of the next set when the profile's settings ask for one (and a history is open: the
    recordings live beside it); old recordings go first, as the settings' retention says."""
    chosen = recordings.settings_from(settings)
    if store is None or not chosen.record:
        return None
    folder = recordings.folder_in(Path(store.path).parent)
    try:
        recordings.apply_retention(folder, chosen.retention)
        return SetRecording(folder, exercise_id, session_id, model)
    except OSError as exc:  # a folder that cannot be made: the set runs unrecorded
        log.warning("cannot record this set: %s", exc)
        return None


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` atomically (a temporary file renamed over) and privately (0600)."""
    tmp = path.with_name(path.name + ".tmp")
    create_private(tmp)
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def summary_line(stats: RecordingStats) -> str:
    """What the session summary says about the recording, in words."""
    if stats.frames_written == 0 and stats.error:
        return f"Not recorded: {stats.error}."
    line = "Video recorded"
    if stats.frames_dropped:
        line += f"; {stats.frames_dropped} frame{'s' if stats.frames_dropped != 1 else ''} left out (the disk was slow)"
    if stats.error:
        line += f"; {stats.error}"
    return line + "."
