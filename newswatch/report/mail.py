"""Email delivery of the digest: the MIME message and SMTP sending ([email] is checked in newswatch.config).

Never imports Prefect (a secret loader is passed in) and never reads a password from the config file.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from html.parser import HTMLParser
from typing import Any

from newswatch import models
from newswatch.config import EmailSettings, address_problem
from newswatch.errors import MailError, NewswatchError

# A result per recipient: None when the server accepted it, else "CODE server text".
DeliveryReport = dict[str, str | None]
SecretLoader = Callable[[str], Any]


class SmtpError(MailError):
    """Delivery failed as a whole. `transient` says whether trying again later may help; `maybe_delivered` that
    the message had gone out when the connection failed without the server's answer, so it may have arrived and
    must not be sent again without asking (at most once)."""

    def __init__(self, host: str, port: int, cause: str, *, transient: bool, code: int | None = None,
                 maybe_delivered: bool = False) -> None:
        self.host = host
        self.port = port
        self.cause = cause
        self.transient = transient and not maybe_delivered
        self.code = code
        self.maybe_delivered = maybe_delivered
        super().__init__(f"SMTP server {host}:{port}: {cause}")


def _addr_spec(value: str) -> str:
    return parseaddr(value)[1]


_NAMED = re.compile(r"^\s*(.*?)\s*<([^<>]+)>\s*$")


def _header_address(value: str) -> Address:
    """An address as configured ("newswatch (sample) <digest@example.org>") for a From or To header. As an Address,
    the name is quoted (or encoded) whole when written: left as text, "(sample)" would be a comment that mail
    programs drop from the name."""
    match = _NAMED.match(value)
    if match is None:
        return Address(addr_spec=value.strip())
    name = match.group(1).strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"')
    return Address(display_name=name, addr_spec=match.group(2).strip())


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
    msg["From"] = _header_address(settings.sender)
    msg["To"] = [_header_address(r) for r in ([recipient] if recipient is not None else settings.recipients)]
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
    data_sent = False
    try:
        if settings.username is not None:
            assert password is not None
            smtp.login(settings.username, password)
        data = smtp.data

        def announced_data(message: Any) -> tuple[int, bytes]:
            nonlocal data_sent
            if before_data is not None:
                before_data()
            data_sent = True
            return data(message)

        smtp.data = announced_data  # type: ignore[method-assign,assignment]  # smtplib.sendmail calls self.data
        refused = dict(smtp.send_message(msg, from_addr=sender, to_addrs=envelope))
    except smtplib.SMTPRecipientsRefused as exc:
        refused = dict(exc.recipients)  # every recipient refused: still a per-recipient result
    except Exception as exc:
        if isinstance(exc, NewswatchError) and not isinstance(exc, MailError):
            raise  # `before_data` failed (the delivery journal's disk is full), not the server: nothing went out
        failure = _fail(settings, exc)
        if data_sent and not (isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 400):
            # The message was going out and no answer came (timeout, dropped connection): the server may have
            # it. Only a reply code says it was not accepted; without one, sending again could mail it twice.
            failure = SmtpError(
                failure.host, failure.port,
                f"{failure.cause} after the message was sent: it may have arrived, so it is not sent again "
                "(newswatch digest --resend sends it)",
                transient=False, code=failure.code, maybe_delivered=True,
            )
        raise failure from exc
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
    """send_message, tried again after transient failures (no connection, timeout, 4xx) with doubling waits;
    never once the message may have arrived (no answer after it went out: `SmtpError.maybe_delivered`).

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
                        maybe_delivered=exc.maybe_delivered,
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
