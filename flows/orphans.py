"""Prefect servers this process starts end when it does, also when it is killed (one home for the rule).

A flow call with no Prefect server configured starts Prefect's temporary server, and `newswatch serve` starts a
`prefect server start`: each a process of its own (about 150 MB), which this process stops when it exits normally.
A SIGKILL (the OOM killer, a supervisor's timeout, `kill -9`) gives it no chance to, and the server stayed, one more
for every killed run. So a small watchdog process is started first: every half second it notes this process's
children (/proc/PID/task/*/children) whose command line names the server, and once this process is no longer its
parent, it ends those of them that are still the same processes (same start time, so a pid reused later is never
signalled). Linux only (it reads
/proc); elsewhere nothing is started and a killed run's server stays, as before.
"""

from __future__ import annotations

import os
import subprocess
import sys

EPHEMERAL_SERVER = "prefect.server.api.server:create_app"  # on the temporary server's command line
SERVER_START = "prefect server start"  # `python -m prefect server start ...`

_WATCHDOG = r"""
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops its servers itself
parent, marker = int(sys.argv[1]), sys.argv[2].encode()

def stat(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return int(fields[1]), fields[19]  # parent pid, start time

def command(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ")

def children():  # the parent's: from each of its threads' children list, else (no such list) every process
    try:
        found = set()
        for tid in os.listdir(f"/proc/{parent}/task"):
            with open(f"/proc/{parent}/task/{tid}/children", "rb") as f:
                found.update(int(pid) for pid in f.read().split())
        return found
    except OSError:
        return {int(name) for name in os.listdir("/proc") if name.isdigit()}

seen = {}
while os.getppid() == parent:
    for pid in children() - seen.keys() - {os.getpid()}:
        try:
            ppid, started = stat(pid)
            line = command(pid)
            if ppid == parent and marker in line and b"parent's to handle" not in line:  # not a watchdog
                seen[pid] = started
        except OSError:
            pass
    time.sleep(0.5)
for pid, started in seen.items():
    try:
        if stat(pid)[1] == started:
            os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
"""

_watching: set[str] = set()


def end_with_this_process(marker: str) -> bool:
    """Start (once per marker) the watchdog that ends this process's children whose command line contains
    `marker` when this process is gone. False when none was started (not Linux, already watching, or it could not
    be started: the servers then outlive a kill, as before)."""
    if not sys.platform.startswith("linux") or marker in _watching:
        return False
    try:
        subprocess.Popen(
            [sys.executable or "python3", "-I", "-S", "-c", _WATCHDOG, str(os.getpid()), marker],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
        )
    except OSError:
        return False
    _watching.add(marker)
    return True


def watch_ephemeral_server() -> None:
    """Before the first flow call: when Prefect's temporary server will be the engine (no `PREFECT_API_URL`), have
    it end with this process."""
    from prefect.settings import get_current_settings

    current = get_current_settings()
    if not current.api.url and current.server.ephemeral.enabled:
        end_with_this_process(EPHEMERAL_SERVER)
