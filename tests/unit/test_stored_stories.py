"""Stored stories (newswatch/coverage.py): a range re-clustered, stories that began earlier continued, ids kept."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from newswatch.analysis import stored_stories as coverage
from newswatch.analysis.stories import story_id_for
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


# SAMPLE DATA written for these tests: one made-up event over a week (a port strike in a fictional town).
STRIKE = [
    "Dockworkers at Kellmar port walk out over pay",
    "Kellmar port strike halts container traffic",
    "Kellmar strike: union rejects port operator's new offer",
    "Food importers warn of shortages as Kellmar port strike continues",
    "Government appoints mediator in Kellmar port dispute",
    "Kellmar port talks resume under mediator",
    "Kellmar dockworkers vote on deal to end strike",
    "Cranes move again at Kellmar port as strike ends",
    "Kellmar port clears backlog after strike",
    "Kellmar strike cost traders millions, chamber says",
    "Union and operator sign Kellmar port pay agreement",
    "Kellmar port back to normal a week after strike began",
]


def _runs(tmp_path: Path, runs: list[list[Item]], headlines: dict[str, str] | None = None) -> dict[str, str]:
    """Each run stores its items and refreshes the local days they were published on, as an ingest does; the
    stored links at the end (and each story's headline into `headlines`). Fails if a link points at a story that
    is not stored."""
    settings = write_settings(tmp_path)
    tz = settings.digest.tz
    with Database(settings.database_path) as db:
        store = Store(db)
        for items in runs:
            save(store, items)
            for first, last in coverage.day_groups(sorted({i.day for i in items})):
                coverage.refresh_stories(store, *day_bounds(first, last, tz))
        assert db.query("SELECT article_id, story_id FROM story_article "
                        "WHERE story_id NOT IN (SELECT story_id FROM story)") == []
        spans = db.query("SELECT max(a.published_at) - min(a.published_at) FROM story_article sa "
                         "JOIN article a USING (article_id) GROUP BY sa.story_id")
        assert all(span <= coverage.STORY_WINDOW for (span,) in spans)
        if headlines is not None:
            headlines.update(db.query("SELECT story_id, headline FROM story"))
        return dict(db.query("SELECT article_id, story_id FROM story_article"))


def test_a_week_long_event_stored_run_by_run_splits_as_in_one_run(tmp_path: Path) -> None:
    """One scheduled run per new report: each run re-clusters its own day, and a story that began before it must
    stay open only until 48 h after its real start. Before, the context was clustered again from scratch, a
    story restarted at its first member inside the context, and the week became one chain."""
    items = [Item(f"k{i:02d}", D + timedelta(days=i // 2), ("Outlet A (sample)", "Outlet B (sample)")[i % 2],
                  title=title, minute=-180 if i % 2 == 0 else 540) for i, title in enumerate(STRIKE)]
    run_headlines: dict[str, str] = {}
    once_headlines: dict[str, str] = {}
    by_run = _runs(tmp_path / "runs", [[item] for item in items], run_headlines)
    at_once = _runs(tmp_path / "once", [items], once_headlines)
    assert by_run == at_once
    assert len(set(at_once.values())) >= 3  # six days cannot be one story
    # Each story's headline too: chosen again as the story grows (before, the first run's stayed for good).
    assert run_headlines == once_headlines


def test_an_earlier_report_arriving_late_takes_its_story_whole(tmp_path: Path) -> None:
    """e0 is published before the story's first article but stored a day later: the story's first article, and
    so its id, change. Before, only e0's day was re-clustered, the old story row was deleted, and the story's
    article of the next day kept a link to it (the digest then showed it in no story)."""
    e0 = Item("e0", D, "Outlet C (sample)", title=EVENT + " at dawn", minute=-120)
    rest = [Item("e1", D, "Outlet A (sample)", title=EVENT, minute=60),
            Item("e2", D, "Outlet B (sample)", title=EVENT + " overnight", minute=120),
            Item("e3", D + timedelta(days=1), "Outlet D (sample)", title="Harbour bridge flood: " + EVENT)]
    late = _runs(tmp_path / "late", [rest, [e0]])
    at_once = _runs(tmp_path / "once", [[e0, *rest]])
    assert late == at_once
    assert set(late.values()) == {story_id_for("e0")}


def test_a_report_just_before_a_range_still_starts_the_story_the_range_continues(tmp_path: Path) -> None:
    """A late report from the evening before the stored story's first day: the range re-clustered reaches the
    window after it, so the next day's articles join the story it now starts, as in one run."""
    e0 = Item("e0", D - timedelta(days=1), "Outlet C (sample)", title=EVENT + " late news", minute=900)
    rest = [Item("e1", D, "Outlet A (sample)", title=EVENT, minute=60),
            Item("e2", D, "Outlet B (sample)", title=EVENT + " overnight", minute=120)]
    assert _runs(tmp_path / "late", [rest, [e0]]) == _runs(tmp_path / "once", [[e0, *rest]])


def test_a_days_digest_heads_its_stories_with_a_report_published_by_that_day(tmp_path: Path) -> None:
    """The stored headline is chosen over all of a story's reports, later ones too; a digest built (or rebuilt)
    after its day showed a later day's title over reports that did not carry it. Now a day's digest uses the stored
    headline when one of the reports it counts carries it, else the story's first report's title."""
    from newswatch.report.digest import build_digest

    settings = write_settings(tmp_path)
    tz = settings.digest.tz
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, [Item("e1", D, "Outlet A (sample)", title=EVENT, minute=600),
                     Item("e2", D, "Outlet B (sample)", title=EVENT + " overnight", minute=660),
                     Item("e3", D + timedelta(days=1), "Outlet C (sample)", title="Harbour bridge flood: " + EVENT)])
        coverage.refresh_stories(store, *day_bounds(D, D + timedelta(days=1), tz))
        (story_id,) = {s for (s,) in db.query("SELECT story_id FROM story_article")}
        db.execute("UPDATE story SET headline = ?", ["Harbour bridge flood: " + EVENT])  # as if e3 were central
        first_day = build_digest(store, settings, D)["topics"][0]["stories"]
        next_day = build_digest(store, settings, D + timedelta(days=1))["topics"][0]["stories"]
    assert [(s["story_id"], s["headline"], s["articles"]) for s in first_day] == [(story_id, EVENT, 2)]
    assert [(s["headline"], s["articles"]) for s in next_day] == [("Harbour bridge flood: " + EVENT, 3)]


def _story_rows(db: Database) -> list[tuple[str, str]]:
    return sorted(db.query("SELECT article_id, story_id FROM story_article"))


def test_changed_days_are_regrouped_in_parts_as_one_pass_and_taken_off_the_note(tmp_path: Path) -> None:
    """Days noted as changed (a topic edited can touch every day of the history) are regrouped in parts of at most
    DUE_SPAN_DAYS, each taken off the note when done; the result is one pass's. A first version regrouped them all
    at once, every topic article of the history in memory together."""
    settings = write_settings(tmp_path)
    tz = settings.digest.tz
    items = [Item(f"k{i:02d}", D + timedelta(days=i // 2), ("Outlet A (sample)", "Outlet B (sample)")[i % 2],
                  title=title, minute=-180 if i % 2 == 0 else 540) for i, title in enumerate(STRIKE * 4)]
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, items)
        coverage.refresh_stories(store, *day_bounds(D, D + timedelta(days=30), tz))
        once = _story_rows(db)
        db.execute("DELETE FROM story_article")
        db.execute("DELETE FROM story")
        days = sorted({i.day for i in items})
        assert days[-1] - days[0] > timedelta(days=coverage.DUE_SPAN_DAYS)
        from storage.stories import note_stories_due

        note_stories_due(db, days)
        parts: list[list[date]] = []
        clear = store.clear_stories_due
        store.clear_stories_due = lambda dates: (parts.append(list(dates)), clear(dates))[1]  # type: ignore[method-assign]
        assert coverage.refresh_due_stories(store, tz) == days
        assert len(parts) >= 2 and sorted(d for part in parts for d in part) == days
        assert all(part[-1] - part[0] < timedelta(days=coverage.DUE_SPAN_DAYS) for part in parts)
        assert _story_rows(db) == once
        assert store.stories_due() == [] and db.get_meta("stories_due") is None


def test_the_upgrade_regroup_ends_at_the_latest_real_publication_time(tmp_path: Path) -> None:
    """One item dated next year (or an undated item, stamped when read) must not move the regrouped days away from
    the store's news: a first version regrouped 30 empty days around the future date and marked the store done."""
    settings = write_settings(tmp_path)
    tz = settings.digest.tz
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, [Item("e1", D, "Outlet A (sample)", title=EVENT, minute=600),
                     Item("e2", D, "Outlet B (sample)", title=EVENT + " overnight", minute=660),
                     Item("far", date(2099, 1, 1), "Outlet C (sample)", title=OTHER)])
        db.set_meta({"stories_method": "before-016"})
        assert coverage.regroup_for_method(store, tz) == (D - timedelta(days=coverage.REGROUP_DAYS - 1), D)
        links = dict(db.query("SELECT article_id, story_id FROM story_article"))
        assert links["e1"] == links["e2"]
        assert store.stories_method() == coverage.STORIES_METHOD


def test_a_story_whose_later_reports_leave_the_topics_is_headed_by_what_it_keeps(tmp_path: Path) -> None:
    """e2 heads the story; a rematch takes e2 and e3 out of every topic, so the story keeps e1 alone. A first
    version left e2's title as its headline, the title of an article no longer in it (found by a review)."""
    from newswatch.models import TopicMatch
    from tests.support.coverage_data import TOPIC

    settings = write_settings(tmp_path)
    tz = settings.digest.tz
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, [Item("e1", D, "Outlet A (sample)", title="Flood closes harbour bridge", minute=-450),
                     Item("e2", D + timedelta(days=2), "Outlet B (sample)", title=EVENT, minute=-470),
                     Item("e3", D + timedelta(days=2), "Outlet C (sample)", title=EVENT + " again", minute=-460)])
        coverage.refresh_stories(store, *day_bounds(D, D + timedelta(days=2), tz))
        assert db.query("SELECT count(*) FROM story_article") == [(3,)]
        store.replace_topic_matches([TOPIC], [("e1", TopicMatch(TOPIC, 1.0, "keywords"))])
        coverage.refresh_due_stories(store, tz)
        assert db.query("SELECT s.headline, list(sa.article_id) FROM story s JOIN story_article sa USING (story_id) "
                        "GROUP BY ALL") == [("Flood closes harbour bridge", ["e1"])]
