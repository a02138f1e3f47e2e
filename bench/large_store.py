"""A small scheduled run into a large store: what each ingest costs once the history is big.

    .venv/bin/python bench/large_store.py                  # about 1M articles (the full bench's history x 100)
    .venv/bin/python bench/large_store.py --copies 10      # about 100k
    .venv/bin/python bench/large_store.py --quick --copies 2 --runs 1   # a smoke run

Generates the bench workload (SAMPLE DATA), stores it with one ingest, copies that history back in time as the
digest bench's large history is made (`bench.run.copy_history`), adds made-up terms to its corpus statistics until
the table is as large as real news of that many articles would make it (`expected_terms`), then times `--runs` small ingests of new
articles (20 feeds x 3 items each, as a scheduled run of a 20-feed monitor brings) twice: with `[storage]
client_copy_interval_minutes = 0` (every ingest that stores something publishes the clients' copy) and with
`--interval` minutes (the copy, written minutes before, is left for later). Prints each run's wall and CPU seconds
and the time spent publishing (checkpoint and copy). Timing figures only, no assertions; everything it writes is in
its work folder (a temp folder unless --workdir).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.run import (  # noqa: E402
    FULL,
    QUICK,
    Sizes,
    _log,
    _warm_up,
    call_flow,
    copy_history,
    make_project,
    prefect_engine,
    run_in_workdir,
    running_engine,
)
from bench.server import FeedServer  # noqa: E402
from bench.workload import generate  # noqa: E402

SMALL_FEEDS, SMALL_ITEMS = 20, 3
# Distinct content terms grew as 23,654 x (articles / 711)^0.67 over the 711 real articles of the public
# event-labelled sets (docs/performance.md, Memory); the generated articles use a few hundred words.
HEAPS_TERMS, HEAPS_ARTICLES, HEAPS_EXPONENT = 23_654, 711, 0.67


def expected_terms(articles: int) -> int:
    """Distinct terms a store of real news with this many articles would have counted (the fit above)."""
    return round(HEAPS_TERMS * (articles / HEAPS_ARTICLES) ** HEAPS_EXPONENT)


def add_vocabulary(database: Path, terms: int) -> int:
    """Count `terms` made-up terms in the store's corpus statistics as real news would have (half of them seen
    once, a long tail above), so that each run reads a table of a real store's size. Returns the rows added."""
    from storage.db import Database

    with Database(database) as db:
        before = int(db.scalar("SELECT count(*) FROM corpus_df"))
        db.execute(
            "INSERT INTO corpus_df (term, df, key) SELECT term, df, md5_number_lower(term) FROM ("
            "SELECT 'bench-term-' || i AS term, least(1000000, floor(1.0 / (1.0 - random()))::BIGINT) AS df "
            "FROM range(?) r(i)) ON CONFLICT (term) DO NOTHING", [terms])
        return int(db.scalar("SELECT count(*) FROM corpus_df")) - before


@contextmanager
def timed_publishes() -> Iterator[list[float]]:
    """Seconds of each `Database.publish_copy` while inside (the real method runs; the flow runs in this process
    with the thread runner)."""
    from storage.db import Database

    seconds: list[float] = []
    publish = Database.publish_copy

    def timed(self: Database, dest: Path) -> Path:
        started = time.perf_counter()
        try:
            return publish(self, dest)
        finally:
            seconds.append(round(time.perf_counter() - started, 3))

    Database.publish_copy = timed  # type: ignore[method-assign]
    try:
        yield seconds
    finally:
        Database.publish_copy = publish  # type: ignore[method-assign]


def _set_interval(config: Path, minutes: int) -> None:
    text = config.read_text(encoding="utf-8")
    line = 'database = "data/bench.duckdb"'
    config.write_text(text.replace(line, f"{line}\nclient_copy_interval_minutes = {minutes}", 1), encoding="utf-8")


def measure(sizes: Sizes, copies: int, runs: int, interval: int, work: Path,
            start_engine: bool = True, terms: int | None = None) -> dict[str, Any]:
    """`terms`: made-up terms added to the corpus statistics (default `expected_terms` of the store's size)."""
    from flows.ingest import configured_ingest_flow
    from newswatch.config import load_settings

    figures: dict[str, Any] = {"copies": copies, "runs_per_setting": runs, "interval_minutes": interval}
    wl = generate(sizes.feeds, sizes.items_per_feed, sizes.days, inbox_files=sizes.inbox_files,
                  items_per_file=sizes.items_per_file, prefix="bench")
    engine = prefect_engine(work / "prefect") if start_engine else running_engine()
    with FeedServer() as server, engine:
        project = work / "store"
        config = make_project(project, wl, server, "history", "thread")
        settings = load_settings(config)
        _warm_up()
        _log("storing the history's first copy (%d articles)", len(wl.articles))
        call_flow(configured_ingest_flow(settings), config_path=str(config))
        _log("copying it %d times back in time", copies)
        big = work / "history.duckdb"
        started = time.perf_counter()
        figures["articles"] = copy_history(settings.database_path, big, copies, sizes.days)
        figures["history_seconds"] = round(time.perf_counter() - started, 1)
        os.replace(big, settings.database_path)
        wanted = expected_terms(figures["articles"]) if terms is None else terms
        figures["terms_added"] = add_vocabulary(settings.database_path, wanted)
        settings.client_copy_path.unlink(missing_ok=True)
        figures["database_megabytes"] = settings.database_path.stat().st_size >> 20
        for minutes in (0, interval):
            rows = []
            for k in range(runs):
                small = generate(SMALL_FEEDS, SMALL_ITEMS, 1, prefix=f"late-{minutes}-{k}",
                                 seed=1000 + 100 * minutes + k)  # new texts every run, or they are duplicates
                config = make_project(project, small, server, f"late-{minutes}-{k}", "thread")
                _set_interval(config, minutes)
                flow_fn = configured_ingest_flow(load_settings(config))
                with timed_publishes() as published:
                    call = call_flow(flow_fn, config_path=str(config))
                row = {"seconds": round(call.seconds, 2), "cpu_seconds": round(call.cpu_seconds, 2),
                       "articles_new": call.result.articles_new, "publish_seconds": published}
                _log("interval %d, run %d: %s", minutes, k + 1, row)
                rows.append(row)
            figures[f"interval_{minutes}"] = rows
    return figures


def report(figures: dict[str, Any]) -> str:
    lines = [f"store: {figures['articles']} articles, {figures['database_megabytes']} MB, "
             f"{figures['terms_added']} terms added to its corpus statistics "
             f"(history copied in {figures['history_seconds']} s)"]
    for key in ("interval_0", f"interval_{figures['interval_minutes']}"):
        for k, row in enumerate(figures[key], 1):
            lines.append(f"client_copy_interval_minutes = {key.split('_')[1]:>3s}, run {k}: {row['seconds']:6.2f} s "
                         f"(CPU {row['cpu_seconds']:6.2f} s), {row['articles_new']} new, publish "
                         f"{', '.join(f'{s:.2f} s' for s in row['publish_seconds']) or 'none'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the quick bench's history (475 articles a copy)")
    parser.add_argument("--copies", type=int, default=100, help="copies of the history (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="small runs per setting (default 3)")
    parser.add_argument("--interval", type=int, default=60, help="the second setting's minutes (default 60)")
    parser.add_argument("--terms", type=int, help="made-up terms added to the corpus statistics (default: what "
                                                  "real news of the store's size would have, about 3 million at 1M)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--workdir", help="work folder (kept); default a temp folder, removed")
    args = parser.parse_args(argv)
    return run_in_workdir(
        args.workdir, "newswatch-large-",
        lambda work: measure(QUICK if args.quick else FULL, args.copies, args.runs, args.interval, work,
                             terms=args.terms),
        report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
