"""A scheduled digest builds the days missed since the last one first: a cron job (`newswatch run`) or the machine
did not run for a few days, and those days got no digest and no mail. Real engine: a run created Scheduled for a day
of the sample data (May 2025), then run, as a worker, serve or a late cron start would run it; a real aiosmtpd server
on 127.0.0.1 for the mail. SAMPLE data (the project's samples)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newswatch.report.digest import missed_days
from storage.db import Database
from tests.support.smtpserver import smtp_server

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

# Due at 07:00 in Kolkata (the sample config's zone) on 12 May 2025: the digest of 11 May.
DUE = datetime(2025, 5, 12, 7, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
DAY = date(2025, 5, 11)


def _live_config(project: Path, extra: str = "") -> Path:
    """The sample config as in live use: no pinned digest date."""
    config = project / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8").replace("\ndate = 2025-05-10\n", "\n")
    assert "date = 2025" not in text
    config.write_text(text + extra, encoding="utf-8")
    return config


def _scheduled(flow: Any, parameters: dict[str, Any]) -> Any:
    """Run `flow` as a run scheduled for DUE (started late, as after an outage)."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    with get_client(sync_client=True) as client:
        late = client.create_flow_run(flow, parameters=parameters, state=Scheduled(scheduled_time=DUE))
    return run_flow(flow, flow_run=late, parameters=parameters)


def _stored_days(project: Path) -> list[date]:
    with Database(project / "data" / "newswatch.duckdb", read_only=True) as db:
        return [r[0] for r in db.query("SELECT digest_date FROM digest ORDER BY digest_date")]


def test_missed_days_are_those_since_the_last_digest_at_most_the_limit() -> None:
    assert missed_days(date(2025, 5, 8), DAY, 3) == [date(2025, 5, 9), date(2025, 5, 10)]
    assert missed_days(date(2025, 5, 10), DAY, 3) == []  # yesterday's was built: nothing missed
    assert missed_days(date(2025, 4, 1), DAY, 3) == [date(2025, 5, 8), date(2025, 5, 9), date(2025, 5, 10)]
    assert missed_days(None, DAY, 3) == []  # a new store: its first digest is the scheduled one
    assert missed_days(date(2025, 5, 1), DAY, 0) == []


def test_a_scheduled_digest_builds_the_days_missed_since_the_last_one_first(project: Path) -> None:
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = _live_config(project)
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)  # the last digest before the outage
    summary = _scheduled(digest_flow, {"config_path": str(config), "send_mail": False})
    assert summary.digest_date == DAY
    assert [s.digest_date for s in summary.caught_up] == [date(2025, 5, 9), date(2025, 5, 10)]
    assert all(Path(s.html_path).is_file() for s in summary.caught_up)
    assert _stored_days(project) == [date(2025, 5, 8), date(2025, 5, 9), date(2025, 5, 10), DAY]
    # The next scheduled run finds nothing missed: the day is built again, nothing before it.
    again = _scheduled(digest_flow, {"config_path": str(config), "send_mail": False})
    assert again.caught_up == [] and len(_stored_days(project)) == 4


def test_a_store_with_no_digest_before_and_a_pinned_date_build_only_the_day(project: Path) -> None:
    from flows.digest import digest_flow

    config = _live_config(project)
    summary = _scheduled(digest_flow, {"config_path": str(config), "send_mail": False})
    assert summary.caught_up == [] and _stored_days(project) == [DAY]
    # With [digest] date pinned (the sample config), a scheduled run builds that day only, missed days or not.
    pinned = project / "config" / "newswatch.toml"
    pinned.write_text(pinned.read_text(encoding="utf-8").replace("[digest]\n", "[digest]\ndate = 2025-05-14\n"),
                      encoding="utf-8")
    summary = _scheduled(digest_flow, {"config_path": str(pinned), "send_mail": False})
    assert summary.digest_date == date(2025, 5, 14) and summary.caught_up == []
    assert _stored_days(project) == [DAY, date(2025, 5, 14)]


def test_newswatch_run_from_cron_catches_up_and_mails_each_missed_day_once(project: Path) -> None:
    """`newswatch run` started by cron after two days off: the two missed days' digests are built and mailed, oldest
    first, before the scheduled one; with `missed_days = 1` only the latest missed day would be."""
    from flows.digest import digest_flow
    from flows.run import run_flow
    from tests.support.smtpserver import free_port

    port = free_port()
    config = _live_config(project, f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                                   'sender = "newswatch (sample) <digest@example.org>"\n'
                                   'recipients = ["alice@example.org"]\ntimeout_seconds = 5\n')
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)
    with smtp_server(port=port) as server:
        summary = _scheduled(run_flow, {"config_path": str(config)})
        assert [s.digest_date for s in summary.digest.caught_up] == [date(2025, 5, 9), date(2025, 5, 10)]
        subjects = [str(m.message()["Subject"]) for m in server.received]
        assert len(subjects) == 3  # 9, 10 and 11 May, once each
        assert ["2025-05-09" in subjects[0], "2025-05-10" in subjects[1], "2025-05-11" in subjects[2]] == [True] * 3
        again = _scheduled(run_flow, {"config_path": str(config)})
        assert again.digest.caught_up == [] and len(server.received) == 3  # nothing mailed twice
    assert _stored_days(project) == [date(2025, 5, 8), date(2025, 5, 9), date(2025, 5, 10), DAY]


def test_missed_days_zero_builds_only_the_day(project: Path) -> None:
    from flows.digest import digest_flow

    config = _live_config(project)
    config.write_text(config.read_text(encoding="utf-8").replace("[digest]\n", "[digest]\nmissed_days = 0\n"),
                      encoding="utf-8")
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)
    summary = _scheduled(digest_flow, {"config_path": str(config), "send_mail": False})
    assert summary.caught_up == [] and _stored_days(project) == [date(2025, 5, 8), DAY]


def test_a_missed_day_another_run_built_meanwhile_is_not_built_again(project: Path) -> None:
    """The catch-up asks for a missed day only if it is still missing once it holds the digest lock: serve's late
    runs after an outage may each find the same day missing."""
    from flows.digest import digest_flow

    config = _live_config(project)
    first = digest_flow(config_path=str(config), day=date(2025, 5, 9), send_mail=False)
    again = digest_flow(config_path=str(config), day=date(2025, 5, 9), send_mail=False, missing_only=True)
    assert first.skipped is None and again.skipped == "skipped: already built by another run"
    assert _stored_days(project) == [date(2025, 5, 9)]


def test_a_missed_day_that_fails_does_not_hold_back_the_scheduled_one(project: Path) -> None:
    """The mail server is down: each missed day is stored with its delivery failed (the next digest run mails it),
    the scheduled day is built, stored and tried all the same, and the run fails saying why."""
    from flows.digest import digest_flow
    from newswatch.errors import MailError
    from tests.support.smtpserver import free_port

    config = _live_config(project, f'\n[email]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\n'
                                   'sender = "newswatch (sample) <digest@example.org>"\n'
                                   'recipients = ["alice@example.org"]\ntimeout_seconds = 5\nretries = 0\n')
    digest_flow(config_path=str(config), day=date(2025, 5, 9), send_mail=False)
    with pytest.raises(MailError, match="connection refused"):
        _scheduled(digest_flow, {"config_path": str(config)})
    assert _stored_days(project) == [date(2025, 5, 9), date(2025, 5, 10), DAY]
    with Database(project / "data" / "newswatch.duckdb", read_only=True) as db:
        assert db.query("SELECT digest_date, status FROM delivery ORDER BY digest_date") == [
            (date(2025, 5, 10), "failed"), (DAY, "failed")]
