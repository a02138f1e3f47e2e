"""Search feeds against a local server that replays hand-written responses in each provider's format."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from newswatch.config import FeedSettings, FetchSettings, TopicSettings
from newswatch.models import FetchResult
from newswatch.sources.fetch import fetch_feed, make_client
from newswatch.sources.search import SearchFeed, fetch_search_feeds, parse_search_response, search_feeds
from tests.support.httpserver import LOOPBACK_NETWORKS

DATA = Path(__file__).resolve().parents[1] / "data" / "providers"
# path on the local server -> (sample file, content type)
ROUTES = {
    "/gdelt": ("gdelt_artlist.json", "application/json; charset=utf-8"),
    "/gdelt-rss": ("gdelt_artlist.rss", "application/rss+xml"),
    "/google": ("google_news_search.rss", "application/xml; charset=utf-8"),
    "/bing": ("bing_news_search.rss", "text/xml; charset=utf-8"),
}


class Replay(BaseHTTPRequestHandler):
    requests: list[str] = []
    agents: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.agents.append(self.headers.get("User-Agent", ""))
        route = ROUTES.get(urlsplit(self.path).path)
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        body = (DATA / route[0]).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", route[1])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    Replay.requests = []
    Replay.agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


TOPIC = TopicSettings(name="south-asia", queries=['"ceasefire talks"'])


def fetch_and_parse(base: str, provider: str, path: str) -> list:
    (feed,) = search_feeds(TOPIC, [provider], base_urls={provider: base + path})
    with httpx.Client() as client:
        response = client.get(feed.url)
    response.raise_for_status()
    headers = {k.lower(): v for k, v in response.headers.items()}
    return parse_search_response(provider, response.content, headers, source=feed.name, topic=feed.topic)


def test_gdelt_json(server: str) -> None:
    entries = fetch_and_parse(server, "gdelt", "/gdelt")
    query = parse_qs(urlsplit(Replay.requests[0]).query)
    assert query["query"] == ['"ceasefire talks"']
    assert query["mode"] == ["ArtList"] and query["format"] == ["json"]
    assert [e.outlet for e in entries] == [
        "samplenews.example",
        "dailysample.example",
        "sampletribune.example",
    ]
    first = entries[0]
    assert first.link == "https://www.samplenews.example/world/2025/05/10/sample-ceasefire-talks"
    assert first.published == datetime(2025, 5, 10, 14, 30, tzinfo=UTC)
    assert first.language == "en" and entries[1].language == "de" and entries[2].language == "ur"
    assert first.text_source == "none" and first.content == "" and first.summary == ""
    assert entries[2].published is None  # malformed seendate is dropped, not guessed
    assert all(e.source == 'search:gdelt:south-asia:"ceasefire talks"' for e in entries)


def test_gdelt_rss(server: str) -> None:
    entries = fetch_and_parse(server, "gdelt", "/gdelt-rss")
    assert [e.outlet for e in entries] == ["samplenews.example", "sampletribune.example"]
    assert entries[1].published == datetime(2025, 5, 10, 11, 0, tzinfo=UTC)


def test_google_news_is_headline_only(server: str) -> None:
    (feed,) = search_feeds(TOPIC, ["google_news"], base_urls={"google_news": server + "/google"})
    assert feed.headline_only
    entries = fetch_and_parse(server, "google_news", "/google")
    assert [e.outlet for e in entries] == ["Sample News", "The Daily Sample"]
    assert entries[0].title == "SAMPLE: Envoys hold ceasefire talks after border clashes"
    assert entries[1].title == "SAMPLE: Talks - what comes next"  # only the outlet suffix is cut
    assert entries[0].published == datetime(2025, 5, 10, 14, 30, tzinfo=UTC)
    assert all(e.text_source == "none" and not e.summary and not e.content for e in entries)
    assert entries[0].origin == "https://www.samplenews.example"
    assert entries[0].language == "en"


def test_bing_news_unwraps_redirects(server: str) -> None:
    entries = fetch_and_parse(server, "bing_news", "/bing")
    assert [e.outlet for e in entries] == ["Sample News", "Sample Tribune"]
    assert entries[0].link == "https://www.samplenews.example/world/2025/05/10/sample-ceasefire-talks"
    assert entries[1].link == "https://sampletribune.example/news/sample-third-item"
    assert entries[0].summary.startswith("SAMPLE snippet")
    assert entries[0].text_source == "summary"
    assert entries[0].published == datetime(2025, 5, 10, 14, 30, tzinfo=UTC)


def test_fetch_search_feeds_spaces_requests_per_provider(server: str) -> None:
    topic = TopicSettings(name="t", queries=["one", "two"])
    feeds = search_feeds(
        topic, ["gdelt", "bing_news"], base_urls={"gdelt": server + "/gdelt", "bing_news": server + "/bing"}
    )
    sleeps: list[float] = []
    now = [0.0]

    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    settings = FetchSettings(allow_networks=LOOPBACK_NETWORKS)

    def fetch(feed: SearchFeed, client: httpx.Client) -> FetchResult:
        return fetch_feed(client, FeedSettings(name=feed.name, url=feed.url), settings)

    with make_client(settings) as client:
        results = fetch_search_feeds(feeds, client=client, fetch=fetch, sleep=sleep, clock=clock)
    assert [r.status for r in results] == ["ok"] * 4
    assert len(Replay.requests) == 4
    assert all(agent.startswith("newswatch/") for agent in Replay.agents)
    # The second GDELT request waits GDELT's 5 s; the second Bing one waits Bing's interval.
    assert sleeps == [5.0, 10.0]
    entries = parse_search_response(
        "gdelt", results[0].body or b"", results[0].headers, source=feeds[0].name, topic="t"
    )
    assert len(entries) == 3
