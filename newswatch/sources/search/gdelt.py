"""GDELT DOC 2.0 API, ArtList mode: article URLs, titles, domains and languages for a query (no text).

Never requests more than once per 5 seconds: GDELT documents that limit and answers 429 above it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from newswatch.errors import ParseError
from newswatch.models import RawEntry
from newswatch.sources.search import Provider, entry_time, read_rss
from newswatch.text.language import normalize_language

BASE_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
# Articles from the last day, newest first; 250 is the API's maximum per request.
PARAMS = {"mode": "ArtList", "format": "json", "maxrecords": "250", "timespan": "1d", "sort": "DateDesc"}


def build_url(base_url: str, query: str) -> str:
    return f"{base_url}?{urlencode({'query': query, **PARAMS})}"


def _seendate(value: Any) -> datetime | None:
    """'20250510T143000Z' -> datetime(2025, 5, 10, 14, 30, tzinfo=UTC); None when malformed."""
    try:
        return datetime.strptime(str(value), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _from_json(body: bytes, *, source: str, origin: str) -> list[RawEntry]:
    try:
        # strict=False: GDELT titles sometimes carry raw control characters.
        data = json.loads(body.decode("utf-8", errors="replace"), strict=False)
    except json.JSONDecodeError as exc:
        raise ParseError(
            source, "parse", f"GDELT returned invalid JSON ({exc.msg} at offset {exc.pos})"
        ) from None
    except RecursionError:
        raise ParseError(source, "parse", "GDELT returned JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise ParseError(source, "parse", f"GDELT JSON is a {type(data).__name__}, expected an object")
    articles = data.get("articles") or []  # no matches: GDELT answers {}
    if not isinstance(articles, list):
        raise ParseError(source, "parse", "GDELT JSON 'articles' is not a list")
    entries = []
    for item in articles:
        if not isinstance(item, dict) or not item.get("url"):
            continue
        url = str(item["url"])
        entries.append(
            RawEntry(
                source=source,
                outlet=str(item.get("domain") or _domain(url)),
                title=str(item.get("title") or "").strip(),
                link=url,
                guid=url,
                published=_seendate(item.get("seendate")),
                language=normalize_language(str(item.get("language") or "")),
                origin=origin,
                text_source="none",
            )
        )
    return entries


def _from_rss(body: bytes, headers: dict[str, str], *, source: str, origin: str) -> list[RawEntry]:
    parsed = read_rss(body, headers, source=source)
    entries = []
    for item in parsed.entries:
        url = item.get("link")
        if not url:
            continue
        entries.append(
            RawEntry(
                source=source,
                outlet=_domain(url),
                title=str(item.get("title") or "").strip(),
                link=url,
                guid=item.get("id") or url,
                published=entry_time(item),
                language=None,
                origin=origin,
                text_source="none",
            )
        )
    return entries


def parse(body: bytes, headers: dict[str, str], *, source: str, topic: str) -> list[RawEntry]:
    """ArtList as JSON or RSS (told apart by the body). GDELT reports errors as plain text with HTTP 200."""
    origin = f"gdelt search, topic {topic}"
    head = body.lstrip()[:1]
    if head == b"{":
        return _from_json(body, source=source, origin=origin)
    if head == b"<":
        return _from_rss(body, headers, source=source, origin=origin)
    message = body.decode("utf-8", errors="replace").strip()[:200] or "empty response"
    raise ParseError(source, "parse", f"GDELT did not return results: {message}")


PROVIDER = Provider(
    name="gdelt",
    base_url=BASE_URL,
    build_url=build_url,
    parse=parse,
    # GDELT refreshes every 15 minutes; polling a query more often returns the same list.
    min_interval=timedelta(minutes=15),
    request_interval=timedelta(seconds=5),
    headline_only=False,
)
