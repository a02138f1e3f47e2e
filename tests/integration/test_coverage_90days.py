"""90 generated days in a real DuckDB file: the planted spike and tone shift are flagged, nothing else is.

The generator (tests/support/coverage_data.py) gives a quiet topic (8-12 articles a day, tone near 0) beside 20
other articles a day, 30 topic articles on SPIKE and harsh articles (about -0.5) on SHIFT.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from newswatch.analysis import stored_stories as coverage
from newswatch.config import Settings
from newswatch.days import day_bounds
from newswatch.report.digest import build_digest, render_digest
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import TOPIC, generate_days, save, write_settings

START = date(2025, 1, 1)
DAYS = 90
SPIKE, SHIFT = 40, 65


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Settings]]:
    settings = write_settings(tmp_path_factory.mktemp("days90"))
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, generate_days(START, DAYS, SPIKE, SHIFT))
        yield store, settings


def test_the_view_flags_the_planted_days_and_nothing_else(generated: tuple[Store, Settings]) -> None:
    store, _ = generated
    rows = store.db.query(
        "SELECT day, volume_flag, tone_flag FROM daily_topic_coverage WHERE topic = ? "
        "AND (volume_flag IS NOT NULL OR tone_flag IS NOT NULL) ORDER BY day",
        [TOPIC],
    )
    assert rows == [
        (START + timedelta(days=SPIKE), "spike", None),
        (START + timedelta(days=SHIFT), None, "harsher"),
    ]
    n = store.db.scalar("SELECT count(*) FROM daily_topic_coverage WHERE topic = ?", [TOPIC])
    assert n == DAYS  # one row per calendar day


def test_the_digest_flags_the_planted_days_and_nothing_else(generated: tuple[Store, Settings]) -> None:
    store, settings = generated
    flagged = {}
    for d in range(DAYS):
        day = START + timedelta(days=d)
        data = build_digest(store, settings, day)
        if data["highlights"]:
            flagged[d] = data["highlights"]
        t = data["topics"][0]
        assert (t["volume_flag"] == "spike") == (d == SPIKE), day
        assert (t["tone"]["flag"] == "harsher") == (d == SHIFT), day
    assert sorted(flagged) == [SPIKE, SHIFT]
    assert any("spike — 30 articles" in h for h in flagged[SPIKE])
    assert any("tone harsher" in h for h in flagged[SHIFT])


def test_digest_and_view_agree_on_every_day(generated: tuple[Store, Settings]) -> None:
    store, settings = generated
    view = {
        r["day"]: r
        for r in store.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE topic = ?", [TOPIC])
    }
    for d in (5, 30, SPIKE, SPIKE + 1, SHIFT, DAYS - 1):
        day = START + timedelta(days=d)
        t = build_digest(store, settings, day)["topics"][0]
        v = view[day]
        assert v["articles"] == t["count"]["value"]
        assert v["articles_base7"] == pytest.approx(t["count"]["base7"])
        assert v["articles_base28"] == pytest.approx(t["count"]["base28"])
        assert v["share_base7"] == pytest.approx(t["share"]["base7"])
        assert v["tone_mean"] == pytest.approx(t["tone"]["day"]["mean"])
        assert v["tone_base7"] == pytest.approx(t["tone"]["base7"]["mean"])


def test_the_spike_day_digest_shows_its_figures(generated: tuple[Store, Settings]) -> None:
    store, settings = generated
    data = build_digest(store, settings, START + timedelta(days=SPIKE))
    text = render_digest(data).text
    assert "articles: 30 (7-day base" in text and "[spike]" in text
    actor = store.db.query_dicts(
        "SELECT * FROM daily_actor_tone WHERE day = ? AND actor_id = 'actor-x'",
        [START + timedelta(days=SHIFT)],
    )[0]
    assert actor["tone_flag"] == "harsher"


def test_stories_are_stored_for_a_range_and_recomputed_the_same(generated: tuple[Store, Settings]) -> None:
    store, settings = generated
    first, last = START + timedelta(days=30), START + timedelta(days=33)
    done = coverage.refresh_stories(store, *day_bounds(first, last, settings.digest.tz))
    # The range re-clustered reaches the 48 hours after the days (docs/methods.md, "Stories").
    assert done.end == day_bounds(first, last, settings.digest.tz)[1] + coverage.STORY_WINDOW
    in_range = store.db.scalar(
        "SELECT count(*) FROM articles a WHERE published_at >= ? AND published_at < ? AND len(topics) > 0",
        [done.start, done.end],
    )
    assert done.articles == in_range
    before = store.db.query("SELECT story_id, article_ids FROM stories ORDER BY story_id")
    again = coverage.refresh_stories(store, *day_bounds(first, last, settings.digest.tz))
    assert again.articles == in_range
    assert store.db.query("SELECT story_id, article_ids FROM stories ORDER BY story_id") == before
    # Every placed article belongs to exactly one story.
    assert store.db.scalar("SELECT count(*) FROM story_article") == in_range
