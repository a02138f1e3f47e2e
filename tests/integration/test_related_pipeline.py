"""Search feeds, page text and language through the ingest stages, against a local server (no Prefect).

The server replays hand-written responses in each provider's documented format (GDELT DOC 2.0 JSON, Google News
RSS, Bing News RSS) and serves the article pages they point to, with a robots.txt. All of it is SAMPLE data.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from newswatch import pipeline as stages
from newswatch.analysis.analyzer import Analyzer
from newswatch.config import FulltextSettings, Settings, load_settings
from newswatch.report.digest import build_digest, render_charts, render_digest
from newswatch.sources import fulltext, search_feeds
from newswatch.text import language
from storage.db import Database
from storage.store import Store
from tests.support.httpserver import LoopbackServer

EN = [
    "SAMPLE ARTICLE for tests. The harbour committee of the fictional town of Westmere met on Monday to agree "
    "a plan to repair the old sea wall before the winter storms arrive, and members welcomed the good news.",
    "Members said the repairs would take about six weeks and would be paid for from the reserve fund that the "
    "town has kept for emergencies since the floods of the previous decade, which pleased many residents.",
    "Residents asked whether the footpath along the wall would stay open while the work is under way, and the "
    "committee promised to publish a map of the temporary routes before the end of the month.",
    "The chair thanked the volunteers who had surveyed the wall during the summer and said their careful "
    "measurements had shaped the whole plan, which the town council will approve next week.",
]
DE = [
    "BEISPIELARTIKEL für Tests. Der Hafenausschuss der erfundenen Stadt Westmere hat am Montag beschlossen, "
    "die alte Kaimauer vor den Winterstürmen zu reparieren, und die Mitglieder begrüßten die Nachricht.",
    "Die Arbeiten sollen etwa sechs Wochen dauern und aus der Rücklage bezahlt werden, die die Stadt seit den "
    "Überschwemmungen des vergangenen Jahrzehnts für Notfälle bereithält, was viele Bewohner freute.",
    "Bewohner fragten, ob der Fußweg entlang der Mauer während der Arbeiten geöffnet bleibt, und der Ausschuss "
    "versprach, vor Ende des Monats eine Karte der vorübergehenden Wege zu veröffentlichen.",
]
FR = [
    "ARTICLE D'EXEMPLE pour les tests. Le comité du port de la ville imaginaire de Westmere s'est réuni lundi "
    "pour approuver un plan de réparation de la vieille digue avant l'arrivée des tempêtes de l'hiver.",
    "Les travaux devraient durer environ six semaines et seront payés par le fonds de réserve que la ville "
    "conserve pour les urgences depuis les inondations de la décennie précédente, ce qui a rassuré les habitants.",
    "Les habitants ont demandé si le sentier le long de la digue resterait ouvert pendant les travaux, et le "
    "comité a promis de publier une carte des itinéraires temporaires avant la fin du mois.",
]
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
DAY = date(2025, 5, 10)


def page(title: str, paragraphs: list[str], lang: str) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><nav><a href='/'>Home</a></nav><main><article><h1>{title}</h1>{body}</article></main>"
        f"<footer><p>Sample footer</p></footer></body></html>"
    ).encode()


def gdelt_json(base: str) -> bytes:
    # DOC 2.0 ArtList JSON: url, title, seendate (UTC, yyyymmddThhmmssZ), domain, language (English name).
    return textwrap.dedent(f"""\
        {{"articles": [
         {{"url": "{base}/news/harbour-plan", "url_mobile": "", "title": "SAMPLE: Harbour committee backs sea wall plan",
          "seendate": "20250510T080000Z", "socialimage": "", "domain": "127.0.0.1", "language": "English",
          "sourcecountry": "United Kingdom"}},
         {{"url": "{base}/private/members-only", "url_mobile": "", "title": "SAMPLE: Harbour members-only briefing",
          "seendate": "20250510T090000Z", "socialimage": "", "domain": "127.0.0.1", "language": "English",
          "sourcecountry": "United Kingdom"}}
        ]}}""").encode()


def bing_rss(base: str) -> bytes:
    def click(path: str) -> str:
        # Bing wraps publisher links in apiclick redirects; the url parameter holds the publisher's URL.
        return (
            "http://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid=&amp;tid=SAMPLE&amp;url="
            + quote(base + path, safe="")
            + "&amp;c=1&amp;mkt=en-us"
        )

    items = [
        (
            "SAMPLE: Harbour committee backs sea wall plan",
            "/news/harbour-plan",
            "Sample Gazette",
            "SAMPLE snippet: the harbour committee met on Monday.",
        ),
        (
            "BEISPIEL: Hafenausschuss beschließt Reparatur",
            "/de/hafen",
            "Beispiel Zeitung",
            "BEISPIEL: Der Hafenausschuss hat am Montag getagt.",
        ),
        (
            "EXEMPLE : le comité du port approuve la digue",
            "/fr/port",
            "Journal Exemple",
            "EXEMPLE : le comité du port s'est réuni lundi.",
        ),
    ]
    body = "".join(
        f"<item><title>{t}</title><link>{click(p)}</link><description>{d}</description>"
        f"<pubDate>Sat, 10 May 2025 1{i}:00:00 GMT</pubDate><News:Source>{s}</News:Source></item>"
        for i, (t, p, s, d) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?><!-- SAMPLE test data in the shape of Bing News RSS -->'
        '<rss version="2.0" xmlns:News="https://www.bing.com/news/search?q=harbour&amp;format=rss">'
        f"<channel><title>Bing News: harbour</title><link>https://www.bing.com/news</link>{body}"
        "</channel></rss>"
    ).encode()


def google_rss() -> bytes:
    items = [
        (
            "SAMPLE: Harbour repairs to start within weeks - Sample Courier",
            "Sample Courier",
            "https://courier.example",
            "CBMiSAMPLEHARBOUR01",
        ),
        (
            "SAMPLE: Town weighs harbour footpath closure - Sample Post",
            "Sample Post",
            "https://post.example",
            "CBMiSAMPLEHARBOUR02",
        ),
    ]
    body = "".join(
        f"<item><title>{t}</title><link>https://news.google.com/rss/articles/{tok}?oc=5</link>"
        f'<guid isPermaLink="false">{tok}</guid><pubDate>Sat, 10 May 2025 07:30:00 GMT</pubDate>'
        f'<description>SAMPLE</description><source url="{u}">{s}</source></item>'
        for t, s, u, tok in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><!-- SAMPLE test data in the shape of Google News RSS -->'
        '<rss version="2.0"><channel><title>"harbour" - Google News</title><language>en-US</language>'
        f"{body}</channel></rss>"
    ).encode()


@pytest.fixture
def site(http_server: LoopbackServer) -> LoopbackServer:
    base = http_server.url("")
    html = {"Content-Type": "text/html; charset=utf-8"}
    http_server.add("/gdelt", gdelt_json(base), headers={"Content-Type": "application/json; charset=utf-8"})
    http_server.add("/bing", bing_rss(base), headers={"Content-Type": "text/xml; charset=utf-8"})
    http_server.add("/google", google_rss(), headers={"Content-Type": "application/xml; charset=utf-8"})
    http_server.add("/robots.txt", ROBOTS, headers={"Content-Type": "text/plain"})
    http_server.add(
        "/news/harbour-plan", page("SAMPLE: Harbour committee backs sea wall plan", EN, "en"), headers=html
    )
    http_server.add("/de/hafen", page("BEISPIEL: Hafenausschuss", DE, "de"), headers=html)
    http_server.add("/fr/port", page("EXEMPLE : le comité du port", FR, "fr"), headers=html)
    http_server.add("/private/members-only", page("SAMPLE private", EN, "en"), headers=html)
    return http_server


def write_config(project: Path, base: str, *, budget: float = 30) -> Path:
    path = project / "config" / "newswatch.toml"
    path.write_text(
        textwrap.dedent(f"""\
        # SAMPLE config for tests: one topic with queries, every provider replayed by a local server.
        [storage]
        database = "data/fulltext.duckdb"

        [[topics]]
        name = "harbour"
        description = "SAMPLE topic"
        any = ["harbour", "sea wall"]
        queries = ["harbour"]
        min_score = 0.5

        [search]
        enabled = true
        providers = ["gdelt", "google_news", "bing_news"]
        base_urls = {{ gdelt = "{base}/gdelt", google_news = "{base}/google", bing_news = "{base}/bing" }}

        [fulltext]
        min_chars = 600
        time_budget_seconds = {budget}
        per_domain_interval_seconds = 0
        per_domain_concurrency = 4
        timeout_seconds = 10

        [digest]
        timezone = "UTC"
        date = {DAY.isoformat()}

        [fetch]
        allow_networks = ["127.0.0.0/8", "::1/128"]
        """),
        encoding="utf-8",
    )
    return path


def ingest_once(settings: Settings, store: Store, now: datetime) -> dict[str, Any]:
    """The ingest flow's related stages in its order, without Prefect (flows/ingest.py does the same)."""
    store.sync_feeds(stages.source_rows(settings) + search_feeds.search_source_rows(settings))
    analyzer = Analyzer.from_settings(settings)
    pages = fulltext.PageBudget(fulltext.fulltext_settings(settings))
    rescored, waiting = fulltext.retry_pages(store, pages, analyzer.analyze_many, now)
    states = store.feed_states()
    feeds, not_due = search_feeds.plan_search(settings, states, now)
    results = search_feeds.fetch_search(feeds, settings, sleep=lambda s: None)
    entries, results = search_feeds.parse_search(results, feeds)
    prepared = stages.prepare_articles(stages.normalize_entries(entries, now), store, "run", now)
    if prepared.sightings:
        store.add_sightings(prepared.sightings)
    rows = fulltext.fill_fulltext(prepared.new, pages, search_feeds.headline_only_sources(settings), now)
    store.save_page_fetches(rows)
    language.detect_languages(prepared.new)
    analyses = analyzer.analyze_many(prepared.new)
    store.save_articles("run", prepared.new, analyses, {})
    store.save_fetches(
        "run", results, {}, stages.feed_health(results, states, now, search_feeds.search_interval(feeds or []))
    )
    return {
        "feeds": feeds,
        "not_due": not_due,
        "results": results,
        "rows": rows,
        "rescored": rescored,
        "waiting": waiting,
    }


def articles(store: Store) -> dict[str, dict[str, Any]]:
    return {
        r["title"]: r
        for r in store.db.query_dicts(
            "SELECT a.*, p.status AS page_status, p.error AS page_error FROM article a "
            "LEFT JOIN page_fetch p USING (article_id)"
        )
    }


def test_search_pages_and_languages_end_to_end(project: Path, site: LoopbackServer) -> None:
    settings = load_settings(write_config(project, site.url("")))
    now = datetime(2025, 5, 10, 20, 0, tzinfo=UTC)
    with Database(settings.database_path) as db:
        store = Store(db)
        out = ingest_once(settings, store, now)
        assert sorted(f.provider for f in out["feeds"]) == ["bing_news", "gdelt", "google_news"]
        assert all(r.status == "ok" for r in out["results"]), [r.error for r in out["results"]]
        got = articles(store)

        # Search results stored with outlet and time.
        plan = got["SAMPLE: Harbour committee backs sea wall plan"]
        assert plan["published_at"] == datetime(2025, 5, 10, 8, 0, tzinfo=UTC)
        assert plan["source"].startswith("search:gdelt:harbour:")
        # Summary-only entries got their text from their pages, each page fetched once (GDELT and Bing share one).
        assert plan["text_source"] == "page" and "volunteers who had surveyed" in plan["body"]
        assert plan["language"] == "en" and plan["tone"] is not None
        assert site.hits_for("/news/harbour-plan") == 1
        assert site.hits_for("/robots.txt") == 1
        sightings = store.db.query("SELECT source FROM sighting WHERE article_id = ?", [plan["article_id"]])
        assert {s[0].split(":")[1] for s in sightings} == {"gdelt", "bing_news"}

        # Google News items: headline only, never fetched, never scored, still in the topic (volume).
        google = [r for r in got.values() if r["source"].startswith("search:google_news:")]
        assert sorted(r["outlet"] for r in google) == ["Sample Courier", "Sample Post"]
        assert all(r["text_source"] == "none" and r["tone"] is None and r["n_sentences"] == 0 for r in google)
        assert all(r["page_status"] is None for r in google)
        assert not [h for h in site.hits if "google" in h and h != "/google" and not h.startswith("/google?")]

        # A page behind a robots.txt Disallow fails with the reason; the article keeps its headline, unscored.
        private = got["SAMPLE: Harbour members-only briefing"]
        assert private["page_status"] == "failed" and private["page_error"] == "disallowed by robots.txt"
        assert site.hits_for("/private/members-only") == 0
        assert private["text_source"] == "none" and private["tone"] is None

        # German and French: detected from their page text, kept, not scored.
        german = got["BEISPIEL: Hafenausschuss beschließt Reparatur"]
        french = got["EXEMPLE : le comité du port approuve la digue"]
        assert (german["language"], french["language"]) == ("de", "fr")
        assert german["text_source"] == french["text_source"] == "page"
        assert german["tone"] is None and french["tone"] is None
        assert (
            store.db.scalar(
                "SELECT count(*) FROM article_actor WHERE article_id IN (?, ?)",
                [german["article_id"], french["article_id"]],
            )
            == 0
        )

        # Every search hit joined the topic (its own query found it), whatever its language.
        topics = dict(store.db.query("SELECT article_id, via FROM article_topic"))
        assert len(topics) == 6
        assert topics[german["article_id"]] == "search"

        # The digest: all six count in volume; tone from the one English article with text; two other languages.
        data = build_digest(store, settings, DAY)
        (topic,) = data["topics"]
        assert topic["count"]["value"] == 6
        assert topic["other_languages"] == 2
        assert topic["tone"]["day"]["n"] == 1
        assert topic["tone"]["day"]["mean"] == pytest.approx(plan["tone"])
        images, charts = render_charts(data)
        rendered = render_digest(data, images=images, charts=charts)
        assert "2 articles in other languages counted, not scored for tone" in rendered.text
        # The SQL views carry the language.
        langs = dict(store.db.query("SELECT language, articles FROM daily_languages WHERE topic = 'harbour'"))
        assert langs == {"en": 4, "de": 1, "fr": 1}
        assert store.db.scalar("SELECT count(*) FROM articles WHERE language = 'de'") == 1

        # Polling respects each provider's interval: a run five minutes later asks no provider again.
        hits = site.hits_for("/gdelt")
        again = ingest_once(settings, store, now + timedelta(minutes=5))
        assert again["feeds"] == [] and len(again["not_due"]) == 3
        assert site.hits_for("/gdelt") == hits


def test_pages_skipped_for_budget_are_fetched_and_rescored_next_run(
    project: Path, site: LoopbackServer
) -> None:
    settings = load_settings(write_config(project, site.url(""), budget=0))
    now = datetime(2025, 5, 10, 20, 0, tzinfo=UTC)
    with Database(settings.database_path) as db:
        store = Store(db)
        ingest_once(settings, store, now)
        got = articles(store)
        plan = got["SAMPLE: Harbour committee backs sea wall plan"]
        german = got["BEISPIEL: Hafenausschuss beschließt Reparatur"]
        # Budget spent: nothing fetched, every page waits; the articles are stored with what their feeds gave.
        assert site.hits_for("/news/harbour-plan") == 0
        assert plan["page_status"] == "skipped" and plan["page_error"] == "time budget"
        assert plan["text_source"] == "none" and plan["tone"] is None  # GDELT gave the headline only
        assert german["page_status"] == "skipped"
        assert german["text_source"] == "summary" and german["body"].startswith(
            "BEISPIEL: Der Hafenausschuss"
        )

        # Next run with time to spare: the waiting pages are fetched once and their articles re-scored in place.
        settings = load_settings(write_config(project, site.url(""), budget=30))
        out = ingest_once(settings, store, now + timedelta(hours=1))
        assert out["rescored"] == 3 and out["waiting"] == 0
        got = articles(store)
        plan = got["SAMPLE: Harbour committee backs sea wall plan"]
        assert plan["text_source"] == "page" and plan["page_status"] == "page"
        assert (
            plan["n_sentences"]
            == store.db.scalar("SELECT count(*) FROM sentence WHERE article_id = ?", [plan["article_id"]])
            > 1
        )
        assert got["BEISPIEL: Hafenausschuss beschließt Reparatur"]["language"] == "de"
        assert (
            store.db.scalar("SELECT attempts FROM page_fetch WHERE article_id = ?", [plan["article_id"]]) == 2
        )
        assert site.hits_for("/news/harbour-plan") == 1
        # The robots-disallowed page was given up as failed, not retried.
        assert got["SAMPLE: Harbour members-only briefing"]["page_status"] == "failed"
        assert store.db.scalar("SELECT count(*) FROM page_fetch WHERE status = 'skipped'") == 0


def test_page_budget_spent_skips_without_fetching() -> None:
    budget = fulltext.PageBudget(FulltextSettings(time_budget_seconds=0))
    result = budget.fetch(["http://127.0.0.1:9/a"])
    assert result["http://127.0.0.1:9/a"].status == "skipped"
    assert result["http://127.0.0.1:9/a"].error == "time budget"


@pytest.mark.flow
@pytest.mark.slow
def test_ingest_flow_runs_search_and_page_stages(
    project: Path, site: LoopbackServer, prefect_engine: None
) -> None:
    from flows.ingest import ingest_flow

    config = write_config(project, site.url(""))
    summary = ingest_flow(config_path=str(config))
    assert summary.search_ok == 3 and summary.search_failed == 0
    assert summary.pages_fetched == 3 and summary.pages_failed == 1
    assert summary.articles_new == 6
    settings = load_settings(config)
    with Database(settings.database_path) as db:
        got = articles(Store(db))
        kinds = dict(db.query("SELECT name, kind FROM feeds"))
        polled = db.scalar("SELECT count(*) FROM feeds WHERE kind = 'search' AND last_attempt_at IS NOT NULL")
    assert sorted(kinds.values()) == ["search"] * 3 and polled == 3
    assert got["SAMPLE: Harbour committee backs sea wall plan"]["text_source"] == "page"
    assert got["BEISPIEL: Hafenausschuss beschließt Reparatur"]["language"] == "de"
    assert site.hits_for("/news/harbour-plan") == 1
    # A second run straight away polls no provider again (their intervals) and fetches no page twice.
    again = ingest_flow(config_path=str(config))
    assert again.search_ok == 0 and again.articles_new == 0
    assert site.hits_for("/gdelt") == 1 and site.hits_for("/news/harbour-plan") == 1
