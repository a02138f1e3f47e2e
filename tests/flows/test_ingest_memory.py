"""What a long ingest keeps in memory, through the real ingest flow (Prefect's engine, a real DuckDB file): a stored
batch's analyses go as soon as the flow is done with them, without waiting for the garbage collector."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from newswatch.models import Analysis

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_engine")]

CONFIG = """\
[storage]
database = "data/newswatch.duckdb"

[inbox]
paths = ["inbox"]
outlet = "Inbox (sample)"

[runner]
batch_size = 10

[[topics]]
name = "sample"
description = "Sample topic for tests."
any = ["ceasefire"]

[fulltext]
enabled = false
"""


def test_stored_batches_are_freed_without_the_garbage_collector(tmp_path: Path) -> None:
    """Prefect keeps a task's return value in its run state, which sits in a reference cycle with the task's future:
    each scored batch handed back that way stayed in memory until the collector's next full collection, so a run
    piled up batches between collections (the 100k-article memory probe's peak rose with the collector's
    thresholds). With the collector off for a run of six batches, none of their analyses is left afterwards."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "newswatch.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parents[2] / "config" / "actors.toml", tmp_path / "config" / "actors.toml")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(60):
        (inbox / f"note-{i:02d}.txt").write_text(
            f"Ceasefire talks, day {i} (SAMPLE)\n\nSAMPLE ARTICLE written for this test, number {i}. Negotiators met "
            f"for the {i}th time and said the ceasefire was holding in district {i}; observers counted {i * 3} "
            "reports and no new incidents along the line.\n", encoding="utf-8")
    from flows.ingest import ingest_flow

    gc.collect()
    gc.disable()
    try:
        summary = ingest_flow(config_path=str(tmp_path / "config" / "newswatch.toml"))
        alive = sum(1 for o in gc.get_objects() if type(o) is Analysis)
    finally:
        gc.enable()
    assert summary.articles_new == 60
    assert alive == 0
