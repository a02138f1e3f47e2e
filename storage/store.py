"""The pipeline's reads and writes, in the project's words: one mixin per aggregate (runs, feeds, articles,
topics, stories, digests), composed here into the Store the flows use.

Built on storage.db.Database; every write is a batch inside one transaction, so a crash leaves either all of an
article's rows (article, sentences, mentions, actors, topics, sighting) or none of them. Imports nothing from
newswatch/ but the records in newswatch.models.
"""

from __future__ import annotations

from storage.articles import ArticlesMixin
from storage.db import Database
from storage.digests import DigestsMixin
from storage.feeds import FeedsMixin
from storage.runs import RunsMixin, new_run_id
from storage.stories import StoriesMixin
from storage.topics import TopicsMixin

__all__ = ["Store", "new_run_id"]


class Store(RunsMixin, FeedsMixin, ArticlesMixin, TopicsMixin, StoriesMixin, DigestsMixin):
    """Domain-level access to one newswatch database."""

    def __init__(self, db: Database) -> None:
        self.db = db
