"""Stories: the articles a time range's stories are built from, and replacing a range's stories.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from newswatch.models import STORED_HEADLINE, StoryItem
from storage.db import Database


class StoriesMixin:
    db: Database

    # -- stories (newswatch/coverage.py) -------------------------------------------------------------------
    def story_items(self, since: datetime, end: datetime) -> list[tuple[Any, str | None, datetime | None]]:
        """Topic articles published in [since, end), syndicated copies included, each with its stored story and
        that story's first_seen (None when it has none).

        An item's text is its summary, else its body's lead (2,000 characters), else "": chosen in SQL, so the
        body is not read out for the articles that have a summary (most), and the rows come as tuples. The same
        text as Python's `summary or lead or ""` on the two columns (tests/unit/test_fast_paths.py)."""
        rows = self.db.query(
            "SELECT a.article_id, a.outlet, a.title, "
            "coalesce(nullif(a.summary, ''), left(a.body, 2000), '') AS text, a.published_at, "
            "a.simhash, a.language, sa.story_id, s.first_seen AS story_first FROM article a "
            "LEFT JOIN story_article sa USING (article_id) LEFT JOIN story s ON s.story_id = sa.story_id "
            "WHERE a.published_at >= $since AND a.published_at < $end "
            "AND EXISTS (SELECT 1 FROM article_topic t WHERE t.article_id = a.article_id)",
            {"since": since, "end": end})
        return [(StoryItem(article_id=article_id, outlet=outlet, title=title, text=text, published_at=published_at,
                           simhash=simhash, language=language), story_id, story_first)
                for article_id, outlet, title, text, published_at, simhash, language, story_id, story_first in rows]

    def story_reach(self, start: datetime, end: datetime) -> datetime | None:
        """The latest publication time of an article whose stored story has an article published in [start, end):
        the stories' `last_seen`, which `replace_stories` keeps equal to their latest article's time."""
        value = self.db.scalar(
            "SELECT max(s.last_seen) FROM story s WHERE s.story_id IN (SELECT sa.story_id FROM story_article sa "
            "JOIN article a USING (article_id) WHERE a.published_at >= ? AND a.published_at < ?)", [start, end])
        return value if isinstance(value, datetime) else None

    def stories_method(self) -> str | None:
        """The grouping method the stored stories were made with (meta; None in a new store: migration 016)."""
        return self.db.get_meta("stories_method")

    def set_stories_method(self, method: str) -> None:
        with self.db.bookkeeping():
            self.db.set_meta({"stories_method": method})

    def latest_published(self) -> datetime | None:
        """The latest publication time an article gave (not estimated from when it was read) that is not in the
        future: one item dated next year must not move "the latest days" away from the store's news."""
        value = self.db.scalar("SELECT max(published_at) FROM article WHERE NOT published_estimated "
                               "AND published_at <= ?", [datetime.now(UTC)])
        return value if isinstance(value, datetime) else None

    def stories_due(self) -> list[date]:
        """UTC dates whose stories a change of topic articles left out of date (`note_stories_due`)."""
        return _due(self.db)

    def clear_stories_due(self, dates: Iterable[date]) -> None:
        """Take `dates` off the note (once their days are grouped again)."""
        done = set(dates)
        left = [d for d in _due(self.db) if d not in done]
        with self.db.bookkeeping():
            if left:
                self.db.set_meta({"stories_due": json.dumps([d.isoformat() for d in left])})
            else:
                self.db.execute("DELETE FROM meta WHERE key = 'stories_due'")

    def replace_stories(self, start: datetime, end: datetime, stories: Sequence[Any],
                        links: Sequence[tuple[str, str]]) -> None:
        """Replace the stories of articles published in [start, end): links are (article_id, story_id)."""
        now = datetime.now(UTC)
        with self.db.transaction():
            # The stories this call can change: those of the range's articles now, and those written or linked
            # below. Only they can lose their last link or move their last_seen, so only they are looked at after
            # (a part of a long regroup costs its own stories, not a scan of every story stored).
            touched = {r[0] for r in self.db.query(
                "SELECT DISTINCT sa.story_id FROM story_article sa JOIN article a USING (article_id) "
                "WHERE a.published_at >= ? AND a.published_at < ?", [start, end])}
            touched |= {s.story_id for s in stories} | {story_id for _, story_id in links}
            self.db.execute("DELETE FROM story_article WHERE article_id IN (SELECT article_id FROM article "
                            "WHERE published_at >= ? AND published_at < ?)", [start, end])
            self.db.execute("DELETE FROM story WHERE first_seen >= ? AND first_seen < ?", [start, end])
            self.db.insert_rows("story", ["story_id", "headline", "first_seen", "last_seen", "computed_at"],
                                [(s.story_id, s.headline[:STORED_HEADLINE], s.first_seen, s.last_seen, now) for s in stories],
                                on_conflict="ON CONFLICT (story_id) DO UPDATE SET headline = excluded.headline, "
                                            "first_seen = excluded.first_seen, computed_at = excluded.computed_at")
            self.db.insert_rows("story_article", ["article_id", "story_id"], links,
                                on_conflict="ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id")
            ids = sorted(touched)
            self.db.execute("DELETE FROM story WHERE story_id IN (SELECT unnest($1)) AND story_id NOT IN "
                            "(SELECT story_id FROM story_article WHERE story_id IN (SELECT unnest($1)))", [ids])
            self.db.execute("UPDATE story SET last_seen = m.last_seen FROM (SELECT sa.story_id, "
                            "max(a.published_at) AS last_seen FROM story_article sa JOIN article a "
                            "USING (article_id) WHERE sa.story_id IN (SELECT unnest($1)) GROUP BY sa.story_id) m "
                            "WHERE story.story_id = m.story_id AND story.last_seen <> m.last_seen", [ids])


def _due(db: Database) -> list[date]:
    value = db.get_meta("stories_due")
    return [date.fromisoformat(d) for d in json.loads(value)] if value else []


def note_stories_due(db: Database, dates: Iterable[date]) -> None:
    """Note UTC dates whose stories are out of date (meta `stories_due`): articles of them joined or left the topic
    articles, or got a new text. Called inside the transaction that made the change, so a run killed before the
    regrouping (newswatch/analysis/stored_stories.py `refresh_due_stories`) leaves the note for the next one."""
    new = set(dates)
    if not new:
        return
    with db.bookkeeping():
        db.set_meta({"stories_due": json.dumps(sorted(d.isoformat() for d in new | set(_due(db))))})

