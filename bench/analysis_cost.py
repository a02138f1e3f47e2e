"""Where analysis time goes per article: each part of `Analyzer.analyze` timed alone, in one process.

    .venv/bin/python bench/analysis_cost.py                 # the quick bench's feed entries (435 articles)
    .venv/bin/python bench/analysis_cost.py --profile       # plus a cProfile of Analyzer.analyze_many

Generates the bench workload (SAMPLE DATA), parses and normalises it as the ingest does, then times, over
the same articles: the whole `Analyzer.analyze`, sentence tone (split + VADER per sentence), actor tone (the
trained model on every text mention), topic matching and story terms (`content_terms`), and the rest. Prints
per-article milliseconds and shares, then per feed entry: feedparser with its defaults (the yardstick's
call), the ingest's `parse_feed` and `normalize_entry`. Timing figures only, no assertions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.workload import generate  # noqa: E402

# Articles whose mentions the actor-tone model sums at once: a scoring process's part of an ingest batch (500
# articles in eight parts on two processes: AnalysisPool.analyze).
SCORED_TOGETHER = 63


def articles_of(feeds: int, items: int) -> list[Any]:
    """Parse and normalise a generated workload as the ingest does (no store: every distinct article)."""
    from newswatch.sources.feeds import parse_feed
    from newswatch.text.language import detect_languages
    from newswatch.text.normalize import normalize_entry

    wl = generate(feeds, items, 30, prefix="bench")
    now = datetime.now(UTC)
    seen: dict[str, Any] = {}
    hashes: set[str] = set()
    for name, body in wl.feeds.items():
        parsed = parse_feed(body, source=name, outlet=name, url=f"https://{name}.sample.invalid/", language="en")
        for raw in parsed.entries:
            art = normalize_entry(raw, now)
            if art.article_id not in seen and art.content_hash not in hashes:
                seen[art.article_id] = art
                hashes.add(art.content_hash)
    articles = list(seen.values())
    detect_languages(articles)
    return articles


def print_entry_costs(feeds: int, items: int, repeat: int) -> None:
    """Per feed entry, before analysis: feedparser with its defaults (the yardstick's call), the ingest's
    `parse_feed`, and `normalize_entry`; CPU ms per entry, best of `repeat`."""
    import io

    import feedparser

    from newswatch.sources.feeds import parse_feed
    from newswatch.text.normalize import normalize_entry

    wl = generate(feeds, items, 30, prefix="bench")
    now = datetime.now(UTC)
    parsed = [parse_feed(body, source=name, outlet=name, url=f"https://{name}.sample.invalid/", language="en")
              for name, body in wl.feeds.items()]
    entries = [raw for p in parsed for raw in p.entries]

    def defaults() -> None:
        for body in wl.feeds.values():
            feedparser.parse(io.BytesIO(body))

    def ingest_parse() -> None:
        for name, body in wl.feeds.items():
            parse_feed(body, source=name, outlet=name, url=f"https://{name}.sample.invalid/", language="en")

    def normalize() -> None:
        for raw in entries:
            normalize_entry(raw, now)

    n = len(entries)
    for name, fn in (("feedparser.parse, its defaults", defaults), ("parse_feed (the ingest's)", ingest_parse),
                     ("normalize_entry", normalize)):
        print(f"{name:36s} {1000 * best_of(fn, repeat) / n:7.2f} ms/entry")


def analyzer_for_bench(folder: Path) -> Any:
    """The bench project's Analyzer (its topics, the shipped actors, the sample seed)."""
    from bench.run import CONFIG, SEED
    from newswatch.analysis.analyzer import Analyzer
    from newswatch.config import load_settings

    (folder / "config").mkdir(parents=True, exist_ok=True)
    (folder / "seeds").mkdir(exist_ok=True)
    (folder / "config" / "actors.toml").write_bytes((REPO / "config" / "actors.toml").read_bytes())
    (folder / "seeds" / "seed.txt").write_bytes(SEED.read_bytes())
    config = folder / "config" / "newswatch.toml"
    config.write_text(CONFIG.format(feeds="", runner="thread"), encoding="utf-8")
    return Analyzer.from_settings(load_settings(config))


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=8)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3, help="best of N (CPU seconds of this process)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    import tempfile

    from newswatch.analysis import actors, tone
    from newswatch.analysis.actors.model import shipped_model
    from newswatch.analysis.topics import ArticleWords
    from newswatch.text import dedup
    from newswatch.text.sentences import split_sentences

    t0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        analyzer = analyzer_for_bench(Path(tmp))
    build = time.process_time() - t0
    articles = articles_of(args.feeds, args.items)
    shipped_model()
    tone.analyzer()
    n = len(articles)
    analyses = analyzer.analyze_many(articles)  # warm caches (lexicons, model) before timing
    vader = tone.analyzer()

    def raw_vader() -> None:
        for a in articles:
            for s, e in split_sentences(a.text):
                vader.polarity_scores(a.text[s:e])

    def sentence_tone() -> None:
        for a in articles:
            tone.score_sentences(a.text)
            clear()

    sentences = [a.sentences for a in analyses]
    per_article = []
    for a, an in zip(articles, analyses, strict=True):
        by_index = {s.index: s for s in an.sentences}
        per_article.append([(a.text[by_index[m.sentence_index].start : by_index[m.sentence_index].end],
                             m.start - by_index[m.sentence_index].start, m.end - by_index[m.sentence_index].start)
                            for m in an.mentions if m.sentence_index >= 0 and m.sentence_index in by_index])
    items = [item for its in per_article for item in its]

    def clear() -> None:  # per article, as Analyzer.analyze does
        from newswatch.analysis.actors import model

        tone.vader_pass.cache_clear()
        model._sentence_analysis.cache_clear()

    def actor_tone() -> None:
        model = shipped_model()
        for at in range(0, n, SCORED_TOGETHER):
            parts = []
            for its in per_article[at : at + SCORED_TOGETHER]:
                parts.append(model.prepare(its))
                clear()
            model.score_prepared(parts)

    def actor_tone_shared() -> None:
        # As the pipeline runs it: each article's sentences were scored just before, in the same process, and the
        # mentions of a scoring process's part of a batch are summed at once (Analyzer.analyze_many).
        model = shipped_model()
        for at in range(0, n, SCORED_TOGETHER):
            parts = []
            for a, its in zip(articles[at : at + SCORED_TOGETHER], per_article[at : at + SCORED_TOGETHER],
                              strict=True):
                tone.score_sentences(a.text)
                parts.append(model.prepare(its))
                clear()
            model.score_prepared(parts)

    def actor_match() -> None:
        for a, an in zip(articles, analyses, strict=True):
            spans = [(s.start, s.end) for s in an.sentences]
            actors.match_actors(analyzer.registry, a.title, a.text, spans, a.published_at.date())

    def candidates() -> None:
        for a in articles:
            actors.find_candidates(analyzer.registry, a.title, a.text)

    def topics() -> None:  # as Analyzer.analyze: one tokenisation for topics and story terms
        for a in articles:
            words = ArticleWords.of(a.title, a.text)
            analyzer.match_topics(a.title, a.text, a.origin, a.source, words)
            frozenset(words.terms)

    def simhash() -> None:
        for a in articles:
            dedup.simhash(f"{a.title}\n{a.text}")

    def whole() -> None:
        analyzer.analyze_many(articles)

    parts = {
        "raw VADER (the yardstick)": raw_vader,
        "sentence tone": sentence_tone,
        "actor tone model (own VADER pass)": actor_tone,
        "sentence tone + actor tone": actor_tone_shared,
        "actor matching": actor_match,
        "candidate names": candidates,
        "topics and story terms": topics,
        "simhash": simhash,
        "analyze (whole)": whole,
    }
    print(f"{n} articles, {len(items)} text mentions, {sum(map(len, sentences))} sentences; "
          f"Analyzer built in {build:.2f} s CPU")
    figures = {name: best_of(fn, args.repeat) for name, fn in parts.items()}
    total = figures["analyze (whole)"]
    for name, seconds in figures.items():
        print(f"{name:36s} {1000 * seconds / n:7.2f} ms/article {100 * seconds / total:6.1f}% of analyze")
    model_alone = figures["sentence tone + actor tone"] - figures["sentence tone"]
    print(f"actor tone model in the pipeline: {1000 * model_alone / n:.2f} ms/article, "
          f"{model_alone / figures['sentence tone']:.2f} x sentence tone")
    print(f"topics + story terms: {100 * figures['topics and story terms'] / total:.1f}% of analyze")
    print_entry_costs(args.feeds, args.items, args.repeat)
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(whole)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
