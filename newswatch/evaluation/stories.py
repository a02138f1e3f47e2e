"""Stories against labelled events: pairwise precision, recall and F1 over same-event pairs published within
48 hours of each other (the window a story stays open), and B-cubed F1 over all articles.

Runs the pipeline's own clustering (newswatch.analysis.stories.cluster_stories) with the corpus statistics a
store holding the file would have. Baselines: every article alone, and plain TF-IDF (the same single pass with
IDF over the file alone, no prior, threshold chosen on giveme5w1h-public). Undated articles are all given one
time, so every pair of them counts. Reads files and computes figures; never writes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from newswatch.analysis.stories import cluster_stories
from newswatch.errors import EvalError
from newswatch.evaluation.events import UNDATED, LabelledArticle, prf, read_events, store_stats
from newswatch.models import StoryItem
from newswatch.text.corpus_stats import CorpusStats
from newswatch.text.terms import content_terms, tokenize

WINDOW = timedelta(hours=48)
PLAIN_THRESHOLD = 0.10  # best pairwise F1 for the plain baseline on giveme5w1h-public (0.09-0.11 tie: the middle)


def _items(articles: list[LabelledArticle]) -> list[StoryItem]:
    return [StoryItem(a.id, a.outlet or "?", a.title, a.text, a.published_at or UNDATED) for a in articles]


def pairwise(articles: list[LabelledArticle], story_of: dict[str, str]) -> dict[str, float]:
    tp = fp = fn = 0
    for i, a in enumerate(articles):
        for b in articles[i + 1:]:
            if abs((a.published_at or UNDATED) - (b.published_at or UNDATED)) > WINDOW:
                continue
            same, grouped = a.event == b.event, story_of[a.id] == story_of[b.id]
            tp += same and grouped
            fp += grouped and not same
            fn += same and not grouped
    return prf(tp, fp, fn)


def bcubed(articles: list[LabelledArticle], story_of: dict[str, str]) -> dict[str, float]:
    events: dict[str, set[str]] = defaultdict(set)
    stories: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        events[a.event].add(a.id)
        stories[story_of[a.id]].add(a.id)
    precision = recall = 0.0
    for a in articles:
        together = len(events[a.event] & stories[story_of[a.id]])
        precision += together / len(stories[story_of[a.id]])
        recall += together / len(events[a.event])
    precision, recall = precision / len(articles), recall / len(articles)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _clustered(articles: list[LabelledArticle], **kw: Any) -> dict[str, str]:
    return {aid: s.story_id for s in cluster_stories(_items(articles), **kw) for aid in s.article_ids}


def _file_only_stats(articles: list[LabelledArticle]) -> CorpusStats:
    stats = CorpusStats(prior={})
    stats.add_documents(content_terms(tokenize(f"{a.title}\n{a.text}")) for a in articles)
    return stats


def evaluate_stories(path: Path) -> dict[str, Any]:
    articles = list({a.id: a for a in read_events(Path(path))}.values())  # an id listed twice counts once
    if not any(a.event == b.event and abs((a.published_at or UNDATED) - (b.published_at or UNDATED)) <= WINDOW
               for i, a in enumerate(articles) for b in articles[i + 1:]):
        raise EvalError(f"{path}: no two articles of one event within 48 hours of each other, so nothing to "
                        "group: every method would score a perfect 1.000")
    runs = {
        "newswatch (corpus statistics)": lambda: _clustered(articles, stats=store_stats(articles)),
        "plain TF-IDF (file IDF)": lambda: _clustered(articles, stats=_file_only_stats(articles),
                                                       threshold=PLAIN_THRESHOLD),
        "every article alone": lambda: {a.id: a.id for a in articles},
    }
    methods: dict[str, Any] = {}
    for name, run in runs.items():
        started = time.perf_counter()
        story_of = run()
        methods[name] = {"pairwise_48h": pairwise(articles, story_of), "bcubed": bcubed(articles, story_of),
                         "stories": len(set(story_of.values())),
                         "seconds": round(time.perf_counter() - started, 2)}
    return {"file": str(path), "articles": len(articles), "events": len({a.event for a in articles}),
            "dated": sum(1 for a in articles if a.published_at), "methods": methods}


def format_stories_table(result: dict[str, Any]) -> str:
    lines = [f"{result['file']}: {result['articles']} articles ({result['dated']} dated), {result['events']} events",
             f"{'method':32s} {'pairs within 48 h: P':>20s} {'R':>6s} {'F1':>6s}   {'B-cubed P':>9s} {'R':>6s} "
             f"{'F1':>6s} {'stories':>8s}"]
    for name, m in result["methods"].items():
        pw, b3 = m["pairwise_48h"], m["bcubed"]
        lines.append(f"{name:32s} {pw['precision']:20.3f} {pw['recall']:6.3f} {pw['f1']:6.3f}   "
                     f"{b3['precision']:9.3f} {b3['recall']:6.3f} {b3['f1']:6.3f} {m['stories']:8d}")
    return "\n".join(lines)
