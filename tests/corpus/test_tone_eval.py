"""Actor-level tone against NewsMTSC devtest_mt gold in ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.evaluation.tone import evaluate_tone, format_tone_table

DEVTEST = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "sentiment" / "devtest_mt.jsonl"

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def heldout() -> dict:
    if not DEVTEST.is_file():
        pytest.skip(f"{DEVTEST} not present")
    return evaluate_tone(DEVTEST, holdout="heldout")


def test_actor_tone_beats_sentence_vader_on_the_heldout_half(heldout: dict) -> None:
    methods = heldout["methods"]
    project, sentence = methods["actor (project)"], methods["sentence VADER"]
    assert project["macro_f1"] > sentence["macro_f1"], format_tone_table(heldout)
    assert project["accuracy"] > sentence["accuracy"], format_tone_table(heldout)
    assert project["macro_f1"] > methods["always neutral"]["macro_f1"]


def test_heldout_half_is_about_half(heldout: dict) -> None:
    assert 600 <= heldout["targets"] <= 900
