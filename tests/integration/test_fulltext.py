"""fetch_pages against a real HTTP server on 127.0.0.1 serving hand-written sample pages."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from newswatch.config import FulltextSettings, parse_settings
from newswatch.errors import ConfigError
from newswatch.sources.pages import fetch_pages, needs_fulltext
from tests.support.httpserver import LOOPBACK

PARAGRAPHS = [
    "SAMPLE ARTICLE for tests. The harbour committee of the fictional town of Westmere met on Monday evening "
    "to discuss the plan to repair the old sea wall before the winter storms arrive.",
    "Members of the committee said the repairs would take about six weeks and would be paid for from the "
    "reserve fund that the town has kept for emergencies since the floods of the previous decade.",
    "Residents who attended the meeting asked whether the footpath along the wall would stay open while the "
    "work is under way, and the committee promised to publish a map of the temporary routes.",
    "The chair of the committee closed the meeting by thanking the volunteers who had surveyed the wall "
    "during the summer and noted that their measurements had shaped the whole plan.",
]
BOILERPLATE = "Subscribe to our sample newsletter for more stories like this one"


def article_html(title: str) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Sample Gazette</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{title}</h1>
{body}
</article></main>
<aside class="newsletter"><p>{BOILERPLATE}</p></aside>
<footer><p>Copyright Sample Gazette. All rights reserved.</p></footer>
</body></html>""".encode()


ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Handler(BaseHTTPRequestHandler):
    hits: Counter[str]
    times: list[tuple[str, float]]
    lock: threading.Lock
    robots_status: int = 200
    in_flight: Counter[str]
    most_in_flight: Counter[str]

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        with self.lock:
            self.hits[self.path] += 1
            self.times.append((self.path, time.monotonic()))
        if self.path == "/robots.txt":
            if self.robots_status != 200:
                self._send(self.robots_status, "text/plain", b"no robots here")
            else:
                self._send(200, "text/plain", ROBOTS)
        elif self.path.startswith(("/news/", "/private/")):
            self._send(200, "text/html; charset=utf-8", article_html(f"Sample story {self.path}"))
        elif self.path.startswith("/busy/"):
            host = self.headers.get("Host", "").split(":")[0]
            with self.lock:
                self.in_flight[host] += 1
                self.most_in_flight[host] = max(self.most_in_flight[host], self.in_flight[host])
            time.sleep(0.15)
            with self.lock:
                self.in_flight[host] -= 1
            self._send(200, "text/html; charset=utf-8", article_html("Busy sample"))
        elif self.path == "/slow":
            time.sleep(2.0)
            self._send(200, "text/html", article_html("Slow sample"))
        elif self.path == "/latin1":  # the charset only in the HTTP header, as many servers send it
            page = article_html("Sample café story").replace(
                b'<meta charset="utf-8">', b"<script>var sample = '" + b"x" * 8000 + b"';</script>")
            page = page.replace(b"sea wall", "sea wall – the “old” one, façade and all".encode()) + b" " * 6000
            self._send(200, "text/html; charset=windows-1252",
                       page.decode("utf-8").replace("café", "café").encode("windows-1252"))
        elif self.path == "/mislabelled":  # the server says utf-8; the page is windows-1252 and says so itself
            page = article_html("Sample café story").replace(b'<meta charset="utf-8">', b'<meta charset="windows-1252">')
            page = page.replace(b"sea wall", "sea wall – the “old” one, façade and all".encode())
            self._send(200, "text/html; charset=utf-8", page.decode("utf-8").encode("windows-1252"))
        elif self.path in ("/busy429", "/down503"):
            self.send_response(int(self.path[-3:]))
            self.send_header("Retry-After", "60")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/report.pdf":
            self._send(200, "application/pdf", b"%PDF-1.4 sample")
        else:
            self._send(404, "text/html", b"<html><body>Not found</body></html>")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up on /slow is expected


def start_server(robots_status: int = 200) -> tuple[QuietServer, type[Handler]]:
    handler = type(
        "H",
        (Handler,),
        {
            "hits": Counter(),
            "times": [],
            "lock": threading.Lock(),
            "robots_status": robots_status,
            "in_flight": Counter(),
            "most_in_flight": Counter(),
        },
    )
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, handler


@pytest.fixture
def site() -> Iterator[tuple[str, type[Handler]]]:
    server, handler = start_server()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


FAST = FulltextSettings(
    per_domain_interval_seconds=0.0, timeout_seconds=5, time_budget_seconds=30, allow_networks=LOOPBACK
)


def test_extracts_article_and_drops_boilerplate(site: tuple[str, type[Handler]]) -> None:
    base, _ = site
    url = f"{base}/news/one"
    result = fetch_pages([url], FAST)[url]
    assert result.status == "page", result.error
    assert result.method == "trafilatura"
    assert result.http_status == 200
    assert "harbour committee" in result.text
    assert "reserve fund" in result.text
    assert BOILERPLATE not in result.text
    assert result.title and "Sample story" in result.title


def test_the_charset_in_the_http_header_decodes_the_page(site: tuple[str, type[Handler]]) -> None:
    """A page whose charset is only in the Content-Type header (windows-1252, no meta tag): the header is the
    page's encoding (as browsers read it). Before, trafilatura guessed from the bytes and a review's real pages came
    out with "the \ufffdalarming rise" and "S\ufffdnia"."""
    base, _ = site
    for path in ("/latin1", "/mislabelled"):  # and a page's own <meta> wins over a wrong header
        url = f"{base}{path}"
        result = fetch_pages([url], FAST)[url]
        assert result.status == "page", result.error
        assert "sea wall – the “old” one, façade and all" in result.text, path
        assert "\ufffd" not in result.text


def test_a_page_refused_for_now_is_left_for_a_later_run(site: tuple[str, type[Handler]]) -> None:
    """429 and 5xx say "not now": the page is skipped, and later runs try it again (up to the attempts limit),
    as feeds are; before, it was failed for good after one request. A 404 stays failed."""
    base, _ = site
    urls = [f"{base}/busy429", f"{base}/down503", f"{base}/missing"]
    results = fetch_pages(urls, FAST)
    assert [results[u].status for u in urls] == ["skipped", "skipped", "failed"]
    assert "tried again next run" in (results[urls[0]].error or "")


def test_same_url_is_fetched_once(site: tuple[str, type[Handler]]) -> None:
    base, handler = site
    url = f"{base}/news/shared"
    results = fetch_pages([url, url, url], FAST)
    assert list(results) == [url]
    assert results[url].status == "page"
    assert handler.hits["/news/shared"] == 1
    assert handler.hits["/robots.txt"] == 1


def test_robots_disallow_404_and_non_html(site: tuple[str, type[Handler]]) -> None:
    base, handler = site
    urls = [f"{base}/private/secret", f"{base}/missing", f"{base}/report.pdf", f"{base}/news/ok"]
    results = fetch_pages(urls, FAST)
    private, missing, pdf, ok = (results[u] for u in urls)
    assert private.status == "failed" and "robots.txt" in (private.error or "")
    assert handler.hits["/private/secret"] == 0  # never requested
    assert missing.status == "failed" and missing.http_status == 404 and "404" in (missing.error or "")
    assert (
        pdf.status == "failed" and "not HTML" in (pdf.error or "") and "application/pdf" in (pdf.error or "")
    )
    assert ok.status == "page"
    assert handler.hits["/robots.txt"] == 1  # once per domain per run


def test_only_http_urls_and_google_tokens_are_refused() -> None:
    urls = [
        "ftp://example.invalid/a",
        "file:///etc/passwd",
        "https://news.google.com/rss/articles/CBMiSAMPLE?oc=5",
    ]
    results = fetch_pages(urls, FAST)
    assert [r.status for r in results.values()] == ["failed", "failed", "failed"]
    assert "http" in (results[urls[0]].error or "")
    assert "Google News" in (results[urls[2]].error or "")


def test_time_budget_exhausted_leaves_rest_skipped(site: tuple[str, type[Handler]]) -> None:
    base, _ = site
    settings = FulltextSettings(
        per_domain_concurrency=1,
        per_domain_interval_seconds=0.0,
        timeout_seconds=10,
        time_budget_seconds=0.8,
        allow_networks=LOOPBACK,
    )
    urls = [f"{base}/slow", f"{base}/news/after-1", f"{base}/news/after-2"]
    results = fetch_pages(urls, settings)
    assert results[urls[0]].status == "skipped"
    assert results[urls[0]].error == "cut short by the time budget"  # requested: a run of its own
    for url in urls[1:]:
        assert results[url].status == "skipped"
        assert results[url].error == "time budget"


def test_page_limit_per_run(site: tuple[str, type[Handler]]) -> None:
    base, handler = site
    urls = [f"{base}/news/{i}" for i in range(4)]
    settings = FulltextSettings(max_pages_per_run=2, per_domain_interval_seconds=0.0, allow_networks=LOOPBACK)
    results = fetch_pages(urls, settings)
    assert [r.status for r in results.values()] == ["page", "page", "skipped", "skipped"]
    assert handler.hits["/news/3"] == 0


def test_per_domain_interval_spaces_requests(site: tuple[str, type[Handler]]) -> None:
    base, handler = site
    interval = 0.4
    settings = FulltextSettings(per_domain_concurrency=2, per_domain_interval_seconds=interval, allow_networks=LOOPBACK)
    urls = [f"{base}/news/{i}" for i in range(3)]
    results = fetch_pages(urls, settings)
    assert all(r.status == "page" for r in results.values())
    starts = sorted(t for _, t in handler.times)
    assert len(starts) == 4  # robots.txt + three pages
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # Generous margin: requests arrive no closer than most of the interval (scheduling jitter aside).
    assert min(gaps) >= interval * 0.5


@pytest.mark.parametrize("limit", [1, 2])
def test_per_domain_concurrency_limit(site: tuple[str, type[Handler]], limit: int) -> None:
    base, handler = site
    port = base.rsplit(":", 1)[1]
    # 127.0.0.1 and localhost are the same server but two domains to the fetcher.
    urls = [f"http://{host}:{port}/busy/{i}" for host in ("127.0.0.1", "localhost") for i in range(4)]
    settings = FulltextSettings(per_domain_concurrency=limit, per_domain_interval_seconds=0.0, allow_networks=LOOPBACK)
    results = fetch_pages(urls, settings)
    assert all(r.status == "page" for r in results.values())
    assert set(handler.most_in_flight) == {"127.0.0.1", "localhost"}
    assert max(handler.most_in_flight.values()) <= limit


def test_robots_server_error_skips_domain_for_this_run() -> None:
    server, handler = start_server(robots_status=503)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/news/x"
        result = fetch_pages([url], FAST)[url]
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == "skipped"
    assert "robots.txt unavailable" in (result.error or "")
    assert handler.hits["/news/x"] == 0


def test_robots_not_found_allows_everything() -> None:
    server, handler = start_server(robots_status=404)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/private/open"
        result = fetch_pages([url], FAST)[url]
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == "page"


def test_byte_cap(site: tuple[str, type[Handler]]) -> None:
    base, _ = site
    url = f"{base}/news/big"
    result = fetch_pages([url], FulltextSettings(max_bytes=200, per_domain_interval_seconds=0.0, allow_networks=LOOPBACK))[url]
    assert result.status == "failed"
    assert "larger than 200 bytes" in (result.error or "")


def test_uses_given_client_and_user_agent(site: tuple[str, type[Handler]]) -> None:
    base, _ = site
    seen: list[str] = []

    def record(request: httpx.Request) -> None:
        seen.append(request.headers["user-agent"])

    with httpx.Client(event_hooks={"request": [record]}) as client:
        url = f"{base}/news/ua"
        settings = FulltextSettings(per_domain_interval_seconds=0.0, user_agent="newswatch-test/1", allow_networks=LOOPBACK)
        assert fetch_pages([url], settings, client=client)[url].status == "page"
    assert seen and all(ua == "newswatch-test/1" for ua in seen)


def test_disabled_skips_everything() -> None:
    results = fetch_pages(["http://127.0.0.1:9/x"], FulltextSettings(enabled=False))
    assert results["http://127.0.0.1:9/x"].status == "skipped"


def test_needs_fulltext() -> None:
    settings = FulltextSettings(min_chars=50)
    assert needs_fulltext("short summary", settings)
    assert not needs_fulltext("x" * 50, settings)
    assert not needs_fulltext("short", FulltextSettings(enabled=False))


def test_the_fulltext_table_is_read() -> None:
    assert parse_settings({}, Path("cfg.toml")).fulltext == FulltextSettings()
    settings = parse_settings(
        {"fulltext": {"min_chars": 300, "time_budget_seconds": 5, "respect_robots": False}}, Path("cfg.toml")
    ).fulltext
    assert settings.min_chars == 300 and settings.time_budget_seconds == 5.0 and not settings.respect_robots


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"min_char": 3}, r"cfg.toml: fulltext.min_char: unknown key; expected one of: enabled, min_chars"),
        ({"min_chars": "600"}, r"fulltext.min_chars: expected an integer, got '600'"),
        ({"enabled": 1}, r"fulltext.enabled: expected true or false"),
        ({"max_pages_per_run": True}, r"fulltext.max_pages_per_run: expected an integer"),
        ({"per_domain_concurrency": 0}, r"fulltext.per_domain_concurrency: must be at least 1"),
        ({"timeout_seconds": -1}, r"fulltext.timeout_seconds: must be at least"),
        ({"user_agent": " "}, r"fulltext.user_agent: must not be empty"),
    ],
)
def test_a_bad_fulltext_table_is_refused(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings({"fulltext": table}, Path("cfg.toml"))


def test_a_runs_calls_share_robots_txt_and_the_gap_between_requests(site: tuple[str, type[Handler]]) -> None:
    """A run fetches pages in several calls (per group of feeds, for search feeds): with the run's budget
    (fulltext.PageBudget), robots.txt is read once a run, and the second call's first request to the site still
    waits out the interval after the first call's last one."""
    from newswatch.sources.fulltext import PageBudget

    base, handler = site
    interval = 0.4
    budget = PageBudget(FulltextSettings(per_domain_interval_seconds=interval, allow_networks=LOOPBACK))
    assert budget.fetch([f"{base}/news/1"])[f"{base}/news/1"].status == "page"
    assert budget.fetch([f"{base}/news/2"])[f"{base}/news/2"].status == "page"
    assert handler.hits["/robots.txt"] == 1
    pages = [t for path, t in handler.times if path.startswith("/news/")]
    assert pages[1] - pages[0] >= interval * 0.8


@pytest.mark.parametrize("dripping", ["/robots.txt", "/news/slow-headers"])
def test_a_server_dripping_its_headers_is_cut_at_the_timeout(dripping: str) -> None:
    """Slow loris on a page's or robots.txt's headers (a byte every 0.1 s for 10 s): each byte reset the per-read
    timeout, so the request lasted as long as the server liked and ended in a protocol error when it hung up.
    The whole request is now bounded by the timeout (1 s): robots.txt is "unavailable (ReadTimeout)" and the page
    "timed out"."""
    from tests.support.httpserver import LoopbackServer, header_drip

    settings = FulltextSettings(per_domain_interval_seconds=0.0, timeout_seconds=1, time_budget_seconds=60,
                                allow_networks=LOOPBACK)
    with LoopbackServer() as server:
        server.add("/robots.txt", b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
        server.route(dripping, header_drip)
        url = server.url("/news/slow-headers")
        result = fetch_pages([url], settings)[url]
    if dripping == "/robots.txt":
        assert (result.status, result.error) == ("skipped", "robots.txt unavailable (ReadTimeout)")
    else:
        assert (result.status, result.error) == ("failed", "timed out after 1 s")
