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
