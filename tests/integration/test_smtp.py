"""Mail delivery against real SMTP servers on 127.0.0.1 (aiosmtpd): content, refusals, retries, login, TLS."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from newswatch.errors import MailError
from newswatch.report import mail
from tests.support.sampledigest import sample_digest
from tests.support.smtpserver import (
    CertFiles,
    down_server,
    make_self_signed_cert,
    silent_server,
    smtp_server,
)

SENDER = "newswatch (sample) <digest@example.org>"
ALICE = "alice@example.org"
BOB = "bob@example.org"


def settings_for(port: int, **changes: object) -> mail.EmailSettings:
    base = mail.EmailSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        username=None,
        password_env=None,
        password_block=None,
        sender=SENDER,
        recipients=(ALICE, BOB),
        timeout_seconds=5,
        retries=2,
        retry_backoff_seconds=1.5,
    )
    return base.model_copy(update=changes)


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> CertFiles:
    pytest.importorskip("cryptography", reason="cryptography makes the self-signed certificate for TLS tests")
    return make_self_signed_cert(tmp_path_factory.mktemp("tls"))


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_digest_arrives_with_text_html_and_every_inline_chart() -> None:
    digest = sample_digest()
    with smtp_server() as server:
        settings = settings_for(server.port)
        report = mail.send_digest(digest, settings, password=None)
    assert report == {ALICE: None, BOB: None}
    assert len(server.received) == 1
    received = server.received[0]
    assert received.mail_from == "digest@example.org"
    assert sorted(received.rcpt_tos) == [ALICE, BOB]

    msg = received.message()
    assert msg["Subject"] == "newswatch digest 2025-05-08"
    assert msg["Message-ID"].endswith("@example.org>")
    assert msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    assert isinstance(text_part, EmailMessage) and isinstance(html_part, EmailMessage)
    assert "Sample headline" in text_part.get_content()
    html = html_part.get_content()
    assert "<table" in html

    images = {
        part["Content-ID"].strip("<>"): part.get_content()
        for part in msg.walk()
        if part.get_content_type() == "image/png"
    }
    referenced = set(re.findall(r"cid:([A-Za-z0-9._@-]+)", html))
    assert referenced == {"volume", "actors"}
    assert referenced <= set(images)
    for name in referenced:
        assert images[name] == digest.images[name]
        assert images[name].startswith(b"\x89PNG\r\n\x1a\n")
    assert mail.find_html_problems(html, images) == []
    assert not re.search(r"""<img[^>]+src=["']?https?:""", html, re.IGNORECASE)


def test_rejected_recipient_is_recorded_and_the_others_still_get_it() -> None:
    with smtp_server(reject={BOB: "550 5.1.1 no such user (sample)"}) as server:
        settings = settings_for(server.port)
        sleeps = Sleeps()
        report = mail.send_digest(sample_digest(), settings, password=None, sleep=sleeps)
    assert report[ALICE] is None
    assert report[BOB] == "550 5.1.1 no such user (sample)"
    assert [r.rcpt_tos for r in server.received] == [[ALICE]]
    assert sleeps.calls == []  # a permanent refusal is not retried


def test_every_recipient_rejected_is_a_report_not_an_exception() -> None:
    reject = {ALICE: "550 5.1.1 unknown (sample)", BOB: "553 5.1.3 bad mailbox (sample)"}
    with smtp_server(reject=reject) as server:
        report = mail.send_digest(sample_digest(), settings_for(server.port), password=None, sleep=Sleeps())
    assert report == reject
    assert server.received == []


def test_busy_mailbox_is_retried_alone_with_backoff() -> None:
    with smtp_server(busy={BOB: 2}) as server:
        sleeps = Sleeps()
        report = mail.send_digest(sample_digest(), settings_for(server.port), password=None, sleep=sleeps)
    assert report == {ALICE: None, BOB: None}
    assert sleeps.calls == [1.5, 3.0]
    assert [r.rcpt_tos for r in server.received] == [[ALICE], [BOB]]  # Alice got exactly one copy


def test_busy_mailbox_past_the_retries_keeps_its_4xx() -> None:
    with smtp_server(busy={BOB: 10}) as server:
        sleeps = Sleeps()
        report = mail.send_digest(sample_digest(), settings_for(server.port), password=None, sleep=sleeps)
    assert report[ALICE] is None
    assert report[BOB] is not None and report[BOB].startswith("450 ")
    assert len(sleeps.calls) == 2


def test_server_down_names_host_and_port_after_retrying() -> None:
    with down_server() as (host, port):
        settings = settings_for(port, retries=3, retry_backoff_seconds=2)
        sleeps = Sleeps()
        msg = mail.build_message(sample_digest(), settings)
        with pytest.raises(MailError) as caught:
            mail.send_with_retry(msg, settings, password=None, recipients=[ALICE], sleep=sleeps)
    text = str(caught.value)
    assert f"{host}:{port}" in text
    assert "connection refused" in text
    assert "4 attempts" in text
    assert sleeps.calls == [2, 4, 8]


def test_silent_server_times_out_as_a_transient_error() -> None:
    with silent_server() as (host, port):
        settings = settings_for(port, timeout_seconds=0.3, retries=1)
        sleeps = Sleeps()
        msg = mail.build_message(sample_digest(), settings)
        with pytest.raises(mail.SmtpError) as caught:
            mail.send_with_retry(msg, settings, password=None, recipients=[ALICE], sleep=sleeps)
    assert caught.value.transient
    assert f"{host}:{port}" in str(caught.value)
    assert "timeout" in str(caught.value)
    assert len(sleeps.calls) == 1


def test_login_with_the_right_password() -> None:
    with smtp_server(login=("digest", "sample-secret")) as server:
        settings = settings_for(server.port, username="digest", password_env="NEWSWATCH_TEST_SMTP_PASSWORD")
        password = mail.resolve_password(settings, environ={"NEWSWATCH_TEST_SMTP_PASSWORD": "sample-secret"})
        report = mail.send_digest(sample_digest(), settings, password=password)
    assert report == {ALICE: None, BOB: None}
    assert len(server.received) == 1


def test_login_refused_is_permanent_and_not_retried() -> None:
    with smtp_server(login=("digest", "sample-secret")) as server:
        settings = settings_for(server.port, username="digest", password_env="X")
        sleeps = Sleeps()
        with pytest.raises(mail.SmtpError) as caught:
            mail.send_digest(sample_digest(), settings, password="wrong", sleep=sleeps)
    assert caught.value.code == 535
    assert not caught.value.transient
    assert f"127.0.0.1:{server.port}" in str(caught.value)
    assert "login refused" in str(caught.value)
    assert sleeps.calls == []
    assert server.received == []


def test_server_requiring_login_refuses_an_anonymous_sender() -> None:
    with smtp_server(login=("digest", "sample-secret")) as server, pytest.raises(mail.SmtpError) as caught:
        mail.send_digest(sample_digest(), settings_for(server.port), password=None, sleep=Sleeps())
    assert caught.value.code is not None and caught.value.code >= 500
    assert server.received == []


def test_starttls_with_login(cert: CertFiles) -> None:
    with smtp_server(tls="starttls", cert=cert, login=("digest", "sample-secret")) as server:
        settings = settings_for(server.port, security="starttls", username="digest", password_env="X")
        report = mail.send_digest(
            sample_digest(), settings, password="sample-secret", ssl_context=server.client_context()
        )
    assert report == {ALICE: None, BOB: None}
    assert len(server.received) == 1


def test_implicit_tls_with_login(cert: CertFiles) -> None:
    with smtp_server(tls="ssl", cert=cert, login=("digest", "sample-secret")) as server:
        settings = settings_for(server.port, security="ssl", username="digest", password_env="X")
        report = mail.send_digest(
            sample_digest(), settings, password="sample-secret", ssl_context=server.client_context()
        )
    assert report == {ALICE: None, BOB: None}
    assert len(server.received) == 1


def test_untrusted_certificate_is_refused_without_retrying(cert: CertFiles) -> None:
    # The default context trusts the system's CAs only; the test certificate is self-signed.
    with smtp_server(tls="starttls", cert=cert) as server:
        settings = settings_for(server.port, security="starttls")
        sleeps = Sleeps()
        with pytest.raises(mail.SmtpError) as caught:
            mail.send_digest(sample_digest(), settings, password=None, sleep=sleeps)
    assert "certificate" in str(caught.value)
    assert not caught.value.transient
    assert sleeps.calls == []


def test_plain_client_on_a_starttls_only_server_is_refused(cert: CertFiles) -> None:
    with smtp_server(tls="starttls", cert=cert) as server, pytest.raises(mail.SmtpError) as caught:
        mail.send_digest(sample_digest(), settings_for(server.port), password=None, sleep=Sleeps())
    assert caught.value.code == 530  # "Must issue a STARTTLS command first"
    assert server.received == []


def test_message_for_one_recipient_is_addressed_to_them(tmp_path: Path) -> None:
    with smtp_server() as server:
        settings = settings_for(server.port)
        msg = mail.build_message(sample_digest(), settings, recipient=BOB)
        report = mail.send_message(msg, settings, password=None, recipients=[BOB])
    assert report == {BOB: None}
    assert server.received[0].message()["To"] == BOB
