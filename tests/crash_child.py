"""The process tests/test_crash_safety.py kills: a clip through the real pipeline into the history.

``python -m tests.crash_child VIDEO EXERCISE`` opens the history in ``$HIPCOACH_DATA_DIR``, runs
the clip headless (file frames, the lite pose model, the pose filter, the exercise checker) and
hands every frame's events to a :class:`SessionRecorder`. It prints ``session <id>`` first, then
``rep <index> <start_s> <end_s>`` on stdout each time a rep has been written (committed), and
``done`` if it reaches the end of the clip alive.
"""

from __future__ import annotations

import sys

from app.coach.recorder import SessionRecorder
from app.coach.store import HistoryStore
from exercises.checker import ExerciseChecker
from exercises.events import RepCompleted
from exercises.registry import get_exercise
from pose.estimator import PoseEstimator
from pose.filtering import PoseFilter
from pose.pipeline import run_pipeline
from pose.sources import file_frames


def say(line: str) -> None:
    print(line, flush=True)  # the parent reads line by line


def main(video: str, exercise_id: str) -> int:
    definition = get_exercise(exercise_id)
    store = HistoryStore.open()
    recorder = SessionRecorder(store, store.ensure_profile())
    recorder.begin_set(definition.id, definition.target_reps)
    say(f"session {recorder.session_id}")
    checker = ExerciseChecker(definition)
    estimator = PoseEstimator("lite")
    try:
        for step in run_pipeline(file_frames(video), estimator, PoseFilter(), checker):
            events = step.result.events
            recorder.take(events)  # returns once each rep is committed
            for event in events:
                if isinstance(event, RepCompleted):
                    say(f"rep {event.record.index} {event.record.start_s} {event.record.end_s}")
    finally:
        estimator.close()
    recorder.take(checker.finish())
    recorder.end_set("done")
    recorder.end_session("done")
    store.close()
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
