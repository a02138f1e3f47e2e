"""Which articles of a file join the configured topics: the user's own keyword rules and seeds tried on articles
whose subject is known (JSONL as for `eval stories`: id, event, date, title, text), to see what else they let in.

Runs the pipeline's own matcher (`Analyzer.match_topics`, the function the ingest calls) with the corpus
statistics a store holding the file would have. Reads files and computes figures; never writes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from newswatch.config import Settings
from newswatch.evaluation.events import read_events, store_stats

# min_score values shown beside the configured one: how many members each would keep (keyword matches score
# 0.6 + 0.4 x seed similarity, so a min_score above 0.6 asks keyword matches for some likeness to the seeds).
MIN_SCORES = (0.6, 0.62, 0.65, 0.7)


def evaluate_topics(path: Path, settings: Settings) -> dict[str, Any]:
    """Per configured topic: the articles of `path` that join it, with score, how they matched and their event."""
    from newswatch.analysis.analyzer import Analyzer

    articles = read_events(path)
    analyzer = Analyzer.from_settings(settings, store_stats(articles))
    topics: dict[str, Any] = {
        t.name: {"min_score": t.min_score, "members": [], "kind": _kind(bool(t.any or t.all), bool(t.seeds))}
        for t in settings.topics
    }
    for article in articles:
        for match in analyzer.match_topics(article.title, article.text, None, None):
            topics[match.topic]["members"].append(
                {"article": article.id, "event": article.event, "score": match.score, "via": match.via,
                 "title": article.title})
    for figures in topics.values():
        members = sorted(figures["members"], key=lambda m: (-m["score"], m["article"]))
        figures["members"] = members
        figures["joined"] = len(members)
        figures["events"] = len({m["event"] for m in members})
        figures["by_via"] = dict(Counter(m["via"] for m in members).most_common())
        figures["at_min_score"] = {f"{v:g}": sum(m["score"] >= v for m in members) for v in MIN_SCORES}
    return {"file": str(path), "config": str(settings.path), "articles": len(articles),
            "events": len({a.event for a in articles}), "topics": topics}


def _kind(rules: bool, seeds: bool) -> str:
    return "keyword rules and seeds" if rules and seeds else "keyword rules" if rules else "seeds only"


def format_topics_table(result: dict[str, Any]) -> str:
    """Plain-text summary of evaluate_topics, then each topic's members for a reader to judge."""
    lines = [f"{result['file']}: {result['articles']} articles of {result['events']} events, topics of "
             f"{result['config']}"]
    for name, t in result["topics"].items():
        at = ", ".join(f"{k}: {v}" for k, v in t["at_min_score"].items())
        via = ", ".join(f"{k} {v}" for k, v in t["by_via"].items()) or "-"
        lines.append(f"  {name} ({t['kind']}, min_score {t['min_score']:g}): {t['joined']} articles of "
                     f"{t['events']} events join ({via}); with min_score {at}")
    for name, t in result["topics"].items():
        if t["members"]:
            lines.append(f"{name}: its members (do they belong?)")
        for m in t["members"]:
            lines.append(f"  {m['score']:.3f} {m['via']:<13} {m['event'][:40]:<40} {m['title'][:90]}")
    return "\n".join(lines)
