"""Search feeds of topics with queries as ingest stages: which are due, fetching them, reading their entries.

Plain functions the ingest flow calls (no Prefect, no duckdb). A bad search response becomes a fetch error
row, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from newswatch.config import FeedSettings, SearchSettings, Settings
from newswatch.errors import ParseError
from newswatch.models import SEARCH_KIND, FetchResult, RawEntry
from newswatch.sources import fetch as fetch_mod
from newswatch.sources import health as health_mod
from newswatch.sources.search import (
    PROVIDERS,
    SearchFeed,
    due_search_feeds,
    feed_name,
    fetch_search_feeds,
    parse_search_response,
    search_feeds,
)


# -- settings --------------------------------------------------------------------------------------------------
def search_settings(settings: Settings) -> SearchSettings:
    """The [search] table; search is off unless it says enabled = true."""
    return settings.search


# -- search feeds ---------------------------------------------------------------------------------------------
def all_search_feeds(settings: Settings) -> list[SearchFeed]:
    """Every (provider, query) search feed of every topic with queries, when [search] is enabled."""
    search = search_settings(settings)
    if not search.enabled:
        return []
    feeds: list[SearchFeed] = []
    for topic in settings.topics:
        feeds.extend(search_feeds(topic, list(search.providers), base_urls=search.base_urls))
    return feeds


def search_source_rows(
    settings: Settings,
) -> list[tuple[str, str, str | None, str | None, str | None, str | None]]:
    """Rows for the feeds table (name, kind, url, outlet, country, language): one per search feed."""
    return [(f.name, SEARCH_KIND, f.url, f.provider, None, None) for f in all_search_feeds(settings)]


def search_topics(settings: Settings) -> dict[str, str]:
    """Search feed name -> topic, for every provider (so articles keep their topic if a provider is dropped)."""
    out: dict[str, str] = {}
    for topic in settings.topics:
        for query in topic.queries:
            if query.strip():
                for provider in PROVIDERS:
                    out[feed_name(provider, topic.name, query.strip())] = topic.name
    return out


def headline_only_sources(settings: Settings) -> set[str]:
    """Names of search feeds whose entries are headlines only (Google News): never fetched, never scored."""
    out: set[str] = set()
    for topic in settings.topics:
        for query in topic.queries:
            if query.strip():
                out.update(
                    feed_name(p.name, topic.name, query.strip())
                    for p in PROVIDERS.values()
                    if p.headline_only
                )
    return out


def plan_search(
    settings: Settings, states: dict[str, dict[str, Any]], now: datetime, *, force: bool = False
) -> tuple[list[SearchFeed], list[str]]:
    """Search feeds due now and the names not due. A query is polled at most once per its provider's
    min_interval (from the stored last attempt), even when forced; force only overrides error back-off."""
    feeds = all_search_feeds(settings)
    last = {
        f.name: states[f.name]["last_attempt_at"]
        for f in feeds
        if states.get(f.name, {}).get("last_attempt_at") is not None
    }
    due = due_search_feeds(feeds, last, now)
    if not force:
        due = [
            f
            for f in due
            if health_mod.is_due(
                health_mod.FeedHealth(next_attempt_at=states.get(f.name, {}).get("next_attempt_at")), now
            )
        ]
    names = {f.name for f in due}
    return due, [f.name for f in feeds if f.name not in names]


def fetch_search(
    feeds: Sequence[SearchFeed], settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> list[FetchResult]:
    """GET each search feed with the pipeline's fetcher (byte cap, timeouts, error kinds as for feeds), keeping
    each provider's gap between requests."""
    if not feeds:
        return []

    def one(feed: SearchFeed, client: httpx.Client) -> FetchResult:
        return fetch_mod.fetch_feed(client, FeedSettings(name=feed.name, url=feed.url), settings.fetch)

    with fetch_mod.make_client(settings.fetch) as client:
        return fetch_search_feeds(list(feeds), client=client, fetch=one, sleep=sleep)


def parse_search(
    results: Sequence[FetchResult], feeds: Sequence[SearchFeed]
) -> tuple[list[RawEntry], list[FetchResult]]:
    """Entries from each search response; an unreadable response turns its result into an error."""
    by_name = {f.name: f for f in feeds}
    entries: list[RawEntry] = []
    out: list[FetchResult] = []
    for result in results:
        if result.status != "ok" or result.body is None:
            out.append(result)
            continue
        feed = by_name[result.feed]
        try:
            found = parse_search_response(
                feed.provider, result.body, result.headers, source=feed.name, topic=feed.topic
            )
        except ParseError as exc:
            result.status, result.error_kind, result.error = "error", exc.kind, exc.message
        except Exception as exc:  # a parser's own failure on one response fails that query, never the run
            result.status, result.error_kind = "error", "parse"
            result.error = f"{feed.provider}: the response could not be parsed ({type(exc).__name__}: {exc})"
        else:
            entries.extend(found)
        result.body = None
        out.append(result)
    return entries, out


def search_interval(feeds: Sequence[SearchFeed]) -> timedelta:
    """The back-off unit for failed search feeds: their longest polling interval."""
    return max((f.min_interval for f in feeds), default=timedelta(minutes=15))
