"""Search providers: registry, feeds per topic, due feeds, and parsing edge cases from bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from newswatch.config import SearchSettings, TopicSettings, parse_settings
from newswatch.errors import ConfigError, ParseError
from newswatch.sources.search import (
    PROVIDERS,
    SearchFeed,
    due_search_feeds,
    parse_search_response,
    search_feeds,
)
from newswatch.sources.search.bing_news import publisher_url
from newswatch.sources.search.google_news import split_headline

DATA = Path(__file__).resolve().parents[1] / "data" / "providers"
TOPIC = TopicSettings(
    name="south-asia", queries=["India Pakistan ceasefire", "Rubio Pakistan", "Rubio Pakistan"]
)


def test_registry_holds_every_provider_module() -> None:
    assert set(PROVIDERS) == {"gdelt", "google_news", "bing_news"}
    assert PROVIDERS["gdelt"].request_interval == timedelta(seconds=5)
    assert PROVIDERS["google_news"].headline_only
    assert not PROVIDERS["bing_news"].headline_only


def test_search_feeds_one_per_provider_and_distinct_query() -> None:
    feeds = search_feeds(TOPIC, ["gdelt", "google_news", "bing_news"])
    assert len(feeds) == 6
    assert len({f.name for f in feeds}) == 6
    gdelt = feeds[0]
    assert isinstance(gdelt, SearchFeed)
    assert gdelt.url.startswith("https://api.gdeltproject.org/api/v2/doc/doc?")
    query = parse_qs(urlsplit(gdelt.url).query)
    assert query == {
        "query": ["India Pakistan ceasefire"],
        "mode": ["ArtList"],
        "format": ["json"],
        "maxrecords": ["250"],
        "timespan": ["1d"],
        "sort": ["DateDesc"],
    }
    google = feeds[2]
    assert google.url.startswith("https://news.google.com/rss/search?q=India+Pakistan+ceasefire&hl=en-US")
    assert google.headline_only
    bing = feeds[4]
    assert parse_qs(urlsplit(bing.url).query) == {"q": ["India Pakistan ceasefire"], "format": ["rss"]}


def test_search_feeds_base_url_override_and_no_queries() -> None:
    feeds = search_feeds(TOPIC, ["gdelt"], base_urls={"gdelt": "http://127.0.0.1:1/doc"})
    assert all(f.url.startswith("http://127.0.0.1:1/doc?") for f in feeds)
    assert search_feeds(TopicSettings(name="none"), ["gdelt"]) == []


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown search provider 'altavista'.*gdelt"):
        search_feeds(TOPIC, ["altavista"])


def test_due_search_feeds_respects_min_interval() -> None:
    feeds = search_feeds(TOPIC, ["gdelt"])
    now = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
    last = {feeds[0].name: now - timedelta(minutes=5), feeds[1].name: now - timedelta(minutes=15)}
    assert due_search_feeds(feeds, last, now) == [feeds[1]]
    assert due_search_feeds(feeds, {}, now) == feeds


def test_google_headline_split() -> None:
    assert split_headline("A - B - Outlet", "Outlet") == ("A - B", "Outlet")
    assert split_headline("A - B - Outlet", None) == ("A - B", "Outlet")
    assert split_headline("No outlet here", None) == ("No outlet here", None)
    assert split_headline("Headline", "Outlet") == ("Headline", "Outlet")


def test_bing_publisher_url() -> None:
    link = "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=X&url=https%3a%2f%2fa.example%2fx%3fy%3d1&c=1"
    assert publisher_url(link) == "https://a.example/x?y=1"
    assert publisher_url("https://a.example/direct") == "https://a.example/direct"
    # a redirect whose target is not http(s) is kept as is rather than followed somewhere odd
    odd = "http://www.bing.com/news/apiclick.aspx?url=javascript%3aalert(1)"
    assert publisher_url(odd) == odd


def test_gdelt_empty_result_and_errors() -> None:
    assert parse_search_response("gdelt", b"{}", {}, source="s", topic="t") == []
    with pytest.raises(ParseError, match="Please limit requests"):
        parse_search_response(
            "gdelt", b"Please limit requests to one every 5 seconds", {}, source="s", topic="t"
        )
    with pytest.raises(ParseError, match="s: parse: GDELT returned invalid JSON"):
        parse_search_response("gdelt", b'{"articles": [', {}, source="s", topic="t")
    with pytest.raises(ParseError, match="empty response"):
        parse_search_response("gdelt", b"", {}, source="s", topic="t")


def test_gdelt_tolerates_control_characters_in_titles() -> None:
    body = b'{"articles": [{"url": "https://x.example/a", "title": "tab\there", "seendate": "20250101T000000Z", "domain": "x.example", "language": "French"}]}'
    (entry,) = parse_search_response("gdelt", body, {}, source="s", topic="t")
    assert entry.title == "tab\there" and entry.language == "fr"


def test_rss_providers_reject_non_feeds() -> None:
    with pytest.raises(ParseError, match="bing-feed: parse: not a readable RSS document"):
        parse_search_response("bing_news", b"\x00\x01 not xml", {}, source="bing-feed", topic="t")


@pytest.mark.parametrize(
    ("provider", "name", "count"),
    [
        ("gdelt", "gdelt_artlist.json", 3),
        ("gdelt", "gdelt_artlist.rss", 2),
        ("google_news", "google_news_search.rss", 2),
        ("bing_news", "bing_news_search.rss", 2),
    ],
)
def test_sample_files_parse(provider: str, name: str, count: int) -> None:
    entries = parse_search_response(provider, (DATA / name).read_bytes(), {}, source="s", topic="t")
    assert len(entries) == count
    assert all(e.title.startswith(("SAMPLE", "BEISPIEL")) for e in entries)
    assert all(e.published is None or e.published.tzinfo is UTC for e in entries)


def test_the_search_table_is_read() -> None:
    assert parse_settings({}, Path("cfg.toml")).search == SearchSettings()
    settings = parse_settings(
        {
            "search": {
                "enabled": True,
                "providers": ["gdelt", "google_news", "gdelt"],
                "base_urls": {"gdelt": "http://127.0.0.1:1/"},
            }
        },
        Path("cfg.toml"),
    ).search
    assert settings.enabled and settings.providers == ("gdelt", "google_news")
    assert settings.base_urls == {"gdelt": "http://127.0.0.1:1/"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"provider": ["gdelt"]}, r"cfg.toml: search.provider: unknown key"),
        ({"enabled": "yes"}, r"search.enabled: expected true or false"),
        ({"providers": "gdelt"}, r"search.providers: expected a list"),
        ({"providers": ["altavista"]}, r"search.providers: unknown search provider 'altavista'"),
        ({"base_urls": {"nope": "http://x"}}, r"search.base_urls.nope: unknown search provider"),
    ],
)
def test_a_bad_search_table_is_refused(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings({"search": table}, Path("cfg.toml"))


def test_a_search_body_is_data_never_a_file_name() -> None:
    """feedparser opens a str or bytes argument as a URL or a file: a search service answering with a path got
    that local file read as its results (and /dev/stdin hung the run). The body is parsed as a document."""
    sample = Path(__file__).resolve().parents[2] / "samples" / "feeds" / "sample-herald.xml"
    assert sample.is_file()
    with pytest.raises(ParseError, match="not a readable RSS document"):
        parse_search_response("bing_news", str(sample).encode(), {}, source="s", topic="t")


def test_gdelt_json_nested_too_deeply_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_search_response("gdelt", b"{\"articles\": " + b"[" * 100_000, {}, source="s", topic="t")
