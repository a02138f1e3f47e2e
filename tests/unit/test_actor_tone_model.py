"""The trained actor-tone model: training is deterministic, the shipped file is what the pipeline uses, and
stored tones say which method and model version made them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from newswatch import cli
from newswatch.analysis import actors
from newswatch.analysis.actors import score_actor_tones
from newswatch.analysis.actors.model import ToneModel, extract_features, shipped_model
from newswatch.analysis.actors.tone import WindowScorer
from newswatch.models import Mention, Sentence

# Ten made-up NewsMTSC-format sentences (three per class and one more), enough for a fit in a second.
TRAIN_LINES = [
    ("Critics blasted Jones for a corrupt and failed campaign.", "Jones", 2.0),
    ("Jones was condemned by voters after the scandal.", "Jones", 2.0),
    ("The report accused Smith of lying to investigators.", "Smith", 2.0),
    ("Smith won praise for a brilliant and generous plan.", "Smith", 6.0),
    ("Supporters hailed Lee as a hero of the reform.", "Lee", 6.0),
    ("Lee earned admiration for her honest leadership.", "Lee", 6.0),
    ("Park arrived in the capital on Tuesday.", "Park", 4.0),
    ("Park will speak at the conference next week.", "Park", 4.0),
    ("The committee met Kim to discuss the schedule.", "Kim", 4.0),
    ("Kim was praised by colleagues but attacked by rivals.", "Kim", 4.0),
]


def _write_train(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for n, (sentence, name, polarity) in enumerate(TRAIN_LINES * 3):
            start = sentence.index(name)
            target = {"from": start, "to": start + len(name), "mention": name, "polarity": polarity}
            fh.write(json.dumps({"sentence_normalized": sentence, "primary_gid": f"made_{n % 7}_1_{n}",
                                 "targets": [target]}) + "\n")
    return path


def test_training_twice_gives_the_same_file_and_records_its_figures(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")  # training needs newswatch[train]; the dev install has it
    train = _write_train(tmp_path / "train.jsonl")
    outs = [tmp_path / "a.json.gz", tmp_path / "b.json.gz"]
    for out in outs:
        assert cli.main(["eval", "tone", "--train", str(train), "--out", str(out), "--seed", "5"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    model = json.loads(gzip.decompress(outs[0].read_bytes()))
    assert model["training"]["n_rows"] == 30 and model["training"]["seed"] == 5
    assert 0.0 <= model["cv"]["macro_f1"] <= 1.0
    # Weights, not text: no training sentence is in the file.
    text = json.dumps(model)
    assert all(sentence not in text for sentence, _, _ in TRAIN_LINES)
    assert ToneModel.load(outs[0]).predict("Critics blasted Jones for a failed campaign.", 15, 20) in (
        "negative", "neutral", "positive")


def test_training_needs_an_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    assert cli.main(["eval", "tone", "--train", str(_write_train(tmp_path / "t.jsonl"))]) == 1
    assert "--out" in capsys.readouterr().err


def test_actor_tones_record_the_model_and_each_mention_its_tone() -> None:
    text = "Critics condemned Jones for the failed plan. Lee praised the brave rescue team."
    sentences = [Sentence(0, 0, 44, text[:44], 0.0, 0.0, 1.0, 0.0), Sentence(1, 45, len(text), text[45:], 0.0,
                                                                          0.0, 1.0, 0.0)]
    mentions = [Mention("jones", "Jones", "name", 0, 18, 23), Mention("lee", "Lee", "name", 1, 45, 48),
                Mention("jones", "Jones", "name", -1, 0, 5)]
    tones = {t.actor_id: t for t in score_actor_tones(mentions, sentences, text)}
    model = shipped_model()
    assert tones["jones"].method == "model" and tones["jones"].model_version == model.version
    assert tones["jones"].mentions == 2 and tones["jones"].sentences == 1  # the headline mention has no tone
    assert mentions[0].tone is not None and mentions[2].tone is None
    window = {t.actor_id: t for t in score_actor_tones(mentions, sentences, text, WindowScorer())}
    assert window["jones"].method == "vader-window"
    # The pipeline's two steps (prepare per article, score_prepared per batch, finish per article) give the same.
    for scorer in (model, WindowScorer()):
        one = [repr(t) for t in score_actor_tones(mentions, sentences, text, scorer)]
        prepared = [actors.prepare_actor_tones(mentions, sentences, text, scorer), scorer.prepare([])]
        results = scorer.score_prepared(prepared)
        assert [repr(t) for t in actors.finish_actor_tones(mentions, sentences, scorer, results[0])] == one
        assert results[1] == []


def test_a_scorer_with_score_mentions_alone_still_scores_an_article() -> None:
    # score_actor_tones reads only score_mentions, as before the pipeline's two steps: a scorer written for it works.
    class Constant:
        method, version = "constant", "1"

        def score_mentions(self, items):  # type: ignore[no-untyped-def]
            return [("positive", 0.5) for _ in items]

    text = "Lee praised the team."
    mentions = [Mention("lee", "Lee", "name", 0, 0, 3)]
    tones = score_actor_tones(mentions, [Sentence(0, 0, len(text), text, 0.0, 0.0, 1.0, 0.0)], text, Constant())
    assert [(t.actor_id, t.label, t.compound, t.method) for t in tones] == [("lee", "positive", 0.5, "constant")]
    assert mentions[0].tone == 0.5


# Hand-written sentences (not from any corpus) whose tone toward the named person is plain: the charge, the
# insults and the praise are about that person and no one else, and the neutral one reports a routine act.
CLEAR = [
    ("Prosecutors charged John Harlan with fraud, bribery and obstruction of justice.", "John Harlan", "negative"),
    ("Critics slammed Mayor Tom Reed as corrupt and incompetent after the scandal.", "Tom Reed", "negative"),
    ("The committee met on Monday and Peter Ngata presented the budget figures.", "Peter Ngata", "neutral"),
    ("Dana Whitfield won the award and was celebrated as a brilliant, generous leader.", "Dana Whitfield",
     "positive"),
    ("Supporters praised Maria Lopez for her courageous leadership and honesty.", "Maria Lopez", "positive"),
    # Reported speech: the speaker is neutral ground, the insult is aimed at Hale.
    ("Ortiz said that Hale is a disgrace to the office.", "Hale", "negative"),
]


@pytest.mark.parametrize(("sentence", "mention", "expected"), CLEAR, ids=[c[1] for c in CLEAR])
def test_the_shipped_model_reads_plain_sentences_right(sentence: str, mention: str, expected: str) -> None:
    start = sentence.index(mention)
    assert shipped_model().predict(sentence, start, start + len(mention)) == expected


# --- the context block: word vectors around the mention ---------------------------------------------------


def _write_vectors(path: Path, dim: int = 8) -> Path:
    """Made-up 8-number vectors (a fixed hash of each word: no real embedding) for every word of TRAIN_LINES,
    most frequent first as in GloVe's files; "blasted" and "praise" get opposite directions so the fit has
    something to learn."""
    import hashlib

    from newswatch.analysis.actors.model import context_regions

    counts: dict[str, int] = {}
    for sentence, _name, _p in TRAIN_LINES:
        for word in context_regions(sentence, 0, 1, ["sentence"])[0][0]:
            counts[word] = counts.get(word, 0) + 1
    with path.open("w", encoding="utf-8") as fh:
        for word in sorted(counts, key=lambda w: (-counts[w], w)):
            digest = hashlib.sha256(word.encode()).digest()
            vector = [round(b / 255 - 0.5, 4) for b in digest[:dim]]
            fh.write(word + " " + " ".join(str(v) for v in vector) + "\n")
    return path


def test_context_regions_cut_the_sentence_as_glove_was_cut() -> None:
    from newswatch.analysis.actors.model import context_regions

    sentence = "Officials said Pakistan's army chief didn't meet U.S. envoys in well-guarded rooms."
    start = sentence.index("Pakistan")
    (left, _), (right, _), (whole, _) = context_regions(sentence, start, start + len("Pakistan"),
                                                         ["left5", "right5", "sentence"])
    assert left == ["officials", "said"]
    assert right == ["'s", "army", "chief", "did", "n't"]  # five tokens: "didn't" is two, as in GloVe
    assert "pakistan" in whole and "u.s." in whole and "well-guarded" in whole and whole[-1] == "."
    # Curly quotes are straightened (same length, offsets hold).
    curly = "\u201cWe will not back down,\u201d Sharif said."
    (left, _), (right, _) = context_regions(curly, curly.index("Sharif"), curly.index("Sharif") + 6,
                                            ["left5", "right5"])
    assert right == ["said", "."] and left[-2:] == [",", '"']


def test_weighted_regions_weigh_each_word_by_its_nearness() -> None:
    # Model 2.1 reads 15 tokens each side, the k-th from the mention weighted 1 / k, in sentence order.
    from newswatch.analysis.actors.model import CONTEXT_REGIONS, context_regions

    sentence = "Critics said on Monday that Smith had failed the city badly."
    start = sentence.index("Smith")
    (left, lw), (right, rw), (whole, ww) = context_regions(sentence, start, start + 5)
    assert CONTEXT_REGIONS == ("left15w", "right15w", "sentence")
    assert left == ["critics", "said", "on", "monday", "that"] and lw == [1 / 5, 1 / 4, 1 / 3, 1 / 2, 1.0]
    assert right == ["had", "failed", "the", "city", "badly", "."] and rw == [1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6]
    assert ww == [1.0] * len(whole)
    long = " ".join(f"w{i}" for i in range(30)) + " Smith " + " ".join(f"v{i}" for i in range(30))
    (left, lw), (right, _), _ = context_regions(long, long.index("Smith"), long.index("Smith") + 5)
    assert left[0] == "w15" and len(left) == len(right) == 15 and lw[0] == 1 / 15


def test_training_with_vectors_is_deterministic_and_ships_scores_not_vectors(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    train = _write_train(tmp_path / "train.jsonl")
    vectors = _write_vectors(tmp_path / "vectors.txt")
    outs = [tmp_path / "a.json.gz", tmp_path / "b.json.gz"]
    for out in outs:
        assert cli.main(["eval", "tone", "--train", str(train), "--out", str(out), "--seed", "5",
                         "--vectors", str(vectors), "--vector-words", "20"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    model = json.loads(gzip.decompress(outs[0].read_bytes()))
    assert model["training"]["vector_words"] == 20 and model["training"]["vectors"] == "vectors.txt"
    block = model["context"]
    assert block["regions"] == ["left15w", "right15w", "sentence"]
    assert len(block["words"].split("\n")) == 20  # the 20 most frequent words, per word 3 regions x 3 classes
    text = json.dumps(model)
    assert all(sentence not in text for sentence, _, _ in TRAIN_LINES)
    assert len(ToneModel.load(outs[0]).context or []) == 20


def test_the_shipped_form_of_the_context_gives_the_fitted_models_logits(tmp_path: Path) -> None:
    """Per-word region scores (vector x weights, stored as float16) averaged per region must give the logits of
    the logistic regression fitted on the regions' mean vectors."""
    pytest.importorskip("sklearn")
    from scipy.sparse import csr_matrix, hstack

    from newswatch.evaluation.tone_training import (
        context_features,
        fit_linear,
        read_training_rows,
        read_vectors,
        train,
        vectorize,
    )

    rows, _groups = read_training_rows(_write_train(tmp_path / "train.jsonl"))
    vectors = read_vectors(_write_vectors(tmp_path / "vectors.txt"))
    model = ToneModel(train(rows, 5, c=0.05, vectors=vectors))
    feats = [extract_features(s, a, b) for s, a, b, _ in rows]
    dense = context_features(rows, vectors)
    vocab, coef, intercept = fit_linear(feats, [r[3] for r in rows], c=0.05, min_count=3, seed=5, dense=dense)
    fitted = hstack([vectorize(feats, vocab), csr_matrix(dense)], format="csr") @ coef.T + intercept
    for (sentence, start, end, _label), expected in zip(rows, fitted, strict=True):
        probs = model.predict_proba(sentence, start, end)
        exp = np.exp(expected - expected.max())
        assert [probs[k] for k in ("negative", "neutral", "positive")] == pytest.approx(exp / exp.sum(), abs=2e-3)


def test_bad_vector_files_and_misplaced_flags_get_clear_errors(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    train = _write_train(tmp_path / "train.jsonl")
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("the 0.1 0.2 0.3\nof 0.1 0.2\n", encoding="utf-8")
    assert cli.main(["eval", "tone", "--train", str(train), "--out", str(tmp_path / "m.json.gz"),
                     "--vectors", str(ragged)]) == 1
    assert "ragged.txt:2" in capsys.readouterr().err
    assert not (tmp_path / "m.json.gz").exists()
    assert cli.main(["eval", "tone", str(train), "--vectors", str(ragged)]) == 1
    assert "--vectors is for 'eval tone --train'" in capsys.readouterr().err


def test_a_format_1_model_without_context_still_loads() -> None:
    model = ToneModel({"format_version": 1, "model_version": "tone-linear-1.0", "classes": ["negative", "neutral",
                       "positive"], "feature_groups": ["s"], "intercept": [0.0, 1.0, 0.0],
                       "weights": {"s:compound": [-2.0, 0.0, 2.0]}})
    assert model.context is None
    assert model.predict("A calm day for Lee.", 15, 18) == "neutral"



def test_mentions_scored_together_get_what_each_gets_alone_even_with_no_known_feature() -> None:
    """predict_many sums each mention's weight rows apart: a mention with no feature the model knows gets the
    intercept alone (softmax of 0, 1, 0), whatever its neighbours in the batch; the rest equal single calls."""
    import math

    model = ToneModel({"format_version": 1, "model_version": "t", "classes": ["negative", "neutral", "positive"],
                       "feature_groups": ["s"], "intercept": [0.0, 1.0, 0.0],
                       "weights": {"s:compound": [-2.0, 0.0, 2.0]}})
    calm, grim = "Lee spoke.", "A terrible, awful defeat for Lee."
    items = [("", 0, 0), (calm, 0, 3), ("", 0, 0), (grim, grim.index("Lee"), len(grim) - 1), ("", 0, 0)]
    together = model.predict_many(items)
    assert together == [model.predict_many([item])[0] for item in items]
    assert together[0] == together[1] == together[2] == together[4] == ("neutral", 0.0)  # calm: s:compound is 0
    label, score = together[3]
    assert label == "negative" and score < -0.5
    probs = model.predict_proba("", 0, 0)  # no words: the bias alone, which this model does not weigh
    assert probs["neutral"] == pytest.approx(math.e / (math.e + 2))
    assert model.predict_many([]) == []


# Verbs of attack that are not in VADER's lexicon (so no valence feature fires) and too rare in the training
# split for word features: the sparse-only model 1.0 read all three neutral. Their word vectors sit beside
# "criticised" and "condemned", which is what the context block (model 2.0) reads. Made-up name and event.
UNSEEN = ["excoriated", "castigated", "vilified"]


@pytest.mark.parametrize("verb", UNSEEN)
def test_the_shipped_model_reads_attack_verbs_outside_the_lexicon(verb: str) -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    assert verb not in SentimentIntensityAnalyzer().lexicon
    sentence = f"Opposition lawmakers {verb} Marlow over the deal."
    start = sentence.index("Marlow")
    assert shipped_model().context is not None
    assert shipped_model().predict(sentence, start, start + len("Marlow")) == "negative"


def test_training_on_too_few_of_a_class_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file without positive targets (a slice of a larger one): one line naming the file and the counts, not a
    scikit-learn traceback after cross-validation predicted one class for everything."""
    pytest.importorskip("sklearn")
    train = tmp_path / "train.jsonl"
    _write_train(train)
    lines = [line for line in train.read_text(encoding="utf-8").splitlines() if '"polarity": 6.0' not in line]
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["eval", "tone", "--train", str(train), "--out", str(tmp_path / "m.json.gz")]) == 1
    err = capsys.readouterr().err
    assert "training needs at least 5 targets of each class" in err and "'positive'" not in err.split("got")[1] \
        and "Traceback" not in err
    assert not (tmp_path / "m.json.gz").exists()


def test_a_model_with_the_earlier_regions_still_loads_and_reads_plain_means() -> None:
    # Model 2.0 files name "left5" / "right5": 5 tokens each side, each region a plain mean of its known words.
    from newswatch.analysis.actors.model import ContextScores, encode_context

    scores = np.arange(2 * 3 * 3, dtype=np.float64).reshape(2, 3, 3)  # words x regions x classes
    block = encode_context(["said", "smith"], scores, ["left5", "right5", "sentence"])
    context = ContextScores(block, 3)
    sentence = "Officials said that Smith said it."
    rows, weights = context.rows(sentence, sentence.index("Smith"), sentence.index("Smith") + 5)
    # left5 knows "said" (row 0 * 3 + 0); right5 "said" (0 * 3 + 1); the sentence "said" twice and "smith".
    assert rows == [0, 1, 2, 5, 2] and weights == [1.0, 1.0, 1 / 3, 1 / 3, 1 / 3]
    with pytest.raises(ValueError, match="unsupported context block"):
        ContextScores({**block, "regions": ["left9", "right5", "sentence"]}, 3)
