"""Prefect servers a newswatch process starts end with it, also when it is killed (flows/orphans.py): before, each
SIGKILLed run left its temporary Prefect server (about 150 MB) running for good."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_pool_orphans import _alive

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watchdog reads /proc")

# A parent that starts the watchdog, then two children: one whose command line names the marker (a "server") and
# one that does not; it prints their pids and waits to be killed.
PARENT = """
import subprocess, sys, time
from flows.orphans import end_with_this_process
assert end_with_this_process("newswatch-test-server")
assert not end_with_this_process("newswatch-test-server")  # once per marker
server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "newswatch-test-server"])
other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "something else"])
time.sleep(1.5)  # the watchdog looks every half second
print(server.pid, other.pid, flush=True)
time.sleep(600)
"""


def _wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds  # a bound on waiting, not a speed figure: it looks twice a second
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def test_a_killed_process_takes_its_server_with_it_and_nothing_else() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    server = other = 0
    try:
        assert parent.stdout is not None
        server, other = (int(pid) for pid in parent.stdout.readline().split())
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_gone(server)
        time.sleep(1)
        assert _alive(other)  # not the server's marker: left alone
    finally:
        for pid in (server, other):
            if pid and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.flow
def test_a_killed_ingest_leaves_no_temporary_prefect_server(tmp_path: Path) -> None:
    """The real command, with no Prefect server configured: killed once its temporary server runs."""
    import shutil

    for folder in ("config", "samples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    run = subprocess.Popen([str(Path(sys.executable).with_name("newswatch")), "--config", "config/newswatch.toml",
                            "ingest"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = 0
    try:
        deadline = time.monotonic() + 120  # the temporary server's start-up, bounded
        while not server and time.monotonic() < deadline and run.poll() is None:
            server = next((c for c in _children(run.pid) if "uvicorn" in _command(c)), 0)
            time.sleep(0.1)
        assert server, "the ingest started no temporary Prefect server"
        time.sleep(1)  # the watchdog has seen it
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert _wait_gone(server)
    finally:
        if server and _alive(server):
            os.kill(server, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
