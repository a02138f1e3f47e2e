"""A small hand-built history whose flags and evidence are worked out by hand (tests/integration/test_evidence.py).

SAMPLE data: invented outlets, actors and sentences; the tone of each sentence is set here, not scored.

Topic `sample-topic`, time zone UTC, D = 2025-03-10, every day watched (a logged fetch per source and day):
- D-7..D-1: 2 topic articles a day from Outlet A, each one sentence of tone 0.0 naming Actor X (actor tone 0.0).
- D: six topic articles (sentences and tones below); stories: S1 = d0, d1, d2 (new on D); S0 = p1a, p2a (D-1,
  D-2) and d3 (continuing); d4 and d5 stand alone. "Zed Quux", a name outside the registry, is in d1, d3, d4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from newswatch.models import ActorTone, Analysis, Article, Mention, Sentence, Tone, TopicMatch
from storage.store import Store
from tests.support.coverage_data import ACTORS, TOPIC, log_fetches, save

D = date(2025, 3, 10)
A, B, C = "Outlet A (sample)", "Outlet B (sample)", "Outlet C (sample)"
ACTOR = "Actor X"
NAME = "Zed Quux"


@dataclass
class Doc:
    aid: str
    day: date
    outlet: str
    sentences: list[tuple[str, float]]
    minute: int = 0
    title: str = ""
    story: str | None = None
    candidate: bool = False
    undated: bool = False
    source: str | None = None
    topic: bool = True


def day_docs() -> list[Doc]:
    """Day D: the six articles whose sentences make the flags."""
    return [
        Doc("d0", D, A, [("Officials said Actor X had failed the harbour town badly.", -0.8),
                         ("The council meets on Monday.", 0.0)], 0, "Harbour town waits for answers", "story-s1"),
        Doc("d1", D, B, [("Actor X was blamed for the flood, Zed Quux said.", -0.6),
                         ("Residents said Actor X ignored warnings.", -0.6)], 1, "Flood blame grows", "story-s1",
            candidate=True),
        Doc("d2", D, A, [("Actor X was accused of a cruel and disastrous cover-up.", -0.9),
                         ("Repairs begin next week.", 0.1)], 2, "Cover-up claims after the flood", "story-s1"),
        Doc("d3", D, B, [("Zed Quux questioned Actor X over the budget.", -0.2)], 3, "Budget questions",
            "story-s0", candidate=True),
        Doc("d4", D, C, [("Rail strike enters a second day.", 0.2),
                         ("Zed Quux said Actor X made things worse.", -0.6)], 4, "Rail strike goes on",
            candidate=True),
        Doc("d5", D, A, [("The festival opened to warm applause.", 0.1)], 5, "Festival opens"),
    ]


def history_docs() -> list[Doc]:
    docs = []
    for k in range(1, 8):
        for side in "ab":
            docs.append(Doc(f"p{k}{side}", D - timedelta(days=k), A,
                            [(f"Actor X visited the sample harbour on day {k}.", 0.0)], 10 if side == "a" else 20,
                            f"Harbour visit {k}{side}", "story-s0" if side == "a" and k <= 2 else None))
    return docs


def build_doc(doc: Doc) -> tuple[Article, Analysis]:
    when = datetime.combine(doc.day, time(8, 0), tzinfo=UTC) + timedelta(minutes=doc.minute)
    text = " ".join(s for s, _ in doc.sentences)
    sentences, mentions, at = [], [], 0
    actor_tones: list[float] = []
    for i, (s, compound) in enumerate(doc.sentences):
        start = text.index(s, at)
        sentences.append(Sentence(i, start, start + len(s), s, compound, 0.0, 1.0, 0.0))
        found = s.find(ACTOR)
        if found >= 0:
            mentions.append(Mention("actor-x", ACTOR, "name", i, start + found, start + found + len(ACTOR)))
            actor_tones.append(compound)
        at = start + len(s)
    tone = sum(c for _, c in doc.sentences) / len(doc.sentences)
    art = Article(
        article_id=doc.aid, source=doc.source or doc.outlet.split()[1].lower(), outlet=doc.outlet,
        url=f"https://news.example.invalid/{doc.aid}", guid=None, title=doc.title or f"Sample report {doc.aid}",
        summary="", text=text, text_source="feed", published_at=when, published_estimated=doc.undated,
        first_seen_at=when, language="en", content_hash=f"hash-{doc.aid}")
    an = Analysis(
        article_id=doc.aid, sentences=sentences, tone=Tone(len(sentences), tone, 0.0, 1.0, 0.0), mentions=mentions,
        actor_tones=[ActorTone("actor-x", len(mentions), len(actor_tones), sum(actor_tones) / len(actor_tones))]
        if actor_tones else [],
        candidates={NAME: 1} if doc.candidate else {},
        topics=[TopicMatch(TOPIC, 1.0, "keywords")] if doc.topic else [], simhash=0)
    return art, an


def save_docs(store: Store, docs: list[Doc], *, watched: bool = True) -> None:
    """Store the docs (through coverage_data.save's set-up), their stories, and a fetch per source and day."""
    save(store, [], watched=False)
    built = [build_doc(d) for d in docs]
    store.save_articles("test-run", [a for a, _ in built], [b for _, b in built], {})
    stories = sorted({d.story for d in docs if d.story})
    if stories:
        first = {s: min(build_doc(d)[0].published_at for d in docs if d.story == s) for s in stories}
        store.db.insert_rows("story", ["story_id", "headline", "first_seen", "last_seen", "computed_at"],
                             [(s, s, first[s], first[s], first[s]) for s in stories])
        store.db.insert_rows("story_article", ["article_id", "story_id"], [(d.aid, d.story) for d in docs if d.story])
    if watched:
        log_fetches(store, [a for a, _ in built])


def save_history(store: Store) -> None:
    store.sync_actors(ACTORS)
    save_docs(store, history_docs() + day_docs())
