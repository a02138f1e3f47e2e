"""Fetch feed documents over HTTP(S) or from disk, with timeouts, a byte cap and checked redirects.

Never raises for a feed's problem: every failure comes back as FetchResult(status="error", error_kind=...).
Never parses: the bytes go to parse.parse_feed. Never follows a redirect to anything but http(s), and never
connects to an address that sources/addresses.py refuses (loopback, private, link-local...) unless allowed.
"""

from __future__ import annotations

import email.utils
import errno
import functools
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpcore
import httpx

from newswatch.config import FeedSettings, FetchSettings
from newswatch.models import FetchResult
from newswatch.sources.addresses import BlockedAddress, Network, checked_addresses

# Every error_kind a FetchResult (or a ParseError recorded against a feed) can carry. docs/reliability.md.
ERROR_KINDS: tuple[str, ...] = (
    # connecting
    "bad_url",  # the configured URL cannot be requested at all
    "dns",  # the host name does not resolve
    "connect_refused",  # nothing listens on that port
    "connect_timeout",  # no TCP/TLS connection within the connect timeout
    "connect_error",  # any other connection failure (unreachable network, reset while connecting)
    "tls",  # certificate or TLS handshake failure
    # reading
    "read_timeout",  # the server stopped sending for longer than the read timeout
    "deadline",  # the whole fetch took longer than timeout_seconds (e.g. a slow drip)
    "protocol",  # the server broke HTTP (bad status line, reset mid-body)
    # redirects
    "too_many_redirects",  # more than max_redirects hops, or a loop
    "bad_redirect",  # a 3xx without Location, or to a scheme other than http(s)
    # the address
    "blocked_address",  # the host (or a redirect's) is loopback, private, link-local...: not allowed (SSRF)
    # HTTP status
    "http_404",  # not found
    "http_410",  # gone: the publisher removed the feed
    "http_4xx",  # any other 4xx except 429 (401, 403, 451, ...)
    "http_5xx",  # server error (500, 502, 503, ...); Retry-After honoured when sent
    "rate_limited",  # 429; Retry-After honoured
    "http_status",  # a status newswatch does not handle (1xx, unexpected 3xx such as 300)
    # the body
    "too_large",  # more than max_bytes
    "decompression_bomb",  # compressed body that inflates past max_bytes
    "bad_content_encoding",  # Content-Encoding we did not ask for, or corrupt gzip/deflate data
    "empty",  # 2xx with no body (or only whitespace)
    # local files
    "file_not_found",
    "file_unreadable",  # a directory, no permission, I/O error
    # raised later by parse.parse_feed (errors.ParseError.kind), recorded against the feed the same way
    "not_a_feed",  # an HTML page or some other document, not RSS/Atom/RDF
    "malformed",  # broken XML with no readable entries
    "bad_encoding",  # bytes that cannot be decoded as text
    # a bug of ours: recorded, never fatal to a run
    "unexpected",
)

# Failures that will not go away by themselves weigh 1 in health.record_result; transient ones 0.5.
HARD_KINDS: frozenset[str] = frozenset(
    {
        "bad_url",
        "dns",
        "tls",
        "too_many_redirects",
        "bad_redirect",
        "blocked_address",
        "http_404",
        "http_410",
        "http_4xx",
        "http_status",
        "too_large",
        "decompression_bomb",
        "bad_content_encoding",
        "file_not_found",
        "file_unreadable",
        "not_a_feed",
        "malformed",
        "bad_encoding",
    }
)
SOFT_KINDS: frozenset[str] = frozenset(ERROR_KINDS) - HARD_KINDS

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Longest Retry-After we keep; a server asking for a month is treated as asking for a week.
_MAX_RETRY_AFTER = 7 * 24 * 3600.0


class _Failure(Exception):
    """Internal: carries a classified failure out of the fetch helpers to fetch_feed."""

    def __init__(
        self, kind: str, message: str, *, http_status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after


# httpx parses a redirect's Location even when it does not follow it, and raises on odd ones
# (javascript:, broken URLs) before we can classify them; a response hook moves it aside first.
LOCATION_HEADER = "x-newswatch-location"


def _hold_location(response: httpx.Response) -> None:
    if "location" in response.headers:
        response.headers[LOCATION_HEADER] = response.headers.pop("location")


# The wall-clock deadline of the fetch running on this thread (time.monotonic()), read by the socket layer.
_deadline = threading.local()


@contextmanager
def wall_deadline(seconds: float) -> Iterator[None]:
    """Every socket operation on this thread (connect, TLS, each read and write) ends within `seconds` from now,
    so a server dripping its headers or body a byte at a time cannot hold the request past it (pages and
    robots.txt; fetch_feed sets its own)."""
    previous: float | None = getattr(_deadline, "at", None)
    _deadline.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline.at = previous


def _bounded(timeout: float | None) -> float | None:
    """A socket timeout cut down to what is left of this thread's fetch deadline."""
    deadline: float | None = getattr(_deadline, "at", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the fetch's wall-clock deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read, write and TLS handshake ends by the fetch's deadline.

    httpx's timeouts apply per operation; a server dripping headers or body one byte at a time would
    otherwise hold a fetch open for as long as it likes.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses, and bounds every socket operation by the thread's deadline.

    httpcore hands over the URL's host name; it is resolved here once, every address is checked
    (addresses.checked_addresses), and the socket is opened to one of those addresses. TLS still gets the host
    name (httpcore passes it to start_tls for SNI and certificate checks) and httpx still sends it as Host.
    """

    def __init__(self, allowed: tuple[Network, ...] = ()) -> None:
        self._inner = httpcore.SyncBackend()
        self._allowed = allowed

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port, self._allowed)
        except (OSError, UnicodeError) as exc:  # socket.gaierror: the name does not resolve
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        failure: Exception = httpcore.ConnectError(f"{host}: resolves to no address")
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(address, port, _bounded(timeout), local_address, socket_options)  # type: ignore[arg-type]
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the host's next address, as socket.create_connection would
                continue
            return _DeadlineStream(stream)
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: object = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError(f"{path}: newswatch does not connect to Unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client: loading the CA bundle costs a few hundred ms."""
    return httpx.create_ssl_context()


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over an httpcore pool that uses _DeadlineBackend.

    httpx takes no network backend, so this sets the pool its handle_request uses (`_pool`) itself;
    HTTPTransport.__init__ is skipped because it would only build a pool (and SSL context) to throw away.
    """

    def __init__(self, limits: httpx.Limits, allowed: tuple[Network, ...]) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(allowed),
        )


def make_transport(allowed: tuple[Network, ...], concurrency: int = 8) -> httpx.HTTPTransport:
    """The transport of every client newswatch fetches with (feeds, search, pages, robots.txt): connections
    only to addresses that sources/addresses.py allows (every redirect hop opens its own), each socket
    operation bounded by the deadline of the fetch on its thread (when one is set)."""
    limits = httpx.Limits(max_connections=max(concurrency * 2, 4), max_keepalive_connections=concurrency)
    return _DeadlineTransport(limits, allowed)


def make_client(settings: FetchSettings) -> httpx.Client:
    """An httpx client for fetch_feed: per-phase timeouts, no automatic redirects, our User-Agent.

    Redirects are followed by fetch_feed itself so every hop's scheme is checked. Only gzip and deflate
    are offered because fetch_feed inflates them itself under the byte cap. Every socket operation is
    bounded by the deadline fetch_feed sets for its thread.
    """
    total = settings.timeout_seconds
    return httpx.Client(
        follow_redirects=False,
        # A server silent for half the budget is stalled (read_timeout); the whole budget is the deadline.
        timeout=httpx.Timeout(total / 2, connect=min(total, 10.0)),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
        event_hooks={"response": [_hold_location]},
        transport=make_transport(settings.allow_networks, settings.concurrency),
    )


def is_local(url: str) -> bool:
    """True for a file:// URL or a plain path (including a Windows drive path)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or len(scheme) == 1


def local_url_sql(column: str = "f.url") -> str:
    """is_local in SQL (storage/migrations/007_evidence.sql: a feed read from a file counts as an import);
    tests/unit/test_one_home.py checks they agree."""
    scheme = f"regexp_extract({column}, '^([A-Za-z][A-Za-z0-9+.-]*):', 1)"
    return f"({scheme} = '' OR lower({scheme}) = 'file' OR length({scheme}) = 1)"


def local_path(url: str) -> Path:
    """The filesystem path a file:// URL or plain path names."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        if parts.netloc not in ("", "localhost"):
            raise _Failure(
                "bad_url", f"file URL {url!r} names host {parts.netloc!r}; only local files can be read"
            )
        return Path(unquote(parts.path))
    return Path(url).expanduser()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    seconds: float | None = None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _classify_transport(exc: httpx.TransportError, url: str, timeout: float) -> _Failure:
    """Name an httpx transport error by the cause underneath it."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " | ".join(dict.fromkeys(str(e) for e in chain if str(e)))  # each distinct message once
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure("bad_url", f"{url}: cannot be requested ({text})")
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure("connect_timeout", f"{url}: no connection within {min(timeout, 10.0):g} s")
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return _Failure("read_timeout", f"{url}: the server sent nothing for {timeout / 2:g} s")
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        marker in text
        for marker in (
            "Name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "Temporary failure in name resolution",
            "No address associated with hostname",
        )
    ):
        host = urlsplit(url).hostname or url
        return _Failure("dns", f"{url}: host name {host!r} does not resolve ({text or type(exc).__name__})")
    if any(isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain) or "SSL" in text:
        return _Failure("tls", f"{url}: TLS failed ({text})")
    if (
        any(isinstance(e, ConnectionRefusedError) for e in chain)
        or any(getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain)
        or "Connection refused" in text
    ):
        return _Failure("connect_refused", f"{url}: connection refused (nothing listens there)")
    if isinstance(exc, httpx.ConnectError):
        return _Failure("connect_error", f"{url}: could not connect ({text or type(exc).__name__})")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.LocalProtocolError):
        return _Failure(
            "protocol", f"{url}: the server broke the connection or HTTP ({text or type(exc).__name__})"
        )
    return _Failure("connect_error", f"{url}: network error ({text or type(exc).__name__})")


def _inflate(chunks: Iterator[bytes], encoding: str, cap: int, url: str) -> Iterator[bytes]:
    """Decode gzip/deflate incrementally, never producing more than cap + 1 bytes in total."""
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    else:
        raise _Failure("bad_content_encoding", f"{url}: Content-Encoding {encoding!r} was not asked for")
    produced = 0
    raw_deflate_tried = encoding != "deflate"
    ended = False  # the decoder's stream ended: what follows may be another gzip member (RFC 1952 allows several)
    pending = b""
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        pending = b""
        while data:
            if ended:
                if encoding == "deflate" or len(data) >= 2 and data[:2] != b"\x1f\x8b":
                    return  # trailing bytes that are not another member are ignored, as gzip's own reader does
                if len(data) < 2:
                    pending = data  # too short to tell: wait for the next chunk
                    break
                decoder, ended = zlib.decompressobj(16 + zlib.MAX_WBITS), False
            budget = cap + 1 - produced
            try:
                out = decoder.decompress(data, budget)
            except zlib.error as exc:
                # Some servers send raw deflate without the zlib header; retry that once at the start.
                if not raw_deflate_tried and produced == 0:
                    raw_deflate_tried = True
                    decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise _Failure("bad_content_encoding", f"{url}: corrupt {encoding} body ({exc})") from None
            raw_deflate_tried = True
            produced += len(out)
            if out:
                yield out
            if produced > cap:
                return
            data = decoder.unconsumed_tail
            if decoder.eof:
                data, ended = decoder.unused_data, True


def _gunzip_capped(body: bytes, cap: int, what: str) -> bytes:
    """Inflate a body that is a gzip file (magic bytes) although no Content-Encoding said so."""
    out = b"".join(_inflate(iter([body]), "gzip", cap, what))
    if len(out) > cap:
        raise _Failure("decompression_bomb", f"{what}: gzip data inflates past the {cap}-byte limit")
    return out


def _read_body(response: httpx.Response, settings: FetchSettings, deadline: float, url: str) -> bytes:
    """Stream the body: byte cap on decompressed bytes, total wall-clock deadline."""
    cap = settings.max_bytes
    encoding = response.headers.get("content-encoding", "").strip().lower()
    encodings = [e.strip() for e in encoding.split(",") if e.strip() and e.strip() != "identity"]
    declared = response.headers.get("content-length", "")
    if not encodings and declared.isdigit() and int(declared) > cap:
        raise _Failure("too_large", f"{url}: Content-Length {declared} is over the {cap}-byte limit")

    raw_total = 0

    def raw_chunks() -> Iterator[bytes]:
        nonlocal raw_total
        # No chunk_size: httpx would buffer until it has that many bytes, hiding a slow drip from the deadline.
        for chunk in response.iter_raw():
            raw_total += len(chunk)
            if time.monotonic() > deadline:
                raise _Failure(
                    "deadline",
                    f"{url}: body not complete within {settings.timeout_seconds:g} s "
                    f"({raw_total} bytes so far)",
                )
            # The wire is capped too, so a compressed stream that never ends cannot run on forever.
            if raw_total > cap:
                what = "compressed body" if encodings else "body"
                raise _Failure("too_large", f"{url}: {what} is over the {cap}-byte limit")
            yield chunk

    if len(encodings) > 1:
        raise _Failure(
            "bad_content_encoding", f"{url}: stacked Content-Encoding {encoding!r} is not supported"
        )
    stream: Iterator[bytes] = raw_chunks()
    if encodings:
        stream = _inflate(stream, encodings[0], cap, url)
    parts: list[bytes] = []
    size = 0
    for piece in stream:
        parts.append(piece)
        size += len(piece)
        if size > cap:
            if encodings:
                raise _Failure(
                    "decompression_bomb",
                    f"{url}: {encodings[0]} body of {raw_total} bytes inflates past the {cap}-byte limit",
                )
            raise _Failure("too_large", f"{url}: body is over the {cap}-byte limit")
    return b"".join(parts)


def _check_url(url: str) -> None:
    """Refuse, before any network traffic, a URL that has no host or contains spaces or a bad port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _Failure("bad_url", f"{url}: not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _Failure("bad_url", f"{url}: only http and https URLs (or local files) can be fetched")
    if not parts.hostname or any(ch.isspace() for ch in url):
        raise _Failure("bad_url", f"{url}: not a valid URL (no host name, or spaces in it)")
    if port == 0:
        raise _Failure("bad_url", f"{url}: port 0 cannot be connected to")


def _lower_headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}


def _fetch_http(
    client: httpx.Client,
    feed: FeedSettings,
    settings: FetchSettings,
    etag: str | None,
    last_modified: str | None,
    started: float,
    now: datetime,
) -> FetchResult:
    deadline = started + settings.timeout_seconds
    url = feed.url.strip()
    _check_url(url)
    seen: list[str] = []
    request_headers: dict[str, str] = {}
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    hops = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Failure("deadline", f"{feed.url}: no answer within {settings.timeout_seconds:g} s")
        seen.append(url)
        try:
            with client.stream("GET", url, headers=request_headers) as response:
                status = response.status_code
                headers = _lower_headers(response)
                if status in (301, 302, 303, 307, 308):
                    location = headers.pop(LOCATION_HEADER, "").strip()
                    if not location:
                        raise _Failure(
                            "bad_redirect",
                            f"{url}: HTTP {status} without a Location header",
                            http_status=status,
                        )
                    try:
                        target = urljoin(url, location)
                        scheme = urlsplit(target).scheme.lower()
                    except ValueError:
                        raise _Failure(
                            "bad_redirect",
                            f"{url}: unreadable redirect target {location[:200]!r}",
                            http_status=status,
                        ) from None
                    if scheme not in ("http", "https"):
                        raise _Failure(
                            "bad_redirect",
                            f"{url}: redirect to {target[:200]!r} refused (only http and https are followed)",
                            http_status=status,
                        )
                    try:
                        _check_url(target)
                    except _Failure as bad:
                        raise _Failure(
                            "bad_redirect", f"{url}: redirect refused: {bad.message}", http_status=status
                        ) from None
                    if target in seen:
                        raise _Failure(
                            "too_many_redirects",
                            f"{feed.url}: redirect loop back to {target}",
                            http_status=status,
                        )
                    hops += 1
                    if hops > settings.max_redirects:
                        raise _Failure(
                            "too_many_redirects",
                            f"{feed.url}: more than {settings.max_redirects} redirects (last to {target})",
                            http_status=status,
                        )
                    url = target
                    continue
                retry_after = parse_retry_after(headers.get("retry-after"), now)
                if status == 304:
                    return FetchResult(
                        feed=feed.name,
                        url=feed.url,
                        status="not_modified",
                        fetched_at=now,
                        headers=headers,
                        http_status=status,
                        etag=headers.get("etag", etag),
                        last_modified=headers.get("last-modified", last_modified),
                        final_url=url,
                        elapsed=time.monotonic() - started,
                    )
                if status == 429:
                    raise _Failure(
                        "rate_limited",
                        f"{url}: HTTP 429 Too Many Requests"
                        + (f", retry after {retry_after:g} s" if retry_after is not None else ""),
                        http_status=status,
                        retry_after=retry_after,
                    )
                if status in (404, 410):
                    reason = "Not Found" if status == 404 else "Gone"
                    raise _Failure(
                        f"http_{status}",
                        f"{url}: HTTP {status} {reason}",
                        http_status=status,
                        retry_after=retry_after,
                    )
                if 400 <= status < 500:
                    raise _Failure(
                        "http_4xx",
                        f"{url}: HTTP {status} {response.reason_phrase}".rstrip(),
                        http_status=status,
                        retry_after=retry_after,
                    )
                if status >= 500:
                    raise _Failure(
                        "http_5xx",
                        f"{url}: HTTP {status} {response.reason_phrase}".rstrip(),
                        http_status=status,
                        retry_after=retry_after,
                    )
                if not 200 <= status < 300:
                    raise _Failure("http_status", f"{url}: unexpected HTTP {status}", http_status=status)
                body = _read_body(response, settings, deadline, url)
                if body[:2] == b"\x1f\x8b":
                    body = _gunzip_capped(body, settings.max_bytes, url)
                if not body.strip():
                    raise _Failure("empty", f"{url}: HTTP {status} with an empty body", http_status=status)
                return FetchResult(
                    feed=feed.name,
                    url=feed.url,
                    status="ok",
                    fetched_at=now,
                    body=body,
                    headers=headers,
                    http_status=status,
                    etag=headers.get("etag"),
                    last_modified=headers.get("last-modified"),
                    final_url=url,
                    elapsed=time.monotonic() - started,
                )
        except BlockedAddress as exc:
            raise _Failure("blocked_address", f"{url}: {exc}") from None
        except httpx.TransportError as exc:
            if (
                isinstance(exc, httpx.TimeoutException)
                and not isinstance(exc, httpx.ConnectTimeout)
                and time.monotonic() >= deadline
            ):
                raise _Failure(
                    "deadline", f"{url}: not complete within {settings.timeout_seconds:g} s"
                ) from None
            raise _classify_transport(exc, url, settings.timeout_seconds) from None
        except httpx.InvalidURL as exc:
            raise _Failure("bad_url", f"{url}: invalid URL ({exc})") from None


def _fetch_file(feed: FeedSettings, settings: FetchSettings, started: float, now: datetime) -> FetchResult:
    path = local_path(feed.url)
    cap = settings.max_bytes
    try:
        with path.open("rb") as handle:
            body = handle.read(cap + 1)
    except FileNotFoundError:
        raise _Failure("file_not_found", f"{path}: no such file (feed {feed.name!r})") from None
    except IsADirectoryError:
        raise _Failure("file_unreadable", f"{path}: is a directory, expected a feed file") from None
    except OSError as exc:
        raise _Failure("file_unreadable", f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(body) > cap:
        raise _Failure("too_large", f"{path}: file is over the {cap}-byte limit")
    if body[:2] == b"\x1f\x8b":
        body = _gunzip_capped(body, cap, str(path))
    if not body.strip():
        raise _Failure("empty", f"{path}: file is empty")
    return FetchResult(
        feed=feed.name,
        url=feed.url,
        status="ok",
        fetched_at=now,
        body=body,
        final_url=str(path),
        elapsed=time.monotonic() - started,
    )


def fetch_feed(
    client: httpx.Client,
    feed: FeedSettings,
    settings: FetchSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """Get one feed document. Never raises for the feed's problems: they come back as status="error"."""
    started = time.monotonic()
    now = datetime.now(UTC)
    _deadline.at = started + settings.timeout_seconds
    try:
        if is_local(feed.url):
            return _fetch_file(feed, settings, started, now)
        return _fetch_http(client, feed, settings, etag, last_modified, started, now)
    except _Failure as failure:
        return FetchResult(
            feed=feed.name,
            url=feed.url,
            status="error",
            fetched_at=now,
            http_status=failure.http_status,
            error_kind=failure.kind,
            error=failure.message,
            retry_after=failure.retry_after,
            elapsed=time.monotonic() - started,
        )
    except Exception as exc:  # noqa: BLE001 - one feed's surprise must not end the run; it is recorded
        return FetchResult(
            feed=feed.name,
            url=feed.url,
            status="error",
            fetched_at=now,
            error_kind="unexpected",
            error=f"{feed.url}: unexpected {type(exc).__name__}: {exc}",
            elapsed=time.monotonic() - started,
        )
    finally:
        _deadline.at = None


def fetch_feeds(
    jobs: list[tuple[FeedSettings, str | None, str | None]], settings: FetchSettings
) -> list[FetchResult]:
    """Fetch (feed, etag, last_modified) jobs concurrently; results in input order."""
    if not jobs:
        return []
    with (
        make_client(settings) as client,
        ThreadPoolExecutor(
            max_workers=min(settings.concurrency, len(jobs)), thread_name_prefix="newswatch-fetch"
        ) as pool,
    ):
        futures = [
            pool.submit(fetch_feed, client, feed, settings, etag=etag, last_modified=modified)
            for feed, etag, modified in jobs
        ]
        return [future.result() for future in futures]
