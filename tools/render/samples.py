"""The committed ``sample_videos/`` set: one table of generator command lines, and the manifest.

Regenerate everything (same commands, same clips)::

    python -m tools.render.samples                 # all clips + sample_videos/manifest.json
    python -m tools.render.samples --only squat_side_ok --jobs 2

Each clip is rendered by the generator's own command line, so a row here is also an example of it.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "sample_videos"

# The gates `hipcoach eval` must meet on these clips (issue 4).
THRESHOLDS = {
    "within_one_rate": 1.0,  # every clip within one rep
    "exact_count_rate": 0.95,
    "per_side_exact_rate": 0.90,  # unilateral clips with both side counts exact
    "hold_error_max_s": 0.5,  # every matched rep's hold within 0.5 s of the truth
    "fault_precision": 0.90,
    "fault_recall": 0.80,
}

# name -> generator arguments after EXERCISE OUT.
CLIPS: dict[str, str] = {
    "squat_side_ok": "squat --reps 5 --seed 1",
    "squat_side_faults": "squat --reps 5 --fault head_lowered:2 --fault shallow:4 --facing left --look random --seed 2",
    "squat_front_ok": "squat --reps 4 --view front --look skin=dark,shirt=white,shorts=navy,floor=grey --seed 3",
    "squat_oblique_lean": "squat --reps 4 --view oblique --camera-azimuth 35 --fault trunk_lean:2,3 "
    "--look random --seed 4",
    "squat_side_fast": "squat --reps 4 --fault too_fast:3 --facing left --look skin=light,hair=blond,shirt=green "
    "--seed 5",
    "glute_squeeze_ok": "glute_squeeze --reps 3 --seed 6",
    "glute_squeeze_variant": "glute_squeeze --reps 4 --facing left --look random --seed 7",
    "glute_bridge_ok": "glute_bridge --reps 3 --seed 8",
    "glute_bridge_faults": "glute_bridge --reps 4 --fault hips_low:2 --fault hold_short:3 --facing left "
    "--look random --seed 9",
    "glute_bridge_fast": "glute_bridge --reps 3 --fault too_fast:2 --look skin=brown,shirt=grey,floor=mat_blue "
    "--seed 10",
    "bridge_march_ok": "bridge_march --reps 6 --seed 11",
    "bridge_march_drop": "bridge_march --reps 6 --fault hips_drop:3,4 --facing left --look random --seed 12",
    "straight_leg_raise_ok": "straight_leg_raise --reps 4 --seed 13",
    "straight_leg_raise_faults": "straight_leg_raise --reps 4 --sides left-then-right --fault knee_bent:1 "
    "--fault hold_short:3 --facing left --look random --seed 14",
    "hip_abduction_ok": "hip_abduction --reps 6 --view feet --seed 15",
    "hip_abduction_faults": "hip_abduction --reps 6 --view feet --fault knee_bent:2,5 --fault too_fast:4 "
    "--look random --seed 16",
    "prone_hip_extension_ok": "prone_hip_extension --reps 4 --seed 17",
    "prone_hip_extension_faults": "prone_hip_extension --reps 4 --fault knee_bent:2 --fault hold_short:3 "
    "--facing left --look random --seed 18",
    "standing_hip_flexion_ok": "standing_hip_flexion --reps 6 --seed 19",
    "standing_hip_flexion_faults": "standing_hip_flexion --reps 6 --fault knee_bent:2 --fault trunk_lean:4 "
    "--facing left --look random --seed 20",
    "standing_hip_extension_ok": "standing_hip_extension --reps 6 --look skin=tan,shirt=purple --seed 21",
    "standing_hip_extension_faults": "standing_hip_extension --reps 6 --fault trunk_lean:1 --fault knee_bent:3 "
    "--fault too_fast:5 --facing left --look random --seed 22",
    # Other cameras and bodies, so thresholds do not fit one framing.
    "glute_bridge_low_camera": "glute_bridge --reps 3 --camera-height 0.35 --fov 55 --look random --seed 23",
    "straight_leg_raise_high_camera": "straight_leg_raise --reps 4 --sides right-then-left --camera-height 1.6 "
    "--look random --seed 24",
    "squat_side_far": "squat --reps 5 --camera-distance 3.6 --camera-height 1.3 --fov 50 --look random --seed 25",
    "hip_abduction_above": "hip_abduction --reps 4 --view above --sides right --look random --seed 26",
    "standing_hip_flexion_high": "standing_hip_flexion --reps 6 --sides right-then-left --camera-height 1.5 "
    "--camera-azimuth 20 --look random --seed 27",
}

# Issue 15, "counting that holds up on real people": sets that move like real ones. Gated like the
# others; each manifest entry also says which case it is ("case").
HARD_CASES: dict[str, tuple[str, str]] = {
    "squat_side_continuous": ("continuous", "squat --reps 6 --continuous --tempo 0.7 --look random --seed 31"),
    "glute_bridge_continuous": (
        "continuous",
        "glute_bridge --reps 4 --continuous --fault hold_short "
        "--short-hold 0.5 --tempo 0.6 --facing left --look random --seed 32",
    ),
    "standing_hip_flexion_tempo": (
        "continuous_varying_tempo",
        "standing_hip_flexion --reps 7 --continuous --tempo-jitter 0.2 --tempo-end 0.55 --look random --seed 33",
    ),
    "squat_side_jump": (
        "ballistic",
        "squat --reps 5 --ballistic --rest 0.1 --setup 1 --camera-distance 2.5 "
        "--camera-height 1.15 --look random --seed 34",
    ),
    "squat_side_midrep": (
        "starts_mid_rep",
        "squat --reps 4 --no-setup --start-phase 0.9 --tempo 0.8 --facing left --look random --seed 35",
    ),
    "squat_side_bystander": (
        "second_person",
        "squat --reps 4 --bystander walk --setup 1 --tempo 0.8 --rest 0.5 --look random --seed 36",
    ),
    "squat_side_cut": ("hard_cut", "squat --reps 5 --cut 2 --setup 1 --tempo 0.8 --look random --seed 37"),
}
ALL_ARGS: dict[str, str] = {**CLIPS, **{name: args for name, (_, args) in HARD_CASES.items()}}

# Routines (issue 13): several exercises in one clip, for scoring recognition and segmentation.
# name -> arguments of ``python -m tools.render.routine`` after OUT.
ROUTINES: dict[str, str] = {
    "routine_walk_between": "--transitions walk --part standing_hip_extension:4 --part squat:3 "
    "--part hip_abduction:3 --camera-height 1.5 --look random --seed 41",
    "routine_squat_bridges": "--part squat:3,tempo=0.9 --part glute_bridge:3,rest=1 --part bridge_march:3 "
    "--look random --seed 42",
    "routine_roll_over": "--part standing_hip_flexion:4 --part prone_hip_extension:3,rest=1 --part bridge_march:3 "
    "--look random --seed 43",
}


def command(name: str) -> list[str]:
    if name in ROUTINES:
        args = shlex.split(ROUTINES[name])
        return [sys.executable, "-m", "tools.render.routine", f"{OUT_DIR.name}/{name}.mp4", *args, "-q"]
    args = shlex.split(ALL_ARGS[name])
    return [sys.executable, "-m", "tools.render", args[0], f"{OUT_DIR.name}/{name}.mp4", *args[1:], "-q"]


def _rendered(table: dict[str, str]) -> Iterator[tuple[str, str, dict]]:
    """(name, generator args, truth) of each clip of ``table`` already rendered; the others are named."""
    for name, args in table.items():
        if not (OUT_DIR / f"{name}.json").exists():
            print(f"warning: {name} not rendered yet; left out of the manifest", file=sys.stderr)
            continue
        yield name, args, json.loads((OUT_DIR / f"{name}.json").read_text())


def _entries(table: dict[str, str]) -> list[dict]:
    return [
        {
            "name": name,
            "video": f"{name}.mp4",
            "truth": f"{name}.json",
            "exercise": truth["exercise"],
            "reps": truth["reps"],
            "reps_by_side": truth["reps_by_side"],
            "faults": sorted({f["code"] for f in truth["faults"]}),
            "view": truth["camera"]["view"],
            "generator_args": args,
        }
        for name, args, truth in _rendered(table)
    ]


def _routine_entries() -> list[dict]:
    return [
        {
            "name": name,
            "video": f"{name}.mp4",
            "truth": f"{name}.json",
            "exercises": [s["exercise"] for s in truth["segments"]],
            "reps": [s["reps"] for s in truth["segments"]],
            "generator_args": args,
        }
        for name, args, truth in _rendered(ROUTINES)
    ]


def manifest() -> dict:
    clips = _entries(CLIPS)
    hard = _entries({name: args for name, (_, args) in HARD_CASES.items()})
    for entry in hard:
        entry["case"] = HARD_CASES[entry["name"]][0]
    return {
        "schema": 1,
        "about": "Clips rendered by tools/render with exact truth. Paths are relative to this file. "
        "Regenerate with: python -m tools.render.samples. 'routines' are clips of several exercises in a row "
        "(python -m tools.render.routine OUT.mp4 GENERATOR_ARGS); their truth has one segment per exercise",
        "thresholds": THRESHOLDS,
        # The last ones move like real sets (continuous, jumps, mid-rep start, a second person,
        # a hard cut): they carry a "case".
        "clips": clips + hard,
        # Real people (not generated): evaluated and printed, never gated.
        "report_only": [{"name": "shared_real_clips", "clips_json": "../../shared/clips/clips.json"}],
        "routines": _routine_entries(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.render.samples", description="Render sample_videos/.")
    p.add_argument("--only", nargs="*", help="clip names (default: all)")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--manifest-only", action="store_true")
    p.add_argument("--list", action="store_true", help="print the command lines and exit")
    args = p.parse_args(argv)
    names = args.only or [*ALL_ARGS, *ROUTINES]
    unknown = [n for n in names if n not in ALL_ARGS and n not in ROUTINES]
    if unknown:
        known = ", ".join([*ALL_ARGS, *ROUTINES])
        print(f"error: unknown clip(s) {unknown}; expected some of {known}", file=sys.stderr)
        return 2
    if args.list:
        for n in names:
            print(shlex.join(command(n)[1:]))
        return 0
    if not args.manifest_only:

        def run(name: str) -> int:
            rc = subprocess.run(command(name), cwd=ROOT).returncode
            print(f"{name}: {'ok' if rc == 0 else f'failed ({rc})'}", file=sys.stderr)
            return rc

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            if any(list(pool.map(run, names))):
                return 1
    (OUT_DIR / "manifest.json").write_text(json.dumps(manifest(), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
