"""Python's cyclic garbage collector during a long run: fewer and cheaper collections (one home for the rule).

An ingest's own process holds a few hundred thousand long-lived objects before it stores anything (Prefect, its
settings and client, pydantic models, the libraries), and unpickling each scored batch creates hundreds of
thousands of short-lived ones. With Python's default thresholds (700, 10, 10) the collector ran thousands of times
in the full benchmark's first run, and each full collection walked every long-lived object again: about 4 s of the
flow process's 11 s of CPU (docs/performance.md). Inside `quiet_collector()` the objects alive when it starts are
frozen (`gc.freeze`: left out of every collection until the block ends) and the youngest generation is larger
(RUN_THRESHOLDS), so the collector runs a few times per run instead of thousands.

What it does not change: objects without reference cycles are freed the moment their last reference goes, as
always, and that is how a run's large data goes (a scored batch comes back in a plain future the flow drops once
it is stored; on a Dask runner, in a `flows.ingest.Handoff` so that the cycle Prefect keeps a task's result in does
not hold it). Cyclic garbage waits longer, at most until the block ends, when the frozen objects go back to
the oldest generation and the thresholds to what they were. Before the handoff, larger thresholds raised the memory
probe's peak (+110 MB at 5,000, +300 MB at 50,000, for 8,581 articles): every batch waited for a collection.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The youngest generation's size, then how many collections of one generation make one of the next. Chosen on the
# full benchmark's first run: the collector's time in the flow's process 4.2 s with the defaults, 2.6 s with the
# defaults and the freeze, about 0.3 s with these and the freeze (docs/performance.md).
RUN_THRESHOLDS = (50_000, 20, 10)

_lock = threading.Lock()
_depth = 0
_saved = (700, 10, 10)


@contextmanager
def quiet_collector(thresholds: tuple[int, int, int] = RUN_THRESHOLDS) -> Iterator[None]:
    """Freeze what is alive now and collect less often until the block ends (on error too). Nested blocks (a
    `newswatch run` around its ingest) leave it to the outermost one; threads share the one setting."""
    global _depth, _saved
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()


def quiet_worker() -> None:
    """The same for good in a scoring process (newswatch.analysis.analyzer's pool), which lives for one pool: what
    it was forked with (the modules, VADER's lexicon, the actor-tone model, the prior and the run's analyzer) is
    frozen, and the youngest generation is RUN_THRESHOLDS' size. With the defaults its collections walked those
    tables again and again: the processes' CPU for the same articles fell by about 4% (docs/performance.md). A
    frozen object is never touched by a collection, so the pages the process shares with the forkserver are not
    copied for it either. A process holds a part's records only while it works on them; cyclic garbage (feedparser
    makes some) is still collected, less often."""
    gc.freeze()
    gc.set_threshold(*RUN_THRESHOLDS)
