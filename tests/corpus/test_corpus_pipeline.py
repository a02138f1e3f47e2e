"""Every corpus document through the real ingest flow into DuckDB: as HTTP feeds, then again from the inbox.

Readable entries are stored once each (the inbox copies fold into what the feeds gave), unreadable documents are
recorded as feed errors with a kind, and nothing crashes or hangs. Skipped when ../shared is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest_flow
from tests.support.httpserver import LoopbackServer

pytestmark = [pytest.mark.corpus, pytest.mark.flow, pytest.mark.slow, pytest.mark.usefixtures("prefect_engine")]

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("feeds-real", "feeds-hostile")
SKIP = {"MANIFEST.txt", "LICENSE", "README", "README.md"}


def corpus_files(shared: Path) -> list[Path]:
    files = []
    for folder in FOLDERS:
        files += [p for p in sorted((shared / "corpus" / folder).rglob("*"))
                  if p.is_file() and p.name not in SKIP and not p.name.startswith("LICENSE")]
    return files


def test_every_corpus_document_is_ingested_once_or_recorded(shared_dir: Path, tmp_path: Path) -> None:
    files = corpus_files(shared_dir)
    assert len(files) > 50
    feeds_toml = []
    with LoopbackServer() as server:
        for i, path in enumerate(files):
            server.add(f"/f{i}.xml", body=path.read_bytes(), headers={"Content-Type": "application/xml"})
            feeds_toml.append(f'[[feeds]]\nname = "f{i}"\nurl = "{server.url(f"/f{i}.xml")}"\n')
        inbox = tmp_path / "inbox"
        (tmp_path / "config").mkdir()
        config = tmp_path / "config" / "newswatch.toml"
        config.write_text("\n".join(feeds_toml) + '\n[storage]\ndatabase = "data/c.duckdb"\n'
                          '[inbox]\npaths = ["inbox"]\n[fetch]\ntimeout_seconds = 10\n'
                          'allow_networks = ["127.0.0.0/8", "::1/128"]\n'
                          '[[topics]]\nname = "any"\nany = ["the"]\n', encoding="utf-8")
        shutil.copy(REPO / "config" / "actors.toml", tmp_path / "config" / "actors.toml")
        inbox.mkdir()
        first = ingest_flow(config_path=str(config))
        # The same documents dropped into the inbox as feed files.
        for i, path in enumerate(files):
            shutil.copy(path, inbox / f"f{i}.xml")
        second = ingest_flow(config_path=str(config))

    assert first.feeds_ok + first.feeds_failed == len(files)
    assert first.articles_new > 500
    con = duckdb.connect(str(tmp_path / "data" / "c.duckdb"), read_only=True)
    try:
        failed = con.execute("SELECT name, last_error_kind FROM feeds WHERE last_status = 'error'").fetchall()
        assert all(kind for _, kind in failed), failed          # every failure classified
        urls = con.execute("SELECT count(url), count(DISTINCT url) FROM article").fetchone()
        assert urls is not None and urls[0] == urls[1]            # no URL stored twice
        # No identical article stored twice, among those with text of their own: a bare headline at two URLs is
        # two articles (pipeline.foldable).
        from types import SimpleNamespace

        from newswatch.pipeline import foldable

        rows = con.execute("SELECT title, body, text_source, content_hash FROM article").fetchall()
        own = [h for t, b, src, h in rows if foldable(SimpleNamespace(title=t, text=b, text_source=src))]  # type: ignore[arg-type]
        assert len(own) == len(set(own)) and len(own) > 500
        longest = con.execute("SELECT max(length(body)) FROM article").fetchone()[0]  # type: ignore[index]
        assert longest < 1_000_000                                 # no entity expansion blew anything up
    finally:
        con.close()
    # The inbox copies are the same entries: they fold into what the feeds already gave.
    assert second.articles_new <= 0.02 * first.articles_new, (second.articles_new, first.articles_new)

