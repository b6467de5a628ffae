"""Geometry against hand-computed angles, and whole-body helpers on synthetic bodies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pose import geometry as g
from pose.frame import PoseFrame
from tests.synthetic_skeleton import Scenario, generate

NAN = float("nan")


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        ((0, 0), (1, 0), (2, 0), 180.0),  # straight
        ((0, 0), (1, 0), (1, 1), 90.0),
        ((0, 0), (1, 0), (0, 0.0001), 0.0),  # folded back
        ((0, 1), (0, 0), (1, 1), 45.0),
        ((-1, 0), (0, 0), (0.5, math.sqrt(3) / 2), 120.0),
        ((3, 4), (0, 0), (4, -3), 90.0),
    ],
)
def test_joint_angle_hand_computed(a, b, c, expected):
    assert g.joint_angle_deg(np.array(a, float), np.array(b, float), np.array(c, float)) == pytest.approx(
        expected, abs=0.01
    )


def test_joint_angle_is_vectorised_and_symmetric():
    a = np.array([[-1, 0], [0, 1], [3, 4]], float)
    b = np.zeros((3, 2))
    c = np.array([[1, 0], [1, 1], [4, -3]], float)
    np.testing.assert_allclose(g.joint_angle_deg(a, b, c), [180.0, 45.0, 90.0], atol=1e-9)
    np.testing.assert_allclose(g.joint_angle_deg(a, b, c), g.joint_angle_deg(c, b, a))


def test_joint_angle_nan_for_missing_or_degenerate_points():
    assert math.isnan(g.joint_angle_deg(np.array([NAN, 0.0]), np.zeros(2), np.array([1.0, 0])))
    assert math.isnan(g.joint_angle_deg(np.zeros(2), np.zeros(2), np.array([1.0, 0])))


@pytest.mark.parametrize(
    ("q", "expected"),
    [((1, 0), 0.0), ((0, -1), 90.0), ((-1, 0), 180.0), ((0, 1), -90.0), ((1, -1), 45.0)],
)
def test_segment_angle_from_horizontal_is_counter_clockwise_on_screen(q, expected):
    # Image y points down: (0, -1) is "up" in the picture.
    assert g.segment_angle_from_horizontal_deg(np.zeros(2), np.array(q, float)) == pytest.approx(expected)


@pytest.mark.parametrize(("q", "expected"), [((0, 1), 0.0), ((1, 1), 45.0), ((-1, 0), 90.0), ((0, -1), 180.0)])
def test_segment_angle_from_vertical_is_unsigned_from_straight_down(q, expected):
    assert g.segment_angle_from_vertical_deg(np.zeros(2), np.array(q, float)) == pytest.approx(expected)


def test_elevation():
    # a leg lifted 30 deg, feet to the left of the hip (toward_x = -1)
    tip = np.array([-math.cos(math.radians(30)), -math.sin(math.radians(30))])
    assert g.elevation_deg(np.zeros(2), tip, -1.0) == pytest.approx(30.0)
    assert g.elevation_deg(np.zeros(2), tip, 1.0) == pytest.approx(150.0)
    assert math.isnan(g.elevation_deg(np.zeros(2), tip, 0.0))


def test_midpoint_and_distance():
    np.testing.assert_allclose(g.midpoint(np.array([0.0, 0]), np.array([2.0, 4])), [1, 2])
    assert g.distance(np.array([0.0, 0]), np.array([3.0, 4])) == pytest.approx(5.0)


def _first(sc: Scenario) -> PoseFrame:
    return generate(sc)[0]


@pytest.mark.parametrize(
    ("exercise", "view", "expected"),
    [
        ("squat", "side", "standing"),
        ("squat", "front", "standing"),
        ("straight_leg_raise", "side", "supine"),
        ("glute_bridge", "side", "supine"),
        ("prone_hip_extension", "side", "prone"),
    ],
)
@pytest.mark.parametrize("facing", [1, -1])
def test_body_orientation(exercise, view, expected, facing):
    assert g.body_orientation(_first(Scenario(exercise, view=view, facing=facing))) == expected


def _view_from_width(ratio: float) -> str:
    # The bands the body reader (exercises.signals) uses to name the camera view.
    if ratio < g.SIDE_VIEW_MAX_RATIO:
        return "side"
    return "front" if ratio >= g.FRONT_VIEW_MIN_RATIO else "oblique"


@pytest.mark.parametrize(
    ("exercise", "view", "expected"),
    [
        ("squat", "side", "side"),
        ("squat", "front", "front"),
        ("squat", "oblique", "oblique"),
        ("straight_leg_raise", "side", "side"),
        ("hip_abduction", "feet", "front"),
    ],
)
def test_width_ratio_separates_the_camera_views(exercise, view, expected):
    assert _view_from_width(g.width_ratio(_first(Scenario(exercise, view=view)))) == expected


def test_width_and_orientation_unknown_without_pose():
    empty = PoseFrame.empty(0.0, (640, 480))
    assert math.isnan(g.width_ratio(empty))
    assert g.body_orientation(empty) == "unknown"


@pytest.mark.parametrize("facing", [1, -1])
def test_facing_and_feet_direction(facing):
    assert g.facing_x(_first(Scenario("standing_hip_flexion", facing=facing))) == facing
    assert g.lying_feet_x(_first(Scenario("straight_leg_raise", facing=facing))) == facing
