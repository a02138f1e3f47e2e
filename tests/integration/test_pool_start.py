"""The first map over the scoring processes: this process works through the parts while they start
(AnalysisPool._map_while_starting), and the results are the same, in the same order, whoever did each part."""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch import pipeline
from newswatch.analysis import analyzer as analyzer_mod
from newswatch.analysis.analyzer import AnalysisPool, Analyzer
from newswatch.config import load_settings
from newswatch.sources.fetch import fetch_feeds

_POOL: AnalysisPool | None = None  # set in this process only: the workers import this module without it


def _tagged(part: list[int]) -> list[tuple[int, int]]:
    if _POOL is not None and _POOL._starter is not None:  # here, the first part waits until the start is over
        _POOL._starter.join(120)
        assert not _POOL._starter.is_alive()
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
    now = datetime(2026, 1, 2, tzinfo=UTC)
    expected = pipeline.parse_and_normalize([dataclasses.replace(r) for r in results], settings, now)
    monkeypatch.setattr(pipeline, "START_PARSE_BYTES", 0)
    with AnalysisPool(analyzer, 2) as pool:
        assert not pool.running
        got = pipeline.parse_results_parallel([dataclasses.replace(r) for r in results], settings, pool.map, now,
                                              running=pool.running)
    assert got == expected


def test_workers_that_cannot_start_fail_the_call_that_needs_them(analyzer: Analyzer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The error of starting the workers reaches the caller that still has parts for them (here: the analyzer
    cannot be sent to them), not a thread nobody reads."""
    analyzer.min_scores = {"unpicklable": lambda: 0.0}  # type: ignore[dict-item]
    with AnalysisPool(analyzer, 2) as pool:
        monkeypatch.setitem(globals(), "_POOL", pool)
        with pytest.raises(Exception, match="pickle"):
            pool.map(_tagged, list(range(20)))


def test_a_start_that_failed_once_does_not_fail_the_next_call(analyzer: Analyzer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Each start is its own attempt: the call that needed a failed one gets its error, the next call starts the
    processes again and works."""
    real = analyzer_mod.ProcessPoolExecutor
    calls = []

    def flaky(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("no processes this time")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analyzer_mod, "ProcessPoolExecutor", flaky)
    with AnalysisPool(analyzer, 2) as pool:
        monkeypatch.setitem(globals(), "_POOL", pool)
        with pytest.raises(OSError, match="no processes this time"):
            pool.map(_tagged, list(range(20)))
        got = pool.map(_tagged, list(range(20)))
        assert [x for _, x in got] == list(range(20))
        assert any(pid != os.getpid() for pid, _ in got)
        pool.start()  # no error left over either
    assert len(calls) == 2


def test_start_starts_every_worker(analyzer: Analyzer) -> None:
    with AnalysisPool(analyzer, 3) as pool:
        pool.start()
        assert pool._pool is not None and len(pool._pool._processes) == 3


class _SlowToSpawn(ProcessPoolExecutor):
    """Each process start takes half a second longer: the first worker has long answered its probe when the last
    probe is submitted (what a loaded machine did in CI, and start() then left a worker unstarted)."""

    def _spawn_process(self) -> None:
        super()._spawn_process()  # type: ignore[misc]
        time.sleep(0.5)


def test_start_starts_every_worker_when_the_first_answers_early(analyzer: Analyzer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer_mod, "ProcessPoolExecutor", _SlowToSpawn)
    with AnalysisPool(analyzer, 3) as pool:
        pool.start()
        assert pool._pool is not None and len(pool._pool._processes) == 3
        pool.start()  # again: the gate is ready for a second round
        assert len(pool._pool._processes) == 3


class _SecondStartFails(ProcessPoolExecutor):
    """The second process cannot start (a fork that fails: EAGAIN), after the first took its probe."""

    def _spawn_process(self) -> None:
        if self._processes:
            raise OSError("no second process")
        super()._spawn_process()  # type: ignore[misc]


def test_a_start_that_fails_midway_frees_the_probe_already_sent(analyzer: Analyzer,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The first worker's probe waits at the start barrier for a second that never comes: the failed start aborts
    the barrier, so it answers now (not after START_GATE_SECONDS) and leaving the pool does not wait for it."""
    monkeypatch.setattr(analyzer_mod, "ProcessPoolExecutor", _SecondStartFails)
    monkeypatch.setattr(analyzer_mod, "START_GATE_SECONDS", 30.0)  # sent with each probe
    with AnalysisPool(analyzer, 2) as pool:
        with pytest.raises(OSError, match="no second process"):
            pool.start()
        assert pool._gate is not None and pool._gate.broken


def test_leaving_the_pool_while_it_starts_leaves_no_process(analyzer: Analyzer) -> None:
    """A first part failing here at once: the pool is left while its starter thread is still starting the
    processes; leaving waits for it and shuts them down, and the pool cannot be started again."""
    with pytest.raises(ValueError), AnalysisPool(analyzer, 2) as pool:
        pool.map(_failing, list(range(10)))
    assert pool._starter is not None and not pool._starter.is_alive()
    assert pool._pool is None
    with pytest.raises(RuntimeError, match="closed"):
        pool.start()


_HELD: list[object] = []


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.payload = bytearray(1 << 20)


def _leave_cycle(part: list[int]) -> list[tuple[int, int, bool | None]]:
    """Leaves a reference cycle behind and says whether the one left by the previous part in this process is gone
    (None for a process's first part)."""
    import weakref

    previous_gone = (_HELD[-1]() is None) if _HELD else None  # type: ignore[operator]
    _HELD.append(weakref.ref(_Cycle()))
    return [(os.getpid(), part[0], previous_gone) for _ in part]


def test_a_part_s_cyclic_garbage_is_collected_after_it(analyzer: Analyzer) -> None:
    """The processes collect rarely (gcwork.quiet_worker): each map part is followed by a collection, so what a part
    left in cycles (feedparser's lenient parser does) is gone before the next part in the same process."""
    with AnalysisPool(analyzer, 2) as pool:
        pool.start()
        seen = pool.map(_leave_cycle, list(range(40)))
    parts = {(pid, first): gone for pid, first, gone in seen}
    later = [gone for gone in parts.values() if gone is not None]
    assert len(parts) == 4 and later and all(later)
