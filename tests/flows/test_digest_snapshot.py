"""The digest flow on Prefect's real engine publishes the clients' copy from a snapshot taken while it builds the
digest (storage/db.py start_snapshot), and that copy holds exactly what the database holds afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import Database
from tests.support.dbfiles import all_tables, record_checkpoints_meanwhile, record_publishes

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


def test_the_ingest_checkpoints_while_it_groups_stories_and_its_copy_equals_the_database(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest that stores articles and publishes checkpoints its batches on a thread while the stories are grouped
    (storage/db.py checkpoint_meanwhile); the copy it publishes then holds exactly what the database holds, the
    stories included. A quiet rerun has nothing to checkpoint and does not start one."""
    from flows.ingest import ingest_flow

    entered = record_checkpoints_meanwhile(monkeypatch)
    config = str(project / "config" / "newswatch.toml")
    summary = ingest_flow(config_path=config)
    assert summary.articles_new > 0
    assert entered == ["newswatch.duckdb"]
    database, copy = project / "data" / "newswatch.duckdb", project / "data" / "newswatch-read.duckdb"
    assert all_tables(copy) == all_tables(database)
    with Database(copy, read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM story") > 0
    ingest_flow(config_path=config)
    assert entered == ["newswatch.duckdb"]
