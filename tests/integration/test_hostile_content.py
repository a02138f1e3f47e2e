"""Hostile text from feeds is stored as text and shown inert in the digest (HTML and plain text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

from newswatch.analysis.analyzer import Analyzer
from newswatch.config import parse_settings
from newswatch.models import RawEntry
from newswatch.report.digest import build_digest, render_digest
from newswatch.report.mail import find_html_problems
from newswatch.text.normalize import normalize_entry
from storage.db import Database
from storage.store import Store

REPO = Path(__file__).resolve().parents[2]
DAY = date(2025, 5, 10)
SQL = "Robert'); DROP TABLE article; -- ceasefire"
HOSTILE = [
    RawEntry(source="f", outlet="<script>alert(1)</script>Outlet", title="<script>alert('x')</script> Ceasefire holds",
             summary='<img src=x onerror="alert(1)">Ceasefire talks <a href="javascript:alert(1)">go on</a>.',
             link="javascript:alert(document.cookie)"),
    RawEntry(source="f", outlet="O", title="Ceasefire \u202egnp.exe\u202c and \u0007bell\u0000 news",
             summary="<style>body{display:none}</style><div style='position:fixed;top:0'>Ceasefire overlay</div>",
             link="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    RawEntry(source="f", outlet="O", title=SQL, summary="Ceasefire <iframe src='http://evil.invalid'></iframe> text.",
             link="http://sample.invalid/ok?x=<script>"),
    RawEntry(source="f", outlet="O", title="Ceasefire " + "A" * 2_000_000, summary="Ceasefire. " * 50,
             link="https://sample.invalid/long"),
    RawEntry(source="f", outlet="O", title='Ceasefire "><svg onload=alert(1)>', summary="Ceasefire &lt;b&gt;x",
             link="//evil.invalid/protocol-relative"),
]


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def test_hostile_entries_are_stored_as_text_and_rendered_inert(tmp_path: Path) -> None:
    settings = parse_settings({"topics": [{"name": "t", "any": ["ceasefire"]}],
                               "actors_file": str(REPO / "config" / "actors.toml"),
                               "storage": {"database": str(tmp_path / "n.duckdb")}}, tmp_path / "newswatch.toml")
    when = datetime(2025, 5, 10, 12, tzinfo=UTC)
    for entry in HOSTILE:
        entry.published = when
    articles = [normalize_entry(e, when) for e in HOSTILE]
    analyses = Analyzer.from_settings(settings).analyze_many(articles)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.save_articles("run", articles, analyses, {})
        assert db.scalar("SELECT count(*) FROM article") == len(HOSTILE)   # the SQL fragment dropped nothing
        assert db.scalar("SELECT count(*) FROM article WHERE title = ?", [SQL]) == 1
        data = build_digest(store, settings, DAY)
    digest = render_digest(data)

    page = Collector()
    page.feed(digest.html)
    assert not {"script", "iframe", "svg", "object", "embed", "style", "form"} & set(page.tags)
    assert not [name for name, _ in page.attrs if name.lower().startswith("on")]
    links = [value or "" for name, value in page.attrs if name in ("href", "src")]
    assert links and all(v.startswith(("http://", "https://", "cid:")) for v in links), links
    assert find_html_problems(digest.html, {}) == []
    for rendered in (digest.html, digest.text, digest.markdown):
        assert "\u202e" not in rendered and "\u0000" not in rendered and "\u0007" not in rendered
        assert "javascript:" not in rendered and "data:text/html" not in rendered
        assert "A" * 1000 not in rendered                     # megabyte headline capped
    assert max(len(t) for t in page.texts) < 2000
