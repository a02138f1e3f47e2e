"""The digest flow: compute a day's figures, render, write the files, store the digest, mail it. Orchestration only.

One digest run at a time (a lock beside the database); the mail step never holds the database while it talks to
the SMTP server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.logs import log_config, progress
from newswatch.analysis import rematch
from newswatch.analysis.stored_stories import refresh_due_stories
from newswatch.config import EmailSettings, Settings, load_settings
from newswatch.errors import ConfigError, DatabaseLocked, MailError, StorageError
from newswatch.models import RenderedDigest
from newswatch.report import delivery, evidence, mail
from newswatch.report import digest as digest_mod
from newswatch.runlock import acquire_run_lock, lock_path
from storage.db import Database
from storage.digests import DIGEST_WRITES
from storage.store import Store

# A digest run waits this long for the previous one (or for an ingest holding the database), then gives up and
# says so. A day skipped this way has no digest until the next scheduled run builds it as a missed day ([digest]
# missed_days, when it was watched); the warning names the command that builds and mails it now.
WAIT_SECONDS = 15 * 60


@dataclass
class DigestSummary:
    digest_date: date
    html_path: str
    text_path: str
    topics: int
    articles: int
    highlights: list[str]
    # Mail: addresses the digest (or a caught-up one) went to now, and what was left unsent and why.
    sent: list[str] = field(default_factory=list)
    mail_notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    # The missed days built (and mailed) before this one, oldest first (missed_days_to_build).
    caught_up: list[DigestSummary] = field(default_factory=list)


@task(cache_policy=NO_CACHE)
def render(data: dict, settings: Settings) -> RenderedDigest:
    images, charts = digest_mod.render_charts(data)
    return digest_mod.render_digest(data, images=images, charts=charts)


def _scheduled_start() -> datetime:
    """When this run was due: a scheduled run that starts late (serve or a worker down overnight) builds the digest
    of the day it was scheduled for, not yesterday's again; a run started by hand was due now."""
    from prefect.runtime import flow_run

    when = flow_run.scheduled_start_time
    return datetime.fromisoformat(when.isoformat()) if when is not None else datetime.now(UTC)


def follow_topic_edits(store: Store, settings: Settings) -> list[str]:
    """Before a digest reads topic memberships: when the config's topics are not those the store was last matched
    with (edited, added, renamed or removed since the last ingest), do what the next ingest would do first: match the
    changed topics again over the stored articles, drop the gone ones, regroup the days whose articles joined or left
    the topics. Otherwise the digest would count the old definitions under the new names (a renamed topic: no
    article on any day). Returns the topics that were out of step (nothing is re-matched when none are).

    The days a re-match left due are regrouped whether or not a topic was out of step now: a digest killed after
    its re-match committed and before the regrouping finds every topic in step when run again, and the days it
    noted must not wait for the next ingest (the note is a meta value: nothing is read when no day is due).

    Seeing whether a topic changed reads its seed files (and matching it again, the actors file). One that cannot be
    read now (emptied while being rewritten, a share not mounted) is a config error for the next ingest; here it
    would have stopped the digest, which does not need them otherwise: the digest counts the memberships the last
    ingest stored, and says so in its log."""
    try:
        stale = rematch.out_of_step(store, settings)
        if stale:
            had_articles = store.article_count() > 0  # an empty store records the topics, nothing to match
            matched = rematch.sync_definitions(store, settings)  # a topic gone is logged as it is dropped
            if matched and had_articles:
                progress("topics new or edited in the config since the last ingest (%s): matched again over the "
                         "stored articles before the digest", ", ".join(matched))
    except ConfigError as exc:
        progress("topics not matched again before the digest (%s); it counts the topic memberships the last ingest "
                 "stored", exc, level=logging.WARNING)
        stale = []
    refresh_due_stories(store, settings.digest.tz)
    return stale


def settle_deliveries(store: Store, settings: Settings) -> None:
    """Record what the delivery journal still holds (a run killed after mailing, before it recorded the outcomes, or
    one that found the database busy then) before a digest is stored: whether the stored digest was mailed, and so
    is kept in digest_version when it is replaced (storage/digests.py), is read from the delivery table. Before,
    such a digest was written over as never mailed and its outcomes recorded only afterwards. Call it holding the
    digest lock: the journal has one writer, the digest run holding it."""
    delivery.DeliveryJournal(delivery.journal_path(settings.database_path)).settle(store)


@contextmanager
def _open_store(settings: Settings) -> Iterator[Store]:
    with Database(settings.database_path, lock_timeout=WAIT_SECONDS) as db:
        yield Store(db)


def _load_password(email: EmailSettings) -> str | None:
    def secret_loader(name: str) -> object:
        from prefect.blocks.system import Secret

        return Secret.load(name)

    return mail.resolve_password(email, secret_loader)


@task(cache_policy=NO_CACHE)
def send(
    settings: Settings, email: EmailSettings, day: date, resend: bool, catch_up_days: int
) -> delivery.DeliverySummary:
    """Mail `day`'s digest to whoever still needs it, and failed ones of the days before; record each outcome."""
    return delivery.deliver_digests(
        lambda: _open_store(settings),
        email,
        day,
        password=lambda: _load_password(email),
        journal=delivery.journal_path(settings.database_path),
        resend=resend,
        catch_up_days=catch_up_days,
    )


def artifact_markdown(rendered: RenderedDigest) -> str:
    """The markdown the artifact shows: the rendered markdown (feed text escaped by its template), or for a digest
    stored before there was one, its text with every markdown character escaped."""
    if rendered.markdown:
        return rendered.markdown
    return "\n".join(digest_mod.markdown_text(line, len(line) + 1, strip=False) + "  "
                     for line in rendered.text.splitlines())


def publish_artifact(rendered: RenderedDigest) -> None:
    """The digest as a markdown artifact (Prefect UI, Artifacts), one key per date."""
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(
            markdown=artifact_markdown(rendered),
            key=f"digest-{rendered.digest_date.isoformat()}",
            description=digest_mod.markdown_text(rendered.subject),
        )
    except Exception as exc:  # the UI copy is a convenience: the digest is stored and mailed without it
        progress("could not publish the digest artifact: %s", exc, level=logging.WARNING)


def email_settings(settings: Settings) -> EmailSettings | None:
    return settings.email


def missed_days_to_build(store: Store, settings: Settings, day: date) -> list[date]:
    """The days a scheduled digest of `day` builds first: those of the `[digest] missed_days` before it with no
    stored digest, after one that has one (report.digest.missed_days: the schedule was running), that newswatch
    watched (a source fetched, or articles read from a file for the day: the view observed_days). A digest run that
    failed, did not fire (its own cron job or timer, while the ingest's ran) or was skipped by the lock wait left
    such days without a digest and without mail. A day nothing was watched on (the machine off, or a cron job
    running ingest and digest together that did not fire) is not built: its digest would say only that. None with
    `[digest] date` pinned."""
    if settings.digest.date is not None or settings.digest.missed_days == 0:
        return []
    limit = settings.digest.missed_days
    stored = store.digest_dates(day - timedelta(days=limit + 1), day - timedelta(days=1))
    days = digest_mod.missed_days(stored, day, limit)
    if not days:
        return []
    watched = {row["day"] for row in store.window_observed_days(days[0], days[-1], settings.digest.timezone)}
    return [d for d in days if d in watched]


@flow(name="digest", log_prints=True)
def digest_flow(
    config_path: str | None = None,
    day: date | None = None,
    send_mail: bool | None = None,
    resend: bool = False,
    catch_up_days: int = delivery.CATCH_UP_DAYS,
    catch_up: bool | None = None,
) -> DigestSummary:
    """Build the digest for `day` (default: the configured date, else yesterday in the digest time zone), store
    it, and mail it when [email] is configured (`send_mail=False`: never; True: [email] required).

    A scheduled run (`catch_up`; by default when no `day` is given) first builds and stores the days missed since
    the last digest (`missed_days_to_build`), under the same lock, and mails them with its own day, oldest first.
    Not with `send_mail=False`: a preview would use them up unmailed. A missed day that fails is logged, the day
    itself built all the same, and the run fails after it."""
    settings = load_settings(config_path)
    log_config(settings)
    email = email_settings(settings)
    if send_mail and email is None:
        raise ConfigError(
            settings.path, "email", "sending was asked for (--send) but there is no [email] table"
        )
    if catch_up is None:
        catch_up = day is None
    day = day or digest_mod.default_day(settings, now=_scheduled_start())
    lock = acquire_run_lock(
        lock_path(settings.database_path, "digest"),
        label=f"digest {day}",
        wait_seconds=WAIT_SECONDS,
        on_wait=lambda who: progress(
            "another digest run is still going (%s); waiting up to %g min for it to finish",
            who,
            WAIT_SECONDS / 60,
        ),
    )
    if lock is None:
        message = (f"skipped: another digest run still held the lock after {WAIT_SECONDS / 60:g} min; build and "
                   f"mail this day's digest with `newswatch digest --date {day}` once it is done")
        progress("digest for %s %s", day, message, level=logging.WARNING)
        return DigestSummary(day, "", "", 0, 0, [], skipped=message)
    with lock:
        caught_up: list[DigestSummary] = []
        failure: Exception | None = None
        if catch_up and send_mail is not False:
            with _open_store(settings) as store:
                missed = missed_days_to_build(store, settings, day)
            for missed_day in missed:
                progress("no digest for %s: building it before that of %s", missed_day, day)
                try:
                    built, rendered, _ = _build_and_store(settings, email, missed_day, send_mail)
                except DatabaseLocked:  # the next day would wait as long again: the run fails now, as the day would
                    raise
                except Exception as exc:  # noqa: BLE001 - raised once the day itself is built
                    progress("the missed digest of %s failed: %s", missed_day, exc, level=logging.WARNING)
                    failure = failure or exc
                    continue
                publish_artifact(rendered)  # a copy that failed for it is the day's to publish (below)
                caught_up.append(built)
        # Failed deliveries are tried again by the runs of the `catch_up_days` after the oldest day a catch-up builds.
        window = catch_up_days + settings.digest.missed_days
        try:
            summary, rendered, copy_failed = _build_and_store(settings, email, day, send_mail)
        except Exception as exc:
            # The missed days stored before it go out all the same (not when the database is held elsewhere:
            # mailing records outcomes in it, and would wait as long again).
            if caught_up and email is not None and send_mail is not False and not isinstance(exc, DatabaseLocked):
                with suppress(Exception):
                    send(settings, email, caught_up[-1].digest_date, False, window)
            raise
        summary.caught_up = caught_up
        publish_artifact(rendered)
        if email is None or send_mail is False:
            _raise_copy_failure(copy_failed, mailed=False)
            if failure is not None:
                raise failure
            return summary
        # One send for the day and the missed days before it (their deliveries were recorded as due with them).
        result = send(settings, email, day, resend, window)
        if copy_failed is None and (result.sent or result.failed or result.unknown):
            try:
                with _open_store(settings) as store:  # the read copy shows the deliveries just recorded
                    store.db.publish_copy(settings.client_copy_path)
            except DatabaseLocked as exc:  # the mail went out; the next run that changes anything publishes
                result.notes.append(f"the read copy was not republished with these deliveries (the database was "
                                    f"busy: {exc}); the next run's copy shows them")
        summary.sent = [f"{o.recipient} ({o.digest_date})" for o in result.sent]
        summary.mail_notes = list(result.notes)
        for note in result.notes:
            progress("%s", note)
        if result.sent:
            progress("mailed via %s: %s", email.server, ", ".join(summary.sent))
        if result.failed or result.unknown:
            message = result.failure_message()
            if failure is not None:  # both are the run's failure: the mail's, and the missed day's said with it
                message += f"\nand a missed day's digest could not be built: {failure}"
            raise MailError(message) from failure
        _raise_copy_failure(copy_failed, mailed=bool(result.sent))
        if failure is not None:
            raise failure
    return summary


def _build_and_store(settings: Settings, email: EmailSettings | None, day: date, send_mail: bool | None
                     ) -> tuple[DigestSummary, RenderedDigest, StorageError | None]:
    """Build the digest of `day`, write its files, store it (with its deliveries due, when it is to be mailed) and
    publish the clients' copy; the caller holds the digest lock. Returns the summary, the rendered digest and the
    copy's failure (the digest is stored and mailed all the same)."""
    copy_failed: StorageError | None = None
    with _open_store(settings) as store:
        db = store.db
        settle_deliveries(store, settings)  # before the stored digest is replaced: was it mailed?
        follow_topic_edits(store, settings)  # before the snapshot: the clients' copy shows it too
        # The clients' copy is made while the digest is built; only the digest's own tables are then updated
        # in it (storage/db.py start_snapshot: the same file as a whole copy, without copying it after the work).
        db.start_snapshot(settings.client_copy_path, DIGEST_WRITES)
        db.set_meta({"timezone": settings.digest.timezone,
                     "min_baseline_days": str(settings.digest.min_baseline_days)})
        run_id = store.start_run("digest")
        try:
            data = digest_mod.build_digest(store, settings, day)
            rendered = render(data, settings)
            html_path, text_path = digest_mod.write_digest(rendered, settings.output_dir)
            with db.transaction():
                store.save_digest(
                    rendered, settings.digest.timezone, data, str(html_path), str(text_path)
                )
                store.save_evidence(day, evidence.evidence_rows(data))
                if email is not None and send_mail is not False:  # to be mailed: caught up if the run stops
                    store.record_deliveries(delivery.due_rows(store, email, day, datetime.now(UTC)))
            store.finish_run(run_id, "ok", {}, {"digest_date": day.isoformat()})
        except BaseException as exc:
            store.finish_run(run_id, "failed", {}, {"exception": repr(exc)[:2000]})
            raise
        # The read copy needs as much free space as the whole database: on a filling disk it is the first write
        # to fail. The digest is stored by now, so it is mailed all the same, and the run fails after mailing;
        # the copy-due mark left beside the database makes the next run publish (storage/db.py copy_due_path).
        try:
            db.publish_copy(settings.client_copy_path)
        except BaseException as exc:
            with suppress(StorageError):  # the database may refuse every write after a failed checkpoint
                store.finish_run(run_id, "failed", {}, {"exception": repr(exc)[:2000]})
            if not isinstance(exc, StorageError) or isinstance(exc, DatabaseLocked):
                raise
            copy_failed = exc
            progress("the read copy for SQL clients was not published: %s; the digest is mailed all the same, "
                     "and the next run publishes the copy", exc, level=logging.WARNING)
    summary = DigestSummary(
        day,
        str(html_path),
        str(text_path),
        len(data["topics"]),
        int(sum(t["count"]["value"] or 0 for t in data["topics"])),
        data["highlights"],
    )
    progress("digest for %s written to %s", day, html_path)
    return summary, rendered, copy_failed


def _raise_copy_failure(failure: StorageError | None, *, mailed: bool) -> None:
    """The run's read copy failed after the digest was stored (and mailed): the run fails now, saying so."""
    if failure is not None:
        raise StorageError(f"{failure} (the digest was stored{' and mailed' if mailed else ''}; the next run publishes "
                           "the read copy)") from failure
