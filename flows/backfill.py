"""Backfill: recompute stored stories and rewrite the digest for each day of a past range. No email is sent.

`backfill_days` is a plain loop over the digest flow's stages (tested without Prefect); `backfill_flow` wraps it
so a backfill shows in Prefect like any other run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from prefect import flow

from flows.digest import WAIT_SECONDS, follow_topic_edits, render, settle_deliveries
from newswatch.analysis import stored_stories as coverage
from newswatch.config import Settings, load_settings
from newswatch.days import day_bounds
from newswatch.errors import ConfigError, DatabaseLocked
from newswatch.report import digest as digest_mod
from newswatch.report import evidence
from newswatch.runlock import acquire_run_lock, lock_path
from storage.db import Database
from storage.store import Store

MAX_DAYS = 3660
_log = logging.getLogger("newswatch")  # plain logger: backfill_days also runs outside a flow


@dataclass
class BackfillSummary:
    first: date
    last: date
    days: int = 0
    stories: int = 0
    story_articles: int = 0
    digests: list[str] = field(default_factory=list)
    client_copy: str = ""


def backfill_days(settings: Settings, first: date, last: date) -> BackfillSummary:
    """Stories for first..last (local days), then one digest per day, each written and stored; one read copy."""
    if last < first:
        raise ConfigError(settings.path, "backfill", f"--to {last} is before --from {first}")
    if (last - first).days >= MAX_DAYS:
        raise ConfigError(settings.path, "backfill", f"at most {MAX_DAYS} days at once")
    summary = BackfillSummary(first, last)
    # The digest runs' lock: a digest run mailing meanwhile (the database closed while it talks to the server) has
    # outcomes in the delivery journal that say whether a stored digest was mailed, and so is kept when rewritten
    # here; they are recorded first (settle_deliveries), never while that run still writes them.
    lock = acquire_run_lock(
        lock_path(settings.database_path, "digest"), label=f"backfill {first} to {last}", wait_seconds=WAIT_SECONDS,
        on_wait=lambda who: _log.info("backfill: a digest run is still going (%s); waiting up to %g min for it",
                                      who, WAIT_SECONDS / 60))
    if lock is None:
        raise DatabaseLocked(f"backfill: a digest run still held its lock after {WAIT_SECONDS / 60:g} min; run the "
                             "backfill again once it is done")
    with lock, Database(settings.database_path, lock_timeout=60) as db:
        store = Store(db)
        settle_deliveries(store, settings)
        db.set_meta({"timezone": settings.digest.timezone,
                     "min_baseline_days": str(settings.digest.min_baseline_days)})
        run_id = store.start_run("backfill")
        try:
            follow_topic_edits(store, settings)  # the digests rewritten count the topics the config defines
            refreshed = coverage.refresh_stories(store, *day_bounds(first, last, settings.digest.tz))
            summary.stories, summary.story_articles = refreshed.stories, refreshed.articles
            day = first
            while day <= last:
                data = digest_mod.build_digest(store, settings, day)
                rendered = render.fn(data, settings)
                html_path, text_path = digest_mod.write_digest(rendered, settings.output_dir)
                with db.transaction():
                    store.save_digest(rendered, settings.digest.timezone, data, str(html_path), str(text_path))
                    store.save_evidence(day, evidence.evidence_rows(data))
                summary.digests.append(str(html_path))
                summary.days += 1
                _log.info("backfill: digest for %s written to %s", day, html_path)
                day += timedelta(days=1)
            store.finish_run(
                run_id,
                "ok",
                {},
                {"from": first.isoformat(), "to": last.isoformat(), "stories": summary.stories},
            )
            db.publish_copy(settings.client_copy_path)
            summary.client_copy = str(settings.client_copy_path)
        except BaseException as exc:
            store.finish_run(run_id, "failed", {}, {"exception": repr(exc)[:2000]})
            raise
    return summary


@flow(name="backfill", log_prints=True)
def backfill_flow(first: date, last: date, config_path: str | None = None) -> BackfillSummary:
    """Recompute stories and digests for the local days first..last."""
    return backfill_days(load_settings(config_path), first, last)
