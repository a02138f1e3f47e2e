"""The digest's measures and the SQL views on a small fixture whose numbers are worked out by hand below.

Fixture (topic `sample-topic`, time zone UTC, day D = 2025-03-10):
- D-7..D-1: 2 topic articles a day (tones 0.1 and 0.3; Actor X once each, tone 0.1; outlets A and B) and
  1 other article a day  -> 14 topic articles, 21 in all over the 7 days.
- D-20: 7 topic articles (tone 0.0, outlet A), nothing else.
- D: 6 topic articles (tones -0.5 x4, -0.4, -0.6; Actor X twice each, tone -0.6; Actor Y once in 3 of them,
  tone 0.2; 4 from outlet A, 2 from B) and 2 other articles; the name "Zed Quux" in 3 of them (first seen),
  "Old Name" in 2 (also once on D-3).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from newswatch.report.digest import build_digest, render_digest
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import TOPIC, Item, save, write_settings

D = date(2025, 3, 10)
A, B = "Outlet A (sample)", "Outlet B (sample)"


def fixture_items() -> list[Item]:
    items = []
    for k in range(1, 8):
        day = D - timedelta(days=k)
        items.append(Item(f"p{k}a", day, A, 0.1, actors=[("actor-x", 1, 0.1)]))
        items.append(
            Item(
                f"p{k}b",
                day,
                B,
                0.3,
                actors=[("actor-x", 1, 0.1)],
                candidates={"Old Name": 1} if k == 3 else {},
            )
        )
        items.append(Item(f"p{k}o", day, A, 0.0, topic=False))
    items += [Item(f"q{j}", D - timedelta(days=20), A, 0.0) for j in range(7)]
    for j, tone in enumerate([-0.5, -0.5, -0.5, -0.5, -0.4, -0.6]):
        actors = [("actor-x", 2, -0.6)] + ([("actor-y", 1, 0.2)] if j < 3 else [])
        cands = ({"Zed Quux": 1} if j < 3 else {}) | ({"Old Name": 1} if j in (3, 4) else {})
        items.append(Item(f"d{j}", D, A if j < 4 else B, tone, actors=actors, candidates=cands, minute=j))
    items += [Item(f"do{j}", D, B, 0.0, topic=False) for j in range(2)]
    return items


@pytest.fixture
def store(tmp_path: Path):
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        s = Store(db)
        save(s, fixture_items())
        yield s, settings


def test_topic_counts_share_and_tone_against_baselines(store) -> None:
    s, settings = store
    data = build_digest(s, settings, D)
    t = data["topics"][0]
    assert t["name"] == TOPIC
    assert t["count"]["value"] == 6
    assert t["count"]["base7"] == pytest.approx(14 / 7)  # 2 a day
    # 28-day base: over the 8 observed days (D-20 and D-7..D-1); the other 20 days nobody watched.
    assert t["count"]["base28"] == pytest.approx((14 + 7) / 8)
    assert t["count"]["change7"] == pytest.approx((6 - 2) / 2 * 100)  # +200 %
    assert t["volume_flag"] == "spike"  # 6 >= 5, 6 >= 3, z = 4/sqrt(2) = 2.83
    assert t["share"]["value"] == pytest.approx(6 / 8)
    assert t["share"]["base7"] == pytest.approx(14 / 21)
    assert t["share"]["base28"] == pytest.approx(21 / 28)
    tone = t["tone"]
    assert tone["day"]["mean"] == pytest.approx(-0.5)
    assert tone["day"]["sd"] == pytest.approx(math.sqrt(0.02 / 6))  # two articles 0.1 off the mean
    assert tone["base7"]["mean"] == pytest.approx(0.2)
    assert tone["base28"]["mean"] == pytest.approx((14 * 0.2) / 21)
    assert tone["change7"] == pytest.approx(-0.7)
    assert tone["flag"] == "harsher"
    assert data["totals"]["articles"] == 8 and data["totals"]["baseline_days"] == 7


def test_actors_share_of_voice_tone_change_and_first_seen(store) -> None:
    s, settings = store
    actors = {a["actor_id"]: a for a in build_digest(s, settings, D)["topics"][0]["actors"]}
    x, y = actors["actor-x"], actors["actor-y"]
    assert (x["mentions"], x["articles"], y["mentions"], y["articles"]) == (12, 6, 3, 3)
    assert x["share_of_voice"] == pytest.approx(12 / 15) and y["share_of_voice"] == pytest.approx(3 / 15)
    assert x["mentions_base7"] == pytest.approx(2.0) and x["mentions_change7"] == pytest.approx(500.0)
    assert x["tone"] == pytest.approx(-0.6) and x["tone7"] == pytest.approx(0.1)
    assert x["tone_change"] == pytest.approx(-0.7) and x["tone_flag"] == "harsher"
    assert not x["first_seen"] and y["first_seen"] and y["tone7"] is None


def test_outlets_against_their_own_baseline(store) -> None:
    s, settings = store
    outlets = {o["outlet"]: o for o in build_digest(s, settings, D)["topics"][0]["outlets"]}
    a = outlets[A]
    assert a["articles"] == 4 and a["base7"] == pytest.approx(1.0) and a["change7"] == pytest.approx(300.0)
    assert a["tone"] == pytest.approx(-0.5) and a["tone7"] == pytest.approx(0.1)
    assert a["harshest_on"][0] == {"actor": "Actor X", "tone": pytest.approx(-0.6), "articles": 4}


def test_candidates_and_highlights_list_only_what_changed(store) -> None:
    s, settings = store
    data = build_digest(s, settings, D)
    cands = {c["name"]: c for c in data["candidates"]}
    assert cands["Zed Quux"]["first_seen"] and cands["Zed Quux"]["articles"] == 3
    assert not cands["Old Name"]["first_seen"] and cands["Old Name"]["base7"] == pytest.approx(1 / 7)
    h = data["highlights"]
    assert any("spike" in x and "6 articles" in x for x in h)
    assert any("tone harsher" in x for x in h)
    assert any("Actor X turned harsher" in x for x in h)
    assert any("Actor Y appears for the first time" in x for x in h)
    assert any("Zed Quux" in x for x in h)
    assert not any("Old Name" in x for x in h)
    assert len(h) == 5


def test_rendered_digest_shows_each_figure_with_base_and_change(store) -> None:
    s, settings = store
    text = render_digest(build_digest(s, settings, D)).text
    assert "articles: 6 (7-day base 2, +200%; 28-day base 2.6) [spike]" in text
    assert "share of all articles: 75.0% (7-day 66.7%, +13%; 28-day 75.0%)" in text
    assert "Actor X: 12, 2, +500%; 80.0%; -0.60, +0.10, -0.70 [harsher]" in text
    assert "Zed Quux (new): 3 articles" in text


def test_views_give_the_same_numbers(store) -> None:
    s, _ = store
    row = s.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE day = ? AND topic = ?", [D, TOPIC])[0]
    assert (row["articles"], row["all_articles"]) == (6, 8)
    assert row["share"] == pytest.approx(0.75)
    assert row["articles_base7"] == pytest.approx(2.0) and row["articles_base28"] == pytest.approx(21 / 8)
    assert row["articles_change7"] == pytest.approx(200.0)
    assert row["share_base7"] == pytest.approx(14 / 21) and row["share_base28"] == pytest.approx(0.75)
    assert row["tone_mean"] == pytest.approx(-0.5) and row["tone_sd"] == pytest.approx(math.sqrt(0.02 / 6))
    assert row["tone_base7"] == pytest.approx(0.2) and row["tone_change7"] == pytest.approx(-0.7)
    assert (row["volume_flag"], row["tone_flag"]) == ("spike", "harsher")
    # The dense calendar: a day with no topic article is a row with 0, and D-20 has no history yet.
    quiet = s.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE day = ?", [D - timedelta(days=10)])[0]
    assert (quiet["articles"], quiet["all_articles"], quiet["volume_flag"]) == (0, 0, None)
    actor = s.db.query_dicts("SELECT * FROM daily_actor_tone WHERE day = ? AND actor_id = 'actor-x'", [D])[0]
    assert (actor["mentions"], actor["articles"], actor["actor_name"]) == (12, 6, "Actor X")
    assert actor["share_of_voice"] == pytest.approx(0.8) and actor["mentions_base7"] == pytest.approx(2.0)
    assert actor["tone_mean"] == pytest.approx(-0.6) and actor["tone_base7"] == pytest.approx(0.1)
    assert actor["tone_flag"] == "harsher" and not actor["first_seen_28"]
    y = s.db.query_dicts("SELECT * FROM daily_actor_tone WHERE day = ? AND actor_id = 'actor-y'", [D])[0]
    assert y["first_seen_28"] and y["first_day"] == D
    outlet = s.db.query_dicts(
        "SELECT * FROM outlet_actor_tone WHERE day = ? AND outlet = ? AND actor_id = 'actor-x'", [D, A]
    )[0]
    assert outlet["articles"] == 4 and outlet["tone_mean"] == pytest.approx(-0.6)
    # Outlet A's trailing 28 days about Actor X: 7 articles at 0.1 (D-20's articles name no actor).
    assert outlet["tone_base28"] == pytest.approx(0.1) and outlet["tone_change28"] == pytest.approx(-0.7)
    assert outlet["outlet_tone_base28"] == pytest.approx(0.1)
    # Its mean daily articles naming Actor X over the observed days among the 28 before (D-7..D-1 and D-20: 8),
    # as every other baseline: 7 / 8. Before migration 015 this view divided by 28 calendar days (0.25).
    assert outlet["baseline_days28"] == 8 and outlet["articles_base28"] == pytest.approx(7 / 8)
    assert isinstance(outlet["tone_n28"], int) and outlet["tone_n28"] == 7


def test_single_outlet_reports_are_not_listed_as_stories(store) -> None:
    s, settings = store
    assert build_digest(s, settings, D)["topics"][0]["stories"] == []
