"""Stills of where the laptop goes for each exercise, for the window's exercise picker.

``python -m tools.render.camera_diagrams [OUT_DIR]`` (default ``app/gui/assets/``) writes
``camera_<exercise>.png``: the figure in its exercise position, seen from above and behind the
laptop, with the laptop (on a stool or table) where the sample clips' camera stands, and a light
wedge for what its camera sees. The laptop is placed by the same framing code as the clips
(:class:`ClipBuilder`), so the drawing and the clips the engine is tested on agree.
Rendered once and committed; the window only loads the PNGs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import cv2
import numpy as np

from .posing import ClipBuilder
from .renderer import Camera, Renderer
from .request import Request
from .timeline import params_at

log = logging.getLogger(__name__)

OUT_DIR = Path(__file__).resolve().parents[2] / "app" / "gui" / "assets"
WIDTH, HEIGHT = 400, 260
# The camera view each exercise is coached from (the first one the engine accepts).
VIEWS = {"hip_abduction": "feet"}
SUPPORTED = ("standing_hip_flexion", "standing_hip_extension")

LAPTOP_BASE = (0.34, 0.02, 0.24)  # width, thickness, depth in m
LAPTOP_LID = (0.34, 0.23)  # width, height
DARK = (0.06, 0.06, 0.07)
SCREEN = (0.25, 0.55, 0.95)
STAND = (0.35, 0.22, 0.12)


def _box(centre: np.ndarray, axes: np.ndarray, half: tuple[float, float, float], rgb) -> tuple[np.ndarray, np.ndarray]:
    """A box as 6 separate quads (flat shading): rows of (x, y, z, r, g, b) and triangles."""
    rows, tris = [], []
    for a in range(3):
        for sign in (-1.0, 1.0):
            b, c = [k for k in range(3) if k != a]
            face = []
            for sb, sc in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                p = centre + axes[a] * half[a] * sign + axes[b] * half[b] * sb + axes[c] * half[c] * sc
                face.append(p)
            n = len(rows)
            rows += [[*p, *rgb] for p in face]
            tris += [[n, n + 1, n + 2], [n, n + 2, n + 3]]
    return np.asarray(rows, float), np.asarray(tris, np.int32)


def laptop_mesh(eye: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A laptop whose lid's top edge (the webcam) is at ``eye``, facing ``target``, on a stand."""
    fwd = target - eye
    fwd[1] = 0
    fwd /= np.linalg.norm(fwd)
    up = np.array([0.0, 1.0, 0.0])
    side = np.cross(fwd, up)
    axes = np.array([side, up, fwd])
    lid_w, lid_h = LAPTOP_LID
    base_y = eye[1] - lid_h
    base_c = eye + fwd * (LAPTOP_BASE[2] / 2)
    base_c[1] = base_y + LAPTOP_BASE[1] / 2
    parts = [
        _box(base_c, axes, (LAPTOP_BASE[0] / 2, LAPTOP_BASE[1] / 2, LAPTOP_BASE[2] / 2), DARK),
        _box(np.array([eye[0], base_y + lid_h / 2, eye[2]]), axes, (lid_w / 2, lid_h / 2, 0.01), DARK),
        # The screen's face, just in front of the lid, so the side the camera looks from is obvious.
        _box(
            np.array([eye[0], base_y + lid_h / 2, eye[2]]) + fwd * 0.012,
            axes,
            (lid_w / 2 - 0.02, lid_h / 2 - 0.02, 0.002),
            SCREEN,
        ),
    ]
    if base_y > 0.05:  # a stool or table under it
        stand_c = base_c.copy()
        stand_c[1] = base_y / 2
        parts.append(_box(stand_c, axes, (0.22, base_y / 2 - 0.001, 0.2), STAND))
    rows, tris, n = [], [], 0
    for r, t in parts:
        rows.append(r)
        tris.append(t + n)
        n += len(r)
    return np.concatenate(rows), np.concatenate(tris)


def support_mesh(lm: dict, forward: np.ndarray, away: np.ndarray, beside: bool) -> tuple[np.ndarray, np.ndarray]:
    """A block to hold at hand height: in front of the person (both hands), or ``beside`` them on the side
    away from the camera (one hand), so it never hides the moving leg from the laptop."""
    top = float(min(lm["left_wrist"][1], lm["right_wrist"][1])) - 0.03
    fwd, away = (np.asarray(v, float).copy() for v in (forward, away))
    for v in (fwd, away):
        v[1] = 0
        v /= np.linalg.norm(v)
    up = np.array([0.0, 1.0, 0.0])
    axes = np.array([np.cross(fwd, up), up, fwd])
    if beside:
        centre = (lm["left_hip"] + lm["right_hip"]) / 2 + away * 0.45
        half = (0.12, top / 2, 0.2)
    else:
        centre = (lm["left_wrist"] + lm["right_wrist"]) / 2 + fwd * 0.1
        half = (0.3, top / 2, 0.1)
    centre = np.asarray(centre, float)
    centre[1] = top / 2
    return _box(centre, axes, half, STAND)


def overview_camera(clip_cam: Camera) -> Camera:
    """Above and behind the laptop, turned a little, so laptop and figure are both in the picture."""
    target = np.asarray(clip_cam.target, float)
    back = np.asarray(clip_cam.eye, float) - target
    back[1] = 0
    dist = float(np.linalg.norm(back))
    back /= dist
    turn = np.radians(40.0)
    rot = np.array([[np.cos(turn), 0, np.sin(turn)], [0, 1, 0], [-np.sin(turn), 0, np.cos(turn)]])
    eye = target + rot @ back * (dist + 0.9)
    eye[1] = 2.6
    look = target + (np.asarray(clip_cam.eye) - target) * 0.4
    look[1] = 0.2 + 0.5 * max(0.0, float(target[1]) - 0.3)  # standing figures: aim higher
    return Camera(np.round(eye, 3), np.round(look, 3), 50.0, WIDTH, HEIGHT)


def render_diagram(exercise: str, renderer_cache: dict | None = None) -> np.ndarray:
    """The BGR still for one exercise."""
    req = Request(exercise, reps=1, view=VIEWS.get(exercise), no_setup=True, width=WIDTH, height=HEIGHT)
    builder = ClipBuilder(req)
    rep = builder.reps[0]
    # Part-way into the first rep: the position and the movement both show.
    t = rep.start_s + 0.6 * (rep.peak_s - rep.start_s)
    verts, _, lm = builder._pose(params_at(builder.keys, builder.timebase.source(t)), t=t)
    clip_cam = builder.camera
    lap_rows, lap_tris = laptop_mesh(np.asarray(clip_cam.eye, float), np.asarray(clip_cam.target, float))
    if exercise in SUPPORTED:  # the chair back or worktop the article has the person hold
        away = np.asarray(clip_cam.target, float) - np.asarray(clip_cam.eye, float)
        sup_rows, sup_tris = support_mesh(lm, builder.forward, away, beside=exercise == "standing_hip_flexion")
        lap_rows, lap_tris = np.concatenate([lap_rows, sup_rows]), np.concatenate([lap_tris, sup_tris + len(lap_rows)])
    tris = np.concatenate([builder.figure.triangles, lap_tris + len(verts)])
    all_verts = np.concatenate([verts, lap_rows[:, :3]])
    colors = np.concatenate([builder.colors, (np.asarray(lap_rows[:, 3:]) ** 2.2)])
    view = overview_camera(clip_cam)
    renderer = Renderer(WIDTH, HEIGHT, tris, supersample=2)
    try:
        img = renderer.render(all_verts.astype("f4"), colors.astype("f4"), view, builder.scene())
    finally:
        renderer.release()
    # What the laptop's camera sees: a light wedge from its lens over the body, under the figure.
    lens = view.project(np.asarray(clip_cam.eye, float)[None])[0]
    body = view.project(np.array([v for k, v in lm.items() if k.endswith(("ankle", "shoulder", "hip", "nose"))]))
    hull = cv2.convexHull(np.vstack([body, lens[None]]).astype(np.int32))
    overlay = img.copy()
    cv2.fillConvexPoly(overlay, hull, (120, 230, 255), lineType=cv2.LINE_AA)
    img = cv2.addWeighted(overlay, 0.28, img, 0.72, 0)
    centre = tuple(int(round(v)) for v in lens)
    cv2.circle(img, centre, 5, (0, 200, 255), -1, cv2.LINE_AA)
    return img


def main(argv: list[str] | None = None) -> int:
    from exercises.registry import EXERCISE_IDS

    parser = argparse.ArgumentParser(prog="python -m tools.render.camera_diagrams", description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT_DIR)
    parser.add_argument("--only", choices=EXERCISE_IDS, help="render one exercise")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    for exercise in [args.only] if args.only else EXERCISE_IDS:
        path = args.out / f"camera_{exercise}.png"
        cv2.imwrite(str(path), render_diagram(exercise), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        log.info("wrote %s (%d KB)", path, path.stat().st_size // 1024)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
