"""The linters run with the tests: ruff (rules and formatting, configured in pyproject.toml) over the whole
tree, and mypy over the engine (pose/ and exercises/, configured in [tool.mypy]).

They run from the same environment as the tests (the `test` extra installs them), so CI and a developer see
the same verdict; a failure prints what the tool said.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{tool} is not installed next to {sys.executable}: bash scripts/setup.sh test installs it")
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _assert_clean(result: subprocess.CompletedProcess[str], hint: str) -> None:
    if result.returncode != 0:
        said = (result.stdout + result.stderr).strip()
        pytest.fail(f"{' '.join(result.args)} failed ({hint}):\n{said}", pytrace=False)


def test_ruff_check_passes() -> None:
    _assert_clean(_run("ruff", "check", "--no-cache", "."), "fix by hand, or ruff check --fix for the safe ones")


def test_ruff_format_is_applied() -> None:
    _assert_clean(_run("ruff", "format", "--check", "--no-cache", "."), "run: ruff format <the files listed>")


def test_engine_type_checks() -> None:
    # The cache only speeds up a second run; keep it out of the tree.
    _assert_clean(
        _run("mypy", "--cache-dir", "/dev/null", "pose", "exercises"),
        "pose/ and exercises/ are fully typed; narrow an Optional before use rather than ignoring the error",
    )
