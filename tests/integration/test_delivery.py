"""Digest delivery against a real DuckDB file and real SMTP servers on 127.0.0.1: once per recipient and day,
stored unsent with the cause when the server is down, delivered by the next run, caught up for earlier days."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from newswatch.report import delivery, mail
from storage.db import Database
from storage.store import Store
from tests.support.sampledigest import sample_digest
from tests.support.smtpserver import free_port, smtp_server

ALICE = "alice@example.org"
BOB = "Bob Desk <bob@example.org>"
DAY = sample_digest().digest_date


def email_settings(port: int, **changes: object) -> mail.EmailSettings:
    base = mail.EmailSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        username=None,
        password_env=None,
        password_block=None,
        sender="newswatch (sample) <digest@example.org>",
        recipients=(ALICE, BOB),
        timeout_seconds=5,
        retries=1,
        retry_backoff_seconds=0.2,
    )
    return base.model_copy(update=changes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "newswatch.duckdb"
    with Database(path) as db:
        store = Store(db)
        for offset in (0, 1):
            d = dataclasses.replace(sample_digest(), digest_date=DAY + timedelta(days=offset))
            store.save_digest(d, "UTC", {}, None, None)
            store.save_digest_images(d.digest_date, d.images)
    return path


def opener(path: Path):  # type: ignore[no-untyped-def]
    @contextmanager
    def open_store() -> Iterator[Store]:
        with Database(path) as db:
            yield Store(db)

    return open_store


def deliver(
    path: Path, settings: mail.EmailSettings, day: date = DAY, **kw: object
) -> delivery.DeliverySummary:
    return delivery.deliver_digests(opener(path), settings, day, password=lambda: None,  # type: ignore[arg-type]
                                    journal=delivery.journal_path(path), **kw)


def rows(path: Path) -> dict[tuple[date, str], dict]:  # type: ignore[type-arg]
    with Database(path, read_only=True) as db:
        return {(r["digest_date"], r["recipient"]): r for r in db.query_dicts("SELECT * FROM deliveries")}


def test_the_stored_digest_arrives_whole_and_a_second_run_sends_nothing(db_path: Path) -> None:
    with smtp_server() as server:
        settings = email_settings(server.port)
        summary = deliver(db_path, settings)
        assert sorted(o.recipient for o in summary.sent) == [ALICE, "bob@example.org"]
        again = deliver(db_path, settings)
    assert again.outcomes == []
    assert any("already sent" in n for n in again.notes)
    # One SMTP transaction per recipient (each recorded as soon as the server accepts it), the same message.
    assert [r.rcpt_tos for r in server.received] == [[ALICE], ["bob@example.org"]]
    assert server.received[0].message()["Message-ID"] == server.received[1].message()["Message-ID"]
    msg = server.received[0].message()
    assert msg["Subject"] == f"newswatch digest {DAY}"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html_part, EmailMessage)
    html = html_part.get_content()
    images = {p["Content-ID"].strip("<>") for p in msg.walk() if p.get_content_maintype() == "image"}
    cids = set(re.findall(r"cid:([A-Za-z0-9._@-]+)", html))
    assert cids and cids <= images
    assert not re.search(
        r"""(src|href|background)\s*=\s*["']?(https?:)?//""", html.replace('<a href="http', "")
    )
    recorded = rows(db_path)
    assert {k[1] for k in recorded} == {ALICE, "bob@example.org"}
    assert all(r["status"] == "sent" and r["message_id"] == msg["Message-ID"] for r in recorded.values())


def test_resend_mails_it_again(db_path: Path) -> None:
    with smtp_server() as server:
        settings = email_settings(server.port)
        deliver(db_path, settings)
        summary = deliver(db_path, settings, resend=True)
    assert len(summary.sent) == 2
    assert len(server.received) == 4  # two recipients, twice
    assert rows(db_path)[(DAY, ALICE)]["attempts"] == 2


def test_server_down_leaves_it_unsent_with_the_cause_and_the_next_run_delivers_once(db_path: Path) -> None:
    port = free_port()
    settings = email_settings(port)
    sleeps: list[float] = []
    summary = deliver(db_path, settings, sleep=sleeps.append)
    assert len(summary.failed) == 2 and not summary.sent
    assert sleeps == [0.2]  # retried with backoff inside the run
    message = summary.failure_message()
    assert f"127.0.0.1:{port}" in message and "connection refused" in message
    recorded = rows(db_path)[(DAY, ALICE)]
    assert recorded["status"] == "failed" and recorded["attempts"] == 2
    assert "connection refused" in recorded["last_error"] and recorded["sent_at"] is None

    with smtp_server(port=port) as server:
        assert len(deliver(db_path, settings).sent) == 2
        assert deliver(db_path, settings).outcomes == []
    assert len(server.received) == 2  # one message each
    recorded = rows(db_path)[(DAY, ALICE)]
    assert recorded["status"] == "sent" and recorded["attempts"] == 3 and recorded["last_error"] is None


def test_a_message_answered_too_late_is_not_sent_again(db_path: Path) -> None:
    """The server stores Alice's message but answers after the client's timeout: it may have arrived, so it is not
    retried in the run (retries = 1 would) nor by the next run; it is recorded 'unknown', the run's message says
    so, and Bob, not tried after a server that stopped answering, is left to the next run. At most once."""
    with smtp_server() as server:
        server.handler.late_answers.append(2.0)
        settings = email_settings(server.port, timeout_seconds=0.5)
        first = deliver(db_path, settings, sleep=lambda s: None)
        assert [(o.recipient, o.status, o.attempts) for o in first.outcomes] == [
            (ALICE, "unknown", 1), ("bob@example.org", "failed", 0)]
        assert "may have arrived" in first.failure_message() and "not confirmed for alice" in first.failure_message()
        # Bob's own cause says he was not tried, not that his message may have arrived (a review found it did).
        bob = first.outcomes[1].error or ""
        assert "not tried" in bob and "may have arrived" not in bob and "next digest run" in bob
        assert rows(db_path)[(DAY, ALICE)]["status"] == "unknown"

        second = deliver(db_path, settings)
        assert [o.recipient for o in second.sent] == ["bob@example.org"]
        assert any("maybe sent to alice@example.org" in note for note in second.notes)
    assert [r.rcpt_tos for r in server.received] == [[ALICE], ["bob@example.org"]]  # each once


def test_a_refused_recipient_is_recorded_and_tried_again_alone(db_path: Path) -> None:
    with smtp_server(reject={"bob@example.org": "550 5.1.1 no such user"}) as server:
        settings = email_settings(server.port)
        summary = deliver(db_path, settings)
        assert [o.recipient for o in summary.sent] == [ALICE]
        assert "550 5.1.1 no such user" in (summary.failed[0].error or "")
        assert f"127.0.0.1:{server.port}" in (summary.failed[0].error or "")
        server.handler.reject.clear()
        retry = deliver(db_path, settings)
    assert [o.recipient for o in retry.sent] == ["bob@example.org"]
    assert [r.rcpt_tos for r in server.received] == [[ALICE], ["bob@example.org"]]


def test_the_next_days_run_catches_up_a_failed_day(db_path: Path) -> None:
    port = free_port()
    settings = email_settings(port, recipients=(ALICE,), retries=0)
    assert deliver(db_path, settings).failed
    with smtp_server(port=port) as server:
        # Bob joined the list after the failed day: he gets the new day only.
        summary = deliver(
            db_path, settings.model_copy(update={"recipients": (ALICE, BOB)}), day=DAY + timedelta(days=1)
        )
    sent = sorted((o.digest_date, o.recipient) for o in summary.sent)
    assert sent == [
        (DAY, ALICE),
        (DAY + timedelta(days=1), ALICE),
        (DAY + timedelta(days=1), "bob@example.org"),
    ]
    assert len(server.received) == 3


def test_a_missing_password_is_a_recorded_failure_naming_the_variable(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSWATCH_TEST_SMTP_PASSWORD", raising=False)
    settings = email_settings(free_port(), username="digest", password_env="NEWSWATCH_TEST_SMTP_PASSWORD")
    summary = delivery.deliver_digests(
        opener(db_path), settings, DAY, password=lambda: mail.resolve_password(settings),
        journal=delivery.journal_path(db_path),
    )
    assert len(summary.failed) == 2
    assert "NEWSWATCH_TEST_SMTP_PASSWORD is not set" in summary.failure_message()
    assert rows(db_path)[(DAY, ALICE)]["status"] == "failed"


def test_a_digest_that_is_not_stored_is_reported_not_sent(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    Database(path).close()
    summary = deliver(path, email_settings(free_port()))
    assert summary.outcomes == [] and "not stored" in summary.notes[0]


def test_a_journal_that_cannot_be_written_stops_the_mail_naming_the_journal(db_path: Path, tmp_path: Path) -> None:
    """The delivery journal cannot be written (the disk filled up; here a file stands where its folder should be,
    which stops root too): the run stops before the message goes out, with a StorageError naming the journal.
    Before, the write failed inside the SMTP conversation and was reported as the mail server's `network error (No
    space left on device)`, tried again, and ended in an OSError traceback (a review's nearly full tmpfs). Nothing
    was sent, so the next run, with room again, mails each recipient once."""
    from newswatch.errors import StorageError

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with smtp_server() as server:
        settings = email_settings(server.port)
        with opener(db_path)() as store:
            pending, _ = delivery.plan_deliveries(store, settings, DAY)
        with pytest.raises(StorageError, match=r"j\.jsonl: cannot write the delivery journal"):
            delivery.send_pending(pending, settings, password=lambda: None,
                                  journal=delivery.DeliveryJournal(blocked / "j.jsonl"))
        assert server.received == []
        summary = deliver(db_path, settings)
        assert len(summary.sent) == 2 and len(server.received) == 2
        assert deliver(db_path, settings).sent == []
