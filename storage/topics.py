"""Topics and actors: stored definitions (to see what changed) and topic membership.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from newswatch.models import TopicMatch
from storage.db import Database


class TopicsMixin:
    db: Database

    # -- actors and topics -----------------------------------------------------------------------------
    def sync_actors(self, rows: Sequence[tuple[str, str, str, str | None]]) -> None:
        self.db.insert_rows("actor", ["actor_id", "name", "kind", "country"], rows,
                            on_conflict="ON CONFLICT (actor_id) DO UPDATE SET name = excluded.name, "
                                        "kind = excluded.kind, country = excluded.country "
                                        "WHERE (actor.name, actor.kind, actor.country) IS DISTINCT FROM "
                                        "(excluded.name, excluded.kind, excluded.country)")

    def changed_topics(self, definitions: dict[str, tuple[str, str]]) -> list[str]:
        """definitions: name -> (description, definition hash). Returns topics that are new or changed."""
        stored = dict(self.db.query("SELECT name, definition_hash FROM topic"))
        return [name for name, (_, h) in definitions.items() if stored.get(name) != h]

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
            with self.db.transaction():
                self.db.execute("DELETE FROM article_topic WHERE topic NOT IN (SELECT unnest($1))", [keep])
                self.db.execute("DELETE FROM topic WHERE name NOT IN (SELECT unnest($1))", [keep])
        return gone

    def save_topic_definitions(self, definitions: dict[str, tuple[str, str]]) -> None:
        now = datetime.now(UTC)
        self.db.insert_rows("topic", ["name", "description", "definition_hash", "updated_at"],
                            [(n, d, h, now) for n, (d, h) in definitions.items()],
                            on_conflict="ON CONFLICT (name) DO UPDATE SET description = excluded.description, "
                                        "definition_hash = excluded.definition_hash, updated_at = excluded.updated_at "
                                        "WHERE (topic.description, topic.definition_hash) IS DISTINCT FROM "
                                        "(excluded.description, excluded.definition_hash)")

    def replace_topic_matches(self, topics: Sequence[str], matches: Sequence[tuple[str, TopicMatch]]) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM article_topic WHERE topic IN (SELECT unnest($1))", [list(topics)])
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"],
                                [(aid, m.topic, m.score, m.via) for aid, m in matches],
                                on_conflict="ON CONFLICT DO NOTHING")
