"""Bing News RSS search: headline, publisher link, snippet, time and outlet per item.

Links may be apiclick redirects; the publisher URL is read from their `url` parameter, never fetched through Bing.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from newswatch.models import RawEntry
from newswatch.sources.search import Provider, entry_time, read_rss

BASE_URL = "https://www.bing.com/news/search"


def build_url(base_url: str, query: str) -> str:
    return f"{base_url}?{urlencode({'q': query, 'format': 'rss'})}"


def publisher_url(link: str) -> str:
    """The real article URL of a Bing link: the `url` parameter of an apiclick redirect, else the link."""
    parts = urlsplit(link)
    if "bing.com" in (parts.hostname or "") and "apiclick" in parts.path.lower():
        target = parse_qs(parts.query).get("url")
        if target and target[0].lower().startswith(("http://", "https://")):
            return target[0]
    return link


def _outlet(item: dict, link: str) -> str:
    # News:Source sits in a namespace whose URI varies by query; feedparser keys it by prefix.
    for key in ("news_source", "source"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, dict) and value.get("title"):
            return str(value["title"])
    return (urlsplit(link).hostname or "unknown").removeprefix("www.")


def parse(body: bytes, headers: dict[str, str], *, source: str, topic: str) -> list[RawEntry]:
    parsed = read_rss(body, headers, source=source)
    entries = []
    for item in parsed.entries:
        link = item.get("link")
        title = str(item.get("title") or "").strip()
        if not link or not title:
            continue
        url = publisher_url(link)
        summary = str(item.get("summary") or "").strip()
        entries.append(
            RawEntry(
                source=source,
                outlet=_outlet(item, url),
                title=title,
                summary=summary,
                link=url,
                guid=url,
                published=entry_time(item),
                language=None,
                origin=f"bing news search, topic {topic}",
                text_source="summary" if summary else "none",
            )
        )
    return entries


PROVIDER = Provider(
    name="bing_news",
    base_url=BASE_URL,
    build_url=build_url,
    parse=parse,
    # No documented limit for the RSS output; be conservative.
    min_interval=timedelta(minutes=15),
    request_interval=timedelta(seconds=10),
    headline_only=False,
)
