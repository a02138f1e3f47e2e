"""Shared fixtures. The loopback HTTP server lives in tests/support/httpserver.py so any test can use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.httpserver import LoopbackServer


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A threaded HTTP server on 127.0.0.1:<free port>, stopped after the test."""
    with LoopbackServer() as server:
        yield server
