"""Values the checker hands out: per-frame state, events, and the report records.

All are frozen dataclasses; ``dataclasses.asdict(x)`` or ``x.to_json()`` gives plain dicts
(``to_json`` of events adds their ``kind``). Times are seconds from the frame timestamps.
The codes they carry, and the words for each, are :mod:`exercises.vocabulary`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


class _Json:
    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


# ------------------------------------------------------------------------- report records


@dataclass(frozen=True)
class RepRecord(_Json):
    """One completed repetition (``reps_detail`` in the JSON report)."""

    index: int
    side: str | None
    start_s: float
    end_s: float
    peak_angle_deg: float | None
    hold_s: float | None  # None when the exercise has no hold
    faults: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FaultRecord(_Json):
    """One form fault (``faults`` in the JSON report); ``rep`` is the rep index it belongs to."""

    code: str
    rep: int | None
    t_s: float
    cue: str


@dataclass(frozen=True)
class StatusInterval(_Json):
    """A span of "why I'm not counting" (``status`` in the JSON report)."""

    code: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class NoteInterval(_Json):
    """A span of something worth knowing that does not stop counting (``notes`` in the JSON);
    ``detail`` says more (e.g. which form checks could not be made)."""

    code: str
    start_s: float
    end_s: float
    detail: str = ""


@dataclass(frozen=True)
class PartialRecord(_Json):
    """A movement that started but did not count; ``reason``: a key of exercises.vocabulary.PARTIALS."""

    side: str | None
    start_s: float
    end_s: float
    peak_angle_deg: float | None
    reason: str
    faults: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------- events


@dataclass(frozen=True)
class _Event(_Json):
    kind: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class RepStarted(_Event):
    kind: ClassVar[str] = "rep_started"
    t_s: float
    rep: int  # index this rep will get if it completes
    side: str | None
    cue: str = ""  # e.g. the guided squeeze: "Squeeze your buttocks and hold"


@dataclass(frozen=True)
class RepCompleted(_Event):
    kind: ClassVar[str] = "rep_completed"
    t_s: float
    rep: int
    side: str | None
    reps: int
    reps_by_side: dict[str, int] | None
    record: RepRecord
    cue: str = ""


@dataclass(frozen=True)
class HoldReached(_Event):
    kind: ClassVar[str] = "hold_reached"
    t_s: float
    rep: int
    hold_s: float
    cue: str = ""


@dataclass(frozen=True)
class HoldBroken(_Event):
    kind: ClassVar[str] = "hold_broken"
    t_s: float
    rep: int
    hold_s: float
    target_s: float
    cue: str = ""


@dataclass(frozen=True)
class FaultRaised(_Event):
    kind: ClassVar[str] = "fault"
    t_s: float
    code: str
    rep: int
    cue: str  # speak this


@dataclass(frozen=True)
class PartialRep(_Event):
    kind: ClassVar[str] = "partial_rep"
    t_s: float
    record: PartialRecord


@dataclass(frozen=True)
class StatusChanged(_Event):
    kind: ClassVar[str] = "status_changed"
    t_s: float
    code: str | None  # None: counting again
    previous: str | None
    message: str  # what to show / say; empty when the status clears


Event = RepStarted | RepCompleted | HoldReached | HoldBroken | FaultRaised | PartialRep | StatusChanged


# ------------------------------------------------------------------------- state


@dataclass(frozen=True)
class CheckerState(_Json):
    """The running state after one frame, for the live display.

    ``phase``: ``setup`` (not ready: getting into position), ``rest`` (ready, between reps),
    ``active`` (in a rep), ``relax`` (guided squeeze: the relax part of the cycle).
    ``angle_deg`` is the counting signal now (natural units, see the definition), and
    ``target_deg`` the value it must pass for a rep to start; ``rest_deg`` the value it must come
    back past to finish. ``hold_s`` is the running hold (0 when not holding).
    """

    t_s: float
    exercise: str
    phase: str
    reps: int
    reps_by_side: dict[str, int] | None
    side: str | None
    hold_s: float
    hold_target_s: float | None
    angle_deg: float | None
    target_deg: float | None
    rest_deg: float | None
    faults: tuple[str, ...]  # raised in the current rep
    status: str | None
    status_message: str


@dataclass(frozen=True)
class CheckerStep:
    """What :meth:`ExerciseChecker.update` returns for one frame."""

    state: CheckerState
    events: tuple[Event, ...] = ()
