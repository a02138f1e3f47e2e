"""Measure full-text extraction on saved article pages with gold snippets (trafilatura's evaluation format).

Reads the corpus, never writes to it; the figures it prints go in docs, the corpus text never does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newswatch.errors import EvalError
from newswatch.sources.pages import extract_text

Extractor = Callable[[bytes, str | None], str | None]


def _default_extract(html: bytes, url: str | None) -> str | None:
    return extract_text(html, url)[0]


def _find_annotations(corpus_dir: Path) -> list[Path]:
    if corpus_dir.is_file():
        return [corpus_dir]
    found = sorted(corpus_dir.rglob("evaldata*.json"))
    if not found:
        raise EvalError(f"{corpus_dir}: no evaldata*.json annotation file found (trafilatura's eval format)")
    return found


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalError(f"{path}: not a JSON annotation file: {exc}") from None
    if not isinstance(data, dict):
        raise EvalError(f"{path}: expected an object keyed by URL, got {type(data).__name__}")
    return data


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def evaluate_extraction(corpus_dir: Path, *, extract: Extractor | None = None) -> dict[str, Any]:
    """Snippet-level scores of `extract` (default: the pipeline's own extraction) on a trafilatura-style corpus.

    Per document, each "with" snippet found in the text is a true positive (missing: false negative); each
    "without" snippet found is a false positive (absent: true negative). A page yielding no text counts all
    its "with" snippets as misses. Returns counts, precision, recall, f1, accuracy, documents, per_document.
    """
    run = extract or _default_extract
    totals = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    per_document: list[dict[str, Any]] = []
    for gold_file in _find_annotations(Path(corpus_dir)):
        for url, item in _load(gold_file).items():
            if not isinstance(item, dict) or "file" not in item:
                raise EvalError(f"{gold_file}: entry {url!r} has no 'file'")
            page = gold_file.parent / str(item["file"])
            try:
                html = page.read_bytes()
            except OSError as exc:
                raise EvalError(f"{page}: cannot read: {exc.strerror or exc}") from None
            text = run(html, url) or ""
            for key in ("with", "without"):
                value = item.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise EvalError(f"{gold_file}: entry {url!r}: {key!r} must be a list of strings, "
                                    f"got {type(value).__name__}")
            counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
            for snippet in item.get("with", []):
                counts["tp" if snippet in text else "fn"] += 1
            for snippet in item.get("without", []):
                counts["fp" if snippet in text else "tn"] += 1
            for key, value in counts.items():
                totals[key] += value
            per_document.append({"file": page.name, "chars": len(text), **counts})
    tp, fp, tn, fn = totals["tp"], totals["fp"], totals["tn"], totals["fn"]
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return {
        **totals,
        "documents": len(per_document),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "accuracy": _ratio(tp + tn, tp + tn + fp + fn),
        "per_document": per_document,
    }


def format_extraction_table(result: dict[str, Any]) -> str:
    """A plain-text table: one row per document, then the totals and scores."""
    lines = [f"{'document':<48} {'chars':>6} {'TP':>3} {'FN':>3} {'FP':>3} {'TN':>3}"]
    for doc in result.get("per_document", []):
        lines.append(
            f"{doc['file'][:48]:<48} {doc['chars']:>6} {doc['tp']:>3} {doc['fn']:>3} {doc['fp']:>3} {doc['tn']:>3}"
        )
    lines.append(
        f"{'total (' + str(result['documents']) + ' documents)':<48} {'':>6} "
        f"{result['tp']:>3} {result['fn']:>3} {result['fp']:>3} {result['tn']:>3}"
    )
    lines.append(
        f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
        f"F1 {result['f1']:.3f}  accuracy {result['accuracy']:.3f}"
    )
    return "\n".join(lines)
