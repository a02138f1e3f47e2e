"""bench/run.py's settle(): when Prefect's server counts as done with earlier calls, and what a call is billed for
its records after it returns. A fake clock and a scripted server CPU stand in for the real ones (the bench itself
runs the real server: tests/integration/test_bench_smoke.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from bench import run as bench


class _Clock:
    """bench.run's `time`: sleeping moves the clock, and each window the server uses the script's next CPU."""

    def __init__(self, per_window: Iterator[float]) -> None:
        self.now = 100.0
        self.cpu = 5.0
        self.per_window = per_window

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.cpu += next(self.per_window)


def _settle(monkeypatch: pytest.MonkeyPatch, per_window: Iterator[float],
            idle_share: float = 0.0) -> tuple[float, float, list[str]]:
    clock = _Clock(per_window)
    logged: list[str] = []
    monkeypatch.setattr(bench, "time", clock)
    monkeypatch.setattr(bench, "tree_cpu_by_role", lambda: {"prefect_server": clock.cpu})
    monkeypatch.setattr(bench, "_log", lambda message, *args: logged.append(message % args))
    started = clock.now
    settled = bench.settle(idle_share)
    return settled.billed, clock.now - started, logged


def _idle() -> Iterator[float]:
    """An idle server: 2.25% of a core on average, with one window in four at 6% (over SETTLE_SHARE)."""
    return itertools.cycle([0.03, 0.005, 0.005, 0.005])


def test_a_backlog_then_idle_bursts_settles_and_bills_the_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    backlog = [0.25] * 4  # 1 s of CPU in the first 2 s
    billed, waited, logged = _settle(monkeypatch, itertools.chain(backlog, _idle()))
    assert not logged
    assert waited < 2 + bench.SETTLE_QUIET + 1  # settled about SETTLE_QUIET after the backlog
    # The backlog, and the idle bursts seen until then (conservative): never less than the backlog
    assert 1.0 - 1e-9 <= billed <= 1.0 + 0.03 * 4 + 1e-9


def test_an_idle_server_settles_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    billed, waited, logged = _settle(monkeypatch, _idle())
    assert not logged and waited <= bench.SETTLE_QUIET + bench.SETTLE_WINDOW
    assert billed <= 0.03 * 4 + 1e-9


def test_a_backlog_that_begins_as_the_stretch_ends_is_waited_for_and_billed(monkeypatch: pytest.MonkeyPatch) -> None:
    """5.5 s of an idle server, then a backlog of 1.15 s from the twelfth window on: the 6 s average is still under
    5% when it begins, but its first window is not quiet, so settle waits for it and bills it."""
    quiet = [0.005] * 11
    backlog = [0.15] + [0.25] * 4
    billed, waited, logged = _settle(monkeypatch, itertools.chain(quiet, backlog, itertools.repeat(0.005)))
    assert not logged
    assert billed == pytest.approx(0.005 * 11 + 1.15, abs=0.02)
    assert waited >= (11 + 5) * bench.SETTLE_WINDOW + bench.SETTLE_QUIET / 2


def test_a_server_that_stays_busy_is_timed_anyway_after_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    billed, waited, logged = _settle(monkeypatch, itertools.repeat(0.05))  # 10% of a core, for ever
    assert logged and "did not settle" in logged[0]
    assert bench.SETTLE_LIMIT <= waited < bench.SETTLE_LIMIT + 1
    assert billed == pytest.approx(0.05 * waited / bench.SETTLE_WINDOW)


def _polling() -> Iterator[float]:
    """An idle server on a slow hour: 9% of a core on average (0.045 s a window), one window in ten at 40%."""
    return itertools.cycle([0.2] + [0.0275] * 9)


def test_an_idle_server_that_polls_over_the_share_is_measured_and_not_billed_after_a_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a slow hour Prefect's idle server used 6-11% of a core: it never counted as settled, and each call was
    billed for 60 s of its polling (4.9 and 6.6 s of CPU in two full benches). The first settle still times out and
    measures that idle share; later settles count only what is above it."""
    clock = _Clock(_polling())
    monkeypatch.setattr(bench, "time", clock)
    monkeypatch.setattr(bench, "tree_cpu_by_role", lambda: {"prefect_server": clock.cpu})
    monkeypatch.setattr(bench, "_log", lambda message, *args: None)
    first = bench.settle()
    assert first.idle_share == pytest.approx(0.055, abs=0.001)  # the median window: under the 9% mean, conservative
    started = clock.now
    backlog = [0.25] * 4  # then a call's records: 1 s of CPU in 2 s, and the polling again
    clock.per_window = itertools.chain(backlog, _polling())
    after = bench.settle(first.idle_share)
    assert clock.now - started < 2 + bench.SETTLE_QUIET + 2  # settled, not timed out
    # the backlog, less the idle share over its 2 s, plus the polling's bursts seen until the stretch was quiet
    assert 1.0 - 0.055 * 2 - 0.05 <= after.billed <= 1.0 + 0.2 + 0.05


def test_an_idle_share_does_not_hide_a_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    """A backlog well over the idle share is waited for and billed less only the idle share over its time."""
    billed, waited, logged = _settle(monkeypatch, itertools.chain([0.25] * 8, itertools.repeat(0.02)), idle_share=0.04)
    assert not logged
    assert waited >= 4 + bench.SETTLE_QUIET / 2
    assert billed == pytest.approx(2.0 - 0.04 * 4, abs=0.03)


def test_a_backlog_s_tail_does_not_raise_the_idle_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """The idle share is the median of the last 6 s's windows: a settle that ends with a backlog's tail still in its
    stretch (3 s at 8% of a core, then 4%) measures the quiet windows, not the tail's average (4.7%)."""
    clock = _Clock(itertools.chain([0.04] * 6, itertools.repeat(0.02)))
    monkeypatch.setattr(bench, "time", clock)
    monkeypatch.setattr(bench, "tree_cpu_by_role", lambda: {"prefect_server": clock.cpu})
    monkeypatch.setattr(bench, "_log", lambda message, *args: None)
    settled = bench.settle()
    assert settled.idle_share == pytest.approx(0.04, abs=1e-6)


def test_an_idle_share_that_is_really_a_backlog_is_capped_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server busy for the whole first settle (a backlog of over a minute) would make every later backlog under 40%
    of a core look idle: its share is capped at SETTLE_IDLE_CAP, and the log says so."""
    logged: list[str] = []
    monkeypatch.setattr(bench, "_log", lambda message, *args: logged.append(message % args))
    assert bench.capped_idle_share(bench.Settled(0.0, 0.40)) == bench.SETTLE_IDLE_CAP
    assert logged and "counting 25%" in logged[0]
    assert bench.capped_idle_share(bench.Settled(0.0, 0.09)) == 0.09 and len(logged) == 1
