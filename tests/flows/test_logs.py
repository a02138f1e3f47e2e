"""What a failed flow run logs: newswatch's own errors as their message, anything else with its traceback."""

from __future__ import annotations

import pytest

from newswatch.errors import DatabaseLocked

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]


def test_a_newswatch_error_is_logged_as_its_message_and_anything_else_with_its_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    """Prefect logs every exception a flow or task raises with its traceback. A busy database or a bad setting is
    a message written for the user, which the CLI then prints as one line; forty lines of engine frames before it
    said nothing more. A bug (any other exception) keeps its traceback: that is what its report needs."""
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

    with pytest.raises(DatabaseLocked):
        expected()
    ours = [r for r in caplog.records if "another process holds the database (SAMPLE)" in r.getMessage()]
    assert {r.name for r in ours} >= {"prefect.task_runs", "prefect.flow_runs"}
    assert all(r.exc_info is None and not r.exc_text for r in ours)

    caplog.clear()
    with pytest.raises(ValueError):
        bug()
    theirs = [r for r in caplog.records if "an unexpected failure (SAMPLE)" in r.getMessage()]
    assert theirs and any(r.exc_info is not None for r in theirs)
