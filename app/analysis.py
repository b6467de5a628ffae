"""Headless analysis of a recorded clip: the pipeline plus the exercise checker, and the report.

Shared by ``hipcoach analyze``, ``hipcoach eval`` and the replay view; imports no Qt.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.clip_report import ClipReport, checker_report
from app.recognised_report import ClipFacts, recognised_report
from exercises.checker import ExerciseChecker
from exercises.definitions import ExerciseDef
from exercises.recognition import AUTO, Recogniser
from exercises.registry import get_exercise
from pose.estimator import MODELS_DIR, PoseEstimator
from pose.filtering import PoseFilter
from pose.pipeline import Step, run_pipeline
from pose.sources import VideoInfo, file_frames, probe_video, threaded


class ClipAnalysis:
    """One clip analysed for one exercise. Iterate :meth:`steps`, then call :meth:`report`.

    Construction validates everything (exercise id, model, video) so errors come before work. The
    exercise ``auto`` is recognised from the clip: every candidate is followed, the report is the
    recognised one's (and says how sure it is).
    """

    def __init__(self, video: str | Path, exercise_id: str, model: str = "full") -> None:
        self.video = str(video)
        self.recogniser = Recogniser() if exercise_id == AUTO else None
        self.checker: ExerciseChecker | Recogniser = self.recogniser or ExerciseChecker(get_exercise(exercise_id))
        self.info: VideoInfo = probe_video(video)
        self.model = model
        self.estimator = PoseEstimator(model)
        self.frames = 0
        self.frames_with_pose = 0
        self._first_ms: float | None = None
        self._last_ms: float | None = None
        self._finished = False

    @property
    def exercise(self) -> ExerciseDef:
        """The exercise followed (recognising: the one recognised, or leading so far)."""
        return self.checker.defn

    @property
    def reads(self) -> tuple[str, ...]:
        """The files this analysis reads (the clip, the model bundles): never to be written over."""
        return (self.video, *sorted(str(p) for p in Path(MODELS_DIR).glob("*.task")))

    def steps(self) -> Iterator[Step]:
        """Run the clip through the pipeline; the checker's records fill as the steps go by."""
        try:
            for step in run_pipeline(threaded(file_frames(self.video)), self.estimator, PoseFilter(), self.checker):
                self.frames += 1
                self.frames_with_pose += step.raw_pose.has_pose
                if self._first_ms is None:
                    self._first_ms = step.frame.timestamp_ms
                self._last_ms = step.frame.timestamp_ms
                yield step
        finally:
            self.close()

    def close(self) -> None:
        if not self._finished:
            self._finished = True
            self.checker.finish()
            self.estimator.close()

    @property
    def duration_s(self) -> float:
        if self._first_ms is None or self._last_ms is None:
            return 0.0
        # The last frame lasts one frame period too.
        period_ms = (self._last_ms - self._first_ms) / (self.frames - 1) if self.frames > 1 else 0.0
        return (self._last_ms - self._first_ms + period_ms) / 1000.0

    def report(self) -> ClipReport:
        """The analysis as one :class:`ClipReport` (``report().to_json()`` is PRODUCT.md's schema 1)."""
        self.close()
        clip = ClipFacts(
            video=self.video,
            model=self.model,
            duration_s=self.duration_s,
            frames=self.frames,
            frames_with_pose=self.frames_with_pose,
            fps=self.info.fps,
            size_px=(self.info.width, self.info.height),
        )
        if self.recogniser is not None:
            start_s = (self._first_ms or 0.0) / 1000.0
            return recognised_report(self.recogniser, clip, start_s)
        return checker_report(self.checker, exercise=self.exercise.id, **clip.fields())


def analyze_clip(video: str | Path, exercise_id: str, model: str = "full") -> ClipReport:
    """Analyse a whole clip and return its report (no progress, no drawing)."""
    analysis = ClipAnalysis(video, exercise_id, model)
    for _ in analysis.steps():
        pass
    return analysis.report()
