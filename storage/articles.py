"""Articles: what is already stored (ids, hashes, simhashes), sightings, scored articles with their
sentences, mentions, actor tones, candidates and topics, and page fetches.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from newswatch.models import Analysis, Article, PageFetch, StoredVersion, TermCounts
from storage.db import Database, chunked
from storage.stories import note_stories_due


class ArticlesMixin:
    db: Database

    # -- articles --------------------------------------------------------------------------------------
    def article_count(self) -> int:
        return int(self.db.scalar("SELECT count(*) FROM article") or 0)

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(ids))
        found: set[str] = set()
        for part in chunked(ids, 50_000):
            found.update(r[0] for r in self.db.query(
                "SELECT article_id FROM article WHERE article_id IN (SELECT unnest($1))", [list(part)]))
        return found

    def stored_versions(self, ids: Iterable[str]) -> dict[str, StoredVersion]:
        """For the ids already stored: their feed text's hash and first source (to tell a correction)."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, StoredVersion] = {}
        for part in chunked(ids, 50_000):
            for aid, h, source in self.db.query(
                    "SELECT article_id, content_hash, source FROM article WHERE article_id IN (SELECT unnest($1))",
                    [list(part)]):
                found[aid] = StoredVersion(h, source)
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
            men_rows.extend(_mention_rows(an))
            act_rows.extend(_actor_rows(an))
            cand_rows.extend(_candidate_rows(an))
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
            self.db.insert_rows("mention", MENTION_COLUMNS, men_rows)
            self.db.insert_rows("article_actor", ACTOR_COLUMNS, act_rows)
            self.db.insert_rows("candidate", CANDIDATE_COLUMNS, cand_rows, on_conflict="ON CONFLICT DO NOTHING")
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"], top_rows)
            self.db.insert_rows("sighting", ["article_id", "source", "outlet", "url", "seen_at", "run_id"],
                                sight_rows, on_conflict="ON CONFLICT DO NOTHING")
            # Read from a local file this run (the feed's url as the run has it): those days count as watched for
            # good, whatever the url says later (migration 013).
            self.db.execute(
                "INSERT INTO article_from_file SELECT a.article_id FROM article a JOIN feeds f ON f.name = a.source "
                "WHERE a.article_id IN (SELECT unnest($1)) AND f.kind <> 'inbox' AND is_file_url(f.url) "
                "ON CONFLICT DO NOTHING", [[a.article_id for a in articles]])
            self._count_terms([by_id[a.article_id].terms for a in articles if a.article_id not in duplicate_of])
        return len(art_rows)

    def _count_terms(self, term_sets: Sequence[frozenset[str]]) -> None:
        """Add a batch's articles to the corpus statistics (migration 008); called inside its transaction."""
        if not term_sets:
            return
        df = Counter(chain.from_iterable(term_sets))  # one counting loop in C over the whole batch
        self.db.execute(
            "INSERT INTO corpus_df (term, df, key) SELECT term, df, md5_number_lower(term) "
            "FROM (SELECT unnest($1) AS term, unnest($2) AS df) "
            "ON CONFLICT (term) DO UPDATE SET df = corpus_df.df + excluded.df",
            [list(df), list(df.values())])
        self.db.execute(
            "INSERT INTO meta VALUES ('corpus_docs', CAST($1 AS VARCHAR)) ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + $1 AS VARCHAR)", [len(term_sets)])

    def corpus_uncounted(self) -> int:
        """Stored articles the corpus statistics leave out: a store created before migration 008 counted only the
        articles stored after it (every article but a near-duplicate is counted when it is stored)."""
        counted = int(self.db.get_meta("corpus_docs") or 0)
        stored = int(self.db.scalar("SELECT count(*) FROM article WHERE duplicate_of IS NULL") or 0)
        return max(0, stored - counted)

    def recount_corpus(self, terms_of: Callable[[str, str], frozenset[str]], batch: int = 5000) -> int:
        """Count the corpus statistics again over every stored article but near-duplicates, `terms_of(title, body)`
        giving an article's terms as the analysis does: one transaction, so a crash leaves the old counts. Returns
        the articles counted."""
        ids = [str(r[0]) for r in self.db.query(
            "SELECT article_id FROM article WHERE duplicate_of IS NULL ORDER BY article_id")]
        with self.db.transaction():
            self.db.execute("DELETE FROM corpus_df")
            self.db.execute("DELETE FROM meta WHERE key = 'corpus_docs'")
            for i in range(0, len(ids), batch):
                rows = self.db.query("SELECT title, body FROM article WHERE article_id IN (SELECT unnest($1))",
                                     [ids[i : i + batch]])
                self._count_terms([terms_of(str(title or ""), str(body or "")) for title, body in rows])
        return len(ids)

    def replace_actor_tones(self, analyses: Sequence[Analysis]) -> int:
        """Mentions, actor tones and candidate names of stored articles, computed again (newswatch rescore
        --actors, after a model update or a registry change: a promoted name is an actor now, no longer a
        candidate): one transaction, nothing else about the articles changes. Returns the articles rewritten."""
        ids = [an.article_id for an in analyses]
        if not ids:
            return 0
        with self.db.transaction():
            for table in ("mention", "article_actor", "candidate"):
                self.db.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest($1))", [ids])
            self.db.insert_rows("mention", MENTION_COLUMNS, [r for an in analyses for r in _mention_rows(an)])
            self.db.insert_rows("article_actor", ACTOR_COLUMNS, [r for an in analyses for r in _actor_rows(an)])
            self.db.insert_rows("candidate", CANDIDATE_COLUMNS, [r for an in analyses for r in _candidate_rows(an)],
                                on_conflict="ON CONFLICT DO NOTHING")
        return len(ids)

    def article_ids_published(self, first: datetime | None, last: datetime | None) -> list[str]:
        """Ids of stored articles published in [first, last) (either bound open when None), oldest first."""
        return [str(r[0]) for r in self.db.query(
            "SELECT article_id FROM article WHERE ($1::TIMESTAMPTZ IS NULL OR published_at >= $1) "
            "AND ($2::TIMESTAMPTZ IS NULL OR published_at < $2) ORDER BY published_at, article_id", [first, last])]

    def language_tags_to_map(self) -> list[str] | None:
        """The distinct language tags of stored articles, when a store from before their mapping to ISO 639-1 codes
        still has them to map (migration 016's mark); None otherwise."""
        if self.db.get_meta("language_tags") is None:
            return None
        return [r[0] for r in self.db.query("SELECT DISTINCT language FROM article WHERE language IS NOT NULL")]

    def map_language_tags(self, mapping: dict[str, str | None]) -> int:
        """Rewrite stored language tags (old -> new) and remove the mark, in one transaction; articles changed."""
        changed = 0
        with self.db.transaction():
            for old, new in mapping.items():
                if new != old:
                    changed += int(self.db.scalar("SELECT count(*) FROM article WHERE language = ?", [old]) or 0)
                    self.db.execute("UPDATE article SET language = ? WHERE language = ?", [new, old])
            self.db.execute("DELETE FROM meta WHERE key = 'language_tags'")
        return changed

    def corpus_counts(self) -> TermCounts:
        """The corpus statistics' stored part: every term's document frequency and the articles counted.

        Read as two arrays keyed by each term's md5_number_lower (`TermCounts`), never as one Python object per
        term: a store of a million articles holds millions of terms, read by every run and sent to each scoring
        process (docs/performance.md, Memory)."""
        n_docs = int(self.db.get_meta("corpus_docs") or 0)
        cols = self.db.query_arrays(  # the key is stored with each term (migration 011)
            "SELECT coalesce(key, md5_number_lower(term)) AS key, df FROM corpus_df ORDER BY key")
        return TermCounts(cols["key"], cols["df"], n_docs)

    # -- full text: page fetches and re-scored articles (migration 005) ---------------------------------
    def save_page_fetches(self, fetches: Sequence[PageFetch]) -> None:
        """One page_fetch row per attempt's url (the latest attempt wins); attempts counted."""
        rows = [(f.url, f.article_id, f.status, f.method, f.error, f.http_status, f.final_url, f.fetched_at)
                for f in fetches]
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
                         pages: Sequence[PageFetch] = (), *, stories_due: bool = True) -> int:
        """New text and everything computed from it for stored articles, with their page rows, all or nothing.

        The content hash stays the feed's: it is the key later copies of the same entry are folded on. Their
        stories are out of date too (a new lead, maybe other topics): their UTC dates are noted for regrouping in
        the same transaction (`note_stories_due`), unless the caller's run regroups their days itself
        (`stories_due=False`: a revision, whose run is recorded on the article)."""
        by_id = {a.article_id: a for a in analyses}
        ids = [a.article_id for a in articles]
        with self.db.transaction():
            if stories_due:
                note_stories_due(self.db, {a.published_at.astimezone(UTC).date() for a in articles})
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
            self.db.insert_rows("mention", MENTION_COLUMNS, [r for an in analyses for r in _mention_rows(an)])
            self.db.insert_rows("article_actor", ACTOR_COLUMNS, [r for an in analyses for r in _actor_rows(an)])
            self.db.insert_rows("candidate", CANDIDATE_COLUMNS, [r for an in analyses for r in _candidate_rows(an)],
                                on_conflict="ON CONFLICT DO NOTHING")
            self.db.insert_rows("article_topic", ["article_id", "topic", "score", "via"],
                                [(an.article_id, m.topic, m.score, m.via) for an in analyses for m in an.topics])
            if pages:
                self.save_page_fetches(pages)
        return len(articles)

    def revise_articles(self, run_id: str, articles: Sequence[Article], analyses: Sequence[Analysis],
                        revised_at: datetime) -> int:
        """Stored articles whose source changed their text (a correction): the new title, summary, text and hash
        and everything computed from them, all or nothing. first_seen_at and published_at stay; `revisions`
        counts the changes (migration 006)."""
        if not articles:
            return 0
        with self.db.transaction():
            self.db.execute(
                "UPDATE article SET title = r.title, summary = r.summary, content_hash = r.content_hash, "
                "revisions = coalesce(article.revisions, 0) + 1, revised_at = $at, revised_run_id = $run "
                "FROM (SELECT unnest($ids) AS article_id, unnest($titles) AS title, unnest($summaries) AS summary, "
                "unnest($hashes) AS content_hash) r WHERE article.article_id = r.article_id",
                {"ids": [a.article_id for a in articles], "titles": [a.title for a in articles],
                 "summaries": [a.summary for a in articles], "hashes": [a.content_hash for a in articles],
                 "at": revised_at, "run": run_id})
            self.replace_analyses(articles, analyses, stories_due=False)
        return len(articles)

    def iter_article_texts(self, batch: int = 2000) -> Iterator[list[tuple[str, str, str, str | None, str]]]:
        """(article_id, title, body, origin, source) in batches, for re-matching topics over what is stored."""
        cur = self.db.execute("SELECT article_id, title, body, origin, source FROM article ORDER BY article_id")
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            yield rows

    def candidate_counts(self, since: datetime, half: datetime, limit: int) -> list[dict[str, Any]]:
        """Candidate names since `since`: articles before and after `half` (to show what is rising), near-duplicates
        left out as in the digest, and when each was first seen in all the stored history."""
        return self.db.query_dicts(
            "SELECT c.name, count(*) AS articles, sum(c.mentions) AS mentions, "
            "count(*) FILTER (WHERE a.published_at >= $half) AS recent, "
            "count(*) FILTER (WHERE a.published_at < $half) AS earlier, "
            "any_value(f.first_seen) AS first_seen "
            "FROM candidate c JOIN article a USING (article_id) "
            "JOIN (SELECT c2.name, min(a2.published_at) AS first_seen FROM candidate c2 JOIN article a2 "
            "      USING (article_id) WHERE a2.duplicate_of IS NULL GROUP BY c2.name) f USING (name) "
            "WHERE a.published_at >= $since AND a.duplicate_of IS NULL "
            "GROUP BY c.name ORDER BY recent DESC, articles DESC, c.name LIMIT $limit",
            {"since": since, "half": half, "limit": limit})


def _tone_columns(an: Analysis) -> tuple[int, float | None, float | None, float | None, float | None,
                                          float | None]:
    """n_sentences and tone columns; NULL tone when nothing was scored (not English, headline only, no text)."""
    t = an.tone
    if not t.n_sentences:
        return 0, None, None, None, None, None
    return t.n_sentences, t.compound, t.pos, t.neu, t.neg, t.compound_sd


MENTION_COLUMNS = ["article_id", "actor_id", "sentence_idx", "start_char", "end_char", "surface", "via", "tone"]
ACTOR_COLUMNS = ["article_id", "actor_id", "mentions", "sentences", "tone", "label", "tone_method", "tone_model"]


CANDIDATE_COLUMNS = ["article_id", "name", "mentions"]


def _candidate_rows(an: Analysis) -> list[tuple[object, ...]]:
    return [(an.article_id, name[:200], n) for name, n in an.candidates.items()]


def _mention_rows(an: Analysis) -> list[tuple[object, ...]]:
    return [(an.article_id, m.actor_id, m.sentence_index, m.start, m.end, m.surface, m.via, m.tone)
            for m in an.mentions]


def _actor_rows(an: Analysis) -> list[tuple[object, ...]]:
    return [(an.article_id, t.actor_id, t.mentions, t.sentences, t.compound, t.label, t.method or None,
             t.model_version or None) for t in an.actor_tones]
