"""Sentence tone: VADER scores per sentence (sentences from newswatch.text.sentences), and their aggregate.

Never scores a whole article as one text (VADER's compound saturates on long texts) and never downloads a model.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vaderSentiment.vaderSentiment import BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SPECIAL_CASES
from vaderSentiment.vaderSentiment import normalize as _normalize

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
    compound, pos, neg, neu = _scores(text)
    return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}


def _scores(text: str) -> tuple[float, float, float, float]:
    """VADER's (compound, pos, neg, neu) for one short text: what polarity_scores gives, without its dict."""
    # No emoji is ASCII (the lexicon's characters start at U+00A9: tests/unit/test_fast_paths.py), so an ASCII text,
    # most sentences, has none without looking each character up.
    if not text.isascii() and not _emoji_chars().isdisjoint(text):
        scores = analyzer().polarity_scores(text)
        return scores["compound"], scores["pos"], scores["neg"], scores["neu"]
    # No emoji: polarity_scores' character-by-character emoji pass would only copy the text (about a tenth of
    # its cost); the rest is the same computation, shared with the actor-tone model through vader_pass.
    return vader_pass(text)[1]


@functools.lru_cache(maxsize=1024)
def vader_pass(text: str) -> tuple[tuple[float, ...], tuple[float, float, float, float]]:
    """VADER's per-word valences of text (emoji not translated) and its scores (compound, pos, neg, neu).

    What polarity_scores computes for a text without emoji. Leading and trailing whitespace change neither (VADER
    splits on whitespace and counts only "!" and "?"). Cached per text: a sentence's tone and the actor-tone model
    (newswatch/analysis/actors/model.py) read the same pass, so an article's sentences are scored once (the
    cache holds more sentences than a long article has).
    """
    valences = token_valences(text)[1]
    return tuple(valences), score_valence(valences, text)


def score_valence(sentiments: list[float], text: str) -> tuple[float, float, float, float]:
    """SentimentIntensityAnalyzer.score_valence(sentiments, text) as (compound, pos, neg, neu), the same floats.

    VADER's arithmetic in VADER's order, without its dict and its method calls; its sift of the words into positive,
    negative and neutral reads every word in a Python loop, here only the nonzero ones (a zero adds to neither sum,
    so the sums add the same values in the same order) and the zeros are counted with list.count, as `== 0` does
    (tests/unit/test_fast_paths.py compares the two).
    """
    if not sentiments:
        return 0.0, 0.0, 0.0, 0.0
    sum_s = float(sum(sentiments))
    ep_count = text.count("!")  # _punctuation_emphasis: _amplify_ep + _amplify_qm
    if ep_count > 4:
        ep_count = 4
    qm_count = text.count("?")
    qm_amplifier: float = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    amplifier = ep_count * 0.292 + qm_amplifier
    if sum_s > 0:
        sum_s += amplifier
    elif sum_s < 0:
        sum_s -= amplifier
    compound = _normalize(sum_s)
    pos_sum = 0.0  # _sift_sentiment_scores
    neg_sum = 0.0
    for score in filter(None, sentiments):
        if score > 0:
            pos_sum += score + 1
        else:
            neg_sum += score - 1
    neu_count = sentiments.count(0.0)
    if pos_sum > math.fabs(neg_sum):
        pos_sum += amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (round(compound, 4), round(math.fabs(pos_sum / total), 3), round(math.fabs(neg_sum / total), 3),
            round(math.fabs(neu_count / total), 3))


@functools.cache
def _emoji_chars() -> frozenset[str]:
    return frozenset(analyzer().emojis)


def token_valences(text: str) -> tuple[list[str], list[float]]:
    """VADER's per-word valences for one text, after its own booster, negation and "but" rules.

    The word loop of SentimentIntensityAnalyzer.polarity_scores (vaderSentiment 3.3.2, pinned) without the final
    sum, so callers can weigh words by where they stand; emoji are not translated here. The words are split and
    lowercased once per text (VADER lowercases the whole sentence again in each negation and idiom check, up to
    four times per lexicon word) and its rules are applied in VADER's order with VADER's arithmetic, so every
    valence is the same float: tests/unit/test_fast_paths.py compares them with VADER's own methods.
    """
    words = []
    for token in text.split():  # SentiText._words_and_emoticons
        stripped = token.strip(_PUNCTUATION)
        words.append(token if len(stripped) <= 2 else stripped)
    lower = list(map(str.lower, words))
    n = len(words)
    valences = [0.0] * n
    # A word outside the lexicon gets 0.0 from VADER's sentiment_valence too (its rules only adjust lexicon words'
    # valences), and so do boosters, which polarity_scores skips itself: only the words of `_scored_words` are
    # looked at, in order; most sentences have a few, some none.
    scored = _scored_words()
    hits = [i for i, low in enumerate(lower) if low in scored]
    if not hits:
        return words, valences  # _but_check only scales valences, and 0.0 * 0.5 is 0.0
    allcaps = sum(map(str.isupper, words))  # allcap_differential
    cap_diff = 0 < n - allcaps < n
    lexicon = analyzer().lexicon
    for i in hits:
        if lower[i] == "kind" and i + 1 < n and lower[i + 1] == "of":
            continue  # the "kind" of "kind of", skipped by polarity_scores itself
        valences[i] = _word_valence(lexicon, words, lower, i, cap_diff)
    if "but" in lower:  # _but_check changes nothing without one
        valences = analyzer()._but_check(words, valences)
    return words, valences


@functools.cache
def _scored_words() -> frozenset[str]:
    """The words whose valence token_valences computes: the lexicon's, less the boosters."""
    return frozenset(analyzer().lexicon.keys() - BOOSTER_DICT.keys())


# VADER's rules for one lexicon word, as SentimentIntensityAnalyzer.sentiment_valence, scalar_inc_dec,
# _negation_check, _special_idioms_check and _least_check apply them, in their order and with their arithmetic,
# reading the sentence's words lowercased once.
_PUNCTUATION = string.punctuation


_NEGATE = frozenset(NEGATE)


# The idioms and booster phrases `_special_idioms` looks up are keys of two or three words. A sequence of the
# sentence's words, joined by spaces, equals such a key only if it opens with a key's first word and closes with a
# key's last word (words hold no whitespace); single-word keys never equal a joined sequence.
_IDIOM_KEYS = [key.split(" ") for key in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in key]
_IDIOM_FIRST = frozenset(words[0] for words in _IDIOM_KEYS)
_IDIOM_LAST = frozenset(words[-1] for words in _IDIOM_KEYS)


def _special_idioms(valence: float, lower: list[str], i: int) -> float:
    # Called for i >= 3 only. The sequences below open at words i-3..i and close at words i-2..i+2: when no key's first
    # word is among the former, or no key's last word among the latter, none is a key and the valence stays (most
    # words: a shortcut, the same float; tests/unit/test_fast_paths.py::test_token_valences_equal_vaders_own_word_loop).
    if _IDIOM_FIRST.isdisjoint(lower[i - 3 : i + 1]) or _IDIOM_LAST.isdisjoint(lower[i - 2 : i + 3]):
        return valence
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    n = len(lower)
    if n - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    # A few SPECIAL_CASES values are ints; VADER's valences are floats by the time they are summed or compared, and
    # every later step (a float product or sum) gives float(valence)'s result: the float here, as token_valences
    # returned float(v) for every word before.
    return float(valence)


def _word_valence(lexicon: dict[str, float], words: list[str], lower: list[str], i: int, cap_diff: bool) -> float:
    """The valence of lexicon word i after VADER's rules (sentiment_valence).

    VADER's loop over the three words before (start_i 0, 1, 2: scalar_inc_dec, its damping, _negation_check, and
    after the third _special_idioms_check) is written out one step a word, with VADER's negated([word]) inline
    (`word in _NEGATE or "n't" in word`): the same operations on the same floats in the same order, without the
    loop's tests of start_i and a call per negation check (a tenth of token_valences; tests/unit/test_fast_paths.py
    compares the valences with VADER's own)."""
    item_lower = lower[i]
    valence = lexicon[item_lower]
    if item_lower == "no" and i != len(lower) - 1 and lower[i + 1] in lexicon:
        valence = 0.0
    if ((i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no")
            or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))):
        valence = lexicon[item_lower] * N_SCALAR
    if cap_diff and words[i].isupper():
        if valence > 0:
            valence += C_INCR
        else:
            valence -= C_INCR
    if i > 0:  # the loop's start_i 0: the word before
        before = lower[i - 1]
        if before not in lexicon:
            if before in BOOSTER_DICT:
                valence = valence + _booster(valence, BOOSTER_DICT[before], words[i - 1], cap_diff)
            else:
                valence = valence + 0.0
            if before in _NEGATE or "n't" in before:  # _negation_check
                valence = valence * N_SCALAR
    if i > 1:  # start_i 1: two words before
        before = lower[i - 2]
        if before not in lexicon:
            if before in BOOSTER_DICT:
                scalar = _booster(valence, BOOSTER_DICT[before], words[i - 2], cap_diff)
                valence = valence + (scalar * 0.95 if scalar != 0 else scalar)
            else:
                valence = valence + 0.0
            if before == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
                valence = valence * 1.25
            elif before == "without" and lower[i - 1] == "doubt":
                pass
            elif before in _NEGATE or "n't" in before:
                valence = valence * N_SCALAR
    if i > 2:  # start_i 2: three words before, then the idioms
        before = lower[i - 3]
        if before not in lexicon:
            if before in BOOSTER_DICT:
                scalar = _booster(valence, BOOSTER_DICT[before], words[i - 3], cap_diff)
                valence = valence + (scalar * 0.9 if scalar != 0 else scalar)
            else:
                valence = valence + 0.0
            if (before == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this")
                    or (lower[i - 1] == "so" or lower[i - 1] == "this")):
                valence = valence * 1.25
            elif before == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
                pass
            elif before in _NEGATE or "n't" in before:
                valence = valence * N_SCALAR
            valence = _special_idioms(valence, lower, i)
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":  # _least_check
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence


def _booster(valence: float, scalar: float, word: str, cap_diff: bool) -> float:
    """scalar_inc_dec for a booster word (`scalar`, its BOOSTER_DICT value) before a word of this valence."""
    if valence < 0:
        scalar *= -1
    if cap_diff and word.isupper():
        if valence > 0:
            scalar += C_INCR
        else:
            scalar -= C_INCR
    return scalar


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
        compound, pos, neg, neu = _scores(piece)
        sentences.append(Sentence(index, start, end, piece, compound, pos, neu, neg))
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
