"""The digest flow on Prefect's real engine publishes the clients' copy from a snapshot taken while it builds the
digest (storage/db.py start_snapshot), and that copy holds exactly what the database holds afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import Database
from tests.support.dbfiles import all_tables, record_publishes

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]


def test_the_digest_publishes_from_its_snapshot_and_the_copy_equals_the_database(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = str(project / "config" / "newswatch.toml")
    ingest_flow(config_path=config)
    published = record_publishes(monkeypatch)
    summary = digest_flow(config_path=config, send_mail=False)
    assert summary.topics > 0
    assert published == ["snapshot"]
    database, copy = project / "data" / "newswatch.duckdb", project / "data" / "newswatch-read.duckdb"
    assert all_tables(copy) == all_tables(database)
    with Database(copy, read_only=True) as db:  # the digest and its evidence are there for SQL clients
        assert db.scalar("SELECT count(*) FROM evidence") > 0
        assert db.scalar("SELECT count(*) FROM digest") == 1
