"""Following and stories on the real labelled events in ../shared/corpus/stories (skipped when absent).

The floors are the figures in docs/methods.md, a little below them: parameters were chosen on giveme5w1h-public
(dated, with outlets) and confirmed on wikinews-galaxy (more events, no dates).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newswatch.evaluation.stories import evaluate_stories
from newswatch.evaluation.tracking import evaluate_tracking

pytestmark = pytest.mark.corpus

METHOD_TRACK = "newswatch (seed topics, corpus statistics)"
METHOD_NO_HEADLINES = "newswatch without the headline share"
METHOD_STORY = "newswatch (corpus statistics)"


def test_following_on_giveme5w1h_meets_the_goal(stories_file: Callable[[str], Path]) -> None:
    result = evaluate_tracking(stories_file("giveme5w1h-public.jsonl"))
    ours, before = result["methods"][METHOD_TRACK]["micro"], result["methods"]["before (seed-only IDF)"]["micro"]
    assert ours["f1"] >= 0.85 and ours["precision"] >= 0.80, ours
    assert ours["f1"] > before["f1"] + 0.05
    # The headline share, chosen on wikinews-galaxy, holds here (0.867 -> 0.891 when it was chosen).
    assert ours["f1"] > result["methods"][METHOD_NO_HEADLINES]["micro"]["f1"]


def test_following_on_wikinews_beats_both_baselines_in_precision_and_f1(stories_file: Callable[[str], Path]) -> None:
    result = evaluate_tracking(stories_file("wikinews-galaxy.jsonl"))
    ours = result["methods"][METHOD_TRACK]["micro"]
    for baseline in ("plain TF-IDF cosine", "before (seed-only IDF)", METHOD_NO_HEADLINES):
        other = result["methods"][baseline]["micro"]
        assert ours["f1"] > other["f1"] and ours["precision"] > other["precision"], (baseline, ours, other)


def test_stories_on_giveme5w1h_meet_the_goal(stories_file: Callable[[str], Path]) -> None:
    result = evaluate_stories(stories_file("giveme5w1h-public.jsonl"))
    ours = result["methods"][METHOD_STORY]
    assert ours["pairwise_48h"]["f1"] >= 0.95 and ours["pairwise_48h"]["precision"] >= 0.99, ours


def test_stories_on_wikinews_hold_their_b_cubed_figure(stories_file: Callable[[str], Path]) -> None:
    result = evaluate_stories(stories_file("wikinews-galaxy.jsonl"))
    assert result["methods"][METHOD_STORY]["bcubed"]["f1"] >= 0.78
