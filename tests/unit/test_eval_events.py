"""`newswatch eval tracking|stories` on a small labelled set written for the project (tests/data/events_sample.jsonl:
sample articles about made-up places and people).

Two events have four reports each (an earthquake at the fictional port of Mirelle, a chess final in Belmark) and
two articles stand alone (a council budget, a tram line in another town). The events share no vocabulary with
each other or with the lone articles beyond common words, so every method should follow each event exactly from
its earliest report, and the pipeline's clustering should put each event's reports, all within 48 hours, in one
story and leave the lone articles alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch import cli
from newswatch.errors import EvalError
from newswatch.evaluation.events import read_events
from newswatch.evaluation.stories import evaluate_stories
from newswatch.evaluation.tracking import evaluate_tracking, seeds_of

EVENTS = Path(__file__).resolve().parents[1] / "data" / "events_sample.jsonl"
METHOD = "newswatch (seed topics, corpus statistics)"


def test_seeds_are_the_earliest_report_of_each_event_with_four_articles() -> None:
    articles = read_events(EVENTS)
    assert {event: articles[i].id for event, i in seeds_of(articles).items()} == {"quake": "q1", "chess": "c1"}


def test_following_keeps_exactly_each_events_other_reports() -> None:
    result = evaluate_tracking(EVENTS)
    assert result["events_followed"] == 2
    for name, m in result["methods"].items():
        assert m["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}, name


def test_stories_group_each_event_and_leave_lone_articles_alone() -> None:
    result = evaluate_stories(EVENTS)
    ours = result["methods"]["newswatch (corpus statistics)"]
    assert ours["stories"] == 4
    assert ours["pairwise_48h"]["f1"] == 1.0 and ours["bcubed"]["f1"] == 1.0
    alone = result["methods"]["every article alone"]
    assert alone["pairwise_48h"]["recall"] == 0.0 and alone["stories"] == 10


def test_cli_writes_the_figures_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tracking.json"
    assert cli.main(["eval", "tracking", str(EVENTS), "--json", str(out)]) == 0
    assert METHOD in capsys.readouterr().out
    assert json.loads(out.read_text())["methods"][METHOD]["micro"]["f1"] == 1.0


def test_young_store_weighs_terms_by_the_prior_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --young-store the matcher has only the English prior (no stored articles): the made-up names of the
    two events are rare there too, so each event is still followed exactly, and the output says which weights ran."""
    out = tmp_path / "young.json"
    assert cli.main(["eval", "tracking", str(EVENTS), "--young-store", "--json", str(out)]) == 0
    assert "term weights: English prior alone (a young store)" in capsys.readouterr().out
    result = json.loads(out.read_text())
    assert result["statistics"] == "English prior alone (a young store)"
    assert result["methods"][METHOD]["micro"]["f1"] == 1.0
    assert evaluate_tracking(EVENTS)["statistics"] == "a store holding the file"


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "events.jsonl"
    bad.write_text('{"id": "a", "event": "e", "title": "t", "text": "x", "date": "yesterday"}\n')
    with pytest.raises(EvalError, match=r"events.jsonl:1: expected 'date'"):
        read_events(bad)


def test_event_interval_resamples_whole_events() -> None:
    """Events alike give no spread; one event followed badly among good ones gives an interval that holds the
    pooled figure and reaches below it (a draw with that event twice), the same interval on every call."""
    from newswatch.evaluation.tracking import event_interval

    alike = [{"event": f"e{i}", "tp": 3, "fp": 1, "fn": 0} for i in range(5)]
    iv = event_interval(alike, 200)
    assert iv["f1"] == [pytest.approx(6 / 7)] * 2 and iv["precision"] == [pytest.approx(0.75)] * 2
    mixed = [{"event": f"e{i}", "tp": 4, "fp": 0, "fn": 0} for i in range(7)] + [
        {"event": "bad", "tp": 0, "fp": 3, "fn": 4}]
    iv = event_interval(mixed, 500)
    pooled = 2 * 28 / (2 * 28 + 3 + 4)
    assert iv["f1"][0] < pooled < iv["f1"][1] <= 1.0
    assert iv == event_interval(mixed, 500) and iv["rounds"] == 500 and iv["level"] == 0.90


def test_cli_bootstrap_adds_the_interval_and_per_event_counts(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tracking.json"
    assert cli.main(["eval", "tracking", str(EVENTS), "--bootstrap", "50", "--json", str(out)]) == 0
    assert "events drawn again with replacement, 50 rounds" in capsys.readouterr().out
    method = json.loads(out.read_text())["methods"][METHOD]
    assert method["interval"]["f1"] == [1.0, 1.0]
    assert {e["event"]: (e["tp"], e["fp"], e["fn"]) for e in method["events"]} == {"quake": (3, 0, 0),
                                                                                 "chess": (3, 0, 0)}
    # A file with no event of four articles follows nothing: said, not scored (below).
    assert cli.main(["eval", "stories", str(EVENTS), "--bootstrap", "50"]) == 1
    assert "--bootstrap" in capsys.readouterr().err


def test_a_file_with_nothing_to_measure_says_so_instead_of_perfect_scores(tmp_path: Path) -> None:
    """Events of fewer than four articles leave nothing to follow, and no two articles of one event within 48 h
    leave nothing to group: a clear error, not a table of 1.000."""
    lines = [{"id": f"a{i}", "event": f"e{i // 2}", "date": f"2019-03-0{1 + (i % 2) * 5}", "title": "Sample",
              "text": "Sample text (SAMPLE)."} for i in range(4)]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match="no event with at least 4 articles"):
        evaluate_tracking(path)
    with pytest.raises(EvalError, match="no two articles of one event within 48 hours"):
        evaluate_stories(path)


def test_a_byte_order_mark_and_an_output_folder_that_does_not_exist_yet_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + EVENTS.read_bytes())
    out = tmp_path / "not" / "yet" / "figures.json"
    assert cli.main(["eval", "stories", str(bom), "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["articles"] == len(read_events(EVENTS))
    assert cli.main(["eval", "stories", str(bom), "--json", str(tmp_path)]) == 1  # a folder: said before the run
    assert "is a folder" in capsys.readouterr().err
