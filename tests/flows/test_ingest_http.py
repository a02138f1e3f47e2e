"""Feeds served over loopback HTTP into a DuckDB file through the real ingest flow: rows, validators, failures."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest_flow
from newswatch import cli
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


def without_pages(config: Path) -> Path:
    """The feeds' links point at sample.invalid: no page fetching (on by default for HTTP feeds)."""
    config.write_text(config.read_text(encoding="utf-8") + "\n[fulltext]\nenabled = false\n", encoding="utf-8")
    return config


def _copy_identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def test_read_copy_follows_every_write_and_a_quiet_rerun_keeps_it(project: Path,
                                                                  http_server: LoopbackServer) -> None:
    """The read copy is published whenever a run wrote something clients see (a recovered feed, re-matched
    topics), not only when it stored new articles; a rerun that writes nothing leaves it alone."""
    http_server.route("/feed.xml", etag_feed(FEED))
    http_server.route("/copy.xml", etag_feed(FEED, '"c1"'))
    http_server.add("/missing.xml", status=404, body=b"not here")
    config = without_pages(write_config(project, http_server))
    first = ingest_flow(config_path=str(config))
    assert first.feeds_failed == 1
    copy = Path(first.client_copy)

    def read_copy(sql: str) -> list[tuple]:
        con = duckdb.connect(str(copy), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    assert read_copy("SELECT last_status FROM feeds WHERE name = 'broken'") == [("error",)]

    # The broken feed recovers, serving only articles already stored; a topic's definition changes.
    http_server.add("/missing.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    config.write_text(config.read_text(encoding="utf-8").replace(
        'any = ["india", "pakistan", "new delhi", "islamabad"]', 'any = ["india", "pakistan", "football"]'),
        encoding="utf-8")
    second = ingest_flow(config_path=str(config), force=True)
    assert (second.articles_new, second.feeds_failed) == (0, 0)
    assert read_copy("SELECT last_status FROM feeds WHERE name = 'broken'") == [("ok",)]
    assert read_copy("SELECT url, topics FROM articles ORDER BY url") == [
        ("http://sample.invalid/a", ["india-pakistan"]), ("http://sample.invalid/b", ["india-pakistan"])]

    published = _copy_identity(copy)
    third = ingest_flow(config_path=str(config), force=True)
    assert (third.articles_new, third.feeds_failed, third.feeds_not_modified, third.feeds_ok) == (0, 0, 2, 1)
    assert _copy_identity(copy) == published  # nothing written: the same file, not a new copy


CORRECTED = FEED.replace(
    b"Officials in Pakistan and India said talks would resume after the ceasefire held overnight.",
    b"Correction: officials in Pakistan and India said talks collapsed after the ceasefire failed overnight.")


def test_a_corrected_article_is_scored_again_in_place_and_copies_still_fold(project: Path,
                                                                            http_server: LoopbackServer) -> None:
    http_server.route("/feed.xml", etag_feed(FEED))
    # A second feed carrying the same items, served in full every time (no validators).
    http_server.add("/copy.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    http_server.add("/missing.xml", status=404, body=b"not here")
    config = without_pages(write_config(project, http_server))
    ingest_flow(config_path=str(config))
    sql = ("SELECT article_id, first_seen_at, summary, tone, revisions, "
           "(SELECT string_agg(text, ' ') FROM sentence s WHERE s.article_id = a.article_id) "
           "FROM article a WHERE url = 'http://sample.invalid/a'")

    def article() -> tuple:
        con = duckdb.connect(str(project / "data" / "test.duckdb"), read_only=True)
        try:
            rows = con.execute(sql).fetchall()
            assert con.execute("SELECT count(*) FROM article").fetchone() == (2,)
            return rows[0] if len(rows) == 1 else ("rows", rows)
        finally:
            con.close()

    before = article()
    http_server.route("/feed.xml", etag_feed(CORRECTED, '"v2"'))   # the source corrects the item
    second = ingest_flow(config_path=str(config), force=True)
    after = article()
    assert after[0] == before[0] and after[1] == before[1]          # same article, first seen when it was
    assert after[2].startswith("Correction:") and "collapsed" in after[5]
    assert after[3] < before[3] and (before[4], after[4]) == (0, 1)  # tone scored again; one revision
    assert (second.articles_new, second.articles_revised) == (0, 1)

    # The other feed still carries the old text: a copy, not a correction, so nothing flips back.
    third = ingest_flow(config_path=str(config), force=True)
    assert (third.articles_new, third.articles_revised) == (0, 0)
    assert article()[2:] == after[2:]


MOVED = FEED.replace(b"<guid>a</guid>", b"<guid>m</guid>").replace(
    b"http://sample.invalid/a?utm_source=x#top", b"http://sample.invalid/moved").replace(
    b"Islamabad and New Delhi agree to talks", b"Talks between Islamabad and New Delhi open in Geneva")


def test_a_feed_whose_url_changed_is_fetched_at_once_without_the_old_urls_validators(
        project: Path, http_server: LoopbackServer, capsys: pytest.CaptureFixture[str]) -> None:
    """A user who corrects a feed's URL (a typo that answered 404, a feed that moved) gets it read at the next run:
    the old URL's back-off does not hold the new one back, and the old URL's ETag is not sent to the new one (a
    server using the same validators would answer 304 and the new feed's items would never be stored)."""
    http_server.route("/feed.xml", etag_feed(FEED))
    http_server.route("/copy.xml", etag_feed(FEED, '"c1"'))
    http_server.add("/missing.xml", status=404, body=b"not here")
    config = without_pages(write_config(project, http_server))
    first = ingest_flow(config_path=str(config))
    assert (first.feeds_ok, first.feeds_failed) == (2, 1)

    # Same server, same ETag scheme (as a static file server's validators can be).
    http_server.route("/moved.xml", etag_feed(MOVED))
    http_server.add("/fixed.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    text = config.read_text(encoding="utf-8")
    text = text.replace(http_server.url("/feed.xml"), http_server.url("/moved.xml"))
    config.write_text(text.replace(http_server.url("/missing.xml"), http_server.url("/fixed.xml")), encoding="utf-8")

    # `newswatch feeds` says so before the run: not the old url's failure and back-off.
    assert cli.main(["--config", str(config), "feeds", "--json"]) == cli.EXIT_OK
    listed = {r["feed"]: r for r in json.loads(capsys.readouterr().out)}
    assert (listed["broken"]["state"], listed["broken"]["next_attempt"]) == ("url changed", "now")

    second = ingest_flow(config_path=str(config))   # no --force: the broken feed's back-off is still running
    assert second.feeds_skipped == 0 and second.feeds_failed == 0
    assert http_server.hits_for("/fixed.xml") == 1
    assert [h.get("if-none-match") for h in http_server.headers_of("/moved.xml")] == [None]
    assert second.articles_new == 1
    db = duckdb.connect(str(project / "data" / "test.duckdb"), read_only=True)
    try:
        assert ("http://sample.invalid/moved",) in db.execute("SELECT url FROM articles").fetchall()
        assert db.execute("SELECT last_status, error_count FROM feeds WHERE name = 'broken'").fetchone() == ("ok", 0)
    finally:
        db.close()


def language_feed(language: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed declaring `language` with (guid, title, description) items of 10 May 2025 (SAMPLE text)."""
    body = "".join(
        f"<item><title>{title}</title><link>http://sample.invalid/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>Sat, 10 May 2025 {10 + i}:00:00 GMT</pubDate><description>{text}</description></item>"
        for i, (guid, title, text) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Sample</title>'
            f"<link>http://sample.invalid/</link><language>{language}</language>{body}</channel></rss>").encode()


def test_a_wrong_language_declaration_yields_to_the_text(project: Path, http_server: LoopbackServer) -> None:
    # A review's sample feeds: an English feed whose channel declares `de` (its English reports were stored as
    # German, left out of tone and counted as "other languages"), and a German report in a feed declared `en-US`
    # (scored by VADER as English, its "tone" averaged into the topic's).
    http_server.route("/feed.xml", etag_feed(language_feed("de", [
        ("en1", "SAMPLE: Islamabad and New Delhi agree to talks",
         "Officials in Pakistan and India said on Saturday that talks would resume after the ceasefire held "
         "overnight, and families returned to the villages along the border."),
    ])))
    http_server.route("/copy.xml", etag_feed(language_feed("en-US", [
        ("de1", "BEISPIEL: Indien und Pakistan vereinbaren Gespräche",
         "Vertreter Pakistans und Indiens sagten am Samstag, die Gespräche würden wieder aufgenommen, nachdem die "
         "Waffenruhe in der Nacht gehalten habe, und die Familien kehrten in die Dörfer an der Grenze zurück."),
    ])))
    http_server.add("/missing.xml", status=404, body=b"not here")
    config = write_config(project, http_server)

    ingest_flow(config_path=str(config))
    db = duckdb.connect(str(project / "data" / "test.duckdb"), read_only=True)
    try:
        got = {r[0].rsplit("/", 1)[1]: r[1:]
               for r in db.execute("SELECT url, language, tone IS NOT NULL FROM article").fetchall()}
        assert got == {"en1": ("en", True), "de1": ("de", False)}
        assert db.execute("SELECT count(*) FROM mention m JOIN article a USING (article_id) "
                          "WHERE a.url LIKE '%/de1' AND m.tone IS NOT NULL").fetchone() == (0,)
        langs = dict(db.execute("SELECT language, scored FROM daily_languages WHERE topic = 'india-pakistan'").fetchall())
        assert langs == {"en": 1, "de": 0}
    finally:
        db.close()
