"""When the flows run: ScheduleSettings ([schedule], checked in newswatch.config) as cron strings and times.

Plain data and cron strings only; the flows turn them into Prefect schedules. Never imports Prefect.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from cronsim import CronSim

from newswatch.config import ScheduleSettings


def digest_cron(settings: ScheduleSettings) -> str:
    """The digest's cron expression ("0 7 * * *"), meant to run in settings.timezone."""
    return f"{settings.digest_time.minute} {settings.digest_time.hour} * * *"


def next_runs(cron: str, timezone: str, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` times `cron` fires in `timezone` after `after` (tz-aware), for `newswatch` to show."""
    if after.tzinfo is None:
        raise ValueError("next_runs: `after` must be timezone-aware")
    zone = ZoneInfo(timezone)
    runs: Iterator[datetime] = iter(CronSim(cron, after.astimezone(zone)))
    return [next(runs) for _ in range(count)]


def deployment_schedules(config: str | None = None) -> dict[str, str]:
    """The schedules of the config that `prefect deploy` would run with (`config`, else $NEWSWATCH_CONFIG, else
    ./config/newswatch.toml), for prefect.yaml's build step: its deployments' schedules are templated from these
    ({{ schedule.ingest_cron }}, {{ schedule.digest_cron }}, {{ schedule.timezone }}), so deploying again after a
    [schedule] or [digest].timezone edit registers the edited schedules, as `newswatch serve` does. A config error
    stops the deploy with its message."""
    from newswatch.config import load_settings

    when = load_settings(config).schedule
    return {"ingest_cron": when.ingest_cron, "digest_cron": digest_cron(when), "timezone": when.timezone}
