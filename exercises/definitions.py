"""Exercise definitions as data: one frozen :class:`ExerciseDef` per exercise.

Adding an exercise means adding a definition here (and its id in the registry), not a class.
Signals and measures are chosen by name from :mod:`exercises.measures`.

Threshold conventions: the counting signal is in degrees in its natural units (a hip angle of
170, a leg lifted 15 above the floor). With ``direction=+1`` a rep goes *up* through
``enter_deg`` and ends back *down* through ``exit_deg``; with ``direction=-1`` (the squat's
knee angle) the other way round. The gap between the two is the hysteresis, sized to the
movement. With ``relative_to_rest=True`` both thresholds are offsets above the person's own
resting value (learnt while idle, clamped to ``rest_deg +/- rest_limit_deg``), which absorbs a
pillow under the abdomen or a tilted camera without letting a held lift become "rest".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pose.geometry import Orientation, View

FaultIf = Literal["below", "above"]

FAULT_CODES = (
    "knee_bent",
    "head_lowered",
    "hips_low",
    "hold_short",
    "trunk_lean",
    "shallow",
    "hips_drop",
    "too_fast",
)

SIDE_VIEWS: tuple[View, ...] = ("side", "oblique")


@dataclass(frozen=True)
class FormRule:
    """One form fault, judged from a named measure of the moving (or best-seen) side.

    ``aggregate="sustained"``: the fault is raised, at once, when the measure is beyond
    ``limit`` (``fault_if`` says which way) for ``min_duration_s`` during the rep.
    ``aggregate="peak"``: judged when the rep ends, from the best value reached in the rep
    (hips never high enough, never deep enough). ``relative``: the measure minus its value at
    the start of the rep. ``only_when_lifted``: judged only while the signal is past
    ``enter_deg``. Never judged in a camera view outside ``views``.
    """

    code: str
    cue: str
    measure: str
    limit: float
    fault_if: FaultIf
    aggregate: Literal["sustained", "peak"] = "sustained"
    min_duration_s: float = 0.3
    views: tuple[View, ...] = SIDE_VIEWS
    relative: bool = False
    only_when_lifted: bool = False
    # Landmarks the measure needs in the picture (besides the exercise's key joints): when they are
    # out of it (a body framed from the waist down), the fault is not judged, and the report says so.
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.code not in FAULT_CODES:
            raise ValueError(f"unknown fault code {self.code!r}; expected one of {', '.join(FAULT_CODES)}")
        if self.fault_if not in ("below", "above"):
            raise ValueError(f"fault_if must be 'below' or 'above', got {self.fault_if!r}")
        if self.aggregate not in ("sustained", "peak"):
            raise ValueError(f"aggregate must be 'sustained' or 'peak', got {self.aggregate!r}")


@dataclass(frozen=True)
class Cues:
    """Short, kind sentences the UI speaks."""

    start: str = ""  # when a rep (or a guided hold) begins
    hold_reached: str = "Good, now lower slowly"
    hold_broken: str = "Try to hold a little longer"
    rep_done: str = ""
    setup: str = ""  # how to get into position
    hold_short: str = "Hold it a little longer next time"
    too_fast: str = "Slowly, there is no rush"


@dataclass(frozen=True)
class ExerciseDef:
    """Everything the checker needs to know about one exercise."""

    id: str
    title: str
    signal: str  # name in exercises.measures.SIGNALS
    unilateral: bool
    positions: tuple[Orientation, ...]  # accepted body orientations ("unknown" is always accepted)
    views: tuple[View, ...]  # accepted camera views ("unknown" is always accepted)
    enter_deg: float
    exit_deg: float
    min_range_deg: float
    direction: int = 1
    relative_to_rest: bool = False
    rest_deg: float = 0.0
    rest_limit_deg: float = 10.0
    min_peak_deg: float | None = None  # the peak must also pass this absolute value (natural units)
    hold_target_s: float | None = None
    hold_tolerance_s: float = 0.6  # hold_short only when clearly short: a hold is measured to a few tenths
    min_rep_s: float = 0.3
    # Which half of a rep works against gravity: moving away from the start (lifting a leg or the
    # hips) or coming back to it (standing up out of a squat). A rep already under way when the
    # recording starts counts only if that half is seen, as a person counting by eye would.
    effort: Literal["away", "return"] = "away"
    # Whether the hips travel in each rep (a squat goes down, a bridge goes up; a leg raise leaves
    # them where they are): how a recogniser tells exercises apart that move the same joint.
    hips_travel: bool = False
    too_fast_s: float | None = None  # a rep moving (time minus the hold) for less than this is too_fast
    rules: tuple[FormRule, ...] = ()
    # The starting posture: (measure, low, high) bands that must all hold before counting
    # starts and for a rep to start (hook-lying knees for a bridge, hips up for a march).
    gates: tuple[tuple[str, float, float], ...] = ()
    key_joints: tuple[str, ...] = ("shoulder", "hip", "knee", "ankle")
    mode: Literal["reps", "guided_hold"] = "reps"
    relax_s: float = 3.0
    posture_ok: tuple[float, float] = (0.0, 180.0)  # guided mode: knee angle band of the posture
    target_reps: int | None = None  # per side for unilateral exercises
    cues: Cues = field(default_factory=Cues)
    note: str = ""  # shown by the UI: what the camera can and cannot judge, model advice
    safety: str = ""
    recommended_model: str = "full"

    def __post_init__(self) -> None:
        if self.direction not in (1, -1):
            raise ValueError(f"{self.id}: direction must be +1 or -1, got {self.direction}")
        if self.mode == "reps" and self.direction * (self.enter_deg - self.exit_deg) <= 0:
            raise ValueError(
                f"{self.id}: enter_deg must be past exit_deg in the movement's direction "
                f"(direction {self.direction}), got enter {self.enter_deg}, exit {self.exit_deg}"
            )
        if self.min_range_deg < 0:
            raise ValueError(f"{self.id}: min_range_deg must be >= 0, got {self.min_range_deg}")
        if self.hold_target_s is not None and self.hold_target_s <= 0:
            raise ValueError(f"{self.id}: hold_target_s must be positive or None, got {self.hold_target_s}")
        if self.hold_tolerance_s < 0:
            raise ValueError(f"{self.id}: hold_tolerance_s must be >= 0, got {self.hold_tolerance_s}")
        if self.effort not in ("away", "return"):
            raise ValueError(f"{self.id}: effort must be 'away' or 'return', got {self.effort!r}")
        if self.mode not in ("reps", "guided_hold"):
            raise ValueError(f"{self.id}: mode must be 'reps' or 'guided_hold', got {self.mode!r}")
        if self.mode == "guided_hold" and self.hold_target_s is None:
            raise ValueError(f"{self.id}: a guided hold needs hold_target_s")

    @property
    def has_hold(self) -> bool:
        return self.hold_target_s is not None


# ----------------------------------------------------------------------------- shared rules

KNEE_STRAIGHT = FormRule(
    code="knee_bent",
    cue="Keep your knee straight",
    measure="knee_angle",
    limit=145.0,
    fault_if="below",
    min_duration_s=0.5,
    views=("side",),
    only_when_lifted=True,
)
TRUNK_UPRIGHT = FormRule(
    code="trunk_lean",
    cue="Stand tall, keep your body upright",
    measure="trunk_lean",
    limit=12.0,
    fault_if="above",
    min_duration_s=0.5,
    views=("side",),
    needs=("shoulder",),
)
SAFETY_GENERAL = "Stop or ease off if it is hard or it hurts. Done wrongly, exercises can make the pain worse."
LYING_SIDE_NOTE = "Keep your hips, knees and ankles uncovered so the camera can follow them."

GLUTE_SQUEEZE = ExerciseDef(
    id="glute_squeeze",
    title="Glute squeeze",
    signal="hip_angle",
    unilateral=False,
    positions=("supine",),
    views=SIDE_VIEWS,
    enter_deg=0.0,
    exit_deg=0.0,
    min_range_deg=0.0,
    mode="guided_hold",
    hold_target_s=5.0,
    relax_s=3.0,
    posture_ok=(40.0, 140.0),
    target_reps=30,
    cues=Cues(
        start="Squeeze your buttocks and hold",
        hold_reached="And relax",
        hold_broken="Stay lying down with your knees bent",
        setup="Lie on your back, knees bent, feet flat on the floor",
    ),
    note=(
        "A camera cannot see a squeeze. HipCoach guides you through squeeze-and-relax cycles and counts "
        "each one while you stay lying on your back with your knees bent. " + LYING_SIDE_NOTE
    ),
    safety=SAFETY_GENERAL,
)

GLUTE_BRIDGE = ExerciseDef(
    id="glute_bridge",
    title="Glute bridge",
    signal="hip_angle",
    hips_travel=True,
    unilateral=False,
    positions=("supine",),
    views=SIDE_VIEWS,
    # Hook-lying reads 120-150 deg depending on where the feet are and on the model; the
    # thresholds sit above the person's own rest, and the top must still be near a line.
    enter_deg=14.0,
    exit_deg=6.0,
    min_range_deg=15.0,
    relative_to_rest=True,
    rest_deg=132.0,
    rest_limit_deg=20.0,
    min_peak_deg=155.0,
    gates=(("knee_angle_raw", 25.0, 130.0),),
    hold_target_s=5.0,
    too_fast_s=1.5,  # lift + lowering, the hold (now measured at the top only) excluded
    rules=(
        FormRule(
            code="hips_low",
            cue="Lift your hips a little higher, in line with your knees",
            measure="hip_angle",
            limit=168.0,
            fault_if="below",
            aggregate="peak",
        ),
    ),
    target_reps=30,
    cues=Cues(
        start="Squeeze and lift your hips",
        hold_reached="Good, now lower slowly",
        setup="Lie on your back, knees bent, feet flat on the floor",
    ),
    note=(
        "Counts each lift of your hips, and tells you if they stay below a straight line from your "
        "shoulders to your knees. " + LYING_SIDE_NOTE
    ),
    safety=SAFETY_GENERAL,
)

BRIDGE_MARCH = ExerciseDef(
    id="bridge_march",
    title="Bridge march",
    signal="foot_lift",
    unilateral=True,
    positions=("supine",),
    views=SIDE_VIEWS,
    enter_deg=7.0,
    exit_deg=3.0,
    min_range_deg=6.0,
    relative_to_rest=True,
    rest_limit_deg=45.0,  # the ankle's height above the shoulders depends on the camera
    # From a bridge: hips up, knees bent (a leg raised straight beside a flat body is another exercise).
    gates=(("hip_angle", 150.0, 360.0), ("knee_angle_raw", 25.0, 130.0)),
    rules=(
        FormRule(
            code="hips_drop",
            cue="Keep your hips up while you lift your foot",
            measure="pelvis_lift",
            limit=-5.0,
            fault_if="below",
            relative=True,
            min_duration_s=0.3,
            only_when_lifted=True,
        ),
    ),
    target_reps=15,
    cues=Cues(start="", setup="Lift your hips into a bridge, then lift one foot a little"),
    note="Counts each foot lift while your hips stay up in the bridge, and tells you if they drop. " + LYING_SIDE_NOTE,
    safety=SAFETY_GENERAL,
)

STRAIGHT_LEG_RAISE = ExerciseDef(
    id="straight_leg_raise",
    title="Straight leg raise",
    signal="leg_elevation",
    unilateral=True,
    positions=("supine",),
    views=SIDE_VIEWS,
    enter_deg=10.0,
    exit_deg=4.0,
    min_range_deg=8.0,
    relative_to_rest=True,
    rest_limit_deg=8.0,
    hold_target_s=5.0,
    rules=(KNEE_STRAIGHT,),
    cues=Cues(
        start="Lift and hold", hold_reached="Good, now lower slowly", setup="Lie on your back with your legs straight"
    ),
    note="Counts each lift of a straight leg and times the hold, and tells you if the knee bends. " + LYING_SIDE_NOTE,
    safety=SAFETY_GENERAL,
    recommended_model="heavy",
)

HIP_ABDUCTION = ExerciseDef(
    id="hip_abduction",
    title="Hip abduction (lying)",
    signal="leg_abduction",
    unilateral=True,
    # A camera above or at the feet sees a supine body much like a standing one.
    positions=("supine", "standing"),
    views=("front",),
    enter_deg=14.0,
    exit_deg=7.0,
    min_range_deg=10.0,
    relative_to_rest=True,
    rest_limit_deg=25.0,  # legs apart at rest, and the view along the body splays them
    too_fast_s=0.8,
    cues=Cues(setup="Lie on your back with your legs straight and your feet towards the camera"),
    note=(
        "A leg sliding out to the side along the floor is hidden in a side view, so here the camera "
        "looks along your body. From there HipCoach cannot judge a bent knee."
    ),
    safety=SAFETY_GENERAL,
)

PRONE_HIP_EXTENSION = ExerciseDef(
    id="prone_hip_extension",
    title="Prone hip extension",
    signal="leg_elevation",
    unilateral=True,
    positions=("prone",),
    views=SIDE_VIEWS,
    # The lift is small (13-18 deg as tracked): thresholds sized to it, rest learnt per person.
    enter_deg=7.0,
    exit_deg=3.0,
    min_range_deg=6.0,
    relative_to_rest=True,
    rest_limit_deg=8.0,
    hold_target_s=5.0,
    rules=(KNEE_STRAIGHT,),
    cues=Cues(
        start="Lift and hold",
        hold_reached="Good, now lower slowly",
        setup="Lie on your stomach with a pillow under your belly",
    ),
    note=(
        "Counts each lift of a straight leg backwards and times the hold, and tells you if the knee bends. "
        + LYING_SIDE_NOTE
    ),
    safety=SAFETY_GENERAL,
)

STANDING_HIP_FLEXION = ExerciseDef(
    id="standing_hip_flexion",
    title="Standing hip flexion",
    signal="thigh_forward",
    unilateral=True,
    positions=("standing",),
    views=SIDE_VIEWS,
    enter_deg=22.0,
    exit_deg=10.0,
    min_range_deg=18.0,
    relative_to_rest=True,
    rest_limit_deg=10.0,
    too_fast_s=0.8,
    rules=(KNEE_STRAIGHT, TRUNK_UPRIGHT),
    cues=Cues(setup="Stand side-on to the camera, holding a support"),
    note="Counts each lift of a straight leg forward, and tells you if the knee bends or you lean.",
    safety=SAFETY_GENERAL,
)

STANDING_HIP_EXTENSION = ExerciseDef(
    id="standing_hip_extension",
    title="Standing hip extension",
    signal="thigh_backward",
    unilateral=True,
    positions=("standing",),
    views=SIDE_VIEWS,
    enter_deg=11.0,
    exit_deg=5.0,
    min_range_deg=9.0,
    relative_to_rest=True,
    rest_limit_deg=8.0,
    too_fast_s=0.8,
    rules=(KNEE_STRAIGHT, TRUNK_UPRIGHT),
    cues=Cues(setup="Stand side-on to the camera, holding a support with both hands"),
    note="Counts each lift of a straight leg backward, and tells you if the knee bends or you lean.",
    safety=SAFETY_GENERAL,
)

SQUAT = ExerciseDef(
    id="squat",
    title="Squat",
    signal="squat_knee_angle",
    unilateral=False,
    positions=("standing",),
    views=("side", "oblique", "front"),
    direction=-1,
    effort="return",
    hips_travel=True,
    # Counted from the legs: framed from the waist down, squats still count (the head and trunk
    # checks then say they cannot judge).
    key_joints=("hip", "knee", "ankle"),
    enter_deg=140.0,
    exit_deg=155.0,
    min_range_deg=25.0,
    too_fast_s=0.7,
    rules=(
        FormRule(
            code="shallow",
            cue="Lower your hips down to knee level",
            measure="thigh_drop",
            limit=35.0,
            fault_if="above",
            aggregate="peak",
            views=("side", "oblique", "front"),
        ),
        FormRule(
            code="head_lowered",
            cue="Keep your head up and look ahead",
            measure="head_drop",
            limit=50.0,
            fault_if="above",
            min_duration_s=0.4,
            views=("side",),
            needs=("ear", "nose"),
        ),
        FormRule(
            # From an angle the lean reads smaller than it is: judging it there cannot nag.
            code="trunk_lean",
            cue="Keep your chest up",
            measure="trunk_lean",
            limit=55.0,
            fault_if="above",
            min_duration_s=0.3,
            views=("side", "oblique"),
            needs=("shoulder",),
        ),
    ),
    cues=Cues(setup="Stand with your heels shoulder-width apart, whole body in view"),
    note=(
        "Counts each squat down to knee level and back up. The side is best: only from there can "
        "HipCoach also check your head and your trunk; the front or an angle works for counting."
    ),
    safety="Warm up first. " + SAFETY_GENERAL,
)

ALL_DEFINITIONS: tuple[ExerciseDef, ...] = (
    GLUTE_SQUEEZE,
    GLUTE_BRIDGE,
    BRIDGE_MARCH,
    STRAIGHT_LEG_RAISE,
    HIP_ABDUCTION,
    PRONE_HIP_EXTENSION,
    STANDING_HIP_FLEXION,
    STANDING_HIP_EXTENSION,
    SQUAT,
)
