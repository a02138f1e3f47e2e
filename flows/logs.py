"""Progress messages: to the Prefect run log (the UI) and to the `newswatch` logger (the CLI's console)."""

from __future__ import annotations

import logging

from prefect import get_run_logger

from newswatch.config import Settings
from newswatch.errors import NewswatchError

_console = logging.getLogger("newswatch")


class ExpectedErrorsWithoutTraceback(logging.Filter):
    """Prefect logs every exception a flow or task raises with its traceback ("Encountered exception during
    execution"). newswatch's own errors (a bad setting, a busy database, a mail server that refused) carry a message
    written for the user, which the CLI prints again as one line; their engine frames say nothing more. Those
    records keep their message and lose the traceback; any other exception, a bug, keeps it."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, NewswatchError):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_expected_tracebacks() -> None:
    """Put the filter on Prefect's flow-run and task-run loggers (once; installed when this module is imported)."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ExpectedErrorsWithoutTraceback) for f in logger.filters):
            logger.addFilter(ExpectedErrorsWithoutTraceback())


quiet_expected_tracebacks()


def progress(message: str, *args: object, level: int = logging.INFO) -> None:
    _console.log(level, message, *args)
    get_run_logger().log(level, message, *args)


def log_config(settings: Settings) -> None:
    """The config and database a run works on, in the run's log (the Prefect UI) only: a worker's runs read
    ./config/newswatch.toml or $NEWSWATCH_CONFIG from the worker's environment, and the log is where to see which."""
    get_run_logger().info("config %s; database %s", settings.path.resolve(), settings.database_path)
