"""The two scheduled deployments (ingest, digest) and `newswatch serve`, which runs them in one process.

Schedules come from [schedule] in the digest's time zone. Overlap: each deployment has a concurrency limit of 1
on the Prefect server, and each flow takes a lock beside the database (ingest skips, digest waits), which also
covers runs started by hand. Stopping serve leaves the schedules active (pause_on_shutdown=False).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.digest import digest_flow
from flows.ingest import ingest_flow
from flows.orphans import SERVER_START, end_with_this_process
from newswatch.config import ScheduleSettings, Settings
from newswatch.errors import NewswatchError
from newswatch.schedule import digest_cron

INGEST_DEPLOYMENT = "newswatch-ingest"
DIGEST_DEPLOYMENT = "newswatch-digest"


def schedule_settings(settings: Settings) -> ScheduleSettings:
    return settings.schedule


def build_deployments(settings: Settings) -> list[Any]:
    """The ingest and digest deployments with the configured schedules, parameters pointing at this config."""
    when = schedule_settings(settings)
    params = {"config_path": str(settings.path.resolve())}
    # Module entrypoints: serve's runs start in subprocesses that import flows.* wherever newswatch is installed.
    ingest = ingest_flow.to_deployment(
        name=INGEST_DEPLOYMENT,
        schedules=[Cron(when.ingest_cron, timezone=when.timezone)],
        parameters=params,
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        description="Fetch due feeds and new inbox files; score and store new articles.",
        tags=["newswatch"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    digest = digest_flow.to_deployment(
        name=DIGEST_DEPLOYMENT,
        schedules=[Cron(digest_cron(when), timezone=when.timezone)],
        parameters=params,
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
        ),
        description="Build yesterday's digest, store it, publish it as an artifact and mail it.",
        tags=["newswatch"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return [ingest, digest]


SERVER_START_SECONDS = 120.0  # a new Prefect database takes about 16 s here; a loaded machine more


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(api: str, server: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until the Prefect API answers its health check (a server started moments ago, or by systemd next
    to this one); NewswatchError after SERVER_START_SECONDS, or when the server started here has exited."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    said = False
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        if server is not None and server.poll() is not None:
            raise NewswatchError(f"the local Prefect server for {api} exited (code {server.returncode}); start one "
                                 "with `prefect server start` and set PREFECT_API_URL (docs/deploy.md)")
        if time.monotonic() > deadline:
            raise NewswatchError(f"the Prefect server at {api} did not answer within {SERVER_START_SECONDS:g} s")
        if not said and server is None:
            print(f"waiting for the Prefect server at {api}", file=sys.stderr, flush=True)
            said = True
        time.sleep(0.5)


# Left running for months, the schedule makes some 17,000 flow runs a year, each with its task runs and logs in the
# Prefect server's database. Prefect deletes only old events by default; these also delete flow runs (and their
# logs and artifacts) that ended more than its retention period (90 days) ago. newswatch's own `runs` table keeps
# the history of its runs.
SERVER_DEFAULTS = {"PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs"}


def server_env() -> dict[str, str]:
    """The environment of the local server: this process's, with SERVER_DEFAULTS where it sets nothing."""
    return {**SERVER_DEFAULTS, **os.environ}


@contextlib.contextmanager
def local_server() -> Iterator[str | None]:
    """With a Prefect server configured, wait until it answers, and yield None; with none, start a real one on
    127.0.0.1 for as long as serve runs, and yield its API URL.

    Prefect's own temporary server (what a flow call starts without a server) does not run Prefect's scheduler,
    which creates the scheduled runs: serve against it registers the deployments and then never runs them. So
    serve starts `prefect server start` itself, in Prefect's home (its database persists, as a server's does)."""
    from prefect.settings import get_current_settings

    configured = get_current_settings().api.url
    if configured:
        _wait_healthy(configured.rstrip("/"))
        yield None
        return
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    end_with_this_process(SERVER_START)  # the server ends with serve, also when serve is killed
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env(),
    )
    try:
        _wait_healthy(api, server)
        print(f"serving against a local Prefect server at {api} (it stops with serve)", file=sys.stderr, flush=True)
        yield api
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def release_orphaned_runs() -> list[str]:
    """Mark Crashed the runs of the two deployments that a serve process left Pending, Running or Cancelling, and
    return their names. Only a serve process runs these deployments' runs, each in a child process, so when serve
    starts, no such run is alive: one left in those states was running under a serve that was killed (SIGKILL,
    power loss). Until it leaves them it holds the deployment's concurrency slot, and with the ingest's limit of 1
    every later scheduled ingest was cancelled, for good. Moving it to Crashed releases the slot (Prefect's
    orchestration releases a deployment's slot on any transition out of those states, forced ones included)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[INGEST_DEPLOYMENT, DIGEST_DEPLOYMENT])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.PENDING, StateType.RUNNING, StateType.CANCELLING]))),
        )
        for run in runs:
            client.set_flow_run_state(run.id, Crashed(message="newswatch serve restarted: the serve process that "
                                                              "ran this flow run is gone"), force=True)
    return [run.name for run in runs]


def deployments_for_workers() -> list[tuple[str, str]]:
    """(deployment, work pool) for each of the two deployments that the server has in a work pool: deployed from
    prefect.yaml (`prefect deploy`) and run by workers. serve registers deployments of its own, which no work pool
    runs; none of them is in one unless a team deployed for workers."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    found = []
    with get_client(sync_client=True) as client:
        for name in (f"{ingest_flow.name}/{INGEST_DEPLOYMENT}", f"{digest_flow.name}/{DIGEST_DEPLOYMENT}"):
            try:
                deployment = client.read_deployment_by_name(name)
            except ObjectNotFound:
                continue
            if deployment.work_pool_name:
                found.append((name, deployment.work_pool_name))
    return found


def refuse_workers_deployments() -> None:
    """Use either serve or workers for a database, not both (docs/deploy.md): serve re-registering the workers'
    deployments would have both run them, and serve's release of orphaned runs (`release_orphaned_runs`) would
    mark the workers' live runs Crashed, freeing the concurrency slot while they still write."""
    found = deployments_for_workers()
    if found:
        names = ", ".join(f"{name} (work pool {pool!r})" for name, pool in found)
        raise NewswatchError(
            f"the Prefect server already has {names}, deployed for workers (prefect.yaml); use either newswatch "
            "serve or workers, not both (docs/deploy.md). To serve instead: stop the workers, then "
            + " and ".join(f"`prefect deployment delete {name}`" for name, _ in found)
        )


def _serve(settings: Settings) -> None:
    refuse_workers_deployments()
    released = release_orphaned_runs()
    if released:
        print(f"marked crashed, left running by a serve that was stopped abruptly: {', '.join(released)}",
              file=sys.stderr, flush=True)
    serve(*build_deployments(settings), pause_on_shutdown=False)


def serve_deployments(settings: Settings) -> None:
    """Register both deployments and run their scheduled runs until stopped (Ctrl-C or SIGTERM): against the
    configured Prefect server, else against a local one started for the purpose (`local_server`). Runs that a
    killed serve left running are marked crashed first (`release_orphaned_runs`)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with local_server() as api:
        if api is None:
            _serve(settings)
            return
        with temporary_settings(updates={PREFECT_API_URL: api}):
            _serve(settings)
