"""Corpus statistics: term weights from the prior and the store's counts, and the compact form the store hands
over (sorted 64-bit term keys and counts), which must weigh every term exactly as a term -> count dict does."""

from __future__ import annotations

import pickle
import random

import duckdb
import numpy as np

from newswatch.text.corpus_stats import CorpusStats, stored_count, term_counts, term_key

TERMS = ["pakistan", "ceasefire", "münchen", "o'brien", "", "rubio's", "naïve", "x" * 300, "北京"]


def test_term_key_is_duckdbs_md5_number_lower() -> None:
    """The store computes the keys in SQL and the analysis in Python: the two must agree on every string."""
    con = duckdb.connect()
    try:
        for term in TERMS:
            assert term_key(term) == con.execute("SELECT md5_number_lower(?)", [term]).fetchone()[0], term  # type: ignore[index]
    finally:
        con.close()


def test_stored_counts_weigh_every_term_exactly_as_a_dict_of_counts() -> None:
    rng = random.Random(3)
    df = {f"term{i}": rng.randint(1, 500) for i in range(5000)} | {t: 7 for t in TERMS}
    as_dict = CorpusStats(df, 20_000)
    compact = CorpusStats(stored=term_counts(df, 20_000))
    assert compact.n_docs == 20_000
    for term in [*df, "never-stored", "the", "india"]:
        assert compact.idf(term) == as_dict.idf(term), term  # the same float, not merely close
        assert stored_count(compact.stored, term) == df.get(term, 0)  # type: ignore[arg-type]


def test_documents_added_to_stored_counts_add_to_them() -> None:
    stats = CorpusStats(stored=term_counts({"ceasefire": 3, "talks": 1}, 10))
    stats.add_documents([{"ceasefire", "border"}, {"ceasefire"}])
    same = CorpusStats({"ceasefire": 5, "talks": 1, "border": 1}, 12)
    for term in ("ceasefire", "talks", "border", "unseen"):
        assert stats.idf(term) == same.idf(term), term


def test_stored_counts_travel_to_worker_processes_as_arrays() -> None:
    """Each scoring process gets the statistics pickled: the stored counts go as two buffers of 16 bytes a term and
    come back as two arrays, with no Python object per term (a dict of str to int pickles to about as many bytes
    but unpickles into well over 100 bytes a term, and takes seconds at millions of terms)."""
    df = {f"term{i:07d}": i % 97 + 1 for i in range(50_000)}
    stats = CorpusStats(stored=term_counts(df, 60_000))
    data = pickle.dumps(stats, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(data) < 20 * len(df)
    again = pickle.loads(data)
    assert isinstance(again.stored.keys, np.ndarray) and again.stored.keys.dtype == np.uint64
    assert isinstance(again.stored.counts, np.ndarray) and len(again.stored.counts) == len(df)
    assert again.prior is stats.prior  # the prior is the package's, loaded once a process, never pickled
    for term in ("term0000000", "term0049999", "missing", "war"):
        assert again.idf(term) == stats.idf(term)
