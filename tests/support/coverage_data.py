"""Coverage test data: articles with chosen days, outlets, tones and actors, written through Store.save_articles.

Everything here is synthetic SAMPLE data (invented headlines, no real quotes); `generate_days` builds a long,
quiet history with a spike and a tone shift planted on days the caller chooses.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from newswatch.analysis.rematch import topic_definitions
from newswatch.config import Settings, load_settings, parse_settings
from newswatch.models import ActorTone, Analysis, Article, FetchResult, Tone, TopicMatch
from storage.store import Store

TOPIC = "sample-topic"
ACTORS = [("actor-x", "Actor X", "person", None), ("actor-y", "Actor Y", "person", None)]
WORDS = [
    "harbour",
    "bridge",
    "council",
    "budget",
    "river",
    "flood",
    "school",
    "rail",
    "strike",
    "museum",
    "election",
    "festival",
    "drought",
    "vaccine",
    "court",
    "market",
    "airport",
    "storm",
    "factory",
    "library",
    "stadium",
    "reservoir",
    "ferry",
    "tunnel",
    "orchard",
]


@dataclass
class Item:
    """One synthetic article; actors are (actor_id, mentions, tone)."""

    aid: str
    day: date
    outlet: str = "Outlet A (sample)"
    tone: float = 0.0
    topic: bool = True
    actors: Sequence[tuple[str, int, float]] = ()
    candidates: dict[str, int] = field(default_factory=dict)
    title: str = ""
    minute: int = 0


TOPIC_TOML = f'[[topics]]\nname = "{TOPIC}"\ndescription = "Sample topic for tests."\nany = ["sample"]\n'


def write_settings(root: Path, timezone: str = "UTC") -> Settings:
    (root / "config").mkdir(parents=True, exist_ok=True)
    path = root / "config" / "newswatch.toml"
    path.write_text(
        '[storage]\ndatabase = "data/newswatch.duckdb"\n\n'
        f'{TOPIC_TOML}\n'
        f'[digest]\ntimezone = "{timezone}"\noutput_dir = "digests"\ntop_actors = 8\n',
        encoding="utf-8",
    )
    return load_settings(path)


def _word_of(aid: str) -> str:
    """A made-up word unique to the article id, so default titles of unrelated items share almost nothing."""
    return "x" + hashlib.sha1(aid.encode()).hexdigest()[:8]


def build(item: Item) -> tuple[Article, Analysis]:
    when = datetime.combine(item.day, time(8, 0), tzinfo=UTC) + timedelta(minutes=item.minute)
    title = item.title or f"{item.aid} {_word_of(item.aid)}"
    art = Article(
        article_id=item.aid,
        source=item.outlet.split()[0].lower(),
        outlet=item.outlet,
        url=f"https://news.example.invalid/{item.aid}",
        guid=None,
        title=title,
        summary=title,
        text=title,
        text_source="feed",
        published_at=when,
        published_estimated=False,
        first_seen_at=when,
        language="en",
        content_hash=f"hash-{item.aid}",
    )
    an = Analysis(
        article_id=item.aid,
        sentences=[],
        tone=Tone(1, item.tone, 0.0, 1.0, 0.0),
        mentions=[],
        actor_tones=[ActorTone(a, m, m, t) for a, m, t in item.actors],
        candidates=dict(item.candidates),
        topics=[TopicMatch(TOPIC, 1.0, "keywords")] if item.topic else [],
        simhash=0,
    )
    return art, an


def save(store: Store, items: Sequence[Item], *, watched: bool = True) -> None:
    """Store the items; `watched`: also log a successful fetch of each item's source at its time, so every day
    with items counts as observed (the view observed_days), as it would for feeds fetched all along."""
    store.sync_actors(ACTORS)
    store.db.set_meta({"timezone": "UTC"})
    if not store.db.scalar("SELECT count(*) FROM topic"):
        # The definition write_settings' config gives the topic, as a run records it: a digest or backfill then finds
        # the store in step with the config and matches nothing again (flows.digest.follow_topic_edits).
        store.save_topic_definitions(topic_definitions(parse_settings(tomllib.loads(TOPIC_TOML),
                                                                      Path("config/newswatch.toml"))))
    built = [build(i) for i in items]
    store.save_articles("test-run", [a for a, _ in built], [b for _, b in built], {})
    if watched:
        log_fetches(store, [a for a, _ in built])


def log_fetches(store: Store, articles: Sequence[Article]) -> None:
    """A successful fetch of each article's source at its publication time: its day counts as observed."""
    fetches = {(a.source, a.published_at.date()): a.published_at for a in articles}
    store.save_fetches("test-run", [FetchResult(feed=source, url=f"https://feeds.example.invalid/{source}",
                                                status="ok", fetched_at=when)
                                    for (source, _), when in sorted(fetches.items())], {}, {})


def headline(i: int) -> str:
    """Distinct sample headlines: three words picked by i, so unrelated articles share few terms."""
    n = len(WORDS)
    return f"Sample {WORDS[i % n]} {WORDS[(i * 7 + 3) % n]} {WORDS[(i * 13 + 5) % n]} report {i}"


def generate_days(start: date, days: int, spike_day: int, shift_day: int) -> list[Item]:
    """A quiet topic (8-12 articles a day, tone around 0) beside 20 other articles a day, with 30 articles on
    `spike_day` and a harsh tone (about -0.5) on `shift_day` (indexes from `start`)."""
    items: list[Item] = []
    tones = (-0.3, -0.1, 0.1, 0.3, 0.0)
    outlets = ("Outlet A (sample)", "Outlet B (sample)", "Outlet C (sample)")
    k = 0
    for d in range(days):
        day = start + timedelta(days=d)
        n = 30 if d == spike_day else 8 + d % 5
        for j in range(n):
            tone = -0.5 + (j % 3 - 1) * 0.1 if d == shift_day else tones[(j + d) % 5]
            items.append(
                Item(
                    f"t{d:03d}-{j:02d}",
                    day,
                    outlets[j % 3],
                    tone,
                    actors=[("actor-x", 1, tone)],
                    title=headline(k),
                    minute=j * 7,
                )
            )
            k += 1
        for j in range(20):
            items.append(
                Item(
                    f"o{d:03d}-{j:02d}",
                    day,
                    outlets[j % 3],
                    0.0,
                    topic=False,
                    title=headline(k),
                    minute=j * 11,
                )
            )
            k += 1
    return items


def main(argv: list[str]) -> int:
    """python -m tests.support.coverage_data DIR: the 90-day data set (spike on day 40, shift on day 65) in
    DIR/data/newswatch.duckdb, with its config, for looking at the views and digests by hand."""
    from storage.db import Database

    settings = write_settings(Path(argv[0]))
    with Database(settings.database_path) as db:
        save(Store(db), generate_days(date(2025, 1, 1), 90, spike_day=40, shift_day=65))
    print(settings.path)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
