"""The collector setting for long runs: what was alive is frozen inside, and nothing is after (errors too)."""

from __future__ import annotations

import gc
import weakref

import pytest

from newswatch.gcwork import freeze_long_lived


def test_inside_the_block_what_was_alive_is_frozen_and_after_it_nothing_is() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with freeze_long_lived():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with freeze_long_lived():  # nested: the outer block keeps it
            pass
        assert gc.get_freeze_count() == frozen
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before  # how often it collects is not touched


def test_an_error_inside_unfreezes_too() -> None:
    with pytest.raises(RuntimeError), freeze_long_lived():
        raise RuntimeError("the run failed")
    assert gc.get_freeze_count() == 0


class _Node:
    other: _Node | None = None


def test_cyclic_garbage_made_inside_is_collected_inside_and_old_garbage_after() -> None:
    old_a, old_b = _Node(), _Node()
    old_a.other, old_b.other = old_b, old_a
    old = weakref.ref(old_a)
    del old_a, old_b  # garbage already when the block starts: frozen with the rest
    with freeze_long_lived():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        new = weakref.ref(a)
        del a, b
        gc.collect()
        assert new() is None  # the run's own cycles are collected as before
        assert old() is not None
    gc.collect()
    assert old() is None
