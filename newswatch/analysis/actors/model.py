"""Target-dependent (actor-level) tone: is a sentence negative, neutral or positive *toward one mention*?

A linear (multinomial logistic) model over sparse, named features of the words around the mention: VADER
word valences by side / clause / distance, side-and-distance-marked words and bigrams near the mention (the
mention itself is a placeholder), a few structural cues (quotes, reported speech, sentence start) and
whole-sentence VADER figures; plus, from format 2, the mean word vector (GloVe) of the words left of the
mention, right of it and of the whole sentence, shipped as each word's trained share of each class's
logit (see "word vectors around the mention"). Weights ship as a small gzipped JSON file; prediction needs only
the standard library, numpy and vaderSentiment.

This module must never import scikit-learn at module level (training lives in newswatch/evaluation/
tone_training.py), never download anything, and never store training sentences in a model file (feature names
are single words / word pairs; the context block is a word list with numbers).

Usage::

    model = ToneModel.load("model.json.gz")
    model.predict(sentence, start, end)        # "negative" | "neutral" | "positive"
    model.score(sentence, start, end)          # P(positive) - P(negative), in -1..1
    model.predict_many([(sentence, start, end), ...])
    model.score_prepared([model.prepare(items) for items in articles])   # many articles' mentions summed at once

`start`/`end` are character offsets of the mention in `sentence`, `end` exclusive (sentence[start:end]).
"""

from __future__ import annotations

import base64
import bisect
import functools
import gzip
import json
import math
import re
import string
import threading
from collections.abc import Iterable, Sequence
from itertools import chain, compress, repeat
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")

FORMAT_VERSION = 2  # 2 adds the optional "context" block (word vectors around the mention); 1 still loads
MODEL_VERSION = "tone-linear-2.1"
SPARSE_MODEL_VERSION = "tone-linear-1.0"  # the same model without word vectors (`eval tone --train` without --vectors)

# Feature groups (prefix before the first ":" of a feature name). DEFAULT_GROUPS is what `train` uses unless
# told otherwise; the others exist for experiments (see REPORT.md).
ALL_GROUPS: tuple[str, ...] = ("s", "v", "x", "xs", "wn", "ws", "wc", "bg", "a", "m", "vl", "ng")
DEFAULT_GROUPS: tuple[str, ...] = ("s", "v", "x", "wn", "ws", "wc", "bg", "a", "stem")
DEFAULT_C = 0.05  # inverse L2 strength, sparse features alone
DEFAULT_C_CONTEXT = 0.03  # the same with the context vectors (chosen by grouped CV: docs/methods.md)
DEFAULT_MIN_COUNT = 3  # sparse features seen in fewer training rows are dropped

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})


def _straight(text: str) -> str:
    """text.translate(_QUOTES): curly quotes and no-break spaces made plain. Every character _QUOTES maps is outside
    ASCII, so an ASCII text (most sentences) is returned as it is, without translate's pass over its characters
    (tests/unit/test_fast_paths.py)."""
    return text if text.isascii() else text.translate(_QUOTES)
_STRIP = string.punctuation + "\u201c\u201d\u2018\u2019\u2014\u2013\u2026"
_CLAUSE_END = (",", ";", ":", "(", ")", "\u2014", "\u2013", "--")
_CLAUSE_START_WORDS = frozenset({"but", "while", "although", "though", "whereas", "because", "however", "yet"})
_SPEECH = frozenset(
    {"said", "says", "say", "told", "tells", "stated", "wrote", "writes", "tweeted", "added", "noted",
     "argued", "claimed", "claims", "insisted", "explained", "announced", "asked", "according", "testified",
     "responded", "replied", "suggested", "warned", "acknowledged", "admitted", "declared", "recalled"}
)
_PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them", "his", "hers", "their", "i", "we", "you"})
_NEGATIONS = frozenset({"not", "no", "never", "n't", "nor", "without", "didn't", "doesn't", "don't", "isn't",
                        "wasn't", "won't", "can't", "cannot", "couldn't", "wouldn't", "hasn't", "haven't"})
_TARGET = "<t>"
TOL = 1e-6  # lbfgs tolerance (experiments may loosen it)


# --- VADER ----------------------------------------------------------------------------------------------


def _normalize(total: float) -> float:
    """VADER's map of a summed valence onto -1..1."""
    return total / math.sqrt(total * total + 15.0)


@functools.lru_cache(maxsize=64)
def _sentence_analysis(
    sentence: str,
) -> tuple[tuple[str, ...], tuple[int, ...], tuple[float, ...], tuple[float, ...], str]:
    """Whitespace tokens, their start offsets, VADER's per-token valences, the sentence's VADER scores and the
    sentence with its quotes straightened.

    Curly quotes are straightened first (same length, so offsets hold) so that VADER's punctuation stripping sees
    them. Valences are those of VADER's own loop (booster, negation, "but" rules), one per whitespace token, as
    VADER's SentiText splits on whitespace. Cached per sentence: several mentions share one VADER pass.
    """
    from newswatch.analysis.tone import vader_pass

    text = _straight(sentence)
    tokens = text.split()
    offsets: list[int] = []
    at = 0
    for token in tokens:
        at = text.find(token, at)
        offsets.append(at)
        at += len(token)
    # The sentence's tone was computed from the same pass (newswatch/analysis/tone.py) unless the sentence has
    # curly quotes or no-break spaces, which change VADER's words here.
    valences, sentence_scores = vader_pass(text)
    return tuple(tokens), tuple(offsets), valences, sentence_scores, text


# --- features -------------------------------------------------------------------------------------------


_SUFFIXES = ("ingly", "ously", "ments", "ement", "ness", "ings", "ing", "ies", "ied", "ers", "ed", "es", "ly", "er", "s")


@functools.lru_cache(maxsize=1 << 16)  # pure and called per token of every mention's sentence: words repeat
def _stem(word: str) -> str:
    """A crude suffix stripper (criticized / criticizes / criticizing -> criticiz): pools sparse word forms."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=1 << 16)
def _norm_token(token: str, stem: bool = False) -> str:
    word = token.lower().strip(_STRIP)
    if word.endswith("'s"):
        word = word[:-2]
    if any(ch.isdigit() for ch in word):
        return "<num>"
    return _stem(word) if stem else word


def _dist_bucket(d: int) -> str:
    return "1" if d <= 1 else "2" if d <= 3 else "3" if d <= 6 else "4"


_DIST_BUCKETS = tuple(_dist_bucket(d) for d in range(7))  # looked up per word near a mention


def _val_bucket(d: int) -> str:
    return "1" if d <= 3 else "2" if d <= 8 else "3"


class _Words(NamedTuple):
    """A sentence's whitespace tokens and what the features read of them; every mention of the sentence shares it."""

    tokens: tuple[str, ...]
    offsets: tuple[int, ...]
    valences: tuple[float, ...]  # VADER's, one per token
    scores: tuple[float, ...]  # the sentence's VADER compound, pos, neg, neu
    text: str  # the sentence with its quotes straightened
    raw: list[str]  # tokens normalised (_norm_token)
    norm: list[str]  # the same stemmed when the groups say "stem", else raw
    clause: list[int]  # each token's clause id


def _sentence_words(sentence: str, stem: bool) -> _Words:
    tokens, offsets, valences, sent_scores, text = _sentence_analysis(sentence)
    raw = list(map(_norm_token, tokens))  # map: the cached functions are called from C, no loop in Python
    norm = list(map(_stem, raw)) if stem else raw
    # Clause ids: a new clause after a token ending in , ; : ( ) dashes, or at but/while/although/...
    clause = [0] * len(tokens)
    cid = 0
    for i, token in enumerate(tokens):
        if i and raw[i] in _CLAUSE_START_WORDS:
            cid += 1
        clause[i] = cid
        if token.endswith(_CLAUSE_END) or token in ("\u2014", "\u2013", "-", "--"):
            cid += 1
    return _Words(tokens, offsets, valences, sent_scores, text, raw, norm, clause)


def _mention_tokens(words: _Words, start: int, end: int) -> tuple[int, int]:
    """The mention's token span [t0, t1]: the whitespace tokens overlapping [start, end) (a non-empty sentence)."""
    tokens, offsets = words.tokens, words.offsets
    n = len(tokens)
    inside = []
    for i in range(n):  # offsets increase: no token past the mention's end overlaps it
        if offsets[i] >= end:
            break
        if offsets[i] + len(tokens[i]) > start:
            inside.append(i)
    if not inside:  # offsets in whitespace: take the nearest token
        inside = [min(range(n), key=lambda i: abs(offsets[i] - start))]
    return inside[0], inside[-1]


def _sentence_features(words: _Words) -> dict[str, float]:
    """Group s: the whole sentence's VADER figures."""
    compound, pos, neg, _neu = words.scores
    return {"s:compound": compound, "s:pos": pos, "s:neg": neg,
            "s:cbin" + ("+" if compound >= 0.05 else "-" if compound <= -0.05 else "0"): 1.0}


def _valence_features(words: _Words, t0: int, t1: int) -> dict[str, float]:
    """Group v: the other words' VADER valences by side, clause and distance, and the normalised sums."""
    feats: dict[str, float] = {}
    clause = words.clause
    tclause = set(clause[t0 : t1 + 1])
    win = same = left = right = 0.0
    for i, value in enumerate(words.valences):
        if value == 0.0 or t0 <= i <= t1:
            continue
        side, d = ("L", t0 - i) if i < t0 else ("R", i - t1)
        where = "s" if clause[i] in tclause else "o"
        key = f"v:{side}{where}{_val_bucket(d)}:{'p' if value > 0 else 'n'}"
        feats[key] = feats.get(key, 0.0) + abs(value) / 4.0
        if d <= 8:
            win += value
        if where == "s":
            same += value
        if side == "L":
            left += value
        else:
            right += value
    feats["v:win8"] = _normalize(win)
    feats["v:clause"] = _normalize(same)
    feats["v:left"] = _normalize(left)
    feats["v:right"] = _normalize(right)
    return feats


def _structure_features(words: _Words, sentence: str, start: int, end: int, t0: int, t1: int,
                        signed: bool) -> dict[str, float]:
    """Group x (and xs when `signed`): the mention's place in the sentence, quotes, speech, negation, question."""
    tokens, raw, text = words.tokens, words.raw, words.text
    n = len(tokens)
    feats: dict[str, float] = {}
    if t0 == 0 or (t0 <= 1 and raw[0] in ("but", "and", "the", "former", "president", "sen", "rep")):
        feats["x:start"] = 1.0
    if text[:start].count('"') % 2 == 1:
        feats["x:in_quotes"] = 1.0
    if '"' in text:
        feats["x:has_quotes"] = 1.0
    mention = _straight(sentence[start:end].lower())
    if mention.endswith("'s") or (t1 + 1 < n and tokens[t1].lower().endswith("'s")):
        feats["x:possessive"] = 1.0
    if mention.strip() in _PRONOUNS:
        feats["x:pronoun"] = 1.0
    for i in range(t1 + 1, min(n, t1 + 4)):
        if raw[i] in _SPEECH:
            feats["x:speaker_after"] = 1.0
            break
    for i in range(max(0, t0 - 3), t0):
        if raw[i] in _SPEECH:
            feats["x:speech_before"] = 1.0
    if t0 >= 2 and raw[t0 - 2] == "according" and raw[t0 - 1] == "to":
        feats["x:according_to"] = 1.0
    mclause, clause = words.clause[t0], words.clause
    if not _NEGATIONS.isdisjoint(raw) and any(  # most sentences have no negation at all
        raw[i] in _NEGATIONS for i in range(n) if clause[i] == mclause and not t0 <= i <= t1
    ):
        feats["x:neg_clause"] = 1.0
    if sentence.rstrip().endswith("?"):
        feats["x:question"] = 1.0
    feats["x:rel_pos"] = t0 / max(1, n - 1)
    if signed:
        compound = words.scores[0]
        sign = "+" if compound >= 0.05 else "-" if compound <= -0.05 else "0"
        for name in [k for k in feats if k.startswith("x:") and k != "x:rel_pos"]:
            feats[f"xs:{name[2:]}|{sign}"] = 1.0
    return feats


def _bigrams(norm: list[str], t0: int, t1: int) -> list[str]:
    """Group bg: the bigrams within 4 tokens, the mention as one placeholder token."""
    seq = _bigram_words(norm, t0, t1)
    return [f"bg:{a}_{b}" for a, b in zip(seq, seq[1:], strict=False)]


def _bigram_words(norm: list[str], t0: int, t1: int) -> list[str]:
    """The words group bg pairs: the non-empty ones within 4 tokens each side, the mention as one placeholder."""
    return [w for w in norm[max(0, t0 - 4) : t0] if w] + [_TARGET] + [w for w in norm[t1 + 1 : t1 + 5] if w]


def extract_features(
    sentence: str, start: int, end: int, groups: Iterable[str] = DEFAULT_GROUPS
) -> dict[str, float]:
    """Named sparse features of the mention sentence[start:end]: {feature name: value}.

    The name's prefix (before ":") is its group:
      s   whole-sentence VADER compound / pos / neg
      v   VADER valence of the other words, summed by side (L/R), clause (same/other) and distance, positive and
          negative apart; plus normalised sums in an 8-word window and in the mention's clause
      x   structure: mention at sentence start, inside quotes, possessive, pronoun, reported speech next to
          the mention ("X said", "said X", "according to X"), negation in the mention's clause, question
      wn  words within 6 tokens, marked with side and distance bucket ("wn:R1:criticized")
      ws  words within 12 tokens, marked with side only
      wc  words in the mention's clause (no side)
      bg  bigrams within 4 tokens, the mention as one placeholder token <t> ("bg:<t>_said")
      a   every word of the sentence (no position)
      m   the mention's own words (an entity prior; off by default, fragile across news periods)
      vl  VADER-lexicon words by side and clause (experimental, off by default)
      ng  words after a negation in the same clause (experimental, off by default)
    "stem" in groups is a flag, not a group: words are crudely suffix-stripped before naming features.
    Values are 1.0 for indicators and small floats (about -1..2) for valence figures.

    The model computes the same features as row numbers (`_FeatureRows`); keep the two in step.
    """
    groups = frozenset(groups)
    return _named_features(_sentence_words(sentence, "stem" in groups), sentence, start, end, groups)


def _named_features(words: _Words, sentence: str, start: int, end: int, groups: frozenset[str]) -> dict[str, float]:
    feats: dict[str, float] = {"bias": 1.0}
    n = len(words.tokens)
    if n == 0:
        return feats
    t0, t1 = _mention_tokens(words, start, end)
    raw, norm, clause, valences = words.raw, words.norm, words.clause, words.valences
    mclause = clause[t0]
    tclause = set(clause[t0 : t1 + 1])
    if "s" in groups:
        feats.update(_sentence_features(words))
    if "v" in groups:
        feats.update(_valence_features(words, t0, t1))
    if "x" in groups:
        feats.update(_structure_features(words, sentence, start, end, t0, t1, "xs" in groups))

    want_wn, want_ws, want_wc, want_a = "wn" in groups, "ws" in groups, "wc" in groups, "a" in groups
    if want_wn or want_ws or want_wc or want_a:
        # The words left of the mention, then those right of it: every word but the mention's in sentence order
        # (the features' order is the logits' summation order), with the side and distance known per half.
        for side, span in (("L", range(t0)), ("R", range(t1 + 1, n))):
            for i in span:
                word = norm[i]
                if not word:
                    continue
                d = t0 - i if side == "L" else i - t1
                if want_wn and d <= 6:
                    feats[f"wn:{side}{_DIST_BUCKETS[d]}:{word}"] = 1.0
                if want_ws and d <= 12:
                    feats[f"ws:{side}:{word}"] = 1.0
                if want_wc and clause[i] == mclause:
                    feats[f"wc:{word}"] = 1.0
                if want_a:
                    feats[f"a:{word}"] = 1.0

    if "vl" in groups:  # the VADER words themselves by side and clause: lets training re-weigh news usage
        for i, value in enumerate(valences):
            if value != 0.0 and not t0 <= i <= t1 and norm[i]:
                side = "L" if i < t0 else "R"
                feats[f"vl:{side}{'s' if clause[i] in tclause else 'o'}:{norm[i]}"] = 1.0

    if "ng" in groups:  # words after a negation in the same clause, marked
        negated = False
        for i in range(n):
            if i and clause[i] != clause[i - 1]:
                negated = False
            if raw[i] in _NEGATIONS or raw[i].endswith("n't"):
                negated = True
                continue
            if negated and norm[i] and not t0 <= i <= t1:
                feats[f"ng:{norm[i]}"] = 1.0

    if "bg" in groups:
        feats.update(dict.fromkeys(_bigrams(norm, t0, t1), 1.0))

    if "m" in groups:
        for i in range(t0, t1 + 1):
            if norm[i]:
                feats[f"m:{norm[i]}"] = 1.0
    return feats


# The groups `_FeatureRows` computes as row numbers; a model with another group names its features
# (`extract_features`) and looks each name up.
_ROW_GROUPS = frozenset({"s", "v", "x", "wn", "ws", "wc", "bg", "a", "stem"})
_UNSEEN: Any = object()  # a word `_FeatureRows` has not looked up yet
_NO_BIGRAMS: dict[str, int] = {}  # never filled


class _FeatureRows:
    """A model's sparse features of a mention as rows of its weight matrix: the rows of the names
    `extract_features` gives that the model knows, in the same order, with the same values.

    Why: naming every word's features ("wn:L1:said", "ws:L:said", "wc:said", "a:said") and looking each name up, for
    every word of every mention's sentence, was the largest part of extracting features. Here a word's rows are looked up once (`_word_rows`), and a mention's features are
    collected as {row: value}. A name the model does not know has no row and is left out, as when names were looked
    up; two names never share a row, so {row: value} keeps the order and values of {name: value}.
    tests/unit/test_actor_features_golden.py compares the two on the golden mentions and on random sentences.

    The model computes these rows for a batch of articles as arrays (`prepare`, `entries`: the section "a batch's
    features as arrays"); `rows`, one mention at a time, is what the arrays are checked against.
    """

    def __init__(self, index: dict[str, int], groups: Iterable[str]) -> None:
        self.index = index
        self.groups = frozenset(groups)
        self.bias = index.get("bias")
        # word -> its rows by where it stands (`_word_rows`), filled as words come.
        self._words: dict[str, tuple[tuple[int, ...], ...] | None] = {}
        get = index.get
        # Group s's rows (`_sentence_feature_rows`): compound, pos, neg, then the compound's bin by "+", "-", "0".
        self._sentence_rows = tuple(get(f"s:{name}") for name in ("compound", "pos", "neg"))
        self._cbin_rows = {sign: get(f"s:cbin{sign}") for sign in "+-0"}
        # Group v's rows (`_valence_rows`): by valence place, ((side * 2 + other clause) * 3 + distance bucket) * 2
        # + negative; then the normalised sums.
        self._valence_place_rows = tuple(get(f"v:{side}{where}{bucket}:{sign}")
                                         for side in "LR" for where in "so" for bucket in "123" for sign in "pn")
        self._valence_sum_rows = tuple(get(f"v:{name}") for name in ("win8", "clause", "left", "right"))
        # Group bg's rows by first word, then second: the row of "bg:{a}_{b}" is _bigram_rows[a][b]. A name is
        # entered under every split at "_" (words may hold one), so exactly the pairs that spell it find it.
        self._bigram_rows: dict[str, dict[str, int]] = {}
        for name, row in index.items():
            if name.startswith("bg:"):
                pair = name[3:]
                at = pair.find("_")
                while at >= 0:
                    self._bigram_rows.setdefault(pair[:at], {})[pair[at + 1 :]] = row
                    at = pair.find("_", at + 1)
        # The word table of the arrays (`word_ids`): at most one row per word group at a place.
        self._width = sum(group in self.groups for group in ("wn", "ws", "wc", "a"))
        self._table = _WordTable(self._width)
        self._lock = threading.Lock()

    # A word's place relative to the mention, as an index into `_word_rows`' tuple: the side (L 0, R 1), the distance
    # class (0-2: wn's buckets "1" "2" "3", 6 tokens or fewer; 3: 7-12 tokens, ws but no wn; 4: further) and whether
    # it is in the mention's clause: (side * 5 + distance class) * 2 + in_clause.
    _DISTANCE_CLASS = (0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3)  # by distance 0-12 (the distance is 1 or more)

    def _word_rows(self, word: str) -> tuple[tuple[int, ...], ...] | None:
        """Per place (see _DISTANCE_CLASS), the rows the word gives there in `_named_features`' order (wn, ws, wc, a);
        None when the model names no feature of the word."""
        known = self._words.get(word, _UNSEEN)  # one lookup: another thread may clear the table meanwhile
        if known is not _UNSEEN:
            return known
        rows = self._places_of(word)
        if len(self._words) >= 1 << 16:  # words come from the news: keep the table bounded
            self._words.clear()
        self._words[word] = rows
        return rows

    def _places_of(self, word: str) -> tuple[tuple[int, ...], ...] | None:
        """`_word_rows` without its table."""
        get = self.index.get
        groups = self.groups
        places: list[tuple[int, ...]] = []
        for side in ("L", "R"):
            for distance in (1, 2, 4, 7, 13):  # one distance of each class
                for in_clause in (False, True):
                    names = []
                    if "wn" in groups and distance <= 6:
                        names.append(f"wn:{side}{_DIST_BUCKETS[distance]}:{word}")
                    if "ws" in groups and distance <= 12:
                        names.append(f"ws:{side}:{word}")
                    if "wc" in groups and in_clause:
                        names.append(f"wc:{word}")
                    if "a" in groups:
                        names.append(f"a:{word}")
                    places.append(tuple(row for row in map(get, names) if row is not None))
        return tuple(places) if any(places) else None

    def word_ids(self, norm: list[str]) -> tuple[_WordTable, list[int]]:
        """The words' ids in the word table (`_WordTable`), adding the words it does not hold yet, and that table."""
        table = self._table
        ids = list(map(table.ids.get, norm))
        if None not in ids:
            return table, ids  # type: ignore[return-value]  # no None: every word has its id
        with self._lock:  # words are added under the lock: another thread may use the model meanwhile
            if len(self._table.ids) + len(norm) > _WordTable.LIMIT:
                self._table = _WordTable(self._width)
            table = self._table
            get = table.ids.get
            out = []
            for word in norm:
                word_id = get(word)
                if word_id is None:
                    word_id = table.add(word, self._places_of(word))
                out.append(word_id)
        return table, out

    def prepare(self, items: Sequence[tuple[str, int, int]], words_of: dict[str, _Words]) -> _SparsePart:
        """Phase one of the features' rows (the section "a batch's features as arrays"): the mentions' sentences'
        tokens as word ids, clauses and valences, each mention's token span, and the features named per mention."""
        first_token: dict[str, int] = {}
        norms: list[str] = []
        tok_clause: list[int] = []
        tok_valence: list[float] = []
        for sentence, words in words_of.items():
            first_token[sentence] = len(norms)
            norms += words.norm
            tok_clause += words.clause
            tok_valence += words.valences
        table, tok_word = self.word_ids(norms)
        base: list[int] = []
        length: list[int] = []
        t0s: list[int] = []
        t1s: list[int] = []
        f_count: list[int] = []
        f_row: list[int] = []
        f_value: list[float] = []
        groups, get, bias, bigram_rows = self.groups, self.index.get, self.bias, self._bigram_rows
        for sentence, start, end in items:
            words = words_of[sentence]
            named: dict[int, float] = {}
            if bias is not None:
                named[bias] = 1.0
            n = len(words.tokens)
            if n == 0:  # only the bias
                base.append(0)
                length.append(0)
                t0s.append(0)
                t1s.append(-1)
            else:
                t0, t1 = _mention_tokens(words, start, end)
                base.append(first_token[sentence])
                length.append(n)
                t0s.append(t0)
                t1s.append(t1)
                if "s" in groups:
                    self._sentence_feature_rows(words, named)
            f_row += named
            f_value += named.values()
            if n == 0:
                f_count += (len(named), 0, 0)
                continue
            structure = 0
            if "x" in groups:
                for name, value in _structure_features(words, sentence, start, end, t0, t1, False).items():
                    if (row := get(name)) is not None:
                        f_row.append(row)
                        f_value.append(value)
                        structure += 1
            bigrams: list[int] = []
            if "bg" in groups:  # `_bigrams`' names' rows, looked up without naming them
                seq = _bigram_words(words.norm, t0, t1)
                bigrams = [row for a, b in zip(seq, seq[1:], strict=False)
                           if (row := bigram_rows.get(a, _NO_BIGRAMS).get(b)) is not None]
                f_row += bigrams
                f_value += [1.0] * len(bigrams)
            f_count += (len(named), structure, len(bigrams))
        return _SparsePart(table, tok_word, tok_clause, tok_valence, base, length, t0s, t1s, f_count, f_row, f_value)

    def entries(self, parts: Sequence[_SparsePart]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Phase two, for parts prepared with one word table: every mention's (mention, row, value) entries, the
        mentions one after another (numbered across the parts) and each mention's in `rows`' order."""
        table = parts[0].table
        sizes = [len(p.tok_word) for p in parts]
        base = np.array(_shifted(parts, "base", sizes), dtype=np.int64)
        length = np.array(_joined(parts, "length"), dtype=np.int64)
        t0 = np.array(_joined(parts, "t0"), dtype=np.int64)
        t1 = np.array(_joined(parts, "t1"), dtype=np.int64)
        tok_word = np.array(_joined(parts, "tok_word"), dtype=np.int64)
        tok_clause = np.array(_joined(parts, "tok_clause"), dtype=np.int64)
        ments: list[np.ndarray] = []
        groups: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        values: list[np.ndarray] = []

        # The features named in Python: each mention's head, structure and bigram entries, in that order.
        fixed = np.array(_joined(parts, "fixed_count"), dtype=np.int64)
        ments.append(np.repeat(np.repeat(np.arange(len(length)), 3), fixed))
        groups.append(np.repeat(np.tile(np.array([_HEAD, _STRUCTURE, _BIGRAMS]), len(length)), fixed))
        rows.append(np.array(_joined(parts, "fixed_row"), dtype=np.int64))
        values.append(np.array(_joined(parts, "fixed_value"), dtype=np.float64))

        # Every other token of each mention's sentence: its mention, place in the sentence, side, distance, clause.
        span = t1 - t0 + 1
        mention, k = _expand(np.where(length > 0, length - span, 0))
        m0, m1 = t0[mention], t1[mention]
        left = k < m0
        i = np.where(left, k, k + span[mention])
        distance = np.where(left, m0 - i, i - m1)
        token = base[mention] + i
        clause = tok_clause[token]
        scored = np.flatnonzero(length > 0)
        first_clause = np.zeros(len(length), dtype=np.int64)
        last_clause = np.zeros(len(length), dtype=np.int64)
        first_clause[scored] = tok_clause[(base + t0)[scored]]
        last_clause[scored] = tok_clause[(base + t1)[scored]]

        if "v" in self.groups:
            valence = np.array(_joined(parts, "tok_valence"), dtype=np.float64)[token]
            nonzero = np.flatnonzero(valence)
            vm, vd, vv, vleft = mention[nonzero], distance[nonzero], valence[nonzero], left[nonzero]
            vclause = clause[nonzero]
            # `clause[i] in tclause`: clause ids never decrease, so a word left of the mention is in one of its
            # clauses when it is in the first, a word right of it when it is in the last.
            same = np.where(vleft, vclause == first_clause[vm], vclause == last_clause[vm])
            place = ((~vleft) * 12 + (~same) * 6 + np.where(vd <= 3, 0, np.where(vd <= 8, 2, 4)) + (vv < 0))
            key = vm * 24 + place
            totals = np.bincount(key, weights=np.abs(vv) / 4.0, minlength=len(length) * 24)
            named_keys, firsts = np.unique(key, return_index=True)
            named_keys = named_keys[np.argsort(firsts)]  # each mention's places in the order it first names them
            place_rows = np.array([-1 if r is None else r for r in self._valence_place_rows], dtype=np.int64)
            ments.append(named_keys // 24)
            groups.append(np.full(len(named_keys), _VALENCE, dtype=np.int64))
            rows.append(place_rows[named_keys % 24])
            values.append(totals[named_keys])
            # The normalised sums: win8, clause, left, right (each a sum in the words' order, as in Python).
            sums = [np.bincount(vm[vd <= 8], weights=vv[vd <= 8], minlength=len(length)),
                    np.bincount(vm[same], weights=vv[same], minlength=len(length)),
                    np.bincount(vm[vleft], weights=vv[vleft], minlength=len(length)),
                    np.bincount(vm[~vleft], weights=vv[~vleft], minlength=len(length))]
            sum_rows = np.array([-1 if r is None else r for r in self._valence_sum_rows], dtype=np.int64)
            stacked = np.column_stack(sums)[scored]
            ments.append(np.repeat(scored, 4))
            groups.append(np.full(4 * len(scored), _VALENCE_SUMS, dtype=np.int64))
            rows.append(np.tile(sum_rows, len(scored)))
            values.append((stacked / np.sqrt(stacked * stacked + 15.0)).ravel())

        # The other words' rows at their places (`_word_rows`), in sentence order, each word's in its order.
        place = ((~left) * 5 + _CLASS_BY_DISTANCE[np.minimum(distance, 13)]) * 2 + (clause == first_clause[mention])
        found = table.array[tok_word[token], place]
        present = found >= 0
        ments.append(np.broadcast_to(mention[:, None], found.shape)[present])
        rows.append(found[present].astype(np.int64))
        groups.append(np.full(len(rows[-1]), _WORDS, dtype=np.int64))
        values.append(np.ones(len(rows[-1])))

        ment = np.concatenate(ments)
        row = np.concatenate(rows)
        value = np.concatenate(values)
        known = row >= 0
        ment, row, value = ment[known], row[known], value[known]
        order = np.argsort(ment * 8 + np.concatenate(groups)[known], kind="stable")
        ment, row, value = ment[order], row[order], value[order]
        # A row named again (a word or bigram seen twice) keeps its first place, as a name set again does. (The key
        # tells mentions apart for any rows: an index need not number its names 0..n-1.)
        width = int(row.max()) + 1 if len(row) else 1
        _, firsts = np.unique(ment * width + row, return_index=True)
        if len(firsts) < len(row):
            keep = np.sort(firsts)
            ment, row, value = ment[keep], row[keep], value[keep]
        return ment, row, value

    def rows_of(self, items: Sequence[tuple[str, int, int]]) -> list[list[tuple[int, float]]]:
        """Each mention's (row, value) features from the arrays (`prepare`, `entries`): what `rows` gives."""
        words_of = {sentence: _sentence_words(sentence, "stem" in self.groups) for sentence, _, _ in items}
        ment, row, value = self.entries([self.prepare(items, words_of)])
        out: list[list[tuple[int, float]]] = [[] for _ in items]
        for k, r, v in zip(ment.tolist(), row.tolist(), value.tolist(), strict=True):
            out[k].append((r, v))
        return out

    def _sentence_feature_rows(self, words: _Words, feats: dict[int, float]) -> None:
        """Group s (`_sentence_features`) into feats as rows: the same names' rows in the same order, same values."""
        compound = words.scores[0]
        for row, value in zip(self._sentence_rows, words.scores[:3], strict=True):
            if row is not None:
                feats[row] = value
        row = self._cbin_rows["+" if compound >= 0.05 else "-" if compound <= -0.05 else "0"]
        if row is not None:
            feats[row] = 1.0

    def _valence_rows(self, words: _Words, t0: int, t1: int, feats: dict[int, float]) -> None:
        """Group v (`_valence_features`) into feats as rows: each valence place is summed over the same words in the
        same order and comes in the order the named features first name it, then the four normalised sums.
        `compress` walks the words whose valence is true, that is != 0.0: the words `_valence_features` reads."""
        valences, clause = words.valences, words.clause
        tclause = set(clause[t0 : t1 + 1])
        places: dict[int, float] = {}
        win = same = left = right = 0.0
        for i in compress(range(len(valences)), valences):
            if t0 <= i <= t1:
                continue
            value = valences[i]
            if i < t0:
                d = t0 - i
                left += value
                place = 0
            else:
                d = i - t1
                right += value
                place = 12
            if clause[i] in tclause:
                same += value
            else:
                place += 6
            place += (0 if d <= 3 else 2 if d <= 8 else 4) + (0 if value > 0 else 1)
            places[place] = places.get(place, 0.0) + abs(value) / 4.0
            if d <= 8:
                win += value
        rows = self._valence_place_rows
        for place, total in places.items():
            if (row := rows[place]) is not None:
                feats[row] = total
        for row, total in zip(self._valence_sum_rows, (win, same, left, right), strict=True):
            if row is not None:
                feats[row] = _normalize(total)

    def rows(self, words: _Words, sentence: str, start: int, end: int) -> dict[int, float]:
        """{row: value} of the mention sentence[start:end]'s features, in `extract_features`' order."""
        get = self.index.get
        groups = self.groups
        feats: dict[int, float] = {}
        if self.bias is not None:
            feats[self.bias] = 1.0
        n = len(words.tokens)
        if n == 0:
            return feats
        t0, t1 = _mention_tokens(words, start, end)
        if "s" in groups:
            self._sentence_feature_rows(words, feats)
        if "v" in groups:
            self._valence_rows(words, t0, t1, feats)
        if "x" in groups:
            for name, value in _structure_features(words, sentence, start, end, t0, t1, False).items():
                if (row := get(name)) is not None:
                    feats[row] = value
        # As in _named_features: the words left of the mention, then those right of it, each word's features in
        # the order wn, ws, wc, a. An empty word has none. A word's rows are looked up in the table `_word_rows`
        # fills before calling it.
        norm, clause = words.norm, words.clause
        mclause = clause[t0]
        places = self._DISTANCE_CLASS
        known = self._words.get
        word_rows = self._word_rows
        found: list[int] = []
        for i in range(t0):
            if (word := norm[i]) and (rows := known(word, _UNSEEN)) is not None:
                if rows is _UNSEEN and (rows := word_rows(word)) is None:
                    continue
                d = t0 - i
                found += rows[(places[d] if d <= 12 else 4) * 2 + (clause[i] == mclause)]
        for i in range(t1 + 1, n):
            if (word := norm[i]) and (rows := known(word, _UNSEEN)) is not None:
                if rows is _UNSEEN and (rows := word_rows(word)) is None:
                    continue
                d = i - t1
                found += rows[10 + (places[d] if d <= 12 else 4) * 2 + (clause[i] == mclause)]
        feats.update(dict.fromkeys(found, 1.0))  # a row already found keeps its place, as a name set again does
        if "bg" in groups:
            for name in _bigrams(norm, t0, t1):  # a bigram named again sets its row again, in place
                if (row := get(name)) is not None:
                    feats[row] = 1.0
        return feats


# --- a batch's features as arrays ---------------------------------------------------------------------------------
#
# The pipeline scores many articles' mentions at once. What reads a sentence's text (its words and clauses, VADER's
# pass, its context tokens) and the few features named per mention (bias, group s, structure, bigrams) are computed
# per article in Python (`ToneModel.prepare`); the features of every other word of the sentence (groups wn, ws, wc,
# a, v) and the context regions, a Python loop per word of every mention's sentence before, are array operations over
# the whole batch (`ToneModel.score_prepared`). They give each mention the rows and values `_FeatureRows.rows` and
# `ContextScores.mention_rows` give, in the same order, so the sums are the same floats
# (tests/unit/test_actor_features_golden.py).

# Entries of a mention's features, in the order `_named_features` names them: head (bias, group s), valence places
# (first named first), valence sums, structure, the other words (sentence order), bigrams.
_HEAD, _VALENCE, _VALENCE_SUMS, _STRUCTURE, _WORDS, _BIGRAMS = range(6)
# `_FeatureRows._DISTANCE_CLASS` by distance 0-13, 13 standing for any distance over 12 (class 4).
_CLASS_BY_DISTANCE = np.array(_FeatureRows._DISTANCE_CLASS + (4,), dtype=np.int64)


class _WordTable:
    """Word ids into a dense table of each word's rows by place (`_FeatureRows._word_rows`), -1 where it has fewer;
    id 0 is a word with no rows (one the model does not know, or an empty word). An id never changes: a full table is
    replaced by a new one, and mentions prepared with the old one keep it."""

    LIMIT = 1 << 16  # words come from the news: a table holds at most this many

    def __init__(self, width: int) -> None:
        self.ids: dict[str, int] = {"": 0}
        self.width = max(width, 1)
        self.array = np.full((1024, 20, self.width), -1, dtype=np.int32)
        self.size = 1

    def add(self, word: str, places: tuple[tuple[int, ...], ...] | None) -> int:
        if places is None:
            self.ids[word] = 0
            return 0
        if self.size == len(self.array):
            grown = np.full((2 * len(self.array), 20, self.width), -1, dtype=np.int32)
            grown[: self.size] = self.array[: self.size]
            self.array = grown
        pad = [-1] * self.width
        self.array[self.size] = [(list(rows) + pad)[: self.width] for rows in places]
        self.ids[word] = self.size
        self.size += 1
        return self.size - 1


class _SparsePart(NamedTuple):
    """One article's mentions prepared for `_FeatureRows.entries`."""

    table: _WordTable
    tok_word: list[int]  # the tokens of the mentions' sentences, one sentence after another: word id,
    tok_clause: list[int]  # clause id,
    tok_valence: list[float]  # VADER's valence
    base: list[int]  # per mention: its sentence's first token, its token count, its token span [t0, t1]
    length: list[int]
    t0: list[int]
    t1: list[int]
    fixed_count: list[int]  # per mention, its features named in Python: head, structure and bigram entries
    fixed_row: list[int]  # and their rows and values, one mention after another
    fixed_value: list[float]


class _ContextPart(NamedTuple):
    """One article's mentions prepared for `ContextScores.entries`: per region of a mention, the range of its
    sentence's tokens it reads."""

    ids: list[int]  # the context tokens of the mentions' sentences, one sentence after another: word index or -1
    segments: tuple[list[int], list[int], list[int], list[int], list[int], list[int]]  # mention, lo, hi (its tokens
    # in `ids`), region, kind (0 plain, 1 weighted left, 2 weighted right), anchor (the left region's end, the right
    # one's start, in `ids`)


PAIRS_AT_ONCE = 100_000  # (mention, word) pairs summed at once: about 60 bench articles; tens of MB of arrays


class PreparedMentions(NamedTuple):
    """Mentions' features as a model reads them (`ToneModel.prepare`), to be summed with other articles'."""

    n_mentions: int
    sparse: _SparsePart | None  # None: `named` holds the rows (a model with groups `_FeatureRows` does not know)
    named: tuple[list[int], list[float], list[int]] | None  # rows, values, each mention's first row
    context: _ContextPart | None


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For segments of `counts` items one after another: each item's segment and its place in it."""
    owner = np.repeat(np.arange(len(counts)), counts)
    firsts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - firsts[owner]


def _joined(parts: Sequence[Any], field: str) -> list[Any]:
    """The parts' lists of `field`, one after another."""
    return list(chain.from_iterable(getattr(part, field) for part in parts))


def _shifted(parts: Sequence[Any], field: str, sizes: Sequence[int]) -> list[int]:
    """The parts' lists of `field`, each moved past the sizes of the parts before it."""
    out: list[int] = []
    at = 0
    for part, size in zip(parts, sizes, strict=True):
        out += map(at.__add__, getattr(part, field))
        at += size
    return out


# --- word vectors around the mention (format 2) -----------------------------------------------------------
#
# Besides the sparse features, a model may carry a "context" block: the (weighted) mean word vector (GloVe, 100
# numbers a word) of three regions of the sentence, each weighed by its own trained weights. A weighted mean followed
# by a linear map is the weighted mean of the mapped words, so the file holds, per word, its share of each class's
# logit in each region (regions x classes numbers) instead of the vector itself: the words' meanings without the
# vectors.

# No region of the mention's own words: like the sparse features (group "m", off), that would learn a prior for
# or against the names of the training years' news.
#
# The regions a model file may name: (side, tokens, weighted). "sentence" is every token of the sentence; a weighted
# region weighs the token k places from the mention (k = 1 next to it) by 1 / k, so the nearest words count most.
REGIONS: dict[str, tuple[str, int, bool]] = {
    "left5": ("L", 5, False),  # model 2.0: the 5 tokens each side, a plain mean
    "right5": ("R", 5, False),
    "left15w": ("L", 15, True),  # model 2.1: 15 tokens each side, weighted by nearness (docs/methods.md)
    "right15w": ("R", 15, True),
    "sentence": ("S", 0, False),
}
CONTEXT_REGIONS: tuple[str, ...] = ("left15w", "right15w", "sentence")  # what training writes
# Lower-cased tokens cut as GloVe's were (Stanford's tokenizer): "u.s." whole, "don't" -> do + n't,
# "pakistan's" -> pakistan + 's, hyphenated words whole, each punctuation mark a token.
_CONTEXT_TOKEN = re.compile(
    r"(?:[a-z]\.){2,}|[a-z0-9]+(?=n't)|n't|'(?:s|re|ve|ll|d|m)\b"
    r"|[a-z0-9]+(?:-[a-z0-9]+)*(?:'(?!(?:s|re|ve|ll|d|m)\b)[a-z0-9]+)*|[^\w\s]"
)


@functools.lru_cache(maxsize=64)
def _context_tokens(sentence: str) -> tuple[list[int], list[int], list[str]]:
    """(start offsets, end offsets, tokens) of the sentence's lower-cased context tokens (curly quotes straightened:
    same length, so offsets hold): _CONTEXT_TOKEN's matches in the lowered sentence, cut one whitespace-split chunk
    at a time: a chunk of a-z and 0-9 only is the pattern's word whole, another is cut by `_chunk_tokens`, cached
    per chunk (news repeats its words, and the pattern's alternatives scanned each word several times).

    Why that equals one scan of the whole text: no match holds a whitespace character, none starts at one, and
    what decides a match at a position reads only characters from there on (no lookbehind; the word boundary and
    the lookaheads read at most the character after the chunk, whitespace, which they treat as the end of the
    text). So the scan restarts at each chunk and finds there what the chunk alone gives. `str.split` and the
    pattern's whitespace class are the same characters. tests/unit/test_fast_paths.py compares it with the
    whole-text scan."""
    text = _straight(sentence).lower()
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    find = text.find
    known = _CHUNKS.get
    at = 0
    for chunk in text.split():
        at = find(chunk, at)
        if chunk.isalnum() and chunk.isascii():  # a-z and 0-9 only (lowered): the pattern's word, whole
            cut = None
        elif (cut := known(chunk, _NEW_CHUNK)) is _NEW_CHUNK:  # one lookup: another thread may clear the table
            cut = _chunk_tokens(chunk)
        if cut is None:  # the chunk is one token
            starts.append(at)
            at += len(chunk)
            ends.append(at)
            words.append(chunk)
        else:
            for first, last, word in cut:
                starts.append(at + first)
                ends.append(at + last)
                words.append(word)
            at += len(chunk)
    return starts, ends, words


# ASCII marks the pattern reads as one-character tokens wherever they stand next to a word of a-z and 0-9 (no
# apostrophe, hyphen or underscore: those join words).
_EDGE = '!"#$%&()*+,./:;<=>?@[\\]^`{|}~'
_CHUNKS: dict[str, tuple[tuple[int, int, str], ...] | None] = {}  # chunk -> its tokens (`_chunk_tokens`)
_NEW_CHUNK: Any = object()


def _chunk_tokens(chunk: str) -> tuple[tuple[int, int, str], ...] | None:
    """(start, end, token) of _CONTEXT_TOKEN's matches in a whitespace-free chunk of lowered text, None when the
    chunk is one token whole; remembered in _CHUNKS (bounded: chunks come from the news).

    A word of a-z and 0-9 with marks of _EDGE before or after it ("said," "(ap)"), or such marks alone, is cut
    without the pattern: no alternative but the one-character `[^\\w\\s]` starts at such a mark, and the word
    alternatives take the whole word (no dot between letters, apostrophe or hyphen follows it)."""
    core = chunk.strip(_EDGE)
    if core.isalnum() and core.isascii() or not core:
        # A word of a-z and 0-9 between marks of _EDGE, or marks alone: each mark a token, the word one.
        first = len(chunk) - len(chunk.lstrip(_EDGE))
        last = first + len(core)
        cut = (*((i, i + 1, chunk[i]) for i in range(first)), *(((first, last, core),) if core else ()),
               *((i, i + 1, chunk[i]) for i in range(last, len(chunk))))
    else:
        cut = tuple((match.start(), match.end(), match.group()) for match in _CONTEXT_TOKEN.finditer(chunk))
    whole = len(cut) == 1 and cut[0][:2] == (0, len(chunk))
    if len(_CHUNKS) >= 1 << 16:
        _CHUNKS.clear()
    _CHUNKS[chunk] = None if whole else cut
    return None if whole else cut


def context_regions(
    sentence: str, start: int, end: int, regions: Sequence[str] = CONTEXT_REGIONS
) -> list[tuple[list[str], list[float]]]:
    """Per region (names in REGIONS), the tokens it reads for the mention sentence[start:end], in sentence order,
    and each token's weight (1.0 in a plain region). A token cut by the mention's edge belongs to neither side."""
    starts, ends, words = _context_tokens(sentence)
    left_end = bisect.bisect_right(ends, start)  # tokens ending at or before the mention's start
    right_start = bisect.bisect_left(starts, end)  # tokens starting at or after its end
    out: list[tuple[list[str], list[float]]] = []
    for name in regions:
        side, size, weighted = REGIONS[name]
        if side == "S":
            out.append((words, [1.0] * len(words)))
        elif side == "L":
            first = max(0, left_end - size)
            out.append((words[first:left_end],
                        [1.0 / (left_end - i) if weighted else 1.0 for i in range(first, left_end)]))
        else:
            tokens = words[right_start : right_start + size]
            out.append((tokens, [1.0 / (k + 1) if weighted else 1.0 for k in range(len(tokens))]))
    return out


class ContextScores:
    """Per word, its trained share of each class's logit in each context region; a region adds the mean over its
    known words (unknown words are left out of the mean, as in training)."""

    def __init__(self, block: dict[str, Any], n_classes: int) -> None:
        self.regions = tuple(block["regions"])
        if not self.regions or not all(r in REGIONS for r in self.regions) or block.get("dtype") != "float16":
            raise ValueError(f"unsupported context block: regions {self.regions!r}, dtype {block.get('dtype')!r}")
        words = block["words"].split("\n") if block["words"] else []
        table = np.frombuffer(base64.b64decode(block["scores"]), dtype="<f2").astype(np.float64)
        if table.size != len(words) * len(self.regions) * n_classes:
            raise ValueError("context scores do not match the word list")
        # Row word * regions + region: the region's scores of that word.
        self.table = table.reshape(len(words) * len(self.regions), n_classes)
        self._index = {word: i for i, word in enumerate(words)}

    def __len__(self) -> int:
        return len(self._index)

    def rows(self, sentence: str, start: int, end: int) -> tuple[list[int], list[float]]:
        """The rows of the flattened (word x region, class) table that the mention's regions read, each with its
        token's weight over the region's known words' total: their weighted sum is the sum of the regions' weighted
        means (a plain region: 1 / its known words)."""
        return self.mention_rows(self.sentence_ids(sentence), start, end)

    def sentence_ids(self, sentence: str) -> _ContextTokens:
        """What every mention of the sentence reads (`mention_rows`): its context tokens' offsets, and the positions
        and word indexes of the tokens the table knows."""
        starts, ends, words = _context_tokens(sentence)
        get = self._index.get
        known = [(i, word) for i, word in enumerate(map(get, words)) if word is not None]
        return _ContextTokens((starts, ends), [i for i, _ in known], [word for _, word in known])

    def mention_rows(self, tokens: _ContextTokens, start: int, end: int) -> tuple[list[int], list[float]]:
        """`rows` for the mention sentence[start:end] from the sentence's `sentence_ids`: each region of
        `context_regions`, its known tokens in sentence order, with the same weights and totals (the same floats
        summed in the same order)."""
        left_end = bisect.bisect_right(tokens.starts_ends[1], start)  # tokens ending at or before the mention's start
        right_start = bisect.bisect_left(tokens.starts_ends[0], end)  # tokens starting at or after its end
        positions, ids = tokens.positions, tokens.ids
        n_regions = len(self.regions)
        rows: list[int] = []
        weights: list[float] = []
        for r, name in enumerate(self.regions):
            side, size, weighted = REGIONS[name]
            # The known tokens' positions in the region's token range (context_regions), as a slice of `positions`.
            if side == "S":
                lo, hi = 0, len(positions)
            elif side == "L":
                lo, hi = bisect.bisect_left(positions, left_end - size), bisect.bisect_left(positions, left_end)
            else:
                lo, hi = bisect.bisect_left(positions, right_start), bisect.bisect_left(positions, right_start + size)
            if lo == hi:
                continue
            rows += [word * n_regions + r for word in ids[lo:hi]]
            # The token k places from the mention weighs 1 / k in a weighted region.
            if not weighted:
                known_weights = [1.0] * (hi - lo)
            elif side == "L":
                known_weights = [1.0 / (left_end - i) for i in positions[lo:hi]]
            else:
                known_weights = [1.0 / (i - right_start + 1) for i in positions[lo:hi]]
            total = _sum_in_order(known_weights)
            weights += [w / total for w in known_weights]
        return rows, weights

    def prepare(self, items: Sequence[tuple[str, int, int]]) -> _ContextPart:
        """Phase one of the context rows (the section "a batch's features as arrays"): the mentions' sentences'
        context tokens as word indexes (-1: a word the table does not know), and per region of each mention the
        range of tokens it reads (`context_regions`); `entries` keeps the known ones, as `mention_rows` does."""
        ids: list[int] = []
        seen: dict[str, tuple[tuple[list[int], list[int]], int]] = {}
        s_ment: list[int] = []
        s_lo: list[int] = []
        s_hi: list[int] = []
        s_region: list[int] = []
        s_kind: list[int] = []
        s_anchor: list[int] = []
        regions = [REGIONS[name] for name in self.regions]
        get = self._index.get
        for k, (sentence, start, end) in enumerate(items):
            got = seen.get(sentence)
            if got is None:
                starts, ends, words = _context_tokens(sentence)
                got = seen[sentence] = ((starts, ends), len(ids))
                ids += map(get, words, repeat(-1))
            (starts, ends), offset = got
            left_end = bisect.bisect_right(ends, start)  # tokens ending at or before the mention's start
            right_start = bisect.bisect_left(starts, end)  # tokens starting at or after its end
            for r, (side, size, weighted) in enumerate(regions):
                if side == "S":
                    lo, hi = 0, len(starts)
                elif side == "L":
                    lo, hi = max(0, left_end - size), left_end
                else:
                    lo, hi = right_start, min(len(starts), right_start + size)
                if lo < hi:
                    s_ment.append(k)
                    s_lo.append(lo + offset)
                    s_hi.append(hi + offset)
                    s_region.append(r)
                    s_kind.append(0 if not weighted else 1 if side == "L" else 2)
                    s_anchor.append((left_end if side == "L" else right_start) + offset)
        return _ContextPart(ids, (s_ment, s_lo, s_hi, s_region, s_kind, s_anchor))

    def entries(self, parts: Sequence[_ContextPart], counts: Sequence[int]) -> tuple[np.ndarray, np.ndarray,
                                                                                       np.ndarray]:
        """Phase two: every mention's context (mention, row, weight) entries, the mentions one after another
        (numbered across the parts, of `counts` mentions each), each mention's in `mention_rows`' order with its
        weights: a known token's weight over its region's known tokens' total, summed in the tokens' order."""
        ids = np.array(_joined(parts, "ids"), dtype=np.int64)
        ment: list[int] = []
        lo: list[int] = []
        hi: list[int] = []
        anchor: list[int] = []
        at = size_at = 0
        for part, count in zip(parts, counts, strict=True):
            ment += map(at.__add__, part.segments[0])
            lo += map(size_at.__add__, part.segments[1])
            hi += map(size_at.__add__, part.segments[2])
            anchor += map(size_at.__add__, part.segments[5])
            at += count
            size_at += len(part.ids)
        region = np.array(list(chain.from_iterable(p.segments[3] for p in parts)), dtype=np.int64)
        kind = np.array(list(chain.from_iterable(p.segments[4] for p in parts)), dtype=np.int64)
        lo_a = np.array(lo, dtype=np.int64)
        segment, k = _expand(np.array(hi, dtype=np.int64) - lo_a)
        token = lo_a[segment] + k
        known = np.flatnonzero(ids[token] >= 0)
        segment, token = segment[known], token[known]
        anchors = np.array(anchor, dtype=np.int64)[segment]
        weight = np.ones(len(token))
        kinds = kind[segment]
        left = np.flatnonzero(kinds == 1)
        right = np.flatnonzero(kinds == 2)
        weight[left] = 1.0 / (anchors[left] - token[left])  # the token k places left of the mention: 1 / k
        weight[right] = 1.0 / (token[right] - anchors[right] + 1)
        totals = np.bincount(segment, weights=weight, minlength=len(lo))
        return (np.array(ment, dtype=np.int64)[segment], ids[token] * len(self.regions) + region[segment],
                weight / totals[segment])

def _sum_in_order(values: list[float]) -> float:
    """The floats added left to right, as np.bincount adds them (`ContextScores.entries`). Not sum(): from Python
    3.12 it compensates its rounding, and a region's total would then differ in its last bits from the arrays'."""
    total = 0.0
    for value in values:
        total += value
    return total


class _ContextTokens(NamedTuple):
    starts_ends: tuple[list[int], list[int]]  # each context token's start and end offset
    positions: list[int]  # the tokens the table knows, by position
    ids: list[int]  # and their word indexes


def encode_context(words: Sequence[str], scores: np.ndarray,
                   regions: Sequence[str] = CONTEXT_REGIONS) -> dict[str, Any]:
    """The model file's "context" block for per-word scores of shape (words, regions, classes), stored as
    little-endian float16 (3 significant digits: far finer than the model's own error)."""
    if any("\n" in w for w in words) or scores.shape[:2] != (len(words), len(regions)):
        raise ValueError("one row of region scores per word, and no line break in a word")
    return {"regions": list(regions), "words": "\n".join(words), "dtype": "float16",
            "scores": base64.b64encode(np.ascontiguousarray(scores, dtype="<f2").tobytes()).decode("ascii")}


# --- the model ------------------------------------------------------------------------------------------


class ToneModel:
    """A trained linear tone model: weights per named feature and class, plus per-class intercepts."""

    def __init__(self, model: dict[str, Any]) -> None:
        if model.get("format_version") not in (1, FORMAT_VERSION):
            raise ValueError(f"unsupported model format {model.get('format_version')!r}; expected 1 or {FORMAT_VERSION}")
        self.meta = {k: v for k, v in model.items() if k not in ("weights", "intercept", "context")}
        self.method = "model"
        self.version = str(model.get("model_version", ""))
        self.classes: tuple[str, ...] = tuple(model["classes"])
        self.groups: tuple[str, ...] = tuple(model["feature_groups"])
        self.intercept = np.asarray(model["intercept"], dtype=np.float64)
        # Feature name -> row of a dense (n_features x n_classes) matrix.
        names = sorted(model["weights"])
        self._index = {name: i for i, name in enumerate(names)}
        self._weights = np.asarray([model["weights"][k] for k in names], dtype=np.float64).reshape(-1, len(self.classes))
        # Features as rows without naming them, for the groups `_FeatureRows` knows (every shipped model's).
        self._rows = _FeatureRows(self._index, self.groups) if _ROW_GROUPS.issuperset(self.groups) else None
        block = model.get("context")
        self.context = ContextScores(block, len(self.classes)) if block else None

    @classmethod
    def load(cls, path: str | Path) -> ToneModel:
        """Read a model written by `save` (gzip if the name ends in .gz)."""
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def prepare(self, items: Sequence[tuple[str, int, int]]) -> PreparedMentions:
        """The mentions' features as the model reads them, to be summed (`score_prepared`) with other articles'.

        What reads the sentences (their words, VADER's pass, their context tokens) is done here; the features of the
        sentences' words and regions are array operations over a whole batch. The pipeline prepares an article's
        mentions while its sentences' VADER passes are cached, and sums a batch of articles at once.
        """
        items = list(items)
        sparse: _SparsePart | None = None
        named: tuple[list[int], list[float], list[int]] | None = None
        if self._rows is not None:
            stem = "stem" in self.groups
            words_of: dict[str, _Words] = {}  # what the mentions of one sentence share
            for sentence, _, _ in items:
                if sentence not in words_of:
                    words_of[sentence] = _sentence_words(sentence, stem)
            sparse = self._rows.prepare(items, words_of)
        else:
            rows: list[int] = []
            values: list[float] = []
            starts: list[int] = []
            get = self._index.get
            for sentence, start, end in items:
                starts.append(len(rows))
                for name, value in extract_features(sentence, start, end, self.groups).items():
                    row = get(name)
                    if row is not None:
                        rows.append(row)
                        values.append(value)
            named = (rows, values, starts)
        context = self.context.prepare(items) if self.context is not None else None
        return PreparedMentions(len(items), sparse, named, context)

    def _probabilities(self, items: Sequence[tuple[str, int, int]]) -> np.ndarray:
        """P(class) for each mention (sentence, start, end): one row per mention, columns in `classes` order."""
        return self._probabilities_of([self.prepare(items)])

    def _probabilities_of(self, parts: Sequence[PreparedMentions]) -> np.ndarray:
        """P(class) for each prepared mention, the parts' mentions one after another: one row per mention, columns in
        `classes` order.

        Each mention's logits are the intercept plus the weighted sum of its features' weight rows (and of its
        context words' region scores): np.add.reduceat over the mention's rows in the features' order, each
        mention's sum computed the same way wherever it sits, so a mention gets the same numbers alone or in a
        batch (tests/unit/test_actor_features_golden.py).
        """
        n_classes = len(self.classes)
        # The arrays hold a row per (mention, word of its sentence) pair: a long batch is summed in pieces of at
        # most PAIRS_AT_ONCE pairs (an article more than that alone), so memory stays that of a few dozen articles.
        pairs = [sum(part.sparse.length) if part.sparse is not None else part.n_mentions for part in parts]
        if len(parts) > 1 and sum(pairs) > PAIRS_AT_ONCE:
            pieces: list[list[PreparedMentions]] = [[]]
            load = 0
            for part, weight in zip(parts, pairs, strict=True):
                if pieces[-1] and load + weight > PAIRS_AT_ONCE:
                    pieces.append([])
                    load = 0
                pieces[-1].append(part)
                load += weight
            return np.concatenate([self._probabilities_of(piece) for piece in pieces])
        tables = [part.sparse.table for part in parts if part.sparse is not None]
        if any(table is not tables[0] for table in tables):  # the word table filled up between them: apart
            cut = [k for k in range(1, len(parts)) if parts[k].sparse is not None and parts[k - 1].sparse is not None
                   and parts[k].sparse.table is not parts[k - 1].sparse.table]  # type: ignore[union-attr]
            bounds = [0, *cut, len(parts)]
            return np.concatenate([self._probabilities_of(parts[a:b]) for a, b in zip(bounds, bounds[1:],
                                                                                       strict=False)])
        counts = [part.n_mentions for part in parts]
        total = sum(counts)
        rows: Sequence[int] | np.ndarray
        values: Sequence[float] | np.ndarray
        if self._rows is not None:
            ment, rows, values = self._rows.entries([part.sparse for part in parts])  # type: ignore[misc]
            starts = np.searchsorted(ment, np.arange(total)).tolist()
        else:
            named_rows: list[int] = []
            named_values: list[float] = []
            starts = []
            for part in parts:
                part_rows, part_values, part_starts = part.named  # type: ignore[misc]
                starts += map(len(named_rows).__add__, part_starts)
                named_rows += part_rows
                named_values += part_values
            rows, values = named_rows, named_values
        # The intercept plus each mention's sums (what adding them to rows of the intercept gave: a + b == b + a).
        logits = _segment_sums(self._weights, rows, values, starts, n_classes) + self.intercept
        if self.context is not None:
            ment, ctx_rows, weights = self.context.entries([part.context for part in parts],  # type: ignore[misc]
                                                           counts)
            ctx_starts = np.searchsorted(ment, np.arange(total)).tolist()
            logits += _segment_sums(self.context.table, ctx_rows, weights, ctx_starts, n_classes)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict_proba(self, sentence: str, start: int, end: int) -> dict[str, float]:
        """{label: probability} of the tone toward sentence[start:end]."""
        probs = self._probabilities([(sentence, start, end)])[0]
        return dict(zip(self.classes, probs.tolist(), strict=True))  # tolist: the same floats as float(p)

    def predict(self, sentence: str, start: int, end: int) -> Label:
        """The most probable label of the tone toward sentence[start:end]."""
        probs = self.predict_proba(sentence, start, end)
        return max(LABELS, key=lambda label: probs[label])

    def score(self, sentence: str, start: int, end: int) -> float:
        """P(positive) - P(negative), -1..1: suited to averaging an actor's tone over several sentences."""
        probs = self.predict_proba(sentence, start, end)
        return probs["positive"] - probs["negative"]

    def score_mentions(self, items: Sequence[tuple[str, int, int]]) -> list[tuple[Label, float]]:
        """(label, P(positive) - P(negative)) for each (sentence, start, end): the pipeline's MentionScorer."""
        return self.predict_many(items)

    def predict_many(self, items: Sequence[tuple[str, int, int]]) -> list[tuple[Label, float]]:
        """(label, score) for each (sentence, start, end); mentions of one sentence share its VADER pass."""
        if not items:
            return []
        return self._labels(self._probabilities(items))

    def score_prepared(self, parts: Sequence[PreparedMentions]) -> list[list[tuple[Label, float]]]:
        """Per part of `prepare`, (label, score) for each of its mentions: what `score_mentions` gives each part's
        items, the parts summed at once."""
        if not any(part.n_mentions for part in parts):
            return [[] for _ in parts]
        scored = self._labels(self._probabilities_of(parts))
        out = []
        at = 0
        for part in parts:
            out.append(scored[at : at + part.n_mentions])
            at += part.n_mentions
        return out

    def _labels(self, probabilities: np.ndarray) -> list[tuple[Label, float]]:
        """(label, P(positive) - P(negative)) of each row of probabilities."""
        out: list[tuple[Label, float]] = []
        if sorted(self.classes) != sorted(LABELS):
            for row in probabilities.tolist():
                probs = dict(zip(self.classes, row, strict=True))
                label = max(LABELS, key=probs.__getitem__)
                out.append((label, probs["positive"] - probs["negative"]))
            return out
        # The same without a dict per mention: max(LABELS, key=...) keeps the first label with the largest
        # probability, replacing it only with a strictly larger one (a NaN never replaces nor is replaced).
        neg, neu, pos = map(self.classes.index, LABELS)
        for row in probabilities.tolist():
            chosen: Label = "negative"
            best = row[neg]
            if row[neu] > best:
                chosen, best = "neutral", row[neu]
            if row[pos] > best:
                chosen = "positive"
            out.append((chosen, row[pos] - row[neg]))
        return out


def _segment_sums(matrix: np.ndarray, rows: Sequence[int] | np.ndarray, values: Sequence[float] | np.ndarray,
                  starts: list[int], n_classes: int) -> np.ndarray:
    """Per segment (rows[starts[k]:starts[k + 1]]), the sum of matrix[row] * value over its rows; an empty segment
    sums to zero. numpy may sum a segment pairwise rather than left to right, so rows added or reordered within a
    segment can move the last bits, but a segment's sum does not depend on the segments around it."""
    if len(rows) == 0:
        return np.zeros((len(starts), n_classes))
    weighted = matrix.take(rows, axis=0) * np.asarray(values)[:, None]
    if starts[-1] < len(rows) and len(set(starts)) == len(starts):
        # No segment is empty (the usual case: a model's bias is every mention's feature): the reduceat below over
        # every segment, without placing its rows into a zero matrix.
        return np.add.reduceat(weighted, starts, axis=0)
    out = np.zeros((len(starts), n_classes))
    bounds = np.asarray(starts + [len(rows)])
    filled = np.flatnonzero(bounds[1:] > bounds[:-1])  # reduceat would give an empty segment its start's row
    out[filled] = np.add.reduceat(weighted, bounds[filled], axis=0)
    return out


# --- in the pipeline ------------------------------------------------------------------------------------

SHIPPED = "actor_tone.json.gz"


@functools.cache
def shipped_model() -> ToneModel:
    """The model shipped with newswatch (newswatch/analysis/actors/data/), loaded once per process."""
    from importlib import resources

    data = resources.files("newswatch.analysis.actors").joinpath("data", SHIPPED).read_bytes()
    return ToneModel(json.loads(gzip.decompress(data).decode("utf-8")))
