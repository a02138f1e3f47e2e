"""The ingest flow: fetch feeds and read the inbox, fold duplicates, score, store. Orchestration only.

Each task takes a batch (a group of feeds, the inbox) and calls one plain function from newswatch/; batches of
articles go to the scoring processes (`AnalysisPool.submit`; on a Dask runner, one task each). The flow holds the
only database connection, so every write happens here, in one thread, batch by batch.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import nullcontext, suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.logs import log_config, progress
from newswatch import pipeline as stages
from newswatch.analysis import rematch
from newswatch.analysis.analyzer import AnalysisPool, Analyzer, worker_count
from newswatch.analysis.stored_stories import (
    refresh_due_stories,
    refresh_run_stories,
    regroup_for_method,
)
from newswatch.analysis.topics import ArticleWords
from newswatch.config import Settings, load_settings
from newswatch.errors import StorageError
from newswatch.gcwork import quiet_collector
from newswatch.models import Analysis, Article, FetchResult, RawEntry
from newswatch.runlock import acquire_run_lock, holder, lock_path
from newswatch.sources import fetch as fetch_mod
from newswatch.sources import fulltext, search_feeds
from newswatch.text import language
from newswatch.text.corpus_stats import CorpusStats
from storage.db import Database, chunked, copy_is_recent
from storage.store import Store

BATCHES_AHEAD = 2  # batches of articles in analysis while one is stored: bounds the analyses held in memory
FEED_GROUP = 50          # feeds fetched, parsed and stored per round: bounds memory on large monitors
DEFAULT_INTERVAL = timedelta(minutes=30)
T = TypeVar("T")


@dataclass
class IngestSummary:
    run_id: str
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    files_read: int = 0
    files_failed: int = 0
    entries: int = 0
    articles_new: int = 0
    articles_duplicate: int = 0
    articles_revised: int = 0  # stored articles whose source changed their text: re-scored in place
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    database: str = ""
    client_copy: str = ""
    search_ok: int = 0
    search_failed: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    pages_waiting: int = 0
    pages_rescored: int = 0
    skipped: str | None = None  # why this run did nothing (another ingest was still going)
    # Topics new or edited in the config, matched again over the stored articles at the start of the run.
    topics_rematched: list[str] = field(default_factory=list)
    # The run changed what clients see and left the copy to later: told not to publish (`publish=False`, the caller
    # must) or, with [storage] client_copy_interval_minutes, the copy was recent (a later run or digest will).
    client_copy_due: bool = False

    def counts(self) -> dict[str, int]:
        return ({k: v for k, v in asdict(self).items() if isinstance(v, int) and not isinstance(v, bool)}
                | {"errors": len(self.errors)})


@task(cache_policy=NO_CACHE)
def fetch_feeds(jobs: list[stages.FeedJob], settings: Settings) -> list[FetchResult]:
    return fetch_mod.fetch_feeds([(j.feed, j.etag, j.last_modified) for j in jobs], settings.fetch)


@task(cache_policy=NO_CACHE)
def parse_feeds(results: list[FetchResult], settings: Settings, first_seen: datetime,
                pool: AnalysisPool | None = None) -> tuple[list[Article], list[FetchResult]]:
    """The fetched documents' entries, normalised (first seen `first_seen`), and the fetch results."""
    if pool is not None:  # both cores parse: the scoring processes are idle while a feed group is parsed
        return stages.parse_results_parallel(results, settings, pool.map, first_seen, running=pool.running)
    return stages.parse_and_normalize(results, settings, first_seen)


@task(cache_policy=NO_CACHE)
def read_inbox(settings: Settings, known: dict[str, tuple[int, float]]) -> stages.InboxBatch:
    return stages.read_inbox(settings, known)


_WORKER_ANALYZERS: dict[tuple[str, str], Analyzer] = {}


def _analyzer_for(config_path: str, run_id: str, stats: CorpusStats | None) -> Analyzer:
    """On a distributed runner each worker process builds its Analyzer once a run, from the same config file and
    the corpus statistics the run read when it started (as the flow's own Analyzer): without them a worker would
    weigh topic terms by the English prior alone and a grown store's memberships would depend on the runner."""
    key = (config_path, run_id)
    analyzer = _WORKER_ANALYZERS.get(key)
    if analyzer is None:
        _WORKER_ANALYZERS.clear()  # one run at a time per worker: the last run's Analyzer is not needed again
        analyzer = _WORKER_ANALYZERS[key] = Analyzer.from_settings(load_settings(config_path), stats)
    return analyzer


class Handoff:
    """A task's large return value, handed over once. Prefect keeps a task's return value in the task run's state
    (the value <- its result record <- the state <- the task's futures, seen with `gc.get_referrers`), and that
    state sits in a reference cycle, so the value outlived the flow's use of it until the garbage collector's next
    full collection: every stored batch's analyses piled up between collections. `take()` leaves the cycle holding
    an empty handoff (tests/flows/test_inbox_runs.py::test_stored_batches_are_freed_without_the_garbage_collector)."""

    __slots__ = ("_value",)

    def __init__(self, value: list[Analysis]) -> None:
        self._value: list[Analysis] | None = value

    def take(self) -> list[Analysis]:
        value, self._value = self._value, None
        if value is None:
            raise RuntimeError("a batch's analyses were taken twice")
        return value


@task(cache_policy=NO_CACHE)
def analyze(articles: list[Article], config_path: str, run_id: str = "", stats: CorpusStats | None = None) -> Handoff:
    """One batch scored on a distributed runner's worker (a run on this machine sends its batches to the scoring
    processes instead: `_submit_analysis`)."""
    return Handoff(_analyzer_for(config_path, run_id, stats).analyze_many(articles))


def _taken(value: Handoff | list[Analysis]) -> list[Analysis]:
    """A submitted batch's analyses: a distributed task's handed over, the scoring processes' as they are."""
    return value.take() if isinstance(value, Handoff) else value


@dataclass
class IngestRun:
    """One ingest run's shared state: what every step needs, carried as one object."""

    store: Store
    settings: Settings
    run_id: str
    summary: IngestSummary
    pool: AnalysisPool | None  # None on a distributed runner: each worker analyses on its own
    pages: fulltext.PageBudget
    distributed: bool = False
    stats: CorpusStats | None = None  # the corpus statistics the run started with (sent to distributed workers)

    @property
    def config_path(self) -> str:
        return str(self.settings.path)


def _store_articles(run: IngestRun, articles: list[Article], analyses: list[Analysis]) -> int:
    # One DuckDB thread while the scoring processes run: they keep the cores busy (Database.one_thread). A run that
    # scores here (few new articles) leaves both cores to DuckDB, whose scans of a large store use them.
    busy = run.pool is not None and run.pool.running
    with run.store.db.one_thread() if busy else nullcontext():
        duplicates = stages.link_near_duplicates(articles, analyses, run.store)
        return run.store.save_articles(run.run_id, articles, analyses, duplicates)


def scored_in_order(batches: list[list[Article]], submit: Callable[[list[Article]], Any],
                    distributed: bool) -> Iterator[tuple[list[Article], list[Analysis]]]:
    """(batch, its analyses) in order. Each batch is submitted exactly once: BATCHES_AHEAD batches in analysis while
    the current one is stored (so the scoring processes always have the next batch queued when one finishes, and
    never wait for the flow to store and submit), or every batch at once on a distributed runner."""
    ahead = len(batches) if distributed else BATCHES_AHEAD
    # A future leaves the queue once its result is taken, so a batch's analyses are freed once it is stored.
    pending = deque(submit(b) for b in batches[:ahead])
    for i, batch in enumerate(batches):
        analyses = _taken(pending.popleft().result())
        if i + ahead < len(batches):
            pending.append(submit(batches[i + ahead]))
        yield batch, analyses


def _normalized(run: IngestRun, entries: list[RawEntry], now: datetime) -> list[Article]:
    """Entries read here (inbox files, search results) normalised, in the scoring processes when that pays."""
    pool = run.pool
    return stages.normalize_parallel(entries, now, pool.map if pool else None, running=pool is not None and pool.running)


def _process_entries(run: IngestRun, entries: list[Article], now: datetime, *,
                     fetch_pages: bool = True) -> dict[str, int]:
    """Fold duplicates among the normalised entries, fetch pages for short texts, detect languages, score and
    store; returns new articles per source. `now`: the entries' first-seen time, which normalising gave them (for a
    feed group, when its fetch returned), also the time of the sightings, page fetches and revisions it records."""
    store, summary = run.store, run.summary
    pool = run.pool
    prepared = stages.prepare_articles(entries, store, run.run_id, now)
    if prepared.sightings:
        store.add_sightings(prepared.sightings)
    if fetch_pages:
        _fill_pages(run, prepared.new, now)
    language.detect_languages(prepared.new)
    summary.entries += prepared.entries
    summary.articles_duplicate += prepared.duplicates
    new_by_source: dict[str, int] = {}
    # In publication order, so a near-duplicate always points at the earlier copy, across batches too.
    prepared.new.sort(key=lambda a: (a.published_at, a.article_id))
    batches = [list(b) for b in chunked(prepared.new, run.settings.runner.batch_size)]
    here = pool is not None and stages.analyze_here(prepared.new, pool.running)
    scored = scored_in_order(batches, lambda b: _submit_analysis(run, b, here), run.distributed)
    for i, (batch, analyses) in enumerate(scored):
        summary.articles_new += _store_articles(run, batch, analyses)
        for art in batch:
            new_by_source[art.source] = new_by_source.get(art.source, 0) + 1
        done = sum(len(b) for b in batches[: i + 1])
        progress("scored and stored %d of %d new articles", done, len(prepared.new))
    if prepared.revised:
        _revise_articles(run, prepared.revised, now, fetch_pages=fetch_pages)
    return new_by_source


def _revise_articles(run: IngestRun, articles: list[Article], now: datetime, *, fetch_pages: bool) -> None:
    """Corrections: stored articles whose source now gives other text, scored again and updated in place."""
    if fetch_pages:
        _fill_pages(run, articles, now)
    language.detect_languages(articles)
    here = run.pool is not None and stages.analyze_here(articles, run.pool.running)
    for batch in chunked(articles, run.settings.runner.batch_size):
        analyses = _taken(_submit_analysis(run, list(batch), here).result())
        run.summary.articles_revised += run.store.revise_articles(run.run_id, batch, analyses, now)
    progress("re-scored %d articles whose text changed at the same address", len(articles))


def _submit_analysis(run: IngestRun, batch: list[Article], here: bool = False) -> Any:
    """A future of the batch's analyses. On this machine the scoring processes take it directly: as a Prefect task
    run, each batch cost Prefect's server about 30 ms of CPU for its state changes and did no work of its own (0.6 s
    of the full benchmark's first run, docs/performance.md); the run's progress lines count the batches instead. On
    a distributed runner each batch is a task, which is how it reaches a worker."""
    if run.pool is None:
        return analyze.submit(batch, run.config_path, run.run_id, run.stats)
    return run.pool.submit(batch, here=here)


def _quoted(value: T) -> T:
    """A long task input (fetch results, the inbox's files) in Prefect's `quote`: Prefect would otherwise walk every nested
    field of every item looking for futures (about 2 s of the flow's CPU in the full benchmark). The task still
    receives the value itself; the cast only tells the type checker so."""
    return cast(T, quote(value))


@flow(name="ingest", log_prints=True)
def ingest_flow(config_path: str | None = None, force: bool = False, publish: bool = True) -> IngestSummary:
    """Fetch every due feed and read new inbox files; store what is new, scored, with topics and actors.

    `publish=False` leaves the clients' copy to the caller (`newswatch run`, whose digest publishes one right after):
    the summary's `client_copy_due` then says whether this run changed what clients see."""
    settings = load_settings(config_path)
    log_config(settings)
    # One ingest at a time: a run that finds the previous one still going skips (the next one is due soon).
    lock = acquire_run_lock(lock_path(settings.database_path, "ingest"), label="ingest")
    if lock is None:
        who = holder(lock_path(settings.database_path, "ingest"))
        progress("ingest skipped: the previous ingest run is still going (%s)", who, level=logging.WARNING)
        return IngestSummary(run_id="", database=str(settings.database_path),
                             skipped=f"the previous ingest run is still going ({who})")
    started = time.monotonic()
    with lock, Database(settings.database_path, lock_timeout=60,
                        memory_limit=settings.storage.ingest_memory_limit) as db:
        store = Store(db)
        store.close_stale_runs()
        run_id = store.start_run("ingest")
        summary = IngestSummary(run_id=run_id, database=str(settings.database_path))
        try:
            _count_corpus_once(store)
            _map_language_tags_once(store)
            # Registry, seeds and the corpus statistics as stored when the run starts: read once per run.
            analyzer = Analyzer.from_settings(settings, CorpusStats(stored=store.corpus_counts()))
            summary.topics_rematched = prepare_run(store, settings, analyzer)
            if summary.topics_rematched:
                progress("topics new or edited in the config (%s): matched again over the stored articles; digests "
                         "already stored keep what they said (`newswatch backfill --from D --to D` rewrites them)",
                         ", ".join(summary.topics_rematched))
            distributed = settings.runner.task_runner == "dask"
            workers = 1 if distributed else worker_count(settings.runner.workers)
            pages = fulltext.PageBudget(fulltext.fulltext_settings(settings))
            # Checkpoints held off until the publish below, which makes one (or the first write after it); the
            # garbage collector quieter meanwhile (newswatch/gcwork.py).
            with db.checkpoints_held(), quiet_collector():
                with AnalysisPool(analyzer, workers) as pool:
                    run = IngestRun(store, settings, run_id, summary, None if distributed else pool, pages, distributed,
                                    analyzer.matcher.stats)
                    _retry_pages(run, pool)
                    _ingest_feeds(run, force)
                    _ingest_search(run, force)
                    _ingest_inbox(run)
                summary.seconds["total"] = round(time.monotonic() - started, 3)
                store.finish_run(run_id, "ok", summary.counts(), {"errors": summary.errors[:200],
                                                                  "seconds": summary.seconds})
                t0 = time.monotonic()
                interval = settings.storage.client_copy_interval_minutes
                publishing = publish and not copy_is_recent(settings.client_copy_path, interval)
                # A run that stored something and whose copy is made now (below, or by `newswatch run`'s digest
                # right after: publish=False) has its batches checkpointed on the core the stories' Python work
                # leaves idle; the publish then checkpoints little more than the stories (docs/performance.md). A
                # copy left for a later run ([storage] client_copy_interval_minutes) leaves the checkpoint to it.
                with db.checkpoint_meanwhile() if db.changes and (publishing or not publish) else nullcontext():
                    _refresh_stories(store, run_id, settings)
                summary.seconds["stories"] = round(time.monotonic() - t0, 3)  # in the returned summary only
            # Clients get a new copy whenever the run changed what they see (new articles, re-matched topics,
            # re-scored pages, stories, a feed's status); a quiet rerun writes only bookkeeping and stays cheap.
            # A copy an earlier run deferred and never made (`newswatch run` killed before its digest) is due too.
            # With [storage] client_copy_interval_minutes, a copy younger than that is left for a later run: the
            # mark makes the first ingest past the interval (or the next digest) publish, whatever it stores.
            if db.changes or not settings.client_copy_path.exists() or db.copy_due:
                if publishing:
                    db.publish_copy(settings.client_copy_path)
                else:
                    db.defer_copy()
                    summary.client_copy_due = True
                    if publish:
                        progress("read copy left for a later run: it is under %d minutes old "
                                 "([storage] client_copy_interval_minutes)", interval)
            summary.client_copy = str(settings.client_copy_path)
        except BaseException as exc:
            with suppress(StorageError):  # the database refuses every statement after a failed checkpoint
                store.finish_run(run_id, "failed", summary.counts(), {"exception": repr(exc)[:2000]})
            raise
    progress("ingest %s: %d feeds ok, %d not modified, %d failed, %d skipped; %d files; %d new articles, "
             "%d duplicates", run_id, summary.feeds_ok, summary.feeds_not_modified, summary.feeds_failed,
             summary.feeds_skipped, summary.files_read, summary.articles_new, summary.articles_duplicate)
    return summary


def prepare_run(store: Store, settings: Settings, analyzer: Analyzer | None = None) -> list[str]:
    """Record sources, actors and topic definitions; re-match stored articles against changed topics. Returns the
    topics matched again (none in an empty store, where there is nothing to match)."""
    store.sync_feeds(stages.source_rows(settings) + search_feeds.search_source_rows(settings))
    store.db.set_meta({"timezone": settings.digest.timezone,
                       "min_baseline_days": str(settings.digest.min_baseline_days)})
    had_articles = store.article_count() > 0
    changed = rematch.sync_definitions(store, settings, analyzer)
    return changed if had_articles else []


def _ingest_feeds(run: IngestRun, force: bool) -> None:
    store, settings, summary = run.store, run.settings, run.summary
    states = store.feed_states()
    jobs, skipped = stages.plan_fetches(settings, states, stages.utcnow(), force=force)
    summary.feeds_skipped = len(skipped)
    if skipped:
        progress("%d feeds backing off until their next attempt: %s", len(skipped), ", ".join(skipped[:10]))
    for group_no, group in enumerate(chunked(jobs, FEED_GROUP)):
        t0 = time.monotonic()
        results = fetch_feeds(list(group), settings)
        now = stages.utcnow()
        entries, results = parse_feeds(_quoted(results), settings, now, run.pool)
        summary.seconds["fetch_parse"] = summary.seconds.get("fetch_parse", 0) + time.monotonic() - t0
        t0 = time.monotonic()
        new_by_source = _process_entries(run, entries, now)
        summary.seconds["score_store"] = summary.seconds.get("score_store", 0) + time.monotonic() - t0
        per_feed = {r.feed: (sum(1 for e in entries if e.source == r.feed), new_by_source.get(r.feed, 0))
                    for r in results}
        store.save_fetches(run.run_id, results, per_feed,
                           stages.feed_health(results, states, stages.utcnow(), DEFAULT_INTERVAL))
        for r in results:
            if r.status == "ok":
                summary.feeds_ok += 1
            elif r.status == "not_modified":
                summary.feeds_not_modified += 1
            else:
                summary.feeds_failed += 1
                summary.errors.append(f"feed {r.feed}: {r.error_kind}: {r.error}")
                progress("feed %s failed: %s: %s", r.feed, r.error_kind, r.error, level=logging.WARNING)
        progress("feeds %d/%d done", min((group_no + 1) * FEED_GROUP, len(jobs)), len(jobs))


def _refresh_stories(store: Store, run_id: str, settings: Settings) -> None:
    """Stored stories for the days the run touched, and for those of any earlier run killed or failed after storing
    articles and before this step (their days were left without stories); then the days whose topic memberships
    changed, and once after an upgrade the recent days with this version's method."""
    behind = store.runs_without_stories(run_id)
    if behind:
        progress("stories: also re-grouping the days of %d earlier runs stopped before their stories (%s)",
                 len(behind), ", ".join(behind[:5]))
    refresh_run_stories(store, [*behind, run_id], settings.digest.tz)
    store.mark_stories_done([*behind, run_id])
    due = refresh_due_stories(store, settings.digest.tz)  # after topic memberships changed
    if due:
        progress("stories: %d days whose articles joined or left the topics re-grouped", len(due))
    regrouped = regroup_for_method(store, settings.digest.tz)
    if regrouped is not None:
        progress("stories: %s to %s re-grouped with this version's method (once, after an upgrade); "
                 "older days: `newswatch backfill --from D --to D`", *regrouped)


def _count_corpus_once(store: Store) -> None:
    """A store from before the corpus statistics (migration 008) has them counted over its stored articles once,
    at the first ingest that finds them missing: topics and stories weigh terms with them, and a young count over a
    long history made stories of a day merge."""
    missing = store.corpus_uncounted()
    if missing:
        progress("counting the corpus statistics over %d stored articles (once, after an upgrade)", missing)
        counted = store.recount_corpus(lambda title, body: frozenset(ArticleWords.of(title, body).terms))
        progress("corpus statistics: %d articles counted", counted)


def _map_language_tags_once(store: Store) -> None:
    """A store from before declared languages were mapped to ISO 639-1 codes (migration 016) has its stored tags
    mapped with the rule new articles get, once: 'en-US' and 'en' were two languages in `daily_languages`."""
    tags = store.language_tags_to_map()
    if tags is not None:
        changed = store.map_language_tags({tag: language.stored_language(tag) for tag in tags})
        if changed:
            progress("language tags of %d stored articles mapped to ISO 639-1 codes (once, after an upgrade)", changed)


def _ingest_inbox(run: IngestRun) -> None:
    store, settings, summary = run.store, run.settings, run.summary
    if not settings.inbox.paths:
        return
    batch = read_inbox(settings, _quoted(store.inbox_files()))
    for problem in batch.problems:
        summary.errors.append(f"file {problem.path}: {problem.kind}: {problem.message}")
        progress("inbox file %s: %s: %s", problem.path, problem.kind, problem.message, level=logging.WARNING)
    for warning in batch.warnings:
        summary.errors.append(f"file {warning.message}")   # inbox messages name their file
        progress("inbox: %s", warning.message, level=logging.WARNING)
    summary.files_failed += len(batch.problems)
    summary.files_read += sum(1 for f in batch.files if not f.failed)
    now = stages.utcnow()
    _process_entries(run, _normalized(run, batch.entries, now), now, fetch_pages=False)
    # Files are marked read only after their articles are stored: a crash before this re-reads them.
    now = stages.utcnow()
    errors = {p.path: p.message for p in batch.problems}
    store.save_inbox_files(batch.files, now, errors)


def _ingest_search(run: IngestRun, force: bool) -> None:
    """Search feeds of topics with queries: polled no more often than each provider allows, then stored like
    feed entries (newswatch/fulltext.py)."""
    store, settings, summary = run.store, run.settings, run.summary
    states = store.feed_states()
    feeds, _ = search_feeds.plan_search(settings, states, stages.utcnow(), force=force)
    if not feeds:
        return
    t0 = time.monotonic()
    results = search_feeds.fetch_search(feeds, settings)
    entries, results = search_feeds.parse_search(results, feeds)
    summary.seconds["search"] = summary.seconds.get("search", 0) + time.monotonic() - t0
    now = stages.utcnow()
    new_by_source = _process_entries(run, _normalized(run, entries, now), now)
    per_feed = {r.feed: (sum(1 for e in entries if e.source == r.feed), new_by_source.get(r.feed, 0))
                for r in results}
    store.save_fetches(run.run_id, results, per_feed,
                       stages.feed_health(results, states, stages.utcnow(), search_feeds.search_interval(feeds)))
    for r in results:
        if r.status == "error":
            summary.search_failed += 1
            summary.errors.append(f"search {r.feed}: {r.error_kind}: {r.error}")
            progress("search %s failed: %s: %s", r.feed, r.error_kind, r.error, level=logging.WARNING)
        else:
            summary.search_ok += 1
    progress("search: %d feeds ok, %d failed, %d entries", summary.search_ok, summary.search_failed, len(entries))


def _fill_pages(run: IngestRun, articles: list[Article], now: datetime) -> None:
    """Page text for new articles whose feed gave only a summary; every attempt recorded before the articles."""
    fetches = fulltext.fill_fulltext(articles, run.pages, fulltext.no_page_sources(run.settings), now)
    if fetches:
        run.store.save_page_fetches(fetches)
    statuses = Counter(f.status for f in fetches)
    run.summary.pages_fetched += statuses["page"]
    run.summary.pages_failed += statuses["failed"]
    run.summary.pages_waiting += statuses["skipped"]


def _retry_pages(run: IngestRun, pool: AnalysisPool) -> None:
    """Pages skipped on earlier runs (time budget): fetched now, their articles re-scored in place."""
    rescored, waiting = fulltext.retry_pages(run.store, run.pages, pool.analyze, stages.utcnow())
    run.summary.pages_rescored += rescored
    if rescored or waiting:
        progress("pages from earlier runs: %d articles re-scored, %d still waiting", rescored, waiting)


def configured_ingest_flow(settings: Settings) -> Any:
    """The ingest flow with the task runner the config asks for (thread pool, or Dask)."""
    flow_fn = ingest_flow
    if settings.runner.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        runner = DaskTaskRunner(address=settings.runner.dask_address) if settings.runner.dask_address \
            else DaskTaskRunner(cluster_kwargs={"n_workers": worker_count(settings.runner.workers),
                                                "threads_per_worker": 1, "processes": True})
        flow_fn = ingest_flow.with_options(task_runner=runner)  # type: ignore[arg-type]
    return flow_fn
