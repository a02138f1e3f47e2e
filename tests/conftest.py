"""Test-wide setup: Prefect offline and quiet, in a temporary home; the shared corpus located (or skipped)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.httpserver import LoopbackServer

# Prefect reads its settings when imported: set them before any test module imports flows.
_PREFECT_HOME = tempfile.mkdtemp(prefix="newswatch-test-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("NEWSWATCH_CONFIG", None)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


@pytest.fixture(scope="session")
def prefect_engine() -> Iterator[None]:
    """One Prefect test server for the whole session (entering the harness costs about 17 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A threaded HTTP server on 127.0.0.1:<free port>, stopped after the test (tests/support/httpserver.py)."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's config and samples in tmp_path: runs write their database and digests there."""
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
