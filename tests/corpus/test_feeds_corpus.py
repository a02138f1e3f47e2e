"""Every real and hostile feed in ../shared/corpus: parsed from bytes, and served on loopback then fetched.

No crash, no hang (a per-file guard), readable documents give Articles, unreadable ones a ParseError with a
kind; entity bombs stay unexpanded and external entities are never fetched. Skipped when ../shared is absent.
The corpus is read in place, never copied.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from newswatch.config import FeedSettings, FetchSettings
from newswatch.errors import ParseError
from newswatch.models import Article
from newswatch.sources.feeds import MAX_INFLATED, ParsedFeed, parse_feed
from newswatch.sources.fetch import ERROR_KINDS, fetch_feeds
from newswatch.text.normalize import normalize_entry
from tests.support.httpserver import LOOPBACK_NETWORKS, LoopbackServer

pytestmark = pytest.mark.corpus

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
FOLDERS = ("feeds-real", "feeds-hostile")
GUARD_SECONDS = 60  # per file: a hang fails the test instead of stalling the suite
SEEN = datetime(2026, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    name: str  # folder/relative path, as in MANIFEST.txt
    what: str  # the manifest's description


def corpus_files() -> list[CorpusFile]:
    found: dict[str, CorpusFile] = {}
    for folder in FOLDERS:
        base = CORPUS / folder
        if not base.is_dir():
            continue
        described: dict[str, str] = {}
        manifest = base / "MANIFEST.txt"
        if manifest.is_file():
            for line in manifest.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    columns = line.split("\t")
                    described[columns[0]] = columns[-1]
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base).as_posix()
            if not path.is_file() or path.name == "MANIFEST.txt" or "LICENSE" in path.name:
                continue
            found[f"{folder}/{relative}"] = CorpusFile(
                path, f"{folder}/{relative}", described.get(relative, "")
            )
    return list(found.values())


FILES = corpus_files()
if not FILES:
    pytest.skip("../shared/corpus is absent", allow_module_level=True)

# Documents with no readable entries: fail with these kinds (anything not listed must parse).
EXPECTED_ERRORS = {
    "feeds-real/feed-rs/rss_2.0_invalid_1.xml": "malformed",  # truncated after the channel header
    "feeds-hostile/defusedxml/dtd.xml": "not_a_feed",  # an XHTML page
    # defusedxml's attack documents are XML but not feeds: refused as such, with nothing expanded or fetched.
    **{
        f"feeds-hostile/defusedxml/{name}.xml": "not_a_feed"
        for name in (
            "simple",
            "xmlbomb",
            "xmlbomb2",
            "quadratic",
            "cyclic",
            "external",
            "external_file",
            "dtd_element",
        )
    },
}
ATTACKS = re.compile(r"defusedxml/")
# Fetched bodies larger than this that are byte-identical to the file reuse the direct parse (keeps the
# suite well under a minute: a few large documents take seconds each to parse).
REPARSE_LIMIT = 100_000


def guarded(call: Callable[[], T], what: str) -> T:
    """Run `call` in a thread; fail if it has not returned within GUARD_SECONDS."""
    box: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True, name=f"corpus-{what}")
    worker.start()
    worker.join(GUARD_SECONDS)
    assert not worker.is_alive(), f"{what}: still running after {GUARD_SECONDS} s"
    if failure:
        raise failure[0]
    return box[0]


def parse_or_error(
    body: bytes, item: CorpusFile, url: str, headers: dict[str, str] | None = None
) -> ParsedFeed | ParseError:
    try:
        return guarded(
            lambda: parse_feed(body, source="corpus", outlet="Corpus", url=url, headers=headers), item.name
        )
    except ParseError as exc:
        return exc


def check_outcome(item: CorpusFile, outcome: ParsedFeed | ParseError, size: int) -> list[Article]:
    """Shared assertions for a parse result; returns the normalised articles."""
    if isinstance(outcome, ParseError):
        assert outcome.kind in ERROR_KINDS, outcome
        assert outcome.source == "corpus" and outcome.message
        expected = EXPECTED_ERRORS.get(item.name)
        if item.name.startswith("feeds-real/"):
            assert expected is not None, f"{item.name} ({item.what}) should parse: {outcome}"
        if expected:
            assert outcome.kind == expected
        return []
    assert item.name not in EXPECTED_ERRORS, f"{item.name} parsed but was expected to fail"
    articles = [normalize_entry(entry, SEEN) for entry in outcome.entries]
    # Entities never expand: all text together stays within a small multiple of the document.
    total = sum(len(a.title) + len(a.text) + len(a.summary) for a in articles)
    assert total <= 3 * size + 10_000, f"{item.name}: {total} chars of text from {size} bytes"
    for article in articles:
        assert article.article_id and len(article.article_id) == 16
        assert article.title or article.text or article.url
        assert article.published_at.tzinfo is not None
    # Ids are unique within a document unless the entries are the same article.
    by_id: dict[str, list[tuple[Article, str | None]]] = defaultdict(list)
    for entry, article in zip(outcome.entries, articles, strict=True):
        by_id[article.article_id].append((article, entry.link))
    for article_id, group in by_id.items():
        if len(group) > 1:
            same = {a.content_hash for a, _ in group} == {group[0][0].content_hash} or len(
                {link for _, link in group}
            ) == 1
            assert same, f"{item.name}: different entries share article_id {article_id}"
    return articles


def inflated(body: bytes) -> bytes:
    if body[:2] == b"\x1f\x8b":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_INFLATED)
    return body


def inflated_size(body: bytes) -> int:
    return len(inflated(body))


_DIRECT: dict[str, ParsedFeed | ParseError] = {}


def parse_directly(item: CorpusFile) -> ParsedFeed | ParseError:
    """The file's bytes parsed as-is; memoised because both tests need it and a few files are slow."""
    if item.name not in _DIRECT:
        body = item.path.read_bytes()
        _DIRECT[item.name] = parse_or_error(body, item, url=f"https://feeds.example.org/{item.name}")
    return _DIRECT[item.name]


@pytest.mark.parametrize("item", FILES, ids=[f.name for f in FILES])
def test_parse_from_bytes(item: CorpusFile) -> None:
    body = item.path.read_bytes()
    outcome = parse_directly(item)
    articles = check_outcome(item, outcome, inflated_size(body))
    if item.name.startswith("feeds-real/") and item.name not in EXPECTED_ERRORS:
        assert articles, f"{item.name}: a real outlet feed gave no articles"


def test_real_feeds_keep_their_characters() -> None:
    """Legacy encodings come out as the right letters, not mojibake."""
    samples = {
        "feeds-real/node-feedparser/iconv.xml": re.compile("[а-яА-Я]"),
        "feeds-real/rss-parser/encoding-gb2312.xml": re.compile("[\u4e00-\u9fff]"),
        "feeds-real/rss-parser/encoding.rss": re.compile("[ãçéõáí]"),
    }
    by_name = {f.name: f for f in FILES}
    for name, letters in samples.items():
        if name not in by_name:
            continue
        parsed = parse_feed(
            by_name[name].path.read_bytes(), source="corpus", outlet="c", url="https://x.example/"
        )
        text = " ".join(e.title + " " + e.summary for e in parsed.entries)
        assert letters.search(text), f"{name}: expected letters missing in {text[:200]!r}"
        assert "Ã" not in text and "Ð" not in text, f"{name}: mojibake in {text[:200]!r}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, int]]:
    """Serve every corpus file on loopback (attack URLs pointed at the server), fetch all in one batch."""
    secret = tmp_path_factory.mktemp("xxe") / "secret.txt"
    secret.write_text("SAMPLE-LOCAL-SECRET")
    outcomes: dict[str, tuple[object, int]] = {}
    with LoopbackServer() as server:
        probe = server.add("/xxe-probe", b"<!ENTITY leaked 'FETCHED-FROM-PROBE'>FETCHED-FROM-PROBE")
        jobs = []
        sizes: dict[str, int] = {}
        for index, item in enumerate(FILES):
            body = item.path.read_bytes()
            if ATTACKS.search(item.name):
                body = re.sub(rb'"https?://[^"]*"', f'"{probe}"'.encode(), body)
                body = re.sub(rb'"file://[^"]*"', f'"{secret.as_uri()}"'.encode(), body)
            sizes[item.name] = inflated_size(body)
            url = server.add(f"/corpus/{index}", body, headers={"Content-Type": "application/xml"})
            jobs.append((FeedSettings(name=item.name, url=url), None, None))
        settings = FetchSettings(
            timeout_seconds=20, max_bytes=10 * 1024 * 1024, concurrency=8, allow_networks=LOOPBACK_NETWORKS
        )
        results = guarded(lambda: fetch_feeds(jobs, settings), "fetch_feeds(corpus)")
        for item, result in zip(FILES, results, strict=True):
            assert result.status == "ok", f"{item.name}: {result.error}"
            body = result.body or b""
            if len(body) > REPARSE_LIMIT and body == inflated(item.path.read_bytes()):
                # Byte-identical to the file: parsing it again would only repeat test_parse_from_bytes.
                outcome = parse_directly(item)
            else:
                outcome = parse_or_error(body, item, url=result.url, headers=result.headers)
            outcomes[item.name] = (outcome, sizes[item.name])
        assert server.hits_for("/xxe-probe") == 0, "an external entity or DTD was fetched"
    for outcome, _ in outcomes.values():
        if isinstance(outcome, ParsedFeed):
            text = " ".join(e.title + e.summary + e.content for e in outcome.entries)
            assert "SAMPLE-LOCAL-SECRET" not in text and "FETCHED-FROM-PROBE" not in text
    return outcomes


@pytest.mark.parametrize("item", FILES, ids=[f.name for f in FILES])
def test_served_fetched_and_parsed(item: CorpusFile, served: dict[str, tuple[object, int]]) -> None:
    outcome, size = served[item.name]
    assert isinstance(outcome, ParsedFeed | ParseError)
    check_outcome(item, outcome, size)
    # Same result as parsing the file's bytes directly.
    direct = parse_directly(item)
    if isinstance(direct, ParseError) or isinstance(outcome, ParseError):
        if not ATTACKS.search(item.name):
            assert type(direct) is type(outcome)
    else:
        assert len(outcome.entries) == len(direct.entries)
