"""A pose bundle is used only when it has its recorded sha256; the check is remembered, not repeated."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from models import BUNDLE_SHA256
from pose.estimator import MODEL_NAMES, MODELS_DIR, ModelError, PoseEstimator, model_checks_path, model_path


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def lite_copy(tmp_path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy2(MODELS_DIR / "pose_landmarker_lite.task", folder)
    return folder / "pose_landmarker_lite.task"


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_every_model_name_has_a_digest_and_the_readme_lists_it():
    readme = (MODELS_DIR / "README.md").read_text()
    assert set(BUNDLE_SHA256) == set(MODEL_NAMES)
    for name, digest in BUNDLE_SHA256.items():
        assert len(digest) == 64 and digest in readme, name


def test_an_intact_copy_is_accepted_and_recorded(lite_copy):
    assert model_path("lite", lite_copy.parent) == lite_copy
    record = json.loads(model_checks_path().read_text())
    stat = lite_copy.stat()
    assert record[str(lite_copy.resolve())] == {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": BUNDLE_SHA256["lite"],
    }


@pytest.mark.parametrize("damage", ["one byte inside a network", "truncated", "replaced by the full model"])
def test_a_damaged_bundle_is_refused_in_one_line_naming_the_rebuild(lite_copy, damage):
    if damage == "one byte inside a network":
        _flip_byte(lite_copy, lite_copy.stat().st_size // 2)  # the zip structure stays valid
    elif damage == "truncated":
        lite_copy.write_bytes(lite_copy.read_bytes()[:-1000])
    else:
        shutil.copy(MODELS_DIR / "pose_landmarker_full.task", lite_copy)
    with pytest.raises(ModelError) as err:
        model_path("lite", lite_copy.parent)
    message = str(err.value)
    assert "\n" not in message
    assert "corrupt or changed" in message and str(lite_copy) in message
    assert message.endswith("rebuild it with: python -m models.build_bundles lite")
    assert BUNDLE_SHA256["lite"][:12] in message
    assert not model_checks_path().exists()  # a mismatch is never recorded as checked


def test_the_estimator_refuses_a_damaged_bundle_before_mediapipe_sees_it(lite_copy):
    _flip_byte(lite_copy, 5000)
    with pytest.raises(ModelError, match="build_bundles lite"):
        PoseEstimator("lite", people_check_interval_ms=0, models_dir=lite_copy.parent)


def test_a_recorded_check_is_not_repeated_while_size_and_mtime_are_unchanged(lite_copy, monkeypatch):
    model_path("lite", lite_copy.parent)
    reads = []
    real_sha256 = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda *a: reads.append(1) or real_sha256(*a))
    for _ in range(3):
        model_path("lite", lite_copy.parent)
    assert reads == []
    # Changed in place (new mtime): checked again, and refused.
    stat = lite_copy.stat()
    _flip_byte(lite_copy, stat.st_size // 2)
    os.utime(lite_copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(ModelError, match="corrupt"):
        model_path("lite", lite_copy.parent)
    assert reads == [1]


def test_an_unwritable_or_broken_record_only_costs_the_check(lite_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("HIPCOACH_CACHE_DIR", str(blocker))  # the record cannot be written there
    assert model_path("lite", lite_copy.parent) == lite_copy
    monkeypatch.setenv("HIPCOACH_CACHE_DIR", str(tmp_path / "cache2"))
    model_checks_path().parent.mkdir()
    model_checks_path().write_text("{ not json")
    assert model_path("lite", lite_copy.parent) == lite_copy
    assert str(lite_copy.resolve()) in json.loads(model_checks_path().read_text())


def test_the_heavy_bundle_is_checked_against_its_known_digest(tmp_path):
    with pytest.raises(ModelError, match="missing; rebuild it with: python -m models.build_bundles heavy"):
        model_path("heavy", tmp_path)
    # A stale or foreign file under the heavy name is refused like any other.
    shutil.copy(MODELS_DIR / "pose_landmarker_full.task", tmp_path / "pose_landmarker_heavy.task")
    with pytest.raises(ModelError, match="corrupt or changed.*build_bundles heavy"):
        model_path("heavy", tmp_path)
    built = MODELS_DIR / "pose_landmarker_heavy.task"
    if built.is_file():  # built on demand on this machine: it must be the reproducible one
        assert model_path("heavy") == built
