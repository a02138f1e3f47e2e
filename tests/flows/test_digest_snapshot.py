"""The clients' copy on Prefect's real engine: the digest flow publishes it from a snapshot taken while it builds the
digest (storage/db.py start_snapshot), the ingest checkpoints while it groups its stories (checkpoint_meanwhile), and
either copy holds exactly what the database holds afterwards; a checkpoint that cannot write fails the run with its
cause and loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import Database
from tests.support.dbfiles import all_tables, record_checkpoints_meanwhile, record_publishes, scalar

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

REPO = Path(__file__).resolve().parents[2]


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


INGEST_ON_A_FULL_DISK = """
import resource, signal, sys
from storage.db import Database
from newswatch import cli

meanwhile = Database.checkpoint_meanwhile


def full_disk(self):
    # From here on no file of this process may grow, as on a full disk (EFBIG instead of ENOSPC).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (self.path.stat().st_size, resource.RLIM_INFINITY))
    return meanwhile(self)


Database.checkpoint_meanwhile = full_disk
sys.exit(cli.main(["--config", sys.argv[1], "ingest"]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are POSIX")
def test_an_ingest_whose_checkpoint_cannot_write_fails_with_the_cause_and_the_next_run_completes(
    project: Path,
) -> None:
    """The checkpoint beside the stories cannot write (a file size limit in a child process stands in for a full
    disk): DuckDB invalidates the database, so the run fails with the cause (not with a second error from recording
    its own failure), and a run without the limit completes the store as an uninterrupted run would."""
    from prefect.settings import PREFECT_API_URL

    from flows.ingest import ingest_flow

    config = str(project / "config" / "newswatch.toml")
    env = dict(os.environ, PREFECT_API_URL=str(PREFECT_API_URL.value()), PYTHONPATH=str(REPO))
    failed = subprocess.run([sys.executable, "-c", INGEST_ON_A_FULL_DISK, config], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert failed.returncode != 0
    error = failed.stderr[failed.stderr.rindex("newswatch: error:"):]
    assert "Failed to create checkpoint" in error and "File too large" in error, failed.stderr[-3000:]
    assert "UPDATE runs" not in error  # the run's own failure record, refused too, does not hide the cause
    database = project / "data" / "newswatch.duckdb"
    stored = scalar(database, "SELECT count(*) FROM article")
    assert stored > 0  # the batches were committed before the checkpoint
    again = ingest_flow(config_path=config)
    assert again.articles_new == 0
    assert scalar(database, "SELECT count(*) FROM article") == stored
    assert scalar(database, "SELECT count(*) FROM story") > 0  # the failed run's stories, grouped by this one
    assert all_tables(project / "data" / "newswatch-read.duckdb") == all_tables(database)
