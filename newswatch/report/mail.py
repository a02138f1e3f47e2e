"""Email delivery of the digest: settings from the [email] table, the MIME message, and SMTP sending.

Never imports Prefect (a secret loader is passed in) and never reads a password from the config file.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import string
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal, cast

from newswatch import models
from newswatch.errors import ConfigError, MailError

Security = Literal["starttls", "ssl", "none"]
SECURITY_MODES: tuple[Security, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
SUBJECT_FIELDS = ("date", "subject")
DEFAULT_SUBJECT = "newswatch digest {date}"

# A result per recipient: None when the server accepted it, else "CODE server text".
DeliveryReport = dict[str, str | None]
SecretLoader = Callable[[str], Any]


@dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int
    security: Security
    username: str | None
    password_env: str | None
    password_block: str | None
    sender: str
    recipients: tuple[str, ...]
    subject: str = DEFAULT_SUBJECT
    timeout_seconds: float = 30
    retries: int = 3
    retry_backoff_seconds: float = 5

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


class SmtpError(MailError):
    """Delivery failed as a whole. `transient` says whether trying again later may help."""

    def __init__(self, host: str, port: int, cause: str, *, transient: bool, code: int | None = None) -> None:
        self.host = host
        self.port = port
        self.cause = cause
        self.transient = transient
        self.code = code
        super().__init__(f"SMTP server {host}:{port}: {cause}")


# ---------------------------------------------------------------------------------------------- settings

_KEYS: dict[str, str] = {
    "host": "the SMTP server's host name",
    "port": "an integer port (default 587 for starttls, 465 for ssl, 25 for none)",
    "security": "one of 'starttls', 'ssl', 'none'",
    "username": "the SMTP login name",
    "password_env": "the name of an environment variable holding the SMTP password",
    "password_block": "the name of a Prefect Secret block holding the SMTP password",
    "sender": "the From address",
    "recipients": "a list of addresses",
    "subject": "a subject template",
    "timeout_seconds": "seconds to wait for the server",
    "retries": "how many times to try again after a transient failure",
    "retry_backoff_seconds": "seconds before the first retry; doubles each time",
}
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_email_settings(table: dict[str, Any] | None, path: Path) -> EmailSettings | None:
    """The checked [email] table, or None when there is none (no mail is sent then)."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(path, "email", f"expected a table [email], got {type(table).__name__}")
    if "password" in table:
        raise ConfigError(
            path,
            "email.password",
            "never put the password in the TOML; set password_env to the name of an environment variable"
            " (or password_block to a Prefect Secret block)",
        )
    for key in table:
        if key not in _KEYS:
            raise ConfigError(path, f"email.{key}", f"unknown key; expected one of: {', '.join(_KEYS)}")

    host = _text(table, "host", path, required=True)
    assert host is not None
    if any(c.isspace() for c in host) or "/" in host:
        raise ConfigError(
            path, "email.host", f"expected a host name such as 'smtp.example.org', got {host!r}"
        )
    security = table.get("security", "starttls")
    if security not in SECURITY_MODES:
        raise ConfigError(
            path, "email.security", f"expected one of 'starttls', 'ssl', 'none', got {security!r}"
        )
    port = _number(table, "port", path, int, DEFAULT_PORTS[security], low=1, high=65535)
    username = _text(table, "username", path)
    password_env = _text(table, "password_env", path)
    password_block = _text(table, "password_block", path)
    if password_env is not None and not _ENV_NAME.match(password_env):
        raise ConfigError(
            path,
            "email.password_env",
            f"expected an environment variable name such as SMTP_PASSWORD, got {password_env!r}",
        )
    if password_env is not None and password_block is not None:
        raise ConfigError(path, "email.password_block", "set password_env or password_block, not both")
    if username is not None and password_env is None and password_block is None:
        raise ConfigError(
            path, "email.password_env", "username is set, so password_env or password_block is required"
        )
    if username is None and (password_env is not None or password_block is not None):
        key = "email.password_env" if password_env is not None else "email.password_block"
        raise ConfigError(path, "email.username", f"{key} is set, so username is required too")

    if username is not None and security == "none" and host.lower() not in _LOOPBACK:
        raise ConfigError(
            path,
            "email.security",
            "a login over an unencrypted connection sends the password in clear; use 'starttls' or 'ssl'",
        )

    sender = _text(table, "sender", path, required=True)
    assert sender is not None
    _check_address(sender, path, "email.sender")
    raw_recipients = table.get("recipients")
    if raw_recipients is None:
        raise ConfigError(path, "email.recipients", "required key is missing; expected a list of addresses")
    if isinstance(raw_recipients, str):
        raw_recipients = [raw_recipients]
    if not isinstance(raw_recipients, list):
        raise ConfigError(
            path, "email.recipients", f"expected a list of addresses, got {type(raw_recipients).__name__}"
        )
    if not raw_recipients:
        raise ConfigError(path, "email.recipients", "expected at least one address, got an empty list")
    recipients: list[str] = []
    for i, item in enumerate(raw_recipients):
        key = f"email.recipients[{i}]"
        if not isinstance(item, str):
            raise ConfigError(path, key, f"expected an address as a string, got {type(item).__name__}")
        _check_address(item, path, key)
        if _addr_spec(item).lower() in {_addr_spec(r).lower() for r in recipients}:
            raise ConfigError(path, key, f"{item!r} is listed twice")
        recipients.append(item.strip())

    subject = _text(table, "subject", path) or DEFAULT_SUBJECT
    _check_subject(subject, path)
    timeout = _number(table, "timeout_seconds", path, float, 30.0, low=0.1, high=600)
    retries = _number(table, "retries", path, int, 3, low=0, high=20)
    backoff = _number(table, "retry_backoff_seconds", path, float, 5.0, low=0, high=3600)
    return EmailSettings(
        host=host,
        port=int(port),
        security=cast(Security, security),
        username=username,
        password_env=password_env,
        password_block=password_block,
        sender=sender.strip(),
        recipients=tuple(recipients),
        subject=subject,
        timeout_seconds=float(timeout),
        retries=int(retries),
        retry_backoff_seconds=float(backoff),
    )


def _text(table: Mapping[str, Any], key: str, path: Path, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(path, f"email.{key}", f"required key is missing; expected {_KEYS[key]}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, f"email.{key}", f"expected {_KEYS[key]} as a non-empty string, got {value!r}")
    if "\r" in value or "\n" in value:
        raise ConfigError(path, f"email.{key}", "expected a single line, got a line break")
    return value.strip()


def _number(
    table: Mapping[str, Any], key: str, path: Path, kind: type, default: float, *, low: float, high: float
) -> float:
    value = table.get(key, default)
    # bool is an int in Python, never a count or a port in the config.
    ok_types = (int,) if kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        what = "an integer" if kind is int else "a number"
        raise ConfigError(path, f"email.{key}", f"expected {what} ({_KEYS[key]}), got {value!r}")
    if not low <= value <= high:
        raise ConfigError(path, f"email.{key}", f"expected a value from {low:g} to {high:g}, got {value!r}")
    return value


def _addr_spec(value: str) -> str:
    return parseaddr(value)[1]


def _check_address(value: str, path: Path, key: str) -> None:
    problem = address_problem(value)
    if problem:
        raise ConfigError(path, key, problem)


def address_problem(value: str) -> str | None:
    """Why `value` is not one usable address ('a@example.org' or 'Name <a@example.org>'), or None."""
    if "\r" in value or "\n" in value:
        return f"expected one address on one line, got {value!r}"
    parsed = getaddresses([value])
    if len(parsed) != 1:
        return f"expected one address, got {value!r} (put each recipient in its own list item)"
    spec = parsed[0][1]
    local, at, domain = spec.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return f"expected an address such as 'news@example.org', got {value!r}"
    try:
        Address(addr_spec=spec)
    except (HeaderParseError, ValueError, IndexError):
        return f"expected an address such as 'news@example.org', got {value!r}"
    return None


def _check_subject(subject: str, path: Path) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(subject) if name is not None]
    except ValueError as exc:
        raise ConfigError(
            path, "email.subject", f"malformed template ({exc}); write {{{{ and }}}} for braces"
        ) from None
    for name in fields:
        if name not in SUBJECT_FIELDS:
            allowed = ", ".join("{" + f + "}" for f in SUBJECT_FIELDS)
            raise ConfigError(path, "email.subject", f"unknown placeholder {{{name}}}; expected {allowed}")


# ---------------------------------------------------------------------------------------------- password


def resolve_password(
    settings: EmailSettings,
    secret_loader: SecretLoader | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The SMTP password from the environment variable or Secret block the settings name; None without login.

    `secret_loader(name)` may return the secret text or an object with `.get()` (a Prefect Secret block),
    so the flow can pass `Secret.load` itself.
    """
    if settings.username is None:
        return None
    env = os.environ if environ is None else environ
    if settings.password_env is not None:
        value = env.get(settings.password_env)
        if not value:
            raise MailError(
                f"email.password_env: environment variable {settings.password_env} is not set"
                f" (it must hold the SMTP password for {settings.username} at {settings.server})"
            )
        return value
    if settings.password_block is not None:
        name = settings.password_block
        if secret_loader is None:
            raise MailError(
                f"email.password_block: the password is in the Prefect Secret block {name!r}, which can only be"
                " read inside a Prefect flow; run the digest flow or use password_env"
            )
        try:
            secret = secret_loader(name)
            value = _secret_text(secret)
        except Exception as exc:  # the loader is foreign code: say which block failed and why
            raise MailError(f"email.password_block: cannot load the Secret block {name!r}: {exc}") from exc
        if not value:
            raise MailError(f"email.password_block: the Secret block {name!r} holds an empty password")
        return value
    raise MailError("email: username is set but neither password_env nor password_block is")


def _secret_text(secret: Any) -> str:
    # A Prefect Secret block keeps the text in .value (a SecretStr); its .get() would JSON-decode "12345" to
    # an int, so the raw value comes first.
    for _ in range(3):
        if isinstance(secret, str):
            return secret
        if isinstance(secret, Mapping | bytes | int | float):
            break
        if hasattr(secret, "get_secret_value"):
            secret = secret.get_secret_value()
        elif hasattr(secret, "value"):
            secret = secret.value
        elif callable(getattr(secret, "get", None)):
            secret = secret.get()
        else:
            break
    raise TypeError(f"expected the secret to be text, got {type(secret).__name__}")


# ---------------------------------------------------------------------------------------------- message

_CID_REF = re.compile(r"""(?<![\w-])cid:([^\s"'()<>;,]+)""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
# Attributes whose URL a mail client fetches on open (links the reader clicks are fine).
_FETCHED_ATTRS = {"src", "srcset", "background", "poster", "data", "lowsrc", "dynsrc"}
_HREF_LOADS = {"link", "image", "use", "feimage"}  # <link> and SVG elements load their href


def _is_remote(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http:", "https:", "//", "ftp:"))


class _RemoteFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            if name in _FETCHED_ATTRS or (tag in _HREF_LOADS and name in ("href", "xlink:href")):
                for url in urls:
                    if _is_remote(url):
                        self.problems.append(f"<{tag} {name}> loads a remote resource: {url}")
            if name == "style":
                self._check_css(value, f"<{tag} style>")
        if tag == "script":
            self.problems.append("<script> is not allowed in mail")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._check_css(data, "<style>")

    def _check_css(self, css: str, where: str) -> None:
        for url in _CSS_URL.findall(css) + _CSS_IMPORT.findall(css):
            if _is_remote(url):
                self.problems.append(f"{where} loads a remote resource: {url}")


def find_html_problems(html: str, images: Mapping[str, bytes]) -> list[str]:
    """What would make this HTML mail break or phone home: cid: refs without an image, remote loads."""
    problems: list[str] = []
    for name in sorted(set(_CID_REF.findall(html))):
        if name not in images:
            problems.append(f"the HTML refers to cid:{name} but there is no image named {name!r}")
    finder = _RemoteFinder()
    finder.feed(html)
    finder.close()
    problems.extend(finder.problems)
    return problems


def referenced_images(html: str) -> list[str]:
    """The image names the HTML uses as cid:NAME, in order of first use."""
    return list(dict.fromkeys(_CID_REF.findall(html)))


def format_subject(template: str, digest: models.RenderedDigest) -> str:
    """The Subject line: {date} is the digest date (YYYY-MM-DD), {subject} the digest's own subject."""
    subject = template.format(date=digest.digest_date.isoformat(), subject=digest.subject)
    return " ".join(subject.split())  # no line breaks may reach a header


def build_message(
    digest: models.RenderedDigest,
    settings: EmailSettings,
    recipient: str | None = None,
    *,
    now: datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message: text/plain, then HTML in multipart/related with its charts inline.

    Raises MailError when the HTML refers to a missing image or loads anything remote. Images the HTML does
    not use are left out.
    """
    problems = find_html_problems(digest.html, digest.images)
    used = referenced_images(digest.html)
    for name in used:
        data = digest.images.get(name)
        if data is None:
            continue  # already a problem: cid without an image
        if not _IMAGE_NAME.match(name):
            problems.append(f"image name {name!r} cannot be a Content-ID; use letters, digits, '.', '_', '-'")
        elif not data.startswith(_PNG_SIGNATURE):
            problems.append(f"image {name!r} is not a PNG")
    if problems:
        raise MailError(f"digest {digest.digest_date}: cannot mail the HTML: " + "; ".join(problems))
    if recipient is not None and address_problem(recipient):
        raise MailError(f"recipient: {address_problem(recipient)}")

    msg = EmailMessage()
    msg["Subject"] = format_subject(settings.subject, digest)
    msg["From"] = settings.sender
    msg["To"] = recipient if recipient is not None else ", ".join(settings.recipients)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    domain = _addr_spec(settings.sender).rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(idstring="newswatch", domain=domain)
    msg.set_content(
        digest.text or "(This digest has no plain-text version.)", subtype="plain", charset="utf-8"
    )
    msg.add_alternative(digest.html, subtype="html", charset="utf-8")
    if used:
        html_part = list(msg.iter_parts())[1]
        for name in used:
            html_part.add_related(
                digest.images[name],
                maintype="image",
                subtype="png",
                cid=f"<{name}>",
                disposition="inline",
                filename=f"{name}.png" if not name.lower().endswith(".png") else name,
            )
    return msg


# ---------------------------------------------------------------------------------------------- sending


def _connect(settings: EmailSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_seconds, context=context
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    if settings.security == "starttls":
        try:
            smtp.ehlo()
            smtp.starttls(context=context)
            smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
    return smtp


def _fail(settings: EmailSettings, exc: BaseException) -> SmtpError:
    """One SmtpError for any failure of the whole delivery, saying whether a retry may help."""
    host, port = settings.host, settings.port

    def err(cause: str, transient: bool, code: int | None = None) -> SmtpError:
        return SmtpError(host, port, cause, transient=transient, code=code)

    if isinstance(exc, smtplib.SMTPAuthenticationError):
        text = _smtp_text(exc.smtp_error)
        return err(
            f"login refused ({exc.smtp_code} {text}); check username and password",
            exc.smtp_code < 500,
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return err(f"{exc} (check email.security)", False)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return err(
            f"sender {exc.sender} refused ({exc.smtp_code} {_smtp_text(exc.smtp_error)})",
            exc.smtp_code < 500,
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        transient = 400 <= code < 500 or code == -1
        return err(f"{code} {_smtp_text(exc.smtp_error)}", transient, code)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if isinstance(exc.__context__, TimeoutError):  # smtplib hides a read timeout behind this
            return err(
                f"no answer within {settings.timeout_seconds:g} s (timeout){_tls_hint(settings)}", True
            )
        return err(f"server closed the connection ({exc or 'no reason given'}){_tls_hint(settings)}", True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return err(f"TLS certificate not trusted: {exc.verify_message or exc}", False)
    if isinstance(exc, ssl.SSLError):
        return err(f"TLS failed: {exc.reason or exc} (check email.security and email.port)", False)
    if isinstance(exc, ConnectionRefusedError):
        return err("connection refused (is the server running and the port right?)", True)
    if isinstance(exc, TimeoutError | socket.timeout):
        return err(f"no answer within {settings.timeout_seconds:g} s (timeout){_tls_hint(settings)}", True)
    if isinstance(exc, socket.gaierror):
        # EAI_AGAIN is a DNS hiccup; "name not known" is a typo and stays wrong.
        return err(f"cannot resolve host name ({exc.strerror or exc})", exc.errno == socket.EAI_AGAIN)
    if isinstance(exc, OSError):
        return err(f"network error ({exc.strerror or exc})", True)
    if isinstance(exc, smtplib.SMTPException):
        return err(str(exc), False)
    return err(f"{type(exc).__name__}: {exc}", False)


def _tls_hint(settings: EmailSettings) -> str:
    # A plain client on an implicit-TLS port waits for a greeting that never comes, and the reverse fails oddly.
    if settings.security != "ssl" and settings.port == 465:
        return "; port 465 usually expects security = 'ssl'"
    if settings.security == "ssl" and settings.port in (25, 587):
        return f"; port {settings.port} usually expects security = 'starttls'"
    return ""


def _smtp_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def send_message(
    msg: EmailMessage,
    settings: EmailSettings,
    *,
    password: str | None,
    recipients: list[str],
    ssl_context: ssl.SSLContext | None = None,
    before_data: Callable[[], None] | None = None,
) -> DeliveryReport:
    """Send once. Returns, per recipient, None if the server accepted it or "CODE text" if it refused it.

    Raises SmtpError (a MailError naming host:port and the cause) when nothing could be delivered for a
    reason other than the recipients: refused connection, timeout, TLS, login, sender or message refused.
    `before_data` is called once the server has accepted a recipient, just before the message itself goes out:
    from then on until the server's answer, the message may arrive even if this process stops.
    """
    if not recipients:
        raise MailError("send_message: no recipients given")
    if settings.username is not None and password is None:
        raise SmtpError(
            settings.host, settings.port, f"login as {settings.username} needs a password", transient=False
        )
    envelope = [_addr_spec(r) or r for r in recipients]
    sender = _addr_spec(settings.sender) or settings.sender
    context = ssl_context or ssl.create_default_context()
    refused: dict[str, tuple[int, bytes]] = {}
    try:
        smtp = _connect(settings, context)
    except Exception as exc:
        raise _fail(settings, exc) from exc
    try:
        if settings.username is not None:
            assert password is not None
            smtp.login(settings.username, password)
        if before_data is not None:
            data = smtp.data

            def announced_data(message: Any) -> tuple[int, bytes]:
                before_data()
                return data(message)

            smtp.data = announced_data  # type: ignore[method-assign,assignment]  # smtplib.sendmail calls self.data
        refused = dict(smtp.send_message(msg, from_addr=sender, to_addrs=envelope))
    except smtplib.SMTPRecipientsRefused as exc:
        refused = dict(exc.recipients)  # every recipient refused: still a per-recipient result
    except Exception as exc:
        raise _fail(settings, exc) from exc
    finally:
        try:
            smtp.quit()
        except Exception:  # the answer is already known; a failing QUIT changes nothing
            smtp.close()
    report: DeliveryReport = {}
    for original, addr in zip(recipients, envelope, strict=True):
        if addr in refused:
            code, text = refused[addr]
            report[original] = f"{code} {_smtp_text(text)}"
        else:
            report[original] = None
    return report


def _refusal_code(error: str) -> int:
    head = error.split(" ", 1)[0]
    return int(head) if head.isdigit() else 0


def send_with_retry(
    msg: EmailMessage,
    settings: EmailSettings,
    *,
    password: str | None,
    recipients: list[str],
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: ssl.SSLContext | None = None,
    before_data: Callable[[], None] | None = None,
) -> DeliveryReport:
    """send_message, tried again after transient failures (no connection, timeout, 4xx) with doubling waits.

    At most 1 + settings.retries attempts; waits retry_backoff_seconds, then twice that, and so on.
    Recipients refused with a 4xx code are retried alone; permanent refusals (5xx, login refused) are not.
    """
    report: DeliveryReport = {r: None for r in recipients}
    pending = list(recipients)
    attempts = settings.retries + 1
    for attempt in range(1, attempts + 1):
        try:
            result = send_message(
                msg, settings, password=password, recipients=pending, ssl_context=ssl_context,
                before_data=before_data,
            )
        except SmtpError as exc:
            if not exc.transient or attempt == attempts:
                if attempt > 1:
                    raise SmtpError(
                        exc.host,
                        exc.port,
                        f"{exc.cause} (gave up after {attempt} attempts)",
                        transient=exc.transient,
                        code=exc.code,
                    ) from exc
                raise
            sleep(settings.retry_backoff_seconds * 2 ** (attempt - 1))
            continue
        report.update(result)
        pending = [r for r, e in result.items() if e is not None and 400 <= _refusal_code(e) < 500]
        if not pending or attempt == attempts:
            break
        sleep(settings.retry_backoff_seconds * 2 ** (attempt - 1))
    return report


def send_digest(
    digest: models.RenderedDigest,
    settings: EmailSettings,
    *,
    password: str | None,
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: ssl.SSLContext | None = None,
) -> DeliveryReport:
    """Build one message addressed to every configured recipient and send it with retries."""
    msg = build_message(digest, settings)
    return send_with_retry(
        msg,
        settings,
        password=password,
        recipients=list(settings.recipients),
        sleep=sleep,
        ssl_context=ssl_context,
    )
