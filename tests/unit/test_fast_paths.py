"""Fast paths found with the benchmark (docs/performance.md) give exactly what the code they replace gave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.analysis import tone

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SENTENCES = [
    "The talks were GOOD, but the outcome was terrible!!!",
    "It was kind of a great day :) for the city.",
    "  Leaders did not welcome the deal at all.  ",
    "Officials are extremely worried?",
    "The ceasefire 😀 held overnight.",
    "“Markets fell sharply,” the report said — a grim, grim week.",
    "",
    "No",
]


def _texts() -> list[str]:
    texts = list(SENTENCES)
    folder = SHARED / "corpus" / "sentiment"
    for path in sorted(folder.glob("*.jsonl"))[:1] if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines()[:400]:
            record = json.loads(line)
            texts.append(str(record.get("sentence") or record.get("text") or ""))
    return texts


@pytest.mark.parametrize("text", _texts())
def test_polarity_equals_vader(text: str) -> None:
    assert tone.polarity(text) == tone.analyzer().polarity_scores(text)
