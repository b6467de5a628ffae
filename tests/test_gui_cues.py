"""The cue throttle and the session log: Qt-free parts of the window, tested as tables of inputs."""

from __future__ import annotations

import pytest

from app.live.cues import CueThrottle
from app.live.session import SessionLog
from exercises.events import CheckerState, CheckerStep, FaultRaised, HoldReached


def said(
    throttle: CueThrottle,
    offers: list[tuple[float, str, str]],
    end: float = 30.0,
    speak_s: float = 1.0,
    tick_s: float = 0.1,
):
    """Feed (time, text, kind) offers to the throttle, polled every ``tick_s`` (the voice's pump);
    each cue takes ``speak_s`` to say. Returns [(time, text)] said. A slow pump and long speech
    are what a busy machine looks like to the throttle."""
    out, speaking_until, i = [], None, 0
    offers = sorted(offers, key=lambda o: o[0])
    for k in range(int(round(end / tick_s)) + 1):
        t = round(k * tick_s, 3)
        while i < len(offers) and offers[i][0] <= t:
            throttle.offer(offers[i][1], offers[i][2], offers[i][0])
            i += 1
        if speaking_until is not None and t >= speaking_until:
            throttle.finished_speaking(t)
            speaking_until = None
        cue = throttle.next_cue(t, busy=speaking_until is not None)
        if cue is not None:
            out.append((t, cue.text))
            speaking_until = t + speak_s
    return out


def texts(result) -> list[str]:
    return [text for _, text in result]


def test_same_cue_is_not_repeated_in_quick_succession():
    offers = [
        (0.0, "Keep your knee straight", "fault"),
        (3.0, "Keep your knee straight", "fault"),
        (9.0, "Keep your knee straight", "fault"),
    ]
    assert [text for _, text in said(CueThrottle(repeat_gap_s=8.0), offers)] == ["Keep your knee straight"] * 2


def test_one_cue_at_a_time_counts_first_and_a_status_that_waited_too_long_is_dropped():
    offers = [(0.0, "1", "count"), (0.2, "I can't see anyone", "status"), (0.3, "2", "count")]
    result = said(CueThrottle(min_gap_s=0.5, status_stale_s=2.0), offers)
    assert texts(result) == ["1", "2"]
    assert result[1][0] >= 1.5  # after the first finished and the gap passed


def test_counts_repeat_but_cues_keep_their_order():
    offers = [(0.0, "Lift and hold", "cue"), (2.0, "1", "count"), (4.0, "Lift and hold", "cue"), (12.0, "1", "count")]
    assert [text for _, text in said(CueThrottle(repeat_gap_s=8.0), offers)] == ["Lift and hold", "1", "1"]


def test_status_messages_repeat_less_often():
    offers = [(0.0, "Someone else is in view", "status"), (10.0, "Someone else is in view", "status")]
    assert len(said(CueThrottle(status_repeat_gap_s=20.0), offers)) == 1


SLOWLY = "Slowly, there is no rush"
TARGET = "That's your target. Well done! Stop whenever you like."
ROUTINE_TARGET = "That's the target. Well done!"
KNEE = "Keep your knee straight"


# The rep that reaches the target was too fast: the checker raises the fault just before the count,
# the window offers the milestone just after. Whatever the load, the fault is said.
@pytest.mark.parametrize("speak_s, tick_s", [(1.0, 0.1), (2.5, 0.1), (1.0, 1.5), (3.0, 2.0)])
# The window sends both target sentences (alone and in a routine) as milestones.
@pytest.mark.parametrize("milestone", [TARGET, ROUTINE_TARGET])
def test_a_fault_is_never_swallowed_by_the_milestone_of_the_same_rep(speak_s, tick_s, milestone):
    offers = [
        (0.0, "4", "count"),  # still being said when the last rep ends: everything below waits
        (0.3, SLOWLY, "fault"),
        (0.3, "5", "count"),
        (0.35, milestone, "milestone"),
    ]
    # The default stale_s: a milestone waits as long as it must.
    result = texts(said(CueThrottle(), offers, speak_s=speak_s, tick_s=tick_s))
    assert result == ["4", "5", SLOWLY, milestone]  # the count, what to fix in that rep, then the milestone


REST = "Well done. Rest for 30 seconds. Next: Squat, 10 times."
NEXT = "Now: Squat, 10 times."


def test_a_routines_milestones_are_said_in_order_after_the_last_reps_news_however_late():
    # The last rep reaches the target with a fault; the rest and the next exercise are announced at
    # once, while "10" is still being said on a slow machine, and an instruction comes in between.
    offers = [
        (0.0, "10", "count"),
        (0.0, KNEE, "fault"),
        (0.0, ROUTINE_TARGET, "milestone"),
        (0.1, REST, "milestone"),
        (0.2, "Lift and hold", "cue"),
        (6.0, NEXT, "milestone"),
    ]
    result = said(CueThrottle(stale_s=3.0), offers, speak_s=4.0)
    assert texts(result) == ["10", KNEE, ROUTINE_TARGET, REST, NEXT]  # the instruction went stale
    assert result[3][0] > 10.0  # the rest announcement came late (behind three sentences), not never


def test_a_milestone_is_an_event_said_again_but_a_fault_is_not_nagged():
    # A short session: the pain question before and, 3 s later, after. A fault within the gap is not repeated.
    pain = "How much does your hip hurt, from 0 to 10? Answer on the screen."
    offers = [(0.0, pain, "milestone"), (1.0, KNEE, "fault"), (3.0, pain, "milestone"), (3.0, KNEE, "fault")]
    assert texts(said(CueThrottle(repeat_gap_s=8.0, min_gap_s=0.5), offers, speak_s=0.5)) == [pain, KNEE, pain]


def test_a_milestone_is_news_an_instruction_is_not():
    offers = [(0.0, "1", "count"), (0.1, "Lift and hold", "cue"), (0.1, TARGET, "milestone"), (0.1, KNEE, "fault")]
    assert texts(said(CueThrottle(stale_s=3.0), offers, speak_s=4.0)) == ["1", KNEE, TARGET]


@pytest.mark.parametrize(
    "offers, speak_s, expected",
    [
        # A fault waiting behind a stream of counts comes late, not never.
        (
            [(0.0, "1", "count"), (0.1, KNEE, "fault")] + [(0.2 + n, str(n + 2), "count") for n in range(8)],
            2.0,
            ["1", "2", "3", "4", "5", "6", "7", "8", "9", KNEE],
        ),
        # Counts and faults are never replaced by what is offered after them; the news goes first,
        # and the status that waited longer than status_stale_s behind it is dropped.
        (
            [
                (0.0, "Lift and hold", "cue"),
                (0.1, KNEE, "fault"),
                (0.2, "Hold it", "hold"),
                (0.3, "Someone else is in view", "status"),
                (0.4, "1", "count"),
            ],
            0.5,
            ["Lift and hold", "1", KNEE, "Hold it"],
        ),
        # Only the latest status is worth saying.
        (
            [(0.0, "1", "count"), (0.2, "I can't see anyone", "status"), (0.4, "Move back a little", "status")],
            1.0,
            ["1", "Move back a little"],
        ),
        # The same fault offered again while it still waits is said once.
        ([(0.0, "1", "count"), (0.2, KNEE, "fault"), (0.4, KNEE, "fault")], 2.0, ["1", KNEE]),
    ],
)
def test_queue_policy_table(offers, speak_s, expected):
    assert texts(said(CueThrottle(min_gap_s=0.5, stale_s=3.0, status_stale_s=2.0), offers, speak_s=speak_s)) == expected


def test_an_instruction_that_waited_too_long_is_dropped_but_a_fault_of_the_same_age_is_not():
    offers = [(0.0, "1", "count"), (0.1, "Lift and hold", "cue"), (0.1, KNEE, "fault")]
    result = texts(said(CueThrottle(stale_s=3.0), offers, speak_s=4.0))
    assert result == ["1", KNEE]


def test_a_new_set_keeps_waiting_news_and_allows_sentences_again():
    throttle = CueThrottle(min_gap_s=0.0)
    throttle.offer(KNEE, "fault", 0.0)
    assert throttle.next_cue(0.0, busy=False).text == KNEE
    throttle.offer("10", "count", 1.0)
    throttle.offer(SLOWLY, "fault", 1.0)
    throttle.offer("Lift and hold", "cue", 1.0)
    throttle.new_set()
    assert [c.text for c in throttle.waiting] == ["10", SLOWLY]
    throttle.offer(KNEE, "fault", 2.0)  # said 2 s ago, but in the last set
    assert [c.text for c in throttle.waiting] == ["10", SLOWLY, KNEE]
    throttle.reset()  # before something urgent: nothing waits
    assert throttle.waiting == ()


def test_bad_gap_is_refused_with_the_value():
    with pytest.raises(ValueError, match="min_gap_s=-1"):
        CueThrottle(min_gap_s=-1)


def _state(t: float, reps: int, by_side=None) -> CheckerState:
    return CheckerState(t, "straight_leg_raise", "rest", reps, by_side, None, 0.0, 5.0, 0.0, 10.0, 4.0, (), None, "")


def test_session_log_summarises_reps_holds_faults_and_time():
    log = SessionLog("straight_leg_raise", "Straight leg raise", True, 10)
    log.add(CheckerStep(_state(1.0, 0, {"left": 0, "right": 0})), 1.0)
    log.add(
        CheckerStep(
            _state(6.0, 1, {"left": 1, "right": 0}),
            (HoldReached(5.0, 1, 5.0), FaultRaised(5.5, "knee_bent", 1, "Keep your knee straight")),
        ),
        6.0,
    )
    log.add(CheckerStep(_state(61.0, 2, {"left": 1, "right": 1})), 61.0)
    lines = log.summary_lines()
    assert lines[0] == "Straight leg raise: 1:00 min"
    assert "Reps: left 1 of 10, right 1 of 10" in lines
    assert "Holds achieved: 1" in lines
    assert "Form to work on: knee bent x1" in lines


def test_each_cue_said_keeps_the_kind_it_was_offered_with():
    throttle = CueThrottle(min_gap_s=0.0)
    throttle.offer("I can't see anyone", "status", 0.0)
    throttle.offer("Keep your knee straight", "fault", 0.0)
    throttle.offer("3", "count", 0.0)
    said = []
    while (cue := throttle.next_cue(0.1, busy=False)) is not None:
        said.append((cue.text, cue.kind))
    assert said == [("3", "count"), ("Keep your knee straight", "fault"), ("I can't see anyone", "status")]
