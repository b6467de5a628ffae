"""The one vocabulary: every code the checker can hand out has its words, and the words are where
the screens, the summary and the reports find them."""

from __future__ import annotations

import dataclasses

import pytest

from exercises import vocabulary as vocab
from exercises.definitions import FAULT_CODES
from exercises.registry import EXERCISE_IDS, get_exercise
from exercises.texts import PLACEMENTS, SIGNAL_CAPTIONS, TEXTS, camera_placement, exercise_caption, instructions


def test_every_status_code_has_a_row_and_the_tuples_cover_them():
    assert set(vocab.STATUSES) == set(vocab.STATUS_CODES) | set(vocab.MOVEMENT_STATUS_CODES)
    assert not set(vocab.STATUS_CODES) & set(vocab.MOVEMENT_STATUS_CODES)
    for code, row in vocab.STATUSES.items():
        assert row.code == code and row.message and row.label
        assert row.advice or row.advice_from != "words", code


def test_the_checklist_has_a_line_for_each_camera_status_and_none_for_movement():
    assert [code for code, _ in vocab.setup_checks()] == list(vocab.STATUS_CODES)
    assert all(line for _, line in vocab.setup_checks())
    assert not any(vocab.STATUSES[code].check for code in vocab.MOVEMENT_STATUS_CODES)


def test_every_fault_code_of_the_definitions_has_a_label():
    assert set(vocab.FAULTS) == set(FAULT_CODES)
    for exercise_id in EXERCISE_IDS:
        assert {rule.code for rule in get_exercise(exercise_id).rules} <= set(vocab.FAULTS)


def test_the_words_each_function_gives():
    assert vocab.status_message("no_person") == "I can't see anyone"
    assert vocab.status_label("no_person") == "nobody in view"
    assert vocab.fault_label("hips_low") == "hips not high enough"
    assert vocab.partial_reason("too_small") == "not far enough"
    assert vocab.partial_cue("too_small") == "That one did not count: go a little further"
    assert vocab.partial_cue("unfinished") == ""  # said afterwards (summary, review), never live
    assert vocab.note_message("form_not_judged").startswith("Some form checks")
    assert vocab.phase_words("active") == "in a repetition"


@pytest.mark.parametrize(
    "ask",
    [vocab.status_message, vocab.status_label, vocab.fault_label, vocab.partial_reason, vocab.note_message],
)
def test_an_unknown_code_comes_back_as_plain_words(ask):
    assert ask("brand_new_code") == "brand new code"


def test_status_advice_follows_the_exercise():
    assert vocab.status_advice(None, "squat") == ""
    assert vocab.status_advice("wrong_view", "squat") == camera_placement("squat")
    assert vocab.status_advice("wrong_position", "squat") == get_exercise("squat").cues.setup
    assert vocab.status_advice("outside_exercise", "glute_bridge") == (
        get_exercise("glute_bridge").cues.setup or get_exercise("glute_bridge").note
    )
    # The camera at the feet cannot ask the person to turn side-on.
    assert vocab.status_advice("joints_hidden", "hip_abduction").startswith("Add light")
    assert vocab.status_advice("joints_hidden", "glute_bridge").startswith("Turn side-on")
    assert vocab.status_advice("unknown_code", "squat") == get_exercise("squat").cues.setup


def test_rows_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        vocab.STATUSES["no_person"].message = "x"  # type: ignore[misc]


def test_every_exercise_has_its_text_row():
    assert set(TEXTS) == set(EXERCISE_IDS)
    for exercise_id in EXERCISE_IDS:
        assert instructions(exercise_id), exercise_id
        assert get_exercise(exercise_id).signal in SIGNAL_CAPTIONS, exercise_id
        assert exercise_caption(exercise_id) == SIGNAL_CAPTIONS[get_exercise(exercise_id).signal]
        assert camera_placement(exercise_id) in PLACEMENTS.values()
