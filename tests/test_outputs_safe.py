"""Outputs never touch inputs, are checked before the work, appear whole and private (0600),
and an interrupted ``--annotate`` still leaves a video that plays."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from app import cli
from app.coach.report import csv_cell
from app.outputs import OutputError, OutputFile, check_destination, write_private
from tests import history_fixture as fx
from tests.test_bad_input_matrix import ROOT, one_line, run_cli, write_clip


@pytest.fixture()
def clip(tmp_path) -> Path:
    return write_clip(tmp_path / "clip.mp4", frames=12)


def _analyze(clip: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("analyze", str(clip), "--exercise", "squat", "--model", "lite", *args)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ----------------------------------------------------------------------------- the input is never written


@pytest.mark.parametrize("option", ["--annotate", "--json"])
@pytest.mark.parametrize("alias", ["same", "symlink", "hardlink", "dotted"])
def test_an_output_naming_the_input_is_refused_and_the_input_kept(clip, option, alias):
    before = clip.read_bytes()
    target = {
        "same": clip,
        "symlink": clip.parent / "link.mp4",
        "hardlink": clip.parent / "hard.mp4",
        "dotted": clip.parent / "." / "sub" / ".." / clip.name,
    }[alias]
    if alias == "symlink":
        target.symlink_to(clip)
    elif alias == "hardlink":
        os.link(clip, target)
    elif alias == "dotted":
        (clip.parent / "sub").mkdir()
    result = _analyze(clip, option, str(target))
    line = one_line(result.stderr)
    assert result.returncode == 2
    assert "would overwrite the input" in line and option in line, line
    assert clip.read_bytes() == before
    assert sorted(p.name for p in clip.parent.iterdir() if p.name.startswith(".")) == []  # no temp left


def test_json_and_annotate_naming_one_file_are_refused(clip, tmp_path):
    out = tmp_path / "both.out"
    result = _analyze(clip, "--json", str(out), "--annotate", str(out))
    assert result.returncode == 2
    assert "--json and --annotate both name" in one_line(result.stderr)
    assert not out.exists()


# ----------------------------------------------------------------------------- destinations checked first


@pytest.mark.parametrize(
    "where, words",
    [
        ("missing_folder", "does not exist"),
        ("folder", "is a folder"),
        ("device", "is a device"),
    ],
)
def test_a_bad_json_destination_is_refused_before_the_analysis(clip, tmp_path, where, words):
    target = {"missing_folder": tmp_path / "nowhere" / "r.json", "folder": tmp_path, "device": Path(os.devnull)}[where]
    result = _analyze(clip, "--json", str(target))
    # One line and no progress lines: the clip was never analysed.
    line = one_line(result.stderr)
    assert result.returncode == 2 and words in line, line
    assert result.stdout == ""


def _unwritable_folder(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    try:  # root may write anywhere but in sysfs
        Path("/sys/hipcoach-probe").touch()
    except OSError:
        return Path("/sys")
    Path("/sys/hipcoach-probe").unlink()
    pytest.skip("no folder this user cannot write to")


def test_annotate_to_an_unwritable_folder_names_the_real_reason(clip, tmp_path):
    folder = _unwritable_folder(tmp_path)
    result = _analyze(clip, "--annotate", str(folder / "out.mp4"))
    line = one_line(result.stderr)
    assert result.returncode == 2
    assert "Permission denied" in line and "encoder" not in line, line


# ----------------------------------------------------------------------------- written whole and private


def test_outputs_are_private_whatever_the_umask_and_replace_old_files(clip, tmp_path):
    json_out, video_out = tmp_path / "r.json", tmp_path / "r.mp4"
    json_out.write_text("old report")
    json_out.chmod(0o644)
    result = subprocess.run(
        [
            "sh",
            "-c",
            'umask 000 && exec "$0" -m app analyze "$1" --exercise squat --model lite --json "$2" --annotate "$3"',
            sys.executable,
            str(clip),
            str(json_out),
            str(video_out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert _mode(json_out) == 0o600 and _mode(video_out) == 0o600
    report = json.loads(json_out.read_text())
    assert report["schema"] == 1 and report["frames"] == 12
    cap = cv2.VideoCapture(str(video_out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 12
    cap.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "r.json", "r.mp4"]
    # Every line on stderr is progress: OpenCV's failed H.264 attempts (h264_v4l2m2m) stay quiet.
    assert all(line.startswith("clip.mp4 ") for line in result.stderr.splitlines()), result.stderr


def test_output_file_appears_only_on_commit(tmp_path):
    dest = tmp_path / "report.json"
    dest.write_text("previous")
    old_umask = os.umask(0)
    try:
        out = OutputFile(dest, label="--json")
    finally:
        os.umask(old_umask)
    assert out.temp.parent == tmp_path and out.temp != dest and _mode(out.temp) == 0o600
    out.temp.write_text("new")
    assert dest.read_text() == "previous"
    assert out.commit() == dest
    assert dest.read_text() == "new" and _mode(dest) == 0o600 and not out.temp.exists()

    with OutputFile(dest) as failed:
        failed.temp.write_text("half a report")
    assert dest.read_text() == "new" and not failed.temp.exists()


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_private(link, b"fresh")
    assert link.is_symlink() and real.read_text() == "fresh"


def test_check_destination_refuses_pipes_and_reads(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="named pipe"):
        check_destination(fifo)
    model = tmp_path / "model.task"
    model.write_bytes(b"weights")
    with pytest.raises(OutputError, match="would overwrite the input"):
        check_destination(tmp_path / "x" / ".." / "model.task", reads=[model])
    assert model.read_bytes() == b"weights"


# ----------------------------------------------------------------------------- SIGTERM


def test_sigterm_finishes_a_playable_partial_annotated_video(tmp_path):
    video = write_clip(tmp_path / "long.mp4", frames=450)
    out, json_out = tmp_path / "partial.mp4", tmp_path / "partial.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "analyze",
            str(video),
            "--exercise",
            "squat",
            "--model",
            "lite",
            "--annotate",
            str(out),
            "--json",
            str(json_out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        seen = []
        for line in proc.stderr:  # progress: one line per 10 %
            seen.append(line)
            if line.strip().endswith("10%"):
                proc.send_signal(signal.SIGTERM)
                break
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen and seen[-1].strip().endswith("10%"), "".join(seen)
    assert proc.returncode == 128 + signal.SIGTERM
    last = one_line(rest)
    assert "interrupted after" in last and str(out) in last, last
    cap = cv2.VideoCapture(str(out))
    frames = 0
    while cap.read()[0]:
        frames += 1
    cap.release()
    assert 45 <= frames < 450  # finished (a moov atom), so it plays; partial, as it was stopped
    assert _mode(out) == 0o600
    assert not json_out.exists()  # a report of a third of the clip would mislead
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4", "partial.mp4"]


# ----------------------------------------------------------------------------- reports


@pytest.fixture()
def history(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return fx.build_history(folder / "history.sqlite3")


def test_report_cells_that_would_run_as_formulas_are_quoted(history, tmp_path, capsys):
    conn = sqlite3.connect(history)
    first = conn.execute("SELECT min(id) FROM reps").fetchone()[0]
    conn.execute(
        "UPDATE reps SET faults = ?, recorded_at = ? WHERE id = ?",
        (json.dumps(['=HYPERLINK("http://evil.example","x")']), "@SUM(1+1)", first),
    )
    conn.execute("UPDATE sets SET exercise = '+cmd' WHERE id = (SELECT set_id FROM reps WHERE id = ?)", (first,))
    conn.commit()
    conn.close()
    out = tmp_path / "r.csv"
    old_umask = os.umask(0)
    try:
        code = cli.main(["report", "--out", str(out), "--data-dir", str(history.parent)])
    finally:
        os.umask(old_umask)
    assert code == 0, capsys.readouterr().err
    assert _mode(out) == 0o600
    cells = [cell for row in csv.reader(out.open(encoding="utf-8")) for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells and "'@SUM(1+1)" in cells and "'+cmd" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_csv_cell_quotes_text_not_numbers():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-2+3") == "'-2+3" and csv_cell("\t=x") == "'\t=x"
    assert csv_cell(-5.5) == -5.5 and csv_cell("squat") == "squat" and csv_cell("") == ""


def test_report_out_naming_the_history_is_refused(history, tmp_path, capsys):
    before = history.read_bytes()
    link = tmp_path / "history.csv"
    link.symlink_to(history)
    code = cli.main(["report", "--out", str(link), "--data-dir", str(history.parent)])
    err = capsys.readouterr().err
    assert code == 2 and "would overwrite the input" in one_line(err), err
    assert history.read_bytes() == before
