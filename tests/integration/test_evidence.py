"""Every flag shows the rows that made it: on a hand-built history (tests/support/evidence_data.py) the evidence
is exactly the rows argued below, in order; a day without flags has none; the view flag_evidence holds the same;
hostile text in a quoted sentence stays inert in HTML, text and markdown; no flag without a baseline."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flows.backfill import backfill_days
from flows.digest import artifact_markdown
from newswatch.config import Settings
from newswatch.models import FetchResult, RenderedDigest
from newswatch.report.digest import build_digest, render_digest
from newswatch.report.evidence import evidence_rows
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import ACTORS, write_settings
from tests.support.evidence_data import (
    ACTOR,
    NAME,
    A,
    B,
    C,
    D,
    Doc,
    build_doc,
    day_docs,
    history_docs,
    save_docs,
    save_history,
)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[tuple[Store, Settings]]:
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        save_history(store)
        yield store, settings


def shown(flag: dict) -> list[tuple]:
    return [(e["kind"], e["article_id"], e["sentence_index"]) for e in flag["evidence"] if e["show"]]


def rows(flag: dict, kind: str) -> list[tuple]:
    return [(e["article_id"], e["sentence_index"], round(e["contribution"], 6)) for e in flag["evidence"]
            if e["kind"] == kind]


def test_each_flag_has_exactly_the_rows_that_made_it_in_order(history: tuple[Store, Settings]) -> None:
    store, settings = history
    data = build_digest(store, settings, D)
    flags = data["flags"]
    assert [(f["flag"], f["subject"]) for f in flags] == [
        ("spike", None), ("harsher", None), ("harsher", ACTOR), ("new name", NAME)]

    # Spike: 6 articles against 2 a day. The rise splits over stories as (articles on D) - (their mean before):
    # S1 = d0+d1+d2, new: 3; d4 and d5, alone and new: 1 each (d4 first, by time); S0, continuing with one
    # article on each of D-1 and D-2: 1 - 2/7. Each story is shown by its first article of the day.
    spike = flags[0]
    stories = [(e["article_id"], e["story_id"], round(e["contribution"], 6)) for e in spike["evidence"]
               if e["kind"] == "story"]
    assert stories == [("d0", "story-s1", 3.0), ("d4", None, 1.0), ("d5", None, 1.0),
                       ("d3", "story-s0", round(1 - 2 / 7, 6))]
    assert shown(spike) == [("story", "d0", None), ("story", "d4", None), ("story", "d5", None)]
    # Outlets: B 2 against 0, A 3 against 2 a day, C 1 against 0 (ties by name).
    outlets = [(e["outlet"], e["contribution"]) for e in spike["evidence"] if e["kind"] == "outlet"]
    assert outlets == [("Outlet B (sample)", 2.0), ("Outlet A (sample)", 1.0), ("Outlet C (sample)", 1.0)]
    assert spike["summary"].startswith("3 new stories (5 articles), 1 continuing (1 article)")

    # Topic tone: mean -0.2833 against 0.0 over 6 scored articles; an article moved it by tone / 6:
    # d1 -0.6, then d0 and d2 at -0.4 (by time), d3 and d4 at -0.2; d5 (+0.1) pulled the other way.
    # Each article's sentence that moved it most, by compound / (6 x its sentences): d1's two tie at -0.6 (the
    # first), d0's -0.8, d2's -0.9, d3's only one, d4's second (-0.6).
    tone = flags[1]
    assert rows(tone, "article") == [("d1", None, -0.1), ("d0", None, round(-0.4 / 6, 6)),
                                     ("d2", None, round(-0.4 / 6, 6)), ("d3", None, round(-0.2 / 6, 6)),
                                     ("d4", None, round(-0.2 / 6, 6))]
    assert rows(tone, "sentence") == [("d1", 0, -0.05), ("d0", 0, round(-0.8 / 12, 6)),
                                      ("d2", 0, -0.075), ("d3", 0, round(-0.2 / 6, 6)), ("d4", 1, -0.05)]
    assert shown(tone) == [("sentence", "d1", 0), ("sentence", "d0", 0), ("sentence", "d2", 0)]

    # Actor X: 5 articles, mean -0.62 against 0.0. A sentence naming it moved it by compound / (5 x the
    # article's sentences naming it): d2 -0.9/5, d0 -0.8/5, d4 -0.6/5, d1's two -0.6/10 each, d3 -0.2/5.
    actor = flags[2]
    assert rows(actor, "sentence") == [("d2", 0, -0.18), ("d0", 0, -0.16), ("d4", 1, -0.12), ("d1", 0, -0.06),
                                       ("d1", 1, -0.06), ("d3", 0, -0.04)]
    first = actor["evidence"][0]
    assert first["quote"] == {"before": "", "mark": ACTOR, "after": " was accused of a cruel and disastrous cover-up."}
    assert (first["mark_start"], first["mark_end"]) == (0, len(ACTOR))
    d0 = actor["evidence"][1]["quote"]
    assert (d0["before"], d0["mark"]) == ("Officials said ", ACTOR)

    # The new name: the first articles that carry it, by time, quoted where it stands.
    name = flags[3]
    assert [(e["article_id"], e["sentence_index"], e["quote"]["mark"]) for e in name["evidence"]] == [
        ("d1", 0, NAME), ("d3", 0, NAME), ("d4", 1, NAME)]


def test_the_view_holds_the_digest_evidence_and_leads_from_a_flag_to_its_rows(
        history: tuple[Store, Settings]) -> None:
    store, settings = history
    data = build_digest(store, settings, D)
    store.save_evidence(D, evidence_rows(data))
    got = store.db.query_dicts(
        "SELECT flag, subject, kind, rank, article_id, sentence_index, outlet, sentence, mark_start, mark_end, url "
        "FROM flag_evidence WHERE day = ? AND flag = 'harsher' AND subject = ? ORDER BY rank", [D, ACTOR])
    assert [(r["article_id"], r["sentence_index"]) for r in got] == [("d2", 0), ("d0", 0), ("d4", 1), ("d1", 0),
                                                                    ("d1", 1), ("d3", 0)]
    top = got[0]
    assert top["sentence"][top["mark_start"]:top["mark_end"]] == ACTOR
    assert top["url"] == "https://news.example.invalid/d2" and top["outlet"] == "Outlet A (sample)"
    # The example query of docs/schema.md: from a flag in daily_topic_coverage to its rows.
    example = store.db.query(
        "SELECT e.rank, e.article_id FROM daily_topic_coverage c JOIN flag_evidence e "
        "ON e.day = c.day AND e.topic = c.topic AND e.flag = c.volume_flag AND e.kind = 'story' "
        "WHERE c.day = ? ORDER BY e.rank", [D])
    assert example == [(1, "d0"), (2, "d4"), (3, "d5"), (4, "d3")]


def test_stories_across_outlets_are_the_stored_stories(history: tuple[Store, Settings]) -> None:
    """The digest lists the stored stories a reader finds in the `stories` view, with the same id and counts.
    story-s1: d0 (A), d1 (B), d2 (A), all on D. story-s0: p2a and p1a (A) on the two days before, d3 (B) on D.
    story-s1 comes first: both have two outlets, and it has more articles on the day."""
    store, settings = history
    listed = build_digest(store, settings, D)["topics"][0]["stories"]
    got = [(s["story_id"], s["outlets"], s["articles"], s["today"], s["before"], s["in_topic"]) for s in listed]
    assert got == [("story-s1", [A, B], 3, 3, 0, 3), ("story-s0", [A, B], 3, 1, 2, 3)]
    view = {r["story_id"]: (r["outlets"], r["articles"]) for r in store.db.query_dicts("SELECT * FROM stories")}
    assert all(view[s["story_id"]] == (s["outlets"], s["articles"]) for s in listed)
    # One outlet is not "across outlets": without d3, story-s0 is Outlet A's alone and is not listed.
    store.db.execute("DELETE FROM story_article WHERE article_id = 'd3'")
    assert [s["story_id"] for s in build_digest(store, settings, D)["topics"][0]["stories"]] == ["story-s1"]


def test_a_storys_first_seen_is_shown_in_the_digests_time_zone(tmp_path: Path) -> None:
    """The digest's header says "times in <zone>", but a story's first-seen time was UTC (labelled so): the one time
    a reader sees in another zone than the days it is counted on. Now it is the digest's zone, with its offset in the
    data. Asia/Kolkata keeps every sample article on its UTC day (08:00 UTC is 13:30 there)."""
    utc = write_settings(tmp_path / "utc")
    kolkata = write_settings(tmp_path / "kolkata", "Asia/Kolkata")
    seen = {}
    for settings in (utc, kolkata):
        with Database(settings.database_path) as db:
            store = Store(db)
            save_history(store)
            data = build_digest(store, settings, D)
            seen[settings.digest.timezone] = data["topics"][0]["stories"][0]["first_seen"]
            text = render_digest(data).text
    utc_time = datetime.fromisoformat(seen["UTC"])
    local = datetime.fromisoformat(seen["Asia/Kolkata"])
    assert local == utc_time and local.utcoffset() == timedelta(hours=5, minutes=30)
    assert f"first seen {local:%Y-%m-%d %H:%M})" in text and " UTC)" not in text


def test_a_day_without_flags_shows_no_evidence(history: tuple[Store, Settings]) -> None:
    store, settings = history
    data = build_digest(store, settings, D - timedelta(days=1))
    assert data["flags"] == [] and evidence_rows(data) == []
    rendered = render_digest(data)
    for text in (rendered.html, rendered.text, rendered.markdown):
        assert "What changed" not in text and "WHAT CHANGED" not in text


def test_a_per_mention_score_when_stored_takes_the_sentence_tone_s_place(history: tuple[Store, Settings]) -> None:
    # The actor-tone model stores a score per mention (migration 009): the evidence ranks by it when present,
    # and by the sentence's tone for rows stored without one.
    store, settings = history
    store.db.execute("UPDATE mention SET tone = -0.95 WHERE article_id = 'd3'")
    actor = build_digest(store, settings, D)["flags"][2]
    assert rows(actor, "sentence")[0] == ("d3", 0, -0.19)


def test_backfill_gives_the_same_evidence_each_time(history: tuple[Store, Settings]) -> None:
    store, settings = history
    store.db.close()
    backfill_days(settings, D, D)
    with Database(settings.database_path) as db:
        first = db.query("SELECT * EXCLUDE (published_at) FROM flag_evidence ORDER BY flag_no, kind, rank")
    backfill_days(settings, D, D)
    with Database(settings.database_path) as db:
        again = db.query("SELECT * EXCLUDE (published_at) FROM flag_evidence ORDER BY flag_no, kind, rank")
    assert first and first == again


HOSTILE = ('Actor X <script>alert(1)</script><img src=x onerror=alert(1)> [click](javascript:alert(1)) **loud** '
           '<a href="javascript:alert(2)">x</a> &amp; `code` \u202egnp.exe\x1b[31m | # heading')


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _assert_inert_html(html: str) -> None:
    for tag, attrs in _tags(html):
        assert tag not in ("script", "img", "iframe"), tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith(("http://", "https://", "cid:")), href


def test_hostile_text_in_a_quoted_sentence_stays_inert(history: tuple[Store, Settings]) -> None:
    store, settings = history
    # d2's first sentence is the top evidence of the Actor X flag; d0's title and outlet lead the spike's S1 story.
    store.db.execute("UPDATE sentence SET text = ? WHERE article_id = 'd2' AND idx = 0", [HOSTILE])
    store.db.execute("UPDATE article SET title = ?, outlet = ? WHERE article_id = 'd0'",
                     ["<script>alert(3)</script> **T** [x](javascript:alert(4))", "Evil <b>Outlet</b>"])
    data = build_digest(store, settings, D)
    assert any(e["quote"] and "<script>" in e["quote"]["after"] for f in data["flags"] for e in f["evidence"])
    rendered = render_digest(data)
    # HTML: escaped, no element from the text.
    _assert_inert_html(rendered.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    # Text: the words stay, the control and bidi characters go.
    assert "<script>alert(1)</script>" in rendered.text
    assert "\u202e" not in rendered.text and "\x1b" not in rendered.text
    # Markdown (the Prefect artifact): rendered as markdown with raw HTML allowed, nothing active appears.
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    for source in (rendered.markdown, artifact_markdown(rendered),
                   artifact_markdown(dataclasses.replace(rendered, markdown=""))):
        html = md.render(source)
        _assert_inert_html(html)
        assert "<strong>loud</strong>" not in html and "<strong>T</strong>" not in html
        assert "<code>" not in html and "heading</h" not in html
        assert "alert(1)" in html  # the words are still there, as text
    assert "\u202e" not in rendered.markdown


def test_a_hostile_title_in_the_artifact_stays_inert() -> None:
    # Issue 14, item 9: the artifact's markdown carried titles and outlets unescaped.
    data_title = "<img src=x onerror=alert(1)> [a](javascript:alert(1)) *b* _c_ <!-- d -->"
    rendered = RenderedDigest(digest_date=D, subject=data_title, html="", text=f"{data_title}\n", markdown="",
                              images={})
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(artifact_markdown(rendered))
    _assert_inert_html(html)
    assert "<em>" not in html and "<!--" not in html


def test_no_flag_and_no_percentage_without_a_baseline(tmp_path: Path) -> None:
    # A new user's first day: a feed carries its last few dozen items (D-3..D), fetched for the first time on D.
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_feeds([("live", "feed", "https://feeds.example.invalid/rss", "Live (sample)", None, "en")])
        docs = [Doc(f"e{k}-{j}", D - timedelta(days=k), "Live (sample)", [("A quiet sample day.", 0.0)], j,
                    source="live") for k, n in ((3, 1), (2, 1), (1, 2)) for j in range(n)]
        docs += [Doc(f"n{j}", D, "Live (sample)", [("A busy sample day.", 0.0)], j, source="live")
                 for j in range(35)]
        docs.append(Doc("undated", D, "Live (sample)", [("No date on this one.", 0.0)], 50, source="live",
                        undated=True))
        save_docs(store, docs, watched=False)
        store.save_fetches("run-1", [FetchResult(feed="live", url="https://feeds.example.invalid/rss", status="ok",
                                                 fetched_at=build_doc(docs[-1])[0].published_at)], {}, {})
        data = build_digest(store, settings, D)
        t = data["topics"][0]
        assert data["totals"]["baseline_days"] == 0 and data["totals"]["change7"] is None
        assert t["count"]["change7"] is None and t["volume_flag"] is None and data["flags"] == []
        assert data["totals"]["undated"] == 1
        text = render_digest(data).text
        assert "36 articles from 1 outlets (baseline: 0 of 7 days, no comparisons before 5)" in text
        assert "1 article without a publication date, counted on the day first seen" in text
        view = store.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE day = ?", [D])[0]
        assert (view["baseline_days7"], view["articles_change7"], view["volume_flag"]) == (0, None, None)
        observed = store.db.query("SELECT day, source, fetches FROM observed_days")
        assert observed == [(D, "live", 1)]

        # Articles read from the inbox for the days before count as watched days: then there is a baseline.
        inbox = [Doc(f"i{k}", D - timedelta(days=k), "Inbox (sample)", [("An imported sample day.", 0.0)], 30,
                     source="inbox") for k in range(1, 8)]
        save_docs(store, inbox, watched=False)
        data = build_digest(store, settings, D)
        assert data["totals"]["baseline_days"] == 7
        assert data["topics"][0]["volume_flag"] == "spike"
        assert "baseline: 7 of 7 days" in render_digest(data).text


def test_the_documented_query_recomputes_every_tone_flag(history: tuple[Store, Settings]) -> None:
    """docs/schema.md, "Checking a tone flag": its query, run as written (with this history's day), finds the
    topic's and the actor's harsher flags, and the figures it recomputes meet the rule that raised them."""
    import re

    store, _settings = history
    doc = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text(encoding="utf-8")
    section = doc.split("### Checking a tone flag", 1)[1]
    sql = re.search(r"```sql\n(.*?)```", section, re.S)
    assert sql is not None
    found = store.db.query_dicts(sql.group(1).replace("DATE '2025-05-10'", f"DATE '{D.isoformat()}'"))
    assert [(r["actor_id"], r["tone_flag"]) for r in found] == [("actor-x", "harsher"), (None, "harsher")]
    for r in found:
        assert r["tone_n"] >= 5 and r["n7"] >= 10
        assert r["mean7"] == pytest.approx(r["tone_base7"], abs=1e-9)
        assert r["tone_mean"] - r["mean7"] <= -0.15 and r["welch_z"] <= -2


def test_a_watched_day_without_a_single_article_is_a_row_of_the_view(tmp_path: Path) -> None:
    """A feed that went quiet: D was watched (a successful fetch) but brought nothing, after a week of 8 topic
    articles a day. The digest flags a drop (0 against 8); the view must have D as a row of zeros with the same
    flag, so the documented "every flagged topic-day" query finds it and its evidence has a row to join."""
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_actors([])
        docs = [Doc(f"w{k}-{j}", D - timedelta(days=k), A, [("A busy sample day at the harbour.", 0.0)], j)
                for k in range(1, 8) for j in range(8)]
        save_docs(store, docs)
        store.save_fetches("run-2", [FetchResult(feed="outlet", url="https://feeds.example.invalid/outlet",
                                                 status="not_modified",
                                                 fetched_at=build_doc(docs[0])[0].published_at.replace(
                                                     year=D.year, month=D.month, day=D.day))], {}, {})
        data = build_digest(store, settings, D)
        topic = data["topics"][0]
        assert (topic["count"]["value"], topic["count"]["base7"], topic["volume_flag"]) == (0.0, 8.0, "drop")
        assert [f["flag"] for f in data["flags"]] == ["drop"]
        view = store.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE day = ?", [D])
        assert len(view) == 1
        row = view[0]
        assert (row["articles"], row["all_articles"], row["observed"], row["baseline_days7"]) == (0, 0, True, 7)
        assert (row["articles_base7"], row["articles_change7"], row["volume_flag"]) == (8.0, -100.0, "drop")
        assert topic["count"]["change7"] == row["articles_change7"]


def test_nothing_is_compared_on_a_day_nobody_watched(tmp_path: Path) -> None:
    """docs/schema.md, "Flags": percentages and flags wait until the day itself and 5 of the 7 before were
    watched. D's articles arrived from a feed first fetched the day after, so D was not watched: the digest's
    totals, topic count, share and actor table, and both views, compare nothing on D (before, the topic line and
    the views gave +100% there while the actor table said n/a)."""
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_actors(ACTORS)
        before = [Doc(f"w{k}-{j}", D - timedelta(days=k), A, [(f"{ACTOR} spoke at the sample harbour.", 0.0)], j)
                  for k in range(1, 8) for j in range(2)]
        save_docs(store, before)
        late = [Doc(f"late{j}", D, B, [(f"{ACTOR} spoke at the sample harbour again.", 0.0)], j, source="late")
                for j in range(4)]
        save_docs(store, late, watched=False)
        store.save_fetches("run-2", [FetchResult(feed="late", url="https://feeds.example.invalid/late", status="ok",
                                                 fetched_at=build_doc(late[0])[0].published_at + timedelta(days=1))],
                           {}, {})
        data = build_digest(store, settings, D)
        topic = data["topics"][0]
        assert data["totals"]["observed"] is False and data["totals"]["change7"] is None
        assert topic["count"]["value"] == 4.0 and topic["count"]["base7"] == 2.0
        assert topic["count"]["change7"] is None and topic["count"]["change28"] is None
        assert topic["share"]["change7"] is None
        assert [a["mentions_change7"] for a in topic["actors"]] == [None]
        assert data["flags"] == []
        row = store.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE day = ?", [D])[0]
        assert (row["observed"], row["baseline_days7"], row["articles_change7"], row["articles_change28"]) == (
            False, 7, None, None)
        actor = store.db.query_dicts("SELECT * FROM daily_actor_tone WHERE day = ?", [D])[0]
        assert (actor["observed"], actor["mentions"], actor["mentions_change7"]) == (False, 4, None)
        # The day after, watched, with the same week before it, compares again.
        row = store.db.query_dicts("SELECT * FROM daily_topic_coverage WHERE day = ?", [D - timedelta(days=1)])[0]
        assert row["articles_change7"] is not None


def test_a_story_first_seen_before_the_day_is_never_called_new(tmp_path: Path) -> None:
    """A spike's story lines say "new story" only for a story that began on the day. story-s1 here began on D-1
    with an article the topic does not hold (another topic's report of the same event): the `stories` view gives it
    first_day D-1 and the digest's own story list "1 before", so its line under the spike must not call it new.
    Before, "new" meant only "nothing of this topic before", and the reader found the story a day older in SQL."""
    settings = write_settings(tmp_path)
    with Database(settings.database_path) as db:
        store = Store(db)
        store.sync_actors(ACTORS)
        early = Doc("s1-early", D - timedelta(days=1), C, [("The harbour town counts the cost.", 0.0)], 30,
                    "Harbour town counts the cost", "story-s1", topic=False)
        save_docs(store, history_docs() + day_docs() + [early])
        data = build_digest(store, settings, D)
        spike = data["flags"][0]
        assert spike["flag"] == "spike"
        notes = {e["story_id"]: e["note"] for e in spike["evidence"] if e["kind"] == "story" and e["story_id"]}
        first_day = dict(store.db.query("SELECT story_id, first_day FROM stories"))
        assert first_day["story-s1"] == D - timedelta(days=1)
        assert notes["story-s1"] == "continuing story: 3 articles on the day from 2 outlets, 0 a day before"
        assert spike["summary"].startswith("2 new stories (2 articles), 2 continuing (4 articles)")
        for story_id, note in notes.items():
            assert note.startswith("new story") == (first_day[story_id] == D), (story_id, note)
        listed = {s["story_id"]: s["before"] for s in data["topics"][0]["stories"]}
        assert listed["story-s1"] == 1


def test_the_documented_story_line_is_in_the_digests_time_zone() -> None:
    """docs/email.md's example of a story line showed its first-seen time "05:55 UTC", as digests did before their
    times moved to the digest's zone (test above): a reader compared the digest's 11:25 with it and with the view's
    UTC first_seen and found neither. The example is written as the digest writes it."""
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "email.md").read_text(encoding="utf-8")
    section = doc.split("### Stories across outlets", 1)[1].split("###", 1)[0]
    example = re.search(r"```\n(.*?)```", section, re.S)
    assert example is not None
    line = example.group(1).strip()
    assert re.search(r"; first seen \d{4}-\d{2}-\d{2} \d{2}:\d{2}\)$", line), line


def test_a_topic_tone_shifts_sentence_rows_follow_their_articles_as_documented(
        history: tuple[Store, Settings]) -> None:
    """flag_evidence's rank is "1 = moved the figure most", but a topic's tone shift keeps each article's best
    sentence under the article's rank: the sentence rows' own contributions are not in order (d0's -0.8/12 comes
    before d2's -0.9/12). docs/schema.md says so, where a reader sorting the rows by rank would otherwise be misled."""
    store, settings = history
    tone = build_digest(store, settings, D)["flags"][1]
    articles = [e["article_id"] for e in tone["evidence"] if e["kind"] == "article"]
    sentences = [e for e in tone["evidence"] if e["kind"] == "sentence"]
    assert [e["article_id"] for e in sentences] == articles
    moved = [abs(e["contribution"]) for e in sentences]
    assert moved != sorted(moved, reverse=True)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text(encoding="utf-8")
    rank_row = next(line for line in doc.split("### `flag_evidence`", 1)[1].splitlines() if line.startswith("| rank |"))
    assert "under the article's rank" in rank_row


def test_an_article_revised_after_its_digest_is_marked_in_the_view(history: tuple[Store, Settings]) -> None:
    """flag_evidence reads the article's current sentences: once an article is revised after the digest was built
    (re-scored in place), the quote may differ from what the digest showed, and the view says so for its rows; the
    other rows, and every row before the revision, say false."""
    from datetime import UTC, datetime, timedelta

    from newswatch.report.digest import render_digest

    store, settings = history
    data = build_digest(store, settings, D)
    store.save_digest(render_digest(data), "UTC", data, None, None)
    store.save_evidence(D, evidence_rows(data))
    query = ("SELECT article_id, bool_or(revised_since_digest) FROM flag_evidence WHERE day = ? "
             "AND article_id IS NOT NULL GROUP BY ALL ORDER BY 1")
    assert not any(flag for _, flag in store.db.query(query, [D]))
    later = datetime.now(UTC) + timedelta(minutes=5)
    store.db.execute("UPDATE article SET revisions = 1, revised_at = ? WHERE article_id = 'd2'", [later])
    marked = {aid for aid, flag in store.db.query(query, [D]) if flag}
    assert marked == {"d2"}
