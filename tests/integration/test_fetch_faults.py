"""Every network fault a feed server can produce, on a real loopback server, in one fetch_feeds batch.

Each fault ends with a classified error kind; a good feed fetched in the same batch is unaffected.
The hang guard is a join with a generous limit, not a speed assertion.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest

from newswatch.config import FeedSettings, FetchSettings
from newswatch.errors import ParseError
from newswatch.models import FetchResult
from newswatch.sources.feeds import parse_feed
from newswatch.sources.fetch import fetch_feeds
from tests.support.httpserver import (
    LOOPBACK_NETWORKS,
    LoopbackServer,
    closed_port,
    gzip_bomb_body,
    header_drip,
    redirect,
    send,
    slow_drip,
    stream_forever,
    unaccepting_port,
)
from tests.support.samples import SAMPLE_HTML_PAGE, SAMPLE_RSS, cyrillic_rss

SETTINGS = FetchSettings(
    timeout_seconds=2.0, max_bytes=200_000, max_redirects=3, concurrency=32, allow_networks=LOOPBACK_NETWORKS
)
HANG_GUARD_SECONDS = 60


def run_batch(jobs: list[tuple[FeedSettings, str | None, str | None]]) -> list[FetchResult]:
    """fetch_feeds in a thread; fail (instead of hanging the suite) if it does not return."""
    box: list[list[FetchResult]] = []
    worker = threading.Thread(target=lambda: box.append(fetch_feeds(jobs, SETTINGS)), daemon=True)
    worker.start()
    worker.join(HANG_GUARD_SECONDS)
    assert not worker.is_alive(), "fetch_feeds did not return: a fault hung the fetcher"
    return box[0]


def silent(request: BaseHTTPRequestHandler) -> None:
    """Accept the request, then send nothing until the test ends."""
    request.server.owner.stopping.wait(10)  # type: ignore[attr-defined]
    request.close_connection = True


def cut_short(request: BaseHTTPRequestHandler) -> None:
    """Promise 5000 bytes, send 20, hang up."""
    request.send_response(200)
    request.send_header("Content-Length", "5000")
    request.end_headers()
    request.wfile.write(SAMPLE_RSS[:20])
    request.wfile.flush()
    request.close_connection = True


def etag_server(request: BaseHTTPRequestHandler) -> None:
    if request.headers.get("If-None-Match") == '"sample-v1"':
        send(request, 304, b"", {"ETag": '"sample-v1"'})
    else:
        send(request, 200, SAMPLE_RSS, {"ETag": '"sample-v1"', "Content-Type": "application/rss+xml"})


# name -> (how to serve it, expected error kind or "ok")
FAULTS: dict[str, tuple[Callable[[LoopbackServer], str], str]] = {
    "good": (lambda s: s.add("/good", SAMPLE_RSS, headers={"Content-Type": "application/rss+xml"}), "ok"),
    "refused": (lambda s: f"http://127.0.0.1:{closed_port()}/feed", "connect_refused"),
    "slow_drip": (lambda s: s.route("/drip", slow_drip(SAMPLE_RSS, interval=0.2)), "deadline"),
    "silent": (lambda s: s.route("/silent", silent), "read_timeout"),
    "header_drip": (lambda s: s.route("/hdrip", header_drip), "deadline"),
    "cut_short": (lambda s: s.route("/cut", cut_short), "protocol"),
    "404": (lambda s: s.add("/404", b"no", status=404), "http_404"),
    "410": (lambda s: s.add("/410", b"gone", status=410), "http_410"),
    "403": (lambda s: s.add("/403", b"no", status=403), "http_4xx"),
    "500": (lambda s: s.add("/500", b"oops", status=500), "http_5xx"),
    "503": (lambda s: s.add("/503", b"later", status=503, headers={"Retry-After": "120"}), "http_5xx"),
    "429": (
        lambda s: s.add("/429", b"slow down", status=429, headers={"Retry-After": "3600"}),
        "rate_limited",
    ),
    "429_date": (
        lambda s: s.add(
            "/429d",
            b"",
            status=429,
            headers={"Retry-After": format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)},
        ),
        "rate_limited",
    ),
    "loop": (
        lambda s: (s.route("/loop2", redirect("/loop1")), s.route("/loop1", redirect("/loop2")))[1],
        "too_many_redirects",
    ),
    "to_ftp": (lambda s: s.route("/ftp", redirect("ftp://127.0.0.1/feed.xml")), "bad_redirect"),
    "to_js": (lambda s: s.route("/js", redirect("javascript:alert(1)")), "bad_redirect"),
    "to_file": (lambda s: s.route("/file", redirect("file:///etc/passwd")), "bad_redirect"),
    "too_large_declared": (lambda s: s.add("/big", b"<rss>" + b" " * 300_000), "too_large"),
    "too_large_streamed": (lambda s: s.route("/endless", stream_forever()), "too_large"),
    "gzip_bomb": (
        lambda s: s.add(
            "/bomb",
            gzip_bomb_body(50 * 1024 * 1024),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"},
        ),
        "decompression_bomb",
    ),
    "empty": (lambda s: s.add("/empty", b"", headers={"Content-Type": "application/rss+xml"}), "empty"),
    "html": (lambda s: s.add("/html", SAMPLE_HTML_PAGE, headers={"Content-Type": "text/html"}), "ok"),
    "cp1251_as_utf8": (
        lambda s: s.add(
            "/ru1", cyrillic_rss("utf-8"), headers={"Content-Type": "application/rss+xml; charset=utf-8"}
        ),
        "ok",
    ),
    "cp1251_undeclared": (
        lambda s: s.add("/ru2", cyrillic_rss(None), headers={"Content-Type": "text/xml"}),
        "ok",
    ),
}


@pytest.fixture(scope="module")
def batch() -> dict[str, FetchResult]:
    with LoopbackServer() as server, unaccepting_port() as stuck:
        names = list(FAULTS)
        urls = [FAULTS[name][0](server) for name in names]
        names.append("connect_timeout")
        urls.append(f"http://127.0.0.1:{stuck}/feed")
        jobs = [(FeedSettings(name=name, url=url), None, None) for name, url in zip(names, urls, strict=True)]
        results = run_batch(jobs)
        assert server.hits_for("/loop1") <= SETTINGS.max_redirects + 1
        return dict(zip(names, results, strict=True))


EXPECTED = {name: kind for name, (_, kind) in FAULTS.items()} | {"connect_timeout": "connect_timeout"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_fault_is_classified(batch: dict[str, FetchResult], name: str) -> None:
    result = batch[name]
    assert result.feed == name
    if EXPECTED[name] == "ok":
        assert result.status == "ok", result.error
        assert result.body
    else:
        assert result.status == "error"
        assert result.error_kind == EXPECTED[name], result.error
        assert result.error and result.body is None


def test_errors_name_the_url(batch: dict[str, FetchResult]) -> None:
    for name, result in batch.items():
        if result.status == "error" and name != "loop":
            host_part = result.url.split("/", 3)[2]
            assert host_part in (result.error or ""), (name, result.error)


def test_good_feed_in_the_same_batch_is_unaffected(batch: dict[str, FetchResult]) -> None:
    good = batch["good"]
    parsed = parse_feed(good.body or b"", source="good", outlet="Sample", url=good.url, headers=good.headers)
    assert len(parsed.entries) == 2 and parsed.warning is None


def test_retry_after_is_kept(batch: dict[str, FetchResult]) -> None:
    assert batch["429"].retry_after == 3600.0 and batch["429"].http_status == 429
    assert batch["503"].retry_after == 120.0
    assert batch["429_date"].retry_after is not None and 7000 < batch["429_date"].retry_after <= 7200
    assert batch["500"].retry_after is None


def test_html_page_fails_in_parse_as_not_a_feed(batch: dict[str, FetchResult]) -> None:
    html = batch["html"]
    with pytest.raises(ParseError) as caught:
        parse_feed(html.body or b"", source="html", outlet="o", url=html.url, headers=html.headers)
    assert caught.value.kind == "not_a_feed"


@pytest.mark.parametrize("name", ["cp1251_as_utf8", "cp1251_undeclared"])
def test_wrong_or_missing_charset_still_reads_cyrillic(batch: dict[str, FetchResult], name: str) -> None:
    result = batch[name]
    parsed = parse_feed(result.body or b"", source=name, outlet="o", url=result.url, headers=result.headers)
    assert parsed.entries[0].title == "Министр иностранных дел встретился с послом"


def test_etag_round_trip(http_server: LoopbackServer) -> None:
    url = http_server.route("/etag", etag_server)
    (first,) = fetch_feeds([(FeedSettings(name="e", url=url), None, None)], SETTINGS)
    assert first.status == "ok" and first.etag == '"sample-v1"'
    (second,) = fetch_feeds([(FeedSettings(name="e", url=url), first.etag, first.last_modified)], SETTINGS)
    assert second.status == "not_modified" and second.body is None
    assert second.etag == '"sample-v1"' and second.http_status == 304
