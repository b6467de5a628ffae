"""Nothing leaves the machine: analyze and a live session make no IP connection and no DNS lookup.

MediaPipe's uploader runs in native code, which a Python socket guard cannot see, so each run is
watched twice: from outside by ``strace -f`` (every connect/send of every thread and child), and
from inside by a ``sitecustomize`` that refuses (and records) any non-local socket use in Python.
The harness is first shown to catch a lookup and a connection, so a quiet run means something.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pose.estimator import OFFLINE_PROXY, USAGE_LOG_HOST, _no_proxy_spares, keep_mediapipe_offline

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "sample_videos" / "squat_side_fast.mp4"  # the shortest sample clip (16 s)

GUARD = textwrap.dedent('''
    """Test-only: refuse and record any Python socket use that is not a local (Unix) socket."""
    import os
    import socket

    _LOG = os.environ["HIPCOACH_NET_GUARD_LOG"]

    def _refuse(what):
        with open(_LOG, "a") as f:
            f.write(what + "\\n")
        raise OSError(f"network use refused by the test guard: {what}")

    def _lookup(name):
        def guarded(host, *args, **kwargs):
            _refuse(f"{name}({host!r})")
        setattr(socket, name, guarded)

    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "create_connection"):
        _lookup(_name)

    def _method(name):
        real = getattr(socket.socket, name)
        def guarded(self, *args, **kwargs):
            if self.family != getattr(socket, "AF_UNIX", None):
                _refuse(f"socket.{name}{args!r}")
            return real(self, *args, **kwargs)
        setattr(socket.socket, name, guarded)

    for _name in ("connect", "connect_ex", "sendto"):
        _method(_name)
''')

LIVE_SESSION = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.live.pipeline import LiveSource, live_items

    items = live_items(LiveSource(path=Path(sys.argv[1]), speed=4.0), "squat", model="lite")
    seen = 0
    for item in items:
        seen += 1
        if seen >= 90:
            break
    items.close()
    print(seen)
""")


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True)
    return probe.returncode == 0


needs_strace = pytest.mark.skipif(
    not _strace_works(), reason="strace is missing or cannot trace here (bash scripts/setup.sh test installs it)"
)


def network_use(strace_log: str) -> list[str]:
    """The traced calls that would reach past this machine: IP connects, anything sent to port 53."""
    found = []
    for line in strace_log.splitlines():
        if not re.search(r"\b(connect|sendto|sendmsg|sendmmsg)\(", line):
            continue
        if "AF_INET" in line or "htons(53)" in line:
            found.append(line.strip())
    return found


def _run_watched(args: list[str], tmp_path: Path, guard: bool = True, timeout: float = 300):
    trace = tmp_path / "strace.log"
    guard_log = tmp_path / "guard.log"
    guard_log.write_text("")
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HIPCOACH_NET_GUARD_LOG=str(guard_log),
        HIPCOACH_CACHE_DIR=str(tmp_path / "cache"),
    )
    if guard:
        (tmp_path / "guard").mkdir(exist_ok=True)
        (tmp_path / "guard" / "sitecustomize.py").write_text(GUARD)
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "guard"), str(ROOT), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect,sendto,sendmsg,sendmmsg",
            "-e",
            "signal=none",
            "-o",
            str(trace),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return result, trace.read_text(), guard_log.read_text()


@needs_strace
def test_the_watch_catches_a_lookup_and_a_connection(tmp_path):
    # A DNS-shaped datagram to port 53 and a TCP connect, both to this machine: harmless, and
    # exactly what the checks below must flag.
    probe = (
        "import socket\n"
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b'q', ('127.0.0.1', 53))\n"
        "t = socket.socket(); t.settimeout(1); t.connect_ex(('127.0.0.1', 9))\n"
    )
    result, trace, _ = _run_watched([sys.executable, "-c", probe], tmp_path, guard=False)
    assert result.returncode == 0, result.stderr
    flagged = network_use(trace)
    assert any("htons(53)" in line for line in flagged), trace
    assert any("connect(" in line and "htons(9)" in line for line in flagged), trace
    # The Python guard refuses and records the same.
    result, _, guard_log = _run_watched([sys.executable, "-c", probe], tmp_path, guard=True)
    assert result.returncode != 0 and "refused by the test guard" in result.stderr
    assert "sendto" in guard_log


@needs_strace
def test_analyze_makes_no_network_use(tmp_path):
    out = tmp_path / "result.json"
    result, trace, guard_log = _run_watched(
        [
            sys.executable,
            "-m",
            "app",
            "analyze",
            str(CLIP),
            "--exercise",
            "squat",
            "--model",
            "lite",
            "--json",
            str(out),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["frames_with_pose"] > 0  # the model really ran
    assert network_use(trace) == [], "\n".join(network_use(trace))
    assert guard_log == ""


@needs_strace
def test_a_live_session_makes_no_network_use(tmp_path):
    result, trace, guard_log = _run_watched([sys.executable, "-c", LIVE_SESSION, str(CLIP)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) == 90
    assert network_use(trace) == [], "\n".join(network_use(trace))
    assert guard_log == ""


def test_offline_proxy_is_set_and_no_proxy_cannot_exempt_the_usage_host():
    env = {"no_proxy": "localhost,.googleapis.com,192.168.1.20", "NO_PROXY": "*", "https_proxy": "http://corp:3128"}
    keep_mediapipe_offline(env)
    assert env["https_proxy"] == OFFLINE_PROXY
    assert env["no_proxy"] == "localhost,192.168.1.20"  # the camera on the LAN keeps its exemption
    assert env["NO_PROXY"] == ""


@pytest.mark.parametrize(
    "entries, kept",
    [
        ("", ""),
        ("*", ""),
        ("play.googleapis.com", ""),
        ("googleapis.com, example.org", "example.org"),
        (".com", ""),
        ("lay.googleapis.com,10.0.0.0/8", "lay.googleapis.com,10.0.0.0/8"),  # not a domain suffix
    ],
)
def test_no_proxy_entries_that_would_exempt_the_usage_host_are_removed(entries, kept):
    assert _no_proxy_spares(entries, USAGE_LOG_HOST) == kept


def test_the_download_tools_get_an_environment_without_the_offline_proxy(monkeypatch):
    # The offline proxy is process-wide; the model and figure builders must still reach PyPI/npm.
    from models import download_env

    monkeypatch.setenv("https_proxy", OFFLINE_PROXY)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    env = download_env()
    assert "https_proxy" not in env
    assert env["HTTPS_PROXY"] == "http://proxy.example:3128"  # a proxy of the user's own stays
