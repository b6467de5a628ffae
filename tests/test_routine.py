"""The daily routine: the article's order and targets, settings round trip, the first-week ramp, the runner."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from app.coach import plan
from app.coach.routine import (
    DEFAULT_ROUTINE,
    USUAL_START_REPS,
    RoutineItem,
    RoutineRunner,
    ramp,
    routine_from_settings,
    routine_to_settings,
)
from app.coach.safety import apply_pain_easing
from exercises.registry import EXERCISE_IDS, get_exercise


def test_default_routine_is_the_articles_daily_routine_in_order():
    # The article: squeezes (up to 30), bridges (up to 30), bridge march (15 per foot), straight-leg
    # raises, leg slides, prone leg lifts, standing front and back raises, squats.
    assert [i.exercise for i in DEFAULT_ROUTINE] == [
        "glute_squeeze",
        "glute_bridge",
        "bridge_march",
        "straight_leg_raise",
        "hip_abduction",
        "prone_hip_extension",
        "standing_hip_flexion",
        "standing_hip_extension",
        "squat",
    ]
    targets = {i.exercise: i.target_reps for i in DEFAULT_ROUTINE}
    assert (targets["glute_squeeze"], targets["glute_bridge"], targets["bridge_march"]) == (30, 30, 15)
    assert all(i.enabled and i.sets >= 1 and i.target_reps >= 1 for i in DEFAULT_ROUTINE)
    # Holds come from the definitions (5 s), the routine does not change them.
    for ex in ("glute_squeeze", "glute_bridge", "prone_hip_extension"):
        assert get_exercise(ex).hold_target_s == 5.0


def test_no_stored_routine_gives_the_default():
    assert routine_from_settings({}) == DEFAULT_ROUTINE
    assert routine_from_settings({"strictness": "gentle"}) == DEFAULT_ROUTINE


def test_settings_round_trip_keeps_edits_order_and_other_keys():
    edited = (
        RoutineItem("squat", 12, sets=2, rest_s=45),
        RoutineItem("glute_bridge", 8, sets=3, rest_s=5, enabled=False),
        RoutineItem("bridge_march", 15),
    )
    settings = routine_to_settings(edited, {"strictness": "strict", "overrides": {"squat": {"target_reps": 4}}})
    assert settings["strictness"] == "strict" and settings["overrides"] == {"squat": {"target_reps": 4}}
    assert routine_from_settings(settings) == edited


def test_routine_to_settings_does_not_change_its_input():
    original = {"routine": [], "x": {"y": 1}}
    routine_to_settings(DEFAULT_ROUTINE, original)
    assert original == {"routine": [], "x": {"y": 1}}


def test_unknown_ids_are_dropped_with_a_warning(caplog):
    settings = {
        "routine": [
            {"exercise": "glute_bridge", "target_reps": 10},
            {"exercise": "handstand", "target_reps": 5},
            "not a dict",
            {"exercise": "glute_bridge", "target_reps": 99},  # a second entry for the same exercise
            {"exercise": "squat", "target_reps": 6},
        ]
    }
    with caplog.at_level(logging.WARNING, logger="app.coach.routine"):
        items = routine_from_settings(settings)
    assert [(i.exercise, i.target_reps) for i in items] == [("glute_bridge", 10), ("squat", 6)]
    assert "handstand" in caplog.text


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"target_reps": 0, "sets": 0, "rest_s": -5}, (1, 1, 0)),
        ({"target_reps": 500, "sets": 50, "rest_s": 5000}, (100, 10, 600)),
        ({"target_reps": 7.6, "sets": 2.2, "rest_s": 12.5}, (8, 2, 12)),
        ({"target_reps": "ten", "sets": None, "rest_s": float("nan")}, (30, 1, 30)),  # the article's defaults
        ({"target_reps": True}, (30, 1, 30)),  # a bool is not a count
        ({}, (30, 1, 30)),
    ],
)
def test_bad_numbers_are_clamped_or_replaced(entry, expected):
    (item,) = routine_from_settings({"routine": [{"exercise": "glute_bridge", **entry}]})
    assert (item.target_reps, item.sets, item.rest_s) == expected


# ----------------------------------------------------------------------------- ramp


# The rule (ramp's docstring): days 1-2 a third, 3-4 half, 5-7 two thirds, day 8 on the full
# target; nearest whole rep, halves up; never below 3 unless the target is lower.
@pytest.mark.parametrize(
    ("day", "target", "expected"),
    [
        (1, 30, 10),
        (2, 30, 10),
        (3, 30, 15),
        (4, 30, 15),
        (5, 30, 20),
        (7, 30, 20),
        (8, 30, 30),
        (40, 30, 30),
        (1, 15, 5),
        (3, 15, 8),
        (5, 15, 10),
        (8, 15, 15),  # 7.5 -> 8 (halves up)
        (1, 10, 3),
        (3, 10, 5),
        (5, 10, 7),
        (8, 10, 10),  # 3.33 -> 3, 6.67 -> 7
        (1, 4, 3),
        (3, 4, 3),  # the minimum of 3 ...
        (1, 2, 2),
        (1, 1, 1),  # ... but never more than the target
    ],
)
def test_first_week_ramp(day, target, expected):
    (item,) = ramp((RoutineItem("glute_bridge", target, sets=2, rest_s=20),), day)
    assert item.target_reps == expected
    assert (item.sets, item.rest_s, item.enabled) == (2, 20, True)  # only the target changes


def test_ramp_keeps_order_and_what_is_switched_off():
    items = (RoutineItem("squat", 9, enabled=False), RoutineItem("glute_squeeze", 30))
    assert ramp(items, 1) == (RoutineItem("squat", 3, enabled=False), RoutineItem("glute_squeeze", 10))


@pytest.mark.parametrize("day", [0, -3, 1.5, None, True])
def test_ramp_rejects_a_day_before_the_first(day):
    with pytest.raises(ValueError, match="programme_day"):
        ramp(DEFAULT_ROUTINE, day)


# ----------------------------------------------------------------------------- runner

TWO = (
    RoutineItem("glute_squeeze", 10, rest_s=30),
    RoutineItem("glute_bridge", 8, sets=2, rest_s=15),
    RoutineItem("straight_leg_raise", 5, enabled=False),
    RoutineItem("squat", 6, rest_s=20),
)


def walk(runner: RoutineRunner) -> list[tuple[str, str | None, int | None]]:
    return [(runner.phase, runner.current.exercise if runner.current else None, runner.set_no)]


def test_runner_goes_exercise_rest_exercise_over_enabled_items_and_sets():
    r = RoutineRunner(TWO)
    seen = walk(r)
    while r.phase != "done":
        r.advance()
        seen += walk(r)
    assert seen == [
        ("exercise", "glute_squeeze", 1),
        ("rest", "glute_bridge", 1),
        ("exercise", "glute_bridge", 1),
        ("rest", "glute_bridge", 2),
        ("exercise", "glute_bridge", 2),
        ("rest", "squat", 1),
        ("exercise", "squat", 1),
        ("done", None, None),
    ]
    assert [(s.exercise, s.set_no, s.outcome) for s in r.results] == [
        ("glute_squeeze", 1, "done"),
        ("glute_bridge", 1, "done"),
        ("glute_bridge", 2, "done"),
        ("squat", 1, "done"),
    ]
    r.advance()
    assert r.phase == "done"  # done stays done


def test_rest_length_is_the_finished_items_rest_and_time_is_passed_in():
    r = RoutineRunner(TWO)
    r.advance(now_s=100.0)
    assert (r.phase, r.rest_s) == ("rest", 30)
    assert r.rest_left(110.0) == pytest.approx(20.0)
    assert r.tick(129.9) == "rest"
    assert r.tick(130.0) == "exercise" and r.current.exercise == "glute_bridge"
    r.advance()  # the countdown starts when the GUI first asks, if no time was given
    assert r.rest_s == 15
    assert r.rest_left(500.0) == 15.0 and r.rest_left(510.0) == pytest.approx(5.0)


def test_no_rest_when_rest_is_zero():
    r = RoutineRunner((RoutineItem("squat", 5, rest_s=0), RoutineItem("glute_bridge", 5)))
    assert r.advance() == "exercise" and r.current.exercise == "glute_bridge"


def test_skip_drops_the_exercise_and_all_its_sets():
    r = RoutineRunner(TWO)
    r.advance()
    r.advance()  # now glute_bridge set 1
    r.skip()
    assert (r.phase, r.current.exercise) == ("rest", "squat")
    assert r.rest_s == 10  # a short pause to get into position, not a full rest
    assert [(s.exercise, s.set_no, s.outcome) for s in r.results][1:] == [
        ("glute_bridge", 1, "skipped"),
        ("glute_bridge", 2, "skipped"),
    ]


def test_skip_while_resting_drops_the_exercise_coming_next():
    r = RoutineRunner(TWO)
    r.advance()  # rest before glute_bridge
    r.skip()
    assert r.phase == "rest" and r.current.exercise == "squat"
    r.skip()
    assert r.phase == "done"


def test_stop_for_pain_ends_the_exercise_records_it_and_moves_on():
    r = RoutineRunner(TWO)
    r.advance()
    r.advance()
    r.stop_for_pain()
    assert (r.phase, r.current.exercise, r.rest_s) == ("rest", "squat", 15)  # a full rest after pain
    assert r.stopped_for_pain == ("glute_bridge",)
    assert [s.outcome for s in r.results if s.exercise == "glute_bridge"] == ["pain", "pain"]
    assert "pain" in r.transition_text()
    r.advance()
    r.stop_for_pain()
    assert r.phase == "done" and r.stopped_for_pain == ("glute_bridge", "squat")
    assert "Rest now" in r.transition_text()


def test_an_empty_or_all_disabled_routine_is_done_at_once():
    assert RoutineRunner(()).phase == "done"
    assert RoutineRunner((replace(DEFAULT_ROUTINE[0], enabled=False),)).phase == "done"


def test_transition_texts_use_titles_setup_cues_and_rest():
    r = RoutineRunner(TWO)
    first = r.transition_text()
    assert first.startswith("First: Glute squeeze")
    assert get_exercise("glute_squeeze").cues.setup in first
    r.advance()
    text = r.transition_text()
    assert text.startswith("Well done. Rest for 30 seconds. Next: Glute bridge, 8 times")
    assert get_exercise("glute_bridge").cues.setup in text
    assert "Rest a few seconds between lifts" in text  # the article's bridges
    r.advance()
    assert r.transition_text().startswith("Now: Glute bridge")
    r.advance()
    assert "Next: set 2 of 2" in r.transition_text()
    r.advance()
    r.advance()
    assert "Rest for 15 seconds" in r.transition_text()  # the rest after the bridge
    assert "Warm up" in r.transition_text()  # squats come after a warm-up
    r.advance()
    r.advance()
    assert r.transition_text() == "That's the routine done. Well done!"


def test_unilateral_targets_are_said_per_leg():
    r = RoutineRunner((RoutineItem("bridge_march", 15),))
    assert "15 with each leg" in r.transition_text()


def test_every_default_exercise_has_a_title_and_setup_to_say():
    r = RoutineRunner(DEFAULT_ROUTINE)
    while r.phase != "done":
        text = r.transition_text()
        assert get_exercise(r.current.exercise).title in text
        assert all(len(s) < 120 for s in text.split(". "))  # short spoken sentences
        r.advance()
        r.advance()


def test_runner_rejects_unknown_exercises():
    with pytest.raises(ValueError, match="expected one of"):
        RoutineRunner((RoutineItem("handstand", 3),))


def test_default_routine_covers_every_exercise():
    assert sorted(i.exercise for i in DEFAULT_ROUTINE) == sorted(EXERCISE_IDS)


# ----------------------------------------------------------------------------- one home for targets and policy


def test_default_targets_are_the_exercise_definitions_own():
    """The article's numbers live in the definitions; the routine reads them (10 where it gives none)."""
    for item in DEFAULT_ROUTINE:
        assert item.target_reps == (get_exercise(item.exercise).target_reps or USUAL_START_REPS)


def test_programme_day_counts_calendar_days_from_the_first_session():
    assert plan.programme_day(None, date(2026, 11, 10)) == 1  # nothing done yet
    assert plan.programme_day(date(2026, 11, 10), date(2026, 11, 10)) == 1
    assert plan.programme_day(date(2026, 11, 7), date(2026, 11, 10)) == 4
    assert plan.programme_day(date(2026, 11, 12), date(2026, 11, 10)) == 1  # a clock set back: never before day 1


def test_todays_routine_takes_a_physiotherapists_target_then_the_ramp():
    settings = {"overrides": {"glute_bridge": {"target_reps": 12}, "squat": "not a dict"}}
    day1 = {i.exercise: i.target_reps for i in plan.todays_routine(settings, 1)}
    assert day1["glute_bridge"] == 4 and day1["glute_squeeze"] == 10  # 12 / 3 and 30 / 3
    full = {i.exercise: i.target_reps for i in plan.todays_routine(settings, 8)}
    assert full["glute_bridge"] == 12 and full["squat"] == 10
    assert plan.todays_routine({"overrides": ["damaged"]}, 8) == DEFAULT_ROUTINE


def test_exercise_definition_uses_todays_target_the_running_item_and_survives_bad_overrides(caplog):
    settings = {"strictness": "gentle", "overrides": {"squat": {"target_reps": 12}}}
    assert plan.exercise_definition("squat", settings, 3).target_reps == 6  # 12 / 2 on day 3
    running = RoutineItem("squat", target_reps=2)
    assert plan.exercise_definition("squat", settings, 3, current=running).target_reps == 2
    with caplog.at_level(logging.WARNING):
        fallback = plan.exercise_definition("squat", {"overrides": {"squat": {"hold_target_s": -5}}}, 8)
    assert fallback == get_exercise("squat") and "personalising squat failed" in caplog.text


def test_pain_eases_each_exercise_once():
    """A pain rise eases the session's exercises, except one already eased when sharp pain stopped it."""
    once = plan.eased_after_pain({}, ["squat", "glute_bridge"], already_eased=["squat"])
    targets = {i.exercise: i.target_reps for i in routine_from_settings(once)}
    assert targets["glute_bridge"] == routine_from_settings(apply_pain_easing({}, "glute_bridge"))[1].target_reps
    assert targets["glute_bridge"] < 30 and targets["squat"] == 10
    assert set(once["pain_easing"]) == {"glute_bridge"}


def test_an_after_score_counts_as_the_next_before_for_ten_minutes():
    assert plan.pain_before_again(None, 100.0) is None
    assert plan.pain_before_again((3, 100.0), 100.0 + plan.RECENT_PAIN_S) == 3
    assert plan.pain_before_again((3, 100.0), 100.0 + plan.RECENT_PAIN_S + 1) is None
