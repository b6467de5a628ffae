"""One parser for every command: ``hipcoach --help`` lists them, each has its own ``--help``, the window is
the default command, its command lines and errors are those of before, and only the window loads Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli_parser import COMMANDS, MODEL_NAMES, build_parser, parse

ROOT = Path(__file__).resolve().parent.parent
# Every command the product has; a new one belongs here, in the parser and in the README.
EXPECTED_COMMANDS = ("window", "analyze", "batch", "eval", "bench", "report")


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )


def _no_display_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return env


def test_help_lists_every_command():
    assert COMMANDS == EXPECTED_COMMANDS
    assert set(build_parser().commands) == set(EXPECTED_COMMANDS)
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("commands:", 1)[1]
    for command in EXPECTED_COMMANDS:
        assert f"\n    {command} " in listed, (command, result.stdout)
    assert "default" in listed.split("\n    window", 1)[1].split("\n    analyze", 1)[0]


@pytest.mark.parametrize("command", EXPECTED_COMMANDS)
def test_each_command_has_its_own_help(command):
    result = _run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: hipcoach"), result.stdout
    assert result.stderr == ""


def test_the_window_is_the_default_command():
    assert parse([]).command == "window"
    args = parse(["--source", "clip.mp4", "--exercise", "squat", "--mute"])
    assert (args.command, args.source, args.exercise, args.mute) == ("window", "clip.mp4", "squat", True)
    assert parse(["window", "--camera", "2"]).camera == 2
    assert parse(["analyze", "clip.mp4", "--exercise", "squat"]).command == "analyze"
    assert parse(["-v", "report", "--out", "r.csv"]).verbose


def test_window_options_and_errors_are_as_before(capsys):
    # The window's own errors keep argparse's form: its usage (named plain 'hipcoach'), then one error line.
    for argv, line in (
        (["--exercise", "jumping_jack"], "hipcoach: error: argument --exercise: invalid choice: 'jumping_jack'"),
        (["--bogus"], "hipcoach: error: unrecognized arguments: --bogus"),
        (["--model", "huge"], "hipcoach: error: argument --model: invalid choice: 'huge'"),
        (
            ["--source", "a.mp4", "--camera", "1"],
            "hipcoach: error: argument --camera: not allowed with argument --source",
        ),
        (["analyze2"], "hipcoach: error: unrecognized arguments: analyze2"),
    ):
        with pytest.raises(SystemExit) as stop:
            parse(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("usage: hipcoach [-h] [--source PATH | --camera N]"), err
        assert err.splitlines()[-1].startswith(line), err


def test_headless_errors_stay_one_line(capsys):
    for argv, line in (
        (["analyze", "clip.mp4", "--exercise", "squat", "--bogus"], "hipcoach: error: unrecognized arguments: --bogus"),
        (["analyze"], "hipcoach analyze: error: the following arguments are required: video, --exercise"),
        (["bench", "--rounds", "x"], "hipcoach bench: error: argument --rounds: invalid int value: 'x'"),
        (["report"], "hipcoach report: error: the following arguments are required: --out"),
    ):
        with pytest.raises(SystemExit) as stop:
            parse(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.splitlines() == [f"{line} (see {line.split(':')[0]} --help)"], err


def test_model_names_match_the_estimator():
    from pose.estimator import MODEL_NAMES as ESTIMATOR_MODELS

    assert MODEL_NAMES == ESTIMATOR_MODELS


def test_window_without_a_display_says_so_in_one_line(tmp_path):
    # The window command runs (the one place Qt may load), and stops before Qt for want of a display.
    for argv in ([], ["window"], ["--no-start", "--mute"]):
        result = _run(*argv, "--data-dir", str(tmp_path), env=_no_display_env())
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "hipcoach: error: no display to open the window on (DISPLAY is not set); "
            "for headless work use 'hipcoach analyze VIDEO --exercise ID'"
        ], result.stderr


def test_the_parser_loads_no_qt_and_no_opencv():
    code = (
        "import sys, app.cli_parser;"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('PyQt6', 'cv2', 'mediapipe')];"
        "assert not heavy, heavy"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def _small_clip(path: Path, frames: int = 12) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (160, 120))
    for i in range(frames):
        image = np.zeros((120, 160, 3), np.uint8)
        cv2.rectangle(image, (2 * i, 10), (2 * i + 20, 40), (0, 200, 255), -1)
        writer.write(image)
    writer.release()
    return path


def test_headless_commands_run_without_loading_qt(tmp_path):
    """``hipcoach analyze`` (a whole analysis) and ``hipcoach report`` run from the entry point, Qt never loaded."""
    clip = _small_clip(tmp_path / "clip.mp4")
    probe = tmp_path / "probe.json"
    code = (
        "import json, sys\n"
        "from app.__main__ import main\n"
        "codes = [main(['analyze', sys.argv[1], '--exercise', 'squat', '--model', 'lite', '--json', sys.argv[3]]),\n"
        "         main(['report', '--out', sys.argv[3] + '.csv', '--data-dir', sys.argv[4]])]\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] == 'PyQt6')\n"
        "seen = {'codes': codes, 'qt': qt, 'mediapipe': 'mediapipe' in sys.modules}\n"
        "open(sys.argv[2], 'w').write(json.dumps(seen))\n"
    )
    report = tmp_path / "report.json"
    empty = tmp_path / "no_history"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", code, str(clip), str(probe), str(report), str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(probe.read_text())
    # analyze succeeded (it really ran MediaPipe); report had no history to read: exit 2, one line.
    assert seen["codes"] == [0, 2] and seen["mediapipe"], (seen, result.stderr)
    assert json.loads(report.read_text())["frames"] == 12
    assert seen["qt"] == []


def test_the_readme_command_lines_parse():
    """Every command line the README documents is still understood (optional parts given)."""
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0] for line in text.splitlines() if line.startswith("hipcoach ")]
    start = next(line for line in text.splitlines() if ".venv/bin/hipcoach " in line)
    lines.append(start.split(".venv/bin/", 1)[1])
    seen = set()
    for line in lines:
        argv = shlex.split(line.replace("[", "").replace("]", ""))[1:]
        args = parse(argv)
        expected = argv[0] if argv[0] in COMMANDS else "window"
        assert args.command == expected, line
        seen.add(args.command)
    assert seen == set(EXPECTED_COMMANDS)
