"""AnalysisPool.submit: a batch scored in the background, as the ingest submits its batches (two in analysis while it
stores one). Real scoring processes; SAMPLE texts written for these tests."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.analysis import analyzer as analyzer_mod
from newswatch.analysis.analyzer import AnalysisPool, Analyzer
from newswatch.config import load_settings
from newswatch.models import Article, RawEntry
from newswatch.text.normalize import normalize_entry

WHEN = datetime(2025, 5, 10, 9, tzinfo=UTC)


def _articles(n: int, tag: str) -> list[Article]:
    return [normalize_entry(RawEntry(
        source="sample", outlet="Sample Wire (SAMPLE)", title=f"Harbour talks, round {i} ({tag}, SAMPLE)",
        summary=f"SAMPLE ARTICLE written for this test. Negotiators from Pakistan and India met for round {i} and "
                f"said the ceasefire was holding; observers counted {i * 3} calm days along the line.",
        published=WHEN, link=f"http://sample.invalid/{tag}/{i}"), WHEN) for i in range(n)]


@pytest.fixture
def analyzer(project: Path) -> Analyzer:
    return Analyzer.from_settings(load_settings(project / "config" / "newswatch.toml"))


def _key(analyses: list) -> list:
    return [(a.article_id, a.tone, [(m.actor_id, m.start) for m in a.mentions], a.simhash) for a in analyses]


def test_submitted_batches_come_back_whole_and_in_order(analyzer: Analyzer) -> None:
    batches = [_articles(40, f"b{k}") for k in range(3)]
    expected = [_key(analyzer.analyze_many(b)) for b in batches]
    with AnalysisPool(analyzer, 2) as pool:
        futures = [pool.submit(b) for b in batches]  # all three in flight at once
        got = [_key(f.result(120)) for f in futures]
        here = pool.submit(batches[0], here=True).result(120)  # a small run's batch, scored in this process
    assert got == expected
    assert _key(here) == expected[0]


def test_a_failing_batch_fails_its_future_only(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = _articles(20, "bad")
    real = analyzer.analyze_many

    def analyze_many(articles: list[Article]) -> list:
        if any("bad" in a.title for a in articles):
            raise ValueError("no analysis for this batch")
        return real(articles)

    monkeypatch.setattr(analyzer, "analyze_many", analyze_many)
    with AnalysisPool(analyzer, 2) as pool:
        failing = pool.submit(bad, here=True)
        fine = pool.submit(_articles(20, "ok"), here=True)
        with pytest.raises(ValueError, match="no analysis for this batch"):
            failing.result(120)
        assert len(fine.result(120)) == 20


def test_closing_the_pool_cancels_batches_not_begun_and_submit_then_refuses(
        analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that fails while batches wait (a storage error, say) leaves the pool at once: the waiting batches are
    dropped, the one in analysis ends, and nothing is left running."""
    monkeypatch.setattr(analyzer_mod, "SUBMIT_THREADS", 1)
    began, release = threading.Event(), threading.Event()
    real = analyzer.analyze_many

    def analyze_many(articles: list[Article]) -> list:
        began.set()
        release.wait(60)
        return real(articles)

    monkeypatch.setattr(analyzer, "analyze_many", analyze_many)
    pool = AnalysisPool(analyzer, 2)
    with pool:
        first = pool.submit(_articles(5, "first"), here=True)
        waiting = [pool.submit(_articles(5, f"w{k}"), here=True) for k in range(3)]
        assert began.wait(60)
        threading.Timer(0.5, release.set).start()
    assert len(first.result(0)) == 5  # the batch in analysis finished before the pool closed
    for future in waiting:
        assert future.cancelled()
        with pytest.raises(CancelledError):
            future.result(0)
    assert not [t for t in threading.enumerate() if t.name.startswith("newswatch-scoring")]
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(_articles(1, "late"))
