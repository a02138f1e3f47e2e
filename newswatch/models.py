"""Plain records passed between stages. No I/O here, no Prefect, no duckdb.

The pipeline is: sources (fetch/inbox) -> parse -> normalize -> dedup -> analyse (tone, actors, topics)
-> storage -> digest. Every stage takes and returns these records, in batches.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from itertools import starmap
from typing import Any, Literal, TypeVar

FetchStatus = Literal["ok", "not_modified", "error"]
TextSource = Literal["feed", "summary", "file", "page", "none"]
_R = TypeVar("_R")


def pickled_as_tuple(cls: type[_R]) -> type[_R]:
    """Pickle a slots dataclass as (class, field values): the analyses come back from the scoring processes by
    pickle, and the dataclass default (a state list set field by field) costs twice as much per object to write
    and about 40% more to read (tests/unit/test_models_pickle.py checks the round trip)."""
    values = operator.attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[_R], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@dataclass(slots=True)
class FetchResult:
    """One attempt to get one feed document, over HTTP or from disk."""

    feed: str                      # feed name from config
    url: str
    status: FetchStatus
    fetched_at: datetime           # tz-aware UTC
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)   # lower-case names
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    error_kind: str | None = None  # one of fetch.ERROR_KINDS when status == "error"
    error: str | None = None       # human-readable cause
    retry_after: float | None = None  # seconds, from Retry-After
    elapsed: float = 0.0
    final_url: str | None = None


@dataclass(slots=True)
class RawEntry:
    """An item as a source delivered it, before normalisation."""

    source: str                    # feed name, or "inbox"
    outlet: str                    # who published it (feed's outlet, or the inbox file's declared outlet)
    title: str = ""
    summary: str = ""              # may contain HTML
    content: str = ""              # full text if the source carried it (may contain HTML)
    link: str | None = None
    guid: str | None = None
    published: datetime | None = None   # tz-aware UTC if known
    language: str | None = None
    author: str | None = None
    origin: str | None = None      # file path or feed URL it came from
    text_source: TextSource = "feed"
    plain: bool = False            # title and content are plain text as written (a .txt or .md file): never HTML


@dataclass(slots=True)
class Article:
    """A normalised article. `article_id` is stable: derived from canonical URL, else guid, else content hash."""

    article_id: str
    source: str
    outlet: str
    url: str | None                # canonical URL (no fragment, no tracking parameters)
    guid: str | None
    title: str
    summary: str                   # plain text
    text: str                      # plain text used for scoring (body, else summary, else title)
    text_source: TextSource
    published_at: datetime         # tz-aware UTC
    published_estimated: bool      # True when the source gave no date and first-seen time stands in
    first_seen_at: datetime
    language: str | None
    content_hash: str              # sha1 of normalised title + text
    origin: str | None = None


@pickled_as_tuple
@dataclass(slots=True)
class Sentence:
    index: int
    start: int                     # char offsets into Article.text (end exclusive)
    end: int
    text: str
    compound: float
    pos: float
    neu: float
    neg: float


@pickled_as_tuple
@dataclass(slots=True)
class Tone:
    """Aggregated tone of a set of sentences (mean of sentence scores; sd of compound)."""

    n_sentences: int
    compound: float
    pos: float
    neu: float
    neg: float
    compound_sd: float = 0.0


@pickled_as_tuple
@dataclass(slots=True)
class Mention:
    actor_id: str
    surface: str                   # the text as it appeared
    via: str                       # name | alias | demonym | role | possessive
    sentence_index: int            # -1 for the headline
    start: int                     # char offsets into Article.text (or title when sentence_index == -1)
    end: int
    tone: float | None = None      # tone toward this mention, -1..1 (text mentions of scored articles)


@pickled_as_tuple
@dataclass(slots=True)
class ActorTone:
    actor_id: str
    mentions: int
    sentences: int                 # sentences that mention the actor
    compound: float                # actor-level tone (method in docs/methods.md)
    label: Literal["negative", "neutral", "positive"] = "neutral"
    method: str = ""               # how the tone was computed: "model" (trained) or "vader-window"
    model_version: str = ""        # the model's version, so stored tones can be brought to the current one


@pickled_as_tuple
@dataclass(slots=True)
class TopicMatch:
    topic: str
    score: float                   # 0..1
    via: str                       # keywords | seed | keywords+seed | seed-file


@dataclass(slots=True)
class Analysis:
    """Everything computed from one article's text; written to storage together with the article."""

    article_id: str
    sentences: list[Sentence]
    tone: Tone
    mentions: list[Mention]
    actor_tones: list[ActorTone]
    candidates: dict[str, int]     # capitalised names not in the registry -> count
    topics: list[TopicMatch]
    simhash: int = 0               # 64-bit simhash of the text, for near-duplicate detection
    terms: frozenset[str] = frozenset()  # distinct content terms of title and text, for corpus statistics


_TERM_SEP = "\x00"
_MENTION = operator.attrgetter(*(f.name for f in fields(Mention)))
_ACTOR_TONE = operator.attrgetter(*(f.name for f in fields(ActorTone)))
_TOPIC = operator.attrgetter(*(f.name for f in fields(TopicMatch)))
_TONE = operator.attrgetter(*(f.name for f in fields(Tone)))


def _analysis_reduce(self: Analysis) -> tuple[Any, tuple[Any, ...]]:
    """Pickle an analysis by columns: each analysis comes back from a scoring process by pickle, and writing its
    25-odd sentences one object at a time (a Python call each) and its 150-odd terms one string at a time was about
    half of writing it. Sentences go as one list per field, mentions and the other small records as plain tuples,
    the terms as one string joined on NUL (as a frozenset if a term holds NUL). `_analysis_from_columns` makes the
    same records again (tests/unit/test_models_pickle.py)."""
    sents = self.sentences
    terms: str | frozenset[str] = self.terms
    if terms:
        joined = _TERM_SEP.join(terms)
        if joined.count(_TERM_SEP) == len(terms) - 1:  # else a term holds NUL: the set as it is
            terms = joined
    return _analysis_from_columns, (
        self.article_id,
        [s.index for s in sents], [s.start for s in sents], [s.end for s in sents], [s.text for s in sents],
        [s.compound for s in sents], [s.pos for s in sents], [s.neu for s in sents], [s.neg for s in sents],
        _TONE(self.tone), list(map(_MENTION, self.mentions)), list(map(_ACTOR_TONE, self.actor_tones)),
        self.candidates, list(map(_TOPIC, self.topics)), self.simhash, terms)


def _analysis_from_columns(article_id: str, index: list[int], start: list[int], end: list[int], text: list[str],
                           compound: list[float], pos: list[float], neu: list[float], neg: list[float],
                           tone: tuple[Any, ...], mentions: list[tuple[Any, ...]], actor_tones: list[tuple[Any, ...]],
                           candidates: dict[str, int], topics: list[tuple[Any, ...]], simhash: int,
                           terms: str | frozenset[str]) -> Analysis:
    return Analysis(
        article_id, list(map(Sentence, index, start, end, text, compound, pos, neu, neg)), Tone(*tone),
        list(starmap(Mention, mentions)), list(starmap(ActorTone, actor_tones)), candidates,
        list(starmap(TopicMatch, topics)), simhash,
        frozenset(terms.split(_TERM_SEP)) if isinstance(terms, str) else terms)


Analysis.__reduce__ = _analysis_reduce  # type: ignore[method-assign,assignment]


@dataclass(slots=True)
class RenderedDigest:
    """A digest ready to write or mail. The HTML references charts as `cid:NAME`; `images` maps NAME to PNG."""

    digest_date: date
    subject: str
    html: str
    text: str
    markdown: str = ""
    images: dict[str, bytes] = field(default_factory=dict)


# The kind of a search feed (newswatch.sources.search_feeds) in the feeds table: a query over the provider's last
# day, not a feed listing its last few dozen items (the digest reads its fetches differently).
SEARCH_KIND = "search"
STORED_HEADLINE = 500  # a story's headline is stored cut to this many characters (table story)


@dataclass(slots=True)
class StoryItem:
    article_id: str
    outlet: str
    title: str
    text: str
    published_at: datetime  # tz-aware
    # The article's simhash if already computed (Analysis.simhash); computed from title and text when None.
    simhash: int | None = None
    # Its language (declared or detected); None when unknown. Only English (or unknown) articles join by their words.
    language: str | None = None


@dataclass(slots=True)
class Story:
    story_id: str
    article_ids: list[str]  # oldest first
    outlets: list[str]  # distinct, in order of first report
    headline: str
    first_seen: datetime
    last_seen: datetime
    size: int


@dataclass(slots=True)
class PageFetch:
    """One attempt at an article's page: status "page" (text taken), "failed" or "skipped" (tried again later)."""

    url: str
    article_id: str
    status: str
    method: str | None
    error: str | None
    http_status: int | None
    final_url: str | None
    fetched_at: datetime


@dataclass(slots=True, frozen=True)
class StoredVersion:
    """What the store holds for an article id: the hash of its feed text and the source that first gave it."""

    content_hash: str
    source: str


@dataclass(slots=True)
class InboxFile:
    """An inbox file as read this run: `entries` articles found, or `failed` when it could not be read; `retry`
    when the cause was not its content (permissions, a vanished file), so the next run reads it again even if
    it has not changed."""

    path: str
    size: int
    mtime: float
    entries: int = 0
    failed: bool = False
    retry: bool = False


@dataclass(frozen=True)
class EvidenceRow:
    """One row of evidence behind one flag of a day's digest (table evidence, view flag_evidence)."""

    digest_date: date
    flag_no: int                    # the flag's place in the digest's "What changed"
    topic: str | None
    flag: str                       # spike | drop | harsher | warmer | new name | first seen
    subject: str | None             # the actor or name the flag is about
    kind: str                       # story | outlet | article | sentence | first_article
    rank: int                       # 1 = contributed most
    article_id: str | None = None
    sentence_index: int | None = None
    story_id: str | None = None
    outlet: str | None = None
    contribution: float | None = None
    tone: float | None = None
    articles: int | None = None
    baseline: float | None = None
    mark_start: int | None = None
    mark_end: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TermCounts:
    """The stored corpus statistics as storage reads them: each term's 64-bit key (`corpus_stats.term_key`, which is
    DuckDB's md5_number_lower(term)) in ascending order and the number of stored articles that contain it, as two
    numpy arrays (uint64, int64) rather than one Python object per term; `n_docs` articles were counted."""

    keys: Any
    counts: Any
    n_docs: int
