"""The pipeline's reads and writes, in the project's words (articles, feeds, runs, topics, digests).

Built on storage.db.Database; every write is a batch inside one transaction, so a crash leaves either all of an
article's rows (article, sentences, mentions, actors, topics, sighting) or none of them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from newswatch.models import Analysis, Article, FetchResult, RenderedDigest, TopicMatch
from storage.db import Database, chunked, to_json


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


class Store:
    """Domain-level access to one newswatch database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- runs ------------------------------------------------------------------------------------------
    def start_run(self, kind: str) -> str:
        run_id = new_run_id()
        self.db.insert_rows("runs", ["run_id", "kind", "started_at", "status"],
                            [(run_id, kind, datetime.now(UTC), "running")])
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict[str, int], detail: dict[str, Any]) -> None:
        allowed = ["feeds_ok", "feeds_not_modified", "feeds_failed", "feeds_skipped", "files_read",
                   "files_failed", "entries", "articles_new", "articles_duplicate", "errors"]
        sets = ", ".join(f"{k} = ?" for k in allowed)
        values = [int(counts.get(k, 0)) for k in allowed]
        self.db.execute(f"UPDATE runs SET finished_at = ?, status = ?, detail = ?, {sets} WHERE run_id = ?",
                        [datetime.now(UTC), status, to_json(detail), *values, run_id])

    def close_stale_runs(self) -> int:
        """Runs left 'running' by a killed process are marked 'interrupted' (their writes were all-or-nothing)."""
        n = self.db.scalar("SELECT count(*) FROM runs WHERE status = 'running'") or 0
        if n:
            self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        return int(n)

    # -- feeds -----------------------------------------------------------------------------------------
    def sync_feeds(self, rows: Sequence[tuple[str, str, str | None, str | None, str | None, str | None]]) -> None:
        """rows: (name, kind, url, outlet, country, language). Unlisted feeds become inactive, never deleted."""
        with self.db.transaction():
            self.db.execute("UPDATE feeds SET active = FALSE")
            self.db.insert_rows(
                "feeds", ["name", "kind", "url", "outlet", "country", "language", "active"],
                [(*r, True) for r in rows],
                on_conflict="ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url, "
                            "outlet = excluded.outlet, country = excluded.country, language = excluded.language, "
                            "active = TRUE",
            )

    def feed_states(self) -> dict[str, dict[str, Any]]:
        return {r["name"]: r for r in self.db.query_dicts("SELECT * FROM feeds")}

    def save_fetches(self, run_id: str, results: Sequence[FetchResult], counts: dict[str, tuple[int, int]],
                     health: dict[str, dict[str, Any]]) -> None:
        """Log each fetch and store each feed's new state (validators, health) in one transaction."""
        rows = []
        for r in results:
            entries, new = counts.get(r.feed, (0, 0))
            rows.append((run_id, r.feed, r.fetched_at, r.status, r.http_status, r.error_kind, r.error,
                         entries, new, int(r.elapsed * 1000)))
        with self.db.transaction():
            self.db.insert_rows("fetch_log", ["run_id", "feed", "fetched_at", "status", "http_status",
                                              "error_kind", "error", "entries", "new_articles", "elapsed_ms"], rows)
            for name, state in health.items():
                keys = sorted(state)
                self.db.execute(f"UPDATE feeds SET {', '.join(f'{k} = ?' for k in keys)} WHERE name = ?",
                                [state[k] for k in keys] + [name])

    # -- inbox files -----------------------------------------------------------------------------------
    def inbox_files(self) -> dict[str, tuple[int, float]]:
        return {r[0]: (int(r[1]), float(r[2])) for r in self.db.query("SELECT path, size, mtime FROM inbox_file")}

    def save_inbox_files(self, rows: Sequence[tuple[str, int, float, datetime, str, int, str | None]]) -> None:
        """rows: (path, size, mtime, read_at, status, entries, error)."""
        self.db.insert_rows("inbox_file", ["path", "size", "mtime", "read_at", "status", "entries", "error"], rows,
                            on_conflict="ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
                                        "mtime = excluded.mtime, read_at = excluded.read_at, "
                                        "status = excluded.status, entries = excluded.entries, error = excluded.error")

    # -- articles --------------------------------------------------------------------------------------
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(ids))
        found: set[str] = set()
        for part in chunked(ids, 50_000):
            found.update(r[0] for r in self.db.query(
                "SELECT article_id FROM article WHERE article_id IN (SELECT unnest($1))", [list(part)]))
        return found

    def existing_hashes(self, hashes: Iterable[str]) -> dict[str, str]:
        hashes = list(dict.fromkeys(hashes))
        found: dict[str, str] = {}
        for part in chunked(hashes, 50_000):
            for h, aid in self.db.query(
                    "SELECT content_hash, min(article_id) FROM article "
                    "WHERE content_hash IN (SELECT unnest($1)) GROUP BY content_hash", [list(part)]):
                found[h] = aid
        return found

    def recent_simhashes(self, since: datetime) -> list[tuple[str, int]]:
        return [(r[0], int(r[1])) for r in self.db.query(
            "SELECT article_id, simhash FROM article WHERE simhash IS NOT NULL AND duplicate_of IS NULL "
            "AND published_at >= ?", [since])]

    def add_sightings(self, rows: Sequence[tuple[str, str, str, str | None, datetime, str]]) -> int:
        """rows: (article_id, source, outlet, url, seen_at, run_id); a sighting already stored is kept."""
        before = self.db.scalar("SELECT count(*) FROM sighting")
        self.db.insert_rows("sighting", ["article_id", "source", "outlet", "url", "seen_at", "run_id"], rows,
                            on_conflict="ON CONFLICT DO NOTHING")
        return int(self.db.scalar("SELECT count(*) FROM sighting") - before)

    def save_articles(self, run_id: str, articles: Sequence[Article], analyses: Sequence[Analysis],
                      duplicate_of: dict[str, str]) -> int:
        """Store a batch of new articles with everything computed from them, all or nothing."""
        if not articles:
            return 0
        by_id = {a.article_id: a for a in analyses}
        art_rows, sent_rows, men_rows, act_rows, cand_rows, top_rows, sight_rows = [], [], [], [], [], [], []
        for art in articles:
            an = by_id[art.article_id]
            art_rows.append((art.article_id, art.url, art.guid, art.source, art.outlet, art.title, art.summary,
                             art.text, art.text_source, art.published_at, art.published_estimated,
                             art.first_seen_at, art.language, art.content_hash, an.simhash or None,
                             duplicate_of.get(art.article_id), art.origin, run_id, *_tone_columns(an)))
            for s in an.sentences:
                sent_rows.append((art.article_id, s.index, s.start, s.end, s.text, s.compound, s.pos, s.neu, s.neg))
            for m in an.mentions:
                men_rows.append((art.article_id, m.actor_id, m.sentence_index, m.start, m.end, m.surface, m.via))
            for at in an.actor_tones:
                act_rows.append((art.article_id, at.actor_id, at.mentions, at.sentences, at.compound, at.label))
            for name, n in an.candidates.items():
                cand_rows.append((art.article_id, name[:200], n))
            for tm in an.topics:
                top_rows.append((art.article_id, tm.topic, tm.score, tm.via))
            sight_rows.append((art.article_id, art.source, art.outlet, art.url, art.first_seen_at, run_id))
        with self.db.transaction():
            self.db.insert_rows("article", [
                "article_id", "url", "guid", "source", "outlet", "title", "summary", "body", "text_source",
                "published_at", "published_estimated", "first_seen_at", "language", "content_hash", "simhash",
                "duplicate_of", "origin", "run_id", "n_sentences", "tone", "tone_pos", "tone_neu", "tone_neg",
                "tone_sd"], art_rows)
            self.db.insert_rows("sentence", ["article_id", "idx", "start_char", "end_char", "text", "compound",
                                             "pos", "neu", "neg"], sent_rows)
            self.db.insert_rows("mention", ["article_id", "actor_id", "sentence_idx", "start_char", "end_char",
                                            "surface", "via"], men_rows)
            self.db.insert_rows("article_actor", ["article_id", "actor_id", "mentions", "sentences", "tone",
                                                  "label"], act_rows)
            self.db.insert_rows("candidate", ["article_id", "name", "mentions"], cand_rows,
                                on_conflict="ON CONFLICT DO NOTHING")
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"], top_rows)
            self.db.insert_rows("sighting", ["article_id", "source", "outlet", "url", "seen_at", "run_id"],
                                sight_rows, on_conflict="ON CONFLICT DO NOTHING")
        return len(art_rows)

    # -- full text: page fetches and re-scored articles (migration 005) ---------------------------------
    def save_page_fetches(self, rows: Sequence[tuple[str, str, str, str | None, str | None, int | None,
                                                     str | None, datetime]]) -> None:
        """rows: (url, article_id, status, method, error, http_status, final_url, fetched_at); attempts counted."""
        self.db.insert_rows(
            "page_fetch", ["url", "article_id", "status", "method", "error", "http_status", "final_url",
                           "fetched_at"], rows,
            on_conflict="ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id, "
                        "status = excluded.status, method = excluded.method, error = excluded.error, "
                        "http_status = excluded.http_status, final_url = excluded.final_url, "
                        "fetched_at = excluded.fetched_at, attempts = page_fetch.attempts + 1")

    def pending_pages(self, limit: int) -> list[tuple[str, str, int]]:
        """(url, article_id, attempts) of pages skipped on an earlier run, oldest attempt first."""
        return [(r[0], r[1], int(r[2])) for r in self.db.query(
            "SELECT p.url, p.article_id, p.attempts FROM page_fetch p JOIN article a USING (article_id) "
            "WHERE p.status = 'skipped' ORDER BY p.fetched_at, p.url LIMIT ?", [limit])]

    def load_articles(self, ids: Iterable[str]) -> list[Article]:
        """Stored articles as Article records (for re-scoring after their page text arrives)."""
        rows = self.db.query_dicts(
            "SELECT article_id, source, outlet, url, guid, title, summary, body, text_source, published_at, "
            "published_estimated, first_seen_at, language, content_hash, origin FROM article "
            "WHERE article_id IN (SELECT unnest($1)) ORDER BY article_id", [list(dict.fromkeys(ids))])
        return [Article(article_id=r["article_id"], source=r["source"], outlet=r["outlet"], url=r["url"],
                        guid=r["guid"], title=r["title"], summary=r["summary"] or "", text=r["body"] or "",
                        text_source=r["text_source"] or "none", published_at=r["published_at"],
                        published_estimated=bool(r["published_estimated"]), first_seen_at=r["first_seen_at"],
                        language=r["language"], content_hash=r["content_hash"], origin=r["origin"])
                for r in rows]

    def replace_analyses(self, articles: Sequence[Article], analyses: Sequence[Analysis],
                         pages: Sequence[tuple[str, str, str, str | None, str | None, int | None, str | None,
                                               datetime]] = ()) -> int:
        """New text and everything computed from it for stored articles, with their page rows, all or nothing.

        The content hash stays the feed's: it is the key later copies of the same entry are folded on."""
        by_id = {a.article_id: a for a in analyses}
        ids = [a.article_id for a in articles]
        with self.db.transaction():
            for table in ("sentence", "mention", "article_actor", "candidate", "article_topic"):
                self.db.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest($1))", [ids])
            for art in articles:
                an = by_id[art.article_id]
                self.db.execute(
                    "UPDATE article SET body = ?, text_source = ?, language = ?, simhash = ?, n_sentences = ?, "
                    "tone = ?, tone_pos = ?, tone_neu = ?, tone_neg = ?, tone_sd = ? WHERE article_id = ?",
                    [art.text, art.text_source, art.language, an.simhash or None, *_tone_columns(an),
                     art.article_id])
            self.db.insert_rows("sentence", ["article_id", "idx", "start_char", "end_char", "text", "compound",
                                             "pos", "neu", "neg"],
                                [(an.article_id, s.index, s.start, s.end, s.text, s.compound, s.pos, s.neu, s.neg)
                                 for an in analyses for s in an.sentences])
            self.db.insert_rows("mention", ["article_id", "actor_id", "sentence_idx", "start_char", "end_char",
                                            "surface", "via"],
                                [(an.article_id, m.actor_id, m.sentence_index, m.start, m.end, m.surface, m.via)
                                 for an in analyses for m in an.mentions])
            self.db.insert_rows("article_actor", ["article_id", "actor_id", "mentions", "sentences", "tone",
                                                  "label"],
                                [(an.article_id, t.actor_id, t.mentions, t.sentences, t.compound, t.label)
                                 for an in analyses for t in an.actor_tones])
            self.db.insert_rows("candidate", ["article_id", "name", "mentions"],
                                [(an.article_id, name[:200], n) for an in analyses for name, n in an.candidates.items()],
                                on_conflict="ON CONFLICT DO NOTHING")
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"],
                                [(an.article_id, m.topic, m.score, m.via) for an in analyses for m in an.topics])
            if pages:
                self.save_page_fetches(pages)
        return len(articles)

    # -- actors and topics -----------------------------------------------------------------------------
    def sync_actors(self, rows: Sequence[tuple[str, str, str, str | None]]) -> None:
        self.db.insert_rows("actor", ["actor_id", "name", "kind", "country"], rows,
                            on_conflict="ON CONFLICT (actor_id) DO UPDATE SET name = excluded.name, "
                                        "kind = excluded.kind, country = excluded.country")

    def changed_topics(self, definitions: dict[str, tuple[str, str]]) -> list[str]:
        """definitions: name -> (description, definition hash). Returns topics that are new or changed."""
        stored = dict(self.db.query("SELECT name, definition_hash FROM topic"))
        return [name for name, (_, h) in definitions.items() if stored.get(name) != h]

    def save_topic_definitions(self, definitions: dict[str, tuple[str, str]]) -> None:
        now = datetime.now(UTC)
        self.db.insert_rows("topic", ["name", "description", "definition_hash", "updated_at"],
                            [(n, d, h, now) for n, (d, h) in definitions.items()],
                            on_conflict="ON CONFLICT (name) DO UPDATE SET description = excluded.description, "
                                        "definition_hash = excluded.definition_hash, updated_at = excluded.updated_at")

    def iter_article_texts(self, batch: int = 2000) -> Iterator[list[tuple[str, str, str, str | None, str]]]:
        """(article_id, title, body, origin, source) in batches, for re-matching topics over what is stored."""
        cur = self.db.execute("SELECT article_id, title, body, origin, source FROM article ORDER BY article_id")
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            yield rows

    def replace_topic_matches(self, topics: Sequence[str], matches: Sequence[tuple[str, TopicMatch]]) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM article_topic WHERE topic IN (SELECT unnest($1))", [list(topics)])
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"],
                                [(aid, m.topic, m.score, m.via) for aid, m in matches],
                                on_conflict="ON CONFLICT DO NOTHING")

    def candidate_counts(self, since: datetime, half: datetime, limit: int) -> list[dict[str, Any]]:
        """Candidate names since `since`: articles before and after `half` (to show what is rising)."""
        return self.db.query_dicts(
            "SELECT c.name, count(*) AS articles, sum(c.mentions) AS mentions, "
            "count(*) FILTER (WHERE a.published_at >= $half) AS recent, "
            "count(*) FILTER (WHERE a.published_at < $half) AS earlier, min(a.published_at) AS first_seen "
            "FROM candidate c JOIN article a USING (article_id) WHERE a.published_at >= $since "
            "GROUP BY c.name ORDER BY recent DESC, articles DESC, c.name LIMIT $limit",
            {"since": since, "half": half, "limit": limit})

    # -- the digest's window ------------------------------------------------------------------------------
    # Every query filters on published_at between UTC bounds first, so the work grows with the window, not with
    # the history; the local day is computed only for rows inside the window.
    def _local_day(self) -> str:
        return "CAST(timezone($tz, a.published_at) AS DATE)"

    def window_volume(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        """All articles (not near-duplicates) per local day and source outlet."""
        return self.db.query_dicts(
            f"SELECT {self._local_day()} AS day, a.outlet, count(*) AS n FROM article a "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL "
            "GROUP BY ALL", {"tz": tz, "start": start, "end": end})

    def window_topic_articles(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        return self.db.query_dicts(
            f"SELECT {self._local_day()} AS day, t.topic, t.score, t.via, a.article_id, a.outlet, a.source, "
            "a.title, a.url, a.summary, left(a.body, 2000) AS lead, a.published_at, a.language, a.tone, "
            "a.n_sentences, a.simhash FROM article a JOIN article_topic t USING (article_id) "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL",
            {"tz": tz, "start": start, "end": end})

    def window_actor_rows(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        return self.db.query_dicts(
            f"SELECT {self._local_day()} AS day, aa.article_id, aa.actor_id, coalesce(ac.name, aa.actor_id) AS name, "
            "ac.kind, aa.mentions, aa.tone, a.outlet FROM article a JOIN article_actor aa USING (article_id) "
            "LEFT JOIN actor ac USING (actor_id) "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL",
            {"tz": tz, "start": start, "end": end})

    def window_candidates(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        return self.db.query_dicts(
            f"SELECT {self._local_day()} AS day, c.name, sum(c.mentions) AS mentions, count(*) AS articles "
            "FROM article a JOIN candidate c USING (article_id) "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL GROUP BY ALL",
            {"tz": tz, "start": start, "end": end})

    # -- stories (newswatch/coverage.py) -------------------------------------------------------------------
    def story_items(self, since: datetime, end: datetime) -> list[tuple[Any, str | None]]:
        """Topic articles published in [since, end), syndicated copies included, each with its stored story."""
        from newswatch.analysis.stored_stories import story_item

        rows = self.db.query_dicts(
            "SELECT a.article_id, a.outlet, a.title, a.summary, left(a.body, 2000) AS lead, a.published_at, "
            "a.simhash, sa.story_id FROM article a LEFT JOIN story_article sa USING (article_id) "
            "WHERE a.published_at >= $since AND a.published_at < $end "
            "AND EXISTS (SELECT 1 FROM article_topic t WHERE t.article_id = a.article_id)",
            {"since": since, "end": end})
        return [(story_item(r), r["story_id"]) for r in rows]

    def run_article_days(self, run_id: str, tz: str) -> list[Any]:
        """Local days on which the articles a run stored were published."""
        return [r[0] for r in self.db.query(
            f"SELECT DISTINCT {self._local_day()} FROM article a WHERE a.run_id = $run_id",
            {"tz": tz, "run_id": run_id})]

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

    # -- digests ---------------------------------------------------------------------------------------
    def save_digest(self, digest: RenderedDigest, timezone: str, data: dict[str, Any],
                    html_path: str | None, text_path: str | None) -> None:
        self.db.insert_rows(
            "digest", ["digest_date", "generated_at", "timezone", "subject", "html", "text", "markdown", "data",
                       "html_path", "text_path"],
            [(digest.digest_date, datetime.now(UTC), timezone, digest.subject, digest.html, digest.text,
              digest.markdown, to_json(data), html_path, text_path)],
            on_conflict="ON CONFLICT (digest_date) DO UPDATE SET generated_at = excluded.generated_at, "
                        "timezone = excluded.timezone, subject = excluded.subject, html = excluded.html, "
                        "text = excluded.text, markdown = excluded.markdown, data = excluded.data, "
                        "html_path = excluded.html_path, text_path = excluded.text_path")

    # -- digest delivery (migration 003) ----------------------------------------------------------------
    def save_digest_images(self, digest_date: date, images: dict[str, bytes]) -> None:
        """Keep the charts with the stored digest, so it can be mailed again later exactly as built."""
        self.db.execute("DELETE FROM digest_image WHERE digest_date = ?", [digest_date])
        self.db.insert_rows("digest_image", ["digest_date", "name", "png"],
                            [(digest_date, name, png) for name, png in images.items()])

    def load_digest(self, digest_date: date) -> RenderedDigest | None:
        row = self.db.query("SELECT subject, html, text, markdown FROM digest WHERE digest_date = ?",
                            [digest_date])
        if not row:
            return None
        subject, html, text, markdown = row[0]
        images = {name: bytes(png) for name, png in self.db.query(
            "SELECT name, png FROM digest_image WHERE digest_date = ? ORDER BY name", [digest_date])}
        return RenderedDigest(digest_date=digest_date, subject=subject, html=html, text=text,
                              markdown=markdown or "", images=images)

    def delivery_states(self, digest_date: date) -> dict[str, str]:
        """recipient address -> 'sent' | 'failed' for one digest date."""
        return dict(self.db.query("SELECT recipient, status FROM delivery WHERE digest_date = ?", [digest_date]))

    def failed_delivery_dates(self, first: date, last: date) -> list[date]:
        """Digest dates from `first` to `last` (inclusive) with a delivery still marked failed."""
        return [r[0] for r in self.db.query(
            "SELECT DISTINCT digest_date FROM delivery WHERE status = 'failed' AND digest_date BETWEEN ? AND ? "
            "ORDER BY digest_date", [first, last])]

    def record_deliveries(self, rows: Sequence[tuple[date, str, str, int, str, datetime, datetime | None,
                                                     str | None, str | None]]) -> None:
        """rows: (digest_date, recipient, status, attempts, server, attempted_at, sent_at, message_id, error).

        Attempts add up over runs; a recipient once sent stays 'sent' when a --resend fails.
        """
        self.db.insert_rows(
            "delivery", ["digest_date", "recipient", "status", "attempts", "server", "first_attempt_at",
                         "last_attempt_at", "sent_at", "message_id", "last_error"],
            [(d, r, st, n, srv, at, at, sent, mid, err) for d, r, st, n, srv, at, sent, mid, err in rows],
            on_conflict="ON CONFLICT (digest_date, recipient) DO UPDATE SET "
                        "status = CASE WHEN excluded.status = 'sent' THEN 'sent' ELSE delivery.status END, "
                        "attempts = delivery.attempts + excluded.attempts, server = excluded.server, "
                        "last_attempt_at = excluded.last_attempt_at, "
                        "sent_at = coalesce(excluded.sent_at, delivery.sent_at), "
                        "message_id = coalesce(excluded.message_id, delivery.message_id), "
                        "last_error = excluded.last_error")

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("article", "sentence", "mention", "article_actor", "article_topic", "sighting", "candidate"):
            out[table] = int(self.db.scalar(f"SELECT count(*) FROM {table}") or 0)
        return out


def _tone_columns(an: Analysis) -> tuple[int, float | None, float | None, float | None, float | None,
                                          float | None]:
    """n_sentences and tone columns; NULL tone when nothing was scored (not English, headline only, no text)."""
    t = an.tone
    if not t.n_sentences:
        return 0, None, None, None, None, None
    return t.n_sentences, t.compound, t.pos, t.neu, t.neg, t.compound_sd


def definition_hash(definition: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()[:16]

