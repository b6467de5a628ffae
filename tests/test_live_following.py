"""Auto in a live session, without Qt (app/live/following.py): the exercise is named from the movement with
every rep counted from the first, the person is followed to the next exercise (the segments' rule), N chooses,
and a movement no candidate can see is said to be unsure, never guessed.

Expected exercises and counts come from the generated clips' truth JSON (run through the pose model as the
live window runs them: one estimator over the whole stream) and from how the synthetic sessions are made.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from app.live.following import Chosen, Following, FollowStep, MovedOn, Recognised, Unsure
from app.live.session import SessionLog
from exercises.events import FaultRaised, HoldBroken, HoldReached, RepCompleted, RepRecord
from exercises.registry import get_exercise
from pose.estimator import PoseEstimator
from pose.filtering import PoseFilter
from pose.sources import file_frames
from tests.conftest import sample_truth
from tests.synthetic_skeleton import Scenario, generate

FIRST, THEN = "glute_bridge_continuous", "squat_side_jump"  # four bridges, then five squats after a set-up
ONE = "standing_hip_flexion_tempo"  # seven leg lifts, left and right, the first already under way
# Seven leg lifts, then six squats: the hip flexion checker also counts the squats' knee lifts.
LIFTS, SQUATS = ONE, "squat_side_continuous"


def _poses(*stems: str) -> list:
    """The clips one after the other as the live window sees them: one pose model over the whole stream,
    the camera's clock running on from one clip to the next."""
    frames, offset_ms = [], 0.0
    with PoseEstimator("lite") as estimator:
        for stem in stems:
            last_ms = 0.0
            for vf in file_frames(sample_truth(stem)["path"]):
                t_ms = vf.timestamp_ms + offset_ms
                frames.append(estimator.detect(vf.image_bgr, t_ms, vf.image_rgb))
                last_ms = t_ms
            offset_ms = last_ms + 1000.0 / 30.0
    return frames


@pytest.fixture(scope="module")
def two_clips() -> list:
    return _poses(FIRST, THEN)


def _follow(frames, following: Following | None = None, at=None) -> tuple[Following, list[FollowStep]]:
    """Feed the frames (filtered as live); ``at(k, following)`` may act before frame k (a key press)."""
    following = following or Following()
    pose_filter, steps = PoseFilter(), []
    for k, frame in enumerate(frames):
        if at is not None:
            at(k, following)
        steps.append(following.update(pose_filter.apply(frame)))
    last = following.finish()
    if last is not None:
        steps.append(last)
    return following, steps


def _sets(steps: list[FollowStep]) -> list[tuple[str, int, dict | None]]:
    """Each set's exercise and its count when it ended (the last step before the next set began)."""
    sets: list[tuple[str, int, dict | None]] = []
    for step in steps:
        if step.exercise is None:
            continue
        if any(isinstance(n, (Recognised, MovedOn, Chosen)) for n in step.news) or not sets:
            sets.append((step.exercise, 0, None))
        sets[-1] = (step.exercise, step.state.reps, step.state.reps_by_side)
    return sets


def _news(steps: list[FollowStep]) -> list:
    return [n for s in steps for n in s.news]


def _logs(steps: list[FollowStep]) -> list[SessionLog]:
    """Each set's SessionLog as the live page keeps it: fed the set's steps, the set moved on from gives back
    the reps begun where the next one began."""
    logs: list[SessionLog] = []
    for step in steps:
        for news in step.news:
            if isinstance(news, MovedOn):
                logs[-1].give_back(news.kept_reps + 1)
            if isinstance(news, (Recognised, MovedOn, Chosen)):
                defn = get_exercise(news.exercise)
                logs.append(SessionLog(defn.id, defn.title, defn.unilateral, None))
        if logs:
            logs[-1].add(SimpleNamespace(events=step.caught_up, state=None), step.state.t_s)
            logs[-1].add(step, step.state.t_s)
    return logs


def test_two_clips_in_a_row_are_two_sets_each_with_its_truths_count(two_clips):
    first, then = sample_truth(FIRST), sample_truth(THEN)
    _following, steps = _follow(two_clips)
    assert [(ex, reps) for ex, reps, _ in _sets(steps)] == [
        (first["exercise"], first["reps"]),
        (then["exercise"], then["reps"]),
    ]
    news = _news(steps)
    assert [type(n) for n in news] == [Recognised, MovedOn]
    moved = news[1]
    assert (moved.previous, moved.exercise) == (first["exercise"], then["exercise"])
    # The new set starts between the two sets: after the last bridge, before the first squat.
    switch_s = first["duration_s"]
    last_bridge_end = first["reps_detail"][-1]["end_s"]
    first_squat = switch_s + then["reps_detail"][0]["start_s"]
    assert last_bridge_end - 0.5 <= moved.start_s <= first_squat + 0.5
    # The squats done before it was sure (two, by the segments' rule) were handed over, numbered from 1.
    caught = next(s.caught_up for s in steps if moved in s.news)
    assert [e.reps for e in caught if isinstance(e, RepCompleted)] == [1, 2]


def test_the_set_moved_on_from_gives_back_the_next_exercises_first_movements():
    lifts, squats = sample_truth(LIFTS), sample_truth(SQUATS)
    _following, steps = _follow(_poses(LIFTS, SQUATS))
    moved = next(n for n in _news(steps) if isinstance(n, MovedOn))
    assert (moved.previous, moved.exercise) == (lifts["exercise"], squats["exercise"])
    # The case at hand: the leg-lift checker counted a squat's knee lift as a lift of its own.
    before = [s for s in steps if s.exercise == lifts["exercise"]][-1]  # its last step before the change
    assert before.state.reps > lifts["reps"]
    assert moved.kept_reps == lifts["reps"] and moved.given_back == before.state.reps - lifts["reps"]
    ended, then = _logs(steps)
    assert (ended.exercise_id, ended.reps, ended.reps_by_side) == (
        lifts["exercise"],
        lifts["reps"],
        lifts["reps_by_side"],
    )
    assert f"Reps: left {lifts['reps_by_side']['left']}, right {lifts['reps_by_side']['right']}" in (
        ended.summary_lines()
    )
    assert (then.exercise_id, then.reps) == (squats["exercise"], squats["reps"])


def test_a_session_log_gives_back_reps_with_their_holds_and_faults():
    # Four lifts, left and right; the third held, the fourth's hold broken; faults on the second and fourth,
    # and one on a fifth lift that never finished.
    log = SessionLog("straight_leg_raise", "Straight leg raise", True, 5)
    by_side = {"left": 0, "right": 0}
    for n, side in enumerate(["left", "right", "left", "right"], start=1):
        by_side[side] += 1
        record = RepRecord(n, side, 2.0 * n, 2.0 * n + 1.5, 30.0, None, [])
        events: list = [RepCompleted(record.end_s, n, side, n, dict(by_side), record)]
        if n == 3:
            events.append(HoldReached(record.end_s, n, 5.0))
        if n == 4:
            events.append(HoldBroken(record.end_s, n, 2.0, 5.0))
        if n in (2, 4):
            events.append(FaultRaised(record.end_s, "knee_bent", n, "Straight knee"))
        log.add(SimpleNamespace(events=events, state=None), record.end_s)
    log.add(SimpleNamespace(events=[FaultRaised(11.0, "too_fast", 5, "Slowly")], state=None), 11.0)
    assert log.give_back(3) == 2
    assert (log.reps, log.reps_by_side) == (2, {"left": 1, "right": 1})
    assert (log.holds_reached, log.holds_short, dict(log.faults)) == (0, 0, {"knee_bent": 1})
    assert log.give_back(3) == 0 and log.reps == 2  # given back once


def test_a_clip_is_named_and_each_rep_is_counted_once_from_the_first():
    truth = sample_truth(ONE)
    following, steps = _follow(_poses(ONE))
    assert following.exercise == truth["exercise"] and following.sets == [(truth["exercise"], 0.0)]
    named = next(k for k, s in enumerate(steps) if s.news)
    assert isinstance(steps[named].news[0], Recognised)
    # Before it was named nothing belonged to a set; then the reps so far were handed over, and the rest
    # came one by one: every rep numbered once, 1 to the truth's count, sides adding up.
    assert all(not s.events and not s.caught_up for s in steps[:named])
    counted = [e for s in steps[named:] for e in (*s.caught_up, *s.events) if isinstance(e, RepCompleted)]
    assert [e.reps for e in counted] == list(range(1, truth["reps"] + 1))
    assert [e.record.index for e in counted] == list(range(1, truth["reps"] + 1))
    assert sum(steps[-1].state.reps_by_side.values()) == truth["reps"] == steps[-1].state.reps
    assert len(steps[named].caught_up) >= 2  # it decided after reps, and none of them was lost


def test_the_next_exercise_counts_from_one_with_its_own_sides():
    # Five squats, then six standing hip flexions (three a side), as tests/test_recognition.py builds them.
    first = Scenario("squat", reps=5, noise_px=2.0, seed=1)
    second = Scenario("standing_hip_flexion", reps=6, idle_s=1.0, noise_px=2.0, seed=2)
    a = generate(first)
    switch_ms = a[-1].timestamp_ms + 1000.0 / first.fps
    frames = a + [dataclasses.replace(f, timestamp_ms=f.timestamp_ms + switch_ms) for f in generate(second)]
    following, steps = _follow(frames)
    assert _sets(steps) == [("squat", 5, None), ("standing_hip_flexion", 6, {"left": 3, "right": 3})]
    after = [e for s in steps if s.exercise == "standing_hip_flexion" for e in (*s.caught_up, *s.events)]
    assert [e.reps for e in after if isinstance(e, RepCompleted)] == list(range(1, 7))
    assert [name for name, _start in following.sets] == ["squat", "standing_hip_flexion"]


def test_a_movement_the_camera_cannot_see_is_unsure_never_guessed():
    # A straight-leg raise filmed from the feet: the lift goes along the camera's line of sight.
    frames = generate(Scenario("straight_leg_raise", reps=5, view="feet", noise_px=2.0, seed=3))
    following, steps = _follow(frames)
    news = _news(steps)
    assert [type(n) for n in news] == [Unsure]  # said once
    assert following.exercise is None and all(s.exercise is None for s in steps)
    assert all(not s.events and not s.caught_up for s in steps)  # nothing kept under a guessed name


def test_n_takes_the_leader_first_then_goes_round_and_the_choice_keeps_every_rep():
    sc = Scenario("squat", reps=5, noise_px=2.0, seed=4)
    frames = generate(sc)
    presses = {}

    def press(k, following):
        # N as soon as a candidate leads (not yet sure), then, a second later, once round all the candidates.
        if "first" not in presses and max(following.recogniser.evidence().values()) > 0:
            presses["first"] = k
            following.choose_next()
        elif "first" in presses and "round" not in presses and k >= presses["first"] + 30:
            presses["round"] = k
            for _ in range(len(following.recogniser.checkers)):
                following.choose_next()

    _following, steps = _follow(frames, at=press)
    chosen = [n for n in _news(steps) if isinstance(n, Chosen)]
    assert chosen[0].exercise == "squat" and chosen[0].previous is None  # the leader first
    assert len(chosen) == 2 and chosen[1] == Chosen("squat", "squat", chosen[1].t_s)  # round once: the same
    assert not any(isinstance(n, Recognised) for n in _news(steps))  # the person's word stands
    assert steps[-1].exercise == "squat" and steps[-1].state.reps == sc.expected_reps


def test_each_candidate_is_counted_with_the_persons_own_definition():
    own = {ex: dataclasses.replace(get_exercise(ex), target_reps=3) for ex in Following().recogniser.checkers}
    following, _steps = _follow(generate(Scenario("squat", reps=4, noise_px=2.0, seed=5)), Following(own.get))
    assert following.exercise == "squat" and following.definition is own["squat"]
    with pytest.raises(ValueError, match="squat"):
        Following(lambda ex: get_exercise("squat"))
    with pytest.raises(ValueError, match="candidates"):
        following.choose("glute_squeeze")  # never followed: a camera cannot see it


def test_the_end_names_a_run_with_one_rep_that_fits():
    # One squat: not enough while it runs (about two reps are), enough once the recording has ended.
    frames = generate(Scenario("squat", reps=1, noise_px=2.0, seed=6))
    following = Following()
    pose_filter = PoseFilter()
    assert all(following.update(pose_filter.apply(f)).exercise is None for f in frames)
    last = following.finish()
    assert last is not None and last.exercise == "squat" and isinstance(last.news[0], Recognised)
    assert [e.reps for e in last.caught_up if isinstance(e, RepCompleted)] == [1]
