"""Exercise definitions (data) and the one checker state machine that follows them."""

from exercises.registry import EXERCISE_IDS, get_exercise

__all__ = ["EXERCISE_IDS", "get_exercise"]
