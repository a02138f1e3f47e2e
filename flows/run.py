"""The scheduled job once: ingest, then the digest, as subflows of one flow run (one engine start-up)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prefect import flow

from flows.digest import DigestSummary, _scheduled_start, digest_flow
from flows.ingest import IngestSummary, configured_ingest_flow
from flows.logs import progress
from newswatch.config import Settings, load_settings
from newswatch.errors import DatabaseLocked
from newswatch.report import digest as digest_mod
from storage.db import Database

PUBLISH_WAIT = 60.0  # seconds the run's own publish waits for another process to let go of the database


@dataclass
class RunSummary:
    ingest: IngestSummary | None
    digest: DigestSummary | None


@flow(name="newswatch-run")
def run_flow(config_path: str | None = None, day: date | None = None, force: bool = False,
             ingest: bool = True, digest: bool = True, send_mail: bool | None = None,
             resend: bool = False, catch_up: bool | None = None) -> RunSummary:
    """`catch_up`: the digest builds the days missed since the last one first (flows/digest.py digest_flow); by
    default when no `day` is given. The CLI picks the day itself when it starts and says whether it was given."""
    settings = load_settings(config_path)
    scheduled = digest and (catch_up if catch_up is not None else day is None)
    if digest and day is None:
        # The digest's day is the day before this run was due (or started), picked now: chosen after the ingest, a
        # run started before midnight and ingesting past it built the digest of the day that had just begun.
        day = digest_mod.default_day(settings, now=_scheduled_start())
    if not ingest:
        return RunSummary(None, _digest(settings, day, send_mail, resend, scheduled) if digest else None)
    # With a digest right after, the ingest leaves the clients' copy to it: one copy of the database, not two (the
    # digest's copy starts from the database as the ingest left it). If the digest publishes none (it is skipped or
    # fails first), the ingest's copy is made here.
    ingest_summary = configured_ingest_flow(settings)(config_path=str(settings.path), force=force,
                                                      publish=not digest)
    if not digest:
        return RunSummary(ingest_summary, None)
    before = _identity(settings.client_copy_path)
    try:
        digest_summary = _digest(settings, day, send_mail, resend, scheduled)
    finally:
        if ingest_summary.client_copy_due and _identity(settings.client_copy_path) == before:
            _publish(settings)
    return RunSummary(ingest_summary, digest_summary)


def _publish(settings: Settings) -> None:
    """The ingest's deferred copy for clients. If another process holds the database (a digest started by the
    schedule), the mark the ingest left makes the next run publish it: a warning, not a failed run."""
    try:
        with Database(settings.database_path, lock_timeout=PUBLISH_WAIT) as db:
            db.publish_copy(settings.client_copy_path)
    except DatabaseLocked as exc:
        progress("the clients' copy was not published (%s); the next run publishes it", exc, level=logging.WARNING)


def _digest(settings: Settings, day: date | None, send_mail: bool | None, resend: bool,
            scheduled: bool) -> DigestSummary:
    """The digest of `day`; for a scheduled run (no --date), the missed days before it first (digest_flow)."""
    return digest_flow(config_path=str(settings.path), day=day, send_mail=send_mail, resend=resend,
                       catch_up=scheduled)


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (publish_copy renames a new one into place), None when there is none."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns
