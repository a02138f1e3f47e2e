"""Corpus statistics for weighing terms: document frequencies over the stored articles, blended with a prior so
that a young store (the first day, a first fetch) already weighs words sensibly.

Pure computation; never reads the database (storage/ hands the stored counts in) and never downloads anything:
the prior is a data file shipped with the package.

Model. A term's document frequency pools two sources like counts:

    df_eff(t) = N0 * p_prior(t) + df(t)          N_eff = N0 + n_docs
    idf(t)    = ln((N_eff + 1) / (df_eff(t) + 1)) + 1

`p_prior(t)` is the expected share of English news articles that contain `t`, derived from word frequencies
(`p = 1 - exp(-f * L)` for a word of frequency f in an article of L = 500 tokens); N0 = 1000 pseudo-articles.
With an empty store idf comes from the prior alone; once the store holds many more than N0 articles its own
counts dominate, so a name that is suddenly in every story loses weight as it should. A term the prior has never
seen counts as rarer than its rarest entry. docs/methods.md ("Corpus statistics") has the choice of N0 and the
figures.

The prior (`data/prior_df_en.tsv.gz`, 163k terms, lines `term<TAB>zipf*100`) is derived from the wordfreq
project's English word frequencies (data licensed CC BY-SA 4.0; see data/README.md).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources

import numpy as np

from newswatch.models import TermCounts

DOC_LENGTH = 500  # tokens in a typical news article, for word frequency -> share of articles
PRIOR_WEIGHT = 1000.0  # N0: the prior's weight, in pseudo-articles


def zipf_share(zipf: float, length: float = DOC_LENGTH) -> float:
    """The expected share of news articles of `length` tokens that contain a word of this Zipf frequency
    (log10 of its frequency per billion words)."""
    return 1.0 - math.exp(-(10 ** (zipf - 9)) * length)


@functools.cache
def load_prior(length: float = DOC_LENGTH) -> Mapping[str, float]:
    """term -> expected share of news articles that contain it, from the shipped file (read once a process)."""
    out: dict[str, float] = {}
    shares: dict[int, float] = {}  # a few hundred distinct zipf values among 163k terms: each computed once
    data = resources.files("newswatch.text").joinpath("data", "prior_df_en.tsv.gz").read_bytes()
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        term, _, zipf = line.partition("\t")
        key = int(zipf)
        share = shares.get(key)
        if share is None:
            share = shares[key] = zipf_share(key / 100.0, length)
        out[term] = share
    return out


def term_key(term: str) -> int:
    """A term's stable 64-bit key: the lower half of its MD5 digest read little-endian, which is what DuckDB's
    md5_number_lower(term) returns (tested), so the store can hand its counts over keyed by it."""
    return int.from_bytes(hashlib.md5(term.encode("utf-8")).digest()[8:], "little")


def term_counts(df: Mapping[str, int], n_docs: int = 0) -> TermCounts:
    """`df` (term -> count) in the form storage hands over (tests, tools)."""
    keys = np.asarray([term_key(t) for t in df], dtype=np.uint64)
    order = np.argsort(keys, kind="stable")
    return TermCounts(keys[order], np.asarray(list(df.values()), dtype=np.int64)[order], n_docs)


def stored_count(counts: TermCounts, term: str) -> int:
    """The stored document frequency of `term` (0 when absent): a binary search of the sorted keys. Two terms whose
    keys collide (about one chance in ten million among three million terms) would both read one of their counts."""
    key = np.uint64(term_key(term))
    i = int(np.searchsorted(counts.keys, key))
    return int(counts.counts[i]) if i < len(counts.keys) and counts.keys[i] == key else 0


class CorpusStats:
    """Document frequencies over stored articles plus the prior; `idf` is a cached dict lookup. Counts come from
    the store (`stored`) and from documents added here (`df`, `add_documents`); a term's count is their sum."""

    def __init__(self, df: Mapping[str, int] | None = None, n_docs: int = 0, *,
                 prior: Mapping[str, float] | None = None, prior_weight: float = PRIOR_WEIGHT,
                 stored: TermCounts | None = None) -> None:
        """`df` and `n_docs`: counts given here; `stored`: the store's (`Store.corpus_counts`), whose articles add
        to `n_docs`."""
        self.prior = load_prior() if prior is None else prior
        self.prior_weight = prior_weight if self.prior else 0.0
        self.unknown = min(self.prior.values()) if self.prior else 0.0
        self.stored = stored
        self.df: Counter[str] = Counter(df or {})
        self.n_docs = n_docs + (stored.n_docs if stored is not None else 0)
        self._idf: dict[str, float] = {}

    def add_documents(self, term_sets: Iterable[Iterable[str]]) -> None:
        """Count each document's distinct terms once (what the store does for each stored batch)."""
        for terms in term_sets:
            self.df.update(set(terms))
            self.n_docs += 1
        self._idf.clear()

    def idf(self, term: str) -> float:
        value = self._idf.get(term)
        if value is None:
            n_eff = self.prior_weight + self.n_docs
            df = self.df.get(term, 0) + (stored_count(self.stored, term) if self.stored is not None else 0)
            df_eff = self.prior_weight * self.prior.get(term, self.unknown) + df
            value = self._idf[term] = math.log((n_eff + 1.0) / (df_eff + 1.0)) + 1.0
        return value

    def __getstate__(self) -> dict[str, object]:
        # Worker processes load the prior from the package themselves; only the stored counts travel.
        state = dict(self.__dict__)
        state["_idf"] = {}
        if self.prior is load_prior():
            state["prior"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        if state["prior"] is None:
            state["prior"] = load_prior()
        self.__dict__.update(state)


# 1 + ln tf for the small counts most terms have, computed once (the same floats as computing them each time).
_SUBLINEAR_TF = [0.0] + [1.0 + math.log(c) for c in range(1, 64)]


def tfidf_vector(counts: Mapping[str, int], stats: CorpusStats, max_terms: int | None = None) -> dict[str, float]:
    """Unit-length vector of sublinear term frequency (1 + ln tf) times idf, keeping the `max_terms` heaviest."""
    # The idf values already computed are read from the cache directly (a method call per term was most of the
    # cost); a term not yet there goes through idf(), which fills it. An idf of 0.0 would be looked up again: the
    # same value either way.
    known, idf, tf = stats._idf.get, stats.idf, _SUBLINEAR_TF
    weights = {t: (tf[c] if c < 64 else 1.0 + math.log(c)) * (known(t) or idf(t)) for t, c in counts.items() if c > 0}
    if max_terms is not None and len(weights) > max_terms:
        weights = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms])
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit vectors (walks the shorter one)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())
