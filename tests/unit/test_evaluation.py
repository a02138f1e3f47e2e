"""Evaluation: scores, NewsMTSC reading (with clear errors), and the actor test set against its floor."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from newswatch.analysis.actors import ActorRegistry
from newswatch.cli import main
from newswatch.errors import EvalError
from newswatch.evaluation.actors import (
    METHODS,
    detokenize,
    evaluate_actor_spans,
    evaluate_actors,
    evaluate_roles,
    format_actor_span_table,
    format_actor_table,
    format_role_table,
    read_ner_sentences,
)
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
    assert set(result["methods"]) == {"model (shipped)", "VADER window", "sentence VADER", "always neutral"}
    assert result["methods"]["VADER window"]["accuracy"] == 1.0
    # Rows: gold negative, neutral, positive; the always-neutral column is all in the middle.
    assert result["methods"]["always neutral"]["confusion"] == [[0, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert result["methods"]["always neutral"]["accuracy"] == pytest.approx(1 / 3)
    assert sum(h["targets"] for h in result["halves"].values()) == 3
    table = format_tone_table(result)
    assert "model (shipped)" in table and "macroF1" in table and "confusion" in table
    half = split_of("Critics said Jones ran a corrupt and failed campaign.")
    assert evaluate_tone(path, holdout=half)["holdout"] == half


def test_eval_tone_counts_how_each_method_orders_targets_of_opposite_tone_in_one_sentence(tmp_path: Path) -> None:
    """Two targets of one sentence, one praised and one blamed: sentence-level tone gives both one label, by
    construction; the measure says how often a method tells them apart, and which way."""
    sentence = "Voters admired Alvarez for her honesty, while they blamed Brennan for the corrupt deal."
    a, b = sentence.index("Alvarez"), sentence.index("Brennan")
    target = [{"from": a, "to": a + 7, "mention": "Alvarez", "polarity": 6.0},
              {"from": b, "to": b + 7, "mention": "Brennan", "polarity": 2.0}]
    path = tmp_path / "pair.jsonl"
    path.write_text(json.dumps({"sentence_normalized": sentence, "primary_gid": "x", "targets": target}) + "\n"
                    + mtsc_line("Lee arrived on Tuesday.", 0, 3, 4.0) + "\n", encoding="utf-8")
    result = evaluate_tone(path, holdout="all")
    pairs = {name: m["opposite_pairs"] for name, m in result["methods"].items()}
    assert all(p["pairs"] == 1 and p["right"] + p["same"] + p["reversed"] == 1 for p in pairs.values())
    assert pairs["sentence VADER"]["same"] == 1 and pairs["always neutral"]["same"] == 1
    assert "opposite gold tone in one sentence (1 pairs)" in format_tone_table(result)


def test_eval_tone_scores_another_model_file_beside_the_shipped_one(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # A one-feature model that calls a sentence negative when VADER does, else positive: scored as its own row.
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join([mtsc_line("Critics said Jones ran a corrupt and failed campaign.", 13, 18, 2.0),
                               mtsc_line("Lee arrived on Tuesday.", 0, 3, 4.0)]) + "\n", encoding="utf-8")
    model = tmp_path / "mine.json"
    model.write_text(json.dumps({"format_version": 1, "model_version": "mine", "classes": ["negative", "neutral",
                     "positive"], "feature_groups": ["s"], "intercept": [0.0, 0.0, 0.5],
                     "weights": {"s:compound": [-5.0, 0.0, 0.0]}}), encoding="utf-8")
    result = evaluate_tone(path, models=[model])
    assert list(result["methods"])[:2] == ["model (shipped)", "model (mine.json)"]
    assert result["methods"]["model (mine.json)"]["confusion"] == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    assert "model (mine.json)" in format_tone_table(result)
    from newswatch.cli import main

    assert main(["eval", "tone", str(path), "--model", str(model)]) == 0
    assert "model (mine.json)" in capsys.readouterr().out
    (tmp_path / "broken.json").write_text("{}", encoding="utf-8")
    for bad, message in ((tmp_path / "absent.json", "no such model file"), (tmp_path / "broken.json",
                                                                              "not a tone model file")):
        with pytest.raises(EvalError, match=message):
            evaluate_tone(path, models=[bad])
    assert main(["eval", "actors", str(path), "--model", str(model)]) == 1
    assert "--model is for 'eval tone PATH' only" in capsys.readouterr().err


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


# --- actor mentions against named-entity spans (eval actors --ner) ------------------------------------------
# tests/data/ner_sample.csv: five sentences in the GMB layout, tagged for this test. By the hash split,
# sentences 1 and 5 are held out, 2-4 are dev. What each should give, and why:
#   1 "The U.S. Senate and Pakistan agreed."  Pakistan is a whole geo span (a case); U.S. is inside the org
#     span "U.S. Senate" (a false mention if matched: plain matching does, the rule does not).
#   2 "Chinese officials visited southern Afghanistan on Monday."  Chinese is a whole gpe span; GMB puts
#     "southern" into the place span, so Afghanistan is inside a longer span: false for both methods.
#   3 "U.S.-led forces entered Kabul."  Kabul is a whole span; "U.S.-led" is tagged O, so the U.S. mention is
#     outside every span: not a case, counted only by mention_precision.
#   4 "He flew Pakistan International Airlines."  Pakistan inside the airline's org span: false for plain only.
#   5 "Pakistan's army and India's prime minister spoke."  two whole spans, possessives.
NER_SAMPLE = ROOT / "tests" / "data" / "ner_sample.csv"


def test_detokenize_joins_punctuation_and_keeps_token_offsets() -> None:
    tokens = ["He", "said", '"', "Pakistan", "'s", "army", '"', "(", "U.S.", ")", "."]
    text, offsets = detokenize(tokens)
    assert text == 'He said "Pakistan\'s army" (U.S.).'
    assert [text[a:b] for a, b in offsets] == tokens


def test_read_ner_sentences_builds_spans_and_halves() -> None:
    sentences = read_ner_sentences(NER_SAMPLE)
    assert [s.id for s in sentences] == [f"Sentence: {i}" for i in range(1, 6)]
    first = sentences[0]
    assert [(first.text[s.start : s.end], s.kind) for s in first.spans] == [("U.S. Senate", "org"), ("Pakistan", "geo")]
    assert [s.id for s in read_ner_sentences(NER_SAMPLE, "heldout")] == ["Sentence: 1", "Sentence: 5"]


def test_evaluate_actor_spans_scores_cases_per_half() -> None:
    result = evaluate_actor_spans(NER_SAMPLE, ActorRegistry.load(ROOT / "config" / "actors.toml"))
    rule, plain = METHODS["rule"], METHODS["plain"]
    heldout = result["halves"]["heldout"]["methods"]
    assert (heldout[rule]["tp"], heldout[rule]["fp"], heldout[rule]["fn"]) == (3, 0, 0)
    assert (heldout[plain]["tp"], heldout[plain]["fp"]) == (3, 1)  # U.S. inside "U.S. Senate"
    dev = result["halves"]["dev"]["methods"]
    assert (dev[rule]["tp"], dev[rule]["fp"], dev[rule]["outside"]) == (2, 1, 1)
    assert dev[rule]["false_by_kind"] == {"inside, lower-case words": 1, "outside any span": 1}
    assert dev[rule]["precision"] == pytest.approx(2 / 3)
    assert dev[rule]["mention_precision"] == pytest.approx(2 / 4)
    assert dev[plain]["false_by_kind"]["inside a longer name"] == 1  # Pakistan International Airlines
    assert "held" not in format_actor_span_table(result).split("dev")[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Sentence #,Word,Tag\nSentence: 1,x,O\n", "expected the header"),
        ("Word,Tag\nx,O\n", "expected the word first and the tag last"),
        ("Pakistan NNP 42\n", "not a tag"),
        ("Sentence #,Word,POS,Tag\n,x,NN,O\n", "before the first"),
        ("Sentence #,Word,POS,Tag\nSentence: 1,x\n", "expected 4 columns"),
        ("Sentence #,Word,POS,Tag\n", "no sentences"),
    ],
)
def test_read_ner_sentences_rejects_bad_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "ner.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvalError, match=message):
        read_ner_sentences(path)


# The same five sentences in CoNLL-2003's layout: space-separated columns (word, POS, chunk, tag), a blank line
# between sentences, "-DOCSTART-" lines, upper-case kinds and IOB1 tags (a span opens on I-; B- only between two
# spans of one kind). Read as the GMB file is, it must give the same sentences, spans and figures.
NER_SAMPLE_CONLL = """-DOCSTART- -X- -X- O

The DT B-NP O
U.S. NNP I-NP I-ORG
Senate NNP I-NP I-ORG
and CC O O
Pakistan NNP B-NP I-LOC
agreed VBD B-VP O
. . O O

Chinese JJ B-NP I-GPE
officials NNS I-NP O
visited VBD B-VP O
southern JJ B-NP I-LOC
Afghanistan NNP I-NP I-LOC
on IN B-PP O
Monday NNP B-NP I-TIM
. . O O

-DOCSTART- -X- -X- O

U.S.-led JJ B-NP O
forces NNS I-NP O
entered VBD B-VP O
Kabul NNP B-NP I-LOC
. . O O

He PRP B-NP O
flew VBD B-VP O
Pakistan NNP B-NP I-ORG
International NNP I-NP I-ORG
Airlines NNPS I-NP I-ORG
. . O O

Pakistan NNP B-NP I-LOC
's POS B-NP O
army NN I-NP O
and CC O O
India NNP B-NP I-LOC
's POS B-NP O
prime JJ I-NP O
minister NN I-NP O
spoke VBD B-VP O
. . O O
"""


def test_conll_layout_reads_as_the_gmb_layout_does(tmp_path: Path) -> None:
    path = tmp_path / "ner.conll"
    path.write_text(NER_SAMPLE_CONLL, encoding="utf-8")
    conll, gmb = read_ner_sentences(path), read_ner_sentences(NER_SAMPLE)
    assert [s.id for s in conll] == [s.id for s in gmb]
    assert [s.text for s in conll] == [s.text for s in gmb]
    # CoNLL's LOC stands where GMB has geo: the same spans, kinds named after the file's tag set
    rename = {"loc": "geo"}
    assert [[(p.start, p.end, rename.get(p.kind, p.kind)) for p in s.spans] for s in conll] == [
        [(p.start, p.end, p.kind) for p in s.spans] for s in gmb
    ]
    registry = ActorRegistry.load(ROOT / "config" / "actors.toml")
    figures = ("tp", "fp", "fn", "outside", "false_by_kind")
    for half in ("dev", "heldout"):
        got = evaluate_actor_spans(path, registry)["halves"][half]["methods"]
        want = evaluate_actor_spans(NER_SAMPLE, registry)["halves"][half]["methods"]
        assert {m: {k: got[m][k] for k in figures} for m in got} == {m: {k: want[m][k] for k in figures} for m in want}


def test_ontonotes_tags_norp_counts_as_a_demonym_and_a_language_does_not(tmp_path: Path) -> None:
    # Tab-separated word and tag, BIOES tags with OntoNotes kinds. "Pakistani" is a nationality (NORP): a whole
    # span whose text is a registry demonym, so a case, as GMB's gpe "Chinese" is above. "Chinese" here is the
    # language (LANGUAGE): the matcher takes it for China, which is a false mention of a span of another kind.
    # "Mary Smith" is a PERSON span of two tokens (B- then E-) that names no actor.
    path = tmp_path / "onto.tsv"
    rows = [("The", "O"), ("Pakistani", "S-NORP"), ("envoy", "O"), ("Mary", "B-PERSON"), ("Smith", "E-PERSON"),
            ("spoke", "O"), ("Chinese", "S-LANGUAGE"), (".", "O")]
    path.write_text("".join(f"{w}\t{t}\n" for w, t in rows), encoding="utf-8")
    (sentence,) = read_ner_sentences(path)
    assert [(sentence.text[p.start : p.end], p.kind) for p in sentence.spans] == [
        ("Pakistani", "norp"), ("Mary Smith", "per"), ("Chinese", "language")]
    half = split_of(sentence.id)
    rule = evaluate_actor_spans(path, ActorRegistry.load(ROOT / "config" / "actors.toml"))["halves"][half]["methods"][
        METHODS["rule"]]
    assert (rule["tp"], rule["fp"], rule["fn"]) == (1, 1, 0)
    assert rule["false_by_kind"] == {"whole language span": 1}


def test_cli_eval_actors_ner_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ner.json"
    config = str(ROOT / "config" / "newswatch.toml")
    assert main(["--config", config, "eval", "actors", "--ner", str(NER_SAMPLE), "--json", str(out)]) == 0
    assert "plain surface matching" in capsys.readouterr().out
    assert set(json.loads(out.read_text(encoding="utf-8"))["halves"]) == {"dev", "heldout"}
    assert main(["--config", config, "eval", "actors"]) == 1
    assert main(["--config", config, "eval", "tone", "x.jsonl", "--ner", str(NER_SAMPLE)]) == 1


def test_the_gmb_file_as_published_in_windows_1252_reads_as_its_utf8_copy(tmp_path: Path) -> None:
    """Kaggle's ner_dataset.csv is Windows-1252 (the copy in ../shared was converted to UTF-8): both read alike."""
    text = NER_SAMPLE.read_text(encoding="utf-8").replace(",He,PRP,O", ",Müller,NNP,B-per", 1)
    utf8, cp1252 = tmp_path / "utf8.csv", tmp_path / "cp1252.csv"
    utf8.write_text(text, encoding="utf-8")
    cp1252.write_bytes(text.encode("cp1252"))
    assert [(s.text, s.spans) for s in read_ner_sentences(cp1252)] == [(s.text, s.spans)
                                                                    for s in read_ner_sentences(utf8)]
    assert any("Müller" in s.text for s in read_ner_sentences(cp1252))


def test_target_offsets_follow_the_mention_they_name() -> None:
    """Offsets one character off (counted against a sentence with a leading space) still mark the named mention:
    the occurrence nearest to them. Offsets that cover the mention, or a record without one, stay as given."""
    from newswatch.evaluation.common import target_span

    sentence = "Smith met Jones, and Jones thanked Smith."
    assert target_span(sentence, 1, 6, "Smith") == (0, 5)
    assert target_span(sentence, 22, 27, "Jones") == (21, 26)  # the second Jones, not the first
    assert target_span(sentence, 10, 15, "Jones") == (10, 15)
    assert target_span(sentence, 1, 6, None) == (1, 6)
    assert target_span(sentence, 1, 6, "Brown") == (1, 6)  # not in the sentence: left to the range check


# --- role titles in event-labelled articles (eval actors --roles) -------------------------------------------

# SAMPLE DATA written for the test: one article where the date alone takes someone else's title for the
# registry's holder (India's prime minister was the only one registered in 2018), one where the title is the
# holder's, one undated.
ROLE_ARTICLES = [
    {"id": "a1", "event": "e1", "date": "2018-05-01", "title": "Iceland's leader quits",
     "text": "Iceland's prime minister resigned on Monday. The prime minister said he would stay in politics."},
    {"id": "a2", "event": "e2", "date": "2025-05-10", "title": "",
     "text": "Rubio called Pakistan's army chief. Later the army chief said the talks had helped."},
    {"id": "a3", "event": "e3", "title": "", "text": "The prime minister spoke."},
]


@pytest.fixture(scope="module")
def registry() -> ActorRegistry:
    return ActorRegistry.load(ROOT / "config" / "actors.toml")


def _role_file(tmp_path: Path) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROLE_ARTICLES), encoding="utf-8")
    return path


def test_evaluate_roles_lists_each_method_with_context(registry: ActorRegistry, tmp_path: Path) -> None:
    result = evaluate_roles(_role_file(tmp_path), registry)
    assert result["articles"] == 2 and result["left_out_undated"] == 1
    ours = result["methods"]["newswatch"]
    before = result["methods"]["by date alone (the rule before)"]
    assert [(f["article"], f["actor"]) for f in ours["found"]] == [("a2", "asim-munir"), ("a2", "asim-munir")]
    # The date alone took Iceland's prime minister for India's, twice.
    assert before["by_actor"]["narendra-modi (prime minister)"] == 2
    assert "army chief said" in ours["found"][1]["context"]
    table = format_role_table(result)
    assert "newswatch: 2 role mentions" in table and "(1 undated left out)" in table


def test_evaluate_roles_as_of_reads_every_article_on_that_day(registry: ActorRegistry, tmp_path: Path) -> None:
    result = evaluate_roles(_role_file(tmp_path), registry, as_of=date(2018, 5, 1))
    assert result["articles"] == 3 and result["as_of"] == "2018-05-01"
    # On that day Pakistan's army chief was Qamar Javed Bajwa; the undated article names no country.
    assert {f["actor"] for f in result["methods"]["newswatch"]["found"]} == {"qamar-javed-bajwa"}


def test_evaluate_roles_needs_a_date(registry: ActorRegistry, tmp_path: Path) -> None:
    path = tmp_path / "undated.jsonl"
    path.write_text(json.dumps(ROLE_ARTICLES[2]) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="--as-of"):
        evaluate_roles(path, registry)


def test_evaluate_roles_reads_a_ner_file_sentence_by_sentence(registry: ActorRegistry, tmp_path: Path) -> None:
    path = tmp_path / "ner.conll"
    words = ["The", "U.S.", "Secretary", "of", "State", "met", "Pakistan", "'s", "army", "chief", "."]
    path.write_text("".join(f"{w} O\n" for w in words), encoding="utf-8")
    result = evaluate_roles(path, registry, as_of=date(2025, 6, 1))
    assert (result["unit"], result["articles"]) == ("sentences", 1)
    assert {f["actor"] for f in result["methods"]["newswatch"]["found"]} == {"marco-rubio", "asim-munir"}
    with pytest.raises(EvalError, match="--as-of"):
        evaluate_roles(path, registry)


def test_cli_eval_actors_roles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(ROOT / "config" / "newswatch.toml")
    out = tmp_path / "roles.json"
    assert main(["--config", config, "eval", "actors", "--roles", str(_role_file(tmp_path)), "--json", str(out)]) == 0
    assert "judge each" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["methods"]["newswatch"]["mentions"] == 2
    with pytest.raises(SystemExit):
        main(["--config", config, "eval", "actors", "--roles", str(out), "--as-of", "2025-13-01"])
    assert main(["--config", config, "eval", "stories", "x.jsonl", "--roles", str(out)]) == 1
    assert main(["--config", config, "eval", "actors", "x.jsonl", "--as-of", "2025-01-01"]) == 1


# --- what joins the configured topics (eval topics) ----------------------------------------------------------

# SAMPLE DATA written for the test: a zoo story whose "Indian rhino" and "war" pass the sample config's
# india-pakistan keyword rules, a report of the sample crisis, and a story with no bearing on any topic.
TOPIC_ARTICLES = [
    {"id": "zoo", "event": "zoo", "date": "2018-05-01", "title": "Zoo welcomes an Indian rhino calf",
     "text": "The zoo said the Indian rhino calf was healthy. Keepers fought a long war against poaching abroad."},
    {"id": "crisis", "event": "crisis", "date": "2025-05-08", "title": "Pakistan and India trade fire across Kashmir",
     "text": "Pakistan said Indian drones struck targets in Kashmir as tensions between the two armies escalated."},
    {"id": "bake", "event": "bake", "date": "2018-05-02", "title": "Village holds its bread festival",
     "text": "Bakers from the valley showed rye and wheat loaves at the yearly festival on Sunday."},
]


def test_evaluate_topics_lists_what_joins_each_configured_topic(tmp_path: Path) -> None:
    from newswatch.config import load_settings
    from newswatch.evaluation.topics import evaluate_topics, format_topics_table

    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in TOPIC_ARTICLES), encoding="utf-8")
    result = evaluate_topics(path, load_settings(ROOT / "config" / "newswatch.toml"))
    members = {name: [m["article"] for m in t["members"]] for name, t in result["topics"].items()}
    assert members["india-pakistan"] == ["crisis", "zoo"]  # the rules let the zoo in; the listing shows it
    assert "bake" not in sum(members.values(), [])
    zoo = next(m for m in result["topics"]["india-pakistan"]["members"] if m["article"] == "zoo")
    assert zoo["via"] == "keywords" and 0.6 <= zoo["score"] < 0.62
    assert result["topics"]["india-pakistan"]["at_min_score"]["0.62"] == 1  # a little likeness to the seed
    assert result["topics"]["washington-calls"]["kind"] == "seeds only"
    assert "do they belong?" in format_topics_table(result)


def test_cli_eval_topics_needs_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps(TOPIC_ARTICLES[2]) + "\n", encoding="utf-8")
    out = tmp_path / "topics.json"
    config = str(ROOT / "config" / "newswatch.toml")
    assert main(["--config", config, "eval", "topics", str(path), "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["topics"]["india-pakistan"]["joined"] == 0
    assert main(["--config", str(tmp_path / "none.toml"), "eval", "topics", str(path)]) == 2
