"""`newswatch digest --date D` after a digest run that mailed D's digest was killed before it recorded the delivery
(its outcome only in the journal beside the database): the version the reader received is kept in digest_version."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

DAY = date(2025, 5, 10)
ALICE = "alice@example.org"


def test_a_digest_mailed_by_a_killed_run_is_kept_when_its_day_is_built_again(project: Path) -> None:
    """The killed run had stored the digest with Alice 'failed, not mailed yet' (delivery.due_rows) and written
    'sent' to the journal once the server took the message. Before, the next build of the day read only the
    delivery table, found the version never mailed and wrote over it; the journal's 'sent' was recorded only
    afterwards, by the send step, so what Alice received was gone."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow
    from newswatch.report import delivery
    from storage.db import Database
    from storage.store import Store

    config = project / "config" / "newswatch.toml"
    database = project / "data" / "newswatch.duckdb"
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=DAY, send_mail=False)
    with Database(database) as db:
        [(built_at, subject, html)] = db.query("SELECT generated_at, subject, html FROM digest WHERE digest_date = ?",
                                               [DAY])
        Store(db).record_deliveries([(DAY, ALICE, "failed", 0, "smtp.example.org", datetime.now(UTC), None, None,
                                      delivery.NOT_MAILED_YET)])
    delivery.DeliveryJournal(delivery.journal_path(database)).write(delivery.Outcome(
        DAY, ALICE, "sent", 1, "smtp.example.org", datetime.now(UTC), "<m1@example.org>"))

    digest_flow(config_path=str(config), day=DAY, send_mail=False)
    with Database(database, read_only=True) as db:
        kept = db.query("SELECT generated_at, subject, html FROM digest_version WHERE digest_date = ?", [DAY])
        states = db.query("SELECT status FROM delivery WHERE digest_date = ?", [DAY])
    assert kept == [(built_at, subject, html)]
    assert states == [("sent",)]
    assert not delivery.journal_path(database).exists()
    # The read copy for SQL clients carries it too.
    with Database(project / "data" / "newswatch-read.duckdb", read_only=True) as copy:
        assert copy.query("SELECT generated_at FROM digest_version WHERE digest_date = ?", [DAY]) == [(built_at,)]
