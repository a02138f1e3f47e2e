"""What the evaluations share: reading JSONL files with line-numbered errors, the NewsMTSC labels, the
deterministic dev/held-out split, and per-class scores.

Reads files and computes figures; never writes anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from newswatch.analysis.actors import Label
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
        handle = path.open(encoding="utf-8-sig")  # a byte-order mark, as some editors write, is not an error
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
            start, end = target_span(sentence, start, end, target.get("mention"))
            if not 0 <= start < end <= len(sentence):
                raise EvalError(f"{path}:{number}: target offsets {start}..{end} outside the sentence")
            rows.append((sentence, start, end, gold))
    if not rows:
        raise EvalError(f"{path}: no targets found (holdout {holdout!r})")
    return rows


def target_span(sentence: str, start: int, end: int, mention: Any) -> tuple[int, int]:
    """A target's offsets, or, when the record's `mention` is not what they cover (offsets counted against a
    sentence with one more or one less leading space, say), the offsets of the occurrence of `mention` nearest
    to them. NewsMTSC's own splits have no such target; other files of the format may."""
    if not isinstance(mention, str) or not mention or sentence[start:end] == mention:
        return start, end
    found = [i for i in range(len(sentence)) if sentence.startswith(mention, i)]
    if not found:
        return start, end
    best = min(found, key=lambda i: (abs(i - start), i))
    return best, best + len(mention)


def classification_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision / recall / F1 / support, and the confusion matrix (rows: gold
    negative, neutral, positive; columns: predicted, same order)."""
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
        "confusion": [[sum(1 for g, p in zip(gold, predicted, strict=True) if g == gl and p == pl)
                       for pl in LABELS] for gl in LABELS],
    }


