"""Bringing stored actor tones to the current model (`newswatch rescore --actors`): stored articles are analysed
again in batches and only their mentions and actor tones are rewritten, each batch in one transaction.

Plain functions over a store (no prefect, no duckdb); the command line publishes the read copy afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from newswatch.analysis.analyzer import Analyzer
from newswatch.models import Analysis, Article

BATCH = 500


class ActorToneStore(Protocol):
    def article_ids_published(self, first: datetime | None, last: datetime | None) -> list[str]: ...
    def load_articles(self, ids: Iterable[str]) -> list[Article]: ...
    def replace_actor_tones(self, analyses: Sequence[Analysis]) -> int: ...


@dataclass(frozen=True)
class Rescored:
    articles: int
    actor_tones: int


def rescore_actor_tones(store: ActorToneStore, analyzer: Analyzer, first: datetime | None = None,
                        last: datetime | None = None, batch: int = BATCH,
                        analyze: Callable[[list[Article]], list[Analysis]] | None = None) -> Rescored:
    """Mentions and actor tones of the articles published in [first, last), with the current model.

    `analyze` (default: `analyzer.analyze_many` here) may spread a batch over processes (`AnalysisPool.analyze`);
    the next batch is analysed while this one is written, so the store's writes and the analysis overlap. Batches
    are written in order, each in its own transaction."""
    analyze = analyze or analyzer.analyze_many
    ids = store.article_ids_published(first, last)
    chunks = [ids[i : i + batch] for i in range(0, len(ids), batch)]
    articles = tones = 0
    with ThreadPoolExecutor(1, thread_name_prefix="rescore") as ahead:
        pending = ahead.submit(analyze, store.load_articles(chunks[0])) if chunks else None
        for k in range(len(chunks)):
            assert pending is not None
            analyses = pending.result()
            # Loaded here, between writes: the store's connection is only ever used from this thread.
            pending = ahead.submit(analyze, store.load_articles(chunks[k + 1])) if k + 1 < len(chunks) else None
            articles += store.replace_actor_tones(analyses)
            tones += sum(len(an.actor_tones) for an in analyses)
    return Rescored(articles, tones)
