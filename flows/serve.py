"""The two scheduled deployments (ingest, digest) and `newswatch serve`, which runs them in one process.

Schedules come from [schedule] in the digest's time zone. Overlap: each deployment has a concurrency limit of 1
on the Prefect server, and each flow takes a lock beside the database (ingest skips, digest waits), which also
covers runs started by hand. Stopping serve leaves the schedules active (pause_on_shutdown=False).
"""

from __future__ import annotations

from typing import Any

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.digest import digest_flow
from flows.ingest import ingest_flow
from newswatch.config import ScheduleSettings, Settings
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


def serve_deployments(settings: Settings) -> None:
    """Register both deployments and run their scheduled runs until stopped (Ctrl-C or SIGTERM)."""
    serve(*build_deployments(settings), pause_on_shutdown=False)
