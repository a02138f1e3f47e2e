"""Prefect settings for the flow runs newswatch starts itself (`newswatch run`, `ingest`, `digest`, `backfill`).

Prefect emits a heartbeat for every flow run (every 180 s by default) so that a server can mark a run whose process
died as crashed. The heartbeat thread sleeps in one-second steps and the flow run waits for it at its end: every
flow run ends up to a second later, and `newswatch run` makes three (the run and its ingest and digest subflows),
about 3 s of a quiet scheduled run that otherwise takes a fraction of a second (docs/performance.md).

With no API URL configured, the engine is Prefect's ephemeral one: it lives exactly as long as this process, so
no heartbeat can ever be read by anything that outlives the run. Heartbeats are turned off then. Against a server
(`PREFECT_API_URL` set) they stay as Prefect or the user configured them, and so does any frequency the user set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

HEARTBEAT = "flows.heartbeat_frequency"


def heartbeats_serve_no_one(local: bool | None = None) -> bool:
    """True when this process's flow runs need no heartbeats: the engine is ephemeral (`local`, or no API URL
    when `local` is None) and the user set no heartbeat frequency of their own."""
    from prefect.settings import get_current_settings

    current = get_current_settings()
    if "heartbeat_frequency" in current.flows.model_fields_set:
        return False
    return (current.api.url is None) if local is None else local


@contextmanager
def engine_settings(local: bool | None = None) -> Iterator[None]:
    """Run the flow calls inside with heartbeats off when they serve no one (`heartbeats_serve_no_one`), and
    Prefect's temporary server, when it is the engine, ending with this process even if it is killed
    (flows/orphans.py).

    `local=True` says the engine is this process's own even though an API URL is set (the benchmark's engine,
    started in-process the way the ephemeral one is)."""
    from flows.orphans import watch_ephemeral_server

    watch_ephemeral_server()
    if not heartbeats_serve_no_one(local):
        yield
        return
    from prefect.settings import temporary_settings

    with temporary_settings(updates={HEARTBEAT: None}):
        yield
