"""Analysis of articles: sentences and tone, actors and their tone, candidate names, topics, simhash.

Pure computation on text, run in batches and spread over processes; it never touches the network or the database.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from newswatch.analysis import actors, tone
from newswatch.analysis.topics import ArticleWords, TopicMatcher
from newswatch.config import Settings
from newswatch.gcwork import quiet_worker
from newswatch.models import ActorTone, Analysis, Article, Mention, Sentence, TopicMatch
from newswatch.text import dedup
from newswatch.text.corpus_stats import CorpusStats
from newswatch.text.language import is_scored_language
from newswatch.text.sentences import split_sentences

# Articles whose actor-tone mentions are scored at once (ToneModel.score_prepared): an ingest batch's part on a
# scoring process is 63 articles by default (AnalysisPool.analyze), a larger call is scored in groups of this many.
SCORED_TOGETHER = 64


@dataclass
class Analyzer:
    """What scoring needs, built once per process: the actor registry and the topic matcher."""

    registry: actors.ActorRegistry
    matcher: TopicMatcher
    seed_files: dict[str, tuple[str, ...]]  # resolved seed path -> the topics that list it
    # Search feed name -> the topic whose query found it (newswatch/sources/search_feeds.py).
    search_topics: dict[str, str] = field(default_factory=dict)
    # Topic name -> its min_score, the score a search hit gets when the matcher does not place it.
    min_scores: dict[str, float] = field(default_factory=dict)
    # Role titles resolve on the article's day in the digest's time zone: the day the views and the digest count it on.
    tz: tzinfo = UTC

    @classmethod
    def from_settings(cls, settings: Settings, stats: CorpusStats | None = None) -> Analyzer:
        """Build from the config; `stats` are the store's corpus statistics (the prior alone when None)."""
        from newswatch.sources.inbox import path_key as inbox_path_key

        registry = actors.ActorRegistry.load(settings.resolve(settings.actors_file))
        seed_texts: dict[str, list[str]] = {}
        seed_files: dict[str, tuple[str, ...]] = {}
        for i, topic in enumerate(settings.topics):
            texts = []
            for j, seed in enumerate(topic.seeds):
                path = settings.resolve(seed)
                texts.extend(read_seed(path, settings, f"topics[{i}] ({topic.name!r}).seeds[{j}]"))
                key = inbox_path_key(path)
                if topic.name not in seed_files.get(key, ()):
                    seed_files[key] = (*seed_files.get(key, ()), topic.name)
            seed_texts[topic.name] = texts
        from newswatch.sources.search_feeds import search_topics

        return cls(registry=registry, matcher=TopicMatcher(settings.topics, seed_texts, stats), seed_files=seed_files,
                   search_topics=search_topics(settings), min_scores={t.name: t.min_score for t in settings.topics},
                   tz=settings.digest.tz)

    def analyze(self, article: Article) -> Analysis:
        return self.analyze_many([article])[0]

    def analyze_many(self, articles: Sequence[Article]) -> list[Analysis]:
        """Each article's analysis, in four passes over the articles: actors and candidate names (the registry's
        regex), sentence and actor tone (VADER's lexicon, the actor-tone model), topics and story terms (the topic
        matcher, the term prior), fingerprints. Every part is a pure function of its own article, so the analyses are
        those of one article at a time (tests/unit/test_fast_paths.py); a pass keeps its own tables in the
        processor's caches rather than taking turns with the others at every article, which made each part 10-60%
        slower inside one article's analysis than alone (docs/performance.md)."""
        found = [self._actors_and_names(a) for a in articles]
        # The actor-tone model reads each article's sentences while their VADER passes are cached, and scores the
        # mentions of up to SCORED_TOGETHER articles at once (array operations: cheaper per mention in a batch; what
        # an article's mentions were prepared into is let go with its group).
        scorer = actors.default_scorer()
        empty = scorer.prepare([])
        scored: list[tuple[list[Sentence], list[ActorTone]]] = []
        for at in range(0, len(articles), SCORED_TOGETHER):
            group = list(zip(articles[at : at + SCORED_TOGETHER], found[at : at + SCORED_TOGETHER], strict=True))
            prepared = [self._sentences_and_mentions(a, spans, mentions, scorer) for a, (spans, mentions, _) in group]
            results = scorer.score_prepared([empty if part is None else part for _, part in prepared])
            scored += [(sentences, actors.finish_actor_tones(mentions, sentences, scorer, result)
                        if part is not None else [])
                       for (sentences, part), (_, (_, mentions, _)), result in zip(prepared, group, results,
                                                                                   strict=True)]
        topics = [self._topics_and_terms(a) for a in articles]
        simhashes = [dedup.simhash(f"{a.title}\n{a.text}") for a in articles]
        return [
            Analysis(
                article_id=article.article_id,
                sentences=sentences,
                tone=tone.aggregate_tone(sentences),
                mentions=mentions,
                actor_tones=actor_tones,
                candidates=candidates,
                topics=matches,
                simhash=simhash,
                terms=terms,
            )
            for article, (_, mentions, candidates), (sentences, actor_tones), (matches, terms), simhash
            in zip(articles, found, scored, topics, simhashes, strict=True)
        ]

    def _actors_and_names(self, article: Article) -> tuple[list[tuple[int, int]], list[Mention], dict[str, int]]:
        """The sentence spans, the registry's mentions and the candidate names."""
        spans = split_sentences(article.text)  # the sentences' spans, scored or not (tone.score_sentences)
        when = article.published_at.astimezone(self.tz).date()
        mentions = actors.match_actors(self.registry, article.title, article.text, spans, when)
        # The candidate rules read English capitalisation and stopwords; German capitalises every noun ("Beim
        # Beschuss", "Pakistans Armeechef" were proposed as new names from a review's German sample reports).
        # Right after matching: the matcher keeps the title's and text's hits for it.
        english = is_scored_language(article.language)
        candidates = actors.find_candidates(self.registry, article.title, article.text) if english else {}
        return spans, mentions, candidates

    def _sentences_and_mentions(self, article: Article, spans: list[tuple[int, int]], mentions: list[Mention],
                                scorer: actors.MentionScorer) -> tuple[list[Sentence], Any]:
        """The scored sentences, and the scorer's `prepare` of the text's mentions (`actors.finish_actor_tones` sets
        each mention's tone and gives the actors' tones from its results); None for an article not scored."""
        # text_source "none": the text is only the headline, which is never scored as if it were the article.
        if not is_scored_language(article.language) or article.text_source == "none":
            return [], None
        sentences = tone.score_sentences(article.text, spans)
        prepared = actors.prepare_actor_tones(mentions, sentences, article.text, scorer)
        # The actor-tone model read the sentences' VADER passes; the cache is per article (another article's
        # identical sentences are scored again, as the benchmark's yardstick scores them).
        tone.vader_pass.cache_clear()
        return sentences, prepared

    def _topics_and_terms(self, article: Article) -> tuple[list[TopicMatch], frozenset[str]]:
        words = ArticleWords.of(article.title, article.text)  # one tokenisation for topics and story terms
        matches = self.match_topics(article.title, article.text, article.origin, article.source, words)
        return matches, frozenset(words.terms)  # the content terms of title and text (the title's weight aside)

    def match_topics(self, title: str, text: str, origin: str | None, source: str | None,
                     words: ArticleWords | None = None) -> list[TopicMatch]:
        """Keyword/seed matches, plus the topic of the seed file it came from or the search query that found it."""
        topics = self.matcher.match(title, text, words)
        if origin and origin in self.seed_files:
            names = self.seed_files[origin]  # every topic that lists the file: a seed of two topics is in both
            topics = [t for t in topics if t.topic not in names] + [TopicMatch(n, 1.0, "seed-file") for n in names]
        searched = self.search_topics.get(source or "")
        if searched and all(t.topic != searched for t in topics):
            # The topic's own query found it: it belongs to the topic even if its words miss the keywords.
            topics.append(TopicMatch(searched, self.min_scores.get(searched, 0.5), "search"))
        return topics


def read_seed(path: Path, settings: Settings, key: str = "topics.seeds") -> list[str]:
    """One seed text ("headline\nbody") per article in a seed file: a JSONL file or a feed of several articles gives
    several seeds, each with its own headline and profile (the nearest counts), not one seed of them all."""
    from newswatch.errors import ConfigError
    from newswatch.sources.inbox import read_inbox_file

    try:
        entries = read_inbox_file(path, settings.inbox.outlet)
    except MemoryError:  # the machine's problem (a memory limit), not the config's
        raise
    except Exception as exc:  # a seed that cannot be read is a config problem
        reason = getattr(exc, "message", None) or str(exc)  # a SourceError's message names the file already
        raise ConfigError(settings.path, key, f"cannot read a seed file: {reason}") from None
    return [f"{e.title}\n{e.content or e.summary}" for e in entries]


# -- spreading the work over processes ----------------------------------------------------------------------
T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)
_WORKER: Analyzer | None = None
# The pool's start barrier (a multiprocessing Barrier), see _answer. Given to the workers through the initializer's
# arguments, which go with the process as it starts: a Barrier sent as a task's argument is refused.
_GATE: Any = None


PARENT_CHECK_SECONDS = 1.0
# how long a started worker's probe waits for the others before it answers anyway (AnalysisPool._start_into)
START_GATE_SECONDS = 60.0


def _init_worker(analyzer: Analyzer, parent: int | None = None, gate: Any = None) -> None:
    global _WORKER, _GATE
    _WORKER = analyzer
    _GATE = gate
    quiet_worker()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="newswatch-parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this scoring process once the process that started the pool is gone (killed: nobody will read the
    results, and a worker blocked writing one would otherwise wait for ever)."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # a process of another user took the number: ours is gone too
            os._exit(1)


def _answer(timeout: float = START_GATE_SECONDS) -> bool:
    """A start probe. It answers once every worker holds one: the executor starts a process for a submitted task only
    when no worker is free, so a probe answered early would let the next probe go to that worker and leave a process
    unstarted. A worker that never comes lets the others answer after `timeout`; a start that failed midway aborts the
    barrier (AnalysisPool._start_into), and the probes already sent answer at once."""
    if _GATE is not None:
        with contextlib.suppress(threading.BrokenBarrierError):  # timed out or aborted: answer now
            _GATE.wait(timeout)
    return True


def _collected(fn: Callable[[list[T]], list[R]], part: list[T]) -> list[R]:
    """fn over one part of map's, then a collection: the processes (and the ingest's own) collect rarely during a run
    (newswatch/gcwork.py), and some parts leave cyclic garbage (feedparser's lenient parser leaves a document's
    parse in reference cycles, megabytes for a large feed). What the process started with is frozen, so the
    collection walks only what the part left."""
    try:
        return fn(part)
    finally:
        gc.collect()


def _cut(items: list[T], weight: Callable[[T], int] | None, count: int) -> list[list[T]]:
    """items in `count` parts of about equal weight (default 1 an item), in order."""
    weigh = weight or (lambda _: 1)
    target = sum(weigh(x) for x in items) / count or 1
    parts: list[list[T]] = [[]]
    load = 0
    for item in items:
        if parts[-1] and load >= target:
            parts.append([])
            load = 0
        parts[-1].append(item)
        load += weigh(item)
    return parts


def _work(articles: list[Article]) -> list[Analysis]:
    assert _WORKER is not None
    return _WORKER.analyze_many(articles)


# map's first call cuts its items into this many parts per worker: this process takes parts while the workers start
STARTING_PARTS = 8
# Threads that wait for submitted batches (`AnalysisPool.submit`): the ingest keeps two batches in analysis at once
SUBMIT_THREADS = 4


def worker_count(configured: int) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)


class AnalysisPool:
    """A process pool that keeps one Analyzer per worker; with one worker it runs in this process."""

    def __init__(self, analyzer: Analyzer, workers: int) -> None:
        self.analyzer = analyzer
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()  # the flow analyses two batches at once, from two threads
        self._here = threading.Lock()  # and in this process they take turns (one core either way)
        self._starter: threading.Thread | None = None  # _map_while_starting's, joined on exit
        self._gate: Any = None  # the start probes' barrier (_answer), made with the pool
        self._submitter: ThreadPoolExecutor | None = None  # submit's threads, made at its first call
        self._closed = False

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._starting:
            self._closed = True  # a starter thread that has not made the pool yet will not make it
        if self._starter is not None:
            self._starter.join()  # one still starting a worker: its processes are shut down below
        if self._submitter is not None:
            self._submitter.shutdown(wait=False, cancel_futures=True)  # batches submitted and not begun: dropped
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._submitter is not None:  # a batch still in analysis ended with its parts (or their cancellation)
            self._submitter.shutdown(wait=True)
            self._submitter = None

    @property
    def running(self) -> bool:
        """Whether the worker processes are started or starting (sending them work then costs no start-up; a start
        that failed says so at the next use)."""
        return self._pool is not None

    def _executor(self) -> ProcessPoolExecutor:
        with self._starting:
            if self._closed:
                raise RuntimeError("the analysis pool is closed")
            return self._pool or self._start()

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            # forkserver: forking a process that runs threads (Prefect does) can deadlock. The forkserver loads
            # the lexicons, model and prior once (newswatch/analysis/warm.py); workers are forked from it.
            ctx = multiprocessing.get_context("forkserver" if hasattr(os, "fork") else "spawn")
            if ctx.get_start_method() == "forkserver":
                ctx.set_forkserver_preload(["__main__", "newswatch.analysis.warm"])
            self._gate = ctx.Barrier(self.workers)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                             initargs=(self.analyzer, os.getpid(), self._gate))
        return self._pool

    def analyze(self, articles: Sequence[Article], *, here: bool = False) -> list[Analysis]:
        """Analyses in the articles' order: in the worker processes, or in this one when `here`, with one worker, or
        for fewer than 16 articles (pipeline.analyze_here decides when a run is too small to start them)."""
        articles = list(articles)
        if here or self.workers <= 1 or len(articles) < 16:
            with self._here:
                return self.analyzer.analyze_many(articles)
        size = max(1, -(-len(articles) // (self.workers * 4)))
        parts = [articles[i:i + size] for i in range(0, len(articles), size)]
        out: list[Analysis] = []
        for result in self._executor().map(_work, parts):
            out.extend(result)
        return out

    def submit(self, articles: Sequence[Article], *, here: bool = False) -> Future[list[Analysis]]:
        """`analyze` in the background: a future of the analyses, so the caller can store one batch while the next
        ones are scored (flows/ingest.py keeps two in analysis). A thread of this pool's waits for each batch; they
        take turns in this process as `analyze`'s do. Batches not begun when the pool closes are cancelled."""
        batch = list(articles)
        with self._starting:
            if self._closed:
                raise RuntimeError("the analysis pool is closed")
            if self._submitter is None:
                self._submitter = ThreadPoolExecutor(SUBMIT_THREADS, thread_name_prefix="newswatch-scoring")
            submitter = self._submitter
        return submitter.submit(functools.partial(self.analyze, batch, here=here))

    def map(self, fn: Callable[[list[T]], list[R]], items: Sequence[T], *,
            weight: Callable[[T], int] | None = None) -> list[R]:
        """fn over parts of items in the worker processes, results in the items' order (fn must be a picklable
        pure function of its part). Parts are cut by `weight` (default 1 an item) so that each worker gets a fair share;
        with one worker, or one item, it runs here. The call that starts the processes does its first parts here
        while they start (_map_while_starting)."""
        items = list(items)
        if self.workers <= 1 or len(items) < 2:
            return fn(items)
        if self._pool is None:
            return self._map_while_starting(fn, _cut(items, weight, self.workers * STARTING_PARTS))
        out: list[R] = []
        for result in self._executor().map(functools.partial(_collected, fn), _cut(items, weight, self.workers * 2)):
            out.extend(result)
        return out

    def _map_while_starting(self, fn: Callable[[list[T]], list[R]], parts: list[list[T]]) -> list[R]:
        """map's first call, which starts the worker processes: starting them keeps one core busy for most of a
        second (the forkserver loads the lexicons, model and prior, newswatch/analysis/warm.py) while nothing could
        be sent to them. A thread starts them, and this process works through the parts, in order, until they
        answer; the parts left go to them. The same results in the same order as map's other path, whoever did each
        part (fn is a pure function of its part). A start that fails is this call's error if it still has parts for
        the processes; otherwise it is logged, and the next use of the pool meets it again."""
        attempt: Future[None] = Future()
        self._starter = threading.Thread(target=self._start_into, args=(attempt,), name="newswatch-pool-start",
                                         daemon=True)
        self._starter.start()
        done: list[list[R]] = []
        while len(done) < len(parts):
            with self._here:
                if attempt.done():  # checked once this thread has its turn here: the processes may be ready by then
                    break
                done.append(_collected(fn, parts[len(done)]))
        if len(done) < len(parts):
            attempt.result()  # this attempt's error, if it failed
            done.extend(self._executor().map(functools.partial(_collected, fn), parts[len(done):]))
        return [r for part in done for r in part]

    def start(self) -> None:
        """Start every worker process now and return once they all answer (map and analyze start them when
        needed)."""
        if self.workers > 1:
            attempt: Future[None] = Future()
            self._start_into(attempt)
            attempt.result()

    def _start_into(self, attempt: Future[None]) -> None:
        """Start the worker processes and wait until each answers; the outcome goes to `attempt`. One probe per
        worker: the processes are started as work arrives and no worker is free, so one probe would start one; and
        no probe answers before all are taken (_answer), so no probe finds a worker free."""
        gate = None
        try:
            executor = self._executor()
            gate = self._gate
            if gate is not None and gate.broken:  # an earlier round timed out or failed: a whole barrier again
                gate.reset()
            for probe in [executor.submit(_answer, START_GATE_SECONDS) for _ in range(self.workers)]:
                probe.result()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller that needs the processes
            if gate is not None:
                gate.abort()  # the probes already sent answer now, not after START_GATE_SECONDS
            log.warning("the scoring processes did not start: %s: %s", type(exc).__name__, exc)
            attempt.set_exception(exc)
        else:
            attempt.set_result(None)
