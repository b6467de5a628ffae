"""The shipped pose bundles: loadable, really finding people, and rebuildable byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.build_bundles import pack_task
from pose.estimator import MODELS_DIR, PoseEstimator, model_path
from pose.frame import PoseFrame

SHIPPED = ("lite", "full")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_bundle_is_listed_with_its_checksum(name):
    path = model_path(name)
    readme = (MODELS_DIR / "README.md").read_text()
    assert _sha256(path) in readme, f"models/README.md does not list the sha256 of {path.name}"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_bundle_has_the_digest_the_loader_checks(name):
    from models import BUNDLE_SHA256

    assert _sha256(MODELS_DIR / f"pose_landmarker_{name}.task") == BUNDLE_SHA256[name]


def test_bundle_entries_are_stored_uncompressed_and_4_byte_aligned():
    import zipfile

    data = pack_task({"a.tflite": b"x" * 5, "bb.tflite": b"y" * 7, "ccc.tflite": b"z"})
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert start % 4 == 0
            assert data[start : start + info.file_size] == zf.read(info.filename)


def _person_frames(video: Path, count: int = 20) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(video))
    images = []
    while len(images) < count:
        ok, image = cap.read()
        if not ok:
            break
        images.append(image)
    cap.release()
    return images


@pytest.fixture(scope="module")
def person_clip(sample_clip_with_person) -> Path:
    return sample_clip_with_person


@pytest.mark.parametrize("name", SHIPPED)
def test_bundle_finds_the_person_in_a_clip(name, person_clip):
    with PoseEstimator(name, people_check_interval_ms=0) as estimator:
        poses = [estimator.detect(image, 33.0 * i) for i, image in enumerate(_person_frames(person_clip))]
    found = [p for p in poses if p.has_pose]
    assert len(found) >= 0.9 * len(poses)
    pose: PoseFrame = found[-1]
    width, height = pose.image_size_px
    # The body is upright-or-lying but whole: shoulders above hips above ankles is not assumed;
    # only that the landmarks lie in the picture and the skeleton spans a good part of it.
    inside = (pose.xy_px[:, 0] > -0.1 * width) & (pose.xy_px[:, 0] < 1.1 * width)
    assert inside.mean() > 0.9
    extent = np.nanmax(pose.xy_px, axis=0) - np.nanmin(pose.xy_px, axis=0)
    assert extent.max() > 0.25 * max(width, height)


def test_lite_and_full_agree_on_the_landmarks(person_clip):
    images = _person_frames(person_clip, 10)
    results = {}
    for name in SHIPPED:
        with PoseEstimator(name, people_check_interval_ms=0) as estimator:
            results[name] = [estimator.detect(image, 33.0 * i) for i, image in enumerate(images)][-1]
    width, height = results["full"].image_size_px
    body = list(range(11, 33))
    gap = np.linalg.norm(results["lite"].xy_px[body] - results["full"].xy_px[body], axis=1)
    assert np.nanmedian(gap) < 0.05 * max(width, height)


def test_rebuilding_from_the_registries_gives_identical_bundles(tmp_path):
    from models.build_bundles import build

    for path in build(list(SHIPPED), tmp_path):
        assert _sha256(path) == _sha256(MODELS_DIR / path.name)
