"""Crash safety: ingest runs SIGKILLed at random moments leave a database that opens, with no partial article and
no duplicate; the next run completes the set, stories included. Runs the real ingest flow (Prefect's engine) in forked children."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from storage.db import Database

pytestmark = [pytest.mark.flow, pytest.mark.slow, pytest.mark.usefixtures("prefect_engine")]

REPO = Path(__file__).resolve().parents[2]
TRIALS = 20
WORDS = ["ceasefire", "talks", "border", "Kashmir", "Islamabad", "New", "Delhi", "Washington", "army", "minister", "officials", "said", "the", "strikes", "drone", "civilians", "markets", "shelling", "calm", "tense", "diplomats", "pressure", "dialogue"]


def write_workload(root: Path, feeds: int = 3, items: int = 60) -> Path:
    rng = random.Random(7)
    (root / "feeds").mkdir(parents=True)
    blocks = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(6)]
            day = 1 + (i % 20)
            entries.append(f"<item><title>Sample {f}-{i} Pakistan India update</title>"
                           f"<link>http://sample.invalid/{f}/{i}</link><guid>{f}-{i}</guid>"
                           f"<pubDate>{day:02d} May 2025 10:00:00 GMT</pubDate>"
                           f"<description>{' '.join(sentences)}</description></item>")
        (root / "feeds" / f"f{f}.xml").write_text(
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>Sample {f}</title>{''.join(entries)}"
            "</channel></rss>", encoding="utf-8")
        blocks.append(f'[[feeds]]\nname = "f{f}"\nurl = "feeds/f{f}.xml"\n')
    (root / "config").mkdir()
    (root / "config" / "actors.toml").write_bytes((REPO / "config" / "actors.toml").read_bytes())
    config = root / "config" / "newswatch.toml"
    config.write_text("\n".join(blocks) + '[storage]\ndatabase = "data/n.duckdb"\n[runner]\nbatch_size = 20\n'
                      'workers = 1\n[[topics]]\nname = "south-asia"\nany = ["pakistan", "india"]\n',
                      encoding="utf-8")
    return config


def check_consistent(db_path: Path) -> int:
    """The database opens (replaying its WAL) and every stored article is whole. Returns the article count."""
    with Database(db_path) as db:   # opening for writing replays the WAL as the next run would
        n = db.scalar("SELECT count(*) FROM article")
        partial = db.scalar(
            "SELECT count(*) FROM article a WHERE a.n_sentences <> "
            "(SELECT count(*) FROM sentence s WHERE s.article_id = a.article_id) "
            "OR NOT EXISTS (SELECT 1 FROM sighting g WHERE g.article_id = a.article_id)")
        assert partial == 0
        orphans = db.scalar("SELECT count(*) FROM sentence s WHERE s.article_id NOT IN (SELECT article_id FROM article)")
        assert orphans == 0
        dupes = db.scalar("SELECT count(*) - count(DISTINCT url) FROM article")
        assert dupes == 0
        return int(n)


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    config = write_workload(tmp_path)
    db_path = tmp_path / "data" / "n.duckdb"
    env = dict(os.environ, PREFECT_API_URL=str(PREFECT_API_URL.value()), PYTHONPATH=str(REPO))
    zygote = subprocess.Popen([sys.executable, "-m", "tests.support.zygote"], cwd=REPO, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert zygote.stdin is not None and zygote.stdout is not None

    def start() -> int:
        zygote.stdin.write(f"run {config}\n")  # type: ignore[union-attr]
        zygote.stdin.flush()  # type: ignore[union-attr]
        return int(zygote.stdout.readline())  # type: ignore[union-attr]

    def wait(pid: int) -> int:
        zygote.stdin.write(f"wait {pid}\n")  # type: ignore[union-attr]
        zygote.stdin.flush()  # type: ignore[union-attr]
        return int(zygote.stdout.readline())  # type: ignore[union-attr]

    try:
        # A reference run in a separate database gives the complete set and the length of a run.
        reference = tmp_path / "reference"
        reference.mkdir()
        t0 = time.monotonic()
        pid = start()
        assert wait(pid) == 0
        duration = time.monotonic() - t0
        os.replace(db_path, reference / "n.duckdb")
        expected = check_consistent(reference / "n.duckdb")
        assert expected == 180

        rng = random.Random(2024)
        killed = 0
        for _ in range(TRIALS):
            pid = start()
            time.sleep(rng.uniform(0.05, duration * 0.9))
            try:
                os.killpg(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
            wait(pid)
            check_consistent(db_path)
        assert killed >= TRIALS // 2
        pid = start()
        assert wait(pid) == 0
        assert check_consistent(db_path) == expected
        ids = {r[0] for r in duckdb.connect(str(db_path), read_only=True).execute(
            "SELECT article_id FROM article").fetchall()}
        ref = {r[0] for r in duckdb.connect(str(reference / "n.duckdb"), read_only=True).execute(
            "SELECT article_id FROM article").fetchall()}
        assert ids == ref

        def stories(path: Path) -> set[tuple[str, str]]:
            con = duckdb.connect(str(path), read_only=True)
            try:
                return {(r[0], r[1]) for r in con.execute("SELECT article_id, story_id FROM story_article").fetchall()}
            finally:
                con.close()

        # Runs killed after storing articles and before their stories: the last run groups their days too.
        assert stories(db_path) == stories(reference / "n.duckdb")
    finally:
        zygote.stdin.write("quit\n")
        zygote.stdin.flush()
        zygote.wait(timeout=30)
