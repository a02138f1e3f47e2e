"""Runs: one row per ingest, digest or backfill run, with its counts; stale runs closed on start.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from storage.db import Database, local_day_sql, to_json


class RunsMixin:
    db: Database

    # -- runs ------------------------------------------------------------------------------------------
    def start_run(self, kind: str) -> str:
        run_id = new_run_id()
        with self.db.bookkeeping():
            self.db.insert_rows("runs", ["run_id", "kind", "started_at", "status"],
                                [(run_id, kind, datetime.now(UTC), "running")])
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict[str, int], detail: dict[str, Any]) -> None:
        allowed = ["feeds_ok", "feeds_not_modified", "feeds_failed", "feeds_skipped", "files_read",
                   "files_failed", "entries", "articles_new", "articles_duplicate", "errors"]
        sets = ", ".join(f"{k} = ?" for k in allowed)
        values = [int(counts.get(k, 0)) for k in allowed]
        with self.db.bookkeeping():
            self.db.execute(f"UPDATE runs SET finished_at = ?, status = ?, detail = ?, {sets} WHERE run_id = ?",
                            [datetime.now(UTC), status, to_json(detail), *values, run_id])

    def close_stale_runs(self) -> int:
        """Runs left 'running' by a killed process are marked 'interrupted' (their writes were all-or-nothing)."""
        n = self.db.scalar("SELECT count(*) FROM runs WHERE status = 'running'") or 0
        if n:
            with self.db.bookkeeping():
                self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        return int(n)

    def run_article_days(self, run_ids: Sequence[str], tz: str) -> list[Any]:
        """Local days on which the articles the runs stored (or revised) were published."""
        return [r[0] for r in self.db.query(
            f"SELECT DISTINCT {local_day_sql()} FROM article a WHERE a.run_id IN (SELECT unnest($runs)) "
            "OR a.revised_run_id IN (SELECT unnest($runs))",
            {"tz": tz, "runs": list(run_ids)})]

    def runs_without_stories(self, current: str) -> list[str]:
        """Earlier ingest runs that stored (or revised) articles and whose stories were never brought up to date
        (killed or failed after storing, before their stories: migration 014), oldest first. A run that stored
        nothing has no days to re-group."""
        return [r[0] for r in self.db.query(
            "SELECT r.run_id FROM runs r WHERE r.kind = 'ingest' AND r.stories_at IS NULL AND r.status <> 'running' "
            "AND r.run_id <> ? AND EXISTS (SELECT 1 FROM article a WHERE a.run_id = r.run_id "
            "OR a.revised_run_id = r.run_id) ORDER BY r.started_at", [current])]

    def mark_stories_done(self, run_ids: Sequence[str]) -> None:
        with self.db.bookkeeping():
            self.db.execute("UPDATE runs SET stories_at = $1 WHERE run_id IN (SELECT unnest($2))",
                            [datetime.now(UTC), list(run_ids)])

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("article", "sentence", "mention", "article_actor", "article_topic", "sighting", "candidate"):
            out[table] = int(self.db.scalar(f"SELECT count(*) FROM {table}") or 0)
        return out


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
