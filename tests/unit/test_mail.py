"""The [email] table, the password lookup and the MIME message, without a server."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from newswatch import models
from newswatch.config import parse_settings
from newswatch.errors import ConfigError, MailError
from newswatch.report import mail

CONFIG = Path("config/newswatch.toml")
PNG = b"\x89PNG\r\n\x1a\n sample"


def table(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": "smtp.example.org",
        "sender": "newswatch <digest@example.org>",
        "recipients": ["alice@example.org", "Bob Sample <bob@example.org>"],
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def settings(**changes: Any) -> mail.EmailSettings:
    parsed = parse_settings({"email": table(**changes)}, CONFIG).email
    assert parsed is not None
    return parsed


def digest(
    html: str = '<p>Sample</p><img src="cid:volume">', images: dict[str, bytes] | None = None
) -> models.RenderedDigest:
    return models.RenderedDigest(
        digest_date=date(2025, 5, 8),
        subject="India-Pakistan (sample)",
        html=html,
        text="Sample digest text.",
        images={"volume": PNG} if images is None else images,
    )


def config_error(data: dict[str, Any] | None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"email": data}, CONFIG)
    assert caught.value.path == str(CONFIG)
    return caught.value


# ---------------------------------------------------------------- settings


def test_no_email_table_means_no_mail() -> None:
    assert parse_settings({}, CONFIG).email is None


def test_minimal_table_gets_defaults() -> None:
    s = settings()
    assert s.host == "smtp.example.org"
    assert s.port == 587
    assert s.security == "starttls"
    assert s.username is None and s.password_env is None and s.password_block is None
    assert s.recipients == ("alice@example.org", "Bob Sample <bob@example.org>")
    assert s.subject == "newswatch digest {date}"
    assert (s.timeout_seconds, s.retries, s.retry_backoff_seconds) == (30.0, 3, 5.0)
    assert s.server == "smtp.example.org:587"


@pytest.mark.parametrize(("security", "port"), [("ssl", 465), ("none", 25), ("starttls", 587)])
def test_default_port_follows_security(security: str, port: int) -> None:
    assert settings(security=security).port == port


def test_full_table() -> None:
    s = settings(
        port=2525,
        security="ssl",
        username="digest",
        password_env="NEWSWATCH_SMTP_PASSWORD",
        subject="[newswatch] {subject} {date}",
        timeout_seconds=10,
        retries=0,
        retry_backoff_seconds=0.5,
        recipients="solo@example.org",
    )
    assert (s.port, s.security, s.username, s.password_env) == (
        2525,
        "ssl",
        "digest",
        "NEWSWATCH_SMTP_PASSWORD",
    )
    assert s.recipients == ("solo@example.org",)
    assert (s.timeout_seconds, s.retries, s.retry_backoff_seconds) == (10.0, 0, 0.5)


def test_password_in_the_toml_is_refused() -> None:
    err = config_error(table(username="digest", password="hunter2"))
    assert err.key == "email.password"
    assert "password_env" in err.problem
    assert "hunter2" not in str(err)


@pytest.mark.parametrize(
    ("changes", "key", "expected"),
    [
        ({"hots": "x"}, "email.hots", "unknown key"),
        ({"host": None}, "email.host", "required key is missing"),
        ({"host": 42}, "email.host", "expected a string, got 42"),
        ({"host": " "}, "email.host", "must not be empty"),
        ({"host": "smtp example.org"}, "email.host", "host name"),
        ({"port": "587"}, "email.port", "integer"),
        ({"port": True}, "email.port", "integer"),
        ({"port": 70000}, "email.port", "from 1 to 65535"),
        ({"security": "tls"}, "email.security", "'starttls', 'ssl' or 'none', got 'tls'"),
        ({"sender": None}, "email.sender", "required key is missing"),
        ({"sender": "digest"}, "email.sender", "news@example.org"),
        ({"recipients": None}, "email.recipients", "required key is missing"),
        ({"recipients": []}, "email.recipients", "at least one address"),
        ({"recipients": {"a": 1}}, "email.recipients", "list of addresses"),
        ({"recipients": ["a@example.org", 7]}, "email.recipients[1]", "expected a string, got 7"),
        ({"recipients": ["a@example.org", "nobody"]}, "email.recipients[1]", "news@example.org"),
        ({"recipients": ["a@example.org, b@example.org"]}, "email.recipients[0]", "its own list item"),
        ({"recipients": ["a@example.org", "A <A@example.org>"]}, "email.recipients[1]", "listed twice"),
        ({"recipients": ["a@example.org\nBcc: x@example.org"]}, "email.recipients[0]", "line"),
        ({"username": "digest"}, "email.password_env", "password_env or password_block is required"),
        ({"password_env": "SMTP_PASSWORD"}, "email.username", "username is required"),
        (
            {"username": "u", "password_env": "SMTP-PASSWORD"},
            "email.password_env",
            "environment variable name",
        ),
        ({"username": "u", "password_env": "A", "password_block": "b"}, "email.password_block", "not both"),
        ({"security": "none", "username": "u", "password_env": "P"}, "email.security", "in clear"),
        ({"subject": "digest {day}"}, "email.subject", "unknown placeholder {day}"),
        ({"subject": "digest {date"}, "email.subject", "malformed template"),
        ({"timeout_seconds": 0}, "email.timeout_seconds", "from 0.1"),
        ({"retries": 1.5}, "email.retries", "integer"),
        ({"retry_backoff_seconds": "5"}, "email.retry_backoff_seconds", "number"),
    ],
)
def test_bad_values_name_the_key(changes: dict[str, Any], key: str, expected: str) -> None:
    data = table()
    for k, v in changes.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    err = config_error(data)
    assert err.key == key
    assert expected in err.problem


def test_unencrypted_login_is_allowed_on_loopback_only() -> None:
    s = settings(host="127.0.0.1", security="none", username="u", password_env="P")
    assert (s.port, s.security) == (25, "none")


def test_email_must_be_a_table() -> None:
    assert config_error(["x"]).key == "email"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "address", ["a@example.org", "Name <a@example.org>", '"Last, First" <a.b+tag@mail.example.org>']
)
def test_good_addresses(address: str) -> None:
    assert mail.address_problem(address) is None


@pytest.mark.parametrize(
    "address", ["", "a", "a@b", "@example.org", "a@.org", "a@example.org.", "a b@example.org"]
)
def test_bad_addresses(address: str) -> None:
    assert mail.address_problem(address) is not None


# ---------------------------------------------------------------- password


def test_no_login_needs_no_password() -> None:
    assert mail.resolve_password(settings(), environ={}) is None


def test_password_from_the_named_environment_variable() -> None:
    s = settings(username="digest", password_env="NEWSWATCH_SMTP_PASSWORD")
    assert mail.resolve_password(s, environ={"NEWSWATCH_SMTP_PASSWORD": "sample-secret"}) == "sample-secret"


def test_unset_environment_variable_is_named() -> None:
    s = settings(username="digest", password_env="NEWSWATCH_SMTP_PASSWORD")
    with pytest.raises(MailError, match="NEWSWATCH_SMTP_PASSWORD is not set"):
        mail.resolve_password(s, environ={})
    with pytest.raises(MailError, match="NEWSWATCH_SMTP_PASSWORD"):
        mail.resolve_password(s, environ={"NEWSWATCH_SMTP_PASSWORD": ""})


def test_password_from_a_secret_block_via_the_loader() -> None:
    s = settings(username="digest", password_block="smtp-password")
    asked: list[str] = []

    def loader(name: str) -> str:
        asked.append(name)
        return "sample-secret"

    assert mail.resolve_password(s, loader) == "sample-secret"
    assert asked == ["smtp-password"]


def test_secret_block_objects_are_unwrapped() -> None:
    class SecretStrLike:
        def __init__(self, text: str) -> None:
            self.text = text

        def get_secret_value(self) -> str:
            return self.text

    class Block:  # shaped like prefect.blocks.system.Secret: .value holds a SecretStr, .get() JSON-decodes it
        def __init__(self, text: str) -> None:
            self.value = SecretStrLike(text)

        def get(self) -> object:
            return 12345

    s = settings(username="digest", password_block="smtp-password")
    assert mail.resolve_password(s, lambda name: Block("12345")) == "12345"
    assert mail.resolve_password(s, lambda name: SecretStrLike("sample-secret")) == "sample-secret"

    class GetOnly:
        def get(self) -> str:
            return "sample-secret"

    assert mail.resolve_password(s, lambda name: GetOnly()) == "sample-secret"
    with pytest.raises(MailError, match="expected the secret to be text, got dict"):
        mail.resolve_password(s, lambda name: {"password": "x"})


def test_secret_block_without_a_loader_or_failing_is_named() -> None:
    s = settings(username="digest", password_block="smtp-password")
    with pytest.raises(MailError, match="'smtp-password'.*Prefect flow"):
        mail.resolve_password(s)

    def broken(name: str) -> str:
        raise ValueError(f"Unable to find block document named {name}")

    with pytest.raises(MailError, match="cannot load the Secret block 'smtp-password'"):
        mail.resolve_password(s, broken)
    with pytest.raises(MailError, match="empty password"):
        mail.resolve_password(s, lambda name: "")


# ---------------------------------------------------------------- message


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_message_structure_and_headers() -> None:
    when = datetime(2025, 5, 9, 5, 0, tzinfo=UTC)
    msg = parse(mail.build_message(digest(), settings(), now=when))
    assert msg["Subject"] == "newswatch digest 2025-05-08"
    assert msg["From"] == "newswatch <digest@example.org>"
    assert msg["To"] == "alice@example.org, Bob Sample <bob@example.org>"
    assert msg["Date"] == "Fri, 09 May 2025 05:00:00 +0000"
    assert re.fullmatch(r"<[^<>@]+@example\.org>", msg["Message-ID"])
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.iter_parts()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<volume>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == PNG


def test_a_display_name_with_parentheses_or_commas_reaches_mail_programs_whole() -> None:
    """Unquoted, "(sample)" in "newswatch (sample) <digest@example.org>" is an RFC 5322 comment, which mail
    programs drop from the name; the header quotes such names, so parsing it gives the name as configured."""
    s = settings(sender="newswatch (sample) <digest@example.org>",
                 recipients=['"Desk, Editor" <desk@example.org>', "Zoë Müller (sample) <z@example.org>"])
    msg = parse(mail.build_message(digest(), s))
    assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == [("newswatch (sample)",
                                                                              "digest@example.org")]
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("Desk, Editor", "desk@example.org"), ("Zoë Müller (sample)", "z@example.org")]


def test_message_for_one_recipient() -> None:
    assert mail.build_message(digest(), settings(), "carol@example.org")["To"] == "carol@example.org"
    with pytest.raises(MailError, match="recipient"):
        mail.build_message(digest(), settings(), "carol")


def test_subject_placeholders_and_no_line_breaks() -> None:
    s = settings(subject="[newswatch] {subject} - {date}")
    d = digest()
    d.subject = "India-Pakistan\n(sample)"
    assert mail.build_message(d, s)["Subject"] == "[newswatch] India-Pakistan (sample) - 2025-05-08"


def test_html_without_images_is_plain_alternative() -> None:
    msg = mail.build_message(digest(html="<p>No charts (sample)</p>", images={}), settings())
    _, html_part = msg.iter_parts()
    assert html_part.get_content_type() == "text/html"


def test_unused_images_are_left_out() -> None:
    msg = mail.build_message(digest(images={"volume": PNG, "spare": PNG}), settings())
    cids = [p["Content-ID"] for p in msg.walk() if p.get_content_type() == "image/png"]
    assert cids == ["<volume>"]


def test_cid_without_an_image_is_refused() -> None:
    with pytest.raises(MailError, match="cid:actors.*no image named 'actors'"):
        mail.build_message(digest(html='<img src="cid:volume"><img src="cid:actors">'), settings())


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://example.org/pixel.png">',
        '<img src="//example.org/pixel.png">',
        '<img srcset="cid:volume 1x, http://example.org/big.png 2x">',
        '<link rel="stylesheet" href="https://example.org/style.css">',
        "<div style=\"background: url('https://example.org/bg.png')\">x</div>",
        "<style>body { background-image: url(http://example.org/bg.png) }</style>",
        '<style>@import "https://example.org/more.css";</style>',
        '<table background="https://example.org/bg.png"><tr><td>x</td></tr></table>',
        "<script>alert(1)</script>",
        '<svg><image href="https://example.org/pixel.png"/></svg>',
        '<iframe src="https://example.org/frame"></iframe>',
    ],
)
def test_remote_loads_are_refused(html: str) -> None:
    problems = mail.find_html_problems(html, {"volume": PNG})
    assert problems, html
    with pytest.raises(MailError, match="cannot mail the HTML"):
        mail.build_message(digest(html=html), settings())


def test_links_to_articles_are_fine() -> None:
    html = '<a href="https://example.org/article">Sample</a><img src="cid:volume" alt="chart">'
    assert mail.find_html_problems(html, {"volume": PNG}) == []


def test_images_must_be_png() -> None:
    with pytest.raises(MailError, match="'volume' is not a PNG"):
        mail.build_message(digest(images={"volume": b"GIF89a sample"}), settings())


def test_image_names_must_fit_a_content_id() -> None:
    with pytest.raises(MailError, match="cannot be a Content-ID"):
        mail.build_message(digest(html='<img src="cid:a/b">', images={"a/b": PNG}), settings())


def test_referenced_images_in_order() -> None:
    html = '<img src="cid:b"><img src="cid:a"><td style="background:url(cid:c)"><img src="cid:b"><p>Lucid:dream</p>'
    assert mail.referenced_images(html) == ["b", "a", "c"]


# ---------------------------------------------------------------- retry policy (no server needed)


class FakeSender:
    """Stands in for send_message: plays back scripted outcomes, one per attempt."""

    def __init__(self, outcomes: list[Any]) -> None:
        self.outcomes = outcomes
        self.calls: list[list[str]] = []

    def __call__(
        self, msg: Any, settings: Any, *, password: Any, recipients: list[str], ssl_context: Any,
        before_data: Any = None,
    ) -> Any:
        self.calls.append(list(recipients))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return {r: outcome.get(r) for r in recipients}


def test_retry_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(retries=3, retry_backoff_seconds=1)
    transient = mail.SmtpError(s.host, s.port, "connection refused", transient=True)
    fake = FakeSender([transient, transient, {"bob@example.org": "451 try later"}, {}])
    monkeypatch.setattr(mail, "send_message", fake)
    sleeps: list[float] = []
    report = mail.send_with_retry(
        EmailMessage(),
        s,
        password=None,
        recipients=["alice@example.org", "bob@example.org"],
        sleep=sleeps.append,
    )
    assert report == {"alice@example.org": None, "bob@example.org": None}
    assert sleeps == [1, 2, 4]
    assert fake.calls[-1] == ["bob@example.org"]


def test_permanent_failure_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings()
    fake = FakeSender([mail.SmtpError(s.host, s.port, "login refused", transient=False, code=535)])
    monkeypatch.setattr(mail, "send_message", fake)
    sleeps: list[float] = []
    with pytest.raises(mail.SmtpError, match="smtp.example.org:587: login refused"):
        mail.send_with_retry(
            EmailMessage(), s, password="x", recipients=["a@example.org"], sleep=sleeps.append
        )
    assert sleeps == []
    assert len(fake.calls) == 1


def test_zero_retries_tries_once(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(retries=0)
    fake = FakeSender([mail.SmtpError(s.host, s.port, "timeout", transient=True)])
    monkeypatch.setattr(mail, "send_message", fake)
    with pytest.raises(mail.SmtpError) as caught:
        mail.send_with_retry(
            EmailMessage(), s, password=None, recipients=["a@example.org"], sleep=lambda _: None
        )
    assert "attempts" not in str(caught.value)


def test_mail_charts_schedule_import_neither_prefect_nor_duckdb() -> None:
    code = (
        "import sys, newswatch.report.mail, newswatch.report.charts, newswatch.schedule\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'duckdb', 'matplotlib'))\n"
        "print(bad)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout.strip() == "[]"  # matplotlib too: it loads only when a chart is drawn
