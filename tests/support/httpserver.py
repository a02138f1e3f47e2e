"""A threaded HTTP server on 127.0.0.1 for tests, with canned replies and network faults.

Serves only loopback, on a free port; every handler loop is bounded and stops when the server stops.
Usage:
    with LoopbackServer() as server:
        server.add("/feed.xml", body=b"<rss ...>", headers={"Content-Type": "application/rss+xml"})
        server.route("/slow", slow_drip(b"<rss>", interval=0.2))
        httpx.get(server.url("/feed.xml"))
        assert server.hits_for("/slow") == 0
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]

# newswatch refuses loopback addresses unless the config allows them (sources/addresses.py); every test that
# fetches from this server allows them explicitly, with one of these.
LOOPBACK_NETWORKS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
LOOPBACK = tuple(ipaddress.ip_network(n) for n in LOOPBACK_NETWORKS)
LOOPBACK_TOML = '[fetch]\nallow_networks = ["127.0.0.0/8", "::1/128"]\n'


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def send(
    request: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> None:
    """Write a complete response with Content-Length (unless the headers set it)."""
    request.send_response(status)
    sent = {k.lower() for k in (headers or {})}
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    if "content-length" not in sent:
        request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    if body and request.command != "HEAD":
        request.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops SYNs when many feeds connect at once (each drop costs a 1 s retry).
    request_queue_size = 128
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up (timeouts, caps) are what the fault tests provoke; anything else is printed.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output quiet

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        owner = self.server.owner
        path = self.path
        with owner.lock:
            owner.hits.append(path)
            owner.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        handler = owner.routes.get(path) or owner.routes.get(path.split("?", 1)[0])
        if handler is None:
            send(self, 404, b"not found", {"Content-Type": "text/plain"})
            return
        # The client giving up mid-reply is what many fault tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            handler(self)

    do_HEAD = do_GET


class LoopbackServer:
    """Threaded HTTP/1.1 server on 127.0.0.1:<free port>. Use as a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"loopback-http-{self.port}",
            daemon=True,
        )

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        """Serve `path` with a function of the request handler; returns the full URL."""
        self.routes[path] = handler
        return self.url(path)

    def add(
        self, path: str, body: bytes = b"", *, status: int = 200, headers: dict[str, str] | None = None
    ) -> str:
        """Serve a fixed reply at `path`; returns the full URL."""
        reply = Reply(status, body, dict(headers or {}))
        return self.route(path, lambda request: send(request, reply.status, reply.body, reply.headers))

    def hits_for(self, path: str) -> int:
        with self.lock:
            return sum(1 for hit in self.hits if hit == path or hit.split("?", 1)[0] == path)

    def headers_of(self, path: str) -> list[dict[str, str]]:
        """Request headers of every request to `path`, oldest first."""
        with self.lock:
            return [headers for hit, headers in self.requests if hit.split("?", 1)[0] == path]


# ---- handlers for network faults -------------------------------------------------------------------------


def header_drip(request: BaseHTTPRequestHandler) -> None:
    """Slow loris on the headers: one header byte every 0.1 s, never finishing (bounded at 10 s)."""
    owner = request.server.owner  # type: ignore[attr-defined]
    request.wfile.write(b"HTTP/1.1 200 OK\r\n")
    request.wfile.flush()
    for _ in range(100):
        if owner.stopping.is_set():
            break
        request.wfile.write(b"X")
        request.wfile.flush()
        owner.stopping.wait(0.1)
    request.close_connection = True


def slow_drip(body: bytes, *, interval: float = 0.2, max_seconds: float = 10.0) -> Handler:
    """Send headers at once, then one byte every `interval` seconds (bounded by max_seconds)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        owner = request.server.owner  # type: ignore[attr-defined]
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.flush()
        started = time.monotonic()
        for byte in body:
            if owner.stopping.is_set() or time.monotonic() - started > max_seconds:
                break
            request.wfile.write(bytes([byte]))
            request.wfile.flush()
            time.sleep(interval)
        request.close_connection = True

    return handler


def stream_forever(*, chunk: bytes = b"<!-- filler -->\n" * 64, max_seconds: float = 10.0) -> Handler:
    """Chunked 200 response that keeps sending quickly until the client leaves (or max_seconds)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        owner = request.server.owner  # type: ignore[attr-defined]
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        started = time.monotonic()
        while not owner.stopping.is_set() and time.monotonic() - started < max_seconds:
            request.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        request.close_connection = True

    return handler


def gzip_bomb_body(inflated_bytes: int) -> bytes:
    """A gzip stream of zeros: about 1 KB per MB compressed."""
    buffer = bytearray()
    encoder = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    remaining = inflated_bytes
    while remaining > 0:
        piece = block[: min(remaining, len(block))]
        buffer += encoder.compress(piece)
        remaining -= len(piece)
    buffer += encoder.flush()
    return bytes(buffer)


def redirect(location: str, status: int = 302) -> Handler:
    return lambda request: send(request, status, b"", {"Location": location})


# ---- sockets that misbehave below HTTP ---------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def unaccepting_port(fillers: int = 8) -> Iterator[int]:
    """A loopback port whose accept queue is full, so a new connection attempt hangs until it times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    try:
        for _ in range(fillers):
            sock = socket.socket()
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                sock.connect(("127.0.0.1", port))
            held.append(sock)
        time.sleep(0.1)
        yield port
    finally:
        for sock in held:
            sock.close()
        listener.close()
