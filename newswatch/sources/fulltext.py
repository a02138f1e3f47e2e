"""Full text for articles whose feed gave only a summary: which articles want their page, the run's page
budget, and putting a fetched page's text into the article (fetching itself is sources/pages.py).

Plain functions the ingest flow calls (no Prefect, no duckdb: a store is passed in). A page that cannot be read
becomes a page_fetch row, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

import httpx

from newswatch.config import Settings
from newswatch.models import Analysis, Article, PageFetch
from newswatch.sources.pages import (
    FulltextSettings,
    PageResult,
    Politeness,
    fetch_pages,
    needs_fulltext,
)
from newswatch.sources.search_feeds import headline_only_sources
from newswatch.text.language import detect_languages
from newswatch.text.normalize import MAX_TEXT, clean_text
from newswatch.text.terms import STOPWORDS, tokenize


class PageStore(Protocol):
    """What re-trying skipped pages needs from the store."""

    def pending_pages(self, limit: int) -> list[tuple[str, str, int]]: ...
    def load_articles(self, ids: Iterable[str]) -> list[Article]: ...
    def replace_analyses(self, articles: Sequence[Article], analyses: Sequence[Analysis],
                         pages: Sequence[PageFetch] = ()) -> int: ...


# A page skipped (robots.txt unreachable, HTTP 429 or 5xx, cut short by the time budget) is tried on this many
# runs, then given up.
MAX_PAGE_ATTEMPTS = 5
# Why a page comes back "skipped" when the run's budget ran out before it was started: not an attempt. Such a page
# keeps its row as it was (its attempts, and its time, so it goes first in the next run's line). A request the
# budget cut short ("cut short by the time budget", sources/pages.py) was made, and counts: a site that never
# answered within what was left would otherwise be asked first on every run and never given up.
NOT_REACHED = frozenset({"page limit per run", "time budget"})
# Text sources whose text may be a summary: inbox files ("file") and fetched pages carry the article itself.
PAGE_CANDIDATES = ("feed", "summary", "none")




# -- settings -----------------------------------------------------------------------------------------------
def fulltext_settings(settings: Settings) -> FulltextSettings:
    """The [fulltext] table; without one, the defaults (on: pages of articles from feeds fetched over HTTP(S) are
    read when the feed gives only a short text). `[fulltext] enabled = false` turns it off."""
    return settings.fulltext  # allow_networks: [fetch] allow_networks, copied in by config.Settings


def no_page_sources(settings: Settings) -> set[str]:
    """Sources whose articles never get their page read: headline-only search feeds (no publisher URL) and feeds
    read from local files (their links are not ours to fetch: the samples point at fictional sites)."""
    local = {f.name for f in settings.feeds if not _is_web(f.url)}
    return headline_only_sources(settings) | local


# -- full text ------------------------------------------------------------------------------------------------
class PageBudget:
    """What is left of one run's page fetching: seconds and pages, shared by every fetch_pages call of the run."""

    def __init__(self, settings: FulltextSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self.seconds_left = float(settings.time_budget_seconds)
        self.pages_left = settings.max_pages_per_run
        self.politeness = Politeness()  # robots.txt once a run, and each site's request gap, across the calls

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
        now = self.settings.model_copy(
            update={"time_budget_seconds": self.seconds_left, "max_pages_per_run": self.pages_left}
        )
        started = self.clock()
        results = fetch_pages(urls, now, client=client, politeness=self.politeness)
        self.seconds_left -= self.clock() - started
        self.pages_left -= sum(1 for r in results.values() if r.status != "skipped")
        return results


def wants_page(article: Article, settings: FulltextSettings, headline_only: set[str]) -> bool:
    """An article whose text is short (a summary, or nothing) and that has a web page we may read; `no_page` names
    the sources whose articles never get one (no_page_sources)."""
    return (
        article.url is not None
        and _is_web(article.url)
        and article.source not in headline_only
        and article.text_source in PAGE_CANDIDATES
        and needs_fulltext(article.text, settings)
    )


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def apply_page(article: Article, result: PageResult) -> str | None:
    """Use the page's text as the article text; returns why not when it is no better than the feed's, or when it
    is not the article at all (`_about_the_item`)."""
    text = clean_text(result.text or "")[:MAX_TEXT]
    if not text:
        return "no article text found"
    if not _about_the_item(article.title, text):
        return ("the page's text shares no word with the headline: not the article (a consent or cookie wall, a "
                "paywall notice or an error page sent as a page?)")
    if article.text_source != "none" and len(text) <= len(article.text):
        return f"page text no longer than the feed's ({len(text)} <= {len(article.text)} characters)"
    article.text = text
    article.text_source = "page"
    return None


def _about_the_item(title: str, text: str) -> bool:
    """Whether a page's text can be the article whose headline is `title`: it contains at least one of the
    headline's content words (three letters or more, not a stop word), when the headline has two or more.

    A consent wall, a paywall notice or a "page not found" sent with status 200 is longer than most feed summaries
    and would replace them. Such pages share no word with the headline; real articles almost always do: in the
    public story sets (giveme5w1h-public, wikinews-galaxy), 12 of the 699 articles with a headline of two or more
    content words and a text of 400 characters or more share none, and four of the five of those read were broken
    pairs (a site's menu, another article's text under the headline)."""
    words = _content_words(title)
    if len(words) < 2:
        return True
    page = _content_words(text)
    if not words.isdisjoint(page):
        return True
    # Inflected languages change a word's ending ("Niinistön" in the headline, "Niinistö" in the text): five
    # letters of a word of five or more are enough.
    stems = {w[:5] for w in page if len(w) >= 5}
    if any(len(w) >= 5 and w[:5] in stems for w in words):
        return True
    # Scripts written without spaces (Chinese, Japanese) make long "words" that a page holds only inside longer
    # runs: those are looked for as substrings (ASCII words are not: "sea" is inside "research").
    lowered = text.lower()
    return any(not w.isascii() and w in lowered for w in words)


def _content_words(text: str) -> set[str]:
    return {w for w in tokenize(text) if len(w) >= 3 and w.isalpha() and w not in STOPWORDS}


def page_fetch(article: Article, result: PageResult, now: datetime, error: str | None = None) -> PageFetch:
    return PageFetch(
        url=article.url or result.url,
        article_id=article.article_id,
        status="failed" if error else result.status,
        method=result.method,
        error=error or result.error,
        http_status=result.http_status,
        final_url=result.final_url,
        fetched_at=now,
    )


def fill_fulltext(
    articles: Sequence[Article],
    budget: PageBudget,
    headline_only: set[str],
    now: datetime,
    *,
    client: httpx.Client | None = None,
) -> list[PageFetch]:
    """Fetch pages for new articles whose text is short and swap in the page text (text_source "page").

    Articles are changed in place; the returned rows record every attempt ("skipped" ones are retried later,
    and the article is stored meanwhile with the text its feed gave)."""
    if not budget.enabled:
        return []
    todo = [a for a in articles if wants_page(a, budget.settings, headline_only)]
    results = budget.fetch([a.url for a in todo if a.url], client)
    rows: list[PageFetch] = []
    for art in todo:
        assert art.url is not None
        result = results[art.url]
        error = apply_page(art, result) if result.status == "page" else None
        rows.append(page_fetch(art, result, now, error))
    return rows


def retry_pages(
    store: PageStore,
    budget: PageBudget,
    analyze: Callable[[list[Article]], list[Analysis]],
    now: datetime,
    *,
    client: httpx.Client | None = None,
) -> tuple[int, int]:
    """Pages skipped on earlier runs: fetch them again; re-score and update the articles whose page arrived.

    Returns (articles updated, pages still waiting). A page skipped MAX_PAGE_ATTEMPTS times is given up; one the
    run's budget did not reach is left as it was, first in line for the next run (pending_pages: oldest first)."""
    if not budget.enabled:
        return 0, 0
    pending = store.pending_pages(max(budget.pages_left, 1) * 4)
    if not pending:
        return 0, 0
    articles = {a.article_id: a for a in store.load_articles(aid for _, aid, _ in pending)}
    results = budget.fetch([url for url, aid, _ in pending if aid in articles], client)
    rows: list[PageFetch] = []
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
            if result.error in NOT_REACHED and result.http_status is None:
                waiting += 1
                continue
            if attempts + 1 >= MAX_PAGE_ATTEMPTS:
                error = f"skipped on {attempts + 1} runs (last: {result.error})"
            else:
                waiting += 1
        rows.append(page_fetch(art, result, now, error))
    detect_languages(changed)
    analyses = analyze(changed) if changed else []
    store.replace_analyses(changed, analyses, rows)
    return len(changed), waiting
