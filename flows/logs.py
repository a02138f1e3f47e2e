"""Progress messages: to the Prefect run log (the UI) and to the `newswatch` logger (the CLI's console)."""

from __future__ import annotations

import logging

from prefect import get_run_logger

_console = logging.getLogger("newswatch")


def progress(message: str, *args: object, level: int = logging.INFO) -> None:
    _console.log(level, message, *args)
    get_run_logger().log(level, message, *args)
