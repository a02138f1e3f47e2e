"""`newswatch serve` and its Prefect server: it waits for a configured server to answer, and says plainly when
none does (loopback HTTP server; no Prefect engine needed)."""

from __future__ import annotations

import pytest

import flows.serve
from newswatch.errors import NewswatchError
from tests.support.httpserver import LoopbackServer
from tests.support.smtpserver import free_port


def test_serve_waits_for_a_configured_server_that_answers() -> None:
    with LoopbackServer() as server:
        server.add("/api/health", b"true", headers={"Content-Type": "application/json"})
        flows.serve._wait_healthy(server.url("/api"))
        assert server.hits_for("/api/health") == 1


def test_serve_names_the_server_that_never_answers(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(flows.serve, "SERVER_START_SECONDS", 1.0)
    api = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    with pytest.raises(NewswatchError, match=f"the Prefect server at {api} did not answer within 1 s"):
        flows.serve._wait_healthy(api)
    assert f"waiting for the Prefect server at {api}" in capsys.readouterr().err
