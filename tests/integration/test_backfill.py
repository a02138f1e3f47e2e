"""Backfill (flows/backfill.py, without the engine): stories and digests of past days recomputed, no email."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from flows.backfill import backfill_days
from newswatch.cli import build_parser
from newswatch.errors import ConfigError
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import generate_days, save, write_settings

START = date(2025, 1, 1)


def test_backfill_rewrites_digests_and_stories_for_each_day(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        save(Store(db), generate_days(START, 20, spike_day=15, shift_day=99))
    first, last = START + timedelta(days=14), START + timedelta(days=16)
    summary = backfill_days(settings, first, last)
    assert summary.days == 3 and summary.stories > 0
    assert [Path(p).name for p in summary.digests] == [
        f"digest-{first + timedelta(days=i)}.html" for i in range(3)
    ]
    assert all(Path(p).is_file() and Path(p).with_suffix(".txt").is_file() for p in summary.digests)
    con = duckdb.connect(str(settings.client_copy_path), read_only=True)
    try:
        rows = con.execute("SELECT digest_date, data FROM digest ORDER BY digest_date").fetchall()
        assert [r[0] for r in rows] == [first, first + timedelta(days=1), last]
        spike = json.loads(rows[1][1])["topics"][0]
        assert spike["volume_flag"] == "spike" and spike["count"]["value"] == 30
        # Stories are re-clustered over the days and the 48 hours after them (a story begun on the last day may
        # take their articles: docs/methods.md, "Stories"), every topic article of them placed.
        reach = last + timedelta(days=2)
        placed = con.execute(
            "SELECT count(*) FROM story_article sa JOIN articles a USING (article_id) "
            "WHERE a.published_day BETWEEN ? AND ?",
            [first, reach],
        ).fetchone()[0]
        in_range = con.execute(
            "SELECT count(*) FROM articles WHERE published_day BETWEEN ? AND ? AND len(topics) > 0",
            [first, reach],
        ).fetchone()[0]
        assert placed == in_range == summary.story_articles
        assert con.execute("SELECT kind, status FROM runs").fetchall() == [("backfill", "ok")]
    finally:
        con.close()


def test_backfill_rejects_a_reversed_range(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    with pytest.raises(ConfigError, match="before"):
        backfill_days(settings, START, START - timedelta(days=1))


def test_backfill_command_takes_from_and_to() -> None:
    args = build_parser().parse_args(["backfill", "--from", "2025-05-01", "--to", "2025-05-10"])
    assert (args.first, args.last) == (date(2025, 5, 1), date(2025, 5, 10))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["backfill", "--from", "2025-05-01"])


def test_a_failing_chart_write_keeps_the_stored_digest_and_its_charts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A digest and its charts are replaced together or not at all."""
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        save(Store(db), generate_days(START, 20, spike_day=15, shift_day=99))
    day = START + timedelta(days=15)
    backfill_days(settings, day, day)
    with Database(settings.database_path) as db:
        before = db.query("SELECT generated_at, html FROM digest WHERE digest_date = ?", [day])
        images = db.query("SELECT name FROM digest_image WHERE digest_date = ? ORDER BY name", [day])
    assert before and images

    real_insert = Database.insert_rows

    def failing_insert(self: Database, table: str, *args: object, **kwargs: object) -> int:
        if table == "digest_image":
            raise RuntimeError("disk full while writing the charts")
        return real_insert(self, table, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Database, "insert_rows", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        backfill_days(settings, day, day)
    monkeypatch.undo()
    with Database(settings.database_path) as db:
        assert db.query("SELECT generated_at, html FROM digest WHERE digest_date = ?", [day]) == before
        assert db.query("SELECT name FROM digest_image WHERE digest_date = ? ORDER BY name", [day]) == images


def test_a_digest_mailed_by_a_run_that_died_before_recording_it_is_kept_when_backfill_rewrites_its_day(
    tmp_path: Path,
) -> None:
    """A digest run stored its digest, mailed Alice (the journal beside the database says 'sent') and was killed
    before it moved the journal into the database: the delivery row still reads 'failed, not mailed yet'. Backfill
    then rewrites the day. What Alice received must be kept in digest_version: before, the rebuild looked only at
    the delivery table, found nothing mailed, and wrote over it; the journal said 'sent' only afterwards."""
    from datetime import UTC, datetime

    from newswatch.report import delivery

    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        save(Store(db), generate_days(START, 20, spike_day=15, shift_day=99))
    day = START + timedelta(days=15)
    backfill_days(settings, day, day)  # the version to be mailed
    with Database(settings.database_path) as db:
        [(mailed_at, mailed_html)] = db.query("SELECT generated_at, html FROM digest WHERE digest_date = ?", [day])
        # What the digest flow writes with the digest when it is to mail it (delivery.due_rows) ...
        Store(db).record_deliveries([(day, "alice@example.org", "failed", 0, "smtp.example.org", datetime.now(UTC),
                                      None, None, delivery.NOT_MAILED_YET)])
    # ... and what its send step wrote to the journal once the server took the message, before it was killed.
    delivery.DeliveryJournal(delivery.journal_path(settings.database_path)).write(delivery.Outcome(
        day, "alice@example.org", "sent", 1, "smtp.example.org", datetime.now(UTC), "<m1@example.org>"))

    backfill_days(settings, day, day)
    with Database(settings.database_path, read_only=True) as db:
        kept = db.query("SELECT generated_at, html FROM digest_version WHERE digest_date = ?", [day])
        states = dict(db.query("SELECT recipient, status FROM delivery WHERE digest_date = ?", [day]))
    assert kept == [(mailed_at, mailed_html)]
    assert states == {"alice@example.org": "sent"}
    assert not delivery.journal_path(settings.database_path).exists()
