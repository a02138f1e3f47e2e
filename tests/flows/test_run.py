"""The README's main job, end to end on Prefect's real engine: the shipped config and samples in tmp_path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from newswatch import cli

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

SEED_TITLE = "Marco Rubio and the Peace Mission That’s Anything but Simple"


def memberships(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every article's topics (with score) and story, as stored."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        topics = con.execute("SELECT article_id, topic, score, via FROM article_topic ORDER BY ALL").fetchall()
        stories = con.execute("SELECT article_id, story_id FROM story_article ORDER BY ALL").fetchall()
        return topics, stories
    finally:
        con.close()


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in ("articles", "article_actors", "sentence", "mention", "article_topic")}
    finally:
        con.close()


def test_run_ingests_scores_stores_and_digests_then_a_rerun_adds_nothing(project: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = str(project / "config" / "newswatch.toml")
    assert cli.main(["--config", config, "run"]) == 0
    out = capsys.readouterr().out
    assert "articles:" in out and "new" in out and "digest for 2025-05-10" in out

    client_db = project / "data" / "newswatch-read.duckdb"
    con = duckdb.connect(str(client_db), read_only=True)
    try:
        seed = con.execute("SELECT article_id, topics, published_day::VARCHAR FROM articles WHERE title = ?",
                           [SEED_TITLE]).fetchall()
        assert len(seed) == 1
        article_id, topics, day = seed[0]
        assert "india-pakistan" in topics and day == "2025-05-10"
        actors = dict(con.execute("SELECT actor_id, tone FROM article_actors WHERE article_id = ?",
                                  [article_id]).fetchall())
        for actor in ("marco-rubio", "pakistan", "india", "united-states", "china"):
            assert actor in actors, actor
            assert actors[actor] is not None
        # Every ingested item is stored; topic membership is kept apart and is a subset.
        total, in_topic = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE len(topics) > 0) FROM articles").fetchone()  # type: ignore[misc]
        assert 0 < in_topic < total
        feeds_ok = con.execute("SELECT count(*) FROM feeds WHERE last_status = 'ok'").fetchone()[0]  # type: ignore[index]
        assert feeds_ok == 4
    finally:
        con.close()

    html = (project / "digests" / "digest-2025-05-10.html").read_text(encoding="utf-8")
    text = (project / "digests" / "digest-2025-05-10.txt").read_text(encoding="utf-8")
    for topic in ("india-pakistan", "us-diplomacy-south-asia"):
        assert topic in html and topic in text
    assert "7-day base" in html and "7-day base" in text

    # The sample story: the ceasefire day is a spike in the watched topic.
    assert "spike" in text
    # Every actor the views flag is flagged in the digest too, also those below the table's top 8 (in india-pakistan:
    # the United States' harsher coverage, the sample Herald's planted criticism of Washington, and Ishaq Dar first
    # seen; with actor-tone model 2.0 it was Pahalgam's warmer coverage instead of the United States').
    with duckdb.connect(str(client_db), read_only=True) as con:
        flagged = con.execute(
            "SELECT topic, actor_name, tone_flag FROM daily_actor_tone "
            "WHERE day = DATE '2025-05-10' AND (tone_flag IS NOT NULL OR (first_seen_28 AND articles >= 2))"
        ).fetchall()
    assert {("india-pakistan", "United States"), ("india-pakistan", "Ishaq Dar")} <= {(t, a) for t, a, _f in flagged}
    for topic, actor, tone_flag in flagged:
        line = (f"{topic}: coverage of {actor} turned {tone_flag}" if tone_flag
                else f"{topic}: {actor} appears for the first time in the window")
        assert line in text, line
    before, stored = counts(client_db), memberships(client_db)
    assert stored[1], "no stored stories"
    assert cli.main(["--config", config, "run"]) == 0
    assert "0 new" in capsys.readouterr().out
    # A rerun adds nothing and leaves memberships and stories exactly as they were.
    assert counts(client_db) == before
    assert memberships(client_db) == stored


def test_run_makes_one_copy_for_clients_and_the_ingests_own_when_the_digest_fails(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`newswatch run` copies the database for clients once: the ingest leaves it to the digest, which starts its
    copy from the database as the ingest left it. When the digest fails before publishing, the run still publishes
    the ingest's articles."""
    from newswatch.report import digest as digest_mod
    from tests.support.dbfiles import record_checkpoints_meanwhile, record_publishes, scalar

    published = record_publishes(monkeypatch)
    checkpointed = record_checkpoints_meanwhile(monkeypatch)
    config = str(project / "config" / "newswatch.toml")
    working, client_db = project / "data" / "newswatch.duckdb", project / "data" / "newswatch-read.duckdb"
    assert cli.main(["--config", config, "run"]) == 0
    assert published == ["snapshot"]  # the digest's, brought up to date from its snapshot; none by the ingest
    # The ingest checkpointed its batches while it grouped the stories: the digest's copy starts from them.
    assert checkpointed == ["newswatch.duckdb"]
    assert counts(client_db) == counts(working)

    # A new inbox file, then a digest that fails: the run publishes what the ingest stored.
    (project / "samples" / "inbox" / "test-late-note.txt").write_text(
        "Late note: talks resume (SAMPLE)\n\nSAMPLE ARTICLE written for this test. Officials in India and Pakistan "
        "said talks on the ceasefire would resume next week, after a quiet weekend along the border.\n",
        encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("digest broke")

    monkeypatch.setattr(digest_mod, "build_digest", broken)
    published.clear()
    with pytest.raises(RuntimeError, match="digest broke"):
        cli.main(["--config", config, "run"])
    assert published == ["bytes"]
    assert counts(client_db) == counts(working)
    assert scalar(client_db, "SELECT count(*) FROM articles WHERE title LIKE 'Late note%'") == 1


def test_a_deferred_copy_is_made_by_the_next_run_even_if_the_run_that_deferred_it_died(project: Path) -> None:
    """An ingest told to leave the clients' copy to its caller records that in the database: if the caller never
    publishes (`newswatch run` killed before its digest), the next ingest does, though it stores nothing new."""
    from flows.ingest import ingest_flow
    from tests.support.dbfiles import scalar

    config = str(project / "config" / "newswatch.toml")
    working, client_db = project / "data" / "newswatch.duckdb", project / "data" / "newswatch-read.duckdb"
    assert ingest_flow(config_path=config).articles_new > 0
    published = counts(client_db)
    (project / "samples" / "inbox" / "test-late-note.txt").write_text(
        "Late note: talks resume (SAMPLE)\n\nSAMPLE ARTICLE written for this test. Officials in India and Pakistan "
        "said talks on the ceasefire would resume next week, after a quiet weekend along the border.\n",
        encoding="utf-8")
    deferred = ingest_flow(config_path=config, publish=False)
    assert deferred.articles_new == 1 and deferred.client_copy_due
    assert counts(client_db) == published  # not published: the caller was to do it, and "died"

    again = ingest_flow(config_path=config)
    assert again.articles_new == 0 and not again.client_copy_due
    assert counts(client_db) == counts(working) != published
    for db in (working, client_db):  # the mark is cleared, and the copy never carried it
        assert scalar(db, "SELECT count(*) FROM meta WHERE key = 'client_copy_due'") == 0


def test_a_copy_that_failed_to_publish_is_made_by_the_next_run_though_it_stores_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk holding the clients' copy fills up (or its folder turns read-only) while an ingest that stored a new
    article publishes: that run fails naming the cause, and the next run, once there is room, publishes though it
    stores nothing new. Before, a review's full tmpfs left the copy without the article until some later run changed
    something: the rerun's `db.changes` was 0 and the copy existed. The byte copy is the part that fails here (the
    child process writing it is given a full disk); root needs no mount for it."""
    import storage.db as db_mod
    from flows.ingest import ingest_flow
    from newswatch.errors import StorageError

    config = str(project / "config" / "newswatch.toml")
    working, client_db = project / "data" / "newswatch.duckdb", project / "data" / "newswatch-read.duckdb"
    assert ingest_flow(config_path=config).articles_new > 0
    published = counts(client_db)
    assert not db_mod.copy_due_path(working).exists()
    (project / "samples" / "inbox" / "test-late-note.txt").write_text(
        "Late note: talks resume (SAMPLE)\n\nSAMPLE ARTICLE written for this test. Officials in India and Pakistan "
        "said talks on the ceasefire would resume next week, after a quiet weekend along the border.\n",
        encoding="utf-8")

    def full_disk(source: Path, dest: Path) -> None:
        raise StorageError(f"{dest}: cannot write the copy for SQL clients: OSError: [Errno 28] No space left on "
                           "device")

    with monkeypatch.context() as patched:
        patched.setattr(db_mod, "copy_held_file", full_disk)
        with pytest.raises(StorageError, match="No space left on device"):
            ingest_flow(config_path=config)
    assert counts(client_db) == published
    assert not list(client_db.parent.glob(".newswatch-read.duckdb.*.tmp"))

    again = ingest_flow(config_path=config)
    assert again.articles_new == 0
    assert counts(client_db) == counts(working) != published
    assert not db_mod.copy_due_path(working).exists()
    quiet = ingest_flow(config_path=config)  # and a quiet run after it keeps the copy, as before
    assert quiet.articles_new == 0 and not db_mod.copy_due_path(working).exists()


def test_a_deferred_copy_that_cannot_be_made_now_is_a_warning_and_left_to_the_next_run(
        project: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """The run's own publish (its digest published none) meets a database another process holds: the run does not
    fail for it; the ingest's mark stays, so the next run publishes."""
    import subprocess
    import sys

    from prefect import flow

    from flows import run as run_mod
    from flows.ingest import ingest_flow
    from newswatch.config import load_settings
    from storage.db import Database

    config = str(project / "config" / "newswatch.toml")
    settings = load_settings(config)
    assert ingest_flow(config_path=config, publish=False).client_copy_due
    monkeypatch.setattr(run_mod, "PUBLISH_WAIT", 1.0)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(30)"),
        str(settings.database_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        flow(run_mod._publish)(settings)
    finally:
        holder.kill()
        holder.wait()
    captured = capfd.readouterr()
    assert "the next run publishes it" in captured.out + captured.err
    assert not settings.client_copy_path.exists()
    with Database(settings.database_path) as db:
        assert db.copy_due


def test_with_a_copy_interval_an_ingest_leaves_a_recent_copy_and_the_first_ingest_past_it_publishes(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`[storage] client_copy_interval_minutes`: an ingest that stores something while the clients' copy is younger
    than the interval leaves it (a mark in the database); the next ingest once the copy is older publishes, though
    it stores nothing new; with the interval at 0 every ingest that changed something publishes."""
    import os
    import time

    from flows.ingest import ingest_flow
    from tests.support.dbfiles import record_checkpoints_meanwhile, record_publishes, scalar

    toml = project / "config" / "newswatch.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'database = "data/newswatch.duckdb"',
        'database = "data/newswatch.duckdb"\nclient_copy_interval_minutes = 60', 1), encoding="utf-8")
    config = str(toml)
    working, client_db = project / "data" / "newswatch.duckdb", project / "data" / "newswatch-read.duckdb"
    published = record_publishes(monkeypatch)
    checkpointed = record_checkpoints_meanwhile(monkeypatch)
    assert ingest_flow(config_path=config).articles_new > 0
    assert published == ["bytes"]  # no copy yet: the first run publishes whatever the interval
    assert len(checkpointed) == 1  # and checkpoints its batches while it groups the stories
    first = counts(client_db)

    (project / "samples" / "inbox" / "test-late-note.txt").write_text(
        "Late note: talks resume (SAMPLE)\n\nSAMPLE ARTICLE written for this test. Officials in India and Pakistan "
        "said talks on the ceasefire would resume next week, after a quiet weekend along the border.\n",
        encoding="utf-8")
    left = ingest_flow(config_path=config)
    assert left.articles_new == 1 and left.client_copy_due
    assert published == ["bytes"] and counts(client_db) == first  # the copy is minutes old: left as it was
    assert len(checkpointed) == 1  # and so is the checkpoint: the publishing run makes it
    assert scalar(working, "SELECT value FROM meta WHERE key = 'client_copy_due'") == "1"

    quiet = ingest_flow(config_path=config)  # still within the interval, nothing new: nothing published
    assert quiet.articles_new == 0 and quiet.client_copy_due and published == ["bytes"]

    hour_ago = time.time() - 61 * 60
    os.utime(client_db, (hour_ago, hour_ago))
    due = ingest_flow(config_path=config)
    assert due.articles_new == 0 and not due.client_copy_due
    assert published == ["bytes", "bytes"]
    assert len(checkpointed) == 1  # it stored nothing: the publish's own checkpoint is all there is to do
    assert counts(client_db) == counts(working) != first
    assert scalar(client_db, "SELECT count(*) FROM articles WHERE title LIKE 'Late note%'") == 1
    for db in (working, client_db):
        assert scalar(db, "SELECT count(*) FROM meta WHERE key = 'client_copy_due'") == 0


def test_an_ingest_stopped_before_its_stories_has_them_grouped_by_the_next_run(
        project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ingest killed (or failed) after storing its articles and before grouping them into stories: the next run,
    which stores nothing new, must still group them, so the store ends as a run never stopped would leave it. Before,
    the next run re-grouped only the days of its own new articles, and a review's killed runs left 123-143 of the
    sample's topic articles in no story for good."""
    import shutil

    from flows import ingest as ingest_mod
    from flows.ingest import ingest_flow
    from newswatch.config import load_settings

    reference = tmp_path_factory.mktemp("reference")
    for name in ("config", "samples"):
        shutil.copytree(project / name, reference / name)
    ingest_flow(config_path=str(reference / "config" / "newswatch.toml"))
    expected = memberships(load_settings(str(reference / "config" / "newswatch.toml")).database_path)
    assert expected[1], "the samples make stories"

    config = str(project / "config" / "newswatch.toml")
    database = load_settings(config).database_path

    def stopped(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stopped before its stories (SAMPLE)")

    monkeypatch.setattr(ingest_mod, "refresh_run_stories", stopped)
    with pytest.raises(RuntimeError, match="before its stories"):
        ingest_flow(config_path=config)
    monkeypatch.undo()
    con = duckdb.connect(str(database))
    try:  # a SIGKILL leaves the run's row 'running' rather than 'failed': the next run marks it interrupted
        con.execute("UPDATE runs SET status = 'running' WHERE kind = 'ingest'")
        assert con.execute("SELECT count(*) FROM story_article").fetchone() == (0,)
    finally:
        con.close()

    again = ingest_flow(config_path=config)
    assert again.articles_new == 0
    assert memberships(database) == expected
    con = duckdb.connect(str(database), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM runs WHERE kind = 'ingest' AND stories_at IS NULL").fetchone() == (0,)
    finally:
        con.close()
