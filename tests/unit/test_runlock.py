"""One run at a time: the lock beside the database is exclusive, says who holds it, waits, and dies with its process."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newswatch.runlock import acquire_run_lock, holder, lock_path


def test_lock_path_sits_beside_the_database() -> None:
    assert lock_path(Path("data/newswatch.duckdb"), "ingest") == Path("data/newswatch.duckdb.ingest.lock")


def test_a_second_run_does_not_get_the_lock_and_learns_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = acquire_run_lock(path, label="ingest")
    assert first is not None
    assert acquire_run_lock(path) is None
    assert "ingest" in holder(path) and "pid" in holder(path)
    first.release()
    second = acquire_run_lock(path)
    assert second is not None
    second.release()


def test_a_waiting_run_says_so_and_gets_the_lock_when_it_is_released(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = acquire_run_lock(path, label="digest 2025-05-10")
    assert first is not None
    threading.Timer(0.5, first.release).start()
    told: list[str] = []
    second = acquire_run_lock(path, wait_seconds=30, on_wait=told.append, poll_seconds=0.05)
    assert second is not None
    assert len(told) == 1 and "digest 2025-05-10" in told[0]
    second.release()


def test_a_run_gives_up_after_its_wait(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with acquire_run_lock(path) or _fail():
        assert acquire_run_lock(path, wait_seconds=0.2, poll_seconds=0.05) is None


def test_the_lock_is_freed_when_its_process_dies(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    code = (
        "import sys, time; from pathlib import Path; from newswatch.runlock import acquire_run_lock;"
        f"lock = acquire_run_lock(Path({str(path)!r})); print('held', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        assert acquire_run_lock(path) is None
    finally:
        child.kill()
        child.wait()
    deadline = time.monotonic() + 10
    lock = None
    while lock is None and time.monotonic() < deadline:
        lock = acquire_run_lock(path)
    assert lock is not None
    lock.release()


def _fail() -> None:
    raise AssertionError("the first lock must be free")


def test_a_lock_folder_that_cannot_be_made_is_a_storage_error(tmp_path: Path) -> None:
    """[storage] database under a file (or a folder that cannot be created) ended in a raw FileExistsError or
    FileNotFoundError before any message; it names the setting now."""
    from newswatch.errors import StorageError

    blocker = tmp_path / "data"
    blocker.write_text("a file where the database's folder should be", encoding="utf-8")
    with pytest.raises(StorageError, match="storage.database: cannot write beside the database"):
        acquire_run_lock(blocker / "newswatch.duckdb.lock")


def test_a_digest_folder_that_is_a_file_is_a_storage_error(tmp_path: Path) -> None:
    from datetime import date

    from newswatch.errors import StorageError
    from newswatch.models import RenderedDigest
    from newswatch.report.digest import write_digest

    blocker = tmp_path / "digests"
    blocker.write_text("a file where the digests' folder should be", encoding="utf-8")
    digest = RenderedDigest(digest_date=date(2025, 5, 10), subject="s", html="<p>h</p>", text="t", markdown="m",
                            images={})
    with pytest.raises(StorageError, match="digest.output_dir: cannot write digests to"):
        write_digest(digest, blocker)


def test_a_digest_file_that_cannot_be_written_is_a_storage_error_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    """A full disk or a folder the run may not write (a review filled a small tmpfs, then made the folder read-only)
    while the digest's files are written: a StorageError naming the file and the cause (the CLI's one-line message,
    exit 1), not an OSError traceback, and no half-written `.tmp` file left beside the digests. Here the digest's
    name is taken by a folder, which fails the same way for root, who may write anywhere."""
    from datetime import date

    from newswatch.errors import StorageError
    from newswatch.models import RenderedDigest
    from newswatch.report.digest import write_digest

    out = tmp_path / "digests"
    (out / "digest-2025-05-10.html" / "in-the-way").mkdir(parents=True)
    digest = RenderedDigest(digest_date=date(2025, 5, 10), subject="s", html="<p>h</p>", text="t", markdown="m",
                            images={})
    with pytest.raises(StorageError, match=r"digest-2025-05-10\.html: cannot write the digest: "):
        write_digest(digest, out)
    assert sorted(p.name for p in out.iterdir()) == ["digest-2025-05-10.html"]
