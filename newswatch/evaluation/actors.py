"""Actor matching against labelled sentences: precision and recall of the actor ids found per case.

Reads files and computes figures; never writes anything.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from newswatch.analysis.actors import ActorRegistry, match_actors
from newswatch.errors import EvalError
from newswatch.evaluation.common import _lines
from newswatch.text.sentences import split_sentences


def read_actor_cases(path: Path) -> list[dict[str, Any]]:
    """Cases of the actor test set: {id, date, title, text, expected: [actor ids]}; checked field by field."""
    cases = []
    for number, record in _lines(path):
        where = f"{path}:{number}"
        text = record.get("text", "")
        title = record.get("title", "")
        expected = record.get("expected")
        if not isinstance(text, str) or not isinstance(title, str) or not (text or title):
            raise EvalError(f"{where}: expected a non-empty string 'text' (and optional 'title')")
        if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
            raise EvalError(f"{where}: expected 'expected' to be a list of actor ids")
        try:
            when = date.fromisoformat(str(record.get("date")))
        except ValueError:
            raise EvalError(f"{where}: expected 'date' as YYYY-MM-DD, got {record.get('date')!r}") from None
        cases.append(
            {
                "id": record.get("id", f"line {number}"),
                "line": number,
                "date": when,
                "title": title,
                "text": text,
                "expected": expected,
            }
        )
    if not cases:
        raise EvalError(f"{path}: no cases found")
    return cases


def evaluate_actors(path: Path, registry: ActorRegistry) -> dict[str, Any]:
    """Precision / recall / F1 of match_actors over the set of actor ids per case (micro-averaged)."""
    cases = read_actor_cases(path)
    tp = fp = fn = 0
    errors = []
    for case in cases:
        unknown = [a for a in case["expected"] if a not in registry]
        if unknown:
            raise EvalError(f"{path}:{case['line']}: expected actor {unknown[0]!r} is not in the registry")
        spans = split_sentences(case["text"])
        found = {m.actor_id for m in match_actors(registry, case["title"], case["text"], spans, case["date"])}
        expected = set(case["expected"])
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        if found != expected:
            errors.append(
                {"id": case["id"], "missed": sorted(expected - found), "extra": sorted(found - expected)}
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "file": str(path),
        "cases": len(cases),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "errors": errors,
    }


def format_actor_table(result: dict[str, Any]) -> str:
    """Plain-text summary of evaluate_actors, then every case that went wrong."""
    lines = [
        f"{result['file']} ({result['cases']} cases)",
        f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f}  "
        f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']})",
    ]
    for err in result["errors"]:
        lines.append(f"  {err['id']}: missed {err['missed'] or '-'}; extra {err['extra'] or '-'}")
    return "\n".join(lines)
