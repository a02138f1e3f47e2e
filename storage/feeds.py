"""Feeds: the configured sources, their fetch log and health, and the inbox files already read.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from newswatch.models import FetchResult, InboxFile
from storage.db import Database


class FeedsMixin:
    db: Database

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

    def save_inbox_files(self, files: Sequence[InboxFile], read_at: datetime, errors: dict[str, str]) -> None:
        """Mark files read (status ok or error, with the error message from `errors` by path)."""
        rows = [(f.path, f.size, f.mtime, read_at, "error" if f.failed else "ok", f.entries, errors.get(f.path))
                for f in files]
        self.db.insert_rows("inbox_file", ["path", "size", "mtime", "read_at", "status", "entries", "error"], rows,
                            on_conflict="ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
                                        "mtime = excluded.mtime, read_at = excluded.read_at, "
                                        "status = excluded.status, entries = excluded.entries, error = excluded.error")
