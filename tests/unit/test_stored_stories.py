"""Stored stories (newswatch/coverage.py): a range re-clustered, stories that began earlier continued, ids kept."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from newswatch.analysis import stored_stories as coverage
from newswatch.days import day_bounds
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import Item, save, write_settings

D = date(2025, 3, 10)
EVENT = "Flood closes harbour bridge and ferry terminal"
OTHER = "Festival opens at the city museum despite rail strike"


def test_day_groups_bridge_small_holes() -> None:
    days = [D, D + timedelta(days=1), D + timedelta(days=3), D + timedelta(days=30)]
    assert coverage.day_groups(days) == [(D, D + timedelta(days=3)), (D + timedelta(days=30),) * 2]


def test_a_story_that_began_before_the_range_keeps_its_id_and_gains_the_new_articles(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    tz = settings.digest.tz
    with Database(settings.database_path) as db:
        store = Store(db)
        save(
            store,
            [
                Item("e1", D, "Outlet A (sample)", title=EVENT, minute=600),
                Item("e2", D, "Outlet B (sample)", title=EVENT + " overnight", minute=660),
                Item("o1", D, "Outlet C (sample)", title=OTHER, minute=700),
            ],
        )
        coverage.refresh_stories(store, *day_bounds(D, D, tz))
        first = dict(db.query("SELECT article_id, story_id FROM story_article"))
        assert first["e1"] == first["e2"] != first["o1"]
        # The next day: two more outlets report the same event; a range of that day alone continues the story.
        save(
            store,
            [
                Item("e3", D + timedelta(days=1), "Outlet C (sample)", title=EVENT + " again", minute=700),
                Item(
                    "e4",
                    D + timedelta(days=1),
                    "Outlet D (sample)",
                    title="Harbour bridge flood: " + EVENT,
                    minute=800,
                ),
            ],
        )
        coverage.refresh_stories(store, *day_bounds(D + timedelta(days=1), D + timedelta(days=1), tz))
        links = dict(db.query("SELECT article_id, story_id FROM story_article"))
        assert links["e3"] == links["e4"] == first["e1"] and links["o1"] == first["o1"]
        row = db.query_dicts("SELECT * FROM stories WHERE story_id = ?", [first["e1"]])[0]
        assert (
            row["articles"] == 4 and row["n_outlets"] == 4 and row["article_ids"] == ["e1", "e2", "e3", "e4"]
        )
        assert row["first_day"] == D and row["growth"] == 2  # two articles after its first 24 hours
        # Run again over both days: the same stories.
        coverage.refresh_stories(store, *day_bounds(D, D + timedelta(days=1), tz))
        assert dict(db.query("SELECT article_id, story_id FROM story_article")) == links
