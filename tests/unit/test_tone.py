"""Sentence splitting, VADER scoring per sentence, and aggregation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from newswatch.analysis.tone import aggregate_tone, score_sentences, token_valences
from newswatch.models import Sentence
from newswatch.text.sentences import split_sentences

SEED = Path(__file__).resolve().parents[2] / "samples" / "inbox" / "seed-000_362e12533a4fbe53.txt"


def seed_text() -> str:
    """The seed article as the outlet wrote it: the sample copy's front matter (its date) stripped."""
    text = SEED.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


def pieces(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Gen. Munir. The talks went well.",
            ["Mr. Smith met Gen. Munir.", "The talks went well."],
        ),
        (
            "Officials in the U.S. are worried. So is the U.K.",
            ["Officials in the U.S. are worried.", "So is the U.K."],
        ),
        ("He flew to the U.S. The talks began.", ["He flew to the U.S.", "The talks began."]),
        ("It lives in the U.S. Capitol area.", ["It lives in the U.S. Capitol area."]),
        ("Prices rose 3.5 percent. Then they fell.", ["Prices rose 3.5 percent.", "Then they fell."]),
        ("S. Jaishankar arrived. He left later.", ["S. Jaishankar arrived.", "He left later."]),
        ('"Is it over?" he asked. Nobody knew.', ['"Is it over?" he asked.', "Nobody knew."]),
        ("It ended. “Enough,” wrote the editor.", ["It ended.", "“Enough,” wrote the editor."]),
        ("Talks stalled... Then they resumed!", ["Talks stalled...", "Then they resumed!"]),
        (
            "Sen. Jones and Rep. Lee met on Jan. 5 in Washington.",
            ["Sen. Jones and Rep. Lee met on Jan. 5 in Washington."],
        ),
        (
            "A headline without a stop\nA paragraph. Another one.",
            ["A headline without a stop", "A paragraph.", "Another one."],
        ),
    ],
)
def test_split_sentences_handles_abbreviations_quotes_and_paragraphs(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


def test_split_sentences_spans_are_trimmed_and_ordered() -> None:
    text = "  First one.   Second one.  \n\n  Third one  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one.", "Third one"]
    assert all(a < b for a, b in spans)
    assert spans == sorted(spans)


def test_split_sentences_empty_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n \n") == []


def test_seed_article_splits_into_its_sentences() -> None:
    text = seed_text()
    sentences = pieces(text)
    assert sentences[0] == "Marco Rubio and the Peace Mission That’s Anything but Simple"
    assert any(s.startswith("To his credit, Rubio’s message was clear") for s in sentences)
    # "the U.S. is willing" stays inside its sentence
    assert any("the U.S. is willing to help mediate" in s for s in sentences)
    assert 15 <= len(sentences) <= 20


def test_score_sentences_gives_vader_scores_per_sentence() -> None:
    text = "The talks were a great success. The attack killed many civilians."
    sentences = score_sentences(text)
    assert [s.index for s in sentences] == [0, 1]
    assert sentences[0].text == "The talks were a great success."
    assert text[sentences[1].start : sentences[1].end] == sentences[1].text
    assert sentences[0].compound > 0.5
    assert sentences[1].compound < -0.5
    for s in sentences:
        assert math.isclose(s.pos + s.neu + s.neg, 1.0, abs_tol=0.01)


def test_score_sentences_uses_given_spans() -> None:
    text = "Good news. Bad news."
    sentences = score_sentences(text, [(0, 10)])
    assert len(sentences) == 1
    assert sentences[0].text == "Good news."


def test_aggregate_tone_mean_and_population_sd() -> None:
    def make(i: int, compound: float) -> Sentence:
        return Sentence(i, 0, 1, "x", compound, 0.2, 0.7, 0.1)

    tone = aggregate_tone([make(0, 0.5), make(1, -0.5), make(2, 0.3)])
    assert tone.n_sentences == 3
    assert math.isclose(tone.compound, 0.1)
    assert math.isclose(tone.pos, 0.2) and math.isclose(tone.neu, 0.7) and math.isclose(tone.neg, 0.1)
    expected_sd = math.sqrt(((0.4) ** 2 + (-0.6) ** 2 + (0.2) ** 2) / 3)
    assert math.isclose(tone.compound_sd, expected_sd)


def test_aggregate_tone_of_nothing_is_zeros() -> None:
    tone = aggregate_tone([])
    assert (tone.n_sentences, tone.compound, tone.pos, tone.neu, tone.neg, tone.compound_sd) == (
        0,
        0,
        0,
        0,
        0,
        0,
    )


def test_seed_article_tone_does_not_saturate() -> None:
    tone = aggregate_tone(score_sentences(seed_text()))
    assert -0.5 < tone.compound < 0.6  # one VADER call on the whole article gives +0.99


def test_token_valences_keep_vader_negation() -> None:
    words, valences = token_valences("The plan is not good")
    assert words[-1] == "good"
    assert valences[-1] < 0


def test_importing_tone_builds_no_analyzer() -> None:
    import subprocess
    import sys

    code = "import newswatch.analysis.tone as t, newswatch.analysis.actors; print(t.analyzer.cache_info().currsize)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=SEED.parents[2]
    )
    assert out.stdout.strip() == "0"
