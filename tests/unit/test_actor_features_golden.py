"""The actor-tone model's features are part of the trained model: speeding up their computation must not change
them. The golden file holds the features `extract_features` gave before the shared VADER pass and the other
fast paths (docs/performance.md), for 377 mentions: bench sentences (SAMPLE DATA), the sample inbox and the
actor evaluation set (curly quotes, odd spacing), and edge cases (emoji, no-break space, empty span)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newswatch.analysis import tone
from newswatch.analysis.actors import model
from newswatch.analysis.actors.model import ALL_GROUPS, extract_features, shipped_model

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "actor_features_golden.json.gz"


@pytest.fixture(scope="module")
def golden() -> list[dict]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _clear() -> None:
    model._sentence_analysis.cache_clear()
    tone.vader_pass.cache_clear()


def test_features_identical_to_the_golden_file(golden: list[dict]) -> None:
    _clear()
    for row in golden:
        s, a, b = row["sentence"], row["start"], row["end"]
        assert extract_features(s, a, b) == row["default"], s
        assert extract_features(s, a, b, ALL_GROUPS + ("stem",)) == row["all"], s


def test_features_come_in_the_golden_order(golden: list[dict]) -> None:
    # The order is the order the logits are summed in: another order can change a score's last bits.
    _clear()
    for row in golden:
        s, a, b = row["sentence"], row["start"], row["end"]
        assert list(extract_features(s, a, b)) == list(row["default"]), s
        assert list(extract_features(s, a, b, ALL_GROUPS + ("stem",))) == list(row["all"]), s


def test_features_identical_after_sentence_tone_filled_the_cache(golden: list[dict]) -> None:
    # As in the pipeline: the sentence's tone is scored first, and the model reads the same VADER pass.
    _clear()
    for row in golden:
        tone.score_sentences(row["sentence"], [(0, len(row["sentence"]))])
        assert extract_features(row["sentence"], row["start"], row["end"]) == row["default"], row["sentence"]


def test_predictions_do_not_depend_on_what_is_cached(golden: list[dict]) -> None:
    items = [(r["sentence"], r["start"], r["end"]) for r in golden]
    _clear()
    cold = [shipped_model().score_mentions([item])[0] for item in items]
    for sentence, _, _ in items:
        tone.polarity(sentence)
    assert shipped_model().score_mentions(items) == cold
