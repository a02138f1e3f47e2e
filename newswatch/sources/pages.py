"""Fetch article pages and extract their main text with trafilatura, politely.

Politeness is not optional here: robots.txt is honoured, each domain gets few concurrent requests spaced
apart, bodies are capped, and a run never spends more than its time budget. Never raises for one bad page.
Never connects to an address sources/addresses.py refuses (a page or robots.txt on a private network), on any
redirect hop, unless [fetch] allow_networks allows it.
"""

from __future__ import annotations

import codecs
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from newswatch.config import FulltextSettings
from newswatch.sources.addresses import BlockedAddress
from newswatch.sources.fetch import make_transport, wall_deadline

PageStatus = Literal["page", "failed", "skipped"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Google's robots.txt parser reads at most 500 KiB; so do we.
ROBOTS_MAX_BYTES = 500 * 1024
# Worker threads across all domains; each domain is further limited by per_domain_concurrency.
MAX_WORKERS = 16
# The start of PageResult.error (and so page_fetch.error) for a page or robots.txt on a refused address.
BLOCKED = "blocked_address"


@dataclass
class PageResult:
    """What happened to one URL. "skipped" means not tried this run (budget, page limit): retry next run."""

    url: str
    status: PageStatus
    text: str
    title: str | None
    method: str  # "trafilatura", or "none" when nothing was extracted
    error: str | None
    http_status: int | None
    final_url: str | None = None  # after redirects


def needs_fulltext(text: str, settings: FulltextSettings) -> bool:
    """True when full text is enabled and the text the feed gave is shorter than min_chars."""
    return settings.enabled and len((text or "").strip()) < settings.min_chars


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=", re.IGNORECASE)


def decoded(body: bytes, charset: str | None) -> bytes | str:
    """The page as text when its HTTP header names a charset Python knows and the page itself declares none in a
    `<meta>` tag; else the bytes, for trafilatura to read that tag or guess. Before, the header was ignored, and
    trafilatura's guess from the page's first and last 5,000 bytes turned a windows-1252 page's accents into
    U+FFFD. A page's own `<meta>` is preferred to the header (browsers do the reverse): servers mislabel pages more
    often than pages mislabel themselves, and a review found correct pages garbled by a wrong header. A header
    whose charset cannot decode the bytes is ignored too, and a byte-order mark always wins."""
    if not charset or body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body
    if _META_CHARSET.search(body, 0, 4096):
        return body
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return body


def extract_text(html: bytes | str, url: str | None = None) -> tuple[str | None, str | None]:
    """(main text, title) of an HTML page with trafilatura; (None, title-or-None) when no article text is found."""
    import trafilatura  # imported here: it pulls in lxml and friends, which most commands never need
    from trafilatura.settings import set_date_params

    document = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        with_metadata=True,  # for the title
        # The feed gives the date; htmldate's extensive search took 9 s on one real page.
        date_extraction_params=set_date_params(extensive=False),
    )
    if document is None:
        return None, None
    # NFC as trafilatura.extract does: the same letter can arrive composed or not (Bengali, for one).
    text = unicodedata.normalize("NFC", getattr(document, "text", None) or "").strip()
    title = getattr(document, "title", None) or None
    return (text or None), (unicodedata.normalize("NFC", title) if title else None)


def _domain(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _unfetchable(url: str) -> str | None:
    """Why `url` is never fetched, or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"only http and https URLs are fetched (got {url[:80]!r})"
    if parts.hostname == "news.google.com" and parts.path.startswith(("/rss/articles/", "/articles/")):
        return "Google News redirect token: the publisher URL is unknown"
    return None


class _Robots:
    """Robots verdict for one domain, fetched once per run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.parser: RobotFileParser | None = None
        self.allow_all = False
        self.unavailable: str | None = None  # set when the server failed: nothing is fetched this run
        self.blocked: str | None = None  # set when the domain's address is refused: nothing is ever fetched
        self.done = False


class Politeness:
    """What a run knows of each site across its fetch_pages calls (a run makes several: per group of feeds, for
    search feeds): each domain's robots.txt, read once a run, and when its next request may start, so the gap
    between requests to one site holds from one call to the next."""

    def __init__(self) -> None:
        self.robots: dict[str, _Robots] = {}
        self.next_start: dict[str, float] = {}
        self.lock = threading.Lock()

    def add(self, domains: Iterable[str]) -> None:
        with self.lock:
            for domain in domains:
                self.robots.setdefault(domain, _Robots())
                self.next_start.setdefault(domain, float("-inf"))


class _Run:
    """One fetch_pages call: the schedule, the politeness state (the run's, shared by its calls) and the results."""

    def __init__(
        self,
        urls: list[str],
        settings: FulltextSettings,
        client: httpx.Client,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        politeness: Politeness | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.deadline = clock() + settings.time_budget_seconds
        self.cond = threading.Condition()
        self.pending: dict[str, deque[str]] = {}
        for url in urls:
            self.pending.setdefault(_domain(url), deque()).append(url)
        self.active: dict[str, int] = dict.fromkeys(self.pending, 0)
        shared = politeness or Politeness()
        shared.add(self.pending)
        self.next_start: dict[str, float] = shared.next_start
        self.robots: dict[str, _Robots] = shared.robots
        self.headers = {"User-Agent": settings.user_agent}

    # -- scheduling --------------------------------------------------------------------------------------

    def take(self) -> tuple[str, str] | None:
        """Next (domain, url) whose domain has a free slot; None when every URL is taken."""
        with self.cond:
            while True:
                if not any(self.pending.values()):
                    return None
                free = [
                    d
                    for d, q in self.pending.items()
                    if q and self.active[d] < self.settings.per_domain_concurrency
                ]
                if free:
                    domain = min(free, key=lambda d: self.next_start[d])
                    self.active[domain] += 1
                    return domain, self.pending[domain].popleft()
                self.cond.wait(0.05)

    def release(self, domain: str) -> None:
        with self.cond:
            self.active[domain] -= 1
            self.cond.notify_all()

    def wait_turn(self, domain: str) -> bool:
        """Reserve the next start time for `domain` and sleep until it; False when that is past the budget."""
        with self.cond:
            start = max(self.clock(), self.next_start[domain] + self.settings.per_domain_interval_seconds)
            if start >= self.deadline:
                return False
            self.next_start[domain] = start
        delay = start - self.clock()
        if delay > 0:
            self.sleep(delay)
        return True

    def timeout(self) -> tuple[float, bool]:
        """(seconds this request may take, whether the budget rather than timeout_seconds limits it)."""
        remaining = self.deadline - self.clock()
        if remaining < self.settings.timeout_seconds:
            return max(remaining, 0.001), True
        return self.settings.timeout_seconds, False

    # -- robots.txt --------------------------------------------------------------------------------------

    def check_robots(self, domain: str, url: str) -> PageResult | None:
        """None when `url` may be fetched; else the result to record."""
        if not self.settings.respect_robots:
            return None
        robots = self.robots[domain]
        with robots.lock:
            if not robots.done:
                if not self.wait_turn(domain):
                    return PageResult(url, "skipped", "", None, "none", "time budget", None)
                self.load_robots(domain, robots)
                robots.done = True
        if robots.blocked:
            return PageResult(url, "failed", "", None, "none", robots.blocked, None)
        if robots.unavailable:
            return PageResult(url, "skipped", "", None, "none", robots.unavailable, None)
        if robots.allow_all or robots.parser is None:
            return None
        if robots.parser.can_fetch(self.settings.user_agent, url):
            return None
        return PageResult(url, "failed", "", None, "none", "disallowed by robots.txt", None)

    def load_robots(self, domain: str, robots: _Robots) -> None:
        # 4xx: no rules, everything allowed. 5xx, timeout, network error: treat the site as closed this run.
        timeout, _ = self.timeout()
        try:
            with wall_deadline(timeout), self.client.stream(
                "GET", f"{domain}/robots.txt", headers=self.headers, timeout=timeout, follow_redirects=True
            ) as response:
                status = response.status_code
                if 400 <= status < 500:
                    robots.allow_all = True
                    return
                if status >= 500:
                    robots.unavailable = f"robots.txt unavailable (HTTP {status})"
                    return
                body = _read_capped(
                    response, ROBOTS_MAX_BYTES, self.clock, self.clock() + timeout, truncate=True
                )
        except BlockedAddress as exc:
            robots.blocked = f"{BLOCKED}: robots.txt: {exc}"
            return
        except (httpx.HTTPError, _TooSlow) as exc:
            robots.unavailable = f"robots.txt unavailable ({type(exc).__name__})"
            return
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        robots.parser = parser

    # -- one page ----------------------------------------------------------------------------------------

    def fetch(self, domain: str, url: str) -> PageResult:
        if self.clock() >= self.deadline:
            return PageResult(url, "skipped", "", None, "none", "time budget", None)
        refused = self.check_robots(domain, url)
        if refused is not None:
            return refused
        if not self.wait_turn(domain):
            return PageResult(url, "skipped", "", None, "none", "time budget", None)
        timeout, budget_bound = self.timeout()
        status: int | None = None
        try:
            with wall_deadline(timeout), self.client.stream(
                "GET",
                url,
                headers={**self.headers, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
                timeout=timeout,
                follow_redirects=True,
            ) as response:
                status = response.status_code
                final_url = str(response.url)
                if status >= 400:
                    reason = response.reason_phrase or "error"
                    # Too many requests, or the server down for now: tried again by later runs (as feeds are).
                    later = status == 429 or status >= 500
                    return PageResult(
                        url, "skipped" if later else "failed", "", None, "none",
                        f"HTTP {status} {reason}" + (" (tried again next run)" if later else ""), status, final_url
                    )
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                charset = response.charset_encoding  # the Content-Type header's, if it names one
                if ctype and ctype not in HTML_TYPES:
                    return PageResult(
                        url, "failed", "", None, "none", f"not HTML (content type {ctype})", status, final_url
                    )
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > self.settings.max_bytes:
                    return PageResult(
                        url,
                        "failed",
                        "",
                        None,
                        "none",
                        f"page larger than {self.settings.max_bytes} bytes ({length})",
                        status,
                        final_url,
                    )
                body = _read_capped(response, self.settings.max_bytes, self.clock, self.clock() + timeout)
        except BlockedAddress as exc:
            return PageResult(url, "failed", "", None, "none", f"{BLOCKED}: {exc}", status)
        except _TooLarge:
            return PageResult(
                url, "failed", "", None, "none", f"page larger than {self.settings.max_bytes} bytes", status
            )
        except (httpx.TimeoutException, _TooSlow):
            if budget_bound:
                return PageResult(url, "skipped", "", None, "none", "cut short by the time budget", status)
            return PageResult(
                url,
                "failed",
                "",
                None,
                "none",
                f"timed out after {self.settings.timeout_seconds:g} s",
                status,
            )
        except httpx.HTTPError as exc:
            return PageResult(url, "failed", "", None, "none", f"{type(exc).__name__}: {exc}", status)
        if not ctype and not _looks_like_html(body):
            return PageResult(
                url,
                "failed",
                "",
                None,
                "none",
                "not HTML (no content type, no HTML markup)",
                status,
                final_url,
            )
        try:
            text, title = extract_text(decoded(body, charset), final_url)
        except Exception as exc:  # one odd page must not end the run
            return PageResult(
                url, "failed", "", None, "trafilatura", f"extraction failed: {exc}", status, final_url
            )
        if not text:
            return PageResult(
                url, "failed", "", title, "trafilatura", "no article text found", status, final_url
            )
        return PageResult(url, "page", text, title, "trafilatura", None, status, final_url)

    def work(self, results: dict[str, PageResult]) -> None:
        while (job := self.take()) is not None:
            domain, url = job
            try:
                result = self.fetch(domain, url)
            except Exception as exc:  # recorded, never fatal
                result = PageResult(url, "failed", "", None, "none", f"{type(exc).__name__}: {exc}", None)
            finally:
                self.release(domain)
            results[url] = result


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _read_capped(
    response: httpx.Response,
    limit: int,
    clock: Callable[[], float],
    deadline: float,
    *,
    truncate: bool = False,
) -> bytes:
    # httpx's read timeout is per chunk; the deadline stops a server that drips bytes forever.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            if truncate:
                chunks.append(chunk[: limit - (size - len(chunk))])
                break
            raise _TooLarge()
        chunks.append(chunk)
        if clock() > deadline:
            raise _TooSlow()
    return b"".join(chunks)


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<p" in head


def fetch_pages(
    urls: list[str],
    settings: FulltextSettings,
    *,
    client: httpx.Client | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    politeness: Politeness | None = None,
) -> dict[str, PageResult]:
    """Fetch and extract each distinct URL once; a result for every URL given.

    URLs past max_pages_per_run, or not started before the time budget ran out, come back "skipped".
    `politeness`: the run's, when it makes several calls (robots.txt once a run, the gap between requests to a site
    kept across calls); without it, this call's own.
    """
    results: dict[str, PageResult] = {}
    distinct = list(dict.fromkeys(urls))
    if not settings.enabled:
        return {u: PageResult(u, "skipped", "", None, "none", "full text disabled", None) for u in distinct}
    todo: list[str] = []
    for url in distinct:
        reason = _unfetchable(url)
        if reason:
            results[url] = PageResult(url, "failed", "", None, "none", reason, None)
        elif len(todo) >= settings.max_pages_per_run:
            results[url] = PageResult(url, "skipped", "", None, "none", "page limit per run", None)
        else:
            todo.append(url)
    if not todo:
        return results
    own_client = client is None
    http = client or httpx.Client(
        max_redirects=5, transport=make_transport(settings.allow_networks, MAX_WORKERS)
    )
    try:
        run = _Run(todo, settings, http, clock, sleep, politeness)
        workers = min(MAX_WORKERS, len(todo), len(run.pending) * settings.per_domain_concurrency)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fulltext") as pool:
            for _ in range(workers):
                pool.submit(run.work, results)
    finally:
        if own_client:
            http.close()
    lost = PageResult("", "failed", "", None, "none", "not processed (internal error)", None)
    return {u: results.get(u) or replace(lost, url=u) for u in distinct}
