"""One run at a time per flow and database: an OS file lock beside the database (released if the process dies).

Prefect's `serve` does not stop two runs of a deployment from overlapping on its own, and a manual
`newswatch ingest` can meet a scheduled one; this lock decides. Never imports Prefect.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from newswatch.errors import StorageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; runs are not guarded there
    fcntl = None  # type: ignore[assignment]


def lock_path(database: Path, name: str) -> Path:
    """data/newswatch.duckdb -> data/newswatch.duckdb.ingest.lock"""
    return database.with_name(f"{database.name}.{name}.lock")


class RunLock:
    """A held lock; release it with `release()` or by using it as a context manager."""

    def __init__(self, path: Path, handle: IO[str] | None) -> None:
        self.path = path
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            if fcntl is not None:
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it ("pid 123 since 2026-01-01T07:00:00+00:00 (...)")."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown"
    return text or "unknown"


def acquire_run_lock(
    path: Path,
    *,
    label: str = "",
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    poll_seconds: float = 1.0,
) -> RunLock | None:
    """Take the lock at `path`, waiting up to `wait_seconds`; None when another run still holds it.

    `on_wait(holder)` is called once, when the lock is busy and we start waiting, so the run can say so.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while the lock is held
    except OSError as exc:  # the database's folder cannot be made or written ([storage] database)
        raise StorageError(f"storage.database: cannot write beside the database in {path.parent}: "
                           f"{exc.strerror or exc}") from None
    if fcntl is None:  # pragma: no cover
        return RunLock(path, handle)
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                return None
            if not told and on_wait is not None:
                on_wait(holder(path))
                told = True
            time.sleep(min(poll_seconds, max(deadline - time.monotonic(), 0.01)))
    handle.seek(0)
    handle.truncate()
    since = datetime.now(UTC).isoformat(timespec="seconds")
    handle.write(f"pid {os.getpid()} since {since}" + (f" ({label})" if label else "") + "\n")
    handle.flush()
    return RunLock(path, handle)
