"""Sentences and their tone: a rule-based sentence splitter, VADER scores per sentence, and their aggregate.

Never scores a whole article as one text (VADER's compound saturates on long texts) and never downloads a model.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from newswatch.models import Sentence, Tone

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Abbreviations, compared lower-case without the period. Titles before a name never end a sentence.
TITLE_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cpt sgt adm cmdr cdr brig sen rep gov pres supt insp rev hon amb atty
    messrs mmes st mt ft dept vs al
    """.split()  # noqa: SIM905
)
# These end a sentence only before a usual sentence opener ("Apple Inc. The ..." but "Apple Inc. Chief ...").
SUFFIX_ABBREVIATIONS = frozenset("jr sr inc corp ltd co bros etc".split())  # noqa: SIM905
# These are abbreviations only before a number ("No. 10", "Jan. 5"); elsewhere they are words ("in the sun.").
NUMBER_ABBREVIATIONS = frozenset(
    """
    no nos art fig vol ch pp sec est approx jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """.split()  # noqa: SIM905
)
# After a dotted acronym ("U.S.", "U.N.") or a suffix abbreviation a sentence ends only when one of these follows.
SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you this that these those there but and or so yet however meanwhile
    in on at for if when while after before as his her its their our my what why how who where
    """.split()  # noqa: SIM905
)

_CLOSERS = "\"'”’)]»"
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]»]*(?=\s)")
_PARAGRAPH = re.compile(r"[^\n]+")
_WORD_BEFORE = re.compile(r"([\w.'’-]*)$")
_WORD_AFTER = re.compile(r"\s*[\"'“‘(\[«]*(\S*)")


def _ends_sentence(para: str, dot_start: int, after: int, terminal: str) -> bool:
    """Decide whether the punctuation at para[dot_start:after] closes a sentence."""
    follow = _WORD_AFTER.match(para, after)
    next_word = follow.group(1) if follow else ""
    if not next_word:
        return True
    if terminal != ".":
        # "?" or "!" inside a quotation followed by a lower-case word ("... now?" he asked) does not end it.
        return not next_word[0].islower()
    if next_word[0].islower():
        return False
    before = _WORD_BEFORE.search(para, max(0, dot_start - 40), dot_start)  # bounded: no quadratic scan
    word = before.group(1) if before else ""
    bare = word.rstrip(".").lower().lstrip("'’-")
    if bare in TITLE_ABBREVIATIONS:
        return False
    if bare in NUMBER_ABBREVIATIONS and next_word[0].isdigit():
        return False
    if len(bare) == 1 and bare.isalpha():  # an initial: "S. Jaishankar", "George W. Bush"
        return False
    if bare in SUFFIX_ABBREVIATIONS or "." in word.strip("."):  # "Inc.", or a dotted acronym: "U.S.", "D.C."
        return next_word.strip("\"'“‘").lower() in SENTENCE_STARTERS
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans (start, end exclusive), trimmed of whitespace.

    Newlines are paragraph breaks, so a sentence never crosses one. Handles abbreviations (Mr., Gen., Jan.),
    initials, dotted acronyms (U.S.), decimals (3.5 has no space after the dot) and closing quotes.
    """
    spans: list[tuple[int, int]] = []
    for para_match in _PARAGRAPH.finditer(text):
        para = para_match.group(0)
        offset = para_match.start()
        start = 0
        for boundary in _BOUNDARY.finditer(para):
            punct = boundary.group(0).rstrip(_CLOSERS)
            if not _ends_sentence(para, boundary.start(), boundary.end(), punct[-1]):
                continue
            _add_span(spans, para, offset, start, boundary.end())
            start = boundary.end()
        _add_span(spans, para, offset, start, len(para))
    return spans


def _add_span(spans: list[tuple[int, int]], para: str, offset: int, start: int, end: int) -> None:
    chunk = para[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    spans.append((offset + start + lead, offset + start + lead + len(stripped)))


@functools.cache
def analyzer() -> SentimentIntensityAnalyzer:
    """The process's one VADER analyzer, built on first use (loading the lexicon takes ~0.1 s)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def polarity(text: str) -> dict[str, float]:
    """VADER's scores for one short text: keys compound, pos, neu, neg."""
    vader = analyzer()
    if not _emoji_chars().isdisjoint(text):
        return vader.polarity_scores(text)
    # No emoji: polarity_scores' character-by-character emoji pass would only copy the text (about a tenth of
    # its cost); the rest is the same computation.
    text = text.strip()
    return vader.score_valence(token_valences(text)[1], text)


@functools.cache
def _emoji_chars() -> frozenset[str]:
    return frozenset(analyzer().emojis)


def token_valences(text: str) -> tuple[list[str], list[float]]:
    """VADER's per-word valences for one text, after its own booster, negation and "but" rules.

    This is the loop of SentimentIntensityAnalyzer.polarity_scores (vaderSentiment 3.3.2, pinned) without the
    final sum, so callers can weigh words by where they stand. Emoji are not translated here.
    """
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    vader = analyzer()
    senti = SentiText(text)
    words = senti.words_and_emoticons
    valences: list[float] = []
    for i, item in enumerate(words):
        lower = item.lower()
        if lower in BOOSTER_DICT or (lower == "kind" and i + 1 < len(words) and words[i + 1].lower() == "of"):
            valences.append(0.0)
            continue
        valences = vader.sentiment_valence(0.0, senti, item, i, valences)
    valences = vader._but_check(words, valences)
    return words, [float(v) for v in valences]


def normalize_valence(total: float) -> float:
    """VADER's map of a summed valence onto -1..1 (x / sqrt(x^2 + 15))."""
    return total / math.sqrt(total * total + 15.0)


def score_sentences(text: str, spans: Sequence[tuple[int, int]] | None = None) -> list[Sentence]:
    """Score each sentence of text with VADER; spans default to split_sentences(text)."""
    if spans is None:
        spans = split_sentences(text)
    sentences = []
    for index, (start, end) in enumerate(spans):
        piece = text[start:end]
        scores = polarity(piece)
        sentences.append(
            Sentence(
                index=index,
                start=start,
                end=end,
                text=piece,
                compound=scores["compound"],
                pos=scores["pos"],
                neu=scores["neu"],
                neg=scores["neg"],
            )
        )
    return sentences


def aggregate_tone(sentences: Sequence[Sentence]) -> Tone:
    """Mean of the sentences' compound/pos/neu/neg and the population sd of compound; no sentences -> zeros."""
    n = len(sentences)
    if n == 0:
        return Tone(n_sentences=0, compound=0.0, pos=0.0, neu=0.0, neg=0.0, compound_sd=0.0)
    compound = sum(s.compound for s in sentences) / n
    variance = sum((s.compound - compound) ** 2 for s in sentences) / n
    return Tone(
        n_sentences=n,
        compound=compound,
        pos=sum(s.pos for s in sentences) / n,
        neu=sum(s.neu for s in sentences) / n,
        neg=sum(s.neg for s in sentences) / n,
        compound_sd=math.sqrt(variance),
    )
