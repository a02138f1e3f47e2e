"""Digests: the window queries a digest is built from, stored digests and their images, and deliveries.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from newswatch.models import EvidenceRow, RenderedDigest
from storage.db import Database, local_day_sql, to_json

# What building and storing a digest writes (set_meta, start_run/finish_run, save_digest, save_evidence): small
# tables a digest run can bring up to date in a snapshot of the database instead of copying it whole after its
# work (Database.start_snapshot). Another table written meanwhile makes the publish a whole copy, as before.
DIGEST_WRITES = frozenset({"meta", "runs", "digest", "digest_image", "evidence", "delivery", "digest_version"})


class DigestsMixin:
    db: Database

    # -- the digest's window ------------------------------------------------------------------------------
    # Every query filters on published_at between UTC bounds first, so the work grows with the window, not with
    # the history; the local day is computed only for rows inside the window.
    def window_volume(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        """All articles (not near-duplicates) per local day and source outlet."""
        return self.db.query_dicts(
            f"SELECT {local_day_sql()} AS day, a.outlet, count(*) AS n, "
            "count(*) FILTER (WHERE a.published_estimated) AS undated FROM article a "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL "
            "GROUP BY ALL", {"tz": tz, "start": start, "end": end})

    def window_topic_articles(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        return self.db.query_dicts(
            f"SELECT {local_day_sql()} AS day, t.topic, t.score, t.via, a.article_id, a.outlet, a.source, "
            "a.title, a.url, a.summary, left(a.body, 2000) AS lead, a.published_at, a.language, a.tone, "
            "a.n_sentences, a.simhash, a.published_estimated, a.text_source, sa.story_id "
            "FROM article a JOIN article_topic t USING (article_id) LEFT JOIN story_article sa USING (article_id) "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL",
            {"tz": tz, "start": start, "end": end})

    def story_members(self, story_ids: Sequence[str], tz: str) -> list[dict[str, Any]]:
        """Every article of the given stored stories (syndicated copies included, as in the `stories` view), with
        its local day, oldest first; the story's stored headline and first_seen on each row."""
        if not story_ids:
            return []
        return self.db.query_dicts(
            f"SELECT sa.story_id, s.headline, s.first_seen, {local_day_sql()} AS day, a.article_id, a.outlet, "
            "a.title, a.url, a.published_at, a.duplicate_of FROM story_article sa JOIN story s USING (story_id) "
            "JOIN article a USING (article_id) WHERE sa.story_id IN (SELECT unnest($ids)) "
            "ORDER BY a.published_at, a.article_id", {"tz": tz, "ids": list(story_ids)})

    def window_actor_rows(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        return self.db.query_dicts(
            f"SELECT {local_day_sql()} AS day, aa.article_id, aa.actor_id, coalesce(ac.name, aa.actor_id) AS name, "
            "ac.kind, aa.mentions, aa.tone, aa.tone_method, aa.tone_model, a.outlet "
            "FROM article a JOIN article_actor aa USING (article_id) "
            "LEFT JOIN actor ac USING (actor_id) "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL",
            {"tz": tz, "start": start, "end": end})

    def window_candidates(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]:
        return self.db.query_dicts(
            f"SELECT {local_day_sql()} AS day, c.name, sum(c.mentions) AS mentions, count(*) AS articles "
            "FROM article a JOIN candidate c USING (article_id) "
            "WHERE a.published_at >= $start AND a.published_at < $end AND a.duplicate_of IS NULL GROUP BY ALL",
            {"tz": tz, "start": start, "end": end})

    def window_observed_days(self, first: date, last: date, tz: str) -> list[dict[str, Any]]:
        """Per local day first..last and source: successful fetches and articles read from files (migration 007)."""
        return self.db.query_dicts(
            "SELECT day, source, fetches, imported_articles FROM observed_source_days($tz) "
            "WHERE day BETWEEN $first AND $last ORDER BY day, source", {"tz": tz, "first": first, "last": last})

    def window_feed_fetches(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Successful fetches after `start` whose previous successful fetch of the same feed was before `end`:
        feed, its kind (feeds.kind), fetched_at, previous_at, entries, new_articles, and oldest_new, the earliest publication time among
        the articles the fetch's run stored from the feed (null when it stored none)."""
        return self.db.query_dicts(
            "SELECT l.feed, f.kind, l.fetched_at, l.entries, l.new_articles, l.previous_at, "
            "(SELECT min(a.published_at) FROM article a WHERE a.run_id = l.run_id AND a.source = l.feed) AS oldest_new "
            "FROM (SELECT run_id, feed, fetched_at, status, entries, new_articles, "
            "lag(fetched_at) OVER (PARTITION BY feed ORDER BY fetched_at) AS previous_at "
            "FROM fetch_log WHERE status IN ('ok', 'not_modified')) l LEFT JOIN feeds f ON f.name = l.feed "
            "WHERE l.status = 'ok' AND l.fetched_at > $start AND l.previous_at < $end ORDER BY l.feed, l.fetched_at",
            {"start": start, "end": end})

    # -- the evidence behind flags (newswatch/report/evidence.py) ----------------------------------------------
    def article_sentences(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not article_ids:
            return []
        return self.db.query_dicts(
            "SELECT article_id, idx, text, compound FROM sentence WHERE article_id IN (SELECT unnest($ids)) "
            "ORDER BY article_id, idx", {"ids": list(article_ids)})

    def actor_mentions(self, article_ids: Sequence[str], actor_id: str) -> list[dict[str, Any]]:
        """An actor's mentions in the articles with their sentences; `score` is the mention's own tone (migration
        009), else (rows stored before it) the sentence's compound."""
        if not article_ids:
            return []
        return self.db.query_dicts(
            "SELECT m.article_id, m.sentence_idx, m.start_char, m.end_char, s.text, s.start_char AS sentence_start, "
            "coalesce(m.tone, s.compound) AS score FROM mention m JOIN sentence s ON s.article_id = m.article_id AND s.idx = m.sentence_idx "
            "WHERE m.actor_id = $actor AND m.article_id IN (SELECT unnest($ids)) "
            "ORDER BY m.article_id, m.sentence_idx, m.start_char", {"ids": list(article_ids), "actor": actor_id})

    def candidate_articles(self, start: datetime, end: datetime, name: str) -> list[dict[str, Any]]:
        """Articles (not near-duplicates) published in [start, end) that carry a name outside the registry."""
        return self.db.query_dicts(
            "SELECT a.article_id, a.outlet, a.title, a.url, a.published_at FROM article a "
            "JOIN candidate c USING (article_id) WHERE c.name = $name AND a.published_at >= $start "
            "AND a.published_at < $end AND a.duplicate_of IS NULL ORDER BY a.published_at, a.article_id",
            {"name": name, "start": start, "end": end})

    def save_evidence(self, digest_date: date, rows: Sequence[EvidenceRow]) -> None:
        """Replace a day's evidence rows (call inside the transaction that stores the digest)."""
        self.db.execute("DELETE FROM evidence WHERE digest_date = ?", [digest_date])
        names = [f.name for f in fields(EvidenceRow)]
        self.db.insert_rows("evidence", names, [tuple(getattr(r, n) for n in names) for r in rows])

    # -- digests ---------------------------------------------------------------------------------------
    def save_digest(self, digest: RenderedDigest, timezone: str, data: dict[str, Any],
                    html_path: str | None, text_path: str | None) -> None:
        """The digest and its charts, replaced together in one transaction."""
        with self.db.transaction():
            self._save_digest_row(digest, timezone, data, html_path, text_path)
            self.save_digest_images(digest.digest_date, digest.images)

    def _save_digest_row(self, digest: RenderedDigest, timezone: str, data: dict[str, Any],
                         html_path: str | None, text_path: str | None) -> None:
        self._keep_mailed_version(digest.digest_date)
        self.db.insert_rows(
            "digest", ["digest_date", "generated_at", "timezone", "subject", "html", "text", "markdown", "data",
                       "html_path", "text_path"],
            [(digest.digest_date, datetime.now(UTC), timezone, digest.subject, digest.html, digest.text,
              digest.markdown, to_json(data), html_path, text_path)],
            on_conflict="ON CONFLICT (digest_date) DO UPDATE SET generated_at = excluded.generated_at, "
                        "timezone = excluded.timezone, subject = excluded.subject, html = excluded.html, "
                        "text = excluded.text, markdown = excluded.markdown, data = excluded.data, "
                        "html_path = excluded.html_path, text_path = excluded.text_path")

    def _keep_mailed_version(self, digest_date: date) -> None:
        """Before the day's stored digest is replaced: when it was mailed (a recipient sent it, or handed it without an
        answer, at or after it was built: sent_at, maybe_sent_at of migration 019; a failed attempt's time is not
        read), keep it and its evidence rows (still the old ones: the caller replaces them after the digest)
        in `digest_version` (migration 018), so what a reader received can still be checked. A version never mailed
        (a rerun's, a backfill's) is not kept."""
        self.db.execute(
            "INSERT INTO digest_version SELECT d.digest_date, d.generated_at, now(), d.timezone, d.subject, d.html, "
            "d.text, d.markdown, d.data, (SELECT CAST(to_json(list(e ORDER BY e.flag_no, e.kind, e.rank)) AS VARCHAR) "
            "FROM evidence e WHERE e.digest_date = d.digest_date) FROM digest d WHERE d.digest_date = $day "
            "AND EXISTS (SELECT 1 FROM delivery v WHERE v.digest_date = d.digest_date "
            "AND v.status IN ('sent', 'unknown') AND greatest(v.sent_at, v.maybe_sent_at) >= d.generated_at) "
            "ON CONFLICT DO NOTHING", {"day": digest_date})

    # -- digest delivery (migration 003) ----------------------------------------------------------------
    def save_digest_images(self, digest_date: date, images: dict[str, bytes]) -> None:
        """Keep the charts with the stored digest, so it can be mailed again later exactly as built."""
        with self.db.transaction():
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

    def digest_dates(self, first: date | None = None, last: date | None = None) -> list[date]:
        """The days with a stored digest, from `first` to `last` (inclusive; either open when None), in order."""
        return [r[0] for r in self.db.query(
            "SELECT digest_date FROM digest WHERE ($1::DATE IS NULL OR digest_date >= $1) "
            "AND ($2::DATE IS NULL OR digest_date <= $2) ORDER BY digest_date", [first, last])]

    def delivery_states(self, digest_date: date) -> dict[str, str]:
        """recipient address -> 'sent' | 'unknown' | 'failed' for one digest date."""
        return dict(self.db.query("SELECT recipient, status FROM delivery WHERE digest_date = ?", [digest_date]))

    def failed_delivery_dates(self, first: date, last: date) -> list[date]:
        """Digest dates from `first` to `last` (inclusive) with a delivery still marked failed."""
        return [r[0] for r in self.db.query(
            "SELECT DISTINCT digest_date FROM delivery WHERE status = 'failed' AND digest_date BETWEEN ? AND ? "
            "ORDER BY digest_date", [first, last])]

    def record_deliveries(self, rows: Sequence[tuple[date, str, str, int, str, datetime, datetime | None,
                                                     str | None, str | None]]) -> None:
        """rows: (digest_date, recipient, status, attempts, server, attempted_at, sent_at, message_id, error).

        Attempts add up over runs. Status: 'sent' wins over 'unknown' (a run stopped while the server received
        the message), which wins over 'failed': a recipient once sent stays 'sent' when a --resend fails, and one
        who may have it is not caught up as failed.
        """
        self.db.insert_rows(
            "delivery", ["digest_date", "recipient", "status", "attempts", "server", "first_attempt_at",
                         "last_attempt_at", "sent_at", "message_id", "last_error", "maybe_sent_at"],
            [(d, r, st, n, srv, at, at, sent, mid, err, at if st == "unknown" else None)
             for d, r, st, n, srv, at, sent, mid, err in rows],
            on_conflict="ON CONFLICT (digest_date, recipient) DO UPDATE SET "
                        "status = CASE WHEN 'sent' IN (excluded.status, delivery.status) THEN 'sent' "
                        "WHEN 'unknown' IN (excluded.status, delivery.status) THEN 'unknown' ELSE 'failed' END, "
                        "attempts = delivery.attempts + excluded.attempts, server = excluded.server, "
                        "last_attempt_at = excluded.last_attempt_at, "
                        "sent_at = coalesce(excluded.sent_at, delivery.sent_at), "
                        "message_id = coalesce(excluded.message_id, delivery.message_id), "
                        "maybe_sent_at = coalesce(excluded.maybe_sent_at, delivery.maybe_sent_at), "
                        "last_error = excluded.last_error")
