"""Rules that live in one Python function and are repeated in SQL views: the SQL is checked against Python here.

The views are append-only migrations, so they cannot import the constants; these tests fail when one side moves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from newswatch.config import USER_AGENT, DigestSettings, FetchSettings, FulltextSettings
from newswatch.days import day_bounds, local_day
from newswatch.report import measures
from newswatch.sources.fetch import is_local, local_url_sql
from newswatch.text.language import is_scored_language, scored_language_sql
from storage.db import _split_sql, local_day_sql

MIGRATIONS = Path(__file__).resolve().parents[2] / "storage" / "migrations"


def _sql(name: str) -> str:
    return " ".join((MIGRATIONS / name).read_text(encoding="utf-8").split())


def _newest_view(name: str) -> str:
    """The view's definition in the newest migration that (re)defines it, white space folded."""
    found = ""
    for path in sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql")):
        for statement in _split_sql(path.read_text(encoding="utf-8")):
            text = " ".join(statement.split())
            if text.startswith((f"CREATE VIEW {name} AS", f"CREATE OR REPLACE VIEW {name} AS")):
                found = text
    assert found, f"no migration defines the view {name}"
    return found


COVERAGE_VIEWS = ("daily_topic_coverage", "daily_actor_tone", "outlet_actor_tone")


def test_the_scored_language_rule_is_the_same_in_sql_and_python() -> None:
    tags = [None, "en", "EN", "en-GB", "en_us", "English", "de", "fr-CA", "", "und", "eng"]
    con = duckdb.connect()
    for tag in tags:
        in_sql = con.execute(f"SELECT {scored_language_sql('$lang')}", {"lang": tag}).fetchone()
        assert in_sql is not None and bool(in_sql[0]) == is_scored_language(tag), tag
    # Every view that decides which articles carry tone states the rule exactly as scored_language_sql() does.
    views = " ".join(_newest_view(v) for v in COVERAGE_VIEWS)
    stated = views.count("a.language IS NULL")
    assert stated >= 3, "the coverage views no longer state the language rule"
    assert views.count(scored_language_sql()) == stated


@pytest.mark.parametrize("tz_name", ["UTC", "Asia/Karachi", "America/New_York", "Europe/London"])
def test_local_days_are_the_same_in_sql_and_python(tz_name: str) -> None:
    tz = ZoneInfo(tz_name)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Around midnight and a daylight-saving change in each zone.
    moments = [datetime(2025, 3, 9, 4, 59, tzinfo=UTC) + timedelta(minutes=37 * i) for i in range(80)]
    moments += [datetime(2025, 5, 9, 18, 59, 59, tzinfo=UTC), datetime(2025, 5, 9, 19, 0, tzinfo=UTC)]
    for moment in moments:
        row = con.execute(f"SELECT {local_day_sql('$ts::TIMESTAMPTZ')}", {"tz": tz_name, "ts": moment}).fetchone()
        assert row is not None and row[0] == local_day(moment, tz), (tz_name, moment)
    start, end = day_bounds(date(2025, 3, 8), date(2025, 3, 9), tz)
    assert local_day(start, tz) == date(2025, 3, 8)
    assert local_day(end - timedelta(microseconds=1), tz) == date(2025, 3, 9)
    assert local_day(end, tz) == date(2025, 3, 10)


def test_the_flag_thresholds_in_the_views_are_the_ones_in_measures() -> None:
    m = measures
    views = _newest_view("daily_topic_coverage") + " " + _newest_view("daily_actor_tone")

    def num(x: float) -> str:
        return f"{x:g}"

    expected = [
        f"(SELECT value FROM meta WHERE key = 'min_baseline_days'), '{m.MIN_BASELINE_DAYS}')",
        "WHEN baseline_days7 < min_days OR NOT observed THEN NULL",
        "WHEN f.baseline_days7 < f.min_days OR NOT f.observed THEN NULL",
        f"WHEN articles >= {m.MIN_COUNT} AND articles >= {num(m.SPIKE_RATIO)} * articles_base7 "
        f"AND z7 >= {num(m.Z_FLAG)} THEN 'spike'",
        f"WHEN articles_base7 >= {m.MIN_COUNT} AND articles <= {num(m.DROP_RATIO)} * articles_base7 "
        f"AND z7 <= -{num(m.Z_FLAG)} THEN 'drop'",
        f"WHEN tone_n < {m.MIN_COUNT} OR tone_n7 < {2 * m.MIN_COUNT} OR tone_mean IS NULL",
        f"WHEN abs(tone_mean - tone_base7) < {num(m.TONE_DELTA)} THEN NULL",
        f"WHEN f.tone_n < {m.MIN_COUNT} OR f.tone_n7 < {2 * m.MIN_COUNT}",
        f"WHEN abs(f.tone_mean - f.tone_base7) < {num(m.TONE_DELTA)} THEN NULL",
    ]
    for clause in expected:
        assert clause in views, f"the coverage views do not say: {clause}"
    # The Welch test's z in both tone rules.
    assert views.count(f"< {num(m.Z_FLAG)} THEN NULL") == 2


def test_every_request_carries_the_one_user_agent() -> None:
    assert FetchSettings().user_agent == USER_AGENT
    assert FulltextSettings().user_agent == USER_AGENT


def test_the_baseline_setting_defaults_to_the_rule_in_measures() -> None:
    assert DigestSettings().min_baseline_days == measures.MIN_BASELINE_DAYS


def test_a_feed_read_from_a_file_is_the_same_in_sql_and_python() -> None:
    # A feed given as a local path counts as an import for observed days (migration 007).
    assert local_url_sql("f.url") in _sql("007_evidence.sql")
    assert local_url_sql("url").strip("()") in _sql("013_articles_read_from_files.sql")  # is_file_url, since 013
    urls = ["samples/feeds/x.xml", "/srv/feeds/x.xml", "file:///srv/x.xml", "FILE:/x.xml", "C:\\feeds\\x.xml",
            "https://example.org/feed", "http://example.org/rss", "ftp://example.org/x", "x-y+z.1://weird", ""]
    con = duckdb.connect()
    for url in urls:
        row = con.execute(f"SELECT {local_url_sql('$url')}", {"url": url}).fetchone()
        assert row is not None and bool(row[0]) == is_local(url), url


def test_observed_days_use_the_one_local_day() -> None:
    macro = _sql("007_evidence.sql")
    assert local_day_sql("l.fetched_at", "tz") in macro and local_day_sql("a.published_at", "tz") in macro
