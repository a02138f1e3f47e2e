"""The related-articles stages without network or database: config checks, polling plan, page choice, language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.analysis.actors import ActorRegistry
from newswatch.analysis.analyzer import Analyzer
from newswatch.analysis.topics import TopicMatcher
from newswatch.config import FulltextSettings, Settings, parse_settings
from newswatch.errors import ConfigError
from newswatch.models import Article
from newswatch.sources import fulltext, search_feeds
from newswatch.text import language

PATH = Path("/tmp/sample/config/newswatch.toml")
NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)


def settings(**extra: object) -> Settings:
    data: dict[str, object] = {
        "topics": [{"name": "harbour", "any": ["harbour"], "queries": ["harbour", " ", "sea wall"]}],
        **extra,
    }
    return parse_settings(data, PATH)


def article(**kw: object) -> Article:
    base: dict[str, object] = dict(
        article_id="a1",
        source="feed",
        outlet="Sample",
        url="https://sample.example/a",
        guid=None,
        title="SAMPLE harbour headline",
        summary="",
        text="SAMPLE short summary about the harbour.",
        text_source="summary",
        published_at=NOW,
        published_estimated=False,
        first_seen_at=NOW,
        language=None,
        content_hash="h",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"search": {"enabled": True, "providers": ["altavista"]}}, "search.providers"),
        ({"search": {"enabled": "yes"}}, "search.enabled"),
        ({"search": {"interval": 5}}, "search.interval"),
        ({"fulltext": {"min_chars": "many"}}, "fulltext.min_chars"),
        ({"fulltext": {"per_domain_concurrency": 0}}, "fulltext.per_domain_concurrency"),
        ({"fulltext": {"budget": 3}}, "fulltext.budget"),
    ],
)
def test_bad_search_or_fulltext_config_fails_at_load_naming_the_key(extra: dict, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        settings(**extra)
    assert err.value.key == key and str(PATH) in str(err.value)


def test_search_is_off_unless_configured_and_fulltext_on_unless_turned_off() -> None:
    plain = settings()
    assert search_feeds.all_search_feeds(plain) == []
    assert fulltext.fulltext_settings(plain).enabled is True  # summary feeds get their pages by default
    assert fulltext.fulltext_settings(settings(fulltext={"enabled": False})).enabled is False
    on = settings(search={"enabled": True, "providers": ["gdelt", "google_news"]}, fulltext={})
    assert fulltext.fulltext_settings(on).enabled is True
    feeds = search_feeds.all_search_feeds(on)
    assert sorted(f.name for f in feeds) == [
        "search:gdelt:harbour:harbour",
        "search:gdelt:harbour:sea wall",
        "search:google_news:harbour:harbour",
        "search:google_news:harbour:sea wall",
    ]
    assert search_feeds.headline_only_sources(on) == {
        "search:google_news:harbour:harbour",
        "search:google_news:harbour:sea wall",
    }
    rows = search_feeds.search_source_rows(on)
    assert {r[1] for r in rows} == {"search"} and len(rows) == 4


def test_plan_search_keeps_each_providers_interval_even_when_forced() -> None:
    s = settings(search={"enabled": True, "providers": ["gdelt"]})
    states = {
        "search:gdelt:harbour:harbour": {"last_attempt_at": NOW - timedelta(minutes=5)},
        "search:gdelt:harbour:sea wall": {
            "last_attempt_at": NOW - timedelta(minutes=20),
            "next_attempt_at": NOW + timedelta(hours=1),
        },
    }
    due, not_due = search_feeds.plan_search(s, states, NOW)
    assert due == [] and len(not_due) == 2  # one polled 5 min ago, one backing off after errors
    due, _ = search_feeds.plan_search(s, states, NOW, force=True)
    assert [f.query for f in due] == ["sea wall"]  # force lifts back-off, never the polling interval
    due, _ = search_feeds.plan_search(s, {}, NOW)
    assert len(due) == 2


def test_pages_are_wanted_only_for_short_fetchable_non_headline_texts() -> None:
    ft = FulltextSettings(min_chars=100)
    google = {"search:google_news:harbour:harbour"}
    assert fulltext.wants_page(article(), ft, google)
    assert not fulltext.wants_page(article(text="x" * 100), ft, google)
    assert not fulltext.wants_page(article(url=None), ft, google)
    assert not fulltext.wants_page(article(text_source="file"), ft, google)
    assert not fulltext.wants_page(
        article(source="search:google_news:harbour:harbour", text_source="none"), ft, google
    )
    assert not fulltext.wants_page(article(), FulltextSettings(enabled=False), google)
    assert not fulltext.wants_page(article(url="file:///etc/passwd"), ft, google)  # only web pages


def test_feeds_read_from_local_files_never_get_pages() -> None:
    s = settings(feeds=[{"name": "web", "url": "https://sample.example/feed.xml"},
                        {"name": "local", "url": "samples/feeds/local.xml"},
                        {"name": "file", "url": "file:///srv/feeds/local.xml"}])
    skipped = fulltext.no_page_sources(s)
    assert {"local", "file"} <= skipped and "web" not in skipped


def test_the_sample_config_turns_page_fetching_off() -> None:
    from newswatch.config import load_settings
    from tests.conftest import REPO

    assert fulltext.fulltext_settings(load_settings(REPO / "config" / "newswatch.toml")).enabled is False


GERMAN = ("Der Hafenausschuss der Stadt hat am Montag beschlossen, die alte Kaimauer vor den Winterstürmen zu "
          "reparieren.")
ENGLISH = "The harbour committee of the town agreed on Monday to repair the old quay wall before the winter storms."


def test_languages_detected_when_none_declared() -> None:
    german = article(title="BEISPIEL", text=GERMAN)
    tiny = article(article_id="a3", title="Hi", text="Ok")
    assert language.detect_languages([german, tiny]) == 1
    assert (german.language, tiny.language) == ("de", None)


def test_a_declared_language_yields_when_the_text_confidently_says_otherwise_about_english() -> None:
    # An English item of a feed that declares `de`, and a German item of a feed that declares `en-US`: tone is
    # scored for English only, so a wrong declaration either way left an article unscored, or scored German words
    # with an English lexicon (a review's sample feeds).
    english_declared_de = article(article_id="a1", language="de", text=ENGLISH)
    german_declared_en = article(article_id="a2", language="en", text=GERMAN)
    # Declarations that stand: right ones, another non-English language (close languages are confused by the
    # detector; neither is scored), too little text, and a headline-only item.
    right = article(article_id="a3", language="de", text=GERMAN)
    other = article(article_id="a4", language="nl", text=GERMAN)
    short = article(article_id="a5", title="Hi", language="de", text="Bridge fixed")
    headline = article(article_id="a6", title=GERMAN, language="en", text=GERMAN, text_source="none")
    batch = [english_declared_de, german_declared_en, right, other, short, headline]
    assert language.detect_languages(batch) == 2
    assert [a.language for a in batch] == ["en", "de", "de", "nl", "de", "en"]


def test_the_model_is_asked_only_where_the_words_disagree_with_the_declaration(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking every declaration with the model cost 0.6 ms an article in the flow's own process, before any
    scoring starts (a full run of 10,000 articles: 6 s on one core). Text whose English stop words plainly agree with
    its declaration is not sent to it; text that does not agree is."""
    asked: list[str] = []
    real = language.detect_language

    def spy(text: str, **kw: object) -> tuple[str | None, float]:
        asked.append(text.split("\n", 1)[1])
        return real(text)

    monkeypatch.setattr(language, "detect_language", spy)
    agreeing = [article(article_id="b1", language="en", text=ENGLISH), article(article_id="b2", language="de",
                                                                               text=GERMAN)]
    assert language.detect_languages(agreeing) == 0 and asked == []
    assert language.english_share(ENGLISH) >= language.ENGLISH_SHARE >= language.OTHER_SHARE >= \
        language.english_share(GERMAN)
    assert language.detect_languages([article(article_id="b3", language="en", text=GERMAN)]) == 1
    assert asked == [GERMAN]
    # A report that opens with a list of places and figures (few stop words in its first 80 words) and goes on in
    # English prose: the longer look settles it without the model.
    listed = "Vardenholm 12 Ostmark 7 Lindby 4 Kesselburg 9 Harbour 3 " * 10 + ENGLISH * 12
    assert language.english_share(listed) < language.ENGLISH_SHARE
    asked.clear()
    assert language.detect_languages([article(article_id="b4", language="en", text=listed)]) == 0 and asked == []


def test_names_are_proposed_from_english_articles_only() -> None:
    # The candidate rules read English capitalisation and stopwords; German capitalises nouns, and a review's
    # German sample reports put "Beim Beschuss" and "Pakistans Armeechef" among the digest's rising names.
    analyzer = Analyzer(registry=ActorRegistry(actors=[]), matcher=TopicMatcher([], {}), seed_files={})
    german = article(title="BEISPIEL: Beschuss an der Grenze",
                     text="Beim Beschuss an der Grenze wurden am Samstag Häuser beschädigt. Pakistans Armeechef "
                          "sprach von einer Verletzung der Waffenruhe.", language="de")
    assert analyzer.analyze(german).candidates == {}
    english = article(text="The harbour board met the mayor, Ada Quill, on Monday.", language="en")
    assert "Ada Quill" in analyzer.analyze(english).candidates


def test_analyzer_never_scores_a_headline_and_places_search_hits_in_their_topic() -> None:
    s = settings(search={"enabled": True, "providers": ["google_news"]})
    analyzer = Analyzer(
        registry=ActorRegistry(actors=[]),
        matcher=TopicMatcher(s.topics, {}),
        seed_files={},
        search_topics=search_feeds.search_topics(s),
        min_scores={"harbour": 0.5},
    )
    headline = article(
        source="search:google_news:harbour:sea wall",
        title="SAMPLE: Town council meets",
        text="SAMPLE: Town council meets",
        text_source="none",
        language="en",
    )
    result = analyzer.analyze(headline)
    assert result.sentences == [] and result.tone.n_sentences == 0 and result.actor_tones == []
    assert [(t.topic, t.via) for t in result.topics] == [("harbour", "search")]
    french = article(
        text="Le comité du port s'est réuni lundi. Les habitants sont très heureux.", language="fr"
    )
    assert analyzer.analyze(french).sentences == []
    english = article(text="The harbour committee met on Monday. Residents were very happy.", language="en")
    result = analyzer.analyze(english)
    assert result.tone.n_sentences == 2 and [(t.topic, t.via) for t in result.topics] == [
        ("harbour", "keywords")
    ]
