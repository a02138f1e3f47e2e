"""Who still needs which digest, mailing it with retries, and recording each recipient's outcome.

Plain code behind the digest flow's send step: never imports Prefect or duckdb (the store is passed in), and never
mails a recipient a digest already recorded as sent unless asked to resend. Each recipient's outcome is written to
a journal file beside the database (flushed to disk) the moment the server answers, before the next recipient is
tried, so a crash between two recipients never mails the first one again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Literal, Protocol

from newswatch.config import EmailSettings
from newswatch.errors import DatabaseLocked, MailError, StorageError
from newswatch.models import RenderedDigest
from newswatch.report import mail

# A scheduled digest run also retries deliveries that failed on the days before, so an outage delays mail
# without losing it.
CATCH_UP_DAYS = 3
# Recorded for a recipient whose message the server was receiving when the process stopped: it may have arrived,
# so it is not sent again unless asked (--resend). At most once beats twice.
UNKNOWN_ERROR = ("the process stopped while the server was receiving the message; it may have arrived, so it is "
                 "not sent again (newswatch digest --resend sends it)")
NOT_MAILED_YET = ("not mailed yet: the digest was stored and the run stopped before mailing it; the next digest run "
                  "sends it")
RETRY_ERROR = ("the server refused or could not take the message for now, and the process stopped while waiting to "
               "try again; the next digest run sends it")


class DeliveryStore(Protocol):
    def load_digest(self, digest_date: date) -> RenderedDigest | None: ...

    def delivery_states(self, digest_date: date) -> dict[str, str]: ...

    def failed_delivery_dates(self, first: date, last: date) -> list[date]: ...

    def record_deliveries(self, rows: list[tuple]) -> None: ...


@dataclass(frozen=True)
class Pending:
    """One stored digest and the configured recipients who still need it."""

    digest: RenderedDigest
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    digest_date: date
    recipient: str  # the address (lower case), the key deliveries are recorded under
    status: Literal["sent", "failed", "unknown"]
    attempts: int
    server: str
    at: datetime
    message_id: str | None = None
    error: str | None = None


@dataclass
class DeliverySummary:
    outcomes: list[Outcome] = field(default_factory=list)
    # Notes on what was not sent and why ("2025-05-10: already sent to a@example.org").
    notes: list[str] = field(default_factory=list)

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "sent"]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def unknown(self) -> list[Outcome]:
        """Outcomes of messages that went out with no answer from the server: they may have arrived."""
        return [o for o in self.outcomes if o.status == "unknown"]

    def failure_message(self) -> str:
        """One line per digest date and cause that was not delivered, or not confirmed: the recipients and the
        cause (which names the server)."""
        lines = []
        for status, verb, then in (("failed", "not delivered to", "the next digest run tries again"),
                                   ("unknown", "not confirmed for", "not sent again unless --resend")):
            by_cause: dict[tuple[date, str], list[str]] = {}
            for o in self.outcomes:
                if o.status == status:
                    by_cause.setdefault((o.digest_date, o.error or "unknown error"), []).append(o.recipient)
            lines += [f"digest {d}: {verb} {', '.join(rs)}: {cause} ({then})" for (d, cause), rs in by_cause.items()]
        return "; ".join(lines) + " (the digest is stored)"


def address_key(recipient: str) -> str:
    """The key a recipient's deliveries are recorded under: the bare address, lower case."""
    return (parseaddr(recipient)[1] or recipient).strip().lower()


def plan_deliveries(
    store: DeliveryStore,
    settings: EmailSettings,
    day: date,
    *,
    resend: bool = False,
    catch_up_days: int = CATCH_UP_DAYS,
) -> tuple[list[Pending], list[str]]:
    """The digests to mail now: `day` to every recipient not yet sent it (all of them with `resend`), and
    digests of the `catch_up_days` before `day` whose delivery failed, to those still failing.
    Returns (pending, notes)."""
    pending: list[Pending] = []
    notes: list[str] = []
    dates = [*store.failed_delivery_dates(day - timedelta(days=catch_up_days), day - timedelta(days=1)), day]
    for d in dates:
        states = store.delivery_states(d)
        if d == day and resend:
            todo = list(settings.recipients)
        elif d == day:
            todo = [r for r in settings.recipients if states.get(address_key(r)) not in ("sent", "unknown")]
            done = [r for r in settings.recipients if states.get(address_key(r)) == "sent"]
            unsure = [r for r in settings.recipients if states.get(address_key(r)) == "unknown"]
            if done:
                notes.append(f"digest {d}: already sent to {', '.join(done)} (use --resend to send it again)")
            if unsure:
                notes.append(f"digest {d}: maybe sent to {', '.join(unsure)} (a run stopped, or the connection "
                             "failed, while the server was receiving it; use --resend to send it again)")
        else:  # catching up: only those whose delivery failed (not recipients added to the config since)
            todo = [r for r in settings.recipients if states.get(address_key(r)) == "failed"]
        if not todo:
            continue
        digest = store.load_digest(d)
        if digest is None:
            notes.append(
                f"digest {d}: not stored, nothing to send (build it with `newswatch digest --date {d}`)"
            )
            continue
        pending.append(Pending(digest, tuple(todo)))
    return pending, notes


def due_rows(store: DeliveryStore, settings: EmailSettings, day: date, now: datetime) -> list[tuple]:
    """Rows for Store.record_deliveries, written with the digest itself when the run is to mail it: each recipient
    not yet sent (or maybe sent) that day's digest, 'failed' with no attempt and `NOT_MAILED_YET`, so a run stopped
    between storing and mailing leaves a day the next run's catch-up mails (`plan_deliveries`). Mailing then
    records each outcome over it."""
    states = store.delivery_states(day)
    return [(day, address_key(r), "failed", 0, settings.server, now, None, None, NOT_MAILED_YET)
            for r in settings.recipients if states.get(address_key(r)) not in ("sent", "unknown")]


def send_pending(
    pending: list[Pending],
    settings: EmailSettings,
    *,
    password: Callable[[], str | None],
    journal: DeliveryJournal,
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: object | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Outcome]:
    """Mail each pending digest to each of its recipients in turn (one SMTP transaction per recipient, retried
    with backoff); an outcome per recipient, written to the journal as soon as the server has answered.

    Never raises for a delivery problem: a refused connection, a timeout, a refused login or recipient, a
    missing password all become 'failed' outcomes carrying the message that names the server and the cause.
    """
    outcomes: list[Outcome] = []
    secret: str | None = None
    secret_error: str | None = None
    if pending:
        try:
            secret = password()
        except MailError as exc:
            secret_error = str(exc)

    def record(outcome: Outcome) -> None:
        journal.write(outcome)
        outcomes.append(outcome)

    for item in pending:
        d = item.digest.digest_date

        def fail(recipients: tuple[str, ...], error: str, attempts: int, d: date = d) -> None:
            for r in recipients:
                record(Outcome(d, address_key(r), "failed", attempts, settings.server, now(), None, error))

        if secret_error is not None:
            fail(item.recipients, secret_error, 0)
            continue
        try:
            msg = mail.build_message(item.digest, settings)
        except MailError as exc:
            fail(item.recipients, str(exc), 0)
            continue
        message_id = msg["Message-ID"]
        for i, recipient in enumerate(item.recipients):
            sleeps: list[float] = []

            def counting_sleep(seconds: float, _sleeps: list[float] = sleeps, key: str = address_key(recipient),
                               d: date = d) -> None:
                # Waiting to try again: the last attempt certainly did not deliver (send_with_retry never retries
                # once the message may have arrived), so a run killed during the wait leaves 'failed', which the
                # next run sends, rather than the 'unknown' written before the message went out.
                journal.write(Outcome(d, key, "failed", 1 + len(_sleeps), settings.server, now(), None,
                                      RETRY_ERROR))
                _sleeps.append(seconds)
                sleep(seconds)

            def sending(key: str = address_key(recipient), d: date = d, message_id: str = message_id,
                        _sleeps: list[float] = sleeps) -> None:
                # The server has accepted the recipient and is about to receive the message.
                journal.write(Outcome(d, key, "unknown", 1 + len(_sleeps), settings.server, now(), message_id,
                                      UNKNOWN_ERROR))

            try:
                report = mail.send_with_retry(
                    msg,
                    settings,
                    password=secret,
                    recipients=[recipient],
                    sleep=counting_sleep,
                    ssl_context=ssl_context,  # type: ignore[arg-type]
                    before_data=sending,
                )
            except MailError as exc:
                # Not this recipient's problem (no connection, login or message refused): the others would meet
                # the same, so they are not tried now; the next run tries them all again. A message that went out
                # without an answer may have arrived: 'unknown', like a run stopped at that point (at most once).
                maybe = isinstance(exc, mail.SmtpError) and exc.maybe_delivered
                if maybe:
                    record(Outcome(d, address_key(recipient), "unknown", 1 + len(sleeps), settings.server, now(),
                                   message_id, str(exc)))
                else:
                    fail((recipient,), str(exc), 1 + len(sleeps))
                why = f"SMTP server {settings.server} stopped answering" if maybe else _first_line(str(exc))
                fail(item.recipients[i + 1:], f"not tried: the delivery to {recipient} before it failed ({why}); "
                     "the next digest run tries again", 0)
                break
            refusal = report[recipient]
            if refusal is None:
                record(Outcome(d, address_key(recipient), "sent", 1 + len(sleeps), settings.server, now(),
                               message_id))
            else:
                fail(
                    (recipient,),
                    f"SMTP server {settings.server}: recipient {recipient} refused: {refusal}",
                    1 + len(sleeps),
                )
    return outcomes


def _first_line(message: str, limit: int = 160) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "an error"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def outcome_rows(outcomes: list[Outcome]) -> list[tuple]:
    """Rows for Store.record_deliveries."""
    return [
        (
            o.digest_date,
            o.recipient,
            o.status,
            o.attempts,
            o.server,
            o.at,
            o.at if o.status == "sent" else None,
            o.message_id,
            o.error,
        )
        for o in outcomes
    ]


def deliver_digests(
    open_store: Callable[[], AbstractContextManager[DeliveryStore]],
    settings: EmailSettings,
    day: date,
    *,
    password: Callable[[], str | None],
    journal: Path,
    resend: bool = False,
    catch_up_days: int = CATCH_UP_DAYS,
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: object | None = None,
) -> DeliverySummary:
    """Decide who still needs which digest, mail it, and record every recipient's outcome.

    The store is opened twice, before and after sending, and is closed while the SMTP server is talked to:
    a slow or absent server must not hold the database (the single-writer lock) against the next ingest.
    Outcomes go to the `journal` file first, one by one as the server answers; each opening of the store moves
    what the journal holds into the database. When the store cannot be opened after sending (another run
    holds it), the journal keeps the outcomes and the next run records them before it plans anything.
    """
    book = DeliveryJournal(journal)
    with open_store() as store:
        book.settle(store)
        pending, notes = plan_deliveries(store, settings, day, resend=resend, catch_up_days=catch_up_days)
    summary = DeliverySummary(notes=notes)
    if not pending:
        return summary
    summary.outcomes = send_pending(
        pending, settings, password=password, journal=book, sleep=sleep, ssl_context=ssl_context
    )
    try:
        with open_store() as store:
            book.settle(store)
    except DatabaseLocked as exc:
        summary.notes.append(f"deliveries kept in {journal} (the database was busy: {exc}); the next digest "
                             "run records them before it sends anything")
    return summary


def journal_path(database: Path) -> Path:
    """data/newswatch.duckdb -> data/newswatch.duckdb.deliveries.jsonl"""
    return database.with_name(f"{database.name}.deliveries.jsonl")


class DeliveryJournal:
    """Delivery outcomes on disk before they reach the database: one JSON line each, flushed and fsync'd.

    A recipient gets an 'unknown' line when the server is about to receive the message and a 'sent' or 'failed'
    line once it has answered; the last line per digest and recipient is the outcome. Only one digest run writes
    it at a time (the digest lock). `settle` moves its outcomes into the store, then removes the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def write(self, outcome: Outcome) -> None:
        line = json.dumps({
            "digest_date": outcome.digest_date.isoformat(), "recipient": outcome.recipient,
            "status": outcome.status, "attempts": outcome.attempts, "server": outcome.server,
            "at": outcome.at.isoformat(), "message_id": outcome.message_id, "error": outcome.error,
        }, ensure_ascii=False)
        created = not self.path.exists()
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            # A line cut short is ignored when read. The 'unknown' line comes before each message goes out, so a
            # message whose line could not be written was not sent, and one already sent keeps its 'unknown' line.
            raise StorageError(f"{self.path}: cannot write the delivery journal ({exc.strerror or exc}); mailing "
                               "stopped: a recipient who may have got the digest is not mailed again without "
                               "--resend, the others are mailed by the next run") from None
        if created:
            _fsync_dir(self.path.parent)

    def outcomes(self) -> list[Outcome]:
        """The last outcome per digest and recipient (a line cut short by a crash is ignored)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        last: dict[tuple[date, str], Outcome] = {}
        for line in text.splitlines():
            try:
                raw = json.loads(line)
                o = Outcome(date.fromisoformat(raw["digest_date"]), raw["recipient"], raw["status"],
                            int(raw["attempts"]), raw["server"], datetime.fromisoformat(raw["at"]),
                            raw.get("message_id"), raw.get("error"))
            except (ValueError, KeyError, TypeError):
                continue
            last[(o.digest_date, o.recipient)] = o
        return list(last.values())

    def settle(self, store: DeliveryStore) -> int:
        """Record the journal's outcomes in the store, then remove the journal. Returns how many."""
        found = self.outcomes()
        if found:
            store.record_deliveries(outcome_rows(found))
        self.path.unlink(missing_ok=True)
        return len(found)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every platform opens folders; the file's own fsync still holds its lines
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
