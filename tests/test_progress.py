"""Progress numbers against the hand-written fixture history (tests/history_fixture.py)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from app.coach.store import progress
from app.coach.store.progress_values import DayStat, SessionSummary, asymmetry_ratio
from tests import history_fixture as fx


@pytest.fixture(scope="module")
def conn():
    c = sqlite3.connect(":memory:")
    fx.write_history(c)
    yield c
    c.close()


def _stat(conn, day: date, exercise: str) -> DayStat:
    found = [s for s in progress.daily_stats(conn, fx.PROFILE, exercise=exercise) if s.day == day]
    assert len(found) == 1
    return found[0]


def test_bridge_on_the_first_day_by_hand(conn):
    # k = 0: 6 reps; peaks 160,158,160,158,160,158; holds 3,5,5,5,5,5; faults: hold_short (rep 1) + hips_low (rep 2)
    s = _stat(conn, date(2026, 11, 2), "glute_bridge")
    assert (s.sets, s.reps, s.reps_left, s.reps_right) == (1, 6, 0, 0)
    assert s.peak_deg_mean == pytest.approx(159.0)
    assert s.peak_deg_best == pytest.approx(160.0)
    assert s.hold_s_total == pytest.approx(28.0)
    assert s.hold_s_mean == pytest.approx(28.0 / 6)
    assert s.faults == 2
    assert s.fault_rate == pytest.approx(2 / 6)


def test_two_bridge_sets_on_one_day_add_up(conn):
    # k = 3 (6 Nov): 7 + 4 reps; peaks: odd reps 163, even 161 -> set 1: 4x163 + 3x161, set 2: 2x163 + 2x161
    s = _stat(conn, date(2026, 11, 6), "glute_bridge")
    assert (s.sets, s.reps) == (2, 11)
    assert s.peak_deg_mean == pytest.approx((6 * 163 + 5 * 161) / 11)
    assert s.peak_deg_best == 163.0
    # each set: rep 1 hold_short, rep 2 hips_low (k < 5)
    assert s.faults == 4
    assert s.hold_s_total == pytest.approx(2 * 3.0 + 9 * 5.0)


def test_unilateral_counts_sides_and_asymmetry(conn):
    # k = 0: 8 left at 18.0 deg, 6 right at 14.0 deg; right holds 4.0 with hold_short, right rep 1 knee_bent
    s = _stat(conn, date(2026, 11, 2), "straight_leg_raise")
    assert (s.reps, s.reps_left, s.reps_right) == (14, 8, 6)
    assert s.peak_deg_left_mean == 18.0 and s.peak_deg_right_mean == 14.0
    assert s.peak_deg_best == 18.0
    assert s.hold_s_total == pytest.approx(8 * 5.0 + 6 * 4.0)
    assert s.faults == 6 + 1
    assert s.count_asymmetry == pytest.approx((8 - 6) / 8)
    assert s.peak_asymmetry == pytest.approx((18.0 - 14.0) / 18.0)
    # k = 5 (9 Nov): 8 and 8 reps, right peak 16.5
    later = _stat(conn, date(2026, 11, 9), "straight_leg_raise")
    assert later.count_asymmetry == 0.0
    assert later.peak_asymmetry == pytest.approx(1.5 / 18.0)
    assert later.faults == 1


def test_asymmetry_over_the_range(conn):
    rows = progress.asymmetry(conn, fx.PROFILE)
    assert [r.exercise for r in rows] == ["straight_leg_raise"]  # the only exercise with sides
    r = rows[0]
    right_counts = [6] * 5 + [8] * 5
    right_peaks = [14.0 + 0.5 * k for k in range(10)]
    assert (r.reps_left, r.reps_right) == (80, sum(right_counts))
    assert r.count_asymmetry == pytest.approx((80 - 70) / 80)
    right_mean = sum(n * p for n, p in zip(right_counts, right_peaks)) / 70
    assert r.peak_deg_right_mean == pytest.approx(right_mean)
    assert r.peak_asymmetry == pytest.approx((18.0 - right_mean) / 18.0)


def test_squat_best_is_the_deepest_knee_angle(conn):
    # 2-4 Nov are k = 0, 1, 2: reps at 110..114, 108..112, 106..110 deg; the deepest (best) is the smallest
    stats = progress.daily_stats(conn, fx.PROFILE, "squat", since=date(2026, 11, 2), until=date(2026, 11, 4))
    assert [s.peak_deg_mean for s in stats] == [112.0, 110.0, 108.0]
    assert [s.peak_deg_best for s in stats] == [110.0, 108.0, 106.0]
    assert progress.best_peak("squat", [110.0, 108.0, 106.0]) == 106.0
    assert progress.best_peak("glute_bridge", [150.0, 170.0]) == 170.0
    assert [s.fault_rate for s in stats] == [1.0, 1.0, 0.0]  # shallow on every rep while k < 2


def test_a_set_stopped_for_pain_still_counts_its_reps(conn):
    s = _stat(conn, fx.TRAINED_DAYS[fx.PAIN_SESSION], "squat")
    assert (s.sets, s.reps) == (1, 2)


def test_days_trained_is_the_calendar_of_days_with_reps(conn):
    days = progress.days_trained(conn, fx.PROFILE)
    assert days == set(fx.TRAINED_DAYS)
    assert fx.EMPTY_SESSION_DAY not in days  # a session with nothing in it is not a day trained
    # the session that began at 23:50 on 14 Nov belongs to the 14th, although its reps came after midnight
    assert date(2026, 11, 15) not in days
    assert progress.days_trained(conn, fx.PROFILE, since=date(2026, 11, 5), until=date(2026, 11, 10)) == {
        date(2026, 11, 6),
        date(2026, 11, 7),
        date(2026, 11, 9),
        date(2026, 11, 10),
    }


def test_other_profiles_do_not_leak(conn):
    alex = progress.daily_stats(conn, fx.PROFILE, "squat", until=fx.START)
    assert [s.reps for s in alex] == [5]
    sam = progress.daily_stats(conn, fx.OTHER_PROFILE)
    assert [(s.exercise, s.reps, s.faults) for s in sam] == [("squat", 3, 3)]
    assert progress.days_trained(conn, fx.OTHER_PROFILE) == {fx.START}


def test_day_range_and_order(conn):
    stats = progress.daily_stats(conn, fx.PROFILE, since=date(2026, 11, 9), until=date(2026, 11, 10))
    assert [(s.day.day, s.exercise) for s in stats] == [
        (9, "glute_bridge"),
        (9, "straight_leg_raise"),
        (9, "squat"),
        (10, "glute_bridge"),
        (10, "straight_leg_raise"),
        (10, "squat"),
    ]
    total = sum(s.reps for s in progress.daily_stats(conn, fx.PROFILE))
    expected = sum(fx.bridge_reps(k) + 8 + fx.slr_right_reps(k) + fx.squat_reps(k) for k in range(10)) + 4
    assert total == expected


def test_pain_before_and_after_per_session(conn):
    rows = [s for s in progress.sessions(conn, fx.PROFILE) if s.sets]
    assert [(s.pain_before, s.pain_after) for s in rows] == [
        (5, 4),
        (5, 4),
        (4, 3),
        (4, 3),
        (3, 2),
        (3, 2),
        (2, 4),
        (2, 1),
        (1, 0),
        (1, 0),
    ]
    rose = rows[fx.PAIN_SESSION]
    assert rose.pain_change == 2
    assert rose.sharp_pain == ("squat",)
    assert rose.end_reason == "pain"
    empty = [s for s in progress.sessions(conn, fx.PROFILE) if not s.sets]
    assert [(s.day, s.reps, s.pain_before) for s in empty] == [(fx.EMPTY_SESSION_DAY, 0, None)]


def test_session_detail_has_sets_reps_faults_and_spans(conn):
    first = progress.sessions(conn, fx.PROFILE)[0]
    detail = progress.session_detail(conn, first.id)
    assert [(s.number, s.exercise, len(s.reps)) for s in detail.sets] == [
        (1, "glute_bridge", 6),
        (2, "straight_leg_raise", 14),
        (3, "squat", 5),
    ]
    bridge = detail.sets[0]
    assert [(sp.code, sp.duration_s) for sp in bridge.spans] == [("out_of_frame", 1.5)]
    # two faults on counted reps, plus one raised in a movement that did not count
    assert sorted((f.code, f.rep_idx) for f in bridge.faults) == [("hips_low", 2), ("hold_short", 1), ("too_fast", 99)]
    assert [r.side for r in detail.sets[1].reps] == ["left"] * 8 + ["right"] * 6
    assert detail.session.reps == 25
    assert len(progress.session_rows(conn, first.id)) == 25
    with pytest.raises(LookupError):
        progress.session_detail(conn, 999)


def test_asymmetry_ratio_rules():
    assert asymmetry_ratio(10, 5) == 0.5
    assert asymmetry_ratio(5, 10) == 0.5
    assert asymmetry_ratio(0, 0) is None
    assert asymmetry_ratio(None, 3) is None
    assert asymmetry_ratio(4, 0) == 1.0


def test_empty_history_gives_empty_answers():
    c = sqlite3.connect(":memory:")
    fx.create_schema(c)
    assert progress.daily_stats(c, 1) == []
    assert progress.days_trained(c, 1) == set()
    assert progress.asymmetry(c, 1) == []
    assert progress.sessions(c, 1) == []


# ----------------------------------------------------------------------------- failed starts, months, pain, safety


def _summary(
    reps: int, sets: int, end_reason: str | None, after: int | None = None, sharp: tuple[str | None, ...] = ()
) -> SessionSummary:
    return SessionSummary(
        id=1,
        profile_id=1,
        day=date(2026, 11, 2),
        started_at="2026-11-02T08:00:00",
        ended_at=None,
        end_reason=end_reason,
        sets=sets,
        reps=reps,
        pain_before=3,
        pain_after=after,
        sharp_pain=sharp,
    )


@pytest.mark.parametrize(
    "reps, sets, end_reason, after, sharp, failed",
    [
        (0, 0, "stopped", None, (), True),  # no set at all: no picture ever reached the coach
        (0, 0, "done", None, (), True),
        (0, 1, "interrupted", None, (), True),  # the app closed before anything counted
        (0, 1, None, None, (), True),  # never closed
        (0, 1, "stopped", None, (), False),  # a set the person stopped: kept
        (0, 1, "pain", None, ("squat",), False),  # sharp pain on the first rep: kept
        (0, 1, "interrupted", 4, (), False),  # an 'after' score: the person was there
        (3, 1, "interrupted", None, (), False),  # reps counted
    ],
)
def test_failed_start_rules(reps, sets, end_reason, after, sharp, failed):
    assert _summary(reps, sets, end_reason, after, sharp).failed_start is failed


def test_failed_starts_leave_the_sessions_and_the_days(tmp_path):
    c = sqlite3.connect(tmp_path / "h.sqlite3")
    fx.write_history(c)
    day = fx.START + timedelta(days=6)  # 8 Nov: no training in the fixture
    c.execute(
        "INSERT INTO sessions (id, profile_id, started_at, ended_at, end_reason) "
        "VALUES (500, 1, ?, NULL, 'interrupted')",
        (f"{day}T10:00:00+01:00",),
    )
    c.execute(
        "INSERT INTO sets (session_id, exercise, started_at, target_reps, end_reason) "
        "VALUES (500, 'squat', ?, 5, 'interrupted')",
        (f"{day}T10:00:05+01:00",),
    )
    c.commit()
    all_ids = [s.id for s in progress.sessions(c, fx.PROFILE)]
    kept = [s.id for s in progress.trained_sessions(c, fx.PROFILE)]
    empty_id = next(s.id for s in progress.sessions(c, fx.PROFILE) if s.day == fx.EMPTY_SESSION_DAY)
    assert len(all_ids) == 12 and set(all_ids) - set(kept) == {500, empty_id}
    assert len(kept) == 10
    assert [s for s in progress.daily_stats(c, fx.PROFILE) if s.day == day] == []  # no 0-rep day for it
    c.close()


def test_days_in_month():
    days = {date(2026, 10, 31), date(2026, 11, 2), date(2026, 11, 14), date(2026, 12, 1)}
    assert progress.days_in_month(days, 2026, 11) == 2
    assert progress.days_in_month(days, 2026, 11, until=date(2026, 11, 10)) == 1
    assert progress.days_in_month(days, 2026, 9) == 0


def test_pain_trend_of_the_fixture(conn):
    # before 5,5,4,4,3,3,2,2,1,1; after = before - 1 except session 6 (2 -> 4, sharp pain)
    trend = progress.pain_trend(progress.trained_sessions(conn, fx.PROFILE))
    assert (trend.sessions, trend.first_before, trend.last_before) == (10, 5, 1)
    assert (trend.eased, trend.same, trend.rose, trend.rose_by_stop, trend.sharp) == (9, 0, 1, 1, 1)
    assert trend.mean_change == pytest.approx((9 * -1 + 2) / 10)


def test_screenings_in_the_range(tmp_path):
    c = sqlite3.connect(":memory:")
    fx.write_history(c)
    for at, answers in (
        ("2026-11-01T07:00:00+01:00", '{"fever": false, "weight_loss": false}'),
        ("2026-11-09T07:00:00+01:00", '{"fever": true, "weight_loss": false}'),
        ("2026-11-10T07:00:00+01:00", "not json"),
    ):
        c.execute(
            "INSERT INTO screenings (profile_id, answered_at, answers, any_yes) VALUES (1, ?, ?, 0)", (at, answers)
        )
    found = progress.screenings(c, fx.PROFILE, since=date(2026, 11, 2))
    assert [(s.answered_at[:10], s.yes, s.questions) for s in found] == [("2026-11-09", ("fever",), 2)]
    assert len(progress.screenings(c, fx.PROFILE)) == 2 and progress.screenings(c, fx.OTHER_PROFILE) == []
