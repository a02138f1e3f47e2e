"""Sentence tone: VADER scores per sentence (sentences from newswatch.text.sentences), and their aggregate.

Never scores a whole article as one text (VADER's compound saturates on long texts) and never downloads a model.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from newswatch.models import Sentence, Tone
from newswatch.text.sentences import split_sentences

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


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
    # its cost); the rest is the same computation, shared with the actor-tone model through vader_pass.
    compound, pos, neg, neu = vader_pass(text)[1]
    return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}


@functools.lru_cache(maxsize=1024)
def vader_pass(text: str) -> tuple[tuple[float, ...], tuple[float, float, float, float]]:
    """VADER's per-word valences of text (emoji not translated) and its scores (compound, pos, neg, neu).

    What polarity_scores computes for a text without emoji. Leading and trailing whitespace change neither (VADER
    splits on whitespace and counts only "!" and "?"). Cached per text: a sentence's tone and the actor-tone model
    (newswatch/analysis/actors/model.py) read the same pass, so an article's sentences are scored once (the
    cache holds more sentences than a long article has).
    """
    valences = token_valences(text)[1]
    scores = analyzer().score_valence(valences, text)
    return tuple(valences), (scores["compound"], scores["pos"], scores["neg"], scores["neu"])


@functools.cache
def _windowed() -> SentimentIntensityAnalyzer:
    """VADER with the same lexicon, whose negation and idiom checks see only the words they read.

    vaderSentiment 3.3.2's _negation_check and _special_idioms_check lowercase the whole sentence on every call
    (up to four times per lexicon word) but read only the words from i-3 to i+2 and the sentence's length.
    Given that window, with i at 3, they return the same values: the window keeps the words they index and
    whether words i+1 and i+2 exist. Near the sentence's start (i < 3) they index from its end (Python's
    negative indices) and get the whole sentence as before. Scores equal polarity_scores': tests/unit/
    test_fast_paths.py.
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as Vader

    class Windowed(Vader):
        @staticmethod
        def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
            if i >= 3:
                return Vader._negation_check(valence, words[i - 3 : i + 1], start_i, 3)
            return Vader._negation_check(valence, words, start_i, i)

        @staticmethod
        def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
            if i >= 3:
                return Vader._special_idioms_check(valence, words[i - 3 : i + 3], 3)
            return Vader._special_idioms_check(valence, words, i)

    vader = Windowed.__new__(Windowed)
    vader.__dict__.update(analyzer().__dict__)  # the same lexicons, loaded once
    return vader


@functools.cache
def _emoji_chars() -> frozenset[str]:
    return frozenset(analyzer().emojis)


def token_valences(text: str) -> tuple[list[str], list[float]]:
    """VADER's per-word valences for one text, after its own booster, negation and "but" rules.

    This is the loop of SentimentIntensityAnalyzer.polarity_scores (vaderSentiment 3.3.2, pinned) without the
    final sum, so callers can weigh words by where they stand. Emoji are not translated here.
    """
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    vader = _windowed()
    lexicon = vader.lexicon
    senti = SentiText(text)
    words = senti.words_and_emoticons
    valences: list[float] = []
    for i, item in enumerate(words):
        lower = item.lower()
        # A word outside the lexicon gets 0.0 from sentiment_valence too (its rules only adjust lexicon words'
        # valences): skipping the call changes nothing and saves most of the loop's calls.
        if (lower not in lexicon or lower in BOOSTER_DICT
                or (lower == "kind" and i + 1 < len(words) and words[i + 1].lower() == "of")):
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
