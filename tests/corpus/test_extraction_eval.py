"""Extraction quality on ../shared/corpus/articles-html (trafilatura's gold snippets), plus the scorer itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.errors import EvalError
from newswatch.evaluation.extraction import evaluate_extraction, format_extraction_table

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "articles-html"
# Measured 2026-11-25 with trafilatura 2.3.1: F1 0.977 (precision 1.000, recall 0.955) on 8 documents.
# The floor leaves room for one or two snippets to move with a new trafilatura release.
F1_FLOOR = 0.85


@pytest.mark.corpus
def test_extraction_on_corpus_beats_floor() -> None:
    if not (CORPUS / "MANIFEST.txt").exists():
        pytest.skip("../shared/corpus/articles-html is absent")
    result = evaluate_extraction(CORPUS)
    assert result["documents"] == 8
    assert result["f1"] >= F1_FLOOR, format_extraction_table(result)
    assert result["precision"] >= 0.9  # boilerplate must stay out: it would be scored as the article's tone
    table = format_extraction_table(result)
    assert "F1" in table and "bbc.com.52241221.html" in table


def write_corpus(tmp_path: Path) -> Path:
    (tmp_path / "a.html").write_text(
        "<html><body><nav>SAMPLE menu item</nav><article>"
        + "".join(
            f"<p>SAMPLE sentence number {i} of a short test article about a harbour wall.</p>"
            for i in range(12)
        )
        + "</article><footer>SAMPLE footer text</footer></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "evaldata.json").write_text(
        json.dumps(
            {
                "https://a.example/1": {
                    "file": "a.html",
                    "with": ["sentence number 3", "not in the page"],
                    "without": ["SAMPLE footer text", "never there"],
                }
            }
        ),
        encoding="utf-8",
    )
    return tmp_path


def test_scoring_counts_snippets(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    text = "SAMPLE sentence number 3 and SAMPLE footer text"
    result = evaluate_extraction(corpus, extract=lambda html, url: text)
    assert (result["tp"], result["fn"], result["fp"], result["tn"]) == (1, 1, 1, 1)
    assert result["precision"] == 0.5 and result["recall"] == 0.5 and result["f1"] == 0.5
    assert result["accuracy"] == 0.5
    nothing = evaluate_extraction(corpus, extract=lambda html, url: None)
    assert (nothing["tp"], nothing["fn"], nothing["fp"], nothing["tn"]) == (0, 2, 0, 2)
    assert nothing["f1"] == 0.0


def test_default_extractor_on_sample_page(tmp_path: Path) -> None:
    result = evaluate_extraction(write_corpus(tmp_path))
    assert result["tp"] == 1 and result["fp"] == 0


def test_missing_annotations_and_files_are_eval_errors(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="no evaldata"):
        evaluate_extraction(tmp_path)
    (tmp_path / "evaldata.json").write_text(json.dumps({"u": {"file": "gone.html"}}), encoding="utf-8")
    with pytest.raises(EvalError, match="gone.html: cannot read"):
        evaluate_extraction(tmp_path)
    (tmp_path / "evaldata.json").write_text("[", encoding="utf-8")
    with pytest.raises(EvalError, match="not a JSON annotation file"):
        evaluate_extraction(tmp_path)


@pytest.mark.parametrize("value", [None, "a snippet as a bare string", [1, 2]])
def test_snippets_that_are_not_a_list_of_strings_are_eval_errors(tmp_path: Path, value: object) -> None:
    """A string would be read character by character, and null would be a traceback: both are said instead."""
    corpus = write_corpus(tmp_path)
    data = json.loads((corpus / "evaldata.json").read_text(encoding="utf-8"))
    data["https://a.example/1"]["without"] = value
    (corpus / "evaldata.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(EvalError, match="'without' must be a list of strings"):
        evaluate_extraction(corpus, extract=lambda html, url: "")
