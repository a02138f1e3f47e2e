"""fetch: local files, conditional GET, redirects, Retry-After, the client's settings."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from newswatch.config import FeedSettings, FetchSettings
from newswatch.sources.feeds import parse_feed, parse_fetch_result
from newswatch.sources.fetch import ERROR_KINDS, fetch_feed, fetch_feeds, make_client, parse_retry_after
from tests.support.httpserver import LOOPBACK_NETWORKS, LoopbackServer, redirect
from tests.support.samples import SAMPLE_RSS

SETTINGS = FetchSettings(
    timeout_seconds=5, max_bytes=100_000, max_redirects=3, concurrency=4, allow_networks=LOOPBACK_NETWORKS
)


def feed(url: str, name: str = "sample") -> FeedSettings:
    return FeedSettings(name=name, url=url)


def fetch(url: str, settings: FetchSettings = SETTINGS, **kwargs: str | None):  # noqa: ANN201
    with make_client(settings) as client:
        return fetch_feed(client, feed(url), settings, **kwargs)


def test_retry_after_seconds_and_dates() -> None:
    now = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(minutes=5), usegmt=True), now) == 300.0
    assert parse_retry_after(format_datetime(now - timedelta(minutes=5), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("99999999999", now) == 7 * 24 * 3600.0


def test_local_path_and_file_url(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(SAMPLE_RSS)
    for url in (str(path), path.as_uri()):
        result = fetch(url)
        assert result.status == "ok", result.error
        assert result.body == SAMPLE_RSS


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("missing.xml", None, "file_not_found"),
        ("empty.xml", b"  \n", "empty"),
        ("big.xml", b"x" * 100_001, "too_large"),
        ("folder", "dir", "file_unreadable"),
    ],
)
def test_local_file_problems(tmp_path: Path, name: str, content: bytes | str | None, kind: str) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = fetch(str(path))
    assert (result.status, result.error_kind) == ("error", kind)
    assert str(path) in (result.error or "")


def test_gzipped_local_file_is_inflated_under_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml.gz"
    path.write_bytes(gzip.compress(SAMPLE_RSS))
    assert fetch(str(path)).body == SAMPLE_RSS
    path.write_bytes(gzip.compress(b"<rss>" + b" " * 200_000))
    assert fetch(str(path)).error_kind == "decompression_bomb"


def test_ok_fetch_keeps_validators_and_sends_user_agent(http_server: LoopbackServer) -> None:
    url = http_server.add(
        "/feed",
        SAMPLE_RSS,
        headers={
            "Content-Type": "application/rss+xml",
            "ETag": '"v1"',
            "Last-Modified": "Sat, 10 May 2025 08:00:00 GMT",
        },
    )
    result = fetch(url)
    assert result.status == "ok" and result.http_status == 200
    assert result.body == SAMPLE_RSS
    assert (result.etag, result.last_modified) == ('"v1"', "Sat, 10 May 2025 08:00:00 GMT")
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.final_url == url and result.fetched_at.tzinfo is not None
    (sent,) = http_server.headers_of("/feed")
    assert sent["user-agent"] == SETTINGS.user_agent
    assert "if-none-match" not in sent
    assert parse_feed(
        result.body or b"", source="sample", outlet="o", url=url, headers=result.headers
    ).entries


def test_conditional_headers_are_sent(http_server: LoopbackServer) -> None:
    url = http_server.add("/feed", b"", status=304, headers={"ETag": '"v2"'})
    result = fetch(url, etag='"v1"', last_modified="Sat, 10 May 2025 08:00:00 GMT")
    assert result.status == "not_modified"
    assert result.etag == '"v2"' and result.last_modified == "Sat, 10 May 2025 08:00:00 GMT"
    (sent,) = http_server.headers_of("/feed")
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Sat, 10 May 2025 08:00:00 GMT"


def test_redirects_are_followed_hop_by_hop(http_server: LoopbackServer) -> None:
    final = http_server.add("/final", SAMPLE_RSS)
    http_server.route("/a", redirect("/b", 301))
    http_server.route("/b", redirect(final, 307))
    result = fetch(http_server.url("/a"))
    assert result.status == "ok" and result.final_url == final
    assert result.url == http_server.url("/a")


def test_redirect_hops_beyond_the_limit(http_server: LoopbackServer) -> None:
    for hop in range(5):
        http_server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))
    http_server.add("/r5", SAMPLE_RSS)
    result = fetch(http_server.url("/r0"))
    assert result.error_kind == "too_many_redirects"
    settings = SETTINGS.model_copy(update={"max_redirects": 5})
    assert fetch(http_server.url("/r0"), settings).status == "ok"


def test_redirect_without_location(http_server: LoopbackServer) -> None:
    url = http_server.add("/r", b"", status=302)
    assert fetch(url).error_kind == "bad_redirect"


@pytest.mark.parametrize("location", ["http://exa mple.org/", "http://127.0.0.1:0/", "https://[::1/"])
def test_redirect_to_a_broken_url(http_server: LoopbackServer, location: str) -> None:
    url = http_server.route("/r", redirect(location))
    result = fetch(url)
    assert result.error_kind == "bad_redirect", result.error


def test_unknown_content_encoding(http_server: LoopbackServer) -> None:
    url = http_server.add("/br", b"\x00\x01garbage", headers={"Content-Encoding": "br"})
    assert fetch(url).error_kind == "bad_content_encoding"
    url = http_server.add("/badgz", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    assert fetch(url).error_kind == "bad_content_encoding"


def test_gzip_and_deflate_bodies(http_server: LoopbackServer) -> None:
    import zlib

    url = http_server.add("/gz", gzip.compress(SAMPLE_RSS), headers={"Content-Encoding": "gzip"})
    assert fetch(url).body == SAMPLE_RSS
    url = http_server.add("/zlib", zlib.compress(SAMPLE_RSS), headers={"Content-Encoding": "deflate"})
    assert fetch(url).body == SAMPLE_RSS
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    url = http_server.add(
        "/raw", raw.compress(SAMPLE_RSS) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    assert fetch(url).body == SAMPLE_RSS


def test_content_length_over_the_cap_is_refused_before_reading(http_server: LoopbackServer) -> None:
    url = http_server.add("/big", b"x" * 200_000)
    result = fetch(url)
    assert result.error_kind == "too_large" and "100000" in (result.error or "")


def test_fetch_feeds_keeps_input_order(http_server: LoopbackServer, tmp_path: Path) -> None:
    urls = [http_server.add(f"/f{i}", SAMPLE_RSS) for i in range(6)]
    urls.insert(3, str(tmp_path / "missing.xml"))
    jobs = [(feed(url, f"feed{i}"), None, None) for i, url in enumerate(urls)]
    results = fetch_feeds(jobs, SETTINGS)
    assert [r.feed for r in results] == [f"feed{i}" for i in range(7)]
    assert [r.status for r in results] == ["ok"] * 3 + ["error"] + ["ok"] * 3
    assert fetch_feeds([], SETTINGS) == []


def test_every_error_kind_is_documented() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
    text = doc.read_text(encoding="utf-8")
    missing = [kind for kind in ERROR_KINDS if f"`{kind}`" not in text]
    assert not missing, f"docs/reliability.md does not mention {missing}"


def test_dns_failure_is_classified(monkeypatch: pytest.MonkeyPatch) -> None:
    # Resolving a real name would leave the machine, so the resolver is the one thing mocked here.
    import socket

    real = socket.getaddrinfo

    def fake(host: object, *args: object, **kwargs: object):  # noqa: ANN202
        if host == "feeds.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    result = fetch("http://feeds.invalid/rss")
    assert result.error_kind == "dns"
    assert "feeds.invalid" in (result.error or "")


def test_tls_failure_is_classified(http_server: LoopbackServer) -> None:
    # https:// against a plain-HTTP loopback server: the TLS handshake fails.
    http_server.add("/feed", SAMPLE_RSS)
    result = fetch(f"https://127.0.0.1:{http_server.port}/feed")
    assert result.error_kind == "tls", result.error


def test_file_url_with_a_host_is_refused() -> None:
    result = fetch("file://otherhost/share/feed.xml")
    assert result.error_kind == "bad_url"


@pytest.mark.parametrize(
    "url", ["http://", "http://exa mple.org/x", "http://127.0.0.1:99999/", "http://127.0.0.1:0/"]
)
def test_bad_urls_fail_before_any_traffic(url: str) -> None:
    result = fetch(url)
    assert result.error_kind == "bad_url", result.error
    assert url in (result.error or "")


def test_unhandled_status_is_classified(http_server: LoopbackServer) -> None:
    url = http_server.add("/multi", b"choose", status=300)
    result = fetch(url)
    assert (result.error_kind, result.http_status) == ("http_status", 300)


def test_a_bug_inside_one_fetch_is_recorded_not_raised() -> None:
    class Broken:
        def stream(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("sample bug")

    result = fetch_feed(Broken(), feed("http://127.0.0.1:9/x"), SETTINGS)  # type: ignore[arg-type]
    assert result.status == "error" and result.error_kind == "unexpected"
    assert "RuntimeError" in (result.error or "") and "sample bug" in (result.error or "")


def test_parse_fetch_result_uses_the_feed_settings_and_final_url(http_server: LoopbackServer) -> None:
    body = SAMPLE_RSS.replace(b"<language>en-GB</language>", b"")
    http_server.add("/moved/feed.xml", body)
    http_server.route("/feed", redirect("/moved/feed.xml", 301))
    settings_feed = FeedSettings(
        name="wire", url=http_server.url("/feed"), outlet="Sample Wire", language="en"
    )
    with make_client(SETTINGS) as client:
        result = fetch_feed(client, settings_feed, SETTINGS)
    parsed = parse_fetch_result(result, settings_feed)
    entry = parsed.entries[0]
    assert (entry.source, entry.outlet, entry.language) == ("wire", "Sample Wire", "en")
    assert entry.link == http_server.url("/world/sample-talks?utm_source=rss&id=7")
    assert entry.origin == http_server.url("/moved/feed.xml")
    with pytest.raises(ValueError):
        parse_fetch_result(fetch("/nonexistent/file.xml"), settings_feed)


def _two_members() -> tuple[bytes, bytes]:
    """A feed written as two gzip members (RFC 1952 allows several; `cat a.gz b.gz` makes one), and its text."""
    half = len(SAMPLE_RSS) // 2
    return gzip.compress(SAMPLE_RSS[:half]) + gzip.compress(SAMPLE_RSS[half:]), SAMPLE_RSS


def test_every_member_of_a_gzip_body_is_read(http_server: LoopbackServer, tmp_path: Path) -> None:
    """Only the first member was read, and the feed's later entries were lost without a word."""
    body, text = _two_members()
    url = http_server.add("/two", body, headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
    assert fetch(url).body == text
    magic = http_server.add("/magic", body, headers={"Content-Type": "application/rss+xml"})
    assert fetch(magic).body == text
    path = tmp_path / "two.xml.gz"
    path.write_bytes(body)
    assert fetch(str(path)).body == text
    entries = parse_feed(body, source="s", outlet="o", url="https://news.example.invalid/feed").entries
    assert len(entries) == len(parse_feed(text, source="s", outlet="o", url="https://news.example.invalid/feed").entries)
    # The cap counts every member, and bytes after the last member that start no new one are ignored.
    path.write_bytes(gzip.compress(b"<rss>" + b" " * 150_000) + gzip.compress(b" " * 150_000))
    assert fetch(str(path)).error_kind == "decompression_bomb"
    path.write_bytes(body + b"\x00\x00trailing")
    assert fetch(str(path)).body == text


def test_gzip_members_split_anywhere_across_chunks_inflate_whole() -> None:
    from newswatch.sources.fetch import _inflate

    body, text = _two_members()
    for cut in range(0, len(body) + 1, 7):
        assert b"".join(_inflate(iter([body[:cut], body[cut:]]), "gzip", 10**6, "u")) == text
    second = len(gzip.compress(SAMPLE_RSS[: len(SAMPLE_RSS) // 2]))
    for cut in (second - 1, second, second + 1):  # the second member's magic bytes split between chunks
        assert b"".join(_inflate(iter([body[:cut], body[cut:cut + 1], body[cut + 1:]]), "gzip", 10**6, "u")) == text
