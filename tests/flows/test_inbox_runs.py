"""The drop folder through the real ingest flow (Prefect's engine, a real DuckDB file): files that cannot be read,
or are read only in part, never stop the run or cost another file its articles, and a file that failed for a reason
other than its content is read again by the next run. Also: what a run of many batches keeps in memory."""

from __future__ import annotations

import pathlib
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

CONFIG = """\
[storage]
database = "data/newswatch.duckdb"

[inbox]
paths = ["inbox", "inbox-to-come"]
outlet = "Inbox (sample)"

[[topics]]
name = "sample"
description = "Sample topic for tests."
any = ["ceasefire"]

[fulltext]
enabled = false
"""

GOOD_TEXT = ("Ceasefire holds for a second day (SAMPLE)\n\nSAMPLE ARTICLE written for this test. Engineers said the "
             "new portal will use the <main> element and a <b> tag, and that x<y and y>z held all week.\n")


def project(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "newswatch.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parents[2] / "config" / "actors.toml", tmp_path / "config" / "actors.toml")
    (tmp_path / "inbox").mkdir()
    return tmp_path / "config" / "newswatch.toml"


def query(root: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(root / "data" / "newswatch.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_bad_files_are_recorded_and_the_good_ones_stored_in_the_same_run(tmp_path: Path) -> None:
    from flows.ingest import ingest_flow

    config = project(tmp_path)
    inbox = tmp_path / "inbox"
    # Plain text with tag-like words: a .txt file is text, never HTML, so nothing of it may be lost.
    (inbox / "a-good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    # A date with no UTC time (year 1 at +01:00): a problem of that record; the first-seen time stands in.
    (inbox / "b-year-one.jsonl").write_text(
        '{"title": "Ceasefire talks resume (SAMPLE)", "published": "0001-01-01T00:00:00+01:00", '
        '"text": "SAMPLE ARTICLE written for this test about the ceasefire talks."}\n', encoding="utf-8")
    (inbox / "c-nested.json").write_text("[" * 100_000, encoding="utf-8")  # too deep for any JSON reader
    (inbox / "d-empty-list.json").write_text("[]", encoding="utf-8")  # no records

    summary = ingest_flow(config_path=str(config))

    assert (summary.files_read, summary.files_failed, summary.articles_new) == (2, 2, 2)
    errors = " | ".join(summary.errors)
    assert "out of range" in errors and "nested too deeply" in errors and "an empty list" in errors
    assert "inbox-to-come: inbox folder does not exist (yet)" in errors  # a warning, not a failed file
    texts = dict(query(tmp_path, "SELECT title, body FROM article"))
    assert "use the <main> element and a <b> tag, and that x<y and y>z" in texts[GOOD_TEXT.split("\n")[0]]
    assert query(tmp_path, "SELECT published_estimated FROM article WHERE title LIKE 'Ceasefire talks%'") == [(True,)]
    statuses = {Path(p).name: s for p, s in query(tmp_path, "SELECT path, status FROM inbox_file")}
    assert statuses == {"a-good.txt": "ok", "b-year-one.jsonl": "ok", "c-nested.json": "error",
                        "d-empty-list.json": "error"}


def test_a_file_that_could_not_be_opened_is_read_by_the_next_run_though_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mocked: the file's permissions. The tests may run as root, whom no permission stops, so the first run's
    open() of this one file fails as a permission error would. Fixing permissions (chmod) changes neither the
    file's size nor its modification time, so an unchanged file must still be read again."""
    from flows.ingest import ingest_flow

    config = project(tmp_path)
    note = tmp_path / "inbox" / "locked.txt"
    note.write_text(GOOD_TEXT, encoding="utf-8")
    real_open = pathlib.Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(pathlib.Path, "open", refuse)
        first = ingest_flow(config_path=str(config))
    assert (first.files_read, first.files_failed, first.articles_new) == (0, 1, 0)
    assert "file_unreadable" in " ".join(first.errors)
    assert query(tmp_path, "SELECT status FROM inbox_file") == [("retry",)]

    second = ingest_flow(config_path=str(config))
    assert (second.files_read, second.files_failed, second.articles_new) == (1, 0, 1)
    assert query(tmp_path, "SELECT status FROM inbox_file") == [("ok",)]
    third = ingest_flow(config_path=str(config))
    assert (third.files_read, third.articles_new) == (0, 0)  # read once it was read: not again


def test_a_folder_that_cannot_be_listed_is_reported_and_read_once_it_can_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mocked: the folder's permissions, as above (root lists any folder). An inbox sub-folder, or the inbox itself,
    that cannot be listed was skipped without a word (a review's `chmod 311 inbox` gave "0 files", exit 0): each run
    now says which folder and why, and its files are read by the first run that can list it."""
    import os

    from flows.ingest import ingest_flow

    config = project(tmp_path)
    (tmp_path / "inbox" / "a-good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "inbox" / "locked").mkdir()
    (tmp_path / "inbox" / "locked" / "b-later.txt").write_text(GOOD_TEXT.replace("second", "third"), encoding="utf-8")
    real_scandir = os.scandir

    def refuse(path: Any = ".") -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    with monkeypatch.context() as patched:
        patched.setattr(os, "scandir", refuse)
        first = ingest_flow(config_path=str(config))
    assert (first.files_read, first.files_failed, first.articles_new) == (1, 0, 1)
    assert any("locked: cannot list this inbox folder (Permission denied)" in e for e in first.errors), first.errors

    second = ingest_flow(config_path=str(config))
    assert (second.files_read, second.articles_new) == (1, 1)
    assert not any("cannot list" in e for e in second.errors)


def test_a_link_to_a_file_outside_the_inbox_is_refused_and_one_inside_is_read(tmp_path: Path) -> None:
    """A symbolic link dropped into the inbox that names a file elsewhere (`ln -s /etc/passwd passwd.txt`, or the
    service's environment file holding the mail password) had that file stored as an article, in the read copy for
    every SQL client. It is refused, naming the link; a link to another file inside an inbox folder is read."""
    from flows.ingest import ingest_flow

    config = project(tmp_path)
    secret = tmp_path / "config" / "secret.env.txt"
    secret.write_text("NEWSWATCH_SMTP_PASSWORD=hunter2\nsecond line\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    (inbox / "stash").mkdir()
    (inbox / "stash" / "a-good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inbox / "b-linked.txt").symlink_to(inbox / "stash" / "a-good.txt")
    (inbox / "c-secret.txt").symlink_to(secret)
    (inbox / "d-loop.txt").symlink_to(inbox / "d-loop.txt")

    summary = ingest_flow(config_path=str(config))
    assert summary.articles_new == 1 and summary.files_failed == 1
    errors = " | ".join(summary.errors)
    assert "c-secret.txt: outside_inbox:" in errors and "outside the inbox folders; not read" in errors
    assert query(tmp_path, "SELECT count(*) FROM article WHERE body LIKE '%hunter2%' OR title LIKE '%hunter2%'") \
        == [(0,)]


def test_a_file_that_breaks_the_reader_in_an_unforeseen_way_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mocked: a defect nobody knows yet. The date parser raises an error no reader expects, for one file; the
    run records that file as failed, naming the error, and stores the other file."""
    from flows.ingest import ingest_flow
    from newswatch.sources import inbox

    config = project(tmp_path)
    (tmp_path / "inbox" / "a-good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "inbox" / "b-odd.jsonl").write_text(
        '{"title": "Ceasefire (SAMPLE)", "published": "2025-05-10", "text": "SAMPLE ARTICLE."}\n', encoding="utf-8")

    def broken(value: Any, where: str) -> Any:
        raise RuntimeError("an unforeseen defect")

    monkeypatch.setattr(inbox, "parse_published", broken)
    summary = ingest_flow(config_path=str(config))
    assert (summary.files_read, summary.files_failed, summary.articles_new) == (1, 1, 1)
    assert "bad_file" in " ".join(summary.errors) and "RuntimeError: an unforeseen defect" in " ".join(summary.errors)
    statuses = {Path(p).name: s for p, s in query(tmp_path, "SELECT path, status FROM inbox_file")}
    assert statuses == {"a-good.txt": "ok", "b-odd.jsonl": "error"}


def test_a_store_from_before_the_corpus_statistics_gets_them_counted_once(tmp_path: Path) -> None:
    """A store created before migration 008 has articles that corpus_df never counted (its counting starts at the
    upgrade). The first ingest that finds them uncounted counts every stored article once, to exactly what a store
    counting from its first article holds; the next ingest has nothing to count."""
    from flows.ingest import ingest_flow

    config = project(tmp_path)
    (tmp_path / "inbox" / "a-good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "inbox" / "b.jsonl").write_text(
        '{"title": "Ceasefire talks resume (SAMPLE)", "published": "2025-05-10", '
        '"text": "SAMPLE ARTICLE written for this test about the ceasefire talks in the region."}\n', encoding="utf-8")
    ingest_flow(config_path=str(config))
    counts = "SELECT term, df FROM corpus_df ORDER BY term"
    fresh = query(tmp_path, counts)
    assert fresh and query(tmp_path, "SELECT value FROM meta WHERE key = 'corpus_docs'") == [("2",)]

    with duckdb.connect(str(tmp_path / "data" / "newswatch.duckdb")) as con:  # as an upgraded old store has it
        con.execute("DELETE FROM corpus_df")
        con.execute("DELETE FROM meta WHERE key = 'corpus_docs'")
    ingest_flow(config_path=str(config))
    assert query(tmp_path, counts) == fresh
    assert query(tmp_path, "SELECT value FROM meta WHERE key = 'corpus_docs'") == [("2",)]
    ingest_flow(config_path=str(config))  # counted: nothing more
    assert query(tmp_path, counts) == fresh


REPORTS = {  # SAMPLE texts: two made-up events a day apart, each reported by two outlets in their own words
    (8, 6): ("Ceasefire monitors count shelling near river crossing",
             "Ceasefire monitors counted overnight shelling near the river "
             "crossing at Dunmere, where villagers sheltered in a school until the guns fell silent."),
    (8, 9): ("Shelling at Dunmere crossing tests ceasefire",
             "Overnight shelling at the Dunmere river crossing tested the "
             "ceasefire; villagers who sheltered in the school said monitors arrived by morning."),
    (9, 7): ("Prisoner exchange brings forty soldiers home",
             "Forty soldiers came home in a prisoner exchange at the Kestrel "
             "airfield, the first handover agreed under the ceasefire, with families waiting on the tarmac."),
    (9, 10): ("Families greet soldiers freed in Kestrel airfield exchange",
              "Families on the tarmac of Kestrel airfield greeted forty "
              "soldiers freed in the prisoner exchange, the first such handover since the ceasefire."),
}


def _report(day: int, hour: int) -> str:
    import json

    title, text = REPORTS[(day, hour)]
    return json.dumps({"title": title, "published": f"2025-05-{day:02d}T{hour:02d}:00:00Z",
                       "outlet": f"Outlet {hour} (sample)", "language": "en", "text": text})


def test_an_upgraded_store_gets_its_stories_regrouped_and_its_language_tags_mapped_once(tmp_path: Path) -> None:
    """A store from before migration 016 keeps what an older version derived: its stories as an older method grouped
    them, its declared languages as written ('en-US'). The first ingest after the upgrade regroups the stories of the
    days the digest compares with today's method, to what a new store holds, and maps the tags; then it is done.
    Before, both stayed for good (a review found 88 stories where a new store had 54, and 'en-us' beside 'en')."""
    from flows.ingest import ingest_flow
    from newswatch.analysis.stored_stories import STORIES_METHOD

    config = project(tmp_path)
    inbox = tmp_path / "inbox"
    (inbox / "reports.jsonl").write_text("\n".join(_report(day, hour) for day, hour in REPORTS) + "\n",
                                         encoding="utf-8")
    ingest_flow(config_path=str(config))
    stories = "SELECT story_id, list_sort(list(article_id)) FROM story_article GROUP BY story_id ORDER BY story_id"
    fresh = query(tmp_path, stories)
    assert len(fresh) == 2
    assert query(tmp_path, "SELECT value FROM meta WHERE key = 'stories_method'") == [(STORIES_METHOD,)]
    assert query(tmp_path, "SELECT count(*) FROM meta WHERE key = 'language_tags'") == [(0,)]  # a new store: none

    with duckdb.connect(str(tmp_path / "data" / "newswatch.duckdb")) as con:  # as a store from before 016 has it
        con.execute("UPDATE story_article SET story_id = 'story-old-' || article_id")  # each alone, say
        con.execute("INSERT INTO story SELECT sa.story_id, 'old', a.published_at, a.published_at, now() "
                    "FROM story_article sa JOIN article a USING (article_id) ON CONFLICT DO NOTHING")
        con.execute("DELETE FROM story WHERE story_id NOT IN (SELECT story_id FROM story_article)")
        con.execute("UPDATE article SET language = 'en-US' WHERE outlet LIKE 'Outlet 6%'")
        con.execute("UPDATE article SET language = 'EN_gb' WHERE outlet LIKE 'Outlet 7%'")
        con.execute("DELETE FROM meta WHERE key IN ('stories_method', 'language_tags')")
        con.execute("DELETE FROM schema_migrations WHERE version = 16")
    ingest_flow(config_path=str(config))  # migrates (016 marks the store) and finds nothing new
    assert query(tmp_path, stories) == fresh
    languages = "SELECT outlet, language FROM article ORDER BY outlet"
    assert dict(query(tmp_path, languages)) == {"Outlet 10 (sample)": "en", "Outlet 6 (sample)": "en",
                                                "Outlet 7 (sample)": "en", "Outlet 9 (sample)": "en"}
    assert query(tmp_path, "SELECT count(*) FROM meta WHERE key = 'language_tags'") == [(0,)]

    with duckdb.connect(str(tmp_path / "data" / "newswatch.duckdb")) as con:  # done: not regrouped again
        con.execute("UPDATE story SET headline = 'kept' WHERE story_id IN (SELECT story_id FROM story_article)")
    ingest_flow(config_path=str(config))
    assert {h for (h,) in query(tmp_path, "SELECT headline FROM story")} == {"kept"}


def test_articles_that_join_or_leave_the_topics_get_or_lose_their_stories(tmp_path: Path) -> None:
    """Stories group topic articles. A topic edited in the config is matched again at the next run; the articles
    that joined the topics then get the stories a store built with that config has, and those that left every
    topic leave their stories. Before, neither happened: a review saw a new seed topic's spike of one event listed
    as six one-article stories, and articles of no topic kept their stories."""
    from flows.ingest import ingest_flow

    stories = "SELECT story_id, list_sort(list(article_id)) FROM story_article GROUP BY story_id ORDER BY story_id"

    def ingest(root: Path, words: str) -> list[tuple[Any, ...]]:
        if not (root / "config").exists():
            root.mkdir()
            project(root)
        config = root / "config" / "newswatch.toml"
        config.write_text(CONFIG.replace('any = ["ceasefire"]', f"any = [{words}]"), encoding="utf-8")
        (root / "inbox" / "reports.jsonl").write_text(
            "\n".join(_report(day, hour) for day, hour in REPORTS) + "\n", encoding="utf-8")
        ingest_flow(config_path=str(config))
        return query(root, stories)

    edited = tmp_path / "edited"
    assert len(ingest(edited, '"Dunmere"')) == 1
    both = ingest(tmp_path / "both", '"Dunmere", "Kestrel"')
    assert len(both) == 2
    assert ingest(edited, '"Dunmere", "Kestrel"') == both  # the Kestrel reports joined
    kestrel = ingest(tmp_path / "kestrel", '"Kestrel"')
    assert len(kestrel) == 1 and kestrel[0] in both
    assert ingest(edited, '"Kestrel"') == kestrel  # the Dunmere reports left
    assert query(edited, "SELECT count(*) FROM meta WHERE key = 'stories_due'") == [(0,)]


def test_stored_batches_are_freed_without_the_garbage_collector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefect kept a task's return value in its run state, which sits in a reference cycle with the task's future:
    each scored batch handed back that way stayed in memory until the collector's next full collection, so a run
    piled up batches between collections (the 100k-article memory probe's peak rose with the collector's
    thresholds). Batches now come back from the scoring processes as plain futures: with the collector off for a run
    of six batches, after each batch is stored the analyses alive are at most that batch and the ones in analysis
    (BATCHES_AHEAD), and none is left afterwards."""
    config = project(tmp_path)
    with config.open("a", encoding="utf-8") as f:
        f.write("\n[runner]\nbatch_size = 10\n")
    inbox = tmp_path / "inbox"
    for i in range(60):
        (inbox / f"note-{i:02d}.txt").write_text(
            f"Ceasefire talks, day {i} (SAMPLE)\n\nSAMPLE ARTICLE written for this test, number {i}. Negotiators met "
            f"for the {i}th time and said the ceasefire was holding in district {i}; observers counted {i * 3} "
            "reports and no new incidents along the line.\n", encoding="utf-8")
    import gc

    from flows import ingest
    from newswatch.models import Analysis

    def alive() -> int:
        return sum(1 for o in gc.get_objects() if type(o) is Analysis)

    after_each: list[int] = []
    real = ingest._store_articles

    def store_and_count(run: Any, articles: list, analyses: list) -> int:
        stored = real(run, articles, analyses)
        after_each.append(alive())
        return stored

    monkeypatch.setattr(ingest, "_store_articles", store_and_count)
    gc.collect()
    gc.disable()
    try:
        summary = ingest.ingest_flow(config_path=str(config))
        at_end = alive()
    finally:
        gc.enable()
    assert summary.articles_new == 60 and len(after_each) == 6
    assert max(after_each) <= 10 * (ingest.BATCHES_AHEAD + 1), after_each
    assert at_end == 0


def test_a_lone_surrogate_costs_one_character_not_the_run(tmp_path: Path) -> None:
    """A JSON escape of half a UTF-16 pair ("\\ud800") and a file name that is not UTF-8 both give Python strings
    no UTF-8 encoder takes; one such character failed the whole run, every run, and lost the good files too. The
    character becomes U+FFFD and everything is stored."""
    import os

    from flows.ingest import ingest_flow

    config = project(tmp_path)
    inbox = tmp_path / "inbox"
    (inbox / "a-good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inbox / "b-surrogate.jsonl").write_text(
        '{"title": "Harbour talks \\ud800 resume (SAMPLE)", "outlet": "Wire \\udfff (sample)", '
        '"text": "SAMPLE ARTICLE written for this test \\ud83d about the harbour talks."}\n', encoding="utf-8")
    with open(os.path.join(os.fsencode(inbox), b"c-latin1-\xe9.txt"), "wb") as handle:
        handle.write(b"Harbour wall repaired (SAMPLE)\nSAMPLE ARTICLE written for this test about the harbour wall.\n")

    summary = ingest_flow(config_path=str(config))

    assert (summary.files_read, summary.files_failed, summary.articles_new) == (3, 0, 3)
    rows = dict(query(tmp_path, "SELECT title, outlet FROM article"))
    assert rows["Harbour talks \ufffd resume (SAMPLE)"] == "Wire \ufffd (sample)"
    assert "Harbour wall repaired (SAMPLE)" in rows
    assert query(tmp_path, "SELECT count(*) FROM inbox_file WHERE status = 'ok'") == [(3,)]
    again = ingest_flow(config_path=str(config))
    assert (again.files_read, again.articles_new) == (0, 0)
