"""Scoring processes end when the process that started them is killed: nobody will read their results, and a
worker blocked writing one would otherwise wait for ever (found by killing `newswatch rescore --actors`: four
processes, about 90 MB each, were still there minutes later)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Starts a real pool with the shipped config's Analyzer, hands it work, prints its worker pids, then waits.
CHILD = """
import sys, time
from newswatch.analysis.analyzer import AnalysisPool, Analyzer
from newswatch.config import load_settings
settings = load_settings(sys.argv[1])
pool = AnalysisPool(Analyzer.from_settings(settings), 2)
pool.start()
pool.map(sorted, [1, 2, 3, 4])  # gives them work (the first map, starting them, would do some of it here)
print(" ".join(str(pid) for pid in pool._pool._processes), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_workers_exit_when_their_parent_is_killed(project: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(project / "config" / "newswatch.toml")],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert child.stdout is not None
        workers = [int(pid) for pid in child.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        child.send_signal(signal.SIGKILL)
        child.wait()
        deadline = time.monotonic() + 60  # a bound on waiting, not a speed figure: they check once a second
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if child.poll() is None:
            child.kill()
