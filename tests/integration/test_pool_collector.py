"""The scoring processes run with the garbage collector quiet for their whole life (newswatch/gcwork.py)."""

from __future__ import annotations

import gc
from pathlib import Path

from newswatch.analysis.analyzer import AnalysisPool, Analyzer
from newswatch.config import load_settings
from newswatch.gcwork import RUN_THRESHOLDS


def _collector_state(items: list[int]) -> list[tuple[tuple[int, int, int], int]]:
    return [(gc.get_threshold(), gc.get_freeze_count()) for _ in items]


def test_a_scoring_process_freezes_what_it_was_forked_with_and_this_process_is_left_alone(project: Path) -> None:
    """`gcwork.quiet_worker`, from the pool's initializer: the lexicons, model and analyzer a scoring process
    starts with are frozen and its youngest generation is larger; the process that starts the pool is unchanged."""
    analyzer = Analyzer.from_settings(load_settings(project / "config" / "newswatch.toml"))
    before = gc.get_threshold(), gc.get_freeze_count()
    with AnalysisPool(analyzer, 2) as pool:
        pool.start()  # else the first map does its first parts here while they start
        states = pool.map(_collector_state, list(range(8)))
        assert pool._pool is not None  # it did run in the worker processes
    assert len(states) == 8
    assert all(threshold == RUN_THRESHOLDS and frozen > 10_000 for threshold, frozen in states)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
