"""Stories: groups of articles, usually from different outlets, that report the same event.

Pure computation with lexical methods that run anywhere (no models, no downloads); never reads files or storage.

Method (single pass, in publication order, so the result does not depend on input order):

1. Each article becomes a TF-IDF vector of its title (counted twice: headlines name the event) and its lead (the
   first `LEAD_WORDS` words of the text). Tokens are lowercased words without stopwords (`text.terms`); term
   weight is (1 + ln tf) * idf, with idf from the store's corpus statistics (`text.corpus_stats`: every stored
   article plus an English prior), so common words weigh little and the specifics of an event (place names,
   "air bases", "hotline") weigh a lot, on the same scale whatever else is being clustered. Vectors keep their
   `MAX_TERMS` heaviest terms.
2. Articles are visited oldest first. An article joins an open story when
   - its simhash (`StoryItem.simhash`, else computed from title and text) is within `DUPLICATE_BITS` of a
     member's: a syndicated copy always joins its original's story; or
   - its cosine to the story's centroid (the sum of its members' vectors, i.e. average link) is at least
     `threshold`; the most similar story wins.
   A story is open to an article published no later than `window` after the story's first article, so a
   week-long crisis splits into its day-to-day events instead of one chain.
   Otherwise the article starts a new story.
3. A story's headline is the title of its most central member (highest cosine to the centroid; members within
   `CENTRAL_MARGIN` of the best count as tied and the earliest wins). Its id is "story-" + the first 16 hex
   digits of sha1(earliest article_id), so the id stays when later articles join.

The threshold and vector sizes were chosen on real labelled events (giveme5w1h-public, dated) and confirmed on
another set (wikinews-galaxy): `newswatch eval stories PATH` prints the figures (docs/methods.md, "Stories").
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from operator import mul

from newswatch.models import Story, StoryItem
from newswatch.text.corpus_stats import CorpusStats, tfidf_vector
from newswatch.text.dedup import BandIndex, simhash
from newswatch.text.language import is_scored_language
from newswatch.text.terms import content_terms, leading_tokens, tokenize

# Chosen on giveme5w1h-public (dated events), confirmed on wikinews-galaxy (docs/methods.md, "Stories").
THRESHOLD = 0.12
TITLE_WEIGHT = 2
LEAD_WORDS = 150
MAX_TERMS = 60
DUPLICATE_BITS = 3
CENTRAL_MARGIN = 0.05


@dataclass(slots=True)
class _Open:
    first: datetime
    members: list[int] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0  # squared length of the centroid, kept up to date by _add


def story_vector(item: StoryItem, stats: CorpusStats) -> dict[str, float]:
    """TF-IDF vector of an article's headline (counted twice) and lead, weighted by the corpus statistics; empty
    for an article in another language than English, whose function words the English stopwords and prior would
    count as content (two Spanish reports of unrelated events merged through "que, el, una, la"): such an article
    joins a story only as a copy (simhash), and no article joins its story by words."""
    if not is_scored_language(item.language):
        return {}
    lead = leading_tokens(item.text, LEAD_WORDS)
    title = tokenize(item.title)
    return tfidf_vector(content_terms([*title * TITLE_WEIGHT, *lead]), stats, MAX_TERMS)


_ZEROS = repeat(0.0)  # the default of every centroid lookup (map stops at the vector's end)


def _cosine(vec: dict[str, float], story: _Open) -> float:
    """The cosine of a unit vector to the story's centroid: sum(w * centroid.get(t, 0.0) for t, w in
    vec.items()) / |centroid|, with the lookups and products made by map in C. The same products summed in the
    same order (the vector's), so the same float (tests/unit/test_fast_paths.py)."""
    if story.norm2 <= 0.0:
        return 0.0
    return sum(map(mul, vec.values(), map(story.centroid.get, vec, _ZEROS))) / math.sqrt(story.norm2)


def _add(story: _Open, vec: dict[str, float]) -> None:
    centroid = story.centroid
    for t, w in vec.items():
        old = centroid.get(t, 0.0)
        centroid[t] = old + w
        story.norm2 += (old + w) ** 2 - old * old


def story_id_for(article_id: str) -> str:
    """The id of the story whose earliest article is `article_id`."""
    return "story-" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:16]


def cluster_stories(
    items: Iterable[StoryItem],
    window: timedelta = timedelta(hours=48),
    threshold: float = THRESHOLD,
    stats: CorpusStats | None = None,
    placed: Mapping[str, tuple[str, datetime]] | None = None,
) -> list[Story]:
    """Group articles about the same event; every article lands in exactly one story (possibly alone).

    Term weights come from `stats` (the store's corpus statistics; the prior alone when None), never from the
    articles being clustered, so the same article pair scores the same whatever else is in the batch.
    `placed` (article_id -> (key, first_seen)) puts articles already in a story there instead of choosing: the
    articles with one key form one story, open until `window` after its real first_seen (which may be earlier
    than any of them), and other articles may join it as they would any story. This is how a stored story that
    began before a re-clustered range is continued with its real start (analysis/stored_stories.py).
    Returns stories ordered by first_seen, then story_id.
    """
    given = list(items)
    for it in given:
        if it.published_at.tzinfo is None or it.published_at.utcoffset() is None:
            raise ValueError(
                f"article {it.article_id!r}: published_at must be timezone-aware, got {it.published_at}"
            )
    ordered = sorted(given, key=lambda it: (it.published_at, it.article_id))
    seen: set[str] = set()
    unique: list[StoryItem] = []
    for it in ordered:  # an article listed twice counts once
        if it.article_id not in seen:
            seen.add(it.article_id)
            unique.append(it)
    stats = stats if stats is not None else CorpusStats()
    vectors = [story_vector(it, stats) for it in unique]
    hashes = [it.simhash if it.simhash is not None else simhash(f"{it.title}\n{it.text}") for it in unique]
    stories: list[_Open] = []
    active: list[int] = []  # indexes into stories still open to new articles, oldest first
    copies = BandIndex(DUPLICATE_BITS)  # story index -> its members' fingerprints
    by_key: dict[str, int] = {}  # a placed story's key -> its index
    for i, it in enumerate(unique):
        active = [s for s in active if it.published_at - stories[s].first <= window]
        chosen: int | None = None
        fixed = placed.get(it.article_id) if placed else None
        if fixed is not None:
            chosen = by_key.get(fixed[0])
            if chosen is None:
                stories.append(_Open(first=min(fixed[1], it.published_at)))
                chosen = by_key[fixed[0]] = len(stories) - 1
                active.append(chosen)
        elif hashes[i]:
            # The oldest open story with a member this article copies (stories are numbered oldest first).
            chosen = copies.first_near(hashes[i], set(active))
        if chosen is None and vectors[i]:
            best = threshold
            for s in active:
                score = _cosine(vectors[i], stories[s])
                if score >= best and (chosen is None or score > best):
                    best, chosen = score, s
        if chosen is None:
            stories.append(_Open(first=it.published_at))
            chosen = len(stories) - 1
            active.append(chosen)
        story = stories[chosen]
        story.members.append(i)
        if hashes[i]:
            copies.add(chosen, hashes[i])
        _add(story, vectors[i])

    out: list[Story] = []
    for story in stories:
        members = [unique[m] for m in story.members]
        first = min(story.first, members[0].published_at)
        closeness = [_cosine(vectors[m], story) for m in story.members]
        # Members within CENTRAL_MARGIN of the most central count as equally central; the earliest of them
        # wins, as a first report usually carries the plainest headline (not "Live updates: ...").
        central = next(k for k, c in enumerate(closeness) if c >= max(closeness) - CENTRAL_MARGIN)
        outlets = list(dict.fromkeys(m.outlet for m in members))
        out.append(
            Story(
                story_id=story_id_for(members[0].article_id),
                article_ids=[m.article_id for m in members],
                outlets=outlets,
                headline=members[central].title,
                first_seen=first,
                last_seen=max(m.published_at for m in members),
                size=len(members),
            )
        )
    out.sort(key=lambda s: (s.first_seen, s.story_id))
    return out
