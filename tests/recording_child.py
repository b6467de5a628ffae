"""The process tests/test_recording.py kills mid-recording: a clip played as a camera through the live
pipeline with the set recorded.

``python -m tests.recording_child VIDEO EXERCISE FOLDER`` records into FOLDER and prints
``video <path>`` first, then ``frame <t_ms>`` for every frame offered to the recorder, and ``done``
if it reaches the end of the clip alive.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.live.pipeline import LiveSource, live_items
from app.live.recording import SetRecording


def say(line: str) -> None:
    print(line, flush=True)  # the parent reads line by line


def main(video: str, exercise_id: str, folder: str) -> int:
    recording = SetRecording(Path(folder), exercise_id, session_id=1, model="lite")
    say(f"video {recording.video_path}")
    for item in live_items(LiveSource(path=Path(video)), exercise_id, "lite", recording=recording):
        say(f"frame {item.step.frame.timestamp_ms:.0f}")
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
