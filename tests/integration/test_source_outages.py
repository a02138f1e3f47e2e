"""A source that could not be fetched on the digest's day while the others were: the day is watched (another
source was fetched), so its figures are compared with the days before, and a drop that is only the outage must
say so. SAMPLE data (tests/support/evidence_data.py's Doc), time zone UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from newswatch.models import FetchResult
from newswatch.report.digest import build_digest, render_digest
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import write_settings
from tests.support.evidence_data import A, B, D, Doc, save_docs


def _history(store: Store, *, wire_on_day: bool) -> None:
    """A week of 6 topic articles a day from the wire and 2 from the herald, every day fetched; on D the herald's
    2 and, when `wire_on_day`, the wire's 6. Without it every fetch of the wire on D failed (HTTP 500)."""
    store.sync_actors([])
    docs = [Doc(f"w{k}-{j}", D - timedelta(days=k), A, [("A quiet sample day at the harbour.", 0.0)], j,
                source="wire") for k in range(1, 8) for j in range(6)]
    docs += [Doc(f"h{k}-{j}", D - timedelta(days=k), B, [("The sample council met.", 0.0)], 10 + j,
                 source="herald") for k in range(0, 8) for j in range(2)]
    if wire_on_day:
        docs += [Doc(f"w0-{j}", D, A, [("A quiet sample day at the harbour.", 0.0)], j, source="wire")
                 for j in range(6)]
    save_docs(store, docs)
    if not wire_on_day:
        store.save_fetches("run-outage", [
            FetchResult(feed="wire", url="https://feeds.example.invalid/wire", status="error", http_status=500,
                        error_kind="http_error", error="HTTP 500",
                        fetched_at=datetime.combine(D, time(h), tzinfo=UTC)) for h in (1, 7, 13, 19)], {}, {})


def test_a_source_not_fetched_on_the_day_is_named_in_the_totals_and_under_the_drop(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        _history(store, wire_on_day=False)
        data = build_digest(store, settings, D)
        topic = data["topics"][0]
        # The rule is unchanged: the day was watched (the herald was fetched), 2 articles against 8 a day is a drop.
        assert (topic["count"]["value"], topic["count"]["base7"], topic["volume_flag"]) == (2.0, 8.0, "drop")
        assert data["totals"]["unwatched_sources"] == [{"source": "wire", "days7": 7}]
        drop = next(f for f in data["flags"] if f["flag"] == "drop")
        assert drop["summary"].endswith("; not fetched on the day: wire (mean 6 a day before)")
        rendered = render_digest(data)
        for text in (rendered.text, rendered.html, rendered.markdown):
            assert "not fetched on this day: wire (fetched on 7 of the 7 days before)" in text


def test_nothing_is_said_when_every_source_was_fetched(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        _history(store, wire_on_day=True)
        data = build_digest(store, settings, D)
        assert data["totals"]["unwatched_sources"] == []
        assert data["flags"] == []
        rendered = render_digest(data)
        assert "not fetched" not in rendered.text and "not fetched" not in rendered.html


def _fetch(store: Store, when: datetime, entries: int, new: int) -> None:
    store.save_fetches("run-" + when.isoformat(), [FetchResult(feed="wire", url="https://feeds.example.invalid/wire",
                                                               status="ok", fetched_at=when)],
                       {"wire": (entries, new)}, {})


def test_a_day_after_which_a_feed_went_unfetched_until_its_items_had_scrolled_away_says_so(tmp_path: Path) -> None:
    """The machine stopped on D after the wire's fetch at 09:00 and came back 10 days later: the wire, which lists
    its last 25 items, then listed 25 items none of which was stored before, so what it published between the two
    fetches may be lost, D's afternoon among it. D was watched (fetched that morning), so its low count is compared
    with the week before; the digest must say the wire may lack D's articles. A fetch that lists items stored
    before (the feed still reached back to the last fetch) says nothing."""
    settings = write_settings(tmp_path)
    for reached_back in (False, True):
        with Database(tmp_path / f"db-{reached_back}.duckdb") as db:
            store = Store(db)
            _history(store, wire_on_day=True)
            _fetch(store, datetime.combine(D, time(9), tzinfo=UTC), 25, 3)
            after = datetime.combine(D + timedelta(days=10), time(7), tzinfo=UTC)
            _fetch(store, after, 25, 20 if reached_back else 25)
            # The oldest item that fetch stored was published on D+7 (08:00): D+7 onwards was in the feed.
            save_docs(store, [Doc("late", D + timedelta(days=7), A, [("A late sample report.", 0.0)], source="wire")],
                      watched=False)
            db.execute("UPDATE article SET run_id = ? WHERE article_id = 'late'", ["run-" + after.isoformat()])
            data = build_digest(store, settings, D)
            gaps = data["totals"]["possibly_incomplete_sources"]
            if reached_back:
                assert gaps == []
                continue
            assert gaps == [{"source": "wire", "since": "2025-03-10 09:00", "until": "2025-03-20 07:00",
                             "oldest": "2025-03-17 08:00", "entries": 25}]
            rendered = render_digest(data)
            for text in (rendered.text, rendered.html, rendered.markdown):
                assert ("wire may lack articles of this day: its fetch at 2025-03-20 07:00, the first since "
                        "2025-03-10 09:00, listed 25 items, none stored before, the oldest published 2025-03-17 08:00"
                        ) in text.replace("\\", "")
            # The day before is untouched: the wire was fetched after its end and before the gap.
            assert build_digest(store, settings, D - timedelta(days=1))["totals"]["possibly_incomplete_sources"] == []
            # Nor the days the feed still listed, from its oldest item on.
            assert build_digest(store, settings, D + timedelta(days=8))["totals"]["possibly_incomplete_sources"] == []
            assert build_digest(store, settings, D + timedelta(days=6))["totals"]["possibly_incomplete_sources"] != []


def test_a_spike_when_a_feed_is_back_names_the_feed_missing_from_the_baseline(tmp_path: Path) -> None:
    """The wire (12 topic articles a day) was down on 5 of the 7 days before D: no fetch, no article. Back on D, the
    day's 14 articles against a baseline held down by its absence (mean 38/7) is a spike; the spike's summary must
    say the wire was missing from the baseline, and how much of the day it carried. The herald, fetched every day,
    is not named; nor is the wire when it was fetched every day (no spike then)."""
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_actors([])
        docs = [Doc(f"w{k}-{j}", D - timedelta(days=k), A, [("A quiet sample day at the harbour.", 0.0)], j,
                    source="wire") for k in (0, 6, 7) for j in range(12)]
        docs += [Doc(f"h{k}-{j}", D - timedelta(days=k), B, [("The sample council met.", 0.0)], 10 + j,
                     source="herald") for k in range(0, 8) for j in range(2)]
        save_docs(store, docs)
        data = build_digest(store, settings, D)
        topic = data["topics"][0]
        assert (topic["count"]["value"], topic["volume_flag"]) == (14.0, "spike")
        assert data["totals"]["sources_missing_before"] == [{"source": "wire", "missing": 5, "days": 7}]
        spike = next(f for f in data["flags"] if f["flag"] == "spike")
        assert spike["summary"].endswith("; fetched on the day, missing from the baseline: wire (12 of the day's "
                                         "articles; not fetched on 5 of the 7 days before)")
    with Database(tmp_path / "every-day.duckdb") as db:
        store = Store(db)
        _history(store, wire_on_day=True)
        assert build_digest(store, settings, D)["totals"]["sources_missing_before"] == []


def test_a_feed_renamed_in_the_config_is_neither_missing_on_the_day_nor_missing_from_the_baseline(
        tmp_path: Path) -> None:
    """The analyst renamed the wire's feed ("wire" -> "wire-world", same URL) the day before D. The wire was fetched
    every day under one name or the other, but the digest of D said "not fetched on this day: wire (fetched on 7 of
    the 7 days before)", as for an outage, and a spike on D named "wire-world" missing from the baseline on all 7
    days before, though its articles were in the baseline under the old name. A feed renamed is followed through
    its URL (the feeds table keeps the old name, inactive, with it)."""
    settings = write_settings(tmp_path)
    url = "https://feeds.example.invalid/wire"
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_feeds([("wire", "feed", url, A, None, None),
                          ("herald", "feed", "https://feeds.example.invalid/herald", B, None, None)])
        store.sync_actors([])
        docs = [Doc(f"w{k}-{j}", D - timedelta(days=k), A, [("A quiet sample day at the harbour.", 0.0)], j,
                    source="wire") for k in range(1, 8) for j in range(6)]
        docs += [Doc(f"h{k}-{j}", D - timedelta(days=k), B, [("The sample council met.", 0.0)], 10 + j,
                     source="herald") for k in range(0, 8) for j in range(2)]
        docs += [Doc(f"n0-{j}", D, A, [("A quiet sample day at the harbour.", 0.0)], j, source="wire-world")
                 for j in range(14)]
        store.sync_feeds([("wire-world", "feed", url, A, None, None),
                          ("herald", "feed", "https://feeds.example.invalid/herald", B, None, None)])
        save_docs(store, docs)
        data = build_digest(store, settings, D)
        assert data["topics"][0]["volume_flag"] == "spike"  # 16 articles against 8 a day: the day itself
        assert data["totals"]["unwatched_sources"] == []
        assert data["totals"]["sources_missing_before"] == []
        spike = next(f for f in data["flags"] if f["flag"] == "spike")
        assert "missing from the baseline" not in spike["summary"]
        rendered = render_digest(data)
        assert "not fetched" not in rendered.text and "not fetched" not in rendered.html


def test_a_renamed_feed_down_on_the_day_is_named_under_its_new_name_with_its_whole_mean(tmp_path: Path) -> None:
    """Renamed ("wire" -> "wire-world") two days before D and down all of D: the drop names it under its current
    name, fetched on all 7 days before, with its mean over them (6 a day), the old name's articles counted."""
    settings = write_settings(tmp_path)
    url = "https://feeds.example.invalid/wire"
    herald = ("herald", "feed", "https://feeds.example.invalid/herald", B, None, None)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_feeds([("wire", "feed", url, A, None, None), herald])
        store.sync_feeds([("wire-world", "feed", url, A, None, None), herald])
        store.sync_actors([])
        docs = [Doc(f"w{k}-{j}", D - timedelta(days=k), A, [("A quiet sample day at the harbour.", 0.0)], j,
                    source="wire" if k > 1 else "wire-world") for k in range(1, 8) for j in range(6)]
        docs += [Doc(f"h{k}-{j}", D - timedelta(days=k), B, [("The sample council met.", 0.0)], 10 + j,
                     source="herald") for k in range(0, 8) for j in range(2)]
        save_docs(store, docs)
        data = build_digest(store, settings, D)
        assert data["totals"]["unwatched_sources"] == [{"source": "wire-world", "days7": 7}]
        drop = next(f for f in data["flags"] if f["flag"] == "drop")
        assert drop["summary"].endswith("; not fetched on the day: wire-world (mean 6 a day before)")


def test_a_search_feed_whose_one_result_is_new_is_not_said_to_lack_articles(tmp_path: Path) -> None:
    """A search feed answers a query over the provider's last day: a narrow query's one new result after a quiet
    day lists only new items though nothing was missed, so it is never named as a source that may lack articles.
    The same fetches of an ordinary feed are (the rule itself), and one listed item reads as one item."""
    from newswatch.models import SEARCH_KIND

    settings = write_settings(tmp_path)
    for kind in (SEARCH_KIND, "rss"):
        with Database(tmp_path / f"db-{kind}.duckdb") as db:
            store = Store(db)
            _history(store, wire_on_day=True)
            store.sync_feeds([("wire", kind, "https://feeds.example.invalid/wire", None, None, None)])
            _fetch(store, datetime.combine(D - timedelta(days=2), time(9), tzinfo=UTC), 1, 1)
            _fetch(store, datetime.combine(D, time(10), tzinfo=UTC), 1, 1)
            data = build_digest(store, settings, D)
            gaps = data["totals"]["possibly_incomplete_sources"]
            if kind == SEARCH_KIND:
                assert gaps == []
                continue
            assert [g["source"] for g in gaps] == ["wire"]
            assert "listed 1 item, not stored before" in render_digest(data).text
