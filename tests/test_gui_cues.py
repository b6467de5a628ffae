"""The cue throttle and the session log: Qt-free parts of the window, tested as tables of inputs."""

from __future__ import annotations

import pytest

from app.gui.cues import CueThrottle
from app.gui.session import SessionLog
from exercises.events import CheckerState, CheckerStep, FaultRaised, HoldReached


def said(throttle: CueThrottle, offers: list[tuple[float, str, str]], busy_until: float = 0.0, end: float = 30.0):
    """Feed (time, text, kind) offers; speaking takes 1 s per cue. Returns [(time, text)] said."""
    out, speaking_until, t, i = [], 0.0, 0.0, 0
    offers = sorted(offers)
    while t <= end:
        while i < len(offers) and offers[i][0] <= t:
            throttle.offer(offers[i][1], offers[i][2], t)
            i += 1
        busy = t < speaking_until
        if not busy and speaking_until and t >= speaking_until:
            throttle.finished_speaking(speaking_until)
            speaking_until = 0.0
        cue = throttle.next_cue(t, busy)
        if cue is not None:
            out.append((round(t, 1), cue.text))
            speaking_until = t + 1.0
        t = round(t + 0.1, 1)
    return out


def test_same_cue_is_not_repeated_in_quick_succession():
    offers = [(0.0, "Keep your knee straight", "fault"), (3.0, "Keep your knee straight", "fault"),
              (9.0, "Keep your knee straight", "fault")]
    assert [text for _, text in said(CueThrottle(repeat_gap_s=8.0), offers)] == ["Keep your knee straight"] * 2


def test_one_cue_at_a_time_and_counts_win_the_waiting_slot():
    offers = [(0.0, "1", "count"), (0.2, "I can't see anyone", "status"), (0.3, "2", "count")]
    result = said(CueThrottle(min_gap_s=0.5), offers)
    assert [text for _, text in result] == ["1", "2"]
    assert result[1][0] >= 1.5  # after the first finished and the gap passed


def test_counts_repeat_but_cues_keep_their_order():
    offers = [(0.0, "Lift and hold", "cue"), (2.0, "1", "count"), (4.0, "Lift and hold", "cue"), (12.0, "1", "count")]
    assert [text for _, text in said(CueThrottle(repeat_gap_s=8.0), offers)] == ["Lift and hold", "1", "1"]


def test_status_messages_repeat_less_often():
    offers = [(0.0, "Someone else is in view", "status"), (10.0, "Someone else is in view", "status")]
    assert len(said(CueThrottle(status_repeat_gap_s=20.0), offers)) == 1


def test_bad_gap_is_refused_with_the_value():
    with pytest.raises(ValueError, match="min_gap_s=-1"):
        CueThrottle(min_gap_s=-1)


def _state(t: float, reps: int, by_side=None) -> CheckerState:
    return CheckerState(t, "straight_leg_raise", "rest", reps, by_side, None, 0.0, 5.0, 0.0, 10.0, 4.0, (), None, "")


def test_session_log_summarises_reps_holds_faults_and_time():
    log = SessionLog("straight_leg_raise", "Straight leg raise", True, 10)
    log.add(CheckerStep(_state(1.0, 0, {"left": 0, "right": 0})), 1.0)
    log.add(CheckerStep(_state(6.0, 1, {"left": 1, "right": 0}), (
        HoldReached(5.0, 1, 5.0), FaultRaised(5.5, "knee_bent", 1, "Keep your knee straight"))), 6.0)
    log.add(CheckerStep(_state(61.0, 2, {"left": 1, "right": 1})), 61.0)
    lines = log.summary_lines()
    assert lines[0] == "Straight leg raise: 1:00 min"
    assert "Reps: left 1 of 10, right 1 of 10" in lines
    assert "Holds achieved: 1" in lines
    assert "Form to work on: knee bent x1" in lines
