"""Evaluation: scores, NewsMTSC reading (with clear errors), and the actor test set against its floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.analysis.actors import ActorRegistry
from newswatch.errors import EvalError
from newswatch.evaluation.actors import evaluate_actors, format_actor_table
from newswatch.evaluation.common import classification_scores, split_of
from newswatch.evaluation.tone import evaluate_tone, format_tone_table

ROOT = Path(__file__).resolve().parents[2]
ACTOR_SET = ROOT / "tests" / "data" / "actors_eval.jsonl"
# The documented floor (docs/methods.md, "Evaluation"): matching must stay at or above these on our set.
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.95


def test_actor_matching_meets_the_documented_floor() -> None:
    result = evaluate_actors(ACTOR_SET, ActorRegistry.load(ROOT / "config" / "actors.toml"))
    assert result["cases"] >= 60
    assert result["precision"] >= PRECISION_FLOOR, format_actor_table(result)
    assert result["recall"] >= RECALL_FLOOR, format_actor_table(result)
    table = format_actor_table(result)
    assert "precision" in table and str(result["cases"]) in table


def test_actor_set_is_marked_sample_and_has_no_quoted_speech() -> None:
    for line in ACTOR_SET.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        assert case["sample"] is True
        assert '"' not in case["text"] and "“" not in case["text"]


def test_classification_scores() -> None:
    gold = ["positive", "negative", "neutral", "neutral"]
    pred = ["positive", "neutral", "neutral", "negative"]
    scores = classification_scores(gold, pred)  # type: ignore[arg-type]
    assert scores["accuracy"] == 0.5
    assert scores["per_class"]["positive"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert scores["per_class"]["negative"]["precision"] == 0.0
    assert scores["per_class"]["neutral"]["precision"] == 0.5
    assert scores["macro_f1"] == pytest.approx((1.0 + 0.0 + 0.5) / 3)


def mtsc_line(sentence: str, start: int, end: int, polarity: float) -> str:
    target = {"from": start, "to": end, "mention": sentence[start:end], "polarity": polarity}
    return json.dumps({"sentence_normalized": sentence, "primary_gid": "x", "targets": [target]})


def test_evaluate_tone_on_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.jsonl"
    lines = [
        mtsc_line("Critics said Jones ran a corrupt and failed campaign.", 13, 18, 2.0),
        mtsc_line("Smith won praise for a brilliant plan.", 0, 5, 6.0),
        mtsc_line("Lee arrived on Tuesday.", 0, 3, 4.0),
    ]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    result = evaluate_tone(path)
    assert result["targets"] == 3
    assert set(result["methods"]) == {"actor (project)", "sentence VADER", "always neutral"}
    assert result["methods"]["actor (project)"]["accuracy"] == 1.0
    assert result["methods"]["always neutral"]["accuracy"] == pytest.approx(1 / 3)
    assert sum(h["targets"] for h in result["halves"].values()) == 3
    table = format_tone_table(result)
    assert "actor (project)" in table and "macroF1" in table
    half = split_of("Critics said Jones ran a corrupt and failed campaign.")
    assert evaluate_tone(path, holdout=half)["holdout"] == half


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"sentence_normalized": "A b.", "targets": []}\nnot json\n', r"bad\.jsonl:2: not a JSON object"),
        ("[1, 2]\n", r"bad\.jsonl:1: expected a JSON object"),
        ('{"text": "A b."}\n', r"bad\.jsonl:1: expected NewsMTSC fields"),
        ('{"sentence_normalized": "A b.", "targets": [{"from": 0, "to": 1}]}\n', r"bad\.jsonl:1: bad target"),
        (
            '{"sentence_normalized": "A b.", "targets": [{"from": 0, "to": 9, "polarity": 4}]}\n',
            r":1: target offsets",
        ),
        ("", r"no targets"),
    ],
)
def test_evaluate_tone_rejects_bad_files_naming_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvalError, match=message):
        evaluate_tone(path)


def test_evaluate_tone_missing_file_and_bad_holdout(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="absent.jsonl: cannot read"):
        evaluate_tone(tmp_path / "absent.jsonl")
    path = tmp_path / "one.jsonl"
    path.write_text(mtsc_line("Lee arrived.", 0, 3, 4.0), encoding="utf-8")
    with pytest.raises(EvalError, match="holdout"):
        evaluate_tone(path, holdout="test")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"date": "2025-05-10", "text": "", "expected": []}, "non-empty string 'text'"),
        ({"date": "2025-05-10", "text": "India.", "expected": "india"}, "list of actor ids"),
        ({"date": "10 May 2025", "text": "India.", "expected": ["india"]}, "YYYY-MM-DD"),
        (
            {"date": "2025-05-10", "text": "India.", "expected": ["atlantis"]},
            "'atlantis' is not in the registry",
        ),
    ],
)
def test_evaluate_actors_rejects_bad_cases(tmp_path: Path, record: dict[str, object], message: str) -> None:
    path = tmp_path / "cases.jsonl"
    good = {"date": "2025-05-10", "text": "India.", "expected": ["india"]}
    path.write_text(json.dumps(good) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match=rf"cases\.jsonl:2: .*{message}"):
        evaluate_actors(path, ActorRegistry.load(ROOT / "config" / "actors.toml"))
