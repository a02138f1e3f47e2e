"""Fixtures of the corpus tier: files of ../shared/corpus, each test skipped when its file is absent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def stories_file(shared_dir: Path) -> Callable[[str], Path]:
    """The event-labelled articles of ../shared/corpus/stories/NAME, or a skip when the file is absent."""

    def find(name: str) -> Path:
        path = shared_dir / "corpus" / "stories" / name
        if not path.is_file():
            pytest.skip(f"{path} not present")
        return path

    return find
