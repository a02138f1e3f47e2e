"""Real SMTP servers on 127.0.0.1 for tests: aiosmtpd collecting messages, refusing chosen recipients,
requiring a login or TLS; plus a closed port ("down") and a server that never answers ("silent").

Test helpers only; nothing here talks to anything but loopback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (aiosmtpd cannot take port 0: its readiness check dials it)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    """Collects messages. `reject` maps an address to the reply its RCPT gets (e.g. "550 5.1.1 no such user");
    `busy` maps an address to how many times it is first answered "450 4.2.1 mailbox busy". A RCPT for an
    address in `hold` sets `held` and gets no answer until `release` is set (to stop a client at that point).
    `late_answers` holds seconds: each message keeps the first one left, stored at once but answered that late (a
    server that has the message while its client gives up waiting)."""

    received: list[Received] = field(default_factory=list)
    reject: dict[str, str] = field(default_factory=dict)
    busy: dict[str, int] = field(default_factory=dict)
    hold: set[str] = field(default_factory=set)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    rcpt_attempts: list[str] = field(default_factory=list)
    late_answers: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.hold:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)
        with self._lock:
            self.rcpt_attempts.append(address)
            if address in self.reject:
                return self.reject[address]
            if self.busy.get(address, 0) > 0:
                self.busy[address] -= 1
                return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
            late = self.late_answers.pop(0) if self.late_answers else 0.0
        if late:
            await asyncio.sleep(late)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler
    cafile: Path | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this server's self-signed certificate."""
        assert self.cafile is not None, "this server has no TLS"
        return ssl.create_default_context(cafile=str(self.cafile))


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path


def make_self_signed_cert(folder: Path) -> CertFiles:
    """A certificate for 127.0.0.1 and localhost, valid for a day. Needs the `cryptography` package."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newswatch test SMTP (sample)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    files = CertFiles(folder / "smtp-cert.pem", folder / "smtp-key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


@contextmanager
def smtp_server(
    *,
    reject: dict[str, str] | None = None,
    busy: dict[str, int] | None = None,
    hold: set[str] | None = None,
    login: tuple[str, str] | None = None,
    tls: Literal["starttls", "ssl"] | None = None,
    cert: CertFiles | None = None,
    port: int | None = None,
) -> Iterator[SmtpServer]:
    """A running aiosmtpd server on 127.0.0.1 (on `port`, else a free one). `login=(user, password)` requires
    AUTH; `tls` needs `cert`."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    handler = RecordingHandler(reject=dict(reject or {}), busy=dict(busy or {}), hold=set(hold or ()))
    kwargs: dict[str, Any] = {"server_hostname": "newswatch-test.local"}  # skips a slow getfqdn()
    server_context: ssl.SSLContext | None = None
    if tls is not None:
        assert cert is not None, "tls needs cert=make_self_signed_cert(tmp_path)"
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(str(cert.cert), str(cert.key))
        if tls == "starttls":
            kwargs.update(tls_context=server_context, require_starttls=True)
        else:
            kwargs.update(ssl_context=server_context)
    if login is not None:
        user, password = login

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
    # aiosmtpd only counts STARTTLS as TLS, and warns (per connection, in its own thread, so no filter here
    # can catch it) when AUTH may go unencrypted. Construct it strict, then relax it where that is the point:
    # plain AUTH tests, and implicit TLS where AUTH is encrypted already.
    relax_auth_tls = login is not None and tls != "starttls"

    class _Controller(Controller):
        def factory(self) -> SMTP:
            smtp = super().factory()
            if relax_auth_tls:
                smtp._auth_require_tls = False
            return smtp

    port = port or free_port()
    controller = _Controller(handler, hostname=HOST, port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer(HOST, port, handler, cert.cert if cert else None)
    finally:
        handler.release.set()
        controller.stop()


@contextmanager
def down_server() -> Iterator[tuple[str, int]]:
    """host, port with nothing listening: connecting is refused."""
    yield HOST, free_port()


@contextmanager
def silent_server() -> Iterator[tuple[str, int]]:
    """host, port of a socket that accepts connections and never says a word (the client times out)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, 0))  # a plain socket can take port 0; only aiosmtpd cannot
    listener.listen(8)
    try:
        yield HOST, int(listener.getsockname()[1])
    finally:
        listener.close()
