"""Run one ingest in this process and print its summary and peak memory as JSON (the bench's memory probe).

Started by bench/run.py as a child process with PREFECT_API_URL pointing at an engine that is already running,
so the child's memory is the ingest's own; it never starts a server of its own.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main(config_path: str) -> None:
    from flows.ingest import configured_ingest_flow
    from newswatch.config import load_settings

    started = time.perf_counter()
    summary = configured_ingest_flow(load_settings(config_path))(config_path=config_path)
    seconds = time.perf_counter() - started
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
