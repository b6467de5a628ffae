"""A physiotherapist's per-exercise overrides as typed in Settings: text in, checked settings value out.

Qt-free so the parsing and its one-line messages are tested without a window; the dialog
(``app.gui.settings_dialog``) shows the message and marks the field it names.
"""

from __future__ import annotations

import math

from exercises.definitions import FAULT_CODES
from exercises.personalise import personalise
from exercises.registry import EXERCISE_IDS, get_exercise


class OverrideError(ValueError):
    """A physiotherapist's override that cannot be used; the message names the exercise and the field."""

    def __init__(self, message: str, exercise: str, field: str | None = None) -> None:
        super().__init__(message)
        self.exercise = exercise
        self.field = field if field is not None else _field_named_in(message)


def _field_named_in(message: str) -> str | None:
    """Which form field a ``personalise`` message is about (``target_reps``, ``hold_target_s``, ``limit:<code>``)."""
    if "target_reps" in message:
        return "target_reps"
    if "hold_target_s" in message or "has no hold" in message:
        return "hold_target_s"
    for code in FAULT_CODES:
        if f"{code} limit" in message or f"rule {code!r}" in message:
            return f"limit:{code}"
    return None


def parse_overrides(texts: dict[str, dict], strictness: str) -> dict[str, dict]:
    """Overrides typed as text -> the ``overrides`` settings value, each checked by ``personalise``.

    ``texts``: ``{exercise: {"target_reps": str, "hold_target_s": str, "limits": {code: str}}}``;
    empty strings mean "no override". Raises :class:`OverrideError` with a one-line message.
    """
    result: dict[str, dict] = {}
    for ex_id, fields in texts.items():
        definition = get_exercise(ex_id)
        entry: dict = {}
        reps = fields.get("target_reps", "").strip()
        if reps:
            try:
                entry["target_reps"] = int(reps)
            except ValueError:
                raise OverrideError(
                    f"{definition.title}: target reps must be a whole number, got {reps!r}", ex_id, "target_reps"
                ) from None
        hold = fields.get("hold_target_s", "").strip()
        if hold:
            entry["hold_target_s"] = _number(ex_id, "hold seconds", hold, "hold_target_s")
        limits = {
            code: _number(ex_id, f"{code.replace('_', ' ')} limit", text.strip(), f"limit:{code}")
            for code, text in fields.get("limits", {}).items()
            if text.strip()
        }
        if limits:
            entry["limits"] = limits
        if not entry:
            continue
        try:
            personalise(definition, strictness, None, entry)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            raise OverrideError(f"{definition.title}: {_plain(message)}", ex_id, _field_named_in(message)) from None
        result[ex_id] = entry
    return result


def _plain(message: str) -> str:
    """``personalise``'s message with the settings keys in the words the form uses."""
    for key, words in (("hold_target_s", "hold seconds"), ("target_reps", "target reps")):
        message = message.replace(key, words)
    for code in {rule.code for ex_id in EXERCISE_IDS for rule in get_exercise(ex_id).rules}:
        message = message.replace(f"{code} limit", f"{code.replace('_', ' ')} limit")
    return message


def _number(ex_id: str, what: str, text: str, field: str) -> float:
    title = get_exercise(ex_id).title
    try:
        value = float(text)
    except ValueError:
        raise OverrideError(f"{title}: {what} must be a number, got {text!r}", ex_id, field) from None
    if not math.isfinite(value):
        raise OverrideError(f"{title}: {what} must be a finite number, got {text!r}", ex_id, field)
    return value
