"""Python's cyclic garbage collector during a long run: cheaper full collections (one home for the rule).

An ingest's own process holds a few hundred thousand long-lived objects before it stores anything (Prefect, its
settings and client, pydantic models, the libraries), and unpickling each scored batch creates hundreds of
thousands of short-lived ones, so the collector's full collections came often, and each walked every long-lived
object again: about 4 s of the flow process's 11 s of CPU in the full benchmark's first run
(docs/performance.md). Inside `freeze_long_lived()` the objects alive when it starts are frozen (`gc.freeze`: left
out of every collection until the block ends); a full collection then walks only what the run made. Nothing else
changes: the collector runs as often as before, and cyclic garbage among the frozen objects (what was garbage
already when the block started) is collected after the block, when they go back to the oldest generation.

Collecting less often as well was measured and left out: a larger first threshold cut the collector's time further
(4.2 s to 0.9 s at 50,000), but the memory probe's peak rose with it (+110 MB at 5,000, +300 MB at 50,000, for 8,581
articles): some of each scored batch's memory is released only by a collection (a reference cycle holds it; which
one was not traced).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def freeze_long_lived() -> Iterator[None]:
    """Leave the objects alive now out of the collector's work until the block ends (on error too). Nested blocks
    (a `newswatch run` around its ingest) leave it to the outermost one; threads share the one setting."""
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
