"""The digest says how many of the day's articles were scored on the text their feed gave rather than their page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from newswatch.report import digest as digest_mod
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import generate_days, save, write_settings

START = date(2025, 1, 1)


def test_the_footer_counts_articles_scored_on_the_feeds_text_only(tmp_path: Path) -> None:
    settings = write_settings(tmp_path)
    day = START + timedelta(days=15)
    with Database(settings.database_path) as db:
        store = Store(db)
        save(store, generate_days(START, 20, spike_day=15, shift_day=99))
        ids = [r[0] for r in db.query(
            "SELECT DISTINCT a.article_id FROM article a JOIN article_topic USING (article_id) "
            "WHERE CAST(a.published_at AS DATE) = ? AND a.duplicate_of IS NULL AND a.n_sentences > 0 "
            "ORDER BY a.article_id", [day])]
        # Some of the day's articles had their page read; the rest keep the feed's text.
        db.execute("UPDATE article SET text_source = 'page' WHERE article_id IN (SELECT unnest($1))", [ids[:4]])
        data = digest_mod.build_digest(store, settings, day)
    scored, feed_only = len(ids), len(ids) - 4
    assert data["text_sources"] == {"scored": scored, "feed_only": feed_only}
    images, charts = digest_mod.render_charts(data)
    rendered = digest_mod.render_digest(data, images=images, charts=charts)
    line = f"{feed_only} of the day's {scored} scored topic articles were scored on the text their feed gave"
    assert line in rendered.text and line in rendered.html and line in rendered.markdown
