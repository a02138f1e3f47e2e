"""The bundled SAMPLE data and default config: they load, parse and cover what the default run needs."""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import feedparser
import pytest

from newswatch.analysis.topics import TopicMatcher
from newswatch.config import load_settings
from newswatch.text.dedup import simhash

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CONFIG = ROOT / "config" / "newswatch.toml"
# Real people named in the sample coverage: sentences naming them must carry no quotation marks.
REAL_PEOPLE = [
    "Rubio",
    "Munir",
    "Sharif",
    "Modi",
    "Jaishankar",
    "Trump",
    "Vance",
    "Hegseth",
    "Dar",
    "Rajnath",
    "Asif",
    "Bhutto",
    "Zardari",
    "Misri",
    "Doval",
    "Guterres",
]
QUOTES = re.compile(r"[\"\u201c\u201d\u201e\u00ab\u00bb\u2018]|(?:^|\s)'\w")


def _load_generator() -> ModuleType:
    name = "newswatch_sample_generator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SAMPLES / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def settings() -> Any:
    return load_settings(CONFIG)


@pytest.fixture(scope="module")
def feeds(settings: Any) -> dict[str, Any]:
    return {f.name: feedparser.parse(str(settings.resolve(Path(f.url)))) for f in settings.feeds}


@pytest.fixture(scope="module")
def matcher(settings: Any) -> TopicMatcher:
    seeds = {
        t.name: [settings.resolve(p).read_text(encoding="utf-8") for p in t.seeds] for t in settings.topics
    }
    return TopicMatcher(list(settings.topics), seeds)


def _text(entry: Any) -> str:
    html = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
    return re.sub(r"<[^>]+>", " ", html)


def _day(entry: Any) -> date | None:
    parsed = entry.get("published_parsed")
    return date(*parsed[:3]) if parsed else None


def test_default_config_points_at_the_samples(settings: Any) -> None:
    assert str(settings.storage.database) == "data/newswatch.duckdb"
    assert len(settings.feeds) >= 4
    for feed in settings.feeds:
        assert settings.resolve(Path(feed.url)).is_file(), feed.url
        assert feed.outlet and feed.country and feed.language
    assert [settings.resolve(p).is_dir() for p in settings.inbox.paths] == [True]
    assert {t.name for t in settings.topics} >= {"india-pakistan", "us-diplomacy-south-asia"}
    for t in settings.topics:
        assert all(settings.resolve(p).is_file() for p in t.seeds), t.name
    assert settings.digest.date == date(2025, 5, 10)
    assert settings.digest.output_dir == Path("digests")


def test_feeds_parse_cleanly_and_are_marked_sample(feeds: dict[str, Any]) -> None:
    versions = set()
    outlets = set()
    for name, parsed in feeds.items():
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert "SAMPLE" in parsed.feed.title
        assert "SAMPLE" in (parsed.feed.get("subtitle") or parsed.feed.get("description", ""))
        versions.add(parsed.version)
        outlets.add(parsed.feed.title)
        assert len(parsed.entries) > 100
    assert len(outlets) >= 4
    assert "atom10" in versions and "rss20" in versions


def test_topic_coverage_spans_two_weeks_with_unrelated_items_every_day(
    feeds: dict[str, Any], matcher: TopicMatcher
) -> None:
    for name, parsed in feeds.items():
        topic_days: Counter[date] = Counter()
        all_days: Counter[date] = Counter()
        for entry in parsed.entries:
            day = _day(entry)
            if day is None:
                continue
            all_days[day] += 1
            if matcher.match(entry.title, _text(entry)):
                topic_days[day] += 1
        assert len(topic_days) >= 14, name
        assert max(topic_days) - min(topic_days) >= (date(2025, 5, 11) - date(2025, 4, 28)), name
        for day, n in topic_days.items():
            assert all_days[day] > n, (name, day)
        # The ceasefire day is a spike.
        assert topic_days[date(2025, 5, 10)] > 2 * statistics.median(topic_days.values()), name


def test_unrelated_items_do_not_match_topics(feeds: dict[str, Any], matcher: TopicMatcher) -> None:
    unrelated = [
        e
        for p in feeds.values()
        for e in p.entries
        if e.get("tags", [{}])[0].get("term") in {"sports", "weather", "markets", "local"}
    ]
    assert len(unrelated) > 200
    assert [e.title for e in unrelated if matcher.match(e.title, _text(e))] == []


def test_edge_cases_are_present(feeds: dict[str, Any]) -> None:
    entries = [e for p in feeds.values() for e in p.entries]
    assert sum(1 for e in entries if _day(e) is None) == 1
    links = [e.link for e in entries]
    assert any("utm_source=" in link for link in links)
    assert any("#" in link for link in links)
    assert all(link.startswith("http://") and ".sample.invalid/" in link for link in links)
    assert len({e.id for e in entries}) == len(entries)


def test_a_wire_story_is_syndicated_verbatim(feeds: dict[str, Any]) -> None:
    by_hash: dict[int, set[str]] = defaultdict(set)
    urls: dict[int, set[str]] = defaultdict(set)
    for name, parsed in feeds.items():
        for entry in parsed.entries:
            value = simhash(_text(entry))
            by_hash[value].add(name)
            urls[value].add(entry.link)
    shared = [h for h, names in by_hash.items() if h and len(names) >= 2]
    assert shared
    assert all(len(urls[h]) >= 2 for h in shared)


def test_outlet_tone_differs() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    gen = _load_generator()
    analyser = SentimentIntensityAnalyzer()
    items = gen.build_items()

    def mean_tone(outlet: str, word: str) -> float:
        scores = [
            analyser.polarity_scores(s)["compound"]
            for it in items[outlet]
            for s in it.paragraphs
            if word in s
        ]
        return statistics.mean(scores) if scores else 0.0

    assert mean_tone("herald", "Washington") < mean_tone("wire", "Washington") - 0.1
    assert mean_tone("ledger", "India") > mean_tone("wire", "India") + 0.2
    assert mean_tone("observer", "Munir") < -0.2


def test_no_quotation_marks_near_real_people(feeds: dict[str, Any]) -> None:
    texts = [f"{e.title}. {_text(e)}" for p in feeds.values() for e in p.entries]
    for path in (SAMPLES / "inbox").iterdir():
        if path.name.startswith("sample-"):  # the seed is a real op-ed, kept as published
            texts.append(re.sub(r"<[^>]+>", "\n", path.read_text(encoding="utf-8")))
    offending = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
            if any(re.search(rf"\b{name}\b", sentence) for name in REAL_PEOPLE) and QUOTES.search(sentence):
                offending.append(sentence)
    assert offending == []


def test_inbox_samples_are_marked_and_readable() -> None:
    inbox = SAMPLES / "inbox"
    names = sorted(p.name for p in inbox.iterdir())
    assert "seed-000_362e12533a4fbe53.txt" in names
    suffixes = {Path(n).suffix for n in names if n.startswith("sample-")}
    assert suffixes >= {".md", ".txt", ".json", ".html"}
    for name in names:
        if name.startswith("sample-"):
            assert "SAMPLE" in (inbox / name).read_text(encoding="utf-8"), name
    data = json.loads((inbox / "sample-004-imf-analysis.json").read_text(encoding="utf-8"))
    assert {"title", "text", "published", "outlet"} <= set(data)
    datetime.fromisoformat(data["published"])


def test_seed_is_the_delivered_text_under_front_matter() -> None:
    shared = ROOT.parent / "shared" / "seed" / "000_362e12533a4fbe53.txt"
    if not shared.is_file():
        pytest.skip("../shared is absent")
    text = (SAMPLES / "inbox" / "seed-000_362e12533a4fbe53.txt").read_text(encoding="utf-8")
    front, _, body = text.partition("---\n")[2].partition("---\n")
    assert "published: 2025-05-10" in front.splitlines()
    assert body == shared.read_text(encoding="utf-8")


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    gen = _load_generator()
    for path in gen.write_all(tmp_path):
        committed = SAMPLES / path.relative_to(tmp_path)
        assert path.read_bytes() == committed.read_bytes(), committed


def test_default_topics_separate_conflict_news_from_look_alikes(matcher: TopicMatcher) -> None:
    def topics(title: str, text: str = "") -> list[str]:
        return [m.topic for m in matcher.match(title, text)]

    assert topics("India and Pakistan agree to ceasefire after four days of strikes") == ["india-pakistan"]
    # The headline of Washington's calls also reads like the seeds of the story-following topic.
    assert topics("Rubio urges Pakistan's army chief to de-escalate") == [
        "india-pakistan",
        "us-diplomacy-south-asia",
        "washington-calls",
    ]
    assert (
        topics("Warming trend measured in the Indian Ocean", "Scientists reported a change in rainfall.")
        == []
    )
    assert topics("Indiana lawmakers debate border security bill") == []
    assert topics("Washington hosts trade talks", "Officials from Japan attended.") == []
