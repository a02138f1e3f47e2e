"""Search providers: turn a topic's queries into search feeds, and a provider's response into RawEntry records.

Each provider is one module in this package that defines `PROVIDER`; the registry finds it, so adding a
provider touches one file. Nothing here fetches on import, and nothing here imports Prefect or duckdb.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from newswatch.config import TopicSettings
from newswatch.errors import ConfigError, ParseError
from newswatch.models import FetchResult, RawEntry


class ParseResponse(Protocol):
    def __call__(
        self, body: bytes, headers: dict[str, str], *, source: str, topic: str
    ) -> list[RawEntry]: ...


@dataclass(frozen=True)
class Provider:
    """What the pipeline needs to know about one search service."""

    name: str
    base_url: str  # endpoint, without the query string
    build_url: Callable[[str, str], str]  # (base_url, query) -> request URL
    parse: ParseResponse
    # How often one query may be polled: the service's documented or a conservative limit.
    min_interval: timedelta
    # Smallest gap between any two requests to this service, whatever the query.
    request_interval: timedelta
    # True when entries carry a headline but no usable publisher URL or text (Google News).
    headline_only: bool = False


@dataclass(frozen=True)
class SearchFeed:
    """One query of one topic at one provider: polled like a feed."""

    provider: str
    topic: str
    query: str
    name: str
    url: str
    min_interval: timedelta
    headline_only: bool


def read_rss(body: bytes, headers: dict[str, str], *, source: str) -> Any:
    """feedparser's reading of an RSS body, as for feeds (a stream, entity declarations dropped); ParseError when
    it holds neither a channel nor items."""
    from newswatch.sources.feeds import feedparse_document, strip_entity_declarations

    parsed = feedparse_document(strip_entity_declarations(body)[0], headers)
    if not parsed.entries and not parsed.feed:
        reason = str(parsed.get("bozo_exception") or "no RSS channel or items found")
        raise ParseError(source, "parse", f"not a readable RSS document: {reason}")
    return parsed


def entry_time(entry: Any) -> datetime | None:
    """An RSS item's publication time as tz-aware UTC (feedparser normalises to UTC struct_time)."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _discover() -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        provider = getattr(module, "PROVIDER", None)
        if isinstance(provider, Provider):
            found[provider.name] = provider
    return found


def get_provider(name: str) -> Provider:
    """The registered provider called `name`; ConfigError naming the known ones otherwise."""
    try:
        return PROVIDERS[name]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigError(
            "[search]", "providers", f"unknown search provider {name!r}; expected one of: {known}"
        ) from None


def feed_name(provider: str, topic: str, query: str) -> str:
    """Stable feed name for a search feed; it keys last-polled times and appears as RawEntry.source."""
    return f"search:{provider}:{topic}:{query}"


def search_feeds(
    topic: TopicSettings, providers: list[str], *, base_urls: dict[str, str] | None = None
) -> list[SearchFeed]:
    """One SearchFeed per (provider, query) of `topic`. A topic without `queries` has no search feeds.

    `base_urls` replaces a provider's endpoint (tests point it at 127.0.0.1).
    """
    feeds: list[SearchFeed] = []
    for pname in providers:
        provider = get_provider(pname)
        base = (base_urls or {}).get(pname, provider.base_url)
        for query in dict.fromkeys(q.strip() for q in topic.queries):
            if not query:
                continue
            feeds.append(
                SearchFeed(
                    provider=provider.name,
                    topic=topic.name,
                    query=query,
                    name=feed_name(provider.name, topic.name, query),
                    url=provider.build_url(base, query),
                    min_interval=provider.min_interval,
                    headline_only=provider.headline_only,
                )
            )
    return feeds


def due_search_feeds(
    feeds: Iterable[SearchFeed], last_polled: dict[str, datetime], now: datetime
) -> list[SearchFeed]:
    """The feeds whose min_interval has passed since `last_polled[feed.name]` (never polled = due).

    Times must be tz-aware. A last-polled time in the future (clock change) counts as just polled.
    """
    due = []
    for feed in feeds:
        last = last_polled.get(feed.name)
        if last is None or now - last >= feed.min_interval:
            due.append(feed)
    return due


def parse_search_response(
    provider: str, body: bytes, headers: dict[str, str], *, source: str, topic: str
) -> list[RawEntry]:
    """Entries from one response of `provider`. Raises ParseError (naming `source`) on an unreadable body."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return get_provider(provider).parse(body, lowered, source=source, topic=topic)


FetchSearch = Callable[[SearchFeed, httpx.Client], FetchResult]


def fetch_search_feeds(
    feeds: list[SearchFeed],
    *,
    client: httpx.Client,
    fetch: FetchSearch,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[FetchResult]:
    """Fetch `feeds` one after another, keeping each provider's request_interval between its requests.

    `fetch` does one request: the pipeline passes newswatch.sources.fetch.fetch_feed (byte cap, deadline, error kinds),
    so failures come back as FetchResult(status="error"), never raised.
    """
    last_request: dict[str, float] = {}
    results = []
    for feed in feeds:
        gap = PROVIDERS[feed.provider].request_interval.total_seconds()
        previous = last_request.get(feed.provider)
        if previous is not None:
            wait = previous + gap - clock()
            if wait > 0:
                sleep(wait)
        last_request[feed.provider] = clock()
        results.append(fetch(feed, client))
    return results




# Last, so that provider modules can import what is defined above.
PROVIDERS: dict[str, Provider] = _discover()
