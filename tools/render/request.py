"""What a clip is asked to be: the person's look (colours, build, light) and the request (exercise,
reps, faults, timing, camera, the hard cases of issue 15). The same request renders the same pixels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .motions import FAULT_CODES, MOTIONS, Motion

SKIN = {
    "light": (0.87, 0.70, 0.58),
    "medium": (0.74, 0.55, 0.42),
    "tan": (0.62, 0.44, 0.31),
    "brown": (0.45, 0.30, 0.20),
    "dark": (0.30, 0.20, 0.14),
}
HAIR = {
    "black": (0.05, 0.04, 0.04),
    "brown": (0.25, 0.15, 0.08),
    "blond": (0.70, 0.58, 0.35),
    "grey": (0.55, 0.55, 0.55),
    "red": (0.45, 0.18, 0.08),
}
CLOTH = {
    "blue": (0.15, 0.30, 0.62),
    "red": (0.65, 0.12, 0.12),
    "green": (0.18, 0.45, 0.25),
    "grey": (0.45, 0.45, 0.47),
    "black": (0.08, 0.08, 0.10),
    "white": (0.85, 0.85, 0.85),
    "yellow": (0.80, 0.65, 0.15),
    "purple": (0.40, 0.20, 0.50),
    "navy": (0.10, 0.12, 0.30),
}
FLOORS = {
    "wood": (0.55, 0.40, 0.26),
    "beige": (0.70, 0.62, 0.50),
    "grey": (0.42, 0.42, 0.44),
    "mat_blue": (0.25, 0.35, 0.55),
    "mat_green": (0.30, 0.45, 0.32),
}
WALLS = {
    "white": (0.88, 0.88, 0.85),
    "cream": (0.85, 0.80, 0.68),
    "sage": (0.62, 0.70, 0.60),
    "grey": (0.62, 0.62, 0.64),
    "blue": (0.62, 0.70, 0.80),
}


@dataclass(frozen=True)
class Look:
    skin: str = "medium"
    hair: str = "brown"
    shirt: str = "blue"
    shorts: str = "black"
    socks: str = "white"
    floor: str = "wood"
    wall: str = "white"
    height: float = 1.0  # body scale factor
    girth: float = 1.0  # width/depth scale factor
    sun_azimuth_deg: float = 35.0
    sun_elevation_deg: float = 55.0

    @classmethod
    def random(cls, rng: np.random.Generator) -> Look:
        pick = lambda d: str(rng.choice(sorted(d)))  # noqa: E731
        shirt = pick(CLOTH)
        return cls(
            skin=pick(SKIN),
            hair=pick(HAIR),
            shirt=shirt,
            shorts=pick([c for c in CLOTH if c != shirt]),
            socks=str(rng.choice(["white", "grey", "black"])),
            floor=pick(FLOORS),
            wall=pick(WALLS),
            height=float(rng.uniform(0.92, 1.08)),
            girth=float(rng.uniform(0.92, 1.15)),
            sun_azimuth_deg=float(rng.uniform(-60, 60)),
            sun_elevation_deg=float(rng.uniform(40, 70)),
        )


@dataclass(frozen=True)
class Request:
    """Everything that decides a clip; the same request renders the same pixels."""

    exercise: str
    reps: int = 4
    faults: dict[str, tuple[int, ...]] = field(default_factory=dict)  # code -> 1-based reps
    sides: str = "alternate"  # alternate | left | right | left-then-right | right-then-left
    tempo: float = 1.0  # multiplies up/down durations
    hold_s: float | None = None  # None: the exercise's target (5 s where it has one)
    short_hold_s: float = 2.0  # the hold of a rep with hold_short
    rest_s: float | None = None
    rom: float = 1.0  # range of motion factor
    view: str | None = None  # side | front | oblique | feet | above; None: the first valid
    facing: str = "right"  # standing: where the person looks; lying: where the feet point
    camera_distance_m: float | None = None  # None: frame the movement automatically
    camera_height_m: float | None = None
    camera_azimuth_deg: float = 0.0
    fov_y_deg: float = 45.0
    setup_s: float = 2.0
    tail_s: float = 1.0
    fps: float = 30.0
    width: int = 480
    height: int = 360
    supersample: int = 2
    look: Look = field(default_factory=Look)
    seed: int = 0
    variation: float = 0.1  # per-rep random spread of tempo, rest and range (from the seed)
    # How real sets differ from the tidy default (issue 15); the defaults keep the tidy clip.
    no_setup: bool = False  # no walk-in / lying down: in position (or moving) at frame 0
    start_phase: float = 0.0  # with no_setup: how far into rep 1's way to its peak frame 0 is (0..1)
    tempo_jitter: float = 0.0  # extra per-rep tempo spread, +-fraction (own random stream)
    tempo_end: float = 1.0  # the last rep's duration relative to the first (< 1: speeds up)
    ballistic: bool = False  # squat only: jump squats, the feet leave the floor at the top
    cut_rep: int | None = None  # hard cut: mid-descent of this rep to mid-ascent of the next, new camera
    bystander: str | None = None  # "walk": a second person walks back and forth behind

    def validate(self) -> Motion:
        if self.exercise not in MOTIONS:
            raise ValueError(f"unknown exercise {self.exercise!r}; expected one of {', '.join(sorted(MOTIONS))}")
        m = MOTIONS[self.exercise]
        for code in self.faults:
            if code not in FAULT_CODES:
                raise ValueError(f"unknown fault {code!r}; expected one of {', '.join(FAULT_CODES)}")
            if code not in m.faults:
                raise ValueError(
                    f"fault {code!r} cannot be shown for {self.exercise}; it takes {', '.join(m.faults) or 'none'}"
                )
            bad = [r for r in self.faults[code] if not 1 <= r <= self.reps]
            if bad:
                raise ValueError(f"fault {code!r} on reps {bad}: expected reps 1..{self.reps}")
        if self.view is not None and self.view not in m.views:
            raise ValueError(f"view {self.view!r} for {self.exercise}: expected one of {', '.join(m.views)}")
        if self.facing not in ("left", "right"):
            raise ValueError(f"facing must be 'left' or 'right', got {self.facing!r}")
        if self.width % 2 or self.height % 2 or self.width < 16 or self.height < 16:
            raise ValueError(f"size {self.width}x{self.height}: expected even numbers of at least 16")
        if self.reps < 1:
            raise ValueError(f"reps must be at least 1, got {self.reps}")
        if not 0.0 <= self.start_phase < 1.0:
            raise ValueError(f"start_phase must be in [0, 1), got {self.start_phase}")
        if self.start_phase and not self.no_setup:
            raise ValueError("start_phase needs no_setup (a clip that starts mid-rep has no walk-in)")
        if not 0.0 <= self.tempo_jitter < 0.8 or not 0.2 <= self.tempo_end <= 3.0:
            raise ValueError(
                f"tempo_jitter {self.tempo_jitter}, tempo_end {self.tempo_end}: expected "
                "0 <= tempo_jitter < 0.8 and 0.2 <= tempo_end <= 3"
            )
        if self.ballistic and self.exercise != "squat":
            raise ValueError(f"ballistic (jump) reps exist for squat only, not {self.exercise}")
        if self.cut_rep is not None and not 1 <= self.cut_rep < self.reps:
            raise ValueError(f"cut_rep {self.cut_rep}: expected 1..{self.reps - 1} (the cut resumes in the next rep)")
        if self.bystander not in (None, "walk"):
            raise ValueError(f"bystander {self.bystander!r}: expected 'walk'")
        if self.sides not in ("alternate", "left", "right", "left-then-right", "right-then-left"):
            raise ValueError(
                f"sides {self.sides!r}: expected alternate, left, right, left-then-right or right-then-left"
            )
        return m
