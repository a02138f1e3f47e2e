"""Actor-level tone against NewsMTSC gold: the shipped model (and any other model files given) beside the earlier
VADER window, whole-sentence VADER and always-neutral.

Reads files and computes figures; never writes anything and never tunes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newswatch.analysis.actors import Label, label_compound, target_tone
from newswatch.analysis.actors.model import ToneModel, shipped_model
from newswatch.analysis.tone import polarity
from newswatch.errors import EvalError
from newswatch.evaluation.common import LABELS, classification_scores, read_targets, split_of


def _sentence_vader(sentence: str, start: int, end: int) -> Label:
    return label_compound(polarity(sentence)["compound"], 0.05)


def _always_neutral(sentence: str, start: int, end: int) -> Label:
    return "neutral"


def _model(sentence: str, start: int, end: int) -> Label:
    return shipped_model().predict(sentence, start, end)


METHODS: dict[str, Callable[[str, int, int], Label]] = {
    "model (shipped)": _model,
    "VADER window": target_tone,
    "sentence VADER": _sentence_vader,
    "always neutral": _always_neutral,
}


def evaluate_tone(path: Path, *, holdout: str = "all", models: Sequence[Path] = ()) -> dict[str, Any]:
    """Score the project's actor-level tone and two baselines on a NewsMTSC JSONL file.

    holdout: "all", "dev" (the half used for tuning) or "heldout" (the half never tuned on).
    models: more model files (written by `eval tone --train`, or an earlier shipped one), each scored as
    "model (<file name>)" after the shipped model.
    Each method's entry also has `seconds`: wall time to label every target once.
    """
    extra = {f"model ({p.name})": _load(p).predict for p in models}
    if len(extra) < len(models):
        raise EvalError("two --model files with one name: name them apart")
    shipped, *baselines = METHODS.items()
    methods = dict([shipped, *extra.items(), *baselines])
    rows = read_targets(path, holdout)
    result = {"file": str(path), "holdout": holdout, "targets": len(rows), "methods": _score_methods(rows, methods)}
    if holdout == "all":
        # The halves too, so the held-out figure (never tuned on) is always in sight.
        result["halves"] = {
            half: {"targets": len(part), "methods": _score_methods(part, methods)}
            for half in ("dev", "heldout")
            if (part := [row for row in rows if split_of(row[0]) == half])
        }
    return result


def _load(path: Path) -> ToneModel:
    try:
        return ToneModel.load(path)
    except FileNotFoundError:
        raise EvalError(f"{path}: no such model file") from None
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:  # gzip, JSON, or not a model's fields
        raise EvalError(f"{path}: not a tone model file written by 'newswatch eval tone --train' ({exc})") from None


def _score_methods(rows: list[tuple[str, int, int, Label]],
                   methods: dict[str, Callable[[str, int, int], Label]]) -> dict[str, Any]:
    gold = [row[3] for row in rows]
    pairs = _opposite_pairs(rows)
    out: dict[str, Any] = {}
    for name, method in methods.items():
        began = time.perf_counter()
        predicted = [method(sentence, start, end) for sentence, start, end, _ in rows]
        seconds = time.perf_counter() - began
        out[name] = classification_scores(gold, predicted) | {"seconds": seconds,
                                                              "opposite_pairs": _pair_scores(pairs, predicted)}
    return out


_ORDER = {label: k for k, label in enumerate(LABELS)}


def _opposite_pairs(rows: list[tuple[str, int, int, Label]]) -> list[tuple[int, int]]:
    """(negative row, positive row) for every two targets of one sentence whose gold tones are opposite: "voters
    admired A, while they blamed B". Sentence-level tone cannot tell such targets apart; actor tone must."""
    by_sentence: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        by_sentence.setdefault(row[0], []).append(k)
    return [(n, p) for ks in by_sentence.values() for n in ks if rows[n][3] == "negative"
            for p in ks if rows[p][3] == "positive"]


def _pair_scores(pairs: list[tuple[int, int]], predicted: Sequence[Label]) -> dict[str, Any]:
    """How a method's labels order each opposite pair: apart the right way (the positive target above the negative
    one), given one label, or the wrong way round."""
    right = sum(_ORDER[predicted[p]] > _ORDER[predicted[n]] for n, p in pairs)
    same = sum(predicted[p] == predicted[n] for n, p in pairs)
    total = len(pairs)
    return {"pairs": total, "right": right, "same": same, "reversed": total - right - same,
            "right_share": right / total if total else None}


def format_tone_table(result: dict[str, Any]) -> str:
    """A plain-text table of evaluate_tone's result."""
    lines = [f"{result['file']}"]
    parts = [(result["holdout"], result)] + list(result.get("halves", {}).items())
    for half, part in parts:
        lines.append("")
        lines.extend(_tone_rows(f"{half} ({part['targets']} targets)", part["methods"]))
    return "\n".join(lines)


def _tone_rows(head: str, methods: dict[str, Any]) -> list[str]:
    width = max(18, *(len(name) for name in methods))
    lines = [
        head,
        f"{'method':<{width}} {'acc':>6} {'macroF1':>8} {'P-neg':>6} {'R-neg':>6} {'P-neu':>6} {'R-neu':>6} "
        f"{'P-pos':>6} {'R-pos':>6} {'ms':>7}",
    ]
    for name, m in methods.items():
        pc = m["per_class"]
        cells = " ".join(f"{pc[c]['precision']:6.3f} {pc[c]['recall']:6.3f}" for c in LABELS)
        lines.append(
            f"{name:<{width}} {m['accuracy']:6.3f} {m['macro_f1']:8.3f} {cells} {m['seconds'] * 1000:7.0f}"
        )
    lines.append("confusion (rows: gold neg/neu/pos; columns: predicted neg/neu/pos)")
    for name, m in methods.items():
        lines.append(f"  {name:<{width}} " + "  ".join(" ".join(f"{n:4d}" for n in row) for row in m["confusion"]))
    first = next(iter(methods.values()))["opposite_pairs"]
    if first["pairs"]:
        lines.append(f"targets of opposite gold tone in one sentence ({first['pairs']} pairs): "
                     "ordered right / one label / reversed")
        for name, m in methods.items():
            op = m["opposite_pairs"]
            lines.append(f"  {name:<{width}} {op['right']:5d} ({op['right_share']:.0%}) {op['same']:5d} "
                         f"{op['reversed']:5d}")
    return lines


