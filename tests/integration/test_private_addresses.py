"""Server-side request forgery: feeds, pages, robots.txt and search never reach loopback, private, link-local
or other special-purpose addresses unless `[fetch] allow_networks` names them; checked on the resolved address
of every connection, redirect hops included.

The loopback server is the only thing contacted. Refused addresses (169.254.169.254, 10.x, fd00::) are
refused before any packet is sent, so naming them here sends no traffic there.
"""

from __future__ import annotations

import ipaddress
import socket
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.config import FeedSettings, FetchSettings, FulltextSettings, parse_settings
from newswatch.errors import ConfigError
from newswatch.sources import addresses, fulltext, search_feeds
from newswatch.sources.fetch import HARD_KINDS, fetch_feed, make_client
from newswatch.sources.pages import fetch_pages
from tests.support.httpserver import LOOPBACK, LOOPBACK_NETWORKS, LoopbackServer, redirect, send
from tests.support.samples import SAMPLE_RSS

PAGE = (
    b"<!DOCTYPE html><html><head><title>SAMPLE page</title></head><body><article><h1>SAMPLE page</h1>"
    + b"<p>SAMPLE text of a page for tests, long enough to be taken as the article itself. </p>" * 12
    + b"</article></body></html>"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tripwire: should the check ever break, a connection to anything but loopback fails here instead of
    leaving the machine (httpcore opens its sockets with socket.create_connection)."""
    real = socket.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host = address[0]
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"a connection to {host} was attempted")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)


def fetch(url: str, settings: FetchSettings):  # noqa: ANN201
    with make_client(settings) as client:
        return fetch_feed(client, FeedSettings(name="sample", url=url), settings)


# -- the address rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.1.2.3", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1", "255.255.255.255", "198.18.0.1",
        "::1", "::", "fd00::1", "fc00::1", "fe80::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible
    ],
)
def test_special_purpose_addresses_are_refused(address: str) -> None:
    assert addresses.refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert addresses.refusal(ipaddress.ip_address(address)) is None


def test_allow_networks_lets_a_network_through_in_either_form() -> None:
    allowed = [ipaddress.ip_network("127.0.0.0/8")]
    assert addresses.refusal(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert addresses.refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allowed) is None
    assert addresses.refusal(ipaddress.ip_address("10.0.0.1"), allowed) == "private network"
    assert addresses.refusal(ipaddress.ip_address("::1"), allowed) == "loopback"


@pytest.mark.parametrize("value", [["10.0.0.1/8"], ["not-a-network"], "10.0.0.0/8", [8]])
def test_a_bad_allow_networks_entry_is_a_config_error_naming_the_key(value: object) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings({"fetch": {"allow_networks": value}}, Path("config/newswatch.toml"))
    assert "fetch.allow_networks" in str(raised.value)
    assert "newswatch.toml" in str(raised.value)


def test_blocked_address_is_a_hard_failure() -> None:
    assert "blocked_address" in HARD_KINDS  # a config change is needed: back off as for a 404


# -- feeds (and search, which fetches with the same client) ------------------------------------------------


def test_a_loopback_feed_is_refused_without_the_allowance_and_fetched_with_it(http_server: LoopbackServer) -> None:
    url = http_server.add("/feed.xml", SAMPLE_RSS, headers=RSS)
    refused = fetch(url, FetchSettings())
    assert (refused.status, refused.error_kind) == ("error", "blocked_address")
    assert "127.0.0.1" in (refused.error or "") and "allow_networks" in (refused.error or "")
    assert refused.body is None and http_server.hits_for("/feed.xml") == 0

    allowed = fetch(url, FetchSettings(allow_networks=LOOPBACK_NETWORKS))
    assert allowed.status == "ok" and allowed.body == SAMPLE_RSS


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed", "http://[fd00::1]/feed",
            "http://0.0.0.0/feed", "http://[::ffff:127.0.0.1]:9/feed"],
)
def test_private_feed_urls_are_refused_before_any_traffic(url: str) -> None:
    result = fetch(url, FetchSettings(timeout_seconds=5))
    assert result.error_kind == "blocked_address", result.error


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.0.0.1/admin",
        "http://[fd00::1]/",
        "http://127.0.0.2:{port}/secret",  # loopback, but outside the allowed 127.0.0.1/32
    ],
)
def test_a_redirect_from_an_allowed_host_to_a_refused_address_is_refused_at_the_hop(
    http_server: LoopbackServer, target: str
) -> None:
    target = target.format(port=http_server.port)
    http_server.route("/feed.xml", redirect(target))
    settings = FetchSettings(allow_networks=["127.0.0.1/32"])
    result = fetch(http_server.url("/feed.xml"), settings)
    assert result.error_kind == "blocked_address", result.error
    assert (result.error or "").startswith(target)  # the hop that was refused
    assert http_server.hits_for("/feed.xml") == 1 and http_server.hits_for("/secret") == 0


def test_a_host_name_resolving_to_loopback_is_refused(http_server: LoopbackServer) -> None:
    http_server.add("/feed.xml", SAMPLE_RSS, headers=RSS)
    result = fetch(f"http://localhost:{http_server.port}/feed.xml", FetchSettings())
    assert result.error_kind == "blocked_address"
    assert "localhost resolves to 127.0.0.1" in (result.error or "")
    assert http_server.hits_for("/feed.xml") == 0


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names mapped to addresses, as a DNS server would answer (none runs here: the resolver is mocked).
    Every lookup is counted under "calls"."""
    table: dict[str, list[str]] = {"calls": []}

    def resolve(host: str, port: int) -> list[str]:
        table["calls"].append(host)
        return list(table[host])

    monkeypatch.setattr(addresses, "resolve", resolve)
    return table


def test_the_checked_address_is_the_one_connected_to(
    http_server: LoopbackServer, resolver: dict[str, list[str]]
) -> None:
    http_server.add("/feed.xml", SAMPLE_RSS, headers=RSS)
    resolver["news.sample.test"] = ["127.0.0.1"]
    url = f"http://news.sample.test:{http_server.port}/feed.xml"

    refused = fetch(url, FetchSettings())
    assert refused.error_kind == "blocked_address"
    assert "news.sample.test resolves to 127.0.0.1" in (refused.error or "")
    assert http_server.hits_for("/feed.xml") == 0

    # Allowed: the name resolves once and the socket goes to that address (the system resolver does not know
    # the name, so reaching the server proves it); the Host header still names the host.
    resolver["calls"].clear()
    allowed = fetch(url, FetchSettings(allow_networks=LOOPBACK_NETWORKS))
    assert allowed.status == "ok", allowed.error
    assert resolver["calls"] == ["news.sample.test"]
    assert http_server.headers_of("/feed.xml")[0]["host"] == f"news.sample.test:{http_server.port}"


def test_every_resolved_address_is_checked(http_server: LoopbackServer, resolver: dict[str, list[str]]) -> None:
    # An allowed address first and a refused one after it: the name is refused, whatever the order.
    http_server.add("/feed.xml", SAMPLE_RSS, headers=RSS)
    resolver["mixed.sample.test"] = ["127.0.0.1", "10.0.0.1"]
    result = fetch(f"http://mixed.sample.test:{http_server.port}/feed.xml",
                   FetchSettings(allow_networks=LOOPBACK_NETWORKS))
    assert result.error_kind == "blocked_address" and "10.0.0.1" in (result.error or "")
    assert http_server.hits_for("/feed.xml") == 0


def test_search_providers_are_refused_on_loopback_without_the_allowance(tmp_path: Path,
                                                                        http_server: LoopbackServer) -> None:
    base = http_server.url("")
    http_server.add("/gdelt", b'{"articles": []}', headers={"Content-Type": "application/json"})

    def settings(extra: str = ""):  # noqa: ANN202
        path = tmp_path / "newswatch.toml"
        path.write_text(textwrap.dedent(f"""\
            [[topics]]
            name = "harbour"
            any = ["harbour"]
            queries = ["harbour"]
            [search]
            enabled = true
            providers = ["gdelt"]
            base_urls = {{ gdelt = "{base}/gdelt" }}
            """) + extra, encoding="utf-8")
        from newswatch.config import load_settings

        return load_settings(path)

    refused = settings()
    feeds, _ = search_feeds.plan_search(refused, {}, datetime.now(UTC))
    (result,) = search_feeds.fetch_search(feeds, refused, sleep=lambda s: None)
    assert result.error_kind == "blocked_address" and http_server.hits_for("/gdelt") == 0

    allowed = settings('[fetch]\nallow_networks = ["127.0.0.0/8"]\n')
    (result,) = search_feeds.fetch_search(feeds, allowed, sleep=lambda s: None)
    assert result.status == "ok" and http_server.hits_for("/gdelt") == 1


# -- pages and robots.txt -----------------------------------------------------------------------------------

FAST = FulltextSettings(per_domain_interval_seconds=0.0, timeout_seconds=5, time_budget_seconds=30)


def test_a_page_on_loopback_is_refused_with_its_robots_txt(http_server: LoopbackServer) -> None:
    http_server.add("/robots.txt", b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
    url = http_server.add("/news/page", PAGE, headers=HTML)
    result = fetch_pages([url], FAST)[url]
    assert result.status == "failed" and (result.error or "").startswith("blocked_address: "), result.error
    assert http_server.hits_for("/robots.txt") == 0 and http_server.hits_for("/news/page") == 0

    without_robots = fetch_pages([url], FulltextSettings(per_domain_interval_seconds=0.0, respect_robots=False))
    assert (without_robots[url].error or "").startswith("blocked_address: ")
    assert http_server.hits_for("/news/page") == 0

    allowed = fetch_pages([url], FulltextSettings(per_domain_interval_seconds=0.0, allow_networks=LOOPBACK))
    assert allowed[url].status == "page", allowed[url].error


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://192.168.0.1/router",
                                 "http://[fe80::1]/", "http://100.64.0.1/"])
def test_page_links_to_private_addresses_are_refused(url: str) -> None:
    result = fetch_pages([url], FAST)[url]
    assert result.status == "failed" and (result.error or "").startswith("blocked_address: "), result.error


def test_a_page_redirecting_to_a_refused_address_is_refused_at_the_hop(http_server: LoopbackServer) -> None:
    http_server.add("/robots.txt", b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
    http_server.route("/news/moved", redirect("http://169.254.169.254/latest/meta-data/"))
    url = http_server.url("/news/moved")
    result = fetch_pages([url], FulltextSettings(per_domain_interval_seconds=0.0, allow_networks=LOOPBACK))[url]
    assert result.status == "failed" and (result.error or "").startswith("blocked_address: "), result.error
    assert "169.254.169.254" in (result.error or "") and http_server.hits_for("/news/moved") == 1


def test_robots_txt_redirecting_to_a_refused_address_refuses_the_domain(http_server: LoopbackServer) -> None:
    http_server.route("/robots.txt", lambda r: send(r, 301, b"", {"Location": "http://10.0.0.1/robots.txt"}))
    url = http_server.add("/news/page", PAGE, headers=HTML)
    result = fetch_pages([url], FulltextSettings(per_domain_interval_seconds=0.0, allow_networks=LOOPBACK))[url]
    assert result.status == "failed" and (result.error or "").startswith("blocked_address: robots.txt")
    assert http_server.hits_for("/news/page") == 0


def test_the_pipeline_passes_fetch_allow_networks_to_page_fetching(tmp_path: Path) -> None:
    data = {"fulltext": {"min_chars": 10}, "fetch": {"allow_networks": ["10.0.0.0/8"]}}
    settings = parse_settings(data, tmp_path / "config" / "newswatch.toml")
    assert fulltext.fulltext_settings(settings).allow_networks == (ipaddress.ip_network("10.0.0.0/8"),)
    with pytest.raises(ConfigError, match="fulltext.allow_networks"):
        parse_settings({"fulltext": {"allow_networks": ["10.0.0.0/8"]}}, tmp_path / "newswatch.toml")
