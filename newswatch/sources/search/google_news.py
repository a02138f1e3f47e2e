"""Google News RSS search: headlines, outlet names and times only.

Its item links are opaque redirect tokens that cannot be turned into the publisher's URL (since 2024), so
entries are headline-only: never fetch them for full text and never treat the headline as the article.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from newswatch.models import RawEntry
from newswatch.sources.search import Provider, entry_time, read_rss
from newswatch.text.language import normalize_language

BASE_URL = "https://news.google.com/rss/search"
PARAMS = {"hl": "en-US", "gl": "US", "ceid": "US:en"}


def build_url(base_url: str, query: str) -> str:
    return f"{base_url}?{urlencode({'q': query, **PARAMS})}"


def split_headline(title: str, source: str | None) -> tuple[str, str | None]:
    """'Headline - Outlet' -> ('Headline', 'Outlet'). The <source> element, when given, names the outlet."""
    title = title.strip()
    if source and title.endswith(f" - {source}"):
        return title[: -len(source) - 3].rstrip(), source
    if source:
        return title, source
    head, sep, tail = title.rpartition(" - ")
    if sep and head and tail:
        return head.rstrip(), tail.strip()
    return title, None


def parse(body: bytes, headers: dict[str, str], *, source: str, topic: str) -> list[RawEntry]:
    parsed = read_rss(body, headers, source=source)
    language = normalize_language(parsed.feed.get("language"))
    entries = []
    for item in parsed.entries:
        src = item.get("source") or {}
        headline, outlet = split_headline(str(item.get("title") or ""), src.get("title"))
        if not headline:
            continue
        entries.append(
            RawEntry(
                source=source,
                outlet=outlet or "Google News",
                title=headline,
                # The description only repeats the headline and outlet as HTML: no text to keep.
                link=item.get("link"),
                guid=item.get("id") or item.get("link"),
                published=entry_time(item),
                language=language,
                origin=src.get("href") or f"google news search, topic {topic}",
                text_source="none",
            )
        )
    return entries


PROVIDER = Provider(
    name="google_news",
    base_url=BASE_URL,
    build_url=build_url,
    parse=parse,
    # No documented limit; Google blocks clients that poll hard, so stay well clear.
    min_interval=timedelta(minutes=15),
    request_interval=timedelta(seconds=10),
    headline_only=True,
)
