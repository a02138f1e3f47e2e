"""A scheduled digest that starts late (serve or its worker was down) builds the day it was scheduled for: after an
outage each late run builds its own day, not yesterday's again. Real engine: a flow run created Scheduled in the
past, then run, as a worker or serve runs a late run."""

from __future__ import annotations

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
