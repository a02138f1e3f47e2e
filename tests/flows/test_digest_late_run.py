"""A scheduled digest that starts late (serve or its worker was down) builds the day it was scheduled for: after an
outage each late run builds its own day, not yesterday's again. Real engine: a flow run created Scheduled in the
past, then run, as a worker or serve runs a late run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]


def test_a_late_scheduled_digest_builds_the_day_it_was_due_for(project: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = project / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\ndate = 2025-05-10\n", "\n"), encoding="utf-8")  # live use: no pinned day
    assert "date = 2025" not in config.read_text(encoding="utf-8")
    ingest_flow(config_path=str(config))
    # Due at 07:00 in Kolkata on 2025-05-10: the digest of 2025-05-09, whenever the run actually starts.
    due = datetime(2025, 5, 10, 7, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    with get_client(sync_client=True) as client:
        late = client.create_flow_run(digest_flow, parameters={"config_path": str(config), "send_mail": False},
                                      state=Scheduled(scheduled_time=due))
    summary = run_flow(digest_flow, flow_run=late, parameters={"config_path": str(config), "send_mail": False})
    assert summary.digest_date == date(2025, 5, 9)
    assert Path(summary.html_path).name == "digest-2025-05-09.html"


def test_a_run_builds_the_digest_of_the_day_before_it_started_not_of_when_its_ingest_ended(project: Path) -> None:
    """`newswatch run` picks its digest's day when it starts: a review's run started at 23:59:55 (Berlin) ingested
    past midnight and then built the digest of the day that had just begun, its figures from a few seconds, which
    (with [email]) was mailed as that day's digest in place of the whole one. A run due before midnight, started
    late here, stands for it: its digest is that of the day before it was due."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    from flows.run import run_flow as newswatch_run

    config = project / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\ndate = 2025-05-10\n", "\n"), encoding="utf-8")  # live use: no pinned day
    due = datetime(2025, 5, 10, 23, 59, 55, tzinfo=ZoneInfo("Asia/Kolkata"))
    parameters = {"config_path": str(config), "send_mail": False}
    with get_client(sync_client=True) as client:
        late = client.create_flow_run(newswatch_run, parameters=parameters, state=Scheduled(scheduled_time=due))
    summary = run_flow(newswatch_run, flow_run=late, parameters=parameters)
    assert summary.digest is not None and summary.digest.digest_date == date(2025, 5, 9)


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs libfaketime's `faketime` command")
@pytest.mark.parametrize("command", ["digest", "run"])
def test_a_command_started_just_before_midnight_builds_yesterdays_digest(project: Path, command: str) -> None:
    """The same for the commands: Prefect's engine takes seconds to start, and a review's `newswatch digest` and
    `newswatch run` started at 23:59:55 built the digest of the day that began while it started. The clock is
    libfaketime's, started 5 s before midnight in Kolkata, the config's time zone."""
    config = project / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\ndate = 2025-05-10\n", "\n"), encoding="utf-8")  # live use: no pinned day
    newswatch = Path(sys.executable).with_name("newswatch")
    done = subprocess.run(["faketime", "2025-05-10 23:59:55", str(newswatch), "--config", str(config), command,
                           "--no-send"], capture_output=True, text=True, timeout=600, cwd=project,
                          env={**os.environ, "TZ": "Asia/Kolkata"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "digest for 2025-05-09:" in done.stdout, done.stdout
