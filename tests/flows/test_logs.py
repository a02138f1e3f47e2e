"""What a failed flow run logs: newswatch's own errors as their message, anything else with its traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newswatch.errors import DatabaseLocked
from tests.conftest import REPO

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]


def test_a_newswatch_error_is_logged_as_its_message_and_anything_else_with_its_traceback() -> None:
    """Prefect logs every exception a flow or task raises with its traceback. A busy database or a bad setting is
    a message written for the user, which the CLI then prints as one line; forty lines of engine frames before it
    said nothing more. A bug (any other exception) keeps its traceback: that is what its report needs."""
    import logging

    from prefect import flow, task

    import flows.logs  # noqa: F401 - installs the filter, as every newswatch flow module does

    @task(retries=0)
    def storing() -> None:
        raise DatabaseLocked("data/newswatch.duckdb: another process holds the database (SAMPLE)")

    @flow
    def expected() -> None:
        storing()

    @flow
    def bug() -> None:
        raise ValueError("an unexpected failure (SAMPLE)")

    # Prefect's logging setup (dictConfig, at the first run in a process) replaces the root logger's handlers,
    # caplog's among them: run alone, this test saw no record at all. It listens on the "prefect" logger, which the
    # run loggers propagate to, with a handler of its own.
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logging.getLogger("prefect").addHandler(keep)
    try:
        with pytest.raises(DatabaseLocked):
            expected()
        ours = [r for r in records if "another process holds the database (SAMPLE)" in r.getMessage()]
        assert {r.name for r in ours} >= {"prefect.task_runs", "prefect.flow_runs"}
        assert all(r.exc_info is None and not r.exc_text for r in ours)

        records.clear()
        with pytest.raises(ValueError):
            bug()
        theirs = [r for r in records if "an unexpected failure (SAMPLE)" in r.getMessage()]
        assert theirs and any(r.exc_info is not None for r in theirs)
    finally:
        logging.getLogger("prefect").removeHandler(keep)


def test_each_run_logs_the_config_and_database_it_works_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's runs read ./config/newswatch.toml, or $NEWSWATCH_CONFIG from the worker's environment (prefect.yaml
    passes no config). A review gave one worker NEWSWATCH_CONFIG: its ingest went into another store, and nothing in
    the run's log (the Prefect UI) said which config or database it used."""
    import logging

    from flows.digest import digest_flow
    from flows.ingest import ingest_flow

    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "newswatch.toml"
    config.write_text('[storage]\ndatabase = "data/store.duckdb"\n\n[fulltext]\nenabled = false\n', encoding="utf-8")
    shutil.copy(REPO / "config" / "actors.toml", tmp_path / "config" / "actors.toml")
    monkeypatch.setenv("NEWSWATCH_CONFIG", str(config))
    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    runs_log = logging.getLogger("prefect.flow_runs")
    keep, level = Keep(logging.INFO), runs_log.level
    runs_log.addHandler(keep)
    runs_log.setLevel(logging.INFO)
    try:
        ingest_flow()
        digest_flow(send_mail=False)
    finally:
        runs_log.removeHandler(keep)
        runs_log.setLevel(level)
    expected = f"config {config.resolve()}; database {tmp_path / 'data' / 'store.duckdb'}"
    assert sum(expected in line for line in said) == 2, said
