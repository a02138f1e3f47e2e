"""Stories: the articles a time range's stories are built from, and replacing a range's stories.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from newswatch.models import StoryItem
from storage.db import Database


class StoriesMixin:
    db: Database

    # -- stories (newswatch/coverage.py) -------------------------------------------------------------------
    def story_items(self, since: datetime, end: datetime) -> list[tuple[Any, str | None, datetime | None]]:
        """Topic articles published in [since, end), syndicated copies included, each with its stored story and
        that story's first_seen (None when it has none)."""
        rows = self.db.query_dicts(
            "SELECT a.article_id, a.outlet, a.title, a.summary, left(a.body, 2000) AS lead, a.published_at, "
            "a.simhash, a.language, sa.story_id, s.first_seen AS story_first FROM article a "
            "LEFT JOIN story_article sa USING (article_id) LEFT JOIN story s ON s.story_id = sa.story_id "
            "WHERE a.published_at >= $since AND a.published_at < $end "
            "AND EXISTS (SELECT 1 FROM article_topic t WHERE t.article_id = a.article_id)",
            {"since": since, "end": end})
        return [(_story_item(r), r["story_id"], r["story_first"]) for r in rows]

    def story_reach(self, start: datetime, end: datetime) -> datetime | None:
        """The latest publication time of an article whose stored story has an article published in [start, end)."""
        value = self.db.scalar(
            "SELECT max(b.published_at) FROM story_article sa JOIN article a USING (article_id) "
            "JOIN story_article sb ON sb.story_id = sa.story_id JOIN article b ON b.article_id = sb.article_id "
            "WHERE a.published_at >= ? AND a.published_at < ?", [start, end])
        return value if isinstance(value, datetime) else None

    def stories_method(self) -> str | None:
        """The grouping method the stored stories were made with (meta; None in a new store: migration 016)."""
        return self.db.get_meta("stories_method")

    def set_stories_method(self, method: str) -> None:
        with self.db.bookkeeping():
            self.db.set_meta({"stories_method": method})

    def latest_published(self) -> datetime | None:
        value = self.db.scalar("SELECT max(published_at) FROM article")
        return value if isinstance(value, datetime) else None

    def replace_stories(self, start: datetime, end: datetime, stories: Sequence[Any],
                        links: Sequence[tuple[str, str]]) -> None:
        """Replace the stories of articles published in [start, end): links are (article_id, story_id)."""
        now = datetime.now(UTC)
        with self.db.transaction():
            self.db.execute("DELETE FROM story_article WHERE article_id IN (SELECT article_id FROM article "
                            "WHERE published_at >= ? AND published_at < ?)", [start, end])
            self.db.execute("DELETE FROM story WHERE first_seen >= ? AND first_seen < ?", [start, end])
            self.db.insert_rows("story", ["story_id", "headline", "first_seen", "last_seen", "computed_at"],
                                [(s.story_id, s.headline[:500], s.first_seen, s.last_seen, now) for s in stories],
                                on_conflict="ON CONFLICT (story_id) DO UPDATE SET headline = excluded.headline, "
                                            "first_seen = excluded.first_seen, computed_at = excluded.computed_at")
            self.db.insert_rows("story_article", ["article_id", "story_id"], links,
                                on_conflict="ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id")
            self.db.execute("DELETE FROM story WHERE story_id NOT IN (SELECT story_id FROM story_article)")
            self.db.execute("UPDATE story SET last_seen = m.last_seen FROM (SELECT sa.story_id, "
                            "max(a.published_at) AS last_seen FROM story_article sa JOIN article a "
                            "USING (article_id) GROUP BY sa.story_id) m WHERE story.story_id = m.story_id "
                            "AND story.last_seen <> m.last_seen")


def _story_item(row: dict[str, Any]) -> StoryItem:
    """A StoryItem from a stored row: the summary stands for the text, else the body's lead."""
    return StoryItem(
        article_id=row["article_id"],
        outlet=row["outlet"],
        title=row["title"],
        text=row.get("summary") or row.get("lead") or "",
        published_at=row["published_at"],
        simhash=row.get("simhash"),
        language=row.get("language"),
    )
