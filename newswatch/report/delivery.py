"""Who still needs which digest, mailing it with retries, and recording each recipient's outcome.

Plain code behind the digest flow's send step: never imports Prefect or duckdb (the store is passed in), and never
mails a recipient a digest already recorded as sent unless asked to resend.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Literal, Protocol

from newswatch.errors import MailError
from newswatch.models import RenderedDigest
from newswatch.report import mail

# A scheduled digest run also retries deliveries that failed on the days before, so an outage delays mail
# without losing it.
CATCH_UP_DAYS = 3


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
    status: Literal["sent", "failed"]
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

    def failure_message(self) -> str:
        """One line per failed digest date: the recipients and the cause (which names the server)."""
        by_cause: dict[tuple[date, str], list[str]] = {}
        for o in self.failed:
            by_cause.setdefault((o.digest_date, o.error or "unknown error"), []).append(o.recipient)
        lines = [
            f"digest {d}: not delivered to {', '.join(rs)}: {cause}" for (d, cause), rs in by_cause.items()
        ]
        return "; ".join(lines) + " (the digest is stored; the next digest run tries again)"


def address_key(recipient: str) -> str:
    """The key a recipient's deliveries are recorded under: the bare address, lower case."""
    return (parseaddr(recipient)[1] or recipient).strip().lower()


def plan_deliveries(
    store: DeliveryStore,
    settings: mail.EmailSettings,
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
            todo = [r for r in settings.recipients if states.get(address_key(r)) != "sent"]
            done = [r for r in settings.recipients if states.get(address_key(r)) == "sent"]
            if done:
                notes.append(f"digest {d}: already sent to {', '.join(done)} (use --resend to send it again)")
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


def send_pending(
    pending: list[Pending],
    settings: mail.EmailSettings,
    *,
    password: Callable[[], str | None],
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: object | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Outcome]:
    """Mail each pending digest (one message per digest, retried with backoff); an outcome per recipient.

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
    for item in pending:
        sleeps: list[float] = []

        def counting_sleep(seconds: float, _sleeps: list[float] = sleeps) -> None:
            _sleeps.append(seconds)
            sleep(seconds)

        def fail(
            recipients: tuple[str, ...], error: str, attempts: int, d: date = item.digest.digest_date
        ) -> None:
            for r in recipients:
                outcomes.append(
                    Outcome(d, address_key(r), "failed", attempts, settings.server, now(), None, error)
                )

        if secret_error is not None:
            fail(item.recipients, secret_error, 0)
            continue
        try:
            msg = mail.build_message(item.digest, settings)
        except MailError as exc:
            fail(item.recipients, str(exc), 0)
            continue
        try:
            report = mail.send_with_retry(
                msg,
                settings,
                password=secret,
                recipients=list(item.recipients),
                sleep=counting_sleep,
                ssl_context=ssl_context,  # type: ignore[arg-type]
            )
        except MailError as exc:
            fail(item.recipients, str(exc), 1 + len(sleeps))
            continue
        for recipient, refusal in report.items():
            if refusal is None:
                outcomes.append(
                    Outcome(
                        item.digest.digest_date,
                        address_key(recipient),
                        "sent",
                        1 + len(sleeps),
                        settings.server,
                        now(),
                        msg["Message-ID"],
                    )
                )
            else:
                fail(
                    (recipient,),
                    f"SMTP server {settings.server}: recipient {recipient} refused: {refusal}",
                    1 + len(sleeps),
                )
    return outcomes


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
    settings: mail.EmailSettings,
    day: date,
    *,
    password: Callable[[], str | None],
    resend: bool = False,
    catch_up_days: int = CATCH_UP_DAYS,
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: object | None = None,
) -> DeliverySummary:
    """Decide who still needs which digest, mail it, and record every recipient's outcome.

    The store is opened twice, before and after sending, and is closed while the SMTP server is talked to:
    a slow or absent server must not hold the database (the single-writer lock) against the next ingest.
    """
    with open_store() as store:
        pending, notes = plan_deliveries(store, settings, day, resend=resend, catch_up_days=catch_up_days)
    summary = DeliverySummary(notes=notes)
    if not pending:
        return summary
    summary.outcomes = send_pending(
        pending, settings, password=password, sleep=sleep, ssl_context=ssl_context
    )
    with open_store() as store:
        store.record_deliveries(outcome_rows(summary.outcomes))
    return summary
