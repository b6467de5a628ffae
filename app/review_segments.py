"""The review of a recording with "Auto": the exercise recognised, a routine split into segments
(``ClipReport.segments``). Qt-free.

:class:`ExerciseTrack` says which exercise the review shows at each moment (the segment's under the
playhead, counting that set's own reps); the rest words a segment for the summary, the rep table's
headings, the title and the progress bar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.clip_report import ClipReport
from exercises.recognition import AUTO
from exercises.registry import get_exercise
from exercises.texts import exercise_caption
from exercises.vocabulary import RECOGNITION_UNSURE

if TYPE_CHECKING:
    from app.review_data import ReplayFrame


AUTO_TITLE = "Auto"  # the same, where room is short (the progress bar)
AUTO_PLOT_TITLE = "The recognised exercise's measure, degrees"  # before any exercise leads


@dataclass(frozen=True)
class ReviewSegment:
    """One exercise's part of an Auto review (one of ``ClipReport.segments``), as the review shows it."""

    exercise: str
    start_s: float
    end_s: float
    reps: int
    reps_by_side: Mapping[str, int] | None = None

    @property
    def title(self) -> str:
        return get_exercise(self.exercise).title

    @property
    def heading(self) -> str:
        """The segment in words ("Squat 0:00–0:21: 4 reps", with the sides when the exercise has them):
        the table's heading row, and a sentence of the summary."""
        text = f"{self.title} {clock(self.start_s)}–{clock(self.end_s)}: {reps_words(self.reps)}"
        return f"{text} ({sides_words(self.reps_by_side)})" if self.reps_by_side is not None else text


def clock(t_s: float) -> str:
    """A time in the clip as a person reads it off a player: "1:05"."""
    whole = int(round(t_s))
    return f"{whole // 60}:{whole % 60:02d}"


def reps_words(n: int) -> str:
    return f"{n} rep{'s' if n != 1 else ''}"


def sides_words(by_side: Mapping[str, int] | None) -> str:
    by_side = by_side or {}
    return f"left {by_side.get('left', 0)}, right {by_side.get('right', 0)}"


def review_segments(report: ClipReport | None) -> tuple[ReviewSegment, ...]:
    """The report's segments in time order; none for an exercise chosen by hand (or nothing recognised)."""
    if report is None or not report.segments:
        return ()
    return tuple(
        ReviewSegment(
            exercise=str(s["exercise"]),
            start_s=float(s["start_s"]),
            end_s=float(s["end_s"]),
            reps=int(s["reps"]),
            reps_by_side=s.get("reps_by_side"),
        )
        for s in report.segments
    )


def segment_index_at(segments: Sequence[ReviewSegment], t_s: float) -> int | None:
    """Which segment ``t_s`` falls in (segments meet, so every moment has one); None without segments."""
    if not segments:
        return None
    index = 0
    for i, segment in enumerate(segments):
        if segment.start_s <= t_s:
            index = i
    return index


def recognition_doubt(report: ClipReport) -> str:
    """The sentence saying Auto could not tell the exercise; "" when it could (or it was chosen by hand).

    A routine split into several segments is not in doubt: each segment stands on a run of reps that
    fit its exercise, even when, over the whole recording, no exercise leads the others.
    """
    if report.recognition is None or len(review_segments(report)) > 1:
        return ""
    if report.segments and report.recognition.get("exercise"):
        return ""
    unsure = RECOGNITION_UNSURE[:1].upper() + RECOGNITION_UNSURE[1:]
    closest = get_exercise(report.exercise).title.lower()
    return f"{unsure}: counted as {closest}, the closest; choose the exercise to be sure."


def review_title(exercise_id: str, report: ClipReport | None = None) -> str:
    """What the clip is reviewed as: the exercise chosen, or with Auto what was recognised."""
    if exercise_id != AUTO:
        return get_exercise(exercise_id).title
    if report is None:
        return f"{AUTO_TITLE} (recognising the exercise)"
    if recognition_doubt(report):
        return f"{get_exercise(report.exercise).title}? ({RECOGNITION_UNSURE})"
    segments = review_segments(report)
    if len(segments) > 1:  # the exercises are on the timeline's bands; a list of them here would widen the page
        return f"{len(segments)} exercises (recognised)"
    return f"{segments[0].title} (recognised)"


def analysing_words(clip_name: str, exercise_id: str) -> str:
    """The summary line and the video's placeholder while a clip is analysed."""
    if exercise_id == AUTO:
        return f"Analysing {clip_name}: recognising the exercise …"
    return f"Analysing {clip_name} as {get_exercise(exercise_id).title.lower()} …"


def progress_words(exercise_id: str, report: ClipReport | None = None) -> str:
    """The progress bar's text: analysing (with Qt's %p%), then the count."""
    if exercise_id != AUTO:
        title = get_exercise(exercise_id).title
    else:
        segments = review_segments(report)
        title = segments[0].title if len(segments) == 1 else f"{len(segments)} exercises" if segments else AUTO_TITLE
    return f"{title}: analysing %p%" if report is None else f"{title}: {report.reps} reps"


class ExerciseTrack:
    """Which exercise the review shows at each moment: the one chosen by hand, throughout; with Auto,
    the exercise of the segment there (while analysing, the one leading so far). The plot draws its
    measure, the overlay its state, counting that segment's reps from its start.
    """

    def __init__(self, chosen: str, report: ClipReport | None = None, frames: Sequence[ReplayFrame] = ()) -> None:
        self.chosen = chosen
        self.report = report
        self.frames = frames  # the page's list: it grows while the clip is analysed
        self.segments = review_segments(report)
        # Each segment's checker state just before it started: the overlay counts the segment's own reps.
        self._bases: list[Any] = []
        times = [f.t_s for f in frames]
        for segment in self.segments:
            k = int(np.searchsorted(times, segment.start_s))
            self._bases.append(frames[k - 1].state_for(segment.exercise) if k > 0 else None)

    @property
    def auto(self) -> bool:
        return self.chosen == AUTO

    def exercise_at(self, t_s: float) -> str | None:
        """The exercise shown at ``t_s`` (None with Auto before any exercise leads)."""
        if not self.auto:
            return self.chosen
        index = segment_index_at(self.segments, t_s)
        if index is not None:
            return self.segments[index].exercise
        if self.report is not None:
            return self.report.exercise
        state = self.frames[-1].state_for() if self.frames else None
        return getattr(state, "exercise", None)

    def frames_at(self, t_s: float) -> Sequence[ReplayFrame]:
        """The frames of the segment at ``t_s`` (all of them when there are no segments)."""
        index = segment_index_at(self.segments, t_s)
        if index is None:
            return self.frames
        segment = self.segments[index]
        last = index == len(self.segments) - 1
        return [f for f in self.frames if segment.start_s <= f.t_s and (last or f.t_s < segment.end_s)]

    def overlay(self, frame: ReplayFrame) -> np.ndarray:
        """The frame as the review shows it: skeleton and the shown exercise's overlay."""
        exercise = self.exercise_at(frame.t_s)
        if not self.auto or exercise is None:
            return frame.annotated_bgr(exercise_caption(exercise) if exercise else "angle")
        state = frame.state_for(exercise)
        index = segment_index_at(self.segments, frame.t_s)
        if index is not None:
            state = counted_since(state, self._bases[index])
        return frame.annotated_bgr(exercise_caption(exercise), state, get_exercise(exercise).title)

    def series(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The plot's lines per frame: time, the shown exercise's measure, its target and start lines.

        Where the exercise shown changes (a segment's edge) the lines break: two measures never join.
        """
        rows: list[tuple[float, float, float, float]] = []
        before: str | None = None
        for n, frame in enumerate(self.frames):
            exercise = self.exercise_at(frame.t_s) if self.auto else None
            if n and exercise != before:
                rows.append((frame.t_s, float("nan"), float("nan"), float("nan")))
            before = exercise
            rows.append((frame.t_s, frame.angle_for(exercise), *frame.band_for(exercise)))
        table = np.array(rows, dtype=float).reshape(-1, 4)
        return table[:, 0], table[:, 1], table[:, 2], table[:, 3]


def counted_since(state: Any, base: Any) -> Any:
    """``state`` with only the reps counted after ``base`` (a segment's own count); unchanged without a base."""
    if state is None or base is None:
        return state
    sides = state.reps_by_side
    if sides is not None:
        sides = {side: n - (base.reps_by_side or {}).get(side, 0) for side, n in sides.items()}
    return dataclasses.replace(state, reps=state.reps - base.reps, reps_by_side=sides)
