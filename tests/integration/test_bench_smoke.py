"""The benchmark runs end to end on a tiny workload and reports every figure (no timed assertions)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bench import run as bench

TINY = bench.Sizes(
    feeds=2,
    items_per_feed=8,
    days=30,
    inbox_files=1,
    items_per_file=4,
    history_copies=3,
    rss_feeds=2,
    rss_items_per_feed=8,
)
KEYS = [
    "raw_seconds",
    "first_run_seconds",
    "rerun_seconds",
    "digest_seconds_small",
    "digest_seconds_large",
    "peak_rss_mb",
]


@pytest.mark.flow
@pytest.mark.slow
def test_bench_reports_every_figure(prefect_engine: None, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    args = argparse.Namespace(
        quick=True,
        json=str(out),
        runner="thread",
        rss_articles=None,
        no_rss=False,
        workdir=str(tmp_path / "work"),
        keep=False,
    )
    figures = bench.run(args, sizes=TINY, start_engine=False)
    out.write_text(json.dumps(figures, default=str))
    data = json.loads(out.read_text())
    for key in KEYS:
        assert data[key] > 0, key
    assert set(data["ratios"]) >= {"first_run/raw", "rerun/first_run", "digest_large/digest_small"}
    assert data["articles_large"] == 3 * data["articles_small"]
    # The rerun found nothing new: every feed answered 304 to the conditional GET, nothing was scored again.
    assert data["rerun"]["http"] == {"304": 2}
    assert data["rerun"]["articles_new"] == 0
    assert data["first_run"]["articles_new"] == data["distinct_articles"]
    # The first run's CPU, split by process, adds up to the whole (each part rounded to 0.01 s).
    by_process = data["first_run"]["cpu_by_process"]
    assert set(by_process) == {"flow", "scoring", "prefect_server", "other"}
    assert sum(by_process.values()) == pytest.approx(data["first_run_cpu_seconds"], abs=0.03)
    assert by_process["flow"] > 0
    # The CPU ratio also bills the first run for Prefect's server's work on its records after it returned.
    after = data["first_run_server_after_seconds"]
    assert after >= 0
    assert data["ratios"]["first_run_cpu/raw_cpu"] == pytest.approx(
        (data["first_run_cpu_seconds"] + after) / data["raw_cpu_seconds"])
    assert "peak_rss_mb" in bench.report(figures)


def test_busy_sampler_counts_a_busy_core_and_stays_within_the_machines_cores() -> None:
    """bench/busy_timeline.py's sampler: while this thread spins, at least one core reads busy in most samples."""
    import os
    import sys
    import time

    from bench.busy_timeline import BusySampler

    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc/stat")
    with BusySampler() as sampler:
        end = time.monotonic() + 1.2
        while time.monotonic() < end:
            pass
    cores = os.cpu_count() or 1
    assert len(sampler.samples) >= 3
    assert all(0.0 <= busy <= cores + 1e-9 for _, busy in sampler.samples)
    assert sorted(busy for _, busy in sampler.samples)[len(sampler.samples) // 2] >= 0.8


@pytest.mark.flow
@pytest.mark.slow
def test_large_store_bench_times_small_runs_with_and_without_a_copy_interval(prefect_engine: None,
                                                                             tmp_path: Path) -> None:
    from bench import large_store

    figures = large_store.measure(TINY, copies=2, runs=1, interval=60, work=tmp_path, start_engine=False,
                                  terms=1000)
    assert figures["terms_added"] == 1000  # the corpus statistics are as large as asked
    first_copy = TINY.feeds * TINY.items_per_feed  # at most: some items are syndicated copies of others
    assert 0 < figures["articles"] <= 2 * (first_copy + TINY.inbox_files * TINY.items_per_file)
    every_run, with_interval = figures["interval_0"][0], figures["interval_60"][0]
    assert every_run["articles_new"] > 0 and with_interval["articles_new"] > 0
    assert len(every_run["publish_seconds"]) == 1  # it stored articles, so it published
    assert with_interval["publish_seconds"] == []  # the copy was minutes old: left for later
    assert "client_copy_interval_minutes =  60, run 1" in large_store.report(figures)


@pytest.mark.flow
@pytest.mark.slow
def test_long_running_bench_records_every_run_in_one_process(prefect_engine: None, tmp_path: Path) -> None:
    """bench/long_running.py: each run stores new items of the same feeds, a digest runs when due, and every run's
    memory, threads and open files are recorded (figures only: the bench asserts nothing about them)."""
    import sys

    from bench import long_running

    figures = long_running.measure(3, tmp_path, digest_every=2, start_engine=False)
    rows = figures["rows"]
    assert [r["run"] for r in rows] == [1, 2, 3]
    assert all(r["articles_new"] > 0 for r in rows)  # new items every run, not duplicates of the last
    assert figures["articles"] == sum(r["articles_new"] for r in rows)
    assert "digest_seconds" in rows[1] and "digest_seconds" not in rows[0]  # every 2nd run builds the digest
    assert all(r["publish_seconds"] > 0 for r in rows)  # each run stored something, so it published
    assert sorted(figures["empty_flow_seconds"]) == [1, 2, 3]
    if sys.platform.startswith("linux"):
        assert all(r["rss_mb"] > 0 and r["open_files"] > 0 for r in rows)
    assert "second half" in long_running.report(figures)
