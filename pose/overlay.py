"""Overlays as pure functions on BGR images, shared by the GUI and ``analyze --annotate``.

Each takes an image and returns a new annotated image; sizes scale with the image so the
drawing reads the same on a 480p clip and a 1080p one.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from pose.frame import PoseFrame
from pose.landmarks import SKELETON_EDGES

LEFT_BGR = (255, 170, 60)  # blue-ish: the person's left
RIGHT_BGR = (60, 140, 255)  # orange: the person's right
CENTRE_BGR = (235, 235, 235)
DIM_BGR = (120, 120, 120)


def _scale(image: np.ndarray) -> float:
    return max(image.shape[:2]) / 640.0


def _edge_colour(a: int, b: int) -> tuple[int, int, int]:
    # Odd indices above 10 are the left side in BlazePose numbering, even ones the right.
    if a > 10 and b > 10 and a % 2 == b % 2:
        return LEFT_BGR if a % 2 == 1 else RIGHT_BGR
    return CENTRE_BGR


def draw_skeleton(image: np.ndarray, pose: PoseFrame, min_visibility: float = 0.5) -> np.ndarray:
    """Bones and joints of the pose; joints the model is unsure of are drawn dim."""
    out = image.copy()
    if not pose.has_pose:
        return out
    s = _scale(out)
    thickness, radius = max(1, round(3 * s)), max(2, round(4 * s))
    pts = pose.xy_px
    for a, b in SKELETON_EDGES:
        if np.isnan(pts[[a, b]]).any():
            continue
        sure = min(pose.visibility[a], pose.visibility[b]) >= min_visibility
        colour = _edge_colour(a, b) if sure else DIM_BGR
        cv2.line(
            out,
            tuple(np.round(pts[a]).astype(int)),
            tuple(np.round(pts[b]).astype(int)),
            colour,
            thickness,
            cv2.LINE_AA,
        )
    for i in range(11, len(pts)):
        if np.isnan(pts[i]).any():
            continue
        colour = (255, 255, 255) if pose.visibility[i] >= min_visibility else DIM_BGR
        cv2.circle(out, tuple(np.round(pts[i]).astype(int)), radius, colour, -1, cv2.LINE_AA)
    return out


def draw_panel(
    image: np.ndarray,
    lines: Sequence[str],
    corner: str = "top-left",
    colour: tuple[int, int, int] = (255, 255, 255),
    background: tuple[int, int, int] = (30, 30, 30),
) -> np.ndarray:
    """Lines of text on a translucent box in a corner (counters, status, cues)."""
    out = image.copy()
    if not lines:
        return out
    s = _scale(out)
    font, size, weight = cv2.FONT_HERSHEY_SIMPLEX, 0.7 * s, max(1, round(2 * s))
    sizes = [cv2.getTextSize(line, font, size, weight)[0] for line in lines]
    pad, gap = int(10 * s), int(8 * s)
    box_w = max(w for w, _ in sizes) + 2 * pad
    box_h = sum(h for _, h in sizes) + gap * (len(lines) - 1) + 2 * pad
    height, width = out.shape[:2]
    x0 = pad if "left" in corner else width - box_w - pad
    y0 = pad if "top" in corner else height - box_h - pad
    x0, y0 = max(0, x0), max(0, y0)
    box = out[y0 : y0 + box_h, x0 : x0 + box_w]
    box[:] = (0.35 * box + 0.65 * np.array(background)).astype(out.dtype)
    y = y0 + pad
    for line, (_, h) in zip(lines, sizes):
        y += h
        cv2.putText(out, line, (x0 + pad, y), font, size, colour, weight, cv2.LINE_AA)
        y += gap
    return out
