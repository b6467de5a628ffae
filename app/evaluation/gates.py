"""The thresholds ``hipcoach eval`` must meet, and which of them a summary misses.

``thresholds`` gate the overall (perceived) metrics; ``exercise_thresholds`` ({exercise id or "*":
{key: value}}) gate each exercise's own metrics ("*" applies to every exercise, an exercise's own
entry overrides it key by key). A metric with no data passes.
"""

from __future__ import annotations

# Threshold keys where the measured value must stay at or below the threshold.
_UPPER_BOUNDS = {
    "hold_error_max_s",
    "mean_abs_count_error",
    "false_reps_max",
    "boundary_error_max_s",
    "missed_boundaries_max",
    "extra_segments_max",
}
# Threshold keys named apart from the metric they bound.
_METRIC_OF = {
    "false_reps_max": "false_reps",
    "missed_boundaries_max": "missed_boundaries",
    "extra_segments_max": "extra_segments",
}


def _num(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _gate(metrics: dict, thresholds: dict, prefix: str = "") -> list[str]:
    failures = []
    if metrics.get("errors"):
        failures.append(f"{prefix}{metrics['errors']} clip(s) could not be analysed")
    for key, limit in thresholds.items():
        value = metrics.get(_METRIC_OF.get(key, key))
        if value is None or limit is None:
            continue
        if key in _UPPER_BOUNDS:
            if value > limit + 1e-9:
                failures.append(f"{prefix}{key} = {_num(value)}, expected at most {limit}")
        elif value < limit - 1e-9:
            failures.append(f"{prefix}{key} = {_num(value)}, expected at least {limit}")
    return failures


def exercise_gates(exercise: str, exercise_thresholds: dict | None) -> dict:
    """The thresholds one exercise's own metrics must meet: ``"*"`` overridden by its own entry."""
    per_ex = exercise_thresholds or {}
    return {**per_ex.get("*", {}), **per_ex.get(exercise, {})}


def check_thresholds(summary: dict, thresholds: dict, exercise_thresholds: dict | None = None) -> list[str]:
    """One line per gate missed (empty: all met). A metric with no data passes.

    ``thresholds`` gate the overall perceived metrics (the guided exercise is not in them);
    ``exercise_thresholds`` gate each exercise's own metrics, the guided one included.
    """
    failures = _gate(summary["overall"], thresholds)
    guided = summary.get("guided")
    if guided and guided.get("errors"):
        failures.append(f"guided: {guided['errors']} clip(s) could not be analysed")
    for ex, metrics in summary["per_exercise"].items():
        gates = exercise_gates(ex, exercise_thresholds)
        if gates:
            failures += [f for f in _gate(metrics, gates, f"{ex}: ") if "could not be analysed" not in f]
    return failures


def check_routine_thresholds(summary: dict, thresholds: dict) -> list[str]:
    """One line per routine gate missed; a routine the analysis could not finish fails too."""
    return _gate(summary["overall"], thresholds, "routines: ")
