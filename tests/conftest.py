"""Shared fixtures: where the generated sample clips and the real clips in ../shared live."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_VIDEOS = ROOT / "sample_videos"
SHARED_CLIPS = ROOT.parent / "shared" / "clips"

# Qt tests run offscreen unless a display is asked for explicitly.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _history_in_tmp(tmp_path_factory, monkeypatch):
    """No test writes into the user's real data folder (the window opens the history at startup)."""
    if "HIPCOACH_DATA_DIR" not in os.environ:
        monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path_factory.mktemp("hipcoach-data")))


@pytest.fixture(autouse=True)
def _offline_proxy_stays_in_its_test():
    """Creating a landmarker points this process's https_proxy at a dead end (MediaPipe's usage
    logging must not reach the network); a later test that runs pip or npm needs it back."""
    names = ("https_proxy", "no_proxy", "NO_PROXY")
    saved = {name: os.environ.get(name) for name in names}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _qt_objects_go_between_tests(request):
    """After a test with widgets, delete them on Qt's side and then collect their Python wrappers,
    here, between tests. Left to the collector's own timing, a cycle holding a closed window's
    pyqtgraph charts was once collected inside a new chart's constructor and crashed the run."""
    yield
    if "qtbot" not in request.fixturenames or "PyQt6.QtCore" not in sys.modules:
        return
    from PyQt6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


@pytest.fixture
def window(qtbot):
    """The main window offscreen, 1200x800, on the lite model without speech; its live worker stopped after.
    (A test module that imports Qt sets up the offscreen environment before this runs.)"""
    from app.gui.window import MainWindow

    win = MainWindow(model="lite", enable_speech=False)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    win.live.shutdown()


def shared_clips() -> list[dict]:
    """The real clips with their counts by eye, or [] when ../shared is not beside the project."""
    manifest = SHARED_CLIPS / "clips.json"
    if not manifest.is_file():
        return []
    return [dict(entry, path=str(SHARED_CLIPS / entry["file"])) for entry in json.loads(manifest.read_text())]


@pytest.fixture(scope="session")
def sample_clip_with_person() -> Path:
    """A committed generated clip with a person in it (falls back to a real clip while none exists)."""
    samples = sorted(SAMPLE_VIDEOS.glob("**/*.mp4"))
    if samples:
        return samples[0]
    real = shared_clips()
    assert real, "no clip with a person: sample_videos/ is empty and ../shared/clips is absent"
    return Path(real[0]["path"])


def sample_truth(stem: str) -> dict:
    """The generator's truth for a committed sample clip, with ``path`` set to its video."""
    truth_path = SAMPLE_VIDEOS / f"{stem}.json"
    assert truth_path.is_file(), f"sample clip {stem} is missing from {SAMPLE_VIDEOS}"
    truth = json.loads(truth_path.read_text())
    return dict(truth, path=str(SAMPLE_VIDEOS / truth.get("video", f"{stem}.mp4")))
