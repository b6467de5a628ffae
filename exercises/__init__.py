"""Exercise definitions (data) and the one checker state machine that follows them.

``ExerciseChecker(get_exercise("squat")).update(pose_frame) -> CheckerStep`` (state + events).
"""

from exercises.checker import ExerciseChecker
from exercises.events import CheckerState, CheckerStep
from exercises.registry import EXERCISE_IDS, get_exercise

__all__ = ["EXERCISE_IDS", "CheckerState", "CheckerStep", "ExerciseChecker", "get_exercise"]
