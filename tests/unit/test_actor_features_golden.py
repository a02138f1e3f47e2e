"""The actor-tone model's features are part of the trained model: speeding up their computation must not change
them. The golden file holds the features `extract_features` gave before the shared VADER pass and the other
fast paths (docs/performance.md), for 377 mentions: bench sentences (SAMPLE DATA), the sample inbox and the
actor evaluation set (curly quotes, odd spacing), and edge cases (emoji, no-break space, empty span)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from newswatch.analysis import tone
from newswatch.analysis.actors import model
from newswatch.analysis.actors.model import ALL_GROUPS, extract_features, shipped_model

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "actor_features_golden.json.gz"


@pytest.fixture(scope="module")
def golden() -> list[dict]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _clear() -> None:
    model._sentence_analysis.cache_clear()
    tone.vader_pass.cache_clear()


def test_features_identical_to_the_golden_file(golden: list[dict]) -> None:
    _clear()
    for row in golden:
        s, a, b = row["sentence"], row["start"], row["end"]
        assert extract_features(s, a, b) == row["default"], s
        assert extract_features(s, a, b, ALL_GROUPS + ("stem",)) == row["all"], s


def test_features_come_in_the_golden_order(golden: list[dict]) -> None:
    # The order is the order the logits are summed in: another order can change a score's last bits.
    _clear()
    for row in golden:
        s, a, b = row["sentence"], row["start"], row["end"]
        assert list(extract_features(s, a, b)) == list(row["default"]), s
        assert list(extract_features(s, a, b, ALL_GROUPS + ("stem",))) == list(row["all"]), s


def test_features_identical_after_sentence_tone_filled_the_cache(golden: list[dict]) -> None:
    # As in the pipeline: the sentence's tone is scored first, and the model reads the same VADER pass.
    _clear()
    for row in golden:
        tone.score_sentences(row["sentence"], [(0, len(row["sentence"]))])
        assert extract_features(row["sentence"], row["start"], row["end"]) == row["default"], row["sentence"]


def test_predictions_do_not_depend_on_what_is_cached(golden: list[dict]) -> None:
    items = [(r["sentence"], r["start"], r["end"]) for r in golden]
    _clear()
    cold = [shipped_model().score_mentions([item])[0] for item in items]
    for sentence, _, _ in items:
        tone.polarity(sentence)
    assert shipped_model().score_mentions(items) == cold


# --- the model's rows: features as row numbers, context rows per sentence (docs/performance.md) ---------------


def _old_probabilities(m: model.ToneModel, items: list[tuple[str, int, int]]) -> np.ndarray:
    """ToneModel._probabilities as it was before features became rows: every feature named by extract_features and
    looked up, and each mention's context rows from context_regions."""
    logits = np.tile(m.intercept, (len(items), 1))
    rows: list[int] = []
    values: list[float] = []
    starts: list[int] = []
    ctx_rows: list[int] = []
    ctx_weights: list[float] = []
    ctx_starts: list[int] = []
    for sentence, start, end in items:
        starts.append(len(rows))
        for name, value in extract_features(sentence, start, end, m.groups).items():
            row = m._index.get(name)
            if row is not None:
                rows.append(row)
                values.append(value)
        if m.context is not None:
            ctx_starts.append(len(ctx_rows))
            more, weights = _old_context_rows(m.context, sentence, start, end)
            ctx_rows += more
            ctx_weights += weights
    logits += model._segment_sums(m._weights, rows, values, starts, len(m.classes))
    if m.context is not None:
        logits += model._segment_sums(m.context.table, ctx_rows, ctx_weights, ctx_starts, len(m.classes))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def _old_context_rows(context: model.ContextScores, sentence: str, start: int, end: int) -> tuple[list, list]:
    rows: list[int] = []
    weights: list[float] = []
    n_regions = len(context.regions)
    for r, (tokens, token_weights) in enumerate(model.context_regions(sentence, start, end, context.regions)):
        known = [(i * n_regions + r, w) for i, w in zip(map(context._index.get, tokens), token_weights, strict=True)
                 if i is not None]
        if known:
            total = 0.0  # left to right (sum() compensates its rounding from Python 3.12 on)
            for _, w in known:
                total += w
            rows += [row for row, _ in known]
            weights += [w / total for _, w in known]
    return rows, weights


def _random_mentions(count: int, seed: int) -> list[tuple[str, int, int]]:
    """Random sentences over words the shipped model knows and the words its features look at (speech verbs,
    negations, clause breaks, quotes straight and curly, possessives, n't, numbers, dotted acronyms), each with a
    mention at a random token span or at random character offsets (in whitespace, empty, past the end)."""
    import random

    known = sorted({name.split(":")[-1] for name in shipped_model()._index if name.startswith("a:")})
    rng = random.Random(seed)
    vocab = known[:: max(1, len(known) // 400)] + [
        "said", "says", "according", "to", "not", "never", "n't", "didn't", "but", "while", "however", "and", "the",
        "former", "president", ",", ";", ":", "(", ")", "\u2014", "--", "-", '"', "\u201c", "\u201d", "\u2019s",
        "'s", "Smith's", "2025", "U.S.", "u.s.", "he", "She", "?", "!", "good", "terrible", "GREAT", "\u00a0",
        "very", "criticized", "criticizing", "praised", "don't", "won't", "it's", "e.g.", "well-known", "a", "...",
    ]
    out = []
    for _ in range(count):
        words = [rng.choice(vocab) for _ in range(rng.randint(0, 40))]
        sep = [rng.choice([" ", " ", " ", "  ", "", "\u00a0"]) for _ in words]
        sentence = "".join(w + s for w, s in zip(words, sep, strict=True))
        if rng.random() < 0.8 and words:
            i = rng.randrange(len(words))
            j = min(len(words), i + rng.randint(1, 3))
            start = len("".join(w + s for w, s in zip(words[:i], sep[:i], strict=True)))
            end = start + len("".join(w + s for w, s in zip(words[i:j], sep[i:j], strict=True)).rstrip())
        else:
            start = rng.randint(0, len(sentence) + 2)
            end = rng.randint(start, len(sentence) + 3)
        out.append((sentence, start, end))
    return out


def _news_mentions() -> list[tuple[str, int, int]]:
    folder = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "sentiment"
    items = []
    for name in ("train.jsonl", "devtest_mt.jsonl"):
        path = folder / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                items += [(record["sentence_normalized"], t["from"], t["to"]) for t in record["targets"]]
    return items


def test_feature_rows_are_the_rows_of_the_named_features(golden: list[dict]) -> None:
    # The model reads its sparse features as rows (model._FeatureRows): the rows of the names extract_features gives
    # that the model knows, in the same order (the logits' summation order), with the same values.
    m = shipped_model()
    assert m._rows is not None
    items = [(r["sentence"], r["start"], r["end"]) for r in golden] + _random_mentions(3000, seed=3)
    for sentence, start, end in items + _news_mentions()[::7]:
        named = [(m._index[k], v) for k, v in extract_features(sentence, start, end, m.groups).items()
                 if k in m._index]
        words = model._sentence_words(sentence, "stem" in m.groups)
        assert list(m._rows.rows(words, sentence, start, end).items()) == named, (sentence, start, end)


def test_context_rows_are_those_of_the_context_regions(golden: list[dict]) -> None:
    context = shipped_model().context
    assert context is not None
    items = [(r["sentence"], r["start"], r["end"]) for r in golden] + _random_mentions(3000, seed=4)
    for sentence, start, end in items + _news_mentions()[::7]:
        assert context.rows(sentence, start, end) == _old_context_rows(context, sentence, start, end)


def test_scores_are_those_of_the_named_features_bit_for_bit(golden: list[dict]) -> None:
    # Whole articles' worth of mentions at once, as the pipeline scores them, and every mention alone.
    m = shipped_model()
    items = [(r["sentence"], r["start"], r["end"]) for r in golden] + _random_mentions(2000, seed=5)
    items += _news_mentions()
    for part in (items[i : i + 9] for i in range(0, len(items), 9)):
        assert m._probabilities(part).tolist() == _old_probabilities(m, part).tolist()
    for item in items[:500]:
        assert m._probabilities([item]).tolist() == _old_probabilities(m, [item]).tolist()


def test_a_model_with_other_groups_still_names_its_features() -> None:
    # A group _FeatureRows does not know (here "m", the mention's own words) falls back to naming the features.
    m = shipped_model()
    other = model.ToneModel({"format_version": 1, "classes": list(m.classes), "intercept": [0.1, 0.0, -0.1],
                             "feature_groups": ["s", "m"], "weights": {"m:smith": [0.5, 0.0, -0.5], "bias": [0, 0, 0]}})
    assert other._rows is None
    assert other.predict("Smith spoke.", 0, 5) == "negative"
    assert other._probabilities([("Smith spoke.", 0, 5)]).tolist() == _old_probabilities(other, [("Smith spoke.",
                                                                                                    0, 5)]).tolist()


# --- a batch's features as arrays (ToneModel.prepare / score_prepared, docs/performance.md) ---------------------------


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def test_feature_arrays_are_the_feature_rows_of_each_mention(golden: list[dict]) -> None:
    # The arrays (`_FeatureRows.prepare` per article, `entries` per batch) give each mention the rows and values
    # `_FeatureRows.rows` gives it alone, in its order: articles of 1-12 mentions, several articles in one batch.
    m = shipped_model()
    assert m._rows is not None
    items = [(r["sentence"], r["start"], r["end"]) for r in golden] + _random_mentions(3000, seed=13)
    items += _news_mentions()[::5]
    stem = "stem" in m.groups
    want = [list(m._rows.rows(model._sentence_words(s, stem), s, a, b).items()) for s, a, b in items]
    articles = []
    at = 0
    for size in [1, 2, 5, 12, 3, 7] * (len(items) // 30 + 1):
        if at < len(items):
            articles.append(items[at : at + size])
            at += size
    for batch in _chunks(articles, 9):
        parts = [m._rows.prepare(article, {s: model._sentence_words(s, stem) for s, _, _ in article})
                 for article in batch]
        ment, rows, values = m._rows.entries(parts)
        got: list[list[tuple[int, float]]] = [[] for _ in range(sum(map(len, batch)))]
        for k, r, v in zip(ment.tolist(), rows.tolist(), values.tolist(), strict=True):
            got[k].append((r, v))
        first = sum(len(a) for a in articles[: articles.index(batch[0])])
        assert got == want[first : first + len(got)], batch
    assert m._rows.rows_of(items[:50]) == want[:50]


def test_context_arrays_are_the_context_rows_of_each_mention(golden: list[dict]) -> None:
    context = shipped_model().context
    assert context is not None
    items = [(r["sentence"], r["start"], r["end"]) for r in golden] + _random_mentions(3000, seed=14)
    items += _news_mentions()[::5]
    for batch in _chunks(_chunks(items, 7), 5):
        ment, rows, weights = context.entries([context.prepare(article) for article in batch],
                                              [len(article) for article in batch])
        got: list[tuple[list, list]] = [([], []) for _ in range(sum(map(len, batch)))]
        for k, r, w in zip(ment.tolist(), rows.tolist(), weights.tolist(), strict=True):
            got[k][0].append(r)
            got[k][1].append(w)
        assert got == [context.rows(*item) for article in batch for item in article]


def test_prepared_articles_scored_together_equal_each_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # score_prepared of many articles gives each mention the (label, score) of its article's score_mentions, bit for
    # bit: with empty articles, empty sentences, and the word table filling up between articles (a new table is
    # started; the articles prepared with the old one keep it).
    m = shipped_model()
    items = _random_mentions(1500, seed=15) + [("", 0, 0), ("   ", 1, 2)] + _news_mentions()[:300]
    articles = [[]] + _chunks(items, 6) + [[]]
    alone = [m.score_mentions(article) for article in articles]
    assert m.score_prepared([m.prepare(article) for article in articles]) == alone
    assert m._rows is not None
    monkeypatch.setattr(model._WordTable, "LIMIT", 300)
    m._rows._table = model._WordTable(m._rows._width)
    parts = [m.prepare(article) for article in articles]
    assert len({id(part.sparse.table) for part in parts if part.sparse is not None}) > 5  # tables replaced
    assert m.score_prepared(parts) == alone
    assert m.score_prepared([]) == []
    assert m.score_prepared([m.prepare([])]) == [[]]


def test_bigram_rows_found_without_naming_them_when_words_hold_underscores() -> None:
    # Bigrams are looked up by first word, then second (`_FeatureRows._bigram_rows`); a word may hold "_", so
    # "bg:foo_bar_baz" is the bigram (foo, bar_baz) and the bigram (foo_bar, baz), and nothing else.
    groups = ("bg", "a")
    index = {"bias": 0, "bg:foo_bar_baz": 1, "bg:<t>_x_y": 2, "bg:x_y_<t>": 3, "a:foo": 4, "bg:_<t>": 5}
    rows = model._FeatureRows(index, groups)
    items = [("foo_bar baz Smith", 12, 17), ("foo bar_baz Smith", 12, 17), ("Smith x_y", 0, 5), ("x y Smith", 4, 9),
             ("foo bar baz Smith", 12, 17), ("x_y Smith said", 4, 9), ("_ Smith", 2, 7)]
    want = []
    for sentence, start, end in items:
        named = model.extract_features(sentence, start, end, groups)
        want.append([(index[name], value) for name, value in named.items() if name in index])
    assert rows.rows_of(items) == want
    assert [r for mention in want for r, _ in mention if r in (1, 2, 3)] == [1, 1, 2, 3]


def test_a_long_batch_is_summed_in_pieces_with_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    # score_prepared sums at most PAIRS_AT_ONCE (mention, word) pairs at once, so a batch's arrays stay small;
    # the pieces give every mention what its article alone gives.
    m = shipped_model()
    articles = [[]] + _chunks(_random_mentions(600, seed=16), 5) + [[("", 0, 0)]]
    alone = [m.score_mentions(article) for article in articles]
    for cap in (1, 40, 300):
        monkeypatch.setattr(model, "PAIRS_AT_ONCE", cap)
        assert m.score_prepared([m.prepare(article) for article in articles]) == alone, cap


def test_feature_arrays_with_an_index_whose_rows_have_gaps() -> None:
    # An index need not number its names 0..n-1: rows past len(index) keep the mentions apart when de-duplicated.
    for index in ({"bias": 0, "a:smith": 3}, {"bias": 0, "a:smith": 3, "a:said": 9, "bg:<t>_said": 7}):
        rows = model._FeatureRows(index, ("a", "bg"))
        items = [("Jones met Smith", 0, 5), ("Lee said Smith said", 0, 3), ("Smith", 0, 5),
                 ("Smith Smith said", 6, 11)]
        want = []
        for sentence, start, end in items:
            named = model.extract_features(sentence, start, end, ("a", "bg"))
            want.append([(index[name], value) for name, value in named.items() if name in index])
        assert rows.rows_of(items) == want
        assert want[1][0] == want[2][0] == (0, 1.0)


def test_threads_preparing_and_scoring_at_once_get_each_articles_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    # The model is shared by the threads of a process: words are added to the word table under a lock, and a full
    # table is replaced, not cleared, so articles prepared with it (by any thread) keep their ids.
    import random
    import sys
    import threading

    m = shipped_model()
    assert m._rows is not None
    rng = random.Random(41)
    items = [(s + " " + " ".join(f"zq{rng.randrange(10**6)}" for _ in range(rng.randint(0, 6))), a, b)
             for s, a, b in _random_mentions(600, seed=41)]  # new words: the table keeps growing
    articles = _chunks(items, 5)
    want = [m.score_mentions(article) for article in articles]
    monkeypatch.setattr(model._WordTable, "LIMIT", 400)
    m._rows._table = model._WordTable(m._rows._width)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    prepared: dict[int, model.PreparedMentions] = {}
    errors: list[object] = []

    def work(seed: int) -> None:
        pick = random.Random(seed)
        try:
            for _ in range(15):
                chosen = pick.sample(range(len(articles)), 8)
                parts = [m.prepare(articles[k]) for k in chosen]
                earlier = [k for k in list(prepared)[:4] if k not in chosen]
                got = m.score_prepared(parts + [prepared[k] for k in earlier])
                errors.extend(k for k, g in zip(chosen + earlier, got, strict=True) if g != want[k])
                prepared.update(zip(chosen, parts, strict=True))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len({id(part.sparse.table) for part in prepared.values() if part.sparse is not None}) > 1
