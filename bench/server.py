"""A loopback HTTP server for the benchmark's feeds, with validators: ETag and Last-Modified, and 304 replies.

Serves only 127.0.0.1 on a free port, from bytes held in memory; counts 200 and 304 replies so the bench can
check that a rerun is answered by conditional GETs.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    owner: FeedServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        owner = self.server.owner
        doc = owner.docs.get(self.path)
        if doc is None:
            owner.count(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, etag, modified = doc
        if self.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == modified
        ):
            owner.count(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        owner.count(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FeedServer:
    """Serves path -> bytes; use as a context manager."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[bytes, str, str]] = {}
        self.replies: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def add(self, path: str, body: bytes) -> str:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        self.docs[path] = (body, etag, formatdate(1_700_000_000, usegmt=True))
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def count(self, status: int) -> None:
        with self._lock:
            self.replies[status] += 1

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
