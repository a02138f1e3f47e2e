"""Feed documents parsed (and their entries normalised) in the scoring processes give what doing so in the flow's
process gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch import pipeline
from newswatch.analysis.analyzer import AnalysisPool, Analyzer
from newswatch.config import load_settings
from newswatch.models import FetchResult
from newswatch.sources.fetch import fetch_feeds

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_parallel_parse_equals_parse_here(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(project / "config" / "newswatch.toml")
    results = fetch_feeds([(f, None, None) for f in settings.feeds], settings.fetch)
    assert sum(r.status == "ok" for r in results) >= 3
    results[1].body = b"<html><body>not a feed</body></html>"  # becomes an error, in its place
    results[2].status, results[2].body = "not_modified", None
    expected = pipeline.parse_and_normalize([_copy(r) for r in results], settings, NOW)
    entries, _ = pipeline.parse_results([_copy(r) for r in results], settings)
    assert expected[0] == pipeline.normalize_entries(entries, NOW) and len(expected[0]) == len(entries) > 0
    monkeypatch.setattr(pipeline, "START_PARSE_BYTES", 0)  # the samples are small: spread them anyway
    monkeypatch.setattr(pipeline, "PARALLEL_PARSE_BYTES", 0)
    sent = [_copy(r) for r in results]
    with AnalysisPool(Analyzer.from_settings(settings), 2) as pool:
        pool.start()  # so that the worker processes parse every part (the first map would do some here)
        got = pipeline.parse_results_parallel(sent, settings, pool.map, NOW, running=pool.running)
    assert got == expected
    # The documents were parsed from copies in the processes; the flow's own bytes are let go as after parsing here
    # (after an ingest with the garbage collector off, every fetch result was still alive: a reference cycle holds
    # the fetch task's results until a full collection).
    assert all(r.body is None for r in sent)
    assert [r.status for r in got[1]] == ["ok", "error", "not_modified", "ok"]


def test_a_quiet_group_starts_no_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A rerun: every feed answered 304, nothing to parse; and a small group is parsed here.
    settings = load_settings(project / "config" / "newswatch.toml")
    results = fetch_feeds([(f, None, None) for f in settings.feeds], settings.fetch)
    quiet = [_copy(r) for r in results]
    for r in quiet:
        r.status, r.body = "not_modified", None  # type: ignore[attr-defined]
    monkeypatch.setattr(pipeline, "START_PARSE_BYTES", sum(len(r.body or b"") for r in results) + 1)
    with AnalysisPool(Analyzer.from_settings(settings), 2) as pool:
        assert pipeline.parse_results_parallel(quiet, settings, pool.map, NOW, running=False) == ([], quiet)
        entries, _ = pipeline.parse_results_parallel(results, settings, pool.map, NOW, running=False)
        assert pool._pool is None
    assert entries


def test_a_mid_size_group_starts_no_process_but_uses_running_ones(project: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Starting the processes costs about a second: a group above PARALLEL_PARSE_BYTES but below
    # START_PARSE_BYTES is parsed here when they are not running (a scheduled run with few new articles never
    # needs them), and spread over them once they run (a first run scores thousands of articles anyway).
    settings = load_settings(project / "config" / "newswatch.toml")
    results = fetch_feeds([(f, None, None) for f in settings.feeds], settings.fetch)
    size = sum(len(r.body or b"") for r in results)
    monkeypatch.setattr(pipeline, "PARALLEL_PARSE_BYTES", 0)
    monkeypatch.setattr(pipeline, "START_PARSE_BYTES", size + 1)
    with AnalysisPool(Analyzer.from_settings(settings), 2) as pool:
        here = pipeline.parse_results_parallel([_copy(r) for r in results], settings, pool.map, NOW,
                                               running=pool.running)
        assert not pool.running
        pool.map(_loaded_in_worker, [1, 2])  # something else started them
        spread = pipeline.parse_results_parallel([_copy(r) for r in results], settings, pool.map, NOW,
                                                 running=pool.running)
    assert spread == here and here[0]


def _copy(result: FetchResult) -> FetchResult:
    import copy

    return copy.copy(result)


def _loaded_in_worker(items: list[int]) -> list[int]:
    from newswatch.analysis.actors.model import shipped_model

    return [shipped_model.cache_info().currsize for _ in items]


def test_scoring_processes_start_with_the_model_loaded(project: Path) -> None:
    # The forkserver imported newswatch/analysis/warm.py: workers forked from it have the model before any work.
    settings = load_settings(project / "config" / "newswatch.toml")
    with AnalysisPool(Analyzer.from_settings(settings), 2) as pool:
        pool.start()  # else the first map does its first parts here while they start
        assert pool.map(_loaded_in_worker, [1, 2, 3, 4]) == [1, 1, 1, 1]


def test_parallel_normalise_equals_normalise_here(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The entries of every sample feed, normalised in the scoring processes: the same articles, in the same order,
    # and prepare_articles folds the same duplicates either way.

    settings = load_settings(project / "config" / "newswatch.toml")
    results = fetch_feeds([(f, None, None) for f in settings.feeds], settings.fetch)
    entries, _ = pipeline.parse_results(results, settings)
    entries += entries[:3]  # exact copies, folded as duplicates
    now = datetime(2026, 1, 2, tzinfo=UTC)
    expected = pipeline.normalize_entries(entries, now)
    here = pipeline.prepare_articles(pipeline.normalize_entries(entries, now), _EmptyStore(), "run", now)
    monkeypatch.setattr(pipeline, "START_NORMALIZE_CHARS", 0)  # the samples are small: spread them anyway
    with AnalysisPool(Analyzer.from_settings(settings), 2) as pool:
        # Started first: the call that starts them works through parts here while they start, and on a loaded
        # machine it could finish them all first (tests/integration/test_pool_start.py covers that path).
        pool.start()
        spread_articles = pipeline.normalize_parallel(entries, now, pool.map, running=False)
        assert spread_articles == expected
        assert pool._pool is not None  # it did use the worker processes
        spread = pipeline.prepare_articles(spread_articles, _EmptyStore(), "run", now)
    assert spread == here
    assert here.duplicates >= 3 and len(here.new) == len(entries) - here.duplicates


class _EmptyStore:
    """pipeline.KnownArticles for a store that holds nothing yet."""

    def stored_versions(self, ids: object) -> dict[str, object]:
        return {}

    def existing_hashes(self, hashes: object) -> dict[str, str]:
        return {}

    def recent_simhashes(self, since: object) -> list[tuple[str, int]]:
        return []


def test_a_small_run_is_scored_here_and_the_same_as_in_the_processes(project: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample feeds' new articles are a few hundred KB of text: scoring them here takes less than starting the
    # processes (about 1.2 s) and sharing the work, so a small scheduled run never starts them. Once they run,
    # or above START_ANALYZE_CHARS, the work goes to them. Either way the analyses are the same.

    settings = load_settings(project / "config" / "newswatch.toml")
    results = fetch_feeds([(f, None, None) for f in settings.feeds], settings.fetch)
    entries, _ = pipeline.parse_results(results, settings)
    articles = pipeline.prepare_articles(pipeline.normalize_entries(entries, NOW), _EmptyStore(), "run", NOW).new
    assert len(articles) >= 16
    assert pipeline.analyze_here(articles, running=False)
    assert not pipeline.analyze_here(articles, running=True)
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "START_ANALYZE_CHARS", sum(len(a.title) + len(a.text) for a in articles))
        assert not pipeline.analyze_here(articles, running=False)
    with AnalysisPool(Analyzer.from_settings(settings), 2) as pool:
        here = pool.analyze(articles, here=True)
        assert not pool.running
        spread = pool.analyze(articles)
        assert pool.running
    assert here == spread and len(here) == len(articles)
