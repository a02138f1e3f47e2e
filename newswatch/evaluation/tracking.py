"""Following a story from its seed: for every event with at least MIN_EVENT articles, a seed-only topic seeded by
the event's earliest article; the members it keeps among all other articles of the file, against the event.

Runs the pipeline's own matcher (newswatch.analysis.topics.TopicMatcher, one topic per event, as a config with
several seed-only topics would) with the corpus statistics a store holding the file would have. Baselines: the
same matcher without the headlines' share, plain TF-IDF cosine (IDF over the file, stop words removed, threshold
chosen on giveme5w1h-public) and the method before corpus statistics (IDF from the seed alone). With
`young_store`, the matcher weighs terms by the English prior alone: a store that has not yet stored these
articles, as on its first day. Reads files and computes figures; never writes.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newswatch.analysis.topics import TopicMatcher
from newswatch.config import TopicSettings
from newswatch.errors import EvalError
from newswatch.evaluation.events import UNDATED, LabelledArticle, prf, read_events, store_stats
from newswatch.text.corpus_stats import CorpusStats, cosine
from newswatch.text.terms import content_terms, tokenize

MIN_EVENT = 4
PLAIN_THRESHOLD = 0.23  # best micro-F1 for plain TF-IDF on giveme5w1h-public (0.16-0.30 swept)
BEFORE_COSINE = 0.10  # the method before: seed-only IDF, SIM_FULL 0.20, min_score 0.5


def seeds_of(articles: list[LabelledArticle]) -> dict[str, int]:
    """event -> index of its seed: the earliest article (file order breaks ties and stands in for no date)."""
    by_event: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        by_event[a.event].append(i)
    return {event: min(idx, key=lambda i: (articles[i].published_at or UNDATED, articles[i].position))
            for event, idx in by_event.items() if len(idx) >= MIN_EVENT}


def _scores(articles: list[LabelledArticle], seeds: dict[str, int],
            kept: dict[str, set[int]]) -> dict[str, Any]:
    tp = fp = fn = 0
    per_event = []
    counts = []
    for event, seed in seeds.items():
        gold = {i for i, a in enumerate(articles) if a.event == event and i != seed}
        got = kept[event] - {seed}
        e_tp, e_fp, e_fn = len(got & gold), len(got - gold), len(gold - got)
        tp, fp, fn = tp + e_tp, fp + e_fp, fn + e_fn
        per_event.append(prf(e_tp, e_fp, e_fn))
        counts.append({"event": event, "tp": e_tp, "fp": e_fp, "fn": e_fn})
    n = len(per_event) or 1
    macro = {k: sum(e[k] for e in per_event) / n for k in ("precision", "recall", "f1")}
    return {"micro": prf(tp, fp, fn), "macro": macro, "events": counts}


def event_interval(counts: list[dict[str, Any]], rounds: int, level: float = 0.90,
                   seed: int = 0) -> dict[str, Any]:
    """How far the micro figures may move on other events of the same kind: the events are drawn again with
    replacement `rounds` times (a fixed seed: the same answer every run), and the central `level` share of the
    resampled micro precision and F1 is returned."""
    import numpy as np

    table = np.asarray([[c["tp"], c["fp"], c["fn"]] for c in counts], dtype=np.int64).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    draws = table[rng.integers(0, len(table), size=(rounds, len(table)))].sum(axis=1)  # (rounds, 3)
    tp, fp, fn = draws[:, 0], draws[:, 1], draws[:, 2]
    precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 1.0)
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    cut = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    return {"rounds": rounds, "level": level,
            "f1": [float(v) for v in np.percentile(f1, cut)],
            "precision": [float(v) for v in np.percentile(precision, cut)]}


def follow_with_matcher(articles: list[LabelledArticle], seeds: dict[str, int], stats: CorpusStats,
                        headline_share: float | None = None) -> dict[str, set[int]]:
    """The pipeline's method: one seed-only topic per event, every article matched once against all of them."""
    names = {event: f"event-{k}" for k, event in enumerate(seeds)}
    topics = [TopicSettings(name=name) for name in names.values()]
    seed_texts = {names[e]: [f"{articles[i].title}\n{articles[i].text}"] for e, i in seeds.items()}
    matcher = TopicMatcher(topics, seed_texts, stats, headline_share=headline_share)
    kept: dict[str, set[int]] = {event: set() for event in seeds}
    by_name = {name: event for event, name in names.items()}
    for i, a in enumerate(articles):
        for match in matcher.match(a.title, a.text):
            kept[by_name[match.topic]].add(i)
    return kept


def follow_without_headlines(articles: list[LabelledArticle], seeds: dict[str, int],
                             stats: CorpusStats) -> dict[str, set[int]]:
    """The pipeline's method with no share for the headlines' own cosine (as before HEADLINE_SHARE)."""
    return follow_with_matcher(articles, seeds, stats, headline_share=0.0)


def _plain_vectors(articles: list[LabelledArticle]) -> list[dict[str, float]]:
    counts = [content_terms(tokenize(f"{a.title}\n{a.text}")) for a in articles]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(articles)
    out = []
    for c in counts:
        vec = {t: k * (math.log((1 + n) / (1 + df[t])) + 1.0) for t, k in c.items()}
        norm = math.sqrt(sum(w * w for w in vec.values()))
        out.append({t: w / norm for t, w in vec.items()} if norm else {})
    return out


def follow_plain(articles: list[LabelledArticle], seeds: dict[str, int], stats: CorpusStats) -> dict[str, set[int]]:
    """Plain TF-IDF: its own IDF over the file, whatever the store holds."""
    vectors = _plain_vectors(articles)
    return {event: {i for i, v in enumerate(vectors) if cosine(vectors[seed], v) >= PLAIN_THRESHOLD}
            for event, seed in seeds.items()}


def follow_before(articles: list[LabelledArticle], seeds: dict[str, int], stats: CorpusStats) -> dict[str, set[int]]:
    """Before corpus statistics: IDF from the seed texts alone (every seed term weighs 1, others ln 2 + 1)."""
    counts = [content_terms(tokenize(f"{a.title}\n{a.text}")) for a in articles]
    kept = {}
    for event, seed in seeds.items():
        seed_terms = counts[seed]
        def vec(c: Counter[str], seed_terms: Counter[str] = seed_terms) -> dict[str, float]:
            v = {t: (1 + math.log(k)) * (1.0 if t in seed_terms else math.log(2) + 1.0) for t, k in c.items()}
            norm = math.sqrt(sum(w * w for w in v.values()))
            return {t: w / norm for t, w in v.items()} if norm else {}
        s = vec(seed_terms)
        kept[event] = {i for i, c in enumerate(counts) if cosine(s, vec(c)) >= BEFORE_COSINE}
    return kept


METHODS: dict[str, Callable[[list[LabelledArticle], dict[str, int], CorpusStats], dict[str, set[int]]]] = {
    "newswatch (seed topics, corpus statistics)": follow_with_matcher,
    "newswatch without the headline share": follow_without_headlines,
    "plain TF-IDF cosine": follow_plain,
    "before (seed-only IDF)": follow_before,
}


def evaluate_tracking(path: Path, young_store: bool = False, bootstrap: int = 0) -> dict[str, Any]:
    """Each method's micro and macro figures and per-event counts; with `bootstrap` rounds, also the interval of
    its micro figures over resampled events (`event_interval`)."""
    articles = read_events(Path(path))
    seeds = seeds_of(articles)
    if not seeds:
        raise EvalError(f"{path}: no event with at least {MIN_EVENT} articles, so nothing to follow (a seed and "
                        f"the event's other articles)")
    stats = CorpusStats() if young_store else store_stats(articles)
    methods: dict[str, Any] = {}
    for name, method in METHODS.items():
        started = time.perf_counter()
        kept = method(articles, seeds, stats)
        methods[name] = _scores(articles, seeds, kept) | {"seconds": round(time.perf_counter() - started, 2)}
        if bootstrap > 0 and seeds:  # no event followed: nothing to draw
            methods[name]["interval"] = event_interval(methods[name]["events"], bootstrap)
    return {"file": str(path), "articles": len(articles), "events_followed": len(seeds),
            "statistics": "English prior alone (a young store)" if young_store else "a store holding the file",
            "min_event": MIN_EVENT, "methods": methods}


def format_tracking_table(result: dict[str, Any]) -> str:
    lines = [f"{result['file']}: {result['articles']} articles, {result['events_followed']} events with at least "
             f"{result['min_event']} articles, each followed from its earliest article; term weights: "
             f"{result.get('statistics', 'a store holding the file')}",
             f"{'method':46s} {'P':>6s} {'R':>6s} {'F1':>6s}   {'macro P':>7s} {'R':>6s} {'F1':>6s}"]
    for name, m in result["methods"].items():
        mi, ma = m["micro"], m["macro"]
        lines.append(f"{name:46s} {mi['precision']:6.3f} {mi['recall']:6.3f} {mi['f1']:6.3f}   "
                     f"{ma['precision']:7.3f} {ma['recall']:6.3f} {ma['f1']:6.3f}")
    intervals = {name: m["interval"] for name, m in result["methods"].items() if "interval" in m}
    if intervals:
        first = next(iter(intervals.values()))
        lines.append(f"events drawn again with replacement, {first['rounds']} rounds: central "
                     f"{round(100 * first['level'])}% of micro P and F1")
        for name, iv in intervals.items():
            lines.append(f"{name:46s} P {iv['precision'][0]:.3f}-{iv['precision'][1]:.3f}   "
                         f"F1 {iv['f1'][0]:.3f}-{iv['f1'][1]:.3f}")
    return "\n".join(lines)
