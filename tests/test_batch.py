"""``hipcoach batch``: four generated clips and a corrupt file, on a Dask LocalCluster of two worker processes and
on the local pool of two; the counts are ``analyze``'s (and the truth's), the corrupt file is an error row, a
killed worker does not stop the batch, and a rerun skips everything already done."""

from __future__ import annotations

import csv
import dataclasses
import json
import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest

from app.batch.expand import expand_paths
from app.batch.keys import ENGINE_VERSION, result_key
from app.batch.results import RECORDS_DIR, ClipTask, ResultRecord, all_records, is_done
from app.batch.runner import BatchOptions, run_batch
from app.batch.summary import CSV_NAME, HTML_NAME, to_csv, to_html, write_summary
from app.cli import main as cli_main
from tests.conftest import sample_truth

# Short clips (12-14 s) whose truth the lite model reproduces; one exercise, as a batch has one.
CLIPS = ("squat_side_midrep", "squat_side_continuous", "squat_side_jump", "squat_side_cut")
EXERCISE, MODEL = "squat", "lite"
CORRUPT = "x.mp4"


@pytest.fixture(scope="module")
def clips_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    for stem in CLIPS:
        shutil.copy(sample_truth(stem)["path"], folder / f"{stem}.mp4")
    (folder / CORRUPT).write_bytes(os.urandom(300))
    return folder


@pytest.fixture(scope="module")
def analyzed(clips_dir, tmp_path_factory) -> dict[str, dict]:
    """What ``hipcoach analyze --json`` says of each good clip (checked against the generator's truth)."""
    out = tmp_path_factory.mktemp("analyze")
    reports = {}
    for stem in CLIPS:
        target = out / f"{stem}.json"
        argv = ["analyze", str(clips_dir / f"{stem}.mp4"), "--exercise", EXERCISE, "--model", MODEL]
        assert cli_main([*argv, "--json", str(target)]) == 0
        reports[stem] = json.loads(target.read_text())
        truth = sample_truth(stem)
        assert (reports[stem]["reps"], reports[stem]["reps_by_side"]) == (truth["reps"], truth["reps_by_side"]), stem
    return reports


def _without_video(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "video"}


def _check_results(out: Path, clips_dir: Path, analyzed: dict[str, dict]) -> None:
    """Every good clip's JSON is analyze's, the corrupt one an error row, in the records and in the summary."""
    records = {Path(r.source).name: r for r in all_records(out)}
    assert set(records) == {f"{stem}.mp4" for stem in CLIPS} | {CORRUPT}
    bad = records.pop(CORRUPT)
    assert not bad.ok and bad.final and "not a readable video" in bad.error and "\n" not in bad.error
    for stem in CLIPS:
        record = records[f"{stem}.mp4"]
        assert record.ok and record.engine == ENGINE_VERSION, record
        report = json.loads((out / record.json).read_text())
        assert report["schema"] == 1 and report["video"] == str(clips_dir / f"{stem}.mp4")
        assert _without_video(report) == _without_video(analyzed[stem]), stem
        assert (out / record.json).stat().st_mode & 0o777 == 0o600
    rows = {row["clip"]: row for row in csv.DictReader((out / CSV_NAME).open())}
    assert rows[CORRUPT]["result"] == "error" and "not a readable video" in rows[CORRUPT]["error"]
    for stem in CLIPS:
        assert rows[f"{stem}.mp4"]["result"] == "ok"
        assert int(rows[f"{stem}.mp4"]["reps"]) == sample_truth(stem)["reps"]
    page = (out / HTML_NAME).read_text()
    assert all(f'href="{records[f"{stem}.mp4"].json}"' in page for stem in CLIPS)


def test_dask_local_cluster_batch_survives_a_killed_worker_and_resumes(clips_dir, analyzed, tmp_path):
    from distributed import Client, LocalCluster

    out = tmp_path / "out"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster, set_as_default=False) as client,  # the batch must use its own client, as in the CLI
    ):
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_a_busy_worker(task: ClipTask, record: dict) -> None:
            # After the first good clip, the two workers hold the next ones: kill one that is analysing.
            if killed or not record.get("ok"):
                return
            busy = [address for address, keys in client.processing().items() if keys and address in pids]
            victim = pids[busy[0] if busy else next(iter(pids))]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        options = BatchOptions(
            paths=(str(clips_dir),), exercise=EXERCISE, out=str(out), model=MODEL, scheduler=cluster.scheduler_address
        )
        outcome = run_batch(options, on_result=kill_a_busy_worker)
        assert killed, "no worker was killed"
        assert killed[0] not in client.run(os.getpid).values()  # it died (its nanny started a new one)
        assert (outcome.analysed, outcome.errors, outcome.skipped) == (len(CLIPS), 1, 0)
        _check_results(out, clips_dir, analyzed)

        again = run_batch(options)
        assert (again.analysed, again.errors, again.skipped, again.skipped_errors) == (0, 0, len(CLIPS) + 1, 1)
        _check_results(out, clips_dir, analyzed)  # the summary rebuilt from the records says the same


def test_local_pool_two_jobs_same_results_a_dead_worker_retried_and_resume(clips_dir, analyzed, tmp_path, capsys):
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_a_pool_worker(task: ClipTask, record: dict) -> None:
        if killed or not record.get("ok"):
            return
        workers = [p for p in multiprocessing.active_children() if p.pid is not None]
        if workers:
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(workers[0].pid)

    options = BatchOptions(paths=(str(clips_dir),), exercise=EXERCISE, out=str(out), model=MODEL, jobs=2)
    outcome = run_batch(options, on_result=kill_a_pool_worker)
    assert killed and outcome.pools_started == 2  # the broken pool was rebuilt for the clips left
    assert (outcome.analysed, outcome.errors, outcome.skipped) == (len(CLIPS), 1, 0)
    _check_results(out, clips_dir, analyzed)

    # The command line: a rerun skips all, says so, and exits 1 for the error row it keeps; a path naming
    # nothing is said in one line and kept out of the summary (it is no clip).
    capsys.readouterr()
    argv = ["batch", str(clips_dir / "*.mp4"), str(tmp_path / "nowhere.mp4"), "--exercise", EXERCISE, "--out", str(out)]
    assert cli_main([*argv, "--model", MODEL, "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    assert "0 analysed, 1 with an error, 5 done before (1 of them error rows)" in captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {tmp_path / 'nowhere.mp4'}: no such file or no video there"]
    _check_results(out, clips_dir, analyzed)


def test_the_key_follows_content_exercise_model_and_engine():
    base = result_key("abc", "squat", "lite")
    assert base == result_key("abc", "squat", "lite", ENGINE_VERSION)
    others = {result_key("abd", "squat", "lite"), result_key("abc", "glute_bridge", "lite")}
    others |= {result_key("abc", "squat", "full"), result_key("abc", "squat", "lite", ENGINE_VERSION + ".next")}
    assert base not in others and len(others) == 4


def test_expansion_searches_folders_and_globs_but_not_the_output(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.mp4").write_bytes(b"1")
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "a" / "out").mkdir()
    (tmp_path / "a" / "out" / "one-12345678.annotated.mp4").write_bytes(b"2")
    (tmp_path / "b.MOV").write_bytes(b"3")
    found = expand_paths([str(tmp_path / "a"), str(tmp_path / "*.mov"), str(tmp_path / "b.MOV"), "nowhere.mp4"])
    assert [p.name for p in found.videos] == ["one.mp4", "one-12345678.annotated.mp4", "b.MOV"]
    found = expand_paths([str(tmp_path / "a"), str(tmp_path / "*.MOV"), "nowhere.mp4"], exclude=tmp_path / "a" / "out")
    assert [p.name for p in found.videos] == ["one.mp4", "b.MOV"]
    assert found.missing == ("nowhere.mp4",)
    (tmp_path / "a" / "out" / RECORDS_DIR).mkdir()  # any batch's output folder is left out of a search
    assert [p.name for p in expand_paths([str(tmp_path / "a")]).videos] == ["one.mp4"]
    assert [p.name for p in expand_paths([str(tmp_path / "a" / "**" / "*.mp4")]).videos] == ["one.mp4"]


def test_summary_table_and_page(tmp_path):
    report = {
        "schema": 1, "video": "c.mp4", "exercise": "straight_leg_raise", "model": "lite", "duration_s": 20.0,
        "frames": 600, "frames_with_pose": 590, "reps": 3, "reps_by_side": {"left": 2, "right": 1},
        "reps_detail": [
            {"index": i, "side": "left", "start_s": i, "end_s": i + 1, "peak_angle_deg": 20, "hold_s": h, "faults": []}
            for i, h in ((1, 5.0), (2, 4.0), (3, 5.5))
        ],
        "faults": [{"code": "hold_short", "rep": 2, "t_s": 2.5, "cue": "Hold"}, {"code": "knee_bent", "rep": 3,
                   "t_s": 3.5, "cue": "Straight"}, {"code": "knee_bent", "rep": 1, "t_s": 1.5, "cue": "Straight"}],
        "status": [{"code": "out_of_frame", "start_s": 10.0, "end_s": 12.0},
                   {"code": "no_person", "start_s": 11.0, "end_s": 13.5}],
    }  # fmt: skip
    (tmp_path / RECORDS_DIR).mkdir()
    (tmp_path / "c-aaaa.json").write_text(json.dumps(report))
    good = ResultRecord("k1", "/clips/c.mp4", "straight_leg_raise", "lite", "1", True, json="c-aaaa.json")
    bad = ResultRecord("k2", "/clips/=cmd.mp4", "straight_leg_raise", "lite", "1", False, error="not a video")
    for record in (good, bad):
        (tmp_path / RECORDS_DIR / f"{record.key}.json").write_text(json.dumps(record.to_json()))
    csv_path, html_path, rows = write_summary(tmp_path)
    by_clip = {row["clip"]: row for row in rows}
    row = by_clip["c.mp4"]
    assert (row["reps"], row["sides"], row["holds"], row["mean_hold_s"]) == (3, "left 2 right 1", 3, 4.8)
    assert (row["faults"], row["fault_count"], row["not_counted_s"]) == ("hold_short knee_bent×2", 3, 3.5)
    assert by_clip["=cmd.mp4"]["result"] == "error"
    assert "\n'=cmd.mp4," in to_csv(rows)  # a spreadsheet would run it as a formula
    page = to_html(rows)
    assert page == html_path.read_text() and to_csv(rows) == csv_path.read_text()
    assert '<a href="c-aaaa.json">' in page and "addEventListener('click'" in page and "<script src" not in page
    assert csv_path.stat().st_mode & 0o777 == 0o600
    task = ClipTask("/clips/c.mp4", "k1", "straight_leg_raise", "lite", str(tmp_path))
    assert is_done(good, task)
    assert not is_done(good, dataclasses.replace(task, annotate=True))  # asked for a video it lacks: redo
    assert is_done(bad, task) and not is_done(dataclasses.replace(bad, final=False), task)  # a dead worker: retry


def test_annotated_videos_are_outputs_of_the_batch_too(clips_dir, tmp_path):
    import cv2

    out = tmp_path / "out"
    clip = str(clips_dir / f"{CLIPS[0]}.mp4")
    options = BatchOptions(paths=(clip,), exercise=EXERCISE, out=str(out), model=MODEL, jobs=1, annotate=True)
    outcome = run_batch(options)
    assert (outcome.analysed, outcome.errors) == (1, 0)
    (record,) = all_records(out)
    video = out / record.annotated
    assert video.stat().st_mode & 0o777 == 0o600
    capture = cv2.VideoCapture(str(video))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == record.frames
    capture.release()
    assert f'<a href="{record.annotated}">video</a>' in (out / HTML_NAME).read_text()
    # Done, with or without asking for the video again; the input is never an output.
    assert run_batch(dataclasses.replace(options, annotate=False)).skipped == 1
    assert run_batch(options).skipped == 1
    assert Path(clip).read_bytes() == Path(sample_truth(CLIPS[0])["path"]).read_bytes()
