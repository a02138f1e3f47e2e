"""Many small scheduled runs in one process, as `newswatch serve` makes them: does anything grow run after run?

    .venv/bin/python bench/long_running.py                  # 200 ingests, a digest after every 10th
    .venv/bin/python bench/long_running.py --runs 20        # a smoke run

Every run brings the same 20 feeds with 4 new items each (SAMPLE DATA, `bench/workload.py`), published 6 hours after
the previous run's, so the store grows as a 20-feed monitor's does; every `--digest-every` runs the digest of that
day is built too. After each run it records the run's wall seconds, this process's resident memory, its threads and
its open files; at the start, the middle and the end it also times an empty flow run (Prefect's own cost). The
flows run in this process with the thread runner, against one Prefect engine, as under `newswatch serve`.
Figures only, no assertions; everything it writes is in its work folder (a temp folder unless --workdir).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.large_store import timed_publishes  # noqa: E402
from bench.run import (  # noqa: E402
    _log,
    _warm_up,
    call_flow,
    make_project,
    prefect_engine,
    run_in_workdir,
    running_engine,
)
from bench.server import FeedServer  # noqa: E402
from bench.workload import generate  # noqa: E402

FEEDS, ITEMS = 20, 4
FIRST_DAY = datetime(2025, 4, 1, tzinfo=UTC)
HOURS_BETWEEN_RUNS = 6


def resident_mb() -> float | None:
    """This process's resident memory (Linux: /proc/self/status), None where there is no such file."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def open_files() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def empty_flow_seconds(repeat: int = 3) -> float:
    """The best of `repeat` calls of a flow that does nothing (the engine's cost per flow run)."""
    from prefect import flow

    from flows.engine import engine_settings

    @flow(name="bench-empty")
    def empty() -> int:
        return 1

    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        with engine_settings(local=True):
            empty()
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of ys over xs (None with fewer than two points)."""
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


def measure(runs: int, work: Path, digest_every: int = 10, start_engine: bool = True) -> dict[str, Any]:
    from flows.digest import digest_flow
    from flows.ingest import configured_ingest_flow
    from newswatch.config import load_settings

    rows: list[dict[str, Any]] = []
    empty: dict[int, float] = {}
    engine = prefect_engine(work / "prefect") if start_engine else running_engine()
    with FeedServer() as server, engine:
        _warm_up()
        project = work / "store"
        for k in range(runs):
            first = FIRST_DAY + timedelta(hours=HOURS_BETWEEN_RUNS * k)
            wl = generate(FEEDS, ITEMS, 1, prefix=f"run{k}", seed=7000 + k, first_day=first)
            wl.feeds = {f"feed{i:02d}": body for i, body in enumerate(wl.feeds.values())}  # the same feeds each run
            config = make_project(project, wl, server, "live", "thread")
            with timed_publishes() as published:
                call = call_flow(configured_ingest_flow(load_settings(config)), config_path=str(config))
            row: dict[str, Any] = {"run": k + 1, "seconds": round(call.seconds, 3),
                                   "articles_new": call.result.articles_new,
                                   "publish_seconds": round(sum(published), 3),
                                   "stories_seconds": call.result.seconds.get("stories")}
            if digest_every and (k + 1) % digest_every == 0:
                row["digest_seconds"] = round(call_flow(digest_flow, config_path=str(config),
                                                        day=first.date()).seconds, 3)
            gc.collect()
            row.update(rss_mb=resident_mb(), threads=threading.active_count(), open_files=open_files())
            if k in (0, runs // 2, runs - 1):
                empty[k + 1] = empty_flow_seconds()
            rows.append(row)
            if (k + 1) % 10 == 0 or k + 1 == runs:
                _log("run %d: %s", k + 1, row)
        database = load_settings(config).database_path
        size = database.stat().st_size >> 20
    half = [r for r in rows[len(rows) // 2 :] if r["rss_mb"] is not None]
    plain = [r for r in half if "digest_seconds" not in r]  # a digest run's figure includes the digest's own peak
    rss_slope = slope([r["run"] for r in plain], [r["rss_mb"] for r in plain])
    sec_slope = slope([r["run"] for r in half], [r["seconds"] for r in half])
    pub_slope = slope([r["run"] for r in half], [r["publish_seconds"] for r in half])
    return {"runs": runs, "feeds": FEEDS, "items_per_feed": ITEMS, "digest_every": digest_every,
            "articles": sum(r["articles_new"] for r in rows), "database_megabytes": size,
            "empty_flow_seconds": empty, "rows": rows,
            "rss_mb_per_run_second_half": None if rss_slope is None else round(rss_slope, 3),
            "seconds_per_run_second_half": None if sec_slope is None else round(sec_slope, 4),
            "publish_seconds_per_run_second_half": None if pub_slope is None else round(pub_slope, 4)}


def _mb(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} MB"


def report(figures: dict[str, Any]) -> str:
    rows = figures["rows"]
    lines = [f"{figures['runs']} runs of {figures['feeds']} feeds x {figures['items_per_feed']} new items in one "
             f"process: {figures['articles']} articles stored, database {figures['database_megabytes']} MB"]
    for row in rows:
        if row["run"] in (1, 2) or row["run"] % 25 == 0 or row is rows[-1]:
            digest = f", digest {row['digest_seconds']:.2f} s" if "digest_seconds" in row else ""
            lines.append(f"  run {row['run']:4d}: {row['seconds']:5.2f} s (publishing {row['publish_seconds']:.2f} s), "
                         f"{row['articles_new']} new{digest}; "
                         f"RSS {_mb(row['rss_mb'])}, {row['threads']} threads, {row['open_files']} open files")
    lines.append("  empty flow run: " + ", ".join(f"{s:.3f} s at run {k}" for k, s in
                                                    figures["empty_flow_seconds"].items()))
    lines.append(f"  second half: RSS {figures['rss_mb_per_run_second_half']} MB per run (runs without a digest), "
                 f"wall {figures['seconds_per_run_second_half']} s per run, of which publishing "
                 f"{figures['publish_seconds_per_run_second_half']} s per run")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="scheduled runs (default 200)")
    parser.add_argument("--digest-every", type=int, default=10, help="build the digest every N runs (0: never)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--workdir", help="work folder (kept); default a temp folder, removed")
    args = parser.parse_args(argv)
    return run_in_workdir(args.workdir, "newswatch-long-", lambda work: measure(args.runs, work, args.digest_every),
                          report, args.json)

if __name__ == "__main__":
    raise SystemExit(main())
