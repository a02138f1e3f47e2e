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
