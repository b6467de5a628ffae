"""Safety rules from the article: screening, the pain stop rule and easing off (table-driven)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.coach.routine import RoutineItem, routine_from_settings, routine_to_settings
from app.coach.safety import (
    SCREENING_QUESTIONS,
    apply_pain_easing,
    pain_decision,
    screening_advice,
    screening_due,
)

NOW = datetime(2026, 11, 20, 9, 0, 0)


def test_the_six_warning_signs_of_the_article():
    ids = [qid for qid, _ in SCREENING_QUESTIONS]
    assert len(ids) == 6 and len(set(ids)) == 6
    text = " ".join(q.lower() for _, q in SCREENING_QUESTIONS)
    for words in ("very severe", "weeks", "rested", "day by day", "fever", "losing weight", "lean forward"):
        assert words in text
    assert all(q.endswith("?") for _, q in SCREENING_QUESTIONS)


@pytest.mark.parametrize(
    ("last", "now", "due"),
    [
        (None, NOW, True),  # the first time
        (NOW, NOW, False),
        (NOW - timedelta(days=1), NOW, False),
        (NOW - timedelta(days=6, hours=23, minutes=59), NOW, False),
        (NOW - timedelta(days=7), NOW, True),  # weekly
        (NOW - timedelta(days=30), NOW, True),
        (NOW + timedelta(days=2), NOW, True),  # a clock put back: ask again
        (NOW.replace(tzinfo=timezone.utc) - timedelta(days=2), NOW, False),  # aware vs naive
        (NOW.replace(tzinfo=timezone.utc) - timedelta(days=8), NOW.replace(tzinfo=timezone.utc), True),
    ],
)
def test_screening_due(last, now, due):
    assert screening_due(last, now) is due


ALL_NO = {qid: False for qid, _ in SCREENING_QUESTIONS}


@pytest.mark.parametrize(
    ("yes", "named"),
    [
        (("fever",), ["fever"]),
        (("severe_pain",), ["very severe pain"]),
        (("pain_for_weeks",), ["pain lasting weeks despite rest"]),
        (("worse_each_day",), ["worse day by day"]),
        (("weight_loss",), ["weight loss"]),
        (("lean_forward",), ["lean forward to move"]),
        (("fever", "weight_loss"), ["fever", "weight loss"]),
        (tuple(qid for qid, _ in SCREENING_QUESTIONS), ["fever", "very severe pain"]),
    ],
)
def test_any_yes_gives_plain_doctor_advice(yes, named):
    advice = screening_advice({**ALL_NO, **{qid: True for qid in yes}})
    assert advice is not None
    assert "see a doctor without delay" in advice
    assert "Do not do these exercises until a doctor" in advice
    for words in named:
        assert words in advice


@pytest.mark.parametrize("answers", [ALL_NO, {}, {"fever": False}])
def test_all_no_gives_no_advice(answers):
    assert screening_advice(answers) is None


def test_screening_rejects_unknown_questions():
    with pytest.raises(ValueError, match="unknown screening question 'headache'"):
        screening_advice({"headache": True})


# ----------------------------------------------------------------------------- pain


@pytest.mark.parametrize(
    ("before", "now", "sharp", "stop", "easier", "says"),
    [
        (3, 5, False, True, True, "went up from 3 to 5"),  # a rise of 2 stops
        (0, 9, False, True, True, "see a doctor"),  # a big rise, very severe now
        (2, 10, False, True, True, "Stop this exercise"),
        (3, 4, False, False, False, "Ease off"),  # a rise of 1: ease off
        (3, 3, False, False, False, "not gone up"),
        (6, 2, False, False, False, "not gone up"),
        (0, 0, False, False, False, "Well done"),
        (4, 4, True, True, True, "sharp pain"),  # sharp pain stops whatever the scores
        (None, None, True, True, True, "sharp pain"),
        (None, 7, False, False, False, "ease off"),  # no score before: only sharp stops
        (5, None, False, False, False, "ease off"),
        (8, 8, False, False, False, "see a doctor"),  # very severe, not rising: advise
    ],
)
def test_pain_decision(before, now, sharp, stop, easier, says):
    d = pain_decision(before, now, sharp=sharp)
    assert (d.stop, d.easier_next_time) == (stop, easier)
    assert says.lower() in d.message.lower()


@pytest.mark.parametrize(
    ("before", "now", "bad"),
    [
        (-1, 3, "'before'"),
        (3, 11, "'now'"),
        (2.5, 3, "'before'"),
        (True, 3, "'before'"),
        (3, "5", "'now'"),
        (3, float("nan"), "'now'"),
    ],
)
def test_pain_scores_out_of_range_are_clear_errors(before, now, bad):
    with pytest.raises(ValueError, match=f"pain score {bad} must be a whole number from 0 to 10"):
        pain_decision(before, now)


def test_whole_floats_are_accepted_as_scores():
    assert pain_decision(3.0, 5.0).stop


# ----------------------------------------------------------------------------- easing


@pytest.mark.parametrize(
    ("target", "eased"),
    [(30, 20), (15, 10), (10, 7), (6, 4), (5, 3), (4, 3), (3, 3), (2, 2), (1, 1)],
)
def test_pain_easing_lowers_the_target_by_a_third_not_below_three(target, eased):
    settings = routine_to_settings((RoutineItem("glute_bridge", target), RoutineItem("squat", 10)), {})
    out = apply_pain_easing(settings, "glute_bridge", now=NOW)
    items = {i.exercise: i for i in routine_from_settings(out)}
    assert items["glute_bridge"].target_reps == eased
    assert items["squat"].target_reps == 10  # the others stay
    record = out["pain_easing"]["glute_bridge"]
    assert record == {
        "at": "2026-11-20T09:00:00",
        "reason": "pain",
        "target_reps_before": target,
        "target_reps_after": eased,
    }


def test_pain_easing_without_a_stored_routine_starts_from_the_article_and_keeps_settings():
    settings = {"strictness": "gentle"}
    out = apply_pain_easing(settings, "bridge_march", now=NOW, reason="sharp")
    assert settings == {"strictness": "gentle"}  # the input is not changed
    assert out["strictness"] == "gentle"
    march = next(i for i in routine_from_settings(out) if i.exercise == "bridge_march")
    assert march.target_reps == 10  # 15 per foot -> 10
    assert out["pain_easing"]["bridge_march"]["reason"] == "sharp"


def test_pain_easing_twice_keeps_going_down_and_records_the_latest():
    s = apply_pain_easing({}, "glute_squeeze", now=NOW)
    s = apply_pain_easing(s, "glute_squeeze", now=NOW + timedelta(days=1))
    squeeze = next(i for i in routine_from_settings(s) if i.exercise == "glute_squeeze")
    assert squeeze.target_reps == 13  # 30 -> 20 -> 13.3
    assert s["pain_easing"]["glute_squeeze"]["at"] == "2026-11-21T09:00:00"


def test_pain_easing_lowers_a_physiotherapists_target_override_too():
    s = {"overrides": {"squat": {"target_reps": 12, "limits": {"shallow": 40.0}}}}
    out = apply_pain_easing(s, "squat", now=NOW)
    assert out["overrides"]["squat"] == {"target_reps": 8, "limits": {"shallow": 40.0}}
    assert out["pain_easing"]["squat"]["override_target_reps_before"] == 12


def test_pain_easing_adds_a_missing_exercise_switched_off():
    s = routine_to_settings((RoutineItem("squat", 10),), {})
    out = apply_pain_easing(s, "glute_bridge", now=NOW)
    items = routine_from_settings(out)
    assert [(i.exercise, i.target_reps, i.enabled) for i in items] == [("squat", 10, True), ("glute_bridge", 20, False)]


def test_pain_easing_rejects_unknown_exercises():
    with pytest.raises(ValueError, match="expected one of"):
        apply_pain_easing({}, "handstand")


# ---------------------------------------------------------------------------- the hold after a "yes"
# Issue 14: a "yes" stops exercise until the person confirms, on a later day, that a doctor has seen
# them or that the sign has gone; then the questions are asked afresh. Times are local wall clocks.

from app.coach.safety import (  # noqa: E402
    CLEAR_REASONS,
    Clearance,
    Hold,
    ScreeningRecord,
    blocking_signs,
    can_clear,
    hold_message,
    records_from_history,
    safety_state,
)

DAY0 = datetime(2026, 11, 20, 18, 0, 0)


def yes(*signs: str, at: datetime = DAY0, covered: tuple[str, ...] = ()) -> ScreeningRecord:
    answers = {**ALL_NO, **{s: True for s in signs}}
    return ScreeningRecord(at, answers, tuple(s for s in signs if s not in covered))


def cleared(reason: str, *signs: str, at: datetime) -> Clearance:
    return Clearance(at, reason, signs)


@pytest.mark.parametrize(
    ("records", "now", "hold_signs", "due", "covered"),
    [
        ([], DAY0, None, True, set()),  # never answered
        ([yes()], DAY0 + timedelta(days=1), None, False, set()),  # all no: weekly
        ([yes()], DAY0 + timedelta(days=7), None, True, set()),
        ([yes("fever")], DAY0 + timedelta(minutes=5), ("fever",), False, set()),  # the bug: a yes holds
        ([yes("fever")], DAY0 + timedelta(days=8), ("fever",), False, set()),  # ... past the weekly clock
        ([yes("fever", "weight_loss")], DAY0, ("fever", "weight_loss"), False, set()),
        # A confirmation on the same day changes nothing (nobody saw a doctor in five minutes).
        (
            [yes("fever"), cleared("gone", "fever", at=DAY0 + timedelta(hours=5))],
            DAY0 + timedelta(hours=6),
            ("fever",),
            False,
            set(),
        ),
        # On a later day it lifts the hold, and the questions are due again at once.
        (
            [yes("fever"), cleared("gone", "fever", at=DAY0 + timedelta(hours=7))],  # 01:00 the next day
            DAY0 + timedelta(hours=7),
            None,
            True,
            set(),
        ),
        (
            [yes("fever"), cleared("doctor", "fever", at=DAY0 + timedelta(days=2))],
            DAY0 + timedelta(days=2),
            None,
            True,
            {"fever"},
        ),
        # Answered afresh: all no -> weekly; the doctor's cover ends for a sign answered no.
        (
            [yes("fever"), cleared("doctor", "fever", at=DAY0 + timedelta(days=2)), yes(at=DAY0 + timedelta(days=2))],
            DAY0 + timedelta(days=3),
            None,
            False,
            set(),
        ),
        # A sign the doctor saw, still there: covered, not a new hold.
        (
            [
                yes("pain_for_weeks"),
                cleared("doctor", "pain_for_weeks", at=DAY0 + timedelta(days=1)),
                yes("pain_for_weeks", at=DAY0 + timedelta(days=1), covered=("pain_for_weeks",)),
            ],
            DAY0 + timedelta(days=2),
            None,
            False,
            {"pain_for_weeks"},
        ),
        # ... but a new sign next to it holds again.
        (
            [
                yes("pain_for_weeks"),
                cleared("doctor", "pain_for_weeks", at=DAY0 + timedelta(days=1)),
                yes("pain_for_weeks", "fever", at=DAY0 + timedelta(days=1), covered=("pain_for_weeks",)),
            ],
            DAY0 + timedelta(days=2),
            ("fever",),
            False,
            {"pain_for_weeks"},
        ),
        # "It has gone" covers nothing: the sign back is a hold again.
        (
            [
                yes("fever"),
                cleared("gone", "fever", at=DAY0 + timedelta(days=1)),
                yes("fever", at=DAY0 + timedelta(days=1)),
            ],
            DAY0 + timedelta(days=2),
            ("fever",),
            False,
            set(),
        ),
        # A clearance with nothing on hold changes nothing: the weekly clock goes on.
        ([yes(), cleared("gone", at=DAY0 + timedelta(days=1))], DAY0 + timedelta(days=1), None, False, set()),
        # Order of the list does not matter: replayed by time.
        (
            [cleared("gone", "fever", at=DAY0 + timedelta(days=1)), yes("fever")],
            DAY0 + timedelta(days=1),
            None,
            True,
            set(),
        ),
    ],
)
def test_safety_state(records, now, hold_signs, due, covered):
    state = safety_state(records, now)
    assert (state.hold.signs if state.hold else None) == hold_signs
    assert state.screening_due is due
    assert state.covered == frozenset(covered)


@pytest.mark.parametrize(
    ("since", "now", "ok"),
    [
        (DAY0, DAY0, False),
        (DAY0, DAY0 + timedelta(hours=5, minutes=59), False),  # 23:59 the same day
        (DAY0, DAY0 + timedelta(hours=6), True),  # midnight: a later day
        (DAY0, DAY0 + timedelta(days=9), True),
        (DAY0, DAY0 - timedelta(days=1), False),  # a clock put back: not yet
        (
            DAY0.replace(tzinfo=timezone(timedelta(hours=1))),
            DAY0.replace(tzinfo=timezone(timedelta(hours=1))) + timedelta(days=1),
            True,
        ),
    ],
)
def test_a_hold_is_lifted_only_on_a_later_day(since, now, ok):
    assert can_clear(Hold(since, ("fever",)), now) is ok


@pytest.mark.parametrize(
    ("answers", "covered", "blocks"),
    [
        (ALL_NO, (), ()),
        ({**ALL_NO, "fever": True}, (), ("fever",)),
        ({**ALL_NO, "fever": True}, ("fever",), ()),
        ({**ALL_NO, "fever": True, "lean_forward": True}, ("fever",), ("lean_forward",)),
        ({**ALL_NO, "weight_loss": True, "severe_pain": True}, (), ("severe_pain", "weight_loss")),  # question order
    ],
)
def test_blocking_signs(answers, covered, blocks):
    assert blocking_signs(answers, covered) == blocks


def test_covered_advice_lets_go_on_and_uncovered_says_do_not_exercise():
    answers = {**ALL_NO, "pain_for_weeks": True}
    covered = screening_advice(answers, covered=("pain_for_weeks",))
    assert "a doctor has seen you" in covered and "see a doctor again" in covered
    assert "Do not do these exercises" not in covered
    assert "Do not do these exercises" in screening_advice({**answers, "fever": True}, covered=("pain_for_weeks",))


def test_hold_message_offers_the_confirmation_only_on_a_later_day():
    hold = Hold(DAY0, ("fever",))
    today = hold_message(hold, DAY0 + timedelta(hours=1))
    assert "yes today to: fever" in today and "see a doctor without delay" in today and "From tomorrow" in today
    later = hold_message(hold, DAY0 + timedelta(days=2))
    assert "on Friday 20 November" in later and "Has a doctor seen you since" in later
    assert set(CLEAR_REASONS) == {"doctor", "gone"}
    with pytest.raises(ValueError, match="reason is one of doctor, gone"):
        Clearance(DAY0, "felt better")


def test_records_from_history_drops_what_this_version_does_not_know():
    rows = [
        {
            "kind": "screening",
            "at": DAY0,
            "answers": {"fever": True, "headache": True},
            "blocks": ["fever", "headache"],
        },
        {"kind": "clearance", "at": DAY0 + timedelta(days=1), "reason": "magic", "signs": ["fever"]},
    ]
    records = records_from_history(rows)
    assert records == [ScreeningRecord(DAY0, {"fever": True}, ("fever",))]
    assert safety_state(records, DAY0 + timedelta(days=3)).hold == Hold(DAY0, ("fever",))


def test_the_hold_and_its_confirmation_are_kept_in_the_history(tmp_path):
    """The store keeps what the rules decided; replaying it after a restart gives the same hold."""
    from app.coach.store import HistoryStore

    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        pid = store.ensure_profile()
        answers = {**ALL_NO, "fever": True}
        store.add_screening(pid, answers, blocking_signs(answers))
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:  # the next start
        records = records_from_history(store.safety_history(pid))
        now = datetime.now().astimezone()
        state = safety_state(records, now)
        assert state.hold is not None and state.hold.signs == ("fever",)
        store.add_safety_clearance(pid, "gone", state.hold.signs)
        rows = store.safety_history(pid)
        assert [r["kind"] for r in rows] == ["screening", "clearance"]
        assert rows[1]["reason"] == "gone" and rows[1]["signs"] == ["fever"]
        # Written the same day: the rules do not take it (the GUI never offers it then).
        assert safety_state(records_from_history(rows), now).hold is not None
        assert safety_state(records_from_history(rows), now + timedelta(days=1)).hold is not None
        with pytest.raises(ValueError, match="'doctor' or 'gone'"):
            store.add_safety_clearance(pid, "better", ())
