"""Run one ingest in this process and print its summary and peak memory as JSON (the bench's memory probe).

Started by bench/run.py as a child process with PREFECT_API_URL pointing at an engine that is already running,
so the child's memory is the ingest's own; it never starts a server of its own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def own_peak_kb() -> int:
    """This process's own high-water mark. Linux's ru_maxrss carries the parent's RSS across fork and exec
    (a probe started by a large bench process would report the bench's size), so VmHWM comes first."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(config_path: str) -> None:
    from flows.ingest import configured_ingest_flow
    from newswatch.config import load_settings

    started = time.perf_counter()
    summary = configured_ingest_flow(load_settings(config_path))(config_path=config_path)
    seconds = time.perf_counter() - started
    self_kb = own_peak_kb()
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "articles_new": summary.articles_new,
                "entries": summary.entries,
                "maxrss_self_mb": self_kb / 1024,
                "maxrss_largest_child_mb": children_kb / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
