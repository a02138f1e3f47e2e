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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

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

    text = sentence.translate(_QUOTES)
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
    """
    groups = frozenset(groups)
    tokens, offsets, valences, sent_scores, text = _sentence_analysis(sentence)
    n = len(tokens)
    feats: dict[str, float] = {"bias": 1.0}
    if n == 0:
        return feats
    # Mention token span [t0, t1]: whitespace tokens overlapping [start, end).
    inside = []
    for i in range(n):  # offsets increase: no token past the mention's end overlaps it
        if offsets[i] >= end:
            break
        if offsets[i] + len(tokens[i]) > start:
            inside.append(i)
    if not inside:  # offsets in whitespace: take the nearest token
        inside = [min(range(n), key=lambda i: abs(offsets[i] - start))]
    t0, t1 = inside[0], inside[-1]
    raw = list(map(_norm_token, tokens))  # map: the cached functions are called from C, no loop in Python
    norm = list(map(_stem, raw)) if "stem" in groups else raw

    # Clause ids: a new clause after a token ending in , ; : ( ) dashes, or at but/while/although/...
    clause = [0] * n
    cid = 0
    for i, token in enumerate(tokens):
        if i and raw[i] in _CLAUSE_START_WORDS:
            cid += 1
        clause[i] = cid
        if token.endswith(_CLAUSE_END) or token in ("\u2014", "\u2013", "-", "--"):
            cid += 1
    # The mention's clause: that of its first token (a trailing comma on the mention ends it, not precedes it).
    mclause = clause[t0]
    tclause = set(clause[t0 : t1 + 1])

    def side_dist(i: int) -> tuple[str, int]:
        return ("L", t0 - i) if i < t0 else ("R", i - t1)

    if "s" in groups:
        compound, pos, neg, _neu = sent_scores
        feats["s:compound"] = compound
        feats["s:pos"] = pos
        feats["s:neg"] = neg
        feats["s:cbin" + ("+" if compound >= 0.05 else "-" if compound <= -0.05 else "0")] = 1.0

    if "v" in groups:
        win = same = left = right = 0.0
        for i, value in enumerate(valences):
            if value == 0.0 or t0 <= i <= t1:
                continue
            side, d = side_dist(i)
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

    if "x" in groups:
        if t0 == 0 or (t0 <= 1 and raw[0] in ("but", "and", "the", "former", "president", "sen", "rep")):
            feats["x:start"] = 1.0
        if text[:start].count('"') % 2 == 1:
            feats["x:in_quotes"] = 1.0
        if '"' in text:
            feats["x:has_quotes"] = 1.0
        mention = sentence[start:end].lower().translate(_QUOTES)
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
        if not _NEGATIONS.isdisjoint(raw) and any(  # most sentences have no negation at all
            raw[i] in _NEGATIONS for i in range(n) if clause[i] == mclause and not t0 <= i <= t1
        ):
            feats["x:neg_clause"] = 1.0
        if sentence.rstrip().endswith("?"):
            feats["x:question"] = 1.0
        feats["x:rel_pos"] = t0 / max(1, n - 1)
        if "xs" in groups:
            compound = sent_scores[0]
            sign = "+" if compound >= 0.05 else "-" if compound <= -0.05 else "0"
            for name in [k for k in feats if k.startswith("x:") and k != "x:rel_pos"]:
                feats[f"xs:{name[2:]}|{sign}"] = 1.0

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
                side, _d = side_dist(i)
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
        seq = [w for w in norm[max(0, t0 - 4) : t0] if w] + [_TARGET] + [w for w in norm[t1 + 1 : t1 + 5] if w]
        for a, b in zip(seq, seq[1:], strict=False):
            feats[f"bg:{a}_{b}"] = 1.0

    if "m" in groups:
        for i in range(t0, t1 + 1):
            if norm[i]:
                feats[f"m:{norm[i]}"] = 1.0
    return feats


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
    same length, so offsets hold)."""
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    for match in _CONTEXT_TOKEN.finditer(sentence.translate(_QUOTES).lower()):
        starts.append(match.start())
        ends.append(match.end())
        words.append(match.group())
    return starts, ends, words


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
        rows: list[int] = []
        weights: list[float] = []
        get = self._index.get
        n_regions = len(self.regions)
        for r, (tokens, token_weights) in enumerate(context_regions(sentence, start, end, self.regions)):
            known = [(i * n_regions + r, w) for i, w in zip(map(get, tokens), token_weights, strict=True)
                     if i is not None]
            if known:
                total = sum(w for _, w in known)
                rows += [row for row, _ in known]
                weights += [w / total for _, w in known]
        return rows, weights


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
        block = model.get("context")
        self.context = ContextScores(block, len(self.classes)) if block else None

    @classmethod
    def load(cls, path: str | Path) -> ToneModel:
        """Read a model written by `save` (gzip if the name ends in .gz)."""
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def _probabilities(self, items: Sequence[tuple[str, int, int]]) -> np.ndarray:
        """P(class) for each mention (sentence, start, end): one row per mention, columns in `classes` order.

        Each mention's logits are the intercept plus the weighted sum of its features' weight rows (and of its
        context words' region scores). All mentions are scored in a few array operations: their rows are gathered
        into one matrix and summed per mention (np.add.reduceat over the mention's rows in the features' order,
        each mention's sum computed the same way wherever it sits), so a mention gets the same numbers alone or in a
        batch (tests/unit/test_actor_features_golden.py).
        """
        n_classes = len(self.classes)
        logits = np.tile(self.intercept, (len(items), 1))
        get = self._index.get
        rows: list[int] = []
        values: list[float] = []
        starts: list[int] = []
        ctx_rows: list[int] = []
        ctx_weights: list[float] = []
        ctx_starts: list[int] = []
        for sentence, start, end in items:
            starts.append(len(rows))
            for name, value in extract_features(sentence, start, end, self.groups).items():
                row = get(name)
                if row is not None:
                    rows.append(row)
                    values.append(value)
            if self.context is not None:
                ctx_starts.append(len(ctx_rows))
                more, weights = self.context.rows(sentence, start, end)
                ctx_rows += more
                ctx_weights += weights
        logits += _segment_sums(self._weights, rows, values, starts, n_classes)
        if self.context is not None:
            logits += _segment_sums(self.context.table, ctx_rows, ctx_weights, ctx_starts, n_classes)
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
        out: list[tuple[Label, float]] = []
        if not items:
            return out
        for row in self._probabilities(items).tolist():
            probs = dict(zip(self.classes, row, strict=True))
            label = max(LABELS, key=probs.__getitem__)
            out.append((label, probs["positive"] - probs["negative"]))
        return out


def _segment_sums(matrix: np.ndarray, rows: list[int], values: list[float], starts: list[int],
                  n_classes: int) -> np.ndarray:
    """Per segment (rows[starts[k]:starts[k + 1]]), the sum of matrix[row] * value over its rows; an empty segment
    sums to zero. numpy may sum a segment pairwise rather than left to right, so rows added or reordered within a
    segment can move the last bits, but a segment's sum does not depend on the segments around it."""
    out = np.zeros((len(starts), n_classes))
    if not rows:
        return out
    weighted = matrix.take(rows, axis=0) * np.asarray(values)[:, None]
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
