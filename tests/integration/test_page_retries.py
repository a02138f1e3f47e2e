"""Pages left for later runs (retry_pages) against a real store and a loopback server: a page the run's budget
never reached is not charged an attempt, and goes first next run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newswatch.config import FulltextSettings
from newswatch.models import Analysis, Article, PageFetch, Tone
from newswatch.sources import fulltext
from storage.db import Database
from storage.store import Store
from tests.support.httpserver import LOOPBACK, LoopbackServer, header_drip

WHEN = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)


def summary_article(i: int, url: str) -> Article:
    text = "A short summary of the harbour committee's meeting."
    return Article(article_id=f"id{i}", source="feed-a", outlet="Outlet A", url=url, guid=None,
                   title=f"Harbour committee meets {i}", summary=text, text=text, text_source="summary",
                   published_at=WHEN, published_estimated=False, first_seen_at=WHEN, language="en",
                   content_hash=f"h{i}")


def no_analysis(article: Article) -> Analysis:
    return Analysis(article_id=article.article_id, sentences=[], tone=Tone(0, 0.0, 0.0, 0.0, 0.0), mentions=[],
                    actor_tones=[], candidates={}, topics=[])


def test_pages_the_budget_never_reached_wait_their_turn_and_are_not_given_up(tmp_path: Path,
                                                                            http_server: LoopbackServer) -> None:
    """Three pages wait, one page a run may be fetched, and the site answers 503 (tried again next run). Each run
    must try another page: before, every page the limit cut off was charged an attempt with the page tried, kept
    the same place in line (all rows got the run's time; ties ordered by url), and was given up after
    MAX_PAGE_ATTEMPTS runs without one request."""
    paths = ["/a", "/b", "/c"]
    for path in paths:
        http_server.add(path, status=503, body=b"busy")
    settings = FulltextSettings(max_pages_per_run=1, per_domain_interval_seconds=0.0, respect_robots=False,
                                timeout_seconds=5, allow_networks=LOOPBACK)
    with Database(tmp_path / "n.duckdb") as db:
        store = Store(db)
        articles = [summary_article(i, http_server.url(p)) for i, p in enumerate(paths)]
        store.save_articles("run0", articles, [no_analysis(a) for a in articles], {})
        store.save_page_fetches([PageFetch(a.url or "", a.article_id, "skipped", "none", "page limit per run",
                                           None, None, WHEN) for a in articles])

        def nothing_to_score(changed: list[Article]) -> list[Analysis]:
            return []

        waiting = []
        for run in range(1, len(paths) + 1):
            budget = fulltext.PageBudget(settings)
            _, left = fulltext.retry_pages(store, budget, nothing_to_score, WHEN + timedelta(hours=run))
            waiting.append(left)
        assert [http_server.hits_for(p) for p in paths] == [1, 1, 1]
        assert waiting == [3, 3, 3]
        attempts = dict(db.query("SELECT url, attempts FROM page_fetch"))
        assert sorted(attempts.values()) == [2, 2, 2]   # the first skip, then one real try each

        # Run on until every page has had MAX_PAGE_ATTEMPTS tries: then, and only then, they are given up.
        for run in range(len(paths) + 1, len(paths) * fulltext.MAX_PAGE_ATTEMPTS + 1):
            fulltext.retry_pages(store, fulltext.PageBudget(settings), nothing_to_score, WHEN + timedelta(hours=run))
        assert [http_server.hits_for(p) for p in paths] == [fulltext.MAX_PAGE_ATTEMPTS - 1] * 3
        assert db.query("SELECT DISTINCT status FROM page_fetch") == [("failed",)]


def test_a_page_the_budget_cut_short_is_an_attempt_and_is_given_up(tmp_path: Path,
                                                                    http_server: LoopbackServer) -> None:
    """A request the time budget cut short before the site answered was made: it counts as one of the page's runs.
    Read as "not reached" (the same reason, no HTTP status), a site that never answers within a run's budget was
    asked first on every run, spent the rest of each run's budget, and was never given up."""
    http_server.route("/slow", header_drip)
    settings = FulltextSettings(per_domain_interval_seconds=0.0, respect_robots=False, timeout_seconds=5,
                                time_budget_seconds=0.3, allow_networks=LOOPBACK)
    with Database(tmp_path / "n.duckdb") as db:
        store = Store(db)
        (article,) = articles = [summary_article(0, http_server.url("/slow"))]
        store.save_articles("run0", articles, [no_analysis(a) for a in articles], {})
        store.save_page_fetches([PageFetch(article.url or "", article.article_id, "skipped", "none",
                                           "page limit per run", None, None, WHEN)])
        for run in range(1, fulltext.MAX_PAGE_ATTEMPTS + 1):
            fulltext.retry_pages(store, fulltext.PageBudget(settings), lambda changed: [], WHEN + timedelta(hours=run))
        assert http_server.hits_for("/slow") == fulltext.MAX_PAGE_ATTEMPTS - 1   # the first skip, then 4 tries
        status, error = db.query("SELECT status, error FROM page_fetch")[0]
        assert status == "failed" and "cut short by the time budget" in error
