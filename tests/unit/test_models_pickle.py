"""Records that come back from the scoring processes by pickle survive the round trip whole (models.pickled_as_tuple)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.models import ActorTone, Analysis, Mention, Sentence, Tone, TopicMatch


def test_an_analysis_round_trips_with_every_field() -> None:
    analysis = Analysis(
        article_id="a1",
        sentences=[Sentence(0, 0, 12, "Hello there.", 0.1, 0.2, 0.7, 0.1)],
        tone=Tone(1, 0.1, 0.2, 0.7, 0.1, 0.05),
        mentions=[Mention("pk", "Pakistan", "name", 0, 3, 11, tone=-0.25), Mention("us", "U.S.", "alias", -1, 0, 4)],
        actor_tones=[ActorTone("pk", 1, 1, -0.25, "negative", "model", "tone-linear-1.0")],
        candidates={"Sample Name": 2},
        topics=[TopicMatch("watch", 0.8, "seed")],
        simhash=2**63 + 5,
        terms=frozenset({"hello", "there"}),
    )
    back = pickle.loads(pickle.dumps(analysis))
    assert back == analysis
    assert back.mentions[1].tone is None and back.topics[0].via == "seed"
    assert type(back.sentences[0]) is Sentence


def _fields(analysis: Analysis) -> list[tuple[str, object]]:
    """Every field with its value's type, so a float that came back an int (or a list a tuple) fails."""
    out: list[tuple[str, object]] = []
    for name in Analysis.__slots__:
        value = getattr(analysis, name)
        out.append((name, sorted(value) if isinstance(value, frozenset) else repr(value)))  # a set has no order
        if isinstance(value, list):
            out.extend((name, [(type(v).__name__, tuple((type(getattr(v, f)).__name__) for f in v.__slots__))
                               for v in value]))
    return out


@pytest.mark.parametrize("terms", [frozenset(), frozenset({""}), frozenset({"a"}), frozenset({"", "b"}),
                                   frozenset({"nul\x00inside", "plain"}), frozenset({"\x00"}),
                                   frozenset({"a", "b", "c", "d\x00"}), frozenset(f"t{i}" for i in range(300))])
def test_terms_round_trip_whatever_they_hold(terms: frozenset[str]) -> None:
    """The terms go joined on NUL: an empty set, an empty term, and a term holding NUL come back as they were."""
    analysis = Analysis("a1", [], Tone(0, 0.0, 0.0, 1.0, 0.0), [], [], {}, [], 0, terms)
    back = pickle.loads(pickle.dumps(analysis))
    assert back.terms == terms and type(back.terms) is frozenset
    assert _fields(back) == _fields(analysis)


def test_analyses_of_the_samples_round_trip_field_by_field(project: Path) -> None:
    """Real analyses (the bundled samples, analysed as the ingest does) come back equal and with the same types:
    ints stay ints, a missing mention tone stays None, sentences in order."""
    from newswatch.analysis.analyzer import Analyzer
    from newswatch.config import load_settings
    from newswatch.models import Article

    settings = load_settings(project / "config" / "newswatch.toml")
    analyzer = Analyzer.from_settings(settings)
    now = datetime(2025, 5, 12, tzinfo=UTC)
    articles = []
    for path in sorted((project / "samples").rglob("*.txt")) + sorted((project / "samples").rglob("*.md")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        articles.append(Article(path.name, "inbox", "sample", None, None, title, "", body, "file", now, False, now,
                                "en", path.name))
    assert len(articles) >= 3
    analyses = analyzer.analyze_many(articles)
    assert sum(len(a.sentences) for a in analyses) > 50 and any(a.mentions for a in analyses)
    back = pickle.loads(pickle.dumps(analyses, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == analyses
    assert [_fields(a) for a in back] == [_fields(a) for a in analyses]
    assert all(type(s) is Sentence for a in back for s in a.sentences)
    assert all(type(m) is Mention for a in back for m in a.mentions)
