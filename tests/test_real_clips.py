"""Real people on real video (../shared/clips, counted by eye): counts and rep timing hold up.

Each clip's count must lie in its ``reps_range`` (or equal ``reps``), and where the clip has
``rep_times_s`` (the moments of the true reps, marked by eye) every counted rep must hold exactly one
of them and no moment may serve two counted reps: a right count made of one false and one missed rep
fails. The clips are not part of the project (no redistribution licence): nothing from them is copied
or cached in the repository; without ../shared beside the project these tests skip, saying so.

Each clip is analysed once per test session (full model, one at a time); the eval over the real clips
at the end of this module scores those same analyses, so the real clips cost one pass in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.clip_report import ClipReport
from app.evaluation import evaluate_manifest
from app.evaluation.manifest import load_manifest
from app.evaluation.matching import match_rep_times
from app.evaluation.text_report import format_report
from tests.conftest import SHARED_CLIPS, shared_clips

# Clips the engine still gets wrong, by file name, with what goes wrong. Each is a strict expected
# failure: the day one passes, its test turns red and its line here must go (engine engineer: update
# this dict with the engine). Measured with the full model.
XFAIL: dict[str, str] = {}

CLIPS = shared_clips()
pytestmark = pytest.mark.skipif(not CLIPS, reason=f"real clips not present at {SHARED_CLIPS}")


def expected_range(clip: dict) -> tuple[int, int]:
    lo, hi = clip.get("reps_range") or (clip["reps"], clip["reps"])
    return int(lo), int(hi)


@pytest.fixture(scope="session")
def real_analysis():
    """``analysis(clip) -> ClipReport`` read back from ``analyze --exercise auto --json``, each clip analysed
    once per session (kept in memory only). The exercise is recognised, not named: the counts are those of
    the recognised exercise's checker (the same checker a named run uses), and the recognition test below
    checks that it is the clip's exercise."""
    cache: dict[str, ClipReport] = {}

    def analysis(clip: dict) -> ClipReport:
        if clip["path"] not in cache:
            result = subprocess.run(
                [sys.executable, "-m", "app", "analyze", clip["path"], "--exercise", "auto", "--json", "-"],
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, result.stderr[-2000:]
            cache[clip["path"]] = ClipReport.from_json(json.loads(result.stdout))
        return cache[clip["path"]]

    return analysis


def _params():
    out = []
    for clip in CLIPS:
        name = clip.get("file", "?")
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
        out.append(pytest.param(clip, id=name, marks=marks))
    return out


def test_xfail_list_names_only_real_clips():
    unknown = set(XFAIL) - {c.get("file") for c in CLIPS}
    assert not unknown, f"XFAIL names clips that are not in {SHARED_CLIPS / 'clips.json'}: {sorted(unknown)}"


@pytest.mark.parametrize("clip", _params())
def test_counts_and_rep_times_match_the_real_clip(clip, real_analysis):
    report = real_analysis(clip)
    lo, hi = expected_range(clip)
    detail = report.reps_detail
    timing = match_rep_times(detail, clip.get("rep_times_s") or ())
    print(
        f"{clip['file']}: counted {report.reps}, expected {lo}-{hi}"
        + (
            f"; matched {[t for _, t in timing.pairs]}, missed {list(timing.missed_times)}, "
            f"false reps {[(detail[k].start_s, detail[k].end_s) for k in timing.false_reps]}"
            if clip.get("rep_times_s")
            else "; no rep times to match"
        )
    )
    assert lo <= report.reps <= hi, f"counted {report.reps}, expected {lo}..{hi}"
    assert len(detail) == report.reps
    # Every counted rep lies inside the clip and in time order.
    starts = [r.start_s for r in detail]
    assert starts == sorted(starts)
    assert all(0 <= r.start_s < r.end_s <= report.duration_s + 0.05 for r in detail)
    if clip.get("rep_times_s"):
        spans = lambda ks: [(detail[k].start_s, detail[k].end_s) for k in ks]  # noqa: E731
        assert not timing.false_reps, f"counted reps at no true rep: {spans(timing.false_reps)}"
        assert not timing.merged_reps, f"counted reps holding two true reps: {spans(timing.merged_reps)}"
    if clip.get("seconds"):
        assert report.duration_s == pytest.approx(clip["seconds"], abs=0.5), "the whole clip was not read"
    if report.reps == 0 and hi > 0:
        # A person moved and nothing counted: the report must say why (PRODUCT.md).
        assert report.status or report.partial_reps


@pytest.mark.parametrize("clip", CLIPS, ids=[c.get("file", "?") for c in CLIPS])
def test_the_exercise_is_recognised_on_every_real_clip(clip, real_analysis):
    report = real_analysis(clip)
    assert report.recognition is not None
    assert report.recognition["exercise"] == clip["exercise"], report.recognition
    assert report.exercise == clip["exercise"]


def test_eval_over_the_real_clips(tmp_path, real_analysis):
    """``hipcoach eval``'s loading and scoring of the real clips (counts in ``reps_range``, timing from
    ``rep_times_s``), on the analyses above. Reported, not gated: the per-clip test above is the gate."""
    manifest_path = tmp_path / "real_manifest.json"
    manifest_path.write_text(
        json.dumps(
            {
                "schema": 1,
                "clips": [],
                "report_only": [{"name": "shared_real_clips", "clips_json": str(SHARED_CLIPS / "clips.json")}],
            }
        )
    )
    by_path = {c["path"]: c for c in CLIPS}
    result = evaluate_manifest(load_manifest(manifest_path), lambda video, exercise: real_analysis(by_path[str(video)]))
    print(format_report(result))
    summary = result["report_only"]["shared_real_clips"]
    assert summary["overall"]["errors"] == 0 and len(summary["clips"]) == len(CLIPS)
    timed = [c for c in CLIPS if c.get("rep_times_s")]
    assert summary["overall"]["rep_times"] == sum(len(c["rep_times_s"]) for c in timed)
    # The eval's verdict on each clip agrees with the per-clip test's.
    for clip, scored in zip(CLIPS, summary["clips"]):
        report = real_analysis(clip)
        lo, hi = expected_range(clip)
        timing = match_rep_times(report.reps_detail, clip.get("rep_times_s") or ())
        assert (scored["count_error"] == 0) == (lo <= report.reps <= hi), clip["file"]
        if clip.get("rep_times_s"):
            assert len(scored["false_reps"]) == len(timing.false_reps), clip["file"]
            assert scored["rep_times_matched"] == timing.matched, clip["file"]
        else:  # no moments marked by eye: timing is not scored
            assert scored["rep_times"] == 0 and scored["false_reps"] == [], clip["file"]
