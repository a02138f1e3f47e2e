"""`newswatch rescore --actors` brings stored actor tones to the current model and republishes the read copy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newswatch import cli
from newswatch.analysis.actors.model import shipped_model
from newswatch.analysis.analyzer import Analyzer
from newswatch.config import load_settings
from newswatch.models import RawEntry
from newswatch.text.normalize import normalize_entry
from storage.db import Database
from storage.store import Store

REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2025, 5, 10, 9, tzinfo=UTC)
ENTRIES = [
    ("Talks stall", "Critics condemned Pakistan for the failed talks. India praised the mediators."),
    ("Old report", "Officials in India said the border was quiet."),
]


def _write_config(config: Path, folder: Path) -> None:
    config.write_text(f'actors_file = "{REPO / "config" / "actors.toml"}"\n\n[storage]\n'
                      f'database = "{folder / "n.duckdb"}"\n', encoding="utf-8")


def test_rescore_rewrites_old_actor_tones_with_the_current_model(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.toml"
    _write_config(config, tmp_path)
    settings = load_settings(config)
    articles = [normalize_entry(RawEntry(source="f", outlet="O (sample)", title=t, summary=s, published=WHEN,
                                         link=f"http://sample.invalid/{i}"), WHEN)
                for i, (t, s) in enumerate(ENTRIES)]
    with Database(settings.database_path) as db:
        store = Store(db)
        store.save_articles("r1", articles, Analyzer.from_settings(settings).analyze_many(articles), {})
        # Rows as an older version stored them (migration 009 marks those 'vader-window').
        db.execute("UPDATE article_actor SET tone_method = 'vader-window', tone_model = '1', tone = 0.0")
        db.execute("UPDATE mention SET tone = NULL")
        before = db.scalar("SELECT count(*) FROM article_actor")

    assert cli.main(["--config", str(config), "rescore", "--actors"]) == 0
    con = duckdb.connect(str(settings.client_copy_path), read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT tone_method, tone_model FROM article_actors").fetchall()
        assert rows == [("model", shipped_model().version)]
        assert con.execute("SELECT count(*) FROM article_actor").fetchone() == (before,)
        assert con.execute("SELECT count(*) FROM mention WHERE sentence_idx >= 0 AND tone IS NULL").fetchone() == (0,)
        # Nothing else about the articles changed.
        assert con.execute("SELECT count(*) FROM article").fetchone() == (2,)
    finally:
        con.close()


def test_rescore_without_what_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.toml"
    _write_config(config, tmp_path)
    assert cli.main(["--config", str(config), "rescore"]) == 2


def test_a_promoted_name_is_an_actor_of_the_stored_articles_after_rescore(tmp_path: Path) -> None:
    """`actors promote` adds a candidate to the registry; `rescore --actors` then matches the stored articles
    against it: the name leaves the candidates (so the digest no longer calls it new and unregistered), and the
    views name the new actor (the actor table follows the registry)."""
    import shutil

    actors = tmp_path / "actors.toml"
    shutil.copy(REPO / "config" / "actors.toml", actors)
    config = tmp_path / "newswatch.toml"
    config.write_text(f'actors_file = "{actors}"\n\n[storage]\ndatabase = "{tmp_path / "n.duckdb"}"\n',
                      encoding="utf-8")
    settings = load_settings(config)
    text = "Officials at Kestrel Harbour Authority said the port reopened. Kestrel Harbour Authority thanked crews."
    article = normalize_entry(RawEntry(source="f", outlet="O (sample)", title="Port reopens (SAMPLE)", summary=text,
                                       published=WHEN, link="http://sample.invalid/port"), WHEN)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.save_articles("r1", [article], Analyzer.from_settings(settings).analyze_many([article]), {})
        assert db.scalar("SELECT count(*) FROM candidate WHERE name = 'Kestrel Harbour Authority'") == 1

    assert cli.main(["--config", str(config), "actors", "promote", "Kestrel Harbour Authority",
                     "--kind", "organisation"]) == 0
    assert cli.main(["--config", str(config), "rescore", "--actors"]) == 0
    with duckdb.connect(str(settings.client_copy_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM candidate WHERE name = 'Kestrel Harbour Authority'").fetchone() == (0,)
        assert con.execute("SELECT actor_name, actor_kind, mentions FROM article_actors "
                           "WHERE actor_id = 'kestrel-harbour-authority'").fetchall() == [
            ("Kestrel Harbour Authority", "organisation", 2)]


def test_rescore_in_processes_and_batches_writes_what_one_pass_here_writes(tmp_path: Path) -> None:
    """The command analyses the next batch in the scoring processes while it writes this one: the stored rows are
    the same as from one batch analysed in this process."""
    from newswatch.analysis.analyzer import AnalysisPool
    from newswatch.analysis.rescore import rescore_actor_tones

    texts = [(f"Report {i}", f"Critics condemned Pakistan on day {i}. India praised the mediators in round {i}. "
              "Washington said the Secretary of State would call Pakistan's army chief.") for i in range(40)]
    articles = [normalize_entry(RawEntry(source="f", outlet="O (sample)", title=t, summary=s, published=WHEN,
                                         link=f"http://sample.invalid/{i}"), WHEN) for i, (t, s) in enumerate(texts)]
    tables = {}
    for name, workers, batch in (("here", 1, 1000), ("processes", 2, 16)):  # 16: a batch the pool sends out
        folder = tmp_path / name
        folder.mkdir()
        _write_config(folder / "newswatch.toml", folder)
        settings = load_settings(folder / "newswatch.toml")
        analyzer = Analyzer.from_settings(settings)
        with Database(settings.database_path) as db:
            store = Store(db)
            store.save_articles("r1", articles, analyzer.analyze_many(articles), {})
            db.execute("DELETE FROM mention")
            db.execute("UPDATE article_actor SET tone = 0.0")
            with AnalysisPool(analyzer, workers) as pool:
                done = rescore_actor_tones(store, analyzer, batch=batch, analyze=pool.analyze)
                assert (done.articles, pool.running) == (40, workers > 1)
            tables[name] = [db.query(f"SELECT * FROM {t} ORDER BY ALL") for t in ("mention", "article_actor")]
    assert tables["here"] == tables["processes"] and len(tables["here"][0]) >= 40 * 4


HANDOVER = """
[[actor]]
id = "xland"
name = "Xland"
kind = "country"

[[actor]]
id = "old-general"
name = "Ayla Oldfield"
kind = "person"
roles = [{ title = "army chief", country = "xland", from = 2020-01-01, to = 2025-05-12 }]

[[actor]]
id = "new-general"
name = "Bora Newfield"
kind = "person"
roles = [{ title = "army chief", country = "xland", from = 2025-05-13 }]
"""


def test_a_role_title_resolves_on_the_day_the_views_and_the_digest_give_the_article(tmp_path: Path) -> None:
    """A title resolves to its holder on the article's day in the digest's time zone, the day every view and the digest
    count it on: published at 21:00 UTC on 12 May, it is a 13 May article in Asia/Kolkata, and "Xland's army chief"
    is the holder from 13 May. On its UTC date it went to the outgoing holder, whom the 13 May digest then listed
    beside the new one (a review's fictional handover)."""
    actors = tmp_path / "actors.toml"
    actors.write_text(HANDOVER, encoding="utf-8")
    config = tmp_path / "newswatch.toml"
    config.write_text(f'actors_file = "{actors}"\n\n[storage]\ndatabase = "{tmp_path / "n.duckdb"}"\n\n'
                      '[digest]\ntimezone = "Asia/Kolkata"\n', encoding="utf-8")
    settings = load_settings(config)
    text = "Xland's army chief visited the border (SAMPLE). The army chief met officers."
    articles = [normalize_entry(RawEntry(source="f", outlet="O (sample)", title=f"Visit {i} (SAMPLE)", summary=text,
                                         published=when, link=f"http://sample.invalid/visit-{i}"), when)
                for i, when in enumerate((datetime(2025, 5, 12, 9, tzinfo=UTC), datetime(2025, 5, 12, 21, tzinfo=UTC),
                                          datetime(2025, 5, 13, 9, tzinfo=UTC)))]
    with Database(settings.database_path) as db:
        db.set_meta({"timezone": settings.digest.timezone})  # as every ingest records it, for the views' days
        Store(db).save_articles("r1", articles, Analyzer.from_settings(settings).analyze_many(articles), {})
    expected = [("2025-05-12", "old-general"), ("2025-05-13", "new-general"), ("2025-05-13", "new-general")]
    assert cli.main(["--config", str(config), "rescore", "--actors"]) == 0  # the same again, by the same rule
    with duckdb.connect(str(settings.client_copy_path), read_only=True) as con:
        rows = con.execute("SELECT strftime(published_day, '%Y-%m-%d'), actor_id FROM article_actors "
                           "WHERE actor_id LIKE '%general' ORDER BY published_at").fetchall()
    assert rows == expected
