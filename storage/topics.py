"""Topics and actors: stored definitions (to see what changed) and topic membership.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from newswatch.models import TopicMatch
from storage.db import Database
from storage.stories import note_stories_due


class TopicsMixin:
    db: Database

    # -- actors and topics -----------------------------------------------------------------------------
    def sync_actors(self, rows: Sequence[tuple[str, str, str, str | None]]) -> None:
        self.db.insert_rows("actor", ["actor_id", "name", "kind", "country"], rows,
                            on_conflict="ON CONFLICT (actor_id) DO UPDATE SET name = excluded.name, "
                                        "kind = excluded.kind, country = excluded.country "
                                        "WHERE (actor.name, actor.kind, actor.country) IS DISTINCT FROM "
                                        "(excluded.name, excluded.kind, excluded.country)")

    def changed_topics(self, definitions: dict[str, tuple[str, str, str]]) -> list[str]:
        """definitions: name -> (description, definition hash, seeds hash). Returns topics that are new or changed.
        A stored seeds hash of NULL (a topic stored before migration 017) is not a change: it is recorded by
        `save_topic_definitions` and compared from then on."""
        stored = {name: (h, seeds) for name, h, seeds in self.db.query(
            "SELECT name, definition_hash, seeds_hash FROM topic")}
        changed = []
        for name, (_, h, seeds) in definitions.items():
            was = stored.get(name)
            if was is None or was[0] != h or (was[1] is not None and was[1] != seeds):
                changed.append(name)
        return changed

    def drop_topics_not_in(self, names: Sequence[str]) -> dict[str, int]:
        """Remove the topics not named (gone from the config: removed, or renamed) and their memberships, in one
        transaction. Returns each removed topic's number of memberships. Memberships are derived from the stored
        articles, so a topic put back is matched over them again (`changed_topics` reports it as new)."""
        keep = list(names)
        gone = dict(self.db.query(
            "SELECT topic, count(*) FROM article_topic WHERE topic NOT IN (SELECT unnest($1)) GROUP BY topic", [keep]))
        for (name,) in self.db.query("SELECT name FROM topic WHERE name NOT IN (SELECT unnest($1))", [keep]):
            gone.setdefault(name, 0)
        if gone:
            with self.db.transaction(), self._noting_story_days():
                self.db.execute("DELETE FROM article_topic WHERE topic NOT IN (SELECT unnest($1))", [keep])
                self.db.execute("DELETE FROM topic WHERE name NOT IN (SELECT unnest($1))", [keep])
        return gone

    def stored_topic_names(self) -> list[str]:
        """Every topic the store holds: a definition in `topic`, or memberships in `article_topic`."""
        return [r[0] for r in self.db.query(
            "SELECT name FROM topic UNION SELECT DISTINCT topic FROM article_topic ORDER BY 1")]

    def save_topic_definitions(self, definitions: dict[str, tuple[str, str, str]]) -> None:
        now = datetime.now(UTC)
        self.db.insert_rows("topic", ["name", "description", "definition_hash", "seeds_hash", "updated_at"],
                            [(n, d, h, seeds, now) for n, (d, h, seeds) in definitions.items()],
                            on_conflict="ON CONFLICT (name) DO UPDATE SET description = excluded.description, "
                                        "definition_hash = excluded.definition_hash, "
                                        "seeds_hash = excluded.seeds_hash, updated_at = excluded.updated_at "
                                        "WHERE (topic.description, topic.definition_hash, topic.seeds_hash) "
                                        "IS DISTINCT FROM "
                                        "(excluded.description, excluded.definition_hash, excluded.seeds_hash)")

    def replace_topic_matches(self, topics: Sequence[str], matches: Sequence[tuple[str, TopicMatch]]) -> None:
        with self.db.transaction(), self._noting_story_days():
            self.db.execute("DELETE FROM article_topic WHERE topic IN (SELECT unnest($1))", [list(topics)])
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"],
                                [(aid, m.topic, m.score, m.via) for aid, m in matches],
                                on_conflict="ON CONFLICT DO NOTHING")

    @contextmanager
    def _noting_story_days(self) -> Iterator[None]:
        """Inside a transaction that changes memberships: note (`note_stories_due`, in the same transaction) the
        UTC dates of the articles that became topic articles or stopped being any topic's, whose stories are then
        out of date (stories group topic articles); `refresh_due_stories` regroups them and clears the note. Noted in
        the same transaction, so a run killed before the regrouping leaves the note for the next one."""
        self.db.execute("CREATE OR REPLACE TEMP TABLE topic_articles_before AS "
                        "SELECT DISTINCT article_id FROM article_topic")
        yield
        changed = [r[0] for r in self.db.query(
            "WITH now_in AS (SELECT DISTINCT article_id FROM article_topic), "
            "left_all AS (SELECT article_id FROM topic_articles_before EXCEPT SELECT article_id FROM now_in), "
            "joined AS (SELECT article_id FROM now_in EXCEPT SELECT article_id FROM topic_articles_before), "
            "moved AS (SELECT article_id FROM left_all UNION ALL SELECT article_id FROM joined) "
            "SELECT DISTINCT CAST(timezone('UTC', a.published_at) AS DATE) AS d FROM article a "
            "WHERE a.article_id IN (SELECT article_id FROM moved) ORDER BY d")]
        self.db.execute("DROP TABLE topic_articles_before")
        note_stories_due(self.db, changed)
