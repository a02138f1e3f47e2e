"""The collector setting for long runs: frozen and less frequent inside, exactly as before after (errors too)."""

from __future__ import annotations

import gc
import weakref

import pytest

from newswatch.gcwork import RUN_THRESHOLDS, quiet_collector


def test_inside_the_block_what_was_alive_is_frozen_and_collections_are_rarer() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with quiet_collector():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert gc.get_threshold() == RUN_THRESHOLDS
        with quiet_collector():  # nested: the outer block keeps it
            pass
        assert gc.get_freeze_count() == frozen and gc.get_threshold() == RUN_THRESHOLDS
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_an_error_inside_puts_everything_back() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), quiet_collector():
        raise RuntimeError("the run failed")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


class _Node:
    other: _Node | None = None


def test_cyclic_garbage_made_inside_is_collected_inside_and_old_garbage_after() -> None:
    old_a, old_b = _Node(), _Node()
    old_a.other, old_b.other = old_b, old_a
    old = weakref.ref(old_a)
    del old_a, old_b  # garbage already when the block starts: frozen with the rest
    with quiet_collector():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        new = weakref.ref(a)
        del a, b
        gc.collect()
        assert new() is None  # the run's own cycles are collected as before
        assert old() is not None
    gc.collect()
    assert old() is None
