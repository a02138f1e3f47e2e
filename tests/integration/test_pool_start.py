"""The first map over the scoring processes: this process works through the parts while they start
(AnalysisPool._map_while_starting), and the results are the same, in the same order, whoever did each part."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from newswatch import pipeline
from newswatch.analysis.analyzer import STARTING_PARTS, AnalysisPool, Analyzer
from newswatch.config import load_settings
from newswatch.sources.fetch import fetch_feeds

_POOL: AnalysisPool | None = None  # set in this process only: the workers import this module without it


def _tagged(part: list[int]) -> list[tuple[int, int]]:
    if _POOL is not None:  # here, the first part waits until the workers have answered
        assert _POOL._ready.wait(120)
    return [(os.getpid(), x) for x in part]


def _failing(part: list[int]) -> list[int]:
    raise ValueError(f"bad part {part[0]}")


@pytest.fixture
def analyzer(project: Path) -> Analyzer:
    return Analyzer.from_settings(load_settings(project / "config" / "newswatch.toml"))


def test_parts_done_here_while_the_workers_start_and_the_rest_there_keep_their_order(
        analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    items = list(range(100))
    with AnalysisPool(analyzer, 2) as pool:
        monkeypatch.setitem(globals(), "_POOL", pool)
        got = pool.map(_tagged, items)
        monkeypatch.setitem(globals(), "_POOL", None)
        later = pool.map(_tagged, items)  # the workers run: every part goes to them
    assert [x for _, x in got] == items and [x for _, x in later] == items
    here = os.getpid()
    first = [x for pid, x in got if pid == here]
    assert first == items[: len(first)] and 0 < len(first) < len(items)  # the first part here, in order
    assert all(pid != here for pid, x in got if x not in first)
    assert all(pid != here for pid, _ in later)
    assert len({pid for pid, _ in got} - {here}) >= 1


def test_a_part_that_fails_here_fails_the_call(analyzer: Analyzer) -> None:
    with AnalysisPool(analyzer, 2) as pool, pytest.raises(ValueError, match="bad part 0"):
        pool.map(_failing, list(range(10)))


def test_parse_while_starting_equals_parse_here(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                analyzer: Analyzer) -> None:
    settings = load_settings(project / "config" / "newswatch.toml")
    results = fetch_feeds([(f, None, None) for f in settings.feeds], settings.fetch)
    assert sum(r.status == "ok" for r in results) >= 3
    expected = pipeline.parse_results([dataclasses.replace(r) for r in results], settings)
    monkeypatch.setattr(pipeline, "START_PARSE_BYTES", 0)
    with AnalysisPool(analyzer, 2) as pool:
        assert not pool.running
        got = pipeline.parse_results_parallel([dataclasses.replace(r) for r in results], settings, pool.map,
                                              running=pool.running)
    assert got == expected
    assert STARTING_PARTS >= 2


def test_workers_that_cannot_start_fail_the_call_that_needs_them(analyzer: Analyzer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The error of starting the workers reaches the caller that still has parts for them (here: the analyzer
    cannot be sent to them), not a thread nobody reads."""
    analyzer.min_scores = {"unpicklable": lambda: 0.0}  # type: ignore[dict-item]
    with AnalysisPool(analyzer, 2) as pool:
        monkeypatch.setitem(globals(), "_POOL", pool)
        with pytest.raises(Exception, match="pickle"):
            pool.map(_tagged, list(range(20)))
