"""The ingest stages as plain functions: plan fetches, turn fetch results and inbox files into articles, fold
duplicates, and work out each feed's new health. The Prefect flow (flows/ingest.py) only calls these in order.

Nothing here opens the database itself: a Store is passed in. Nothing here raises for one bad feed or file:
problems become data (FetchResult errors, FileProblem rows) and the run goes on.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from newswatch.config import FeedSettings, Settings
from newswatch.errors import ParseError, SourceError
from newswatch.models import Analysis, Article, FetchResult, InboxFile, RawEntry, StoredVersion
from newswatch.sources import health as health_mod
from newswatch.sources import inbox as inbox_mod
from newswatch.sources.feeds import parse_feed
from newswatch.text.dedup import find_near_duplicates
from newswatch.text.normalize import normalize_entry

log = logging.getLogger(__name__)


class KnownArticles(Protocol):
    """What the ingest stages read from the store: what is already there."""

    def stored_versions(self, ids: Iterable[str]) -> dict[str, StoredVersion]: ...
    def existing_hashes(self, hashes: Iterable[str]) -> dict[str, str]: ...
    def recent_simhashes(self, since: datetime) -> list[tuple[str, int]]: ...


INBOX_SOURCE = "inbox"
NEAR_DUPLICATE_WINDOW = timedelta(days=7)


@dataclass
class FeedJob:
    feed: FeedSettings
    etag: str | None
    last_modified: str | None


@dataclass
class FileProblem:
    path: str
    kind: str
    message: str


@dataclass
class InboxBatch:
    entries: list[RawEntry] = field(default_factory=list)
    files: list[InboxFile] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)


@dataclass
class Prepared:
    """Normalised entries split into what is new and what was seen before."""

    new: list[Article]
    sightings: list[tuple[str, str, str, str | None, datetime, str]]   # for articles already stored
    duplicates: int
    entries: int
    # Stored articles whose source now gives other text at the same URL/guid (a correction): re-score in place.
    revised: list[Article] = field(default_factory=list)


def source_rows(settings: Settings) -> list[tuple[str, str, str | None, str | None, str | None, str | None]]:
    rows: list[tuple[str, str, str | None, str | None, str | None, str | None]] = [
        (f.name, "feed", f.url, f.outlet_name, f.country, f.language) for f in settings.feeds
    ]
    if settings.inbox.paths:
        paths = ", ".join(str(settings.resolve(p)) for p in settings.inbox.paths)
        rows.append((INBOX_SOURCE, "inbox", paths, settings.inbox.outlet, None, None))
    return rows


def resolve_feed(feed: FeedSettings, settings: Settings) -> FeedSettings:
    """Local paths in the config are relative to the project folder; URLs stay as they are."""
    url = feed.url
    if url.startswith("file://"):
        path = Path(url[len("file://"):])
    elif "://" in url:
        return feed
    else:
        path = Path(url)
    return feed.model_copy(update={"url": str(settings.resolve(path))})


def plan_fetches(settings: Settings, states: dict[str, dict[str, Any]], now: datetime, *,
                 force: bool = False) -> tuple[list[FeedJob], list[str]]:
    """Feeds due now (backoff honoured unless force) with their stored validators; and the names skipped."""
    jobs, skipped = [], []
    for feed in settings.feeds:
        state = states.get(feed.name, {})
        health = health_mod.FeedHealth(
            error_count=state.get("error_count") or 0,
            failure_weight=state.get("failure_weight") or 0.0,
            next_attempt_at=state.get("next_attempt_at"),
        )
        if not force and not health_mod.is_due(health, now):
            skipped.append(feed.name)
            continue
        jobs.append(FeedJob(resolve_feed(feed, settings), state.get("etag"), state.get("last_modified")))
    return jobs, skipped


def parse_results(results: Sequence[FetchResult], settings: Settings) -> tuple[list[RawEntry], list[FetchResult]]:
    """Parse every fetched document; a document that is not a readable feed turns its result into an error."""
    feeds = {f.name: f for f in settings.feeds}
    entries: list[RawEntry] = []
    out: list[FetchResult] = []
    for result in results:
        if result.status != "ok" or result.body is None:
            out.append(result)
            continue
        feed = feeds[result.feed]
        try:
            parsed = parse_feed(result.body, source=feed.name, outlet=feed.outlet_name, url=result.final_url or result.url,
                                headers=result.headers, language=feed.language)
        except ParseError as exc:
            result.status, result.error_kind, result.error = "error", exc.kind, exc.message
            out.append(result)
            continue
        except Exception as exc:  # a parser's own failure on one document fails that feed, never the run
            result.status, result.error_kind = "error", "malformed"
            result.error = f"{result.final_url or result.url}: could not be parsed ({type(exc).__name__}: {exc})"
            out.append(result)
            continue
        for entry in parsed.entries:
            entry.language = entry.language or feed.language
        entries.extend(parsed.entries)
        if parsed.warning:
            result.error = parsed.warning  # readable, with a warning: kept on the fetch log
        result.body = None  # the bytes are not needed past this point
        out.append(result)
    return entries, out


# Spreading work over the scoring processes pays above these sizes when they are running, and above the START_
# sizes when it would start them (about 1.2 s of wall time; a scheduled run whose feeds bring few new articles
# never needs them otherwise). Parsing runs at about 2.5 MB of feed a second, normalising at about 3 MB of text.
PARALLEL_PARSE_BYTES = 512 * 1024
START_PARSE_BYTES = 6 * 2**20
PARALLEL_NORMALIZE_CHARS = 256 * 1024
START_NORMALIZE_CHARS = 8 * 2**20
# Scoring a run's new articles here or in processes started for them (a fresh process each, as a scheduled run
# is; the bench's articles, 2.7 KB of text each): 60 articles 0.2-0.3 s here against 0.75 s, 200 articles 0.8-0.9
# against 1.0-1.1 s, 435 articles 1.9 against 1.5-1.6 s. Below about a megabyte of text scoring here is about
# as fast or faster, and always spares the processes' start-up CPU (docs/performance.md).
START_ANALYZE_CHARS = 2**20


def analyze_here(articles: Sequence[Article], running: bool) -> bool:
    """Whether a run's new articles are scored in this process: the scoring processes are not running and the
    text is too little to be worth starting them."""
    if running:
        return False
    return sum(len(a.title) + len(a.text) for a in articles) < START_ANALYZE_CHARS


class PartMapper(Protocol):
    """Runs a function over parts of a list in other processes, results in order (AnalysisPool.map)."""

    def __call__(self, fn: Any, items: Sequence[Any], *, weight: Any = ...) -> list[Any]: ...


def parse_and_normalize(results: Sequence[FetchResult], settings: Settings,
                        first_seen: datetime) -> tuple[list[Article], list[FetchResult]]:
    """parse_results, then normalize_entries: one article per entry, in the entries' order."""
    entries, out = parse_results(results, settings)
    return normalize_entries(entries, first_seen), out


def _parse_part(settings: Settings, first_seen: datetime,
                results: list[FetchResult]) -> list[tuple[list[Article], list[FetchResult]]]:
    return [parse_and_normalize(results, settings, first_seen)]


def parse_results_parallel(results: Sequence[FetchResult], settings: Settings, map_parts: PartMapper,
                           first_seen: datetime, *, running: bool = True) -> tuple[list[Article], list[FetchResult]]:
    """parse_and_normalize with the documents spread over processes by `map_parts`: the same articles and results
    in the same order. Each process normalises the entries it parsed, so they cross between processes once, as
    articles (sent back as entries and out again to be normalised, they crossed three times). A small group (a quiet
    rerun: every feed 304) is parsed here; `running`: whether the processes are already started (if not, only a
    large group is worth starting them)."""
    size = sum(len(r.body) for r in results if r.status == "ok" and r.body is not None)
    if size < (PARALLEL_PARSE_BYTES if running else START_PARSE_BYTES):
        return parse_and_normalize(results, settings, first_seen)
    pieces = map_parts(functools.partial(_parse_part, settings, first_seen), list(results),
                       weight=lambda r: len(r.body or b"") + 1)
    entries: list[Article] = []
    out: list[FetchResult] = []
    for part_entries, part_results in pieces:
        entries.extend(part_entries)
        out.extend(part_results)
    # Parsed from copies in the processes: this side's bytes are not needed either. (A part the mapper ran here,
    # while the processes started, returned these very results, as parse_results leaves them.)
    returned = {id(r) for r in out}
    for result in results:
        if id(result) not in returned:
            result.body = None
    return entries, out


def read_inbox(settings: Settings, known: dict[str, tuple[int, float]]) -> InboxBatch:
    """Read inbox files that are new or changed since they were last read."""
    batch = InboxBatch()
    paths = [settings.resolve(p) for p in settings.inbox.paths]
    for missing in (p for p in paths if not p.exists()):
        # Not a file that failed: a folder to come, or a typo in the config; each run says so.
        batch.warnings.append(FileProblem(str(missing), "warning",
                                          f"{missing}: inbox folder does not exist (yet); nothing read from it"))
    scanned: list[SourceError] = []
    found = inbox_mod.scan_inbox([p for p in paths if p.exists()], scanned)
    for refused in scanned:  # a folder that cannot be listed, a link out of the inbox: said every run
        to = batch.warnings if refused.kind == "folder_unreadable" else batch.problems
        to.append(FileProblem(os.fsencode(refused.source).decode("utf-8", "backslashreplace"), refused.kind,
                              refused.message))
    for path in found:
        try:
            stat = path.stat()
        except OSError as exc:
            batch.problems.append(FileProblem(str(path), "unreadable", str(exc)))
            continue
        key = inbox_mod.path_key(path)
        if known.get(key) == (stat.st_size, stat.st_mtime):
            continue
        try:
            read = inbox_mod.read_inbox_file_with_problems(path, settings.inbox.outlet)
        except SourceError as exc:
            batch.problems.append(FileProblem(key, exc.kind, exc.message))
            batch.files.append(InboxFile(key, stat.st_size, stat.st_mtime, failed=True,
                                         retry=exc.kind in inbox_mod.RETRY_KINDS))
            continue
        except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop every run's other files
            log.exception("inbox file %s could not be read", path)
            batch.problems.append(FileProblem(key, "bad_file", f"{path}: could not be read "
                                              f"({type(exc).__name__}: {exc}); change or touch it to try again"))
            batch.files.append(InboxFile(key, stat.st_size, stat.st_mtime, failed=True))
            continue
        # Smaller problems (a bad JSONL line, a guessed encoding) are reported; the rest of the file is kept.
        batch.warnings.extend(FileProblem(key, "warning", p) for p in read.problems)
        entries = read.entries
        for entry in entries:
            entry.source = INBOX_SOURCE
            entry.origin = key
        batch.entries.extend(entries)
        batch.files.append(InboxFile(key, stat.st_size, stat.st_mtime, entries=len(entries)))
    return batch


def normalize_entries(entries: Sequence[RawEntry], first_seen: datetime) -> list[Article]:
    """normalize_entry over a list, in order: a pure function, so it can run in the scoring processes."""
    return [normalize_entry(raw, first_seen) for raw in entries]




def normalize_parallel(entries: Sequence[RawEntry], first_seen: datetime, map_parts: PartMapper | None = None, *,
                       running: bool = True) -> list[Article]:
    """normalize_entries with the entries spread over processes by `map_parts`: the same articles in the same
    order. Few entries (or no mapper) are normalised here; `running` as in parse_results_parallel."""
    size = sum(len(e.content) + len(e.summary) for e in entries)
    if map_parts is None or size < (PARALLEL_NORMALIZE_CHARS if running else START_NORMALIZE_CHARS):
        return normalize_entries(entries, first_seen)
    return map_parts(functools.partial(normalize_entries, first_seen=first_seen), list(entries),
                     weight=lambda e: len(e.content) + len(e.summary) + 1)


MIN_FOLD_WORDS = 8  # words of text of its own an article needs before the same text elsewhere is a copy of it


def foldable(art: Article) -> bool:
    """Whether the same title and text at another URL is a copy of this article: only when it has text of its own
    (not the headline alone, nor the headline repeated, nor a few words). Two days' "Morning briefing" items with
    no description, at two URLs, are two articles; folding them would lose one."""
    if art.text_source == "none":
        return False
    title_words = art.title.split()
    # Split only as far as the answer needs (texts run to thousands of words): a text with more words than the
    # headline cannot be the headline, since case folding neither makes nor removes whitespace.
    words = art.text.split(maxsplit=max(MIN_FOLD_WORDS, len(title_words) + 1))
    if len(words) < MIN_FOLD_WORDS:
        return False
    return len(words) != len(title_words) or " ".join(words).casefold() != " ".join(title_words).casefold()


def prepare_articles(entries: Sequence[Article], store: KnownArticles, run_id: str, now: datetime) -> Prepared:
    """Fold exact duplicates among the normalised entries (one article per entry: normalize_entries,
    normalize_parallel, parse_results_parallel): same canonical URL/guid (same id), then same content hash when the
    article has text of its own (`foldable`); and split what is new from what is stored. `now` dates the sightings."""
    articles: dict[str, Article] = {}
    by_hash: dict[str, str] = {}
    alias_sightings: list[tuple[str, Article]] = []   # (existing id, the copy that pointed to it)
    for art in entries:
        if art.article_id in articles:
            alias_sightings.append((art.article_id, art))
            continue
        if foldable(art) and art.content_hash in by_hash:
            alias_sightings.append((by_hash[art.content_hash], art))
            continue
        articles[art.article_id] = art
        if foldable(art):
            by_hash.setdefault(art.content_hash, art.article_id)
    stored = store.stored_versions(articles)
    stored_hashes = store.existing_hashes(a.content_hash for a in articles.values()
                                          if a.article_id not in stored and foldable(a))
    new: list[Article] = []
    revised: dict[str, Article] = {}
    sightings = []
    # A correction may come from any copy with the stored id (another feed's copy may be first in the batch).
    for art in [*articles.values(), *(a for target, a in alias_sightings if a.article_id == target)]:
        version = stored.get(art.article_id)
        if version is not None and art.article_id not in revised and is_revision(version, art):
            revised[art.article_id] = art
    for art in articles.values():
        version = stored.get(art.article_id)
        target = art.article_id if version is not None else stored_hashes.get(art.content_hash) if foldable(art) \
            else None
        if target is not None:
            sightings.append((target, art.source, art.outlet, art.url, now, run_id))
        else:
            new.append(art)
    for target, art in alias_sightings:
        sightings.append((target, art.source, art.outlet, art.url, now, run_id))
    return Prepared(new=new, sightings=sightings, duplicates=len(entries) - len(new) - len(revised),
                    entries=len(entries), revised=list(revised.values()))


def is_revision(stored: StoredVersion, seen: Article) -> bool:
    """The same article (URL or guid) with other text from the source that first gave it. Another feed carrying
    the same URL with a shorter or longer text is a copy, not a correction: the stored text stays."""
    return stored.content_hash != seen.content_hash and stored.source == seen.source


def link_near_duplicates(articles: Sequence[Article], analyses: Sequence[Analysis], store: KnownArticles) -> dict[str, str]:
    """Near-identical copies (syndication) point to the earliest stored or earlier-in-batch copy."""
    if not articles:
        return {}
    since = min(a.published_at for a in articles) - NEAR_DUPLICATE_WINDOW
    existing = store.recent_simhashes(since)
    order = sorted(zip(articles, analyses, strict=True), key=lambda p: (p[0].published_at, p[0].article_id))
    new = [(a.article_id, an.simhash) for a, an in order if an.simhash]
    return find_near_duplicates(new, existing)


def feed_health(results: Sequence[FetchResult], states: dict[str, dict[str, Any]], now: datetime,
                interval: timedelta) -> dict[str, dict[str, Any]]:
    """New state columns per feed: validators on success, weighted failures and the next attempt on error."""
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        s = states.get(r.feed, {})
        before = health_mod.FeedHealth(
            error_count=s.get("error_count") or 0,
            failure_weight=s.get("failure_weight") or 0.0,
            last_success_at=s.get("last_success_at"),
            last_error_at=s.get("last_error_at"),
            last_error=s.get("last_error"),
            last_error_kind=s.get("last_error_kind"),
            next_attempt_at=s.get("next_attempt_at"),
        )
        after = health_mod.record_result(before, r, now, interval)
        row: dict[str, Any] = {
            "last_status": r.status,
            "last_attempt_at": now,
            "error_count": after.error_count,
            "failure_weight": after.failure_weight,
            "last_success_at": after.last_success_at,
            "last_error_at": after.last_error_at,
            "last_error": after.last_error,
            "last_error_kind": after.last_error_kind,
            "next_attempt_at": after.next_attempt_at,
        }
        if r.status == "ok":
            row["etag"] = r.etag
            row["last_modified"] = r.last_modified
        out[r.feed] = row
    return out


def utcnow() -> datetime:
    return datetime.now(UTC)
