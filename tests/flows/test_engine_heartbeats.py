"""On Prefect's real engine: a flow run under `engine_settings(local=True)` starts no heartbeat thread, and one
under Prefect's defaults does (so the setting newswatch turns off is the one that makes each flow run wait for
that thread at its end)."""

from __future__ import annotations

import threading

import pytest
from prefect import flow

from flows.engine import engine_settings

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]


def heartbeat_threads() -> int:
    """Running threads whose function is Prefect's `heartbeat_loop` (started directly, or through a copied
    context's `run`): a Thread keeps its target and arguments until its run ends."""
    def runs_heartbeats(t: threading.Thread) -> bool:
        calls = [getattr(t, "_target", None), *(getattr(t, "_args", None) or ())]
        return any(getattr(c, "__name__", "") == "heartbeat_loop" for c in calls)

    return sum(1 for t in threading.enumerate() if runs_heartbeats(t))


@flow(name="test-heartbeats")
def count_heartbeat_threads() -> int:
    return heartbeat_threads()


def test_heartbeats_run_by_default_and_not_under_engine_settings() -> None:
    assert count_heartbeat_threads() == 1
    with engine_settings(local=True):
        assert count_heartbeat_threads() == 0
