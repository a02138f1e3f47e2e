"""Records that come back from the scoring processes by pickle survive the round trip whole (models.pickled_as_tuple)."""

from __future__ import annotations

import pickle

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
