"""Topic matching: keyword rules plus lexical similarity to a topic's seed articles.

Pure computation on strings; never reads files (the caller passes the seed texts) and never downloads anything.

Text is normalised the same way for rules and articles: lowercased, dotted acronyms folded ("U.S." -> "us",
"U.K." -> "uk"), and split into letter/digit tokens (each Chinese character and kana one token:
newswatch.text.dedup.split_terms), so matching is case-insensitive, word-bounded and ignores
punctuation ("India-Pakistan" matches the phrase "india pakistan"). A rule is a word or phrase; a trailing `*`
on a word matches any word starting with it ("pakistan*" matches "pakistani"), and `|` separates alternatives
within one rule ("india | pakistan*" in `all` means either must appear).

Rules of a topic (`TopicSettings`): `any` passes when at least one appears, `all` when every one does, `none`
vetoes the topic when any appears. A topic "passes on keywords" when it has `any` or `all` rules and they pass.

Similarity (following a story from its seeds): an article becomes a TF-IDF vector of its headline (counted
twice) and text, with term weights from the store's corpus statistics (newswatch.text.corpus_stats: document
frequencies over every stored article, blended with an English prior, so the first day works too). A seed keeps
its SEED_TERMS heaviest terms. The cosine to a seed is that of the whole articles, with HEADLINE_SHARE of it taken
from the headlines' own cosine (when both have one). The nearest seed's is scaled by SIM_FULL so that a cosine of
FOLLOW_COSINE (0.18, chosen on real labelled events: docs/methods.md) scores the default min_score, 0.5.

Score, 0..1:
    none hit                    -> no match
    keywords pass               -> 0.6 + 0.4 * similarity       via "keywords" (or "keywords+seed" when
                                                                 similarity >= SEED_PASS)
    keywords absent or failed   -> similarity                   via "seed"
A topic keeps the article when score >= min_score (default 0.5): keyword hits always pass the default, and a
seed-only match needs a similarity of min_score. A topic with no rules and no seeds matches nothing.

Figures on real labelled events: `newswatch eval tracking PATH` (docs/methods.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from newswatch.config import TopicSettings
from newswatch.models import TopicMatch
from newswatch.text.corpus_stats import CorpusStats, cosine, tfidf_vector
from newswatch.text.dedup import split_terms
from newswatch.text.terms import STOPWORDS, content_terms, normalize, tokenize

__all__ = ["STOPWORDS", "KEYWORD_BASE", "TopicMatcher", "article_terms", "check_rule", "content_terms", "normalize",
           "tokenize"]

KEYWORD_BASE = 0.6
# Chosen on giveme5w1h-public, confirmed on wikinews-galaxy (docs/methods.md, "Following a story from seeds"):
# an article follows a seed when the TF-IDF cosine is at least FOLLOW_COSINE. SIM_FULL maps cosines onto the
# 0..1 score so that FOLLOW_COSINE scores exactly the default min_score (0.5).
FOLLOW_COSINE = 0.18
SIM_FULL = FOLLOW_COSINE / 0.5
SEED_PASS = 0.5
TITLE_WEIGHT = 2  # the headline names the event: its terms count twice
SEED_TERMS = 50  # a seed keeps its heaviest terms: a profile of the event, not the whole op-ed
# The share of the similarity that compares headlines alone: chosen on wikinews-galaxy at FOLLOW_COSINE (0.10 of
# 0.10/0.125/0.15), confirmed on giveme5w1h-public (docs/methods.md).
HEADLINE_SHARE = 0.10

class _Text:
    """An article's tokens in the shapes rules look them up in: a set, and the tokens joined by spaces behind a
    leading space (built on first use).

    Tokens are letters, digits and marks (split_terms), never whitespace, so in `joined` every space opens a token:
    a word starts with a prefix exactly when `joined` holds the space and the prefix (str.find, in C; sorting the
    distinct tokens to bisect them cost more than the whole search), and a phrase starts at a word's start exactly
    when its pattern, opening with that space, is found (`_Rule.compile`). Same answers as bisecting the sorted set
    and a pattern opening with the lookbehind (?<!\\S) over the tokens joined without the leading space
    (tests/unit/test_fast_paths.py)."""

    __slots__ = ("tokens", "set", "_joined")

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.set = frozenset(tokens)
        self._joined: str | None = None

    def has_prefix(self, prefix: str) -> bool:
        return " " + prefix in self.joined

    @property
    def joined(self) -> str:
        if self._joined is None:
            self._joined = " " + " ".join(self.tokens)
        return self._joined


@dataclass(frozen=True, slots=True)
class _Rule:
    """A keyword rule (or several merged into one "any of" rule), matched against an article's tokens."""

    text: str
    words: frozenset[str]  # single plain words: set lookup
    prefixes: tuple[str, ...]  # single words with a trailing *: binary search in the sorted tokens
    # Phrases: the regex runs only when the phrase's first word (or prefix) occurs at all.
    phrases: tuple[tuple[str, bool, re.Pattern[str]], ...]

    @classmethod
    def compile(cls, rule: str) -> _Rule:
        words: set[str] = set()
        prefixes: set[str] = set()
        phrases: list[tuple[str, bool, re.Pattern[str]]] = []
        for alternative in normalize(rule).split("|"):
            toks: list[tuple[str, bool]] = []  # (word, is_prefix)
            for part in alternative.split():
                found = split_terms(part)
                toks.extend((t, False) for t in found[:-1])
                if found:
                    toks.append((found[-1], part.endswith("*")))
            if not toks:
                raise ValueError(f"keyword rule {rule!r} has an alternative with no letters or digits")
            if len(toks) == 1:
                (prefixes if toks[0][1] else words).add(toks[0][0])
                continue
            body = " ".join(re.escape(t) + (r"\S*" if star else "") for t, star in toks)
            # Opening with the space before the phrase (`_Text`): re skips to its literal start in C, where a
            # lookbehind was tried at every character of the text.
            phrases.append((toks[0][0], toks[0][1], re.compile(" " + body + r"(?!\S)")))
        return cls(rule, frozenset(words), tuple(sorted(prefixes)), tuple(phrases))

    @classmethod
    def merge(cls, rules: list[_Rule]) -> _Rule | None:
        """One rule that hits when any of `rules` does (for `any` and `none` lists)."""
        if not rules:
            return None
        return cls(
            " | ".join(r.text for r in rules),
            frozenset().union(*(r.words for r in rules)),
            tuple(sorted({p for r in rules for p in r.prefixes})),
            tuple(ph for r in rules for ph in r.phrases),
        )

    def hits(self, text: _Text) -> bool:
        if not self.words.isdisjoint(text.set):
            return True
        if any(text.has_prefix(p) for p in self.prefixes):
            return True
        for first, is_prefix, pattern in self.phrases:
            present = text.has_prefix(first) if is_prefix else first in text.set
            if present and pattern.search(text.joined):
                return True
        return False


def check_rule(rule: str) -> None:
    """Raise ValueError when a keyword rule cannot match anything (an alternative with no letters or digits: a
    trailing "|", a bare "*", an empty string). The config calls this when it is loaded, so the mistake is a config
    error naming the rule's key (newswatch.config.parse_settings), not a traceback in every later run."""
    _Rule.compile(rule)


@dataclass(slots=True)
class _Topic:
    settings: TopicSettings
    any: _Rule | None  # the topic's `any` list merged into one rule
    all: list[_Rule]
    none: _Rule | None
    seeds: list[_Seed]


@dataclass(frozen=True)
class _Seed:
    vector: dict[str, float]  # unit TF-IDF of the headline (counted twice) and text: the SEED_TERMS heaviest terms
    headline: dict[str, float]  # unit TF-IDF of the headline alone (empty without one)

    def cosine(self, vector: dict[str, float], headline: dict[str, float], share: float) -> float:
        """Cosine of the whole articles, `share` of it from the headlines' when both have one."""
        whole = cosine(vector, self.vector)
        if not headline or not self.headline or not share:
            return whole
        return (1.0 - share) * whole + share * cosine(headline, self.headline)


def article_terms(title: str, text: str) -> Counter[str]:
    """Content-term counts of an article for similarity: the headline counted TITLE_WEIGHT times, plus the text."""
    return content_terms([*tokenize(title) * TITLE_WEIGHT, *tokenize(text)])


@dataclass(frozen=True)
class ArticleWords:
    """An article's words, tokenised once for topics and story terms: `tokens` equals tokenize(f"{title}\n{text}")
    (tokenize works within lines, so the title's and the text's tokens simply follow each other), `terms`
    equals article_terms(title, text) and `head_terms` content_terms(tokenize(title))."""

    tokens: list[str]
    terms: Counter[str]
    head_terms: Counter[str]

    @classmethod
    def of(cls, title: str, text: str) -> ArticleWords:
        head, body = tokenize(title), tokenize(text)
        return cls(head + body, content_terms([*head * TITLE_WEIGHT, *body]), content_terms(head))


def _seed_parts(seed: str) -> tuple[str, str]:
    """A seed file's text reads "headline\nbody" (analysis.analyzer.read_seed)."""
    title, _, body = seed.strip().partition("\n")
    return title, body


class TopicMatcher:
    """Matches articles to topics. Build once per run (rules are compiled here), then call `match` per article."""

    def __init__(
        self,
        topics: list[TopicSettings],
        seed_texts: Mapping[str, list[str]] | None = None,
        stats: CorpusStats | None = None,
        headline_share: float | None = None,
    ) -> None:
        """`headline_share`: HEADLINE_SHARE unless given (the evaluation's baseline without it passes 0)."""
        seed_texts = seed_texts or {}
        self.headline_share = HEADLINE_SHARE if headline_share is None else headline_share
        unknown = sorted(set(seed_texts) - {t.name for t in topics})
        if unknown:
            raise ValueError(f"seed texts given for unknown topic {unknown[0]!r}")
        # Term weights from the store's corpus statistics (the prior alone when none are given): the same
        # scale for every article, however many seeds or articles there are.
        self.stats = stats if stats is not None else CorpusStats()
        self._topics: list[_Topic] = []
        for topic in topics:
            try:
                any_rules = [_Rule.compile(r) for r in topic.any]
                all_rules = [_Rule.compile(r) for r in topic.all]
                none_rules = [_Rule.compile(r) for r in topic.none]
            except ValueError as exc:
                raise ValueError(f"topic {topic.name!r}: {exc}") from None
            seeds = [self._seed(*_seed_parts(text)) for text in seed_texts.get(topic.name, []) if text.strip()]
            self._topics.append(
                _Topic(
                    topic,
                    _Rule.merge(any_rules),
                    all_rules,
                    _Rule.merge(none_rules),
                    [s for s in seeds if s.vector],
                )
            )

    def _seed(self, title: str, body: str) -> _Seed:
        return _Seed(tfidf_vector(article_terms(title, body), self.stats, SEED_TERMS),
                     tfidf_vector(content_terms(tokenize(title)), self.stats))

    @property
    def topic_names(self) -> list[str]:
        return [t.settings.name for t in self._topics]

    def similarity(self, topic_name: str, title: str, text: str) -> float:
        """Scaled 0..1 similarity of an article to the nearest seed of a topic (0 when it has no seeds)."""
        for topic in self._topics:
            if topic.settings.name == topic_name:
                return self._similarity(topic, article_terms(title, text), content_terms(tokenize(title)), {})
        raise KeyError(topic_name)

    def _similarity(self, topic: _Topic, terms: Counter[str], head_terms: Counter[str],
                    cache: dict[str, dict[str, float]]) -> float:
        if not topic.seeds or not terms:
            return 0.0
        vec = cache.get("v")
        if vec is None:
            vec = cache["v"] = tfidf_vector(terms, self.stats)
            cache["h"] = tfidf_vector(head_terms, self.stats)
        head = cache["h"]
        best = max(seed.cosine(vec, head, self.headline_share) for seed in topic.seeds)
        return min(1.0, best / SIM_FULL)

    def match(self, title: str, text: str, article_words: ArticleWords | None = None) -> list[TopicMatch]:
        """The topics this article belongs to, with score and how it matched; empty when none.

        `article_words`, when the caller has them, are ArticleWords.of(title, text) (saves tokenising again)."""
        tokens = article_words.tokens if article_words is not None else tokenize(f"{title}\n{text}")
        words = _Text(tokens)
        terms: Counter[str] | None = article_words.terms if article_words is not None else None
        head_terms: Counter[str] | None = article_words.head_terms if article_words is not None else None
        cache: dict[str, dict[str, float]] = {}
        out: list[TopicMatch] = []
        for topic in self._topics:
            if topic.none is not None and topic.none.hits(words):
                continue
            has_rules = bool(topic.any or topic.all)
            if not has_rules and not topic.seeds:
                continue
            keyword_pass = (
                has_rules
                and (topic.any is None or topic.any.hits(words))
                and all(r.hits(words) for r in topic.all)
            )
            if topic.seeds:
                if terms is None or head_terms is None:
                    terms, head_terms = article_terms(title, text), content_terms(tokenize(title))
                sim = self._similarity(topic, terms, head_terms, cache)
            else:
                sim = 0.0
            if keyword_pass:
                score = KEYWORD_BASE + (1.0 - KEYWORD_BASE) * sim
                via = "keywords+seed" if sim >= SEED_PASS else "keywords"
            else:
                score, via = sim, "seed"
            score = round(score, 4)
            if score > 0 and score >= topic.settings.min_score:
                out.append(TopicMatch(topic=topic.settings.name, score=score, via=via))
        return out
