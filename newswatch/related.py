"""Related articles as ingest stages: search feeds per topic, page text for short entries, language detection.

Plain functions the ingest flow calls in order (no Prefect, no duckdb: a Store is passed in). Nothing here raises
for one bad search feed or page: problems become data (fetch log rows, page_fetch rows) and the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx

from newswatch import fetch as fetch_mod
from newswatch import health as health_mod
from newswatch.config import FeedSettings, Settings
from newswatch.errors import ParseError
from newswatch.fulltext import (
    FulltextSettings,
    PageResult,
    fetch_pages,
    needs_fulltext,
    parse_fulltext_settings,
)
from newswatch.language import detect_language
from newswatch.models import Analysis, Article, FetchResult, RawEntry
from newswatch.normalize import MAX_TEXT, clean_text
from newswatch.providers import (
    PROVIDERS,
    SearchFeed,
    SearchSettings,
    due_search_feeds,
    feed_name,
    fetch_search_feeds,
    parse_search_response,
    parse_search_settings,
    search_feeds,
)

SEARCH_KIND = "search"
# A page skipped (time budget, page limit, robots.txt unreachable) is tried on this many runs, then given up.
MAX_PAGE_ATTEMPTS = 5
# Text sources whose text may be a summary: inbox files ("file") and fetched pages carry the article itself.
PAGE_CANDIDATES = ("feed", "summary", "none")

# (url, article_id, status, method, error, http_status, final_url, fetched_at): one page_fetch row.
PageRow = tuple[str, str, str, str | None, str | None, int | None, str | None, datetime]


# -- settings -------------------------------------------------------------------------------------------------
def search_settings(settings: Settings) -> SearchSettings:
    """The [search] table; search is off unless it says enabled = true."""
    return parse_search_settings(settings.extra.get("search"), settings.path)


def fulltext_settings(settings: Settings) -> FulltextSettings:
    """The [fulltext] table. Without one, pages are not fetched: the pipeline never contacts publishers unasked."""
    table = settings.extra.get("fulltext")
    if table is None:
        return FulltextSettings(enabled=False)
    return parse_fulltext_settings(table, settings.path)


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
        else:
            entries.extend(found)
        result.body = None
        out.append(result)
    return entries, out


def search_interval(feeds: Sequence[SearchFeed]) -> timedelta:
    """The back-off unit for failed search feeds: their longest polling interval."""
    return max((f.min_interval for f in feeds), default=timedelta(minutes=15))


# -- full text ------------------------------------------------------------------------------------------------
class PageBudget:
    """What is left of one run's page fetching: seconds and pages, shared by every fetch_pages call of the run."""

    def __init__(self, settings: FulltextSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self.seconds_left = float(settings.time_budget_seconds)
        self.pages_left = settings.max_pages_per_run

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def fetch(self, urls: Sequence[str], client: httpx.Client | None = None) -> dict[str, PageResult]:
        """fetch_pages within what is left; URLs beyond it come back "skipped" (retried next run)."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        if self.seconds_left <= 0 or self.pages_left <= 0:
            reason = "time budget" if self.seconds_left <= 0 else "page limit per run"
            return {u: PageResult(u, "skipped", "", None, "none", reason, None) for u in urls}
        now = replace(self.settings, time_budget_seconds=self.seconds_left, max_pages_per_run=self.pages_left)
        started = self.clock()
        results = fetch_pages(urls, now, client=client)
        self.seconds_left -= self.clock() - started
        self.pages_left -= sum(1 for r in results.values() if r.status != "skipped")
        return results


def wants_page(article: Article, settings: FulltextSettings, headline_only: set[str]) -> bool:
    """An article whose text is short (a summary, or nothing) and that has a page we may read."""
    return (
        article.url is not None
        and article.source not in headline_only
        and article.text_source in PAGE_CANDIDATES
        and needs_fulltext(article.text, settings)
    )


def apply_page(article: Article, result: PageResult) -> str | None:
    """Use the page's text as the article text; returns why not when it is no better than the feed's."""
    text = clean_text(result.text or "")[:MAX_TEXT]
    if not text:
        return "no article text found"
    if article.text_source != "none" and len(text) <= len(article.text):
        return f"page text no longer than the feed's ({len(text)} <= {len(article.text)} characters)"
    article.text = text
    article.text_source = "page"
    return None


def page_row(article: Article, result: PageResult, now: datetime, error: str | None = None) -> PageRow:
    status = "failed" if error else result.status
    return (
        article.url or result.url,
        article.article_id,
        status,
        result.method,
        error or result.error,
        result.http_status,
        result.final_url,
        now,
    )


def fill_fulltext(
    articles: Sequence[Article],
    budget: PageBudget,
    headline_only: set[str],
    now: datetime,
    *,
    client: httpx.Client | None = None,
) -> list[PageRow]:
    """Fetch pages for new articles whose text is short and swap in the page text (text_source "page").

    Articles are changed in place; the returned rows record every attempt ("skipped" ones are retried later,
    and the article is stored meanwhile with the text its feed gave)."""
    if not budget.enabled:
        return []
    todo = [a for a in articles if wants_page(a, budget.settings, headline_only)]
    results = budget.fetch([a.url for a in todo if a.url], client)
    rows: list[PageRow] = []
    for art in todo:
        assert art.url is not None
        result = results[art.url]
        error = apply_page(art, result) if result.status == "page" else None
        rows.append(page_row(art, result, now, error))
    return rows


def retry_pages(
    store: Any,
    budget: PageBudget,
    analyze: Callable[[list[Article]], list[Analysis]],
    now: datetime,
    *,
    client: httpx.Client | None = None,
) -> tuple[int, int]:
    """Pages skipped on earlier runs: fetch them again; re-score and update the articles whose page arrived.

    Returns (articles updated, pages still waiting). A page skipped MAX_PAGE_ATTEMPTS times is given up."""
    if not budget.enabled:
        return 0, 0
    pending = store.pending_pages(max(budget.pages_left, 1) * 4)
    if not pending:
        return 0, 0
    articles = {a.article_id: a for a in store.load_articles(aid for _, aid, _ in pending)}
    results = budget.fetch([url for url, aid, _ in pending if aid in articles], client)
    rows: list[PageRow] = []
    changed: list[Article] = []
    waiting = 0
    for url, aid, attempts in pending:
        art = articles.get(aid)
        if art is None or url not in results:
            continue
        result = results[url]
        error = None
        if result.status == "page":
            error = apply_page(art, result)
            if error is None:
                changed.append(art)
        elif result.status == "skipped":
            if attempts + 1 >= MAX_PAGE_ATTEMPTS:
                error = f"skipped on {attempts + 1} runs (last: {result.error})"
            else:
                waiting += 1
        rows.append(page_row(art, result, now, error))
    detect_languages(changed)
    analyses = analyze(changed) if changed else []
    store.replace_analyses(changed, analyses, rows)
    return len(changed), waiting


# -- language -------------------------------------------------------------------------------------------------
def detect_languages(articles: Sequence[Article]) -> int:
    """Set the language of articles whose source declared none, from their title and text (offline model).

    A declared language is kept: feeds and GDELT state it, and a short summary is a weak sample."""
    n = 0
    for art in articles:
        if art.language:
            continue
        text = art.title if art.text_source == "none" else f"{art.title}\n{art.text}"
        code, _ = detect_language(text)
        if code:
            art.language = code
            n += 1
    return n
