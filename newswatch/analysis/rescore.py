"""Bringing stored actor tones to the current model (`newswatch rescore --actors`): stored articles are analysed
again in batches and only their mentions and actor tones are rewritten, each batch in one transaction.

Plain functions over a store (no prefect, no duckdb); the command line publishes the read copy afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
                        last: datetime | None = None, batch: int = BATCH) -> Rescored:
    """Mentions and actor tones of the articles published in [first, last), with the current model."""
    ids = store.article_ids_published(first, last)
    articles = tones = 0
    for i in range(0, len(ids), batch):
        analyses = analyzer.analyze_many(store.load_articles(ids[i : i + batch]))
        articles += store.replace_actor_tones(analyses)
        tones += sum(len(an.actor_tones) for an in analyses)
    return Rescored(articles, tones)
