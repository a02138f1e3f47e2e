"""Topic membership is kept apart from articles: a topic added or changed later is matched over what is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newswatch.analysis import rematch
from newswatch.analysis.analyzer import Analyzer
from newswatch.config import Settings, parse_settings
from newswatch.models import RawEntry
from newswatch.text.normalize import normalize_entry
from storage.db import Database
from storage.store import Store

REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2025, 5, 10, 9, tzinfo=UTC)
ENTRIES = [
    ("Ceasefire holds along the Line of Control", "Pakistan and India report a quiet night in Kashmir."),
    ("Monsoon forecast raised", "The weather office expects heavier rain over Kerala this season."),
    ("Cricket board names squad", "Selectors picked three uncapped players for the tour."),
]


def settings_with(tmp_path: Path, topics: list[dict]) -> Settings:
    return parse_settings({"topics": topics, "actors_file": str(REPO / "config" / "actors.toml"),
                           "storage": {"database": str(tmp_path / "n.duckdb")}}, tmp_path / "newswatch.toml")


def store_entries(store: Store, settings: Settings) -> None:
    """The topic definitions recorded, then ENTRIES analysed and stored, as an ingest does."""
    articles = [normalize_entry(RawEntry(source="f", outlet="O", title=t, summary=s, published=WHEN,
                                         link=f"http://sample.invalid/{i}"), WHEN)
                for i, (t, s) in enumerate(ENTRIES)]
    rematch.sync_definitions(store, settings)
    store.save_articles("r1", articles, Analyzer.from_settings(settings).analyze_many(articles), {})


def memberships(db: Database) -> set[tuple[str, str]]:
    return set(db.query("SELECT a.title, t.topic FROM article a JOIN article_topic t USING (article_id)"))


def test_a_topic_added_later_is_matched_against_stored_articles(tmp_path: Path) -> None:
    first = settings_with(tmp_path, [{"name": "conflict", "any": ["ceasefire", "kashmir"]}])
    with Database(first.database_path) as db:
        store = Store(db)
        store_entries(store, first)
        assert memberships(db) == {(ENTRIES[0][0], "conflict")}

        # The analyst adds a topic and widens the first one: the next run (or `newswatch rematch`) re-matches.
        second = settings_with(tmp_path, [{"name": "conflict", "any": ["ceasefire", "kashmir", "squad"]},
                                          {"name": "weather", "any": ["monsoon", "rain"]}])
        assert sorted(rematch.sync_definitions(store, second)) == ["conflict", "weather"]
        assert memberships(db) == {(ENTRIES[0][0], "conflict"), (ENTRIES[2][0], "conflict"),
                                   (ENTRIES[1][0], "weather")}
        assert rematch.sync_definitions(store, second) == []        # unchanged definitions: nothing to redo
        assert db.scalar("SELECT count(*) FROM article") == 3        # articles themselves untouched


def test_a_topic_renamed_or_removed_in_the_config_leaves_the_views_and_memberships(tmp_path: Path) -> None:
    """Membership follows the config. A topic renamed (the old name gone, a new one added) or removed must leave the
    `topic` table, its memberships and `daily_topic_coverage`: before, the old name stayed in the view for good,
    a row of zeros every day after the edit, flagged as a drop against its own past (a review's 110-day run)."""
    first = settings_with(tmp_path, [{"name": "border", "any": ["ceasefire", "kashmir"]},
                                     {"name": "weather", "any": ["monsoon", "rain"]}])
    with Database(first.database_path) as db:
        store = Store(db)
        store_entries(store, first)
        assert memberships(db) == {(ENTRIES[0][0], "border"), (ENTRIES[1][0], "weather")}

        renamed = settings_with(tmp_path, [{"name": "frontier", "any": ["ceasefire", "kashmir"]}])
        assert rematch.sync_definitions(store, renamed) == ["frontier"]
        assert memberships(db) == {(ENTRIES[0][0], "frontier")}
        assert db.query("SELECT name FROM topic") == [("frontier",)]
        assert {r[0] for r in db.query("SELECT DISTINCT topic FROM daily_topic_coverage")} == {"frontier"}
        assert db.query("SELECT topics FROM articles WHERE title = ?", [ENTRIES[0][0]]) == [(["frontier"],)]

        # Put back, a topic is matched over what is stored again, like any new topic.
        assert rematch.sync_definitions(store, first) == ["border", "weather"]
        assert memberships(db) == {(ENTRIES[0][0], "border"), (ENTRIES[1][0], "weather")}


def test_rematch_of_one_topic_leaves_another_edited_topic_to_the_next_run(tmp_path: Path) -> None:
    """Two topics edited, `newswatch rematch --topic weather` run: weather is matched again and its definition
    recorded; the other edited topic's stored definition stays the old one, so the next run still re-matches it
    (it used to be recorded too, and its memberships stayed stale)."""
    import shutil

    from newswatch import cli

    (tmp_path / "config").mkdir()
    shutil.copy(REPO / "config" / "actors.toml", tmp_path / "config" / "actors.toml")
    config = tmp_path / "config" / "newswatch.toml"

    def write(conflict: list[str], weather: list[str]) -> Settings:
        config.write_text(f'[storage]\ndatabase = "{tmp_path / "n.duckdb"}"\n'
                          f'[[topics]]\nname = "conflict"\nany = {conflict}\n'
                          f'[[topics]]\nname = "weather"\nany = {weather}\n', encoding="utf-8")
        return cli.load_settings(str(config))

    first = write(["ceasefire"], ["monsoon"])
    with Database(first.database_path) as db:
        store_entries(Store(db), first)

    second = write(["ceasefire", "squad"], ["monsoon", "cricket"])
    assert cli.main(["--config", str(config), "rematch", "--topic", "weather"]) == 0
    with Database(second.database_path) as db:
        store = Store(db)
        assert memberships(db) == {(ENTRIES[0][0], "conflict"), (ENTRIES[1][0], "weather"),
                                   (ENTRIES[2][0], "weather")}
        # The squad report joined the topics: its day's stories were grouped again, so it has one.
        assert db.query("SELECT count(*) FROM story_article JOIN article a USING (article_id) WHERE a.title = ?",
                        [ENTRIES[2][0]]) == [(1,)]
        assert db.get_meta("stories_due") is None
        assert rematch.sync_definitions(store, second) == ["conflict"]  # what the next run does first
        assert (ENTRIES[2][0], "conflict") in memberships(db)


def test_rematch_weighs_terms_with_the_stores_corpus_statistics(tmp_path: Path) -> None:
    """`newswatch rematch` matched with the English prior alone while an ingest weighs terms with the store's
    statistics, so a rematch with an unchanged config moved a seed topic's members. SAMPLE texts: a town whose name
    is in every stored article weighs little in this store, and much by the prior."""
    from newswatch.text.corpus_stats import CorpusStats

    seed = tmp_path / "seed.txt"
    seed.write_text("Fire at Kellmar harbour warehouses (SAMPLE)\nSAMPLE ARTICLE. A fire spread through warehouses "
                    "on the Kellmar harbour quay; firefighters kept it from the fuel tanks and ship traffic stopped.\n",
                    encoding="utf-8")
    settings = settings_with(tmp_path, [{"name": "fire", "seeds": [str(seed)]}])
    texts = [(f"Kellmar {what} (SAMPLE)", f"SAMPLE ARTICLE. The Kellmar {what} drew a crowd in the old town.")
             for what in ("market opens", "choir sings", "library reopens", "school fair", "tram timetable",
                          "bakery award", "museum night", "harbour walk", "quay cleanup", "ship tour")]
    articles = [normalize_entry(RawEntry(source="f", outlet="O", title=t, summary=s, published=WHEN,
                                         link=f"http://sample.invalid/k{i}"), WHEN) for i, (t, s) in enumerate(texts)]
    with Database(settings.database_path) as db:
        store = Store(db)
        rematch.sync_definitions(store, settings)
        store.save_articles("r1", articles, Analyzer.from_settings(settings).analyze_many(articles), {})
        stats = CorpusStats(stored=store.corpus_counts())
        with_store = Analyzer.from_settings(settings, stats)
        prior_only = Analyzer.from_settings(settings)
        expected = {a.title: [m.score for m in with_store.match_topics(a.title, a.text, None, "f")] for a in articles}
        by_prior = {a.title: [m.score for m in prior_only.match_topics(a.title, a.text, None, "f")] for a in articles}
        assert expected != by_prior  # the two weightings disagree on these articles: the check below can fail

        rematch.rematch(store, settings)
        stored = dict(db.query("SELECT a.title, t.score FROM article a JOIN article_topic t USING (article_id)"))
        assert {t: [stored[t]] if t in stored else [] for t in expected} == expected


def test_a_seed_file_rewritten_in_place_matches_its_topic_again(tmp_path: Path) -> None:
    """The analyst replaces the text of a seed-only topic's seed file (a better report of the story) and keeps its
    path. The topic's stored members were those of the old seed for good: the definition compared only the seed's
    path, so no run and no rematch of the next runs matched the stored articles again, and the digest compared new
    articles (matched against the new text) with a week of members of the old one."""
    seed = tmp_path / "seed.txt"
    seed.write_text("Ceasefire holds in Kashmir\nPakistan and India report a quiet night along the Line of Control "
                    "in Kashmir; the ceasefire holds.\n", encoding="utf-8")
    settings = settings_with(tmp_path, [{"name": "story", "seeds": [str(seed)]}])
    with Database(settings.database_path) as db:
        store = Store(db)
        store_entries(store, settings)
        assert memberships(db) == {(ENTRIES[0][0], "story")}

        seed.write_text("Monsoon forecast raised for Kerala\nThe weather office expects heavier monsoon rain over "
                        "Kerala this season.\n", encoding="utf-8")
        assert rematch.sync_definitions(store, settings) == ["story"]
        assert memberships(db) == {(ENTRIES[1][0], "story")}
        assert rematch.sync_definitions(store, settings) == []  # the same text again: nothing to redo

        # Touched, or saved again with the same words: the text a run reads is the same, so nothing is redone.
        seed.write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
        assert rematch.sync_definitions(store, settings) == []


def test_a_topic_stored_before_seed_texts_were_compared_is_not_matched_again_by_the_upgrade(tmp_path: Path) -> None:
    """A store from before migration 017 has no seeds hash: the first run records it and leaves the members as they
    are (an upgrade alone must not move a seed topic's figures); a seed rewritten after that is matched again."""
    seed = tmp_path / "seed.txt"
    seed.write_text("Ceasefire holds in Kashmir\nPakistan and India report a quiet night along the Line of Control "
                    "in Kashmir; the ceasefire holds.\n", encoding="utf-8")
    settings = settings_with(tmp_path, [{"name": "story", "seeds": [str(seed)]}])
    with Database(settings.database_path) as db:
        store = Store(db)
        store_entries(store, settings)
        db.execute("UPDATE topic SET seeds_hash = NULL")  # as migration 017 leaves an older store's topics
        db.execute("DELETE FROM article_topic")  # a membership the upgrade must not redo
        assert rematch.sync_definitions(store, settings) == []
        assert memberships(db) == set()
        assert db.scalar("SELECT seeds_hash FROM topic") is not None
        seed.write_text("Monsoon forecast raised for Kerala\nThe weather office expects heavier monsoon rain over "
                        "Kerala this season.\n", encoding="utf-8")
        assert rematch.sync_definitions(store, settings) == ["story"]
        assert memberships(db) == {(ENTRIES[1][0], "story")}
