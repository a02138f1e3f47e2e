"""When the flows run: the [schedule] table (ingest cron, digest time) checked into ScheduleSettings.

Plain data and cron strings only; the flows turn them into Prefect schedules. Never imports Prefect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from newswatch.errors import ConfigError

DEFAULT_INGEST_CRON = "*/30 * * * *"
DEFAULT_DIGEST_TIME = time(7, 0)
_KEYS = {
    "ingest_cron": "a cron expression with 5 fields, such as '*/30 * * * *'",
    "digest_time": 'a time of day as "HH:MM" (24-hour), such as "07:00"',
}
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, kw_only=True)
class ScheduleSettings:
    ingest_cron: str = DEFAULT_INGEST_CRON
    digest_time: time = DEFAULT_DIGEST_TIME
    # The IANA zone both schedules run in: the digest's timezone ([digest].timezone).
    timezone: str


def parse_schedule_settings(table: dict[str, Any] | None, path: Path, timezone: str) -> ScheduleSettings:
    """The checked [schedule] table; defaults when there is none. `timezone` is [digest].timezone."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            path, "digest.timezone", f"expected an IANA time zone such as 'Europe/Berlin', got {timezone!r}"
        ) from None
    if table is None:
        return ScheduleSettings(timezone=timezone)
    if not isinstance(table, dict):
        raise ConfigError(path, "schedule", f"expected a table [schedule], got {type(table).__name__}")
    for key in table:
        if key == "timezone":
            raise ConfigError(
                path, "schedule.timezone", "unknown key; schedules run in [digest].timezone, set it there"
            )
        if key not in _KEYS:
            raise ConfigError(path, f"schedule.{key}", f"unknown key; expected one of: {', '.join(_KEYS)}")
    cron = table.get("ingest_cron", DEFAULT_INGEST_CRON)
    problem = cron_problem(cron)
    if problem:
        raise ConfigError(path, "schedule.ingest_cron", problem)
    digest_time = _parse_time(table.get("digest_time", DEFAULT_DIGEST_TIME), path)
    return ScheduleSettings(ingest_cron=" ".join(cron.split()), digest_time=digest_time, timezone=timezone)


def cron_problem(expression: object) -> str | None:
    """Why `expression` is not a usable 5-field cron expression, or None."""
    if not isinstance(expression, str):
        return f"expected {_KEYS['ingest_cron']}, got {expression!r}"
    fields = expression.split()
    if len(fields) != 5:
        return f"expected {_KEYS['ingest_cron']} (minute hour day month weekday), got {len(fields)} fields in {expression!r}"
    try:
        next(iter(CronSim(expression, datetime(2000, 1, 1))))
    except (CronSimError, StopIteration) as exc:
        return f"expected {_KEYS['ingest_cron']}, got {expression!r}: {exc or 'it never fires'}"
    return None


def _parse_time(value: object, path: Path) -> time:
    # TOML has a local-time type (digest_time = 07:00:00); accept it as well as the string "07:00".
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise ConfigError(
                path, "schedule.digest_time", f"expected whole minutes and no offset, got {value}"
            )
        return value
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise ConfigError(path, "schedule.digest_time", f"expected {_KEYS['digest_time']}, got {value!r}")


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
