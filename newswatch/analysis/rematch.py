"""Keep topic membership and the actor table in step with the config, over everything already stored.

Topic membership lives apart from articles, so a topic added or changed later is matched against stored text
(`newswatch rematch`, and automatically at the start of a run when a topic's definition changed).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from newswatch.analysis.analyzer import Analyzer, read_seed
from newswatch.config import Settings, TopicSettings
from newswatch.models import TermCounts, TopicMatch
from newswatch.text.corpus_stats import CorpusStats

_log = logging.getLogger("newswatch")


# A topic as stored to see what changed: (description, definition hash, seeds hash).
Definition = tuple[str, str, str]


class TopicStore(Protocol):
    """What keeping topics and actors in step with the config needs from the store."""

    def sync_actors(self, rows: Sequence[tuple[str, str, str, str | None]]) -> None: ...
    def changed_topics(self, definitions: dict[str, Definition]) -> list[str]: ...
    def save_topic_definitions(self, definitions: dict[str, Definition]) -> None: ...
    def drop_topics_not_in(self, names: Sequence[str]) -> dict[str, int]: ...
    def stored_topic_names(self) -> list[str]: ...
    def article_count(self) -> int: ...
    def iter_article_texts(self, batch: int = 2000) -> Iterator[list[tuple[str, str, str, str | None, str]]]: ...
    def replace_topic_matches(self, topics: Sequence[str], matches: Sequence[tuple[str, TopicMatch]]) -> None: ...
    def corpus_counts(self) -> TermCounts: ...


def definition_hash(definition: dict[str, Any]) -> str:
    """A short, stable hash of a topic's definition: a stored topic whose hash differs is matched again."""
    return hashlib.sha1(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()[:16]


def topic_definitions(settings: Settings) -> dict[str, Definition]:
    """Each topic's description, the hash of its definition in the config, and the hash of its seed files' texts as
    a run reads them (a seed rewritten at the same path changes the topic as much as a new path does)."""
    return {t.name: (t.description, definition_hash(_definition(t)), seeds_hash(settings, i, t))
            for i, t in enumerate(settings.topics)}


def seeds_hash(settings: Settings, index: int, topic: TopicSettings) -> str:
    """A short hash of the texts the topic's seed files give the matcher (analyzer.read_seed), in order: unchanged
    when a file is only touched or saved again with the same words."""
    texts = [read_seed(settings.resolve(seed), settings, f"topics[{index}] ({topic.name!r}).seeds[{j}]")
             for j, seed in enumerate(topic.seeds)]
    return definition_hash({"seed_texts": texts})


def _definition(topic: TopicSettings) -> dict[str, Any]:
    return topic.model_dump(mode="json", exclude={"description", "queries"})


def sync_definitions(store: TopicStore, settings: Settings, analyzer: Analyzer | None = None) -> list[str]:
    """Store actor and topic definitions; drop the topics no longer in the config (`drop_retired`); re-match the
    topics whose definition changed. Returns those topics."""
    analyzer = analyzer or _analyzer(store, settings)
    store.sync_actors([(a.id, a.name, a.kind, a.country) for a in analyzer.registry.actors])
    drop_retired(store, settings)
    definitions = topic_definitions(settings)
    changed = store.changed_topics(definitions)
    if changed and store.article_count():
        rematch(store, settings, changed, analyzer)
    store.save_topic_definitions(definitions)
    return changed


def out_of_step(store: TopicStore, settings: Settings) -> list[str]:
    """The topics whose stored memberships do not follow the config: new, edited (`changed_topics`), or gone from
    it (still stored). Cheap (no analyzer, no corpus statistics): a digest asks before it reads memberships, and
    calls `sync_definitions` only when this is not empty."""
    names = [t.name for t in settings.topics]
    gone = sorted(set(store.stored_topic_names()) - set(names))
    return store.changed_topics(topic_definitions(settings)) + gone


def drop_retired(store: TopicStore, settings: Settings) -> dict[str, int]:
    """Membership follows the config: a topic no longer in it (removed, or renamed: the old name is gone) leaves the
    `topic` table and its memberships, so no view keeps counting it (a row of zeros every later day, flagged as a
    drop against its own past). Logged on the `newswatch` logger; returns each dropped topic's memberships."""
    gone = store.drop_topics_not_in([t.name for t in settings.topics])
    for name, n in sorted(gone.items()):
        _log.warning("topic %r is no longer in the config: its %d stored memberships were removed (put it back "
                     "and the next run matches it over the stored articles again)", name, n)
    return gone


def rematch(store: TopicStore, settings: Settings, topics: list[str] | None = None,
            analyzer: Analyzer | None = None) -> int:
    """Recompute membership of `topics` (default: all) for every stored article, with the store's corpus
    statistics as an ingest weighs terms. Returns memberships written."""
    analyzer = analyzer or _analyzer(store, settings)
    names = topics if topics is not None else [t.name for t in settings.topics]
    wanted = set(names)
    matches: list[tuple[str, TopicMatch]] = []
    for rows in store.iter_article_texts():
        for article_id, title, body, origin, source in rows:
            found = analyzer.match_topics(title, body or "", origin, source)
            matches.extend((article_id, m) for m in found if m.topic in wanted)
    store.replace_topic_matches(names, matches)
    return len(matches)


def _analyzer(store: TopicStore, settings: Settings) -> Analyzer:
    """The Analyzer an ingest would build now: the config, and the store's corpus statistics (without them a seed
    topic's similarity would weigh terms by the English prior alone, as on a store's first day)."""
    return Analyzer.from_settings(settings, CorpusStats(stored=store.corpus_counts()))
