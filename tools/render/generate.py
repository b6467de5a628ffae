"""From a request (exercise, reps, faults, look, camera) to an mp4 and its truth JSON.

The clip is a timeline of motion parameters: a setup period (walking in, or sitting and lying
back), then for each rep ``up -> hold -> down -> rest`` towards that rep's peak, eased with a
cosine. Every frame is posed (FK + skinning), placed so the anchored body points stay put and the
lowest point touches the floor, rendered, and its landmarks projected for the truth.

The parts: ``request`` (what is asked), ``timeline`` (keyframes and the reps' truth), ``posing``
(the figure and camera per frame), ``truth`` (the JSON), ``video_writer`` (the mp4); this module
renders the frames and writes both files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .posing import ClipBuilder
from .renderer import Renderer
from .request import Request
from .rig import true_angles
from .truth import BLAZEPOSE, truth_header
from .video_writer import VideoWriter


def frames(builder: ClipBuilder, renderer: Renderer | None = None) -> Iterator[tuple[np.ndarray, dict]]:
    """Rendered BGR frames with their per-frame truth."""
    req = builder.req
    own = renderer is None
    tris = builder.figure.triangles
    other = builder.bystander
    if other is not None:  # two copies of the mesh in one scene
        tris = np.concatenate([tris, tris + len(builder.figure.part)])
        colors = np.concatenate([builder.colors, other.colors])
    else:
        colors = builder.colors
    renderer = renderer or Renderer(req.width, req.height, tris, req.supersample)
    scene = builder.scene()
    try:
        for i in range(builder.frames):
            t = i / req.fps
            verts, _, lm = builder.pose_at(t)
            camera = builder.camera_at(t)
            info: dict = {"t_s": round(t, 4)}
            if other is not None:
                v2 = other.pose_at(t)
                verts = np.concatenate([verts, v2])
                info["bystander_bbox_px"] = _bbox_in_view(camera.project(v2[::5]), req.width, req.height)
            img = renderer.render(verts, colors, camera, scene)
            pts3 = np.array([lm[n] for n in BLAZEPOSE])
            px = camera.project(pts3)
            info.update(
                {
                    "landmarks_px": np.round(px, 1).tolist(),
                    "landmarks_world_m": np.round(pts3, 4).tolist(),
                    "angles_deg": true_angles(lm),
                }
            )
            if builder.timebase.cut_s is not None:
                info["shot"] = int(builder.timebase.after_cut(t))
            yield img, info
    finally:
        if own:
            renderer.release()


def _bbox_in_view(px: np.ndarray, width: int, height: int) -> list[float] | None:
    """Bounding box [x0, y0, x1, y1] of projected points clipped to the image; None when outside."""
    x0, y0 = np.maximum(px.min(axis=0), 0)
    x1, y1 = np.minimum(px.max(axis=0), [width, height])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return [round(float(v), 1) for v in (x0, y0, x1, y1)]


def render_clip(
    req: Request, out_mp4: Path, truth_path: Path | None = None, progress=None, codec: str = "auto", world: bool = False
) -> dict:
    """Render ``req`` to ``out_mp4`` and write the truth JSON (default: same name, ``.json``).

    ``world`` keeps each frame's 3D landmark positions (m) in the truth too.
    """
    builder = ClipBuilder(req)
    out_mp4 = Path(out_mp4)
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    truth_path = Path(truth_path) if truth_path else out_mp4.with_suffix(".json")
    writer = VideoWriter(out_mp4, req.fps, req.width, req.height, codec)
    per_frame = []
    try:
        for i, (img, info) in enumerate(frames(builder)):
            writer.write(img)
            if not world:
                del info["landmarks_world_m"]
            per_frame.append(info)
            if progress:
                progress(i + 1, builder.frames)
    finally:
        writer.close()
    truth = truth_header(builder)
    truth["video"] = out_mp4.name
    truth["codec"] = writer.codec
    truth["frames_detail"] = per_frame
    truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return truth
