"""A scheduled digest builds the days it missed first: a cron job (`newswatch run`) or a timer that did not fire, or
a digest skipped by the lock wait, left watched days without a digest and without mail. Real engine: a run created
Scheduled for a day of the sample data (May 2025), then run, as a worker, serve or a late cron start would run it;
the CLI as cron calls it; a real aiosmtpd server on 127.0.0.1 for the mail. SAMPLE data (the project's samples)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newswatch.report.digest import missed_days
from storage.db import Database
from tests.support.smtpserver import free_port, smtp_server

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

KOLKATA = ZoneInfo("Asia/Kolkata")  # the sample config's zone
# Due at 07:00 in Kolkata on 12 May 2025: the digest of 11 May. The sample articles, read from files, make every day
# of early May 2025 a watched day.
DUE = datetime(2025, 5, 12, 7, 0, tzinfo=KOLKATA)
DAY = date(2025, 5, 11)
ALICE = "alice@example.org"


def _live_config(project: Path, extra: str = "") -> Path:
    """The sample config as in live use: no pinned digest date."""
    config = project / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8").replace("\ndate = 2025-05-10\n", "\n")
    assert "date = 2025" not in text
    config.write_text(text + extra, encoding="utf-8")
    return config


def _mail(port: int) -> str:
    return (f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            f'sender = "newswatch (sample) <digest@example.org>"\nrecipients = ["{ALICE}"]\n'
            "timeout_seconds = 5\nretries = 0\n")


def _scheduled(flow: Any, parameters: dict[str, Any], due: datetime = DUE) -> Any:
    """Run `flow` as a run scheduled for `due` (started late, as after an outage)."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    with get_client(sync_client=True) as client:
        late = client.create_flow_run(flow, parameters=parameters, state=Scheduled(scheduled_time=due))
    return run_flow(flow, flow_run=late, parameters=parameters)


def _stored_days(project: Path) -> list[date]:
    with Database(project / "data" / "newswatch.duckdb", read_only=True) as db:
        return [r[0] for r in db.query("SELECT digest_date FROM digest ORDER BY digest_date")]


def _subjects(received: list[Any]) -> list[str]:
    return [str(m.message()["Subject"]) for m in received]


def test_missed_days_are_the_days_without_a_digest_after_a_recent_one() -> None:
    may = {d: date(2025, 5, d) for d in range(1, 32)}
    assert missed_days({may[8]}, DAY, 3) == [may[9], may[10]]
    assert missed_days({may[7], may[9]}, DAY, 3) == [may[8], may[10]]  # a gap
    assert missed_days({may[8], may[9], may[10]}, DAY, 3) == []
    assert missed_days({may[7]}, DAY, 3) == [may[8], may[9], may[10]]  # 3 days without: the last digest 4 days ago
    assert missed_days(set(), DAY, 3) == []  # none within 4 days: a new store, the samples' day, a long stop
    assert missed_days({may[7]}, DAY, 0) == []


def test_a_scheduled_digest_builds_the_watched_days_missed_since_the_last_one_first(project: Path) -> None:
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = _live_config(project)
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)  # the last digest before the outage
    summary = _scheduled(digest_flow, {"config_path": str(config)})
    assert summary.digest_date == DAY
    assert [s.digest_date for s in summary.caught_up] == [date(2025, 5, 9), date(2025, 5, 10)]
    assert all(Path(s.html_path).is_file() for s in summary.caught_up)
    assert _stored_days(project) == [date(2025, 5, 8), date(2025, 5, 9), date(2025, 5, 10), DAY]
    # The next scheduled run finds nothing missed: the day is built again, nothing before it.
    again = _scheduled(digest_flow, {"config_path": str(config)})
    assert again.caught_up == [] and len(_stored_days(project)) == 4


def test_a_new_store_missed_days_zero_and_a_pinned_date_build_only_the_day(project: Path) -> None:
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    config = _live_config(project)
    ingest_flow(config_path=str(config))
    assert _scheduled(digest_flow, {"config_path": str(config)}).caught_up == []  # the store's first digest
    assert _stored_days(project) == [DAY]
    # 12 and 13 May missed, and watched: with missed_days = 0 they stay missed.
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[digest]\n", "[digest]\nmissed_days = 0\n"), encoding="utf-8")
    due = DUE + timedelta(days=3)
    assert _scheduled(digest_flow, {"config_path": str(config)}, due).caught_up == []
    config.write_text(text.replace("[digest]\n", "[digest]\ndate = 2025-05-20\n"), encoding="utf-8")
    pinned = _scheduled(digest_flow, {"config_path": str(config)}, due)
    assert pinned.digest_date == date(2025, 5, 20) and pinned.caught_up == []
    assert _stored_days(project) == [DAY, date(2025, 5, 14), date(2025, 5, 20)]
    config.write_text(text, encoding="utf-8")  # the default 3: the next run builds the two it finds missed
    assert [s.digest_date for s in _scheduled(digest_flow, {"config_path": str(config)}, due).caught_up] == [
        date(2025, 5, 12), date(2025, 5, 13)]


def test_the_samples_digest_does_not_make_a_store_going_live_mail_old_days(project: Path) -> None:
    """The deploy guide's path: try the samples (their digest of 10 May 2025), then remove the pinned date and keep
    the store. No digest in the days before the first live one: none of them is built or mailed."""
    from flows.digest import digest_flow

    config = project / "config" / "newswatch.toml"
    digest_flow(config_path=str(config), send_mail=False)  # the pinned sample day
    _live_config(project)
    live = digest_flow(config_path=str(config))  # yesterday, as of now
    assert live.caught_up == []
    assert _stored_days(project) == [date(2025, 5, 10), live.digest_date]


def test_newswatch_run_from_cron_catches_up_and_mails_each_missed_day_once(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`newswatch run` (the CLI, as cron starts it, no --date) after two watched days without a digest: both are
    built and mailed, oldest first, before yesterday's, once each; the CLI says so."""
    from flows.digest import digest_flow
    from newswatch import cli
    from newswatch.config import load_settings
    from newswatch.models import FetchResult
    from newswatch.report.digest import default_day
    from storage.store import Store

    port = free_port()
    config = _live_config(project, _mail(port))
    yesterday = default_day(load_settings(config))
    digest_flow(config_path=str(config), day=yesterday - timedelta(days=3), send_mail=False)
    with Database(project / "data" / "newswatch.duckdb") as db:  # two days the ingest ran and the digest did not
        store = Store(db)
        store.sync_feeds([("wire", "rss", "https://feeds.example.invalid/wire", "Wire", None, "en")])
        store.save_fetches("run-outage", [FetchResult(
            feed="wire", url="https://feeds.example.invalid/wire", status="ok", http_status=200,
            fetched_at=datetime.combine(yesterday - timedelta(days=k), time(12), tzinfo=KOLKATA).astimezone(UTC))
            for k in (1, 2)], {}, {})
    with smtp_server(port=port) as server:
        assert cli.main(["--config", str(config), "run"]) == 0
        subjects = _subjects(server.received)
        assert len(subjects) == 3
        for subject, k in zip(subjects, (2, 1, 0), strict=True):
            assert str(yesterday - timedelta(days=k)) in subject
        assert cli.main(["--config", str(config), "digest"]) == 0
        assert len(server.received) == 3  # nothing mailed twice
    out = capsys.readouterr().out
    for k in (2, 1, 0):
        assert f"digest for {yesterday - timedelta(days=k)}:" in out
    assert _stored_days(project) == [yesterday - timedelta(days=k) for k in (3, 2, 1, 0)]


def test_missed_days_that_could_not_be_mailed_are_mailed_by_the_next_run(project: Path) -> None:
    """The mail server is down during the catch-up: every missed day is stored with its delivery failed, the
    scheduled day is built and tried all the same, and the run fails saying why. The next morning's run mails them
    all, the oldest missed day (three days before the first run's own) too."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow
    from newswatch.errors import MailError

    port = free_port()
    config = _live_config(project, _mail(port))
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 7), send_mail=False)
    with pytest.raises(MailError, match="connection refused"):
        _scheduled(digest_flow, {"config_path": str(config)})
    missed = [date(2025, 5, 8), date(2025, 5, 9), date(2025, 5, 10)]
    assert _stored_days(project) == [date(2025, 5, 7), *missed, DAY]
    with smtp_server(port=port) as server:
        nextday = _scheduled(digest_flow, {"config_path": str(config)}, DUE + timedelta(days=1))
        assert nextday.caught_up == []
        subjects = _subjects(server.received)
    assert len(subjects) == 5
    for subject, day in zip(subjects, [*missed, DAY, date(2025, 5, 12)], strict=True):
        assert str(day) in subject
    with Database(project / "data" / "newswatch.duckdb", read_only=True) as db:
        assert db.query("SELECT DISTINCT status FROM delivery") == [("sent",)]


def test_a_preview_without_mail_builds_only_its_day_and_leaves_the_missed_ones_to_a_mailing_run(project: Path) -> None:
    """`newswatch digest --no-send` (send_mail=False) as a preview: it does not build the missed days, which would
    then be stored without deliveries and never mailed; the next mailing run builds and mails them."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    port = free_port()
    config = _live_config(project, _mail(port))
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)
    preview = _scheduled(digest_flow, {"config_path": str(config), "send_mail": False})
    assert preview.caught_up == [] and _stored_days(project) == [date(2025, 5, 8), DAY]
    with smtp_server(port=port) as server:
        mailing = _scheduled(digest_flow, {"config_path": str(config)}, DUE + timedelta(days=1))
        subjects = _subjects(server.received)
    assert [s.digest_date for s in mailing.caught_up] == [date(2025, 5, 9), date(2025, 5, 10)]
    assert len(subjects) == 3 and [str(d) in s for d, s in zip(
        [date(2025, 5, 9), date(2025, 5, 10), date(2025, 5, 12)], subjects, strict=True)] == [True] * 3


def _failing_build(monkeypatch: pytest.MonkeyPatch, failing: date) -> None:
    """build_digest raises for one day (a bug, a damaged row), as any day could."""
    from newswatch.report import digest as digest_mod

    build = digest_mod.build_digest

    def build_or_fail(store: Any, settings: Any, day: date) -> Any:
        if day == failing:
            raise RuntimeError(f"sample failure building {day}")
        return build(store, settings, day)

    monkeypatch.setattr(digest_mod, "build_digest", build_or_fail)


def test_a_missed_day_that_fails_to_build_does_not_hold_back_the_others(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """One missed day fails to build: the other missed days and the day itself are built and mailed, the run fails
    naming the cause, and the failed day, still missing, is built and mailed by the next run."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    port = free_port()
    config = _live_config(project, _mail(port))
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)
    _failing_build(monkeypatch, date(2025, 5, 9))
    with smtp_server(port=port) as server:
        with pytest.raises(RuntimeError, match="sample failure building 2025-05-09"):
            _scheduled(digest_flow, {"config_path": str(config)})
        first = _subjects(server.received)
        assert len(first) == 2 and "2025-05-10" in first[0] and "2025-05-11" in first[1]
        assert _stored_days(project) == [date(2025, 5, 8), date(2025, 5, 10), DAY]
        monkeypatch.undo()
        nextday = _scheduled(digest_flow, {"config_path": str(config)}, DUE + timedelta(days=1))
        assert [s.digest_date for s in nextday.caught_up] == [date(2025, 5, 9)]
        subjects = _subjects(server.received)
    assert len(subjects) == 4 and "2025-05-09" in subjects[2] and "2025-05-12" in subjects[3]


def test_a_missed_day_that_fails_to_build_is_named_with_the_mail_error(project: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A missed day fails to build and the mail server is down: the run fails with the mail error, which also names
    the missed day's cause (the log alone had it before)."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow
    from newswatch.errors import MailError

    config = _live_config(project, _mail(free_port()))
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)
    _failing_build(monkeypatch, date(2025, 5, 9))
    with pytest.raises(MailError, match="(?s)connection refused.*could not be built: sample failure building "
                                        "2025-05-09") as raised:
        _scheduled(digest_flow, {"config_path": str(config)})
    assert isinstance(raised.value.__cause__, RuntimeError)


def test_the_missed_days_are_mailed_when_the_day_itself_fails_to_build(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    port = free_port()
    config = _live_config(project, _mail(port))
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 8), send_mail=False)
    _failing_build(monkeypatch, DAY)
    with smtp_server(port=port) as server:
        with pytest.raises(RuntimeError, match="sample failure building 2025-05-11"):
            _scheduled(digest_flow, {"config_path": str(config)})
        subjects = _subjects(server.received)
    assert len(subjects) == 2 and "2025-05-09" in subjects[0] and "2025-05-10" in subjects[1]


def test_a_missed_day_is_tried_as_often_as_any_day_when_the_mail_server_stays_down(project: Path) -> None:
    """The oldest day a catch-up builds (three days before the run's own) is retried by the runs of the three days
    after it, as a day's own failed delivery is: a server down for two mornings loses none of them."""
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow
    from newswatch.errors import MailError

    port = free_port()
    config = _live_config(project, _mail(port))
    ingest_flow(config_path=str(config))
    digest_flow(config_path=str(config), day=date(2025, 5, 7), send_mail=False)
    for due in (DUE, DUE + timedelta(days=1)):  # the server down on 12 and 13 May
        with pytest.raises(MailError):
            _scheduled(digest_flow, {"config_path": str(config)}, due)
    with smtp_server(port=port) as server:
        _scheduled(digest_flow, {"config_path": str(config)}, DUE + timedelta(days=2))
        subjects = _subjects(server.received)
    days = [date(2025, 5, d) for d in range(8, 14)]
    assert len(subjects) == len(days)
    for subject, day in zip(subjects, days, strict=True):
        assert str(day) in subject
