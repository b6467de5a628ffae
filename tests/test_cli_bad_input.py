"""Bad input gives one line naming the problem and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from pose.sources import SourceError, camera_frames


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120)


def _write_video(path: Path, frames: int = 30, size=(160, 120)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, size)
    for i in range(frames):
        image = np.zeros((size[1], size[0], 3), np.uint8)
        cv2.rectangle(image, (i, 20), (i + 30, 60), (0, 200, 255), -1)
        writer.write(image)
    writer.release()
    return path


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    text = d / "notes.mp4"
    text.write_text("these are my exercise notes, not a video\n" * 50)
    image = d / "photo.png"
    cv2.imwrite(str(image), np.full((120, 160, 3), 128, np.uint8))
    image_renamed = d / "photo_renamed.mp4"
    image_renamed.write_bytes(image.read_bytes())
    good = _write_video(d / "good.mp4", frames=60)
    truncated = d / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    folder = d / "folder.mp4"
    folder.mkdir()
    return {
        "missing": d / "does_not_exist.mp4",
        "empty": empty,
        "text": text,
        "image": image,
        "image_renamed": image_renamed,
        "truncated": truncated,
        "directory": folder,
    }


@pytest.mark.parametrize(
    "case, words",
    [
        ("missing", "no such file"),
        ("empty", "empty"),
        ("text", "not a readable video"),
        ("image", "still image"),
        ("image_renamed", "still image"),
        ("truncated", "not a readable video"),
        ("directory", "directory"),
    ],
)
def test_bad_video_file_gives_one_line_error(bad_inputs, case, words):
    path = bad_inputs[case]
    result = _run("analyze", str(path), "--exercise", "squat", "--json", "-")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert words in lines[0] and path.name in lines[0]
    assert result.stdout == ""


def test_unknown_exercise_lists_the_valid_ids(bad_inputs):
    result = _run("analyze", str(bad_inputs["missing"]), "--exercise", "jumping_jack")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "jumping_jack" in result.stderr and "glute_bridge" in result.stderr and "squat" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_model_lists_the_valid_names(bad_inputs):
    result = _run("analyze", str(bad_inputs["missing"]), "--exercise", "squat", "--model", "huge")
    assert result.returncode == 2
    assert "huge" in result.stderr and "lite, full, heavy" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_model_bundle_says_how_to_rebuild(tmp_path):
    from pose.estimator import ModelError, model_path

    with pytest.raises(ModelError, match="build_bundles heavy"):
        model_path("heavy", models_dir=tmp_path)
    (tmp_path / "pose_landmarker_full.task").write_bytes(b"PK\x03\x04 definitely not a bundle")
    with pytest.raises(ModelError, match="corrupt"):
        model_path("full", models_dir=tmp_path)


def test_unopenable_camera_raises_a_clear_source_error():
    with pytest.raises(SourceError, match="camera 97 cannot be opened"):
        next(camera_frames(97))


def test_a_video_without_a_person_is_analysed_not_refused(bad_inputs, tmp_path):
    video = _write_video(tmp_path / "nobody.mp4", frames=45)
    result = _run("analyze", str(video), "--exercise", "glute_bridge", "--json", "-")
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["frames"] == 45 and report["frames_with_pose"] == 0 and report["reps"] == 0
    assert [s["code"] for s in report["status"]] == ["no_person"]
