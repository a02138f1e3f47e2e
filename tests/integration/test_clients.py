"""SQL clients and the schedule: the client copy stays open-able and consistent whatever the writer does.

- a reader process holds the copy open while two ingest runs complete, then reopens it and sees their rows;
- a writer killed (SIGKILL) at many points of its runs never leaves the copy unreadable, and the next run works;
- the duckdb command-line client 1.5.x (its own venv: .ci/run installs it in .venv-tools) reads the copy and
  every view while the working database is held open for writing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from newswatch.config import Settings
from storage.db import Database
from tests.support.coverage_data import write_settings
from tests.support.coverage_writer import ingest_batch

REPO = Path(__file__).resolve().parents[2]
VIEWS = [
    "articles",
    "article_actors",
    "daily_coverage",
    "daily_topic_coverage",
    "daily_actor_tone",
    "outlet_actor_tone",
    "stories",
]

READER = """
import sys, duckdb
path = sys.argv[1]
con = duckdb.connect(path, read_only=True)
count = lambda: con.execute("SELECT count(*) FROM articles").fetchone()[0]
print(count(), flush=True)
sys.stdin.readline()
print(count(), flush=True)          # the snapshot it opened, undisturbed
con.close()
con = duckdb.connect(path, read_only=True)
print(count(), con.execute("SELECT count(*) FROM stories").fetchone()[0], flush=True)
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return write_settings(tmp_path)


def test_a_reader_holding_the_copy_never_blocks_ingest_and_sees_new_rows_on_reopen(
    settings: Settings,
) -> None:
    ingest_batch(str(settings.path), 0, 50)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.client_copy_path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert int(reader.stdout.readline()) == 50
        # Two ingest runs complete while the reader holds the copy open.
        assert ingest_batch(str(settings.path), 50, 40) == 90
        assert ingest_batch(str(settings.path), 90, 30) == 120
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == 50
        reopened, stories = map(int, reader.stdout.readline().split())
        assert reopened == 120 and stories > 0
        assert reader.wait(timeout=60) == 0
    finally:
        reader.kill()


def _copy_is_readable(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        for view in VIEWS:
            con.execute(f"SELECT count(*) FROM {view}").fetchone()
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        con.close()


@pytest.mark.slow
def test_a_writer_killed_mid_run_never_leaves_the_copy_unreadable(settings: Settings) -> None:
    ingest_batch(str(settings.path), 0, 20)
    # One writer process forks a run per line and SIGKILLs it after the given delay: kill points spread over
    # opening, storing, clustering, copying and renaming (a run takes well under a second here).
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.coverage_writer",
            str(settings.path),
            "20",
            "60",
            "--kill-after",
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    outcomes, seen = [], []
    try:
        for step in range(10):
            writer.stdin.write(f"{step * 0.1}\n")
            writer.stdin.flush()
            outcomes.append(writer.stdout.readline().strip())
            n = _copy_is_readable(settings.client_copy_path)
            # The copy holds whole runs only: the first 20 articles plus whole batches of 60.
            assert (n - 20) % 60 == 0, n
            seen.append(n)
    finally:
        writer.stdin.close()
        writer.wait(timeout=60)
    assert "killed" in outcomes and seen == sorted(seen)
    # The next run after all those kills works, and publishes everything committed.
    total = ingest_batch(str(settings.path), 10**7, 10)
    assert _copy_is_readable(settings.client_copy_path) == total
    assert not list(settings.client_copy_path.parent.glob(f".{settings.client_copy_path.name}.*.tmp"))


def _duckdb_cli() -> str | None:
    """The duckdb command-line client 1.5.x: $NEWSWATCH_DUCKDB_CLI, .venv-tools/bin/duckdb, or on PATH."""
    for candidate in (
        os.environ.get("NEWSWATCH_DUCKDB_CLI"),
        str(REPO / ".venv-tools" / "bin" / "duckdb"),
        shutil.which("duckdb"),
    ):
        if candidate and Path(candidate).is_file():
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30).stdout
            if re.match(r"v1\.5\.", out.strip()):
                return candidate
    return None


def test_duckdb_cli_one_version_behind_reads_the_copy_while_the_writer_holds_the_database(
    settings: Settings,
) -> None:
    cli = _duckdb_cli()
    if cli is None:
        pytest.skip("duckdb command-line client 1.5.x not installed (.ci/run puts it in .venv-tools)")
    ingest_batch(str(settings.path), 0, 40)
    sql = "; ".join(f"SELECT '{v}', count(*) FROM {v}" for v in VIEWS)
    with Database(settings.database_path) as db:  # an ingest holding the working file
        db.execute("SELECT count(*) FROM article")
        out = subprocess.run(
            [cli, "-readonly", "-csv", "-noheader", str(settings.client_copy_path), "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 0, out.stderr
    counts = dict(line.split(",") for line in out.stdout.split())
    assert set(counts) == set(VIEWS)
    assert (
        int(counts["articles"]) == 40
        and int(counts["stories"]) > 0
        and int(counts["daily_topic_coverage"]) > 0
    )
