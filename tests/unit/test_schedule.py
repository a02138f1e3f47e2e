"""The [schedule] table: ingest cron and digest time, in the digest's time zone."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from newswatch import schedule
from newswatch.config import ScheduleSettings, parse_settings
from newswatch.errors import ConfigError

CONFIG = Path("config/newswatch.toml")


def parse(table: Any, timezone: str = "UTC") -> ScheduleSettings:
    data = {"digest": {"timezone": timezone}}
    return parse_settings(data if table is None else {**data, "schedule": table}, CONFIG).schedule


def error(table: Any, timezone: str = "UTC") -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse(table, timezone)
    assert caught.value.path == str(CONFIG)
    return caught.value


def test_defaults_without_a_table() -> None:
    s = parse(None, "Europe/Berlin")
    assert s == ScheduleSettings(
        ingest_cron="*/30 * * * *", digest_time=time(7, 0), timezone="Europe/Berlin"
    )
    assert schedule.digest_cron(s) == "0 7 * * *"


def test_values_from_toml_text_and_local_time() -> None:
    data = tomllib.loads('[schedule]\ningest_cron = "5,35  6-22 * * 1-5"\ndigest_time = 06:45:00\n')
    s = parse(data["schedule"], "Asia/Kolkata")
    assert s.ingest_cron == "5,35 6-22 * * 1-5"
    assert s.digest_time == time(6, 45)
    assert schedule.digest_cron(s) == "45 6 * * *"


@pytest.mark.parametrize(
    ("text", "expected"), [("07:00", time(7, 0)), ("7:05", time(7, 5)), ("23:59", time(23, 59))]
)
def test_digest_time_as_text(text: str, expected: time) -> None:
    assert parse({"digest_time": text}).digest_time == expected


@pytest.mark.parametrize("value", ["24:00", "7", "07:60", "7am", "", 700, time(7, 0, 30)])
def test_bad_digest_time(value: Any) -> None:
    err = error({"digest_time": value})
    assert err.key == "schedule.digest_time"


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("* * * *", "got 4 fields"),
        ("0 * * * * *", "got 6 fields"),
        ("@hourly", "got 1 fields"),
        ("61 * * * *", "Bad minute"),
        ("0 25 * * *", "Bad hour"),
        ("0 0 31 2 *", "Bad day-of-month"),
        ("a b c d e", "Bad minute"),
        (30, "cron expression"),
    ],
)
def test_bad_ingest_cron(cron: Any, expected: str) -> None:
    err = error({"ingest_cron": cron})
    assert err.key == "schedule.ingest_cron"
    assert expected in err.problem


def test_unknown_keys_and_timezone_are_refused() -> None:
    assert error({"digest_cron": "0 7 * * *"}).key == "schedule.digest_cron"
    err = error({"timezone": "UTC"})
    assert err.key == "schedule.timezone"
    assert "[digest].timezone" in err.problem
    assert error("daily").key == "schedule"
    assert error(None, timezone="Mars/Olympus").key == "digest.timezone"


def test_next_runs_follow_the_timezone_across_a_dst_change() -> None:
    s = parse({"digest_time": "07:00"}, "Europe/Berlin")
    runs = schedule.next_runs(schedule.digest_cron(s), s.timezone, datetime(2025, 3, 29, 0, tzinfo=UTC))
    assert [r.astimezone(UTC).hour for r in runs] == [6, 5, 5]  # 07:00 CET, then 07:00 CEST
    assert all(r.hour == 7 for r in runs)
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.next_runs("0 7 * * *", "UTC", datetime(2025, 1, 1))
