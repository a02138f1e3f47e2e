"""A miniature ingest run in its own process, for the client-copy tests: store a batch of SAMPLE articles with
the pipeline's own stages (Store.save_articles, stored stories, publish_copy), the way flows/ingest.py does.

    python -m tests.support.coverage_writer CONFIG FIRST COUNT [--loop]

With --loop it repeats forever (batch after batch), printing "published N" after each copy, until killed.
With --kill-after it reads delays (seconds) from stdin, one a line; for each it forks a child that runs one batch,
SIGKILLs the child after that delay if it is still running, and prints "killed" or "finished" (imports are paid
once, so many kill points cost little).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import date, timedelta

from newswatch.analysis.stored_stories import refresh_run_stories
from newswatch.config import load_settings
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import Item, headline, save

START = date(2025, 2, 1)


def ingest_batch(config: str, first: int, count: int) -> int:
    """Store articles first..first+count-1 (spread over days), refresh their stories, publish; returns the total."""
    settings = load_settings(config)
    items = [
        Item(
            f"w{i:06d}",
            START + timedelta(days=i % 30),
            f"Outlet {'ABC'[i % 3]} (sample)",
            ((i % 7) - 3) / 10,
            actors=[("actor-x", 1, ((i % 5) - 2) / 10)],
            title=headline(i),
            minute=i % 600,
        )
        for i in range(first, first + count)
    ]
    with Database(settings.database_path, lock_timeout=60) as db:
        store = Store(db)
        run_id = store.start_run("ingest")
        save(store, items)
        db.execute("UPDATE article SET run_id = ? WHERE run_id = 'test-run'", [run_id])
        refresh_run_stories(store, [run_id], settings.digest.tz)
        store.finish_run(run_id, "ok", {"articles_new": count}, {})
        db.publish_copy(settings.client_copy_path)
        return int(db.scalar("SELECT count(*) FROM article"))


def kill_runs(config: str, first: int, count: int) -> None:
    for line in sys.stdin:
        delay = float(line)
        pid = os.fork()
        if pid == 0:  # the child: one run, no cleanup of the parent's state
            try:
                ingest_batch(config, first, count)
            finally:
                os._exit(0)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
            time.sleep(0.005)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print("killed", flush=True)
        except (ProcessLookupError, ChildProcessError):
            print("finished", flush=True)
        first += count


def main(argv: list[str]) -> int:
    config, first, count = argv[0], int(argv[1]), int(argv[2])
    if "--kill-after" in argv:
        kill_runs(config, first, count)
        return 0
    while True:
        total = ingest_batch(config, first, count)
        print(f"published {total}", flush=True)
        if "--loop" not in argv:
            return 0
        first += count


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
