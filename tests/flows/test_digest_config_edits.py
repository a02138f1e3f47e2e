"""A digest built after the analyst edits the topics, before any ingest has run with the new config (the 07:00
digest and an ingest due at the same minute; `newswatch digest --date D` run at once to see what the edit does):
its figures are those of the config it names, as a run's are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

DAY = date(2025, 5, 10)


def test_a_digest_after_a_topic_edit_counts_the_topics_as_the_config_defines_them(project: Path) -> None:
    """Before, the digest read the memberships the last ingest had stored: a renamed topic showed 0 articles on
    the day and every day before it (so no spike, no drop, nothing), and an edited one its old definition's
    figures under the new one, stored and mailed so; only the next ingest matched the stored articles again."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = project / "config" / "newswatch.toml"
    ingest_flow(config_path=str(config))
    before = digest_flow(config_path=str(config), day=DAY, send_mail=False)

    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('name = "us-diplomacy-south-asia"', 'name = "us-diplomacy"'), encoding="utf-8")
    after = digest_flow(config_path=str(config), day=DAY, send_mail=False)
    # The same rules under a new name: the same figures and flags (the order of its top articles may differ, since
    # matching again scores them with the store's corpus statistics as they stand now: docs/config.md).
    renamed = [h.replace("us-diplomacy-south-asia", "us-diplomacy") for h in before.highlights]
    assert any(h.startswith("us-diplomacy: spike") for h in renamed)
    assert after.highlights == renamed
    assert after.articles == before.articles
    assert figures(Path(after.text_path)) == figures(Path(before.text_path))


def figures(text_path: Path) -> list[str]:
    """Each topic's lines of figures in a text digest (articles, share, tone), without its name."""
    return [line for line in text_path.read_text(encoding="utf-8").splitlines()
            if line.startswith(("articles: ", "share of all articles: ", "tone: "))]


def test_an_ingest_says_which_topics_it_matched_again(project: Path) -> None:
    """The run after an edit matched the edited topic again over the stored articles and said nothing about it (only
    "stories: N days ... re-grouped", and nothing when no article moved), so an analyst could not tell whether the
    edit had been taken. A first run into an empty store has nothing to match again."""
    from flows.ingest import ingest_flow

    config = project / "config" / "newswatch.toml"
    assert ingest_flow(config_path=str(config)).topics_rematched == []
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('min_score = 0.6\n', 'min_score = 0.65\n'), encoding="utf-8")
    assert ingest_flow(config_path=str(config)).topics_rematched == ["us-diplomacy-south-asia"]
    assert ingest_flow(config_path=str(config)).topics_rematched == []


class _Killed(Exception):
    """Stands for the digest process killed at that point (a deploy's restart, the machine stopping)."""


def test_a_digest_killed_after_matching_an_edited_topic_again_regroups_its_stories_when_run_again(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest's re-match commits the new memberships and the topic's new definition, then regroups the days
    whose articles joined or left the topics. Killed in between, the rerun found every topic in step with the config
    and skipped the regrouping, so it built and stored (and mailed) the digest from the stories of the old
    memberships; the days stayed due until the next ingest."""
    import flows.digest as digest_module
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow
    from newswatch.config import load_settings
    from storage.db import Database
    from storage.store import Store

    config = project / "config" / "newswatch.toml"
    ingest_flow(config_path=str(config))
    text = config.read_text(encoding="utf-8")
    # Articles that speak of the ceasefire leave the topic, many of them every topic: their days' stories change.
    config.write_text(text.replace('none = ["indiana", "west indies"]', 'none = ["indiana", "west indies", "ceasefire"]'),
                      encoding="utf-8")

    def killed(*args: object, **kwargs: object) -> list[date]:
        raise _Killed

    with monkeypatch.context() as patch:
        patch.setattr(digest_module, "refresh_due_stories", killed)
        with pytest.raises(_Killed):
            digest_flow(config_path=str(config), day=DAY, send_mail=False)
    rerun = digest_flow(config_path=str(config), day=DAY, send_mail=False)
    rerun_text = Path(rerun.text_path).read_text(encoding="utf-8")
    with Database(load_settings(str(config)).database_path) as db:
        assert Store(db).stories_due() == []

    # What the digest says once the stories are regrouped (an ingest regroups the days due): the same.
    ingest_flow(config_path=str(config))
    again = digest_flow(config_path=str(config), day=DAY, send_mail=False)
    assert rerun_text == Path(again.text_path).read_text(encoding="utf-8")


def test_a_seed_file_unreadable_at_digest_time_does_not_stop_the_digest(project: Path) -> None:
    """The digest reads every topic's seed files to see whether the stored topics follow the config; since it did,
    a seed file that could not be read when the digest ran (emptied while being rewritten, saved in another format,
    a share not mounted) failed the whole digest with a config error, exit 2: no digest stored, none mailed, where
    before the digest did not read seeds at all. The digest now counts the memberships the last ingest stored and
    says in its log why it did not match the topics again; the next ingest reports the seed file as before."""
    import logging

    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = project / "config" / "newswatch.toml"
    ingest_flow(config_path=str(config))
    before = digest_flow(config_path=str(config), day=DAY, send_mail=False)
    (project / "samples" / "inbox" / "seed-000_362e12533a4fbe53.txt").write_text("", encoding="utf-8")

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(level=logging.WARNING)
    logging.getLogger("newswatch").addHandler(keep)
    try:
        after = digest_flow(config_path=str(config), day=DAY, send_mail=False)
    finally:
        logging.getLogger("newswatch").removeHandler(keep)
    assert after.highlights == before.highlights and after.articles == before.articles
    assert Path(after.text_path).read_text(encoding="utf-8") == Path(before.text_path).read_text(encoding="utf-8")
    said = [r.getMessage() for r in records]
    assert any("not matched again" in m and "seed-000_362e12533a4fbe53.txt" in m and "the file is empty" in m
               for m in said), said


def test_a_digest_of_an_empty_store_does_not_say_it_matched_topics_again(project: Path) -> None:
    """A digest built before the first ingest (`newswatch digest` right after setting up) records the config's topics
    as any first run does, and has no stored article to match: it logged "topics new or edited in the config since
    the last ingest (india-pakistan, ...): matched again over the stored articles before the digest", naming every
    topic, though there was no ingest and no article; the ingest says nothing in that case."""
    import logging

    from flows.digest import digest_flow

    config = project / "config" / "newswatch.toml"
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    console = logging.getLogger("newswatch")
    level = console.level
    console.addHandler(keep)
    console.setLevel(logging.INFO)
    try:
        summary = digest_flow(config_path=str(config), day=DAY, send_mail=False)
    finally:
        console.removeHandler(keep)
        console.setLevel(level)
    assert summary.articles == 0
    said = [r.getMessage() for r in records]
    assert said and not any("matched again" in m for m in said), said
