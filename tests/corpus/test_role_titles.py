"""Role titles on the real articles of ../shared/corpus/stories (skipped when absent): the figures of
docs/methods.md, "Role titles" (`newswatch eval actors --roles PATH`).

giveme5w1h-public's 172 articles (2013-2018) read on their own dates: by the date alone, 12 role mentions, 10 of
them someone else's title (judged by reading each; the list is the command's output); newswatch keeps the 2 right
ones, "the US president" in two articles on Donald Trump's tweets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newswatch.analysis.actors import ActorRegistry
from newswatch.evaluation.actors import evaluate_roles

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parents[2]
BY_DATE = "by date alone (the rule before)"
# The two role mentions judged right (article id prefixes), both "the US president" = Donald Trump.
RIGHT = {"7a14c6a7dbf3", "cc3904fcc936"}


def test_role_titles_on_giveme5w1h_are_the_holders(stories_file: Callable[[str], Path]) -> None:
    registry = ActorRegistry.load(ROOT / "config" / "actors.toml")
    result = evaluate_roles(stories_file("giveme5w1h-public.jsonl"), registry)
    ours = result["methods"]["newswatch"]["found"]
    assert {(f["article"][:12], f["actor"]) for f in ours} == {(a, "donald-trump") for a in RIGHT}
    before = result["methods"][BY_DATE]["found"]
    assert len(before) == 12 and sum(f["article"][:12] in RIGHT for f in before) == 2


def test_old_news_read_as_2025_gives_far_fewer_role_mentions(stories_file: Callable[[str], Path]) -> None:
    # No article of the set is from 2025, so every role mention on that day is someone else's title; the ones
    # left are US titles in US political coverage, which only the date could tell apart (docs/methods.md).
    from datetime import date

    registry = ActorRegistry.load(ROOT / "config" / "actors.toml")
    result = evaluate_roles(stories_file("wikinews-galaxy.jsonl"), registry, as_of=date(2025, 6, 1))
    ours, before = result["methods"]["newswatch"], result["methods"][BY_DATE]
    assert before["mentions"] == 53 and ours["mentions"] <= 15
    assert {f["actor"] for f in ours["found"]} <= {"donald-trump", "jd-vance", "marco-rubio"}


def test_a_ner_set_read_as_2025_gives_far_fewer_role_mentions(shared_dir: Path) -> None:
    # GMB's sentences (about 2004-2010) were not read when the rules were written: the confirming set.
    from datetime import date

    path = shared_dir / "corpus" / "ner-news" / "gmb_ner_dataset.csv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    registry = ActorRegistry.load(ROOT / "config" / "actors.toml")
    result = evaluate_roles(path, registry, as_of=date(2025, 6, 1))
    ours, before = result["methods"]["newswatch"], result["methods"][BY_DATE]
    assert before["mentions"] == 122 and ours["mentions"] <= 37
    assert ours["by_actor"].get("jd-vance (vice president)", 0) <= 3  # 51 by the date alone: companies, parties
