"""`newswatch serve` against a real Prefect server on 127.0.0.1: both deployments registered with the configured
schedules, one scheduled ingest run executing end to end, and the schedules still active after serve stops.

Bounded: the whole test gives up after a few minutes instead of hanging.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storage.db import Database
from tests.conftest import REPO
from tests.support.smtpserver import free_port

pytestmark = [pytest.mark.flow, pytest.mark.slow]

SERVER_START_SECONDS = 120
RUN_SECONDS = 240  # the first scheduled run fires within a minute, then ingests the samples


def _env(home: Path, api: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="INFO",
        PYTHONPATH=str(REPO),
    )
    if api:
        env["PREFECT_API_URL"] = api
    return env


def _stop(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM, wait: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "prefect-server"
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(home, None),
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_default_sigint,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + SERVER_START_SECONDS
    try:
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (tmp_path / "server.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the Prefect server did not become healthy"
            time.sleep(1)
        yield api
    finally:
        _stop(proc)
        log.close()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a child started from a test otherwise ignores Ctrl-C


def _deployment(api: str, flow: str, name: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/deployments/name/{flow}/{name}", timeout=10)
    response.raise_for_status()
    return dict(response.json())


def _runs(api: str, deployment_id: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{api}/flow_runs/filter",
        timeout=10,
        json={
            "flow_runs": {
                "deployment_id": {"any_": [deployment_id]},
                # Finished runs only: serve schedules many future runs ahead.
                "state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}},
            },
            "limit": 50,
        },
    )
    response.raise_for_status()
    return list(response.json())


def test_serve_registers_both_schedules_and_runs_ingest_on_schedule(
    prefect_server: str, tmp_path: Path
) -> None:
    api = prefect_server
    project = tmp_path / "project"
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, project / name)
    config = project / "config" / "newswatch.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[schedule]\ningest_cron = "* * * * *"\ndigest_time = "06:45"\n',
        encoding="utf-8",
    )
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "newswatch.cli", "--config", str(config), "serve"],
            env=_env(tmp_path / "prefect-client", api),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_default_sigint,
        )
        try:
            deadline = time.monotonic() + RUN_SECONDS
            ingest: dict[str, Any] | None = None
            done: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not done:
                assert serve.poll() is None, log_path.read_text(errors="replace")[-3000:]
                time.sleep(2)
                try:
                    ingest = ingest or _deployment(api, "ingest", "newswatch-ingest")
                except httpx.HTTPStatusError:
                    continue
                runs = _runs(api, ingest["id"])
                failed = [r for r in runs if r["state_type"] in ("FAILED", "CRASHED")]
                assert not failed, log_path.read_text(errors="replace")[-3000:]
                done = [r for r in runs if r["state_type"] == "COMPLETED"]
            assert done, (
                "no scheduled ingest run completed in time:\n" + log_path.read_text(errors="replace")[-3000:]
            )
            assert done[0]["auto_scheduled"] is True

            digest = _deployment(api, "digest", "newswatch-digest")
            assert ingest is not None
            [ingest_schedule] = ingest["schedules"]
            [digest_schedule] = digest["schedules"]
            assert ingest_schedule["schedule"]["cron"] == "* * * * *"
            assert digest_schedule["schedule"]["cron"] == "45 6 * * *"
            assert {ingest_schedule["schedule"]["timezone"], digest_schedule["schedule"]["timezone"]} == {
                "Asia/Kolkata"
            }
            assert ingest["parameters"]["config_path"] == str(config.resolve())
            for deployment, strategy in ((ingest, "CANCEL_NEW"), (digest, "ENQUEUE")):
                assert deployment["global_concurrency_limit"]["limit"] == 1
                assert deployment["concurrency_options"]["collision_strategy"] == strategy
        finally:
            _stop(serve)
    # Stopping serve leaves the schedules active (pause_on_shutdown=False).
    for flow, name in (("ingest", "newswatch-ingest"), ("digest", "newswatch-digest")):
        deployment = _deployment(api, flow, name)
        assert deployment["paused"] is False
        assert all(s["active"] for s in deployment["schedules"])
    # The scheduled run ingested the samples and recorded itself (the read copy is published after the run).
    with Database(project / "data" / "newswatch-read.duckdb", read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM article") > 0
        assert db.scalar("SELECT count(*) FROM runs WHERE kind = 'ingest' AND status = 'ok'") >= 1


def test_serve_without_a_prefect_server_starts_one_that_runs_the_schedule(tmp_path: Path) -> None:
    """No PREFECT_API_URL: Prefect's own temporary server would register the deployments and never run them (it
    runs no scheduler), so serve starts a local Prefect server; a scheduled ingest runs, and stopping serve stops
    that server too."""
    project = tmp_path / "project"
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, project / name)
    config = project / "config" / "newswatch.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[schedule]\ningest_cron = "* * * * *"\n',
                      encoding="utf-8")
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "newswatch.cli", "--config", str(config), "serve"],
            env=_env(tmp_path / "prefect-home", None), cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_default_sigint,
        )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS + RUN_SECONDS
            ran = 0
            while time.monotonic() < deadline and not ran:
                assert serve.poll() is None, log_path.read_text(errors="replace")[-3000:]
                time.sleep(3)
                copy = project / "data" / "newswatch-read.duckdb"
                if copy.exists():
                    with Database(copy, read_only=True) as db:
                        ran = db.scalar("SELECT count(*) FROM runs WHERE kind = 'ingest' AND status = 'ok'") or 0
            assert ran, "no scheduled ingest ran:\n" + log_path.read_text(errors="replace")[-3000:]
            assert "local Prefect server" in log_path.read_text(errors="replace")
            # Left running for months, it deletes old flow runs, not only old events (flows/serve.py).
            [server] = _servers_started_for(tmp_path / "prefect-home")
            environ = Path(f"/proc/{server}/environ").read_bytes().split(b"\0")
            assert b"PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=events,flow_runs" in environ
        finally:
            _stop(serve)
    assert serve.returncode == 0
    assert _servers_started_for(tmp_path / "prefect-home") == []  # the local server stopped with serve


def _servers_started_for(home: Path) -> list[int]:
    """Pids of `prefect server start` processes running with this PREFECT_HOME."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:  # not a process, or gone
            continue
        if b"server\0start" in cmdline and f"PREFECT_HOME={home}".encode() in environ:
            found.append(int(proc.name))
    return found


def test_a_run_left_running_by_a_killed_serve_is_released_when_serve_starts(
    prefect_server: str, tmp_path: Path
) -> None:
    """A serve killed mid-ingest (SIGKILL, power loss) leaves its run Running, and the run keeps the ingest
    deployment's one concurrency slot: every later scheduled ingest was cancelled, for good (a review watched it
    for five minutes after a restart). When serve starts, such runs are marked Crashed, which releases the slot.
    The runs here are moved through Prefect's real orchestration on a real server, as serve's runner moves them."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Pending, Running

    from flows.serve import build_deployments, release_orphaned_runs
    from newswatch.config import load_settings

    project = tmp_path / "project"
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, project / name)
    settings = load_settings(project / "config" / "newswatch.toml")
    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        ingest, _digest = build_deployments(settings)
        deployment_id = ingest.apply()
        with get_client(sync_client=True) as client:
            orphan = client.create_flow_run_from_deployment(deployment_id)
            assert client.set_flow_run_state(orphan.id, Pending()).state.type.value == "PENDING"
            assert client.set_flow_run_state(orphan.id, Running()).state.type.value == "RUNNING"
            blocked = client.create_flow_run_from_deployment(deployment_id)
            assert client.set_flow_run_state(blocked.id, Pending()).state.type.value != "PENDING"  # slot taken

            assert release_orphaned_runs() == [orphan.name]
            assert client.read_flow_run(orphan.id).state.type.value == "CRASHED"
            assert release_orphaned_runs() == []  # nothing left to release
            after = client.create_flow_run_from_deployment(deployment_id)
            assert client.set_flow_run_state(after.id, Pending()).state.type.value == "PENDING"  # the slot is free


def test_serve_refuses_a_server_whose_deployments_a_work_pool_runs(prefect_server: str, tmp_path: Path) -> None:
    """docs/deploy.md: use either `newswatch serve` or workers (prefect.yaml) for a database, not both. serve
    started against a server where the two deployments were deployed for a work pool re-registered them under
    itself without a word and, taking every Running ingest for one left by a killed serve, marked the workers' live
    run Crashed (forced), which freed the concurrency slot while that run still wrote (a review: Running, Crashed
    "newswatch serve restarted", then Completed). It now refuses, names the pool, and touches nothing."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Pending, Running

    from flows.serve import build_deployments
    from newswatch.config import load_settings

    project = tmp_path / "project"
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, project / name)
    config = project / "config" / "newswatch.toml"
    settings = load_settings(config)
    with temporary_settings(updates={PREFECT_API_URL: prefect_server}), get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="newswatch", type="process"))
        ingest, digest = build_deployments(settings)
        deployment_id = ingest.apply(work_pool_name="newswatch")  # as `prefect deploy` from prefect.yaml
        digest.apply(work_pool_name="newswatch")
        before = _deployment(prefect_server, "ingest", "newswatch-ingest")
        live = client.create_flow_run_from_deployment(deployment_id)  # a worker's run, still going
        assert client.set_flow_run_state(live.id, Pending()).state.type.value == "PENDING"
        assert client.set_flow_run_state(live.id, Running()).state.type.value == "RUNNING"

        log_path = tmp_path / "serve.log"
        with open(log_path, "wb") as log:
            serve = subprocess.Popen(
                [sys.executable, "-m", "newswatch.cli", "--config", str(config), "serve"],
                env=_env(tmp_path / "prefect-client", prefect_server), cwd=tmp_path, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=_default_sigint,
            )
            try:
                serve.wait(SERVER_START_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            finally:
                _stop(serve)
        output = log_path.read_text(errors="replace")
        assert serve.returncode == 1, output[-3000:]
        assert "work pool 'newswatch'" in output and "not both" in output, output[-3000:]
        assert client.read_flow_run(live.id).state.type.value == "RUNNING"  # the workers' run is left alone
    after = _deployment(prefect_server, "ingest", "newswatch-ingest")
    assert after["work_pool_name"] == "newswatch" and after["entrypoint"] == before["entrypoint"]
    assert after["updated"] == before["updated"]  # not re-registered by serve
