"""Evaluation: actor-level tone against NewsMTSC gold, and actor matching against our labelled sentences.

Reads files and computes figures; never writes anything and never tunes (tuning is done by hand on the dev half).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from newswatch.analysis.actors import ActorRegistry, Label, label_compound, match_actors, target_tone
from newswatch.analysis.tone import polarity, split_sentences
from newswatch.errors import EvalError

LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")
POLARITY: dict[float, Label] = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
HOLDOUTS = ("all", "dev", "heldout")


def split_of(sentence: str) -> str:
    """Deterministic 50/50 split by a hash of the sentence: "dev" (tune here) or "heldout" (report only)."""
    digest = hashlib.sha1(sentence.encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "heldout"


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"{path}: cannot read: {exc}") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise EvalError(f"{path}:{number}: not a JSON object: {exc.msg}") from None
                if not isinstance(record, dict):
                    raise EvalError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
                yield number, record
        except UnicodeDecodeError as exc:
            raise EvalError(f"{path}: not UTF-8 text: {exc}") from None


def read_targets(path: Path, holdout: str = "all") -> list[tuple[str, int, int, Label]]:
    """(sentence, from, to, gold label) for every NewsMTSC target in the chosen half of the file."""
    if holdout not in HOLDOUTS:
        raise EvalError(f"holdout must be one of {', '.join(HOLDOUTS)}, got {holdout!r}")
    rows = []
    for number, record in _lines(path):
        sentence = record.get("sentence_normalized")
        targets = record.get("targets")
        if not isinstance(sentence, str) or not isinstance(targets, list):
            raise EvalError(f"{path}:{number}: expected NewsMTSC fields sentence_normalized and targets")
        if holdout != "all" and split_of(sentence) != holdout:
            continue
        for target in targets:
            try:
                start, end, gold = int(target["from"]), int(target["to"]), POLARITY[float(target["polarity"])]
            except (KeyError, TypeError, ValueError) as exc:
                raise EvalError(
                    f"{path}:{number}: bad target {target!r}: expected from, to, polarity 2/4/6"
                ) from exc
            if not 0 <= start < end <= len(sentence):
                raise EvalError(f"{path}:{number}: target offsets {start}..{end} outside the sentence")
            rows.append((sentence, start, end, gold))
    if not rows:
        raise EvalError(f"{path}: no targets found (holdout {holdout!r})")
    return rows


def classification_scores(gold: list[Label], predicted: list[Label]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-class precision / recall / F1 / support."""
    per_class: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        n_pred = sum(1 for p in predicted if p == label)
        n_gold = sum(1 for g in gold if g == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "n": len(gold),
        "accuracy": correct / len(gold) if gold else 0.0,
        "macro_f1": sum(c["f1"] for c in per_class.values()) / len(LABELS),
        "per_class": per_class,
    }


def _sentence_vader(sentence: str, start: int, end: int) -> Label:
    return label_compound(polarity(sentence)["compound"], 0.05)


def _always_neutral(sentence: str, start: int, end: int) -> Label:
    return "neutral"


METHODS: dict[str, Callable[[str, int, int], Label]] = {
    "actor (project)": target_tone,
    "sentence VADER": _sentence_vader,
    "always neutral": _always_neutral,
}


def evaluate_tone(path: Path, *, holdout: str = "all") -> dict[str, Any]:
    """Score the project's actor-level tone and two baselines on a NewsMTSC JSONL file.

    holdout: "all", "dev" (the half used for tuning) or "heldout" (the half never tuned on).
    Each method's entry also has `seconds`: wall time to label every target once.
    """
    rows = read_targets(path, holdout)
    result = {"file": str(path), "holdout": holdout, "targets": len(rows), "methods": _score_methods(rows)}
    if holdout == "all":
        # The halves too, so the held-out figure (never tuned on) is always in sight.
        result["halves"] = {
            half: {"targets": len(part), "methods": _score_methods(part)}
            for half in ("dev", "heldout")
            if (part := [row for row in rows if split_of(row[0]) == half])
        }
    return result


def _score_methods(rows: list[tuple[str, int, int, Label]]) -> dict[str, Any]:
    gold = [row[3] for row in rows]
    methods: dict[str, Any] = {}
    for name, method in METHODS.items():
        began = time.perf_counter()
        predicted = [method(sentence, start, end) for sentence, start, end, _ in rows]
        seconds = time.perf_counter() - began
        methods[name] = classification_scores(gold, predicted) | {"seconds": seconds}
    return methods


def format_tone_table(result: dict[str, Any]) -> str:
    """A plain-text table of evaluate_tone's result."""
    lines = [f"{result['file']}"]
    parts = [(result["holdout"], result)] + list(result.get("halves", {}).items())
    for half, part in parts:
        lines.append("")
        lines.extend(_tone_rows(f"{half} ({part['targets']} targets)", part["methods"]))
    return "\n".join(lines)


def _tone_rows(head: str, methods: dict[str, Any]) -> list[str]:
    lines = [
        head,
        f"{'method':<18} {'acc':>6} {'macroF1':>8} {'P-neg':>6} {'R-neg':>6} {'P-neu':>6} {'R-neu':>6} "
        f"{'P-pos':>6} {'R-pos':>6} {'ms':>7}",
    ]
    for name, m in methods.items():
        pc = m["per_class"]
        cells = " ".join(f"{pc[c]['precision']:6.3f} {pc[c]['recall']:6.3f}" for c in LABELS)
        lines.append(
            f"{name:<18} {m['accuracy']:6.3f} {m['macro_f1']:8.3f} {cells} {m['seconds'] * 1000:7.0f}"
        )
    return lines


# --- actor matching ---------------------------------------------------------------------------------------


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
