"""One-Euro filter, swap guard and PoseFilter: driven by timestamps only."""

from __future__ import annotations

import numpy as np
import pytest

from pose.filtering import PoseFilter
from pose.frame import PoseFrame
from pose.landmarks import landmark_index, mirrored_index
from pose.smoothing import OneEuroFilter
from pose.swap_guard import SwapGuard
from tests.synthetic_skeleton import Scenario, generate


def test_constant_signal_passes_unchanged():
    f = OneEuroFilter()
    x = np.full((33, 3), 0.5)
    for k in range(20):
        np.testing.assert_allclose(f(x, k / 30), x)


def test_reduces_jitter_at_rest():
    rng = np.random.default_rng(1)
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    raw = 100 + rng.normal(0, 3, size=(300, 4))
    out = np.array([f(r, k / 30) for k, r in enumerate(raw)])
    assert out[30:].std() < 0.4 * raw[30:].std()


def test_follows_a_step_with_little_lag_when_beta_is_high():
    slow, fast = OneEuroFilter(1.0, beta=0.0), OneEuroFilter(1.0, beta=1.0)
    sig = np.r_[np.zeros(30), np.full(30, 100.0)]
    ys = [slow(np.array([v]), k / 30)[0] for k, v in enumerate(sig)]
    yf = [fast(np.array([v]), k / 30)[0] for k, v in enumerate(sig)]
    assert yf[33] > ys[33]
    assert yf[-1] == pytest.approx(100, abs=1)


def test_time_comes_from_timestamps_not_call_rate():
    a, b = OneEuroFilter(), OneEuroFilter()
    rng = np.random.default_rng(2)
    xs = rng.normal(size=(50, 2))
    out_a = [a(x, k * 0.04) for k, x in enumerate(xs)]
    out_b = [b(x, k * 0.04) for k, x in enumerate(xs)]  # same timestamps, different moment of the call
    np.testing.assert_allclose(out_a, out_b)
    # Different frame spacing gives a different (less smoothed) result at the same values.
    c = OneEuroFilter()
    out_c = [c(x, k * 0.4) for k, x in enumerate(xs)]
    assert not np.allclose(out_a[10:], out_c[10:])


def test_missing_points_keep_their_state_and_stay_missing():
    f = OneEuroFilter()
    f(np.array([1.0, 2.0]), 0.0)
    out = f(np.array([np.nan, 2.0]), 0.1)
    assert np.isnan(out[0]) and out[1] == pytest.approx(2.0)
    out = f(np.array([1.0, 2.0]), 0.2)
    assert out[0] == pytest.approx(1.0)


def test_non_increasing_time_does_not_corrupt_state():
    f = OneEuroFilter()
    f(np.array([0.0]), 1.0)
    f(np.array([50.0]), 1.0)  # same timestamp: ignored
    assert f(np.array([0.0]), 1.1)[0] == pytest.approx(0.0)


def test_bad_parameters_fail_at_construction():
    with pytest.raises(ValueError, match="min_cutoff_hz"):
        OneEuroFilter(min_cutoff_hz=0)


# ----------------------------------------------------------------------------- swap guard / PoseFilter


def _frames(**kw):
    return generate(Scenario("straight_leg_raise", reps=2, **kw))


def test_swap_guard_repairs_a_short_swap():
    clean = _frames()
    swapped = _frames(swaps=((3.0, 0.3),))
    guard = SwapGuard()
    knee = landmark_index("knee", "left")
    for a, b in zip(clean, swapped):
        out = guard.apply(b)
        np.testing.assert_allclose(out.xy_px[knee], a.xy_px[knee], atol=1e-6)
    assert guard.swaps >= 2  # into the swap and out of it


def test_swap_guard_leaves_overlapping_legs_alone():
    # Lying still with both legs on the floor (they overlap in a side view): nothing to repair.
    guard = SwapGuard()
    for fr in generate(Scenario("straight_leg_raise", reps=0, idle_s=3, noise_px=1.5)):
        guard.apply(fr)
    assert guard.swaps == 0


def test_pose_filter_passes_empty_frames_and_resets_after_a_gap():
    pf = PoseFilter(reset_after_s=0.5)
    frames = _frames()
    empty = PoseFrame.empty(frames[10].timestamp_ms, (640, 480))
    assert pf.apply(empty) is empty
    pf.apply(frames[0])
    # After a long gap the filter starts afresh: the next frame passes through unchanged.
    late = frames[60]
    out = pf.apply(late)
    np.testing.assert_allclose(out.xy_px, late.xy_px)
    assert out.timestamp_ms == late.timestamp_ms and out.people_count == late.people_count


def test_pose_filter_smooths_noise():
    noisy = _frames(noise_px=3.0, seed=3)
    clean = _frames()
    pf = PoseFilter()
    out = [pf.apply(f) for f in noisy]
    i = landmark_index("ankle", "left")
    err_raw = np.mean([np.linalg.norm(a.xy_px[i] - c.xy_px[i]) for a, c in zip(noisy, clean)])
    err_out = np.mean([np.linalg.norm(a.xy_px[i] - c.xy_px[i]) for a, c in zip(out, clean)])
    assert err_out < 0.75 * err_raw


def test_mirror_permutation_is_an_involution():
    perm = np.array(mirrored_index())
    np.testing.assert_array_equal(perm[perm], np.arange(33))
