"""Feeds served over loopback HTTP into a DuckDB file through the real ingest flow: rows, validators, failures."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest_flow
from tests.support.httpserver import LOOPBACK_TOML, LoopbackServer, send

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

REPO = Path(__file__).resolve().parents[2]

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback sample feed</title><link>http://sample.invalid/</link>
<item><title>Islamabad and New Delhi agree to talks</title><link>http://sample.invalid/a?utm_source=x#top</link>
<guid>a</guid><pubDate>Sat, 10 May 2025 10:00:00 GMT</pubDate>
<description>Officials in Pakistan and India said talks would resume after the ceasefire held overnight.</description></item>
<item><title>Local football results</title><link>http://sample.invalid/b</link><guid>b</guid>
<pubDate>Sat, 10 May 2025 11:00:00 GMT</pubDate><description>The home side won two to one.</description></item>
</channel></rss>"""


def etag_feed(body: bytes, etag: str = '"v1"'):  # noqa: ANN201 - handler factory
    def handler(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("If-None-Match") == etag:
            send(request, 304, headers={"ETag": etag})
        else:
            send(request, 200, body, {"Content-Type": "application/rss+xml", "ETag": etag})
    return handler


def write_config(project: Path, server: LoopbackServer, *, allow_loopback: bool = True) -> Path:
    config = project / "config" / "newswatch.toml"
    config.write_text(f"""
[storage]
database = "data/test.duckdb"

[[feeds]]
name = "loopback"
url = "{server.url('/feed.xml')}"
outlet = "Loopback Outlet"

[[feeds]]
name = "copy"
url = "{server.url('/copy.xml')}"
outlet = "Copy Outlet"

[[feeds]]
name = "broken"
url = "{server.url('/missing.xml')}"

[[topics]]
name = "india-pakistan"
any = ["india", "pakistan", "new delhi", "islamabad"]

[digest]
timezone = "UTC"

{LOOPBACK_TOML if allow_loopback else ""}""", encoding="utf-8")
    return config


def test_http_feeds_are_stored_once_with_validators_and_failures_recorded(project: Path,
                                                                          http_server: LoopbackServer) -> None:
    http_server.route("/feed.xml", etag_feed(FEED))
    http_server.route("/copy.xml", etag_feed(FEED, '"c1"'))   # the same items from a second feed
    http_server.add("/missing.xml", status=404, body=b"not here")
    config = write_config(project, http_server)

    first = ingest_flow(config_path=str(config))
    assert (first.feeds_ok, first.feeds_failed) == (2, 1)
    assert first.articles_new == 2 and first.articles_duplicate == 2

    db = duckdb.connect(str(project / "data" / "test.duckdb"), read_only=True)
    try:
        rows = db.execute("SELECT url, topics FROM articles ORDER BY url").fetchall()
        assert rows == [("http://sample.invalid/a", ["india-pakistan"]), ("http://sample.invalid/b", [])]
        sightings = db.execute("SELECT count(*) FROM sighting").fetchone()[0]  # type: ignore[index]
        assert sightings == 4       # each article seen in both feeds
        feeds = {r[0]: r[1:] for r in db.execute(
            "SELECT name, last_status, etag, last_error_kind, error_count FROM feeds").fetchall()}
        assert feeds["loopback"][:2] == ("ok", '"v1"')
        assert feeds["broken"][0] == "error" and feeds["broken"][2] and feeds["broken"][3] == 1
    finally:
        db.close()

    second = ingest_flow(config_path=str(config), force=True)
    assert second.feeds_not_modified == 2 and second.articles_new == 0
    assert [h.get("if-none-match") for h in http_server.headers_of("/feed.xml")] == [None, '"v1"']


def test_feeds_on_loopback_are_refused_without_the_allowance_and_nothing_is_stored(
    project: Path, http_server: LoopbackServer
) -> None:
    http_server.route("/feed.xml", etag_feed(FEED))
    http_server.route("/copy.xml", etag_feed(FEED, '"c1"'))
    config = write_config(project, http_server, allow_loopback=False)

    summary = ingest_flow(config_path=str(config))
    assert (summary.feeds_ok, summary.feeds_failed, summary.articles_new) == (0, 3, 0)
    assert http_server.hits == []  # not one request reached the server
    for path in (project / "data" / "test.duckdb", Path(summary.client_copy)):
        db = duckdb.connect(str(path), read_only=True)
        try:
            assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
            kinds = db.execute("SELECT DISTINCT error_kind FROM fetch_log").fetchall()
            assert kinds == [("blocked_address",)]
            assert db.execute("SELECT DISTINCT last_error_kind FROM feeds").fetchall() == [("blocked_address",)]
        finally:
            db.close()
