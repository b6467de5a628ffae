"""Real people on real video (../shared/clips, counted by eye): the analyser's counts match.

The clips are not part of the project (no redistribution licence); without ../shared beside
the project these tests skip, saying so.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SHARED_CLIPS, shared_clips

CLIPS = shared_clips()
pytestmark = pytest.mark.skipif(not CLIPS, reason=f"real clips not present at {SHARED_CLIPS}")


@pytest.mark.parametrize("clip", CLIPS, ids=[c.get("file", "?") for c in CLIPS] or None)
def test_counts_match_the_counts_by_eye(clip):
    result = subprocess.run(
        [sys.executable, "-m", "app", "analyze", clip["path"], "--exercise", clip["exercise"], "--json", "-"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["reps"] == clip["reps"]
    assert len(report["reps_detail"]) == clip["reps"]
    assert report["frames_with_pose"] >= 0.9 * report["frames"]
    # Every counted rep lies inside the clip and in time order.
    starts = [r["start_s"] for r in report["reps_detail"]]
    assert starts == sorted(starts)
    assert all(0 <= r["start_s"] < r["end_s"] <= report["duration_s"] + 0.05 for r in report["reps_detail"])
