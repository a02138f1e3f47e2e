"""Feeds: the configured sources, their fetch log and health, and the inbox files already read.

SQL only; the rules behind it live in newswatch/ and arrive as values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from newswatch.models import FetchResult, InboxFile
from storage.db import Database

# Feed columns that change on every fetch (when it was tried, the validators): not a change clients need.
_TIMING_COLUMNS = frozenset({"last_attempt_at", "last_success_at", "next_attempt_at", "etag", "last_modified"})


# What a feed's new url resets (sync_feeds): the old url's validators and back-off.
_RESET_ON_NEW_URL = ", ".join(
    f"{column} = CASE WHEN feeds.url IS DISTINCT FROM excluded.url THEN {fresh} ELSE feeds.{column} END"
    for column, fresh in (("etag", "NULL"), ("last_modified", "NULL"), ("error_count", "0"),
                          ("failure_weight", "0"), ("next_attempt_at", "NULL"))
)


def _by_columns(states: dict[str, dict[str, Any]], wanted: Callable[[str], bool]
                ) -> dict[tuple[str, ...], list[tuple[Any, ...]]]:
    """Feeds' new states grouped by the columns they set among the `wanted` ones: {columns: [(name, *values)]}."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for name, state in states.items():
        columns = tuple(sorted(k for k in state if wanted(k)))
        groups.setdefault(columns, []).append((name, *(state[k] for k in columns)))
    return groups


class FeedsMixin:
    db: Database

    # -- feeds -----------------------------------------------------------------------------------------
    def sync_feeds(self, rows: Sequence[tuple[str, str, str | None, str | None, str | None, str | None]]) -> None:
        """rows: (name, kind, url, outlet, country, language). Unlisted feeds become inactive, never deleted.

        A feed whose url changed starts afresh at its new url: the old url's validators (ETag, Last-Modified)
        are not sent to the new one (a server with the same validators would answer 304 and the new feed would
        never be read), and the old url's back-off does not hold the new one back. Its last error stays, as
        history."""
        with self.db.transaction():
            self.db.execute("UPDATE feeds SET active = FALSE WHERE active AND name NOT IN (SELECT unnest($1))",
                            [[r[0] for r in rows]])
            self.db.insert_rows(
                "feeds", ["name", "kind", "url", "outlet", "country", "language", "active"],
                [(*r, True) for r in rows],
                on_conflict="ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url, "
                            f"{_RESET_ON_NEW_URL}, outlet = excluded.outlet, country = excluded.country, "
                            "language = excluded.language, "
                            "active = TRUE WHERE (feeds.kind, feeds.url, feeds.outlet, feeds.country, "
                            "feeds.language, feeds.active) IS DISTINCT FROM (excluded.kind, excluded.url, "
                            "excluded.outlet, excluded.country, excluded.language, TRUE)",
            )

    def feed_renames(self) -> dict[str, str]:
        """Feeds renamed in the config: old name -> current name, for each feed no longer in the config (inactive)
        whose URL exactly one feed in it now has, of the same kind. `sync_feeds` keeps the old name's row and its URL,
        so a renamed feed's fetches and articles before the rename can be followed under its new name."""
        return dict(self.db.query(
            "SELECT o.name, min(n.name) FROM feeds o JOIN feeds n ON n.url = o.url AND n.kind = o.kind "
            "AND n.active AND n.name <> o.name WHERE NOT o.active GROUP BY o.name HAVING count(*) = 1"))

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
            with self.db.bookkeeping():
                self.db.insert_rows("fetch_log", ["run_id", "feed", "fetched_at", "status", "http_status",
                                                  "error_kind", "error", "entries", "new_articles", "elapsed_ms"],
                                    rows)
            # One UPDATE per set of columns (usually one set for every feed), not two per feed. When a feed was
            # tried is bookkeeping; a change of its status or errors is news for clients.
            for timing, group in _by_columns(health, lambda k: k in _TIMING_COLUMNS).items():
                with self.db.bookkeeping():
                    self.db.update_rows("feeds", "name", timing, group)
            for keys, group in _by_columns(health, lambda k: k not in _TIMING_COLUMNS).items():
                if keys:
                    self.db.update_rows("feeds", "name", keys, group, only_changed=True)

    # -- inbox files -----------------------------------------------------------------------------------
    def inbox_files(self) -> dict[str, tuple[int, float]]:
        """Size and mtime of the files read before that need no new read until they change (not those to retry)."""
        return {r[0]: (int(r[1]), float(r[2]))
                for r in self.db.query("SELECT path, size, mtime FROM inbox_file WHERE status <> 'retry'")}

    def save_inbox_files(self, files: Sequence[InboxFile], read_at: datetime, errors: dict[str, str]) -> None:
        """Mark files read: status ok, error (read again once changed) or retry (read again next run), with the
        error message from `errors` by path."""
        rows = [(f.path, f.size, f.mtime, read_at, ("retry" if f.retry else "error") if f.failed else "ok", f.entries,
                 errors.get(f.path)) for f in files]
        self.db.insert_rows("inbox_file", ["path", "size", "mtime", "read_at", "status", "entries", "error"], rows,
                            on_conflict="ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
                                        "mtime = excluded.mtime, read_at = excluded.read_at, "
                                        "status = excluded.status, entries = excluded.entries, error = excluded.error")
