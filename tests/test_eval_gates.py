"""The accuracy gates: ``hipcoach eval --recognise`` over the committed generated clips meets the
thresholds written in their manifest (expected values come from the generator's truth files), overall,
per exercise where the manifest sets ``exercise_thresholds``, for rep timing, and for recognising
each clip's exercise.

The manifest's report-only real clips are left out of this run: tests/test_real_clips.py analyses
them once and runs the same scoring over them, so CI pays for them once.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import SAMPLE_VIDEOS


def gated_manifest(tmp_path):
    """The sample manifest without its report-only sets, its paths made absolute (it moves to tmp)."""
    data = json.loads((SAMPLE_VIDEOS / "manifest.json").read_text())
    data.pop("report_only", None)
    for entry in [*data["clips"], *data.get("routines", ())]:
        for key in ("video", "file", "truth"):
            if key in entry:
                entry[key] = str(SAMPLE_VIDEOS / entry[key])
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    return path


def test_generated_clips_meet_the_manifest_thresholds(tmp_path):
    out = tmp_path / "eval.json"
    command = [sys.executable, "-m", "app", "eval", str(gated_manifest(tmp_path)), "--recognise", "--jobs", "2"]
    result = subprocess.run(
        [*command, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=3000,
    )
    print(result.stdout)  # the table, shown by pytest when the gate fails
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["report_only"] == {}
    summary = report["summary"]
    assert summary["overall"]["clips"] >= 20
    assert summary["overall"]["rep_times"] > 0, "the generated truth gives no rep peaks to time against"
    assert "glute_squeeze" not in [c["exercise"] for c in summary["clips"] if not c["guided"]]
    # Hands-free: every clip a camera can see is analysed with its exercise recognised, not named.
    seen = [c for c in summary["clips"] if not c["guided"]]
    assert summary["overall"]["recognised_clips"] == len(seen)
    # The routines (several exercises in a row) are split, recognised and counted part by part.
    routines = report["routines"]["overall"]
    assert routines["routines"] >= 3 and routines["segments"] >= 9
    assert report["failures"] == [], "\n".join(report["failures"])
    assert (result.returncode == 0) == (report["failures"] == [])
