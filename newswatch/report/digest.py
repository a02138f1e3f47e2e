"""The daily digest: compute a day's figures against trailing baselines, then render HTML, text and markdown.

Computation reads only the window (the day and the 28 days before it) through the Store; rendering is pure and
escapes everything that came from a feed: no markup from articles ever reaches the reader (docs/reliability.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import jinja2

from newswatch.config import Settings
from newswatch.days import day_bounds
from newswatch.errors import StorageError
from newswatch.models import STORED_HEADLINE, RenderedDigest
from newswatch.report import evidence, measures
from newswatch.text.language import is_scored_language

WINDOW_DAYS = 28
SERIES_DAYS = 14
TOP_OUTLETS = 8
TOP_STORIES = 6
HEADLINE_CAP = 200


def default_day(settings: Settings, now: datetime | None = None) -> date:
    """The configured digest date, else yesterday in the digest's time zone."""
    if settings.digest.date is not None:
        return settings.digest.date
    now = now or datetime.now(UTC)
    return now.astimezone(settings.digest.tz).date() - timedelta(days=1)


def missed_days(stored: Collection[date], day: date, limit: int) -> list[date]:
    """The days a scheduled digest of `day` builds first, oldest first: those of the `limit` days before `day` with
    no stored digest, after the first one that has one. `stored`: the days with a stored digest among the `limit` + 1
    before `day` (one more, so that a gap of `limit` days after a digest is found). None when no digest is stored
    in that span: the schedule was not running (a new store, one kept from the samples' try-out, or a gap longer
    than the limit), or with `limit` 0."""
    if limit <= 0:
        return []
    span = [day - timedelta(days=k) for k in range(limit + 1, 0, -1)]
    have = [d for d in span if d in stored]
    if not have:
        return []
    return [d for d in span[1:] if d > have[0] and d not in stored]


def window_bounds(day: date, tz: Any, days: int = WINDOW_DAYS) -> tuple[datetime, datetime]:
    start, end = day_bounds(day - timedelta(days=days), day, tz)
    return start, end


class DigestSource(Protocol):
    """The window queries a digest is built from (storage/digests.py)."""

    def window_volume(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]: ...
    def window_topic_articles(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]: ...
    def window_actor_rows(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]: ...
    def window_candidates(self, start: datetime, end: datetime, tz: str) -> list[dict[str, Any]]: ...
    def story_members(self, story_ids: Sequence[str], tz: str) -> list[dict[str, Any]]: ...
    def window_observed_days(self, first: date, last: date, tz: str) -> list[dict[str, Any]]: ...
    def window_feed_fetches(self, start: datetime, end: datetime) -> list[dict[str, Any]]: ...
    def feed_renames(self) -> dict[str, str]: ...
    def article_sentences(self, article_ids: Sequence[str]) -> list[dict[str, Any]]: ...
    def actor_mentions(self, article_ids: Sequence[str], actor_id: str) -> list[dict[str, Any]]: ...
    def candidate_articles(self, start: datetime, end: datetime, name: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class _Days:
    """The digest's day and which days of the window count toward a baseline."""

    day: date
    observed: frozenset[date]
    min_days: int

    @property
    def before7(self) -> set[date]:
        return set(measures.observed_trailing_days(self.day, 7, self.observed))

    @property
    def before28(self) -> set[date]:
        return set(measures.observed_trailing_days(self.day, 28, self.observed))

    @property
    def baseline_days(self) -> int:
        """Observed days among the 7 before, 0 when the day itself was not observed (measures.baseline_days)."""
        return measures.baseline_days(self.observed, self.day)

    @property
    def enough(self) -> bool:
        return self.baseline_days >= self.min_days


def build_digest(store: DigestSource, settings: Settings, day: date) -> dict[str, Any]:
    """All figures for `day`, as plain data (stored as JSON beside the rendered digest)."""
    tz = settings.digest.timezone
    start, end = window_bounds(day, settings.digest.tz)
    volume_rows = store.window_volume(start, end, tz)
    topic_rows = store.window_topic_articles(start, end, tz)
    actor_rows = store.window_actor_rows(start, end, tz)
    candidate_rows = store.window_candidates(start, end, tz)
    observed_rows = store.window_observed_days(day - timedelta(days=WINDOW_DAYS), day, tz)
    observed = frozenset(r["day"] for r in observed_rows)
    days = _Days(day, observed, settings.digest.min_baseline_days)
    # Which sources were fetched when, a feed renamed in the config followed under its current name.
    renames = store.feed_renames()
    source_days = measures.follow_renames(observed_rows, renames)

    totals: Counter[date] = Counter()
    for r in volume_rows:
        totals[r["day"]] += r["n"]
    actors_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in actor_rows:
        actors_by_article[r["article_id"]].append(r)

    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in store.story_members(sorted({r["story_id"] for r in topic_rows if r["day"] == day and r["story_id"]}),
                                 tz):
        members[m["story_id"]].append(m)
    topics = []
    rows_by_topic: dict[str, list[dict[str, Any]]] = {}
    for topic in settings.topics:
        rows = rows_by_topic[topic.name] = [r for r in topic_rows if r["topic"] == topic.name]
        topics.append(_topic_section(topic.name, topic.description, rows, totals, actors_by_article, days,
                                     settings.digest.top_actors, settings.digest.top_articles, members,
                                     settings.digest.tz))
    total = measures.count_baseline(dict(totals), day, observed, days.min_days)
    data: dict[str, Any] = {
        "date": day.isoformat(),
        "timezone": tz,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "window": {"from": (day - timedelta(days=WINDOW_DAYS)).isoformat(), "to": day.isoformat()},
        "totals": {"articles": int(total.value or 0), "base7": total.base7, "base28": total.base28,
                   "change7": total.change7,
                   "outlets": len({r["outlet"] for r in volume_rows if r["day"] == day}),
                   "undated": sum(r.get("undated") or 0 for r in volume_rows if r["day"] == day),
                   "observed": day in observed, "baseline_days": total.days7, "min_baseline_days": days.min_days,
                   "history_days": days.baseline_days,
                   "unwatched_sources": measures.unwatched_sources(source_days, day),
                   "sources_missing_before": measures.sources_missing_before(source_days, day, days.before7),
                   "possibly_incomplete_sources": _possibly_incomplete(store, day, settings.digest.tz)},
        "topics": topics,
        "candidates": _rising_candidates(candidate_rows, days),
        "text_sources": _text_sources(topic_rows, day),
        "tone_models": _tone_models(actor_rows),
    }
    # Stories that began before the day, by any of their articles (other topics', copies): never "new" under a flag.
    began_before = frozenset(sid for sid, ms in members.items() if any(m["day"] < day for m in ms))
    data["flags"] = _flags(store, data, rows_by_topic, actors_by_article, days, settings, renames, began_before)
    data["highlights"] = [f["text"] for f in data["flags"]]
    return data


def _tone_models(actor_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How the window's stored actor tones were computed: [{method, model, label, rows}], most rows first. More
    than one entry means tones from different models sit side by side (`newswatch rescore --actors` evens them
    out). `label` names it for a reader: the model's version, or the method when it was not the trained model
    (rows of the earlier VADER window carry the version "1", which says nothing)."""
    counts = Counter((r.get("tone_method") or "", r.get("tone_model") or "") for r in actor_rows
                     if r["tone"] is not None)
    return [{"method": m, "model": v, "label": (v if m == "model" else m) or v or m or "unknown", "rows": n}
            for (m, v), n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]


# Text the feed gave (a summary or the feed's own content) rather than the article's page.
FEED_TEXT_SOURCES = ("feed", "summary")


def _text_sources(topic_rows: list[dict[str, Any]], day: date) -> dict[str, int]:
    """Of the day's scored topic articles, how many were scored on the feed's text only (no page read)."""
    scored = {r["article_id"]: r.get("text_source") for r in topic_rows if r["day"] == day and r["n_sentences"]}
    return {"scored": len(scored), "feed_only": sum(1 for s in scored.values() if s in FEED_TEXT_SOURCES)}


def _topic_section(name: str, description: str, rows: list[dict[str, Any]], totals: Counter[date],
                   actors_by_article: dict[str, list[dict[str, Any]]], days: _Days, top_actors: int,
                   top_articles: int, members: dict[str, list[dict[str, Any]]], zone: Any) -> dict[str, Any]:
    day = days.day
    counts: Counter[date] = Counter(r["day"] for r in rows)
    count = measures.count_baseline(dict(counts), day, days.observed, days.min_days)
    share = measures.share_baseline(dict(counts), dict(totals), day, days.observed, days.min_days)
    trailing7, trailing28 = days.before7, days.before28
    today = [r for r in rows if r["day"] == day]
    scored = [r for r in rows if is_scored_language(r["language"]) and r["tone"] is not None]
    tone_day = measures.tone_stats([r["tone"] for r in scored if r["day"] == day])
    tone_7 = measures.tone_stats([r["tone"] for r in scored if r["day"] in trailing7])
    tone_28 = measures.tone_stats([r["tone"] for r in scored if r["day"] in trailing28])
    series = []
    for d in measures.trailing_days(day + timedelta(days=1), SERIES_DAYS):
        ts = measures.tone_stats([r["tone"] for r in scored if r["day"] == d])
        series.append({"day": d.isoformat(), "count": counts.get(d, 0), "tone": ts.mean})
    return {
        "name": name,
        "description": description,
        "count": _baseline_dict(count),
        "volume_flag": measures.volume_flag(count.value or 0, count.base7, days.baseline_days, days.min_days),
        "share": _baseline_dict(share),
        "tone": {"day": asdict(tone_day), "base7": asdict(tone_7), "base28": asdict(tone_28),
                 "change7": None if tone_day.mean is None or tone_7.mean is None else tone_day.mean - tone_7.mean,
                 "flag": measures.tone_flag(tone_day, tone_7, days.baseline_days, days.min_days)},
        "other_languages": sum(1 for r in today if not is_scored_language(r["language"])),
        "undated": sum(1 for r in today if r.get("published_estimated")),
        "series": series,
        **_actors(_actor_table(rows, actors_by_article, days), top_actors),
        "outlets": _outlet_table(rows, actors_by_article, days),
        "stories": _stories(rows, day, members, zone),
        "articles": [_article_row(r) for r in sorted(today, key=lambda r: (-r["score"], r["published_at"],
                                                                            r["article_id"]))[:top_articles]],
    }


def _baseline_dict(b: measures.Baseline) -> dict[str, Any]:
    return {"value": b.value, "base7": b.base7, "base28": b.base28, "change7": b.change7, "change28": b.change28,
            "baseline_days7": b.days7, "baseline_days28": b.days28}


def _actors(table: list[dict[str, Any]], top: int) -> dict[str, list[dict[str, Any]]]:
    """The topic's actor table (the `top` most mentioned), and the actors below it that the views flag all the
    same (a tone shift, or first seen in the window): the digest flags every actor the views flag."""
    return {"actors": table[:top],
            "actors_flagged_beyond_top": [a for a in table[top:] if a["tone_flag"] or a["first_seen"]]}


def _actor_table(rows: list[dict[str, Any]], actors_by_article: dict[str, list[dict[str, Any]]],
                 days: _Days) -> list[dict[str, Any]]:
    day = days.day
    trailing7 = days.before7
    per: dict[str, dict[str, Any]] = {}
    seen_before: set[str] = set()
    for r in rows:
        english = is_scored_language(r["language"])
        for a in actors_by_article.get(r["article_id"], ()):
            e = per.setdefault(a["actor_id"], {"actor_id": a["actor_id"], "name": a["name"], "kind": a["kind"],
                                               "mentions": 0, "articles": 0, "tones": [], "mentions7": 0,
                                               "tones7": [], "models": set()})
            if r["day"] == day:
                e["mentions"] += a["mentions"]
                e["articles"] += 1
                if english and a["tone"] is not None:
                    e["tones"].append(a["tone"])
                    e["models"].add((a.get("tone_method"), a.get("tone_model")))
            elif r["day"] < day:
                seen_before.add(a["actor_id"])
                if r["day"] in trailing7:
                    e["mentions7"] += a["mentions"]
                    if english and a["tone"] is not None:
                        e["tones7"].append(a["tone"])
                        e["models"].add((a.get("tone_method"), a.get("tone_model")))
    total_mentions = sum(e["mentions"] for e in per.values()) or 1
    out = []
    for e in per.values():
        if not e["mentions"]:
            continue
        t_day = measures.tone_stats(e.pop("tones"))
        t_7 = measures.tone_stats(e.pop("tones7"))
        base7 = e.pop("mentions7") / len(trailing7) if trailing7 else None
        # Tones from two models (stored before and after a model update) differ by the model, not the coverage:
        # no tone flag until `newswatch rescore --actors` brings the stored rows to one model.
        mixed = len(e.pop("models")) > 1
        flag = measures.tone_flag(t_day, t_7, days.baseline_days, days.min_days)
        out.append(e | {
            "share_of_voice": e["mentions"] / total_mentions,
            "mentions_base7": base7,
            "mentions_change7": measures.pct_change(e["mentions"], base7) if days.enough else None,
            "tone": t_day.mean,
            "tone7": t_7.mean,
            "tone_change": None if t_day.mean is None or t_7.mean is None else t_day.mean - t_7.mean,
            "tone_flag": None if mixed else flag,
            "tone_mixed_models": mixed,
            "first_seen": e["actor_id"] not in seen_before,
        })
    out.sort(key=lambda e: (-e["mentions"], e["name"]))
    return out


def _outlet_table(rows: list[dict[str, Any]], actors_by_article: dict[str, list[dict[str, Any]]],
                  days: _Days) -> list[dict[str, Any]]:
    day = days.day
    trailing7 = days.before7
    per: dict[str, dict[str, Any]] = {}
    for r in rows:
        e = per.setdefault(r["outlet"], {"outlet": r["outlet"], "articles": 0, "n7": 0, "tones": [], "tones7": [],
                                         "actor_tones": defaultdict(list)})
        english = is_scored_language(r["language"]) and r["tone"] is not None
        if r["day"] == day:
            e["articles"] += 1
            if english:
                e["tones"].append(r["tone"])
            for a in actors_by_article.get(r["article_id"], ()):
                if a["tone"] is not None and is_scored_language(r["language"]):
                    e["actor_tones"][a["name"]].append(a["tone"])
        elif r["day"] in trailing7:
            e["n7"] += 1
            if english:
                e["tones7"].append(r["tone"])
    out = []
    for e in per.values():
        if not e["articles"]:
            continue
        t_day, t_7 = measures.tone_stats(e["tones"]), measures.tone_stats(e["tones7"])
        base7 = e["n7"] / len(trailing7) if trailing7 else None
        on = sorted(((name, sum(v) / len(v), len(v)) for name, v in e["actor_tones"].items()), key=lambda x: x[1])
        out.append({"outlet": e["outlet"], "articles": e["articles"], "base7": base7,
                    "change7": measures.pct_change(e["articles"], base7) if days.enough else None,
                    "tone": t_day.mean, "tone7": t_7.mean,
                    "tone_change": None if t_day.mean is None or t_7.mean is None else t_day.mean - t_7.mean,
                    "harshest_on": [{"actor": n, "tone": t, "articles": k} for n, t, k in on[:2] if t < 0]})
    out.sort(key=lambda e: (-e["articles"], e["outlet"]))
    return out[:TOP_OUTLETS]


def _stories(rows: list[dict[str, Any]], day: date,
             members: dict[str, list[dict[str, Any]]], tz: Any) -> list[dict[str, Any]]:
    """The stored stories (table `story`, view `stories`) that carry the topic's articles of the day and were
    reported by at least two outlets: one event across outlets. Counted up to the end of the day, syndicated
    copies included, as the `stories` view counts them; `story_id` finds the story there. `in_topic`: how many of
    them the topic itself holds, copies left out as the topic's counts leave them out (a story can carry articles of
    other topics)."""
    in_topic = Counter(r["story_id"] for r in rows if r["day"] <= day and r.get("story_id"))
    out: list[dict[str, Any]] = []
    for story_id in dict.fromkeys(r["story_id"] for r in rows if r["day"] == day and r.get("story_id")):
        upto = [m for m in members.get(story_id, []) if m["day"] <= day]
        outlets = sorted({m["outlet"] for m in upto})
        if len(outlets) < 2:  # a story here is one event reported by several outlets
            continue
        today = sum(1 for m in upto if m["day"] == day)
        urls = [m["url"] for m in sorted(upto, key=lambda m: m["duplicate_of"] is not None) if m["url"]]
        out.append({"story_id": story_id, "headline": _headline_by(upto), "outlets": outlets,
                    "articles": len(upto), "today": today, "before": len(upto) - today,
                    "in_topic": in_topic[story_id],
                    # In the digest's time zone, as its days are (an ISO time with that zone's offset).
                    "first_seen": upto[0]["first_seen"].astimezone(tz).isoformat(timespec="minutes"),
                    "urls": urls[:3]})
    out.sort(key=lambda s: (-len(s["outlets"]), -s["today"], s["headline"]))
    return out[:TOP_STORIES]


def _headline_by(upto: list[dict[str, Any]]) -> str:
    """A story's headline as of the digest's day: its stored headline (docs/methods.md, "Stories") when an article
    published by then carries it, else the title of its first report. The stored one is chosen over every member,
    later ones too, and a digest built or rebuilt after the day must not head a story with a report of a later
    day."""
    stored = upto[0]["headline"]  # stored cut to STORED_HEADLINE characters
    if any((m["title"] or "")[:STORED_HEADLINE] == stored for m in upto):
        return str(stored)
    return str(upto[0]["title"] or "")[:STORED_HEADLINE]


def _article_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"title": r["title"], "outlet": r["outlet"], "url": r["url"], "tone": r["tone"],
            "published_at": r["published_at"].isoformat(timespec="minutes"), "language": r["language"],
            "score": r["score"]}


def _rising_candidates(rows: list[dict[str, Any]], days: _Days) -> list[dict[str, Any]]:
    """Names outside the registry on the rise: at least 2 articles and twice their 7-day mean; `first_seen`
    when the name appears nowhere in the window's earlier days."""
    day = days.day
    trailing7 = days.before7
    n7 = len(trailing7) or 1
    today: Counter[str] = Counter()
    before: Counter[str] = Counter()
    earlier: set[str] = set()
    for r in rows:
        if r["day"] == day:
            today[r["name"]] += r["articles"]
        elif r["day"] < day:
            earlier.add(r["name"])
            if r["day"] in trailing7:
                before[r["name"]] += r["articles"]
    out: list[dict[str, Any]] = [
        {"name": n, "articles": k, "base7": before[n] / n7,
         "change7": measures.pct_change(k, before[n] / n7) if days.enough else None, "first_seen": n not in earlier}
        for n, k in today.items() if k >= 2 and k >= 2 * (before[n] / n7)]
    out.sort(key=lambda c: (-c["articles"], c["name"]))
    return out[:10]


NEW_NAME_MIN = 3  # a name outside the registry reaches the top only from this many articles on its first day


def _flags(store: DigestSource, data: dict[str, Any], rows_by_topic: dict[str, list[dict[str, Any]]],
           actors_by_article: dict[str, list[dict[str, Any]]], days: _Days, settings: Settings,
           renames: dict[str, str] | None = None, began_before: frozenset[str] = frozenset()
           ) -> list[dict[str, Any]]:
    """Only what changed enough to matter, by the rules in newswatch.report.measures, each with its evidence
    (newswatch.report.evidence)."""
    out: list[dict[str, Any]] = []
    day = days.day
    # "First seen" means nothing before the sources have a history (the database's first days).
    history = days.enough

    def flag(text: str, topic: str | None, name: str, subject: str | None, lines: list[dict[str, Any]],
             summary: str | None = None) -> None:
        out.append({"text": text, "topic": topic, "flag": name, "subject": subject, "summary": summary,
                    "evidence": lines})

    def sentences_of(ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in store.article_sentences(ids):
            grouped[s["article_id"]].append(s)
        return grouped

    for t in data["topics"]:
        rows = rows_by_topic.get(t["name"], [])
        today = [r for r in rows if r["day"] == day]
        c = t["count"]
        if t["volume_flag"]:
            summary, lines = evidence.volume_evidence(rows, day, days.observed, t["volume_flag"],
                                                      began_before)
            if t["volume_flag"] == "drop":
                summary += _unwatched_note(rows, days, data["totals"].get("unwatched_sources") or [], renames or {})
            else:
                summary += _missing_before_note(today, data["totals"].get("sources_missing_before") or [],
                                                renames or {})
            flag(f"{t['name']}: {t['volume_flag']} — {c['value']:.0f} articles vs a 7-day mean of "
                 f"{c['base7']:.1f} ({fmt_pct(c['change7'])}; baseline: {c['baseline_days7']} of 7 days)",
                 t["name"], t["volume_flag"], None, lines, summary)
        if t["tone"]["flag"]:
            scored = [r for r in today if is_scored_language(r["language"]) and r["tone"] is not None]
            lines = evidence.topic_tone_evidence(scored, t["tone"]["base7"]["mean"], t["tone"]["flag"],
                                                 sentences_of([r["article_id"] for r in scored]))
            flag(f"{t['name']}: tone {t['tone']['flag']} — {fmt_tone(t['tone']['day']['mean'])} vs "
                 f"{fmt_tone(t['tone']['base7']['mean'])} over the 7 days before", t["name"], t["tone"]["flag"],
                 None, lines)
        for a in [*t["actors"], *t.get("actors_flagged_beyond_top", ())]:  # .get: digests stored before it
            carrying = [r | {"actor_tone": x["tone"]} for r in today for x in actors_by_article.get(r["article_id"], ())
                        if x["actor_id"] == a["actor_id"]]
            if a["tone_flag"]:
                scored = [r for r in carrying if is_scored_language(r["language"]) and r["actor_tone"] is not None]
                lines = evidence.actor_tone_evidence(
                    scored, a["tone7"], a["tone_flag"],
                    store.actor_mentions([r["article_id"] for r in scored], a["actor_id"]))
                flag(f"{t['name']}: coverage of {a['name']} turned {a['tone_flag']} "
                     f"({fmt_tone(a['tone'])} vs {fmt_tone(a['tone7'])})", t["name"], a["tone_flag"], a["name"],
                     lines)
            elif history and a["first_seen"] and a["articles"] >= 2:
                lines = evidence.first_mentions(carrying, store.actor_mentions(
                    [r["article_id"] for r in carrying], a["actor_id"]))
                flag(f"{t['name']}: {a['name']} appears for the first time in the window "
                     f"({a['articles']} articles)", t["name"], "first seen", a["name"], lines)
    start, end = day_bounds(day, day, settings.digest.tz)
    for cand in data["candidates"]:
        if history and cand["first_seen"] and cand["articles"] >= NEW_NAME_MIN:
            carrying = store.candidate_articles(start, end, cand["name"])
            lines = evidence.first_articles(carrying, cand["name"],
                                            sentences_of([r["article_id"] for r in carrying[:evidence.MAX_ROWS]]))
            flag(f"new name (not in the registry): {cand['name']}, first seen in the window "
                 f"({cand['articles']} articles)", None, "new name", cand["name"], lines)
    return out


def _possibly_incomplete(store: DigestSource, day: date, zone: Any) -> list[dict[str, Any]]:
    """measures.possibly_incomplete_sources for the day, its times in the digest's time zone."""
    start, end = day_bounds(day, day, zone)
    return [g | {"since": g["since"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                 "until": g["until"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                 "oldest": g["oldest"].astimezone(zone).strftime("%Y-%m-%d %H:%M")}
            for g in measures.possibly_incomplete_sources(store.window_feed_fetches(start, end), start, end)]


def _current(source: str | None, renames: dict[str, str]) -> str | None:
    """A source's current name (a feed renamed in the config: its new name)."""
    return renames.get(source, source) if source is not None else None


def _unwatched_note(rows: list[dict[str, Any]], days: _Days, unwatched: list[dict[str, Any]],
                    renames: dict[str, str]) -> str:
    """For a drop: the sources of the topic's articles before that were not fetched on the day (an outage, not
    less coverage), with their mean a day in the topic over the observed days before (a renamed feed's articles
    under its old name counted under its current one, as in unwatched_sources)."""
    before = days.before7
    n = len(before) or 1
    means = {u["source"]: sum(1 for r in rows if _current(r.get("source"), renames) == u["source"]
                              and r["day"] in before) / n
             for u in unwatched}
    named = [f"{s} (mean {evidence.measures_fmt(m)} a day before)" for s, m in means.items() if m > 0]
    return "; not fetched on the day: " + ", ".join(named) if named else ""


def _missing_before_note(today: list[dict[str, Any]], missing: list[dict[str, Any]], renames: dict[str, str]) -> str:
    """For a spike: the feeds that carried the topic's articles on the day but were not fetched on some of the
    baseline days (down, or added since), so the baseline is low by their absence, with their share of the day."""
    on_day = Counter(_current(r.get("source"), renames) for r in today)
    named = [f"{m['source']} ({on_day[m['source']]} of the day's articles; not fetched on {m['missing']} of the "
             f"{m['days']} days before)" for m in missing if on_day[m["source"]]]
    return "; fetched on the day, missing from the baseline: " + ", ".join(named) if named else ""


# -- rendering ---------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f]")


def display_text(value: Any, cap: int = HEADLINE_CAP) -> str:
    """Text from feeds made inert for display: no control or bidi-override characters, length-capped."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # bidi overrides, zero-widths
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    return text if len(text) <= cap else text[: cap - 1].rstrip() + "…"


def safe_url(value: Any) -> str | None:
    """Only http(s) links reach the digest; anything else (javascript:, data:, relative) is dropped."""
    if not value:
        return None
    url = str(value).strip()
    if len(url) > 2000 or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    parsed = urlparse(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    return url


# Feed text only ever stands mid-line (display_text folds line breaks), so the characters that start a list, a
# heading or a setext line ("-", "+", "=", "1.") need no escape there; these do anywhere in a line.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|<>~&])")


def markdown_text(value: Any, cap: int = HEADLINE_CAP, *, strip: bool = True) -> str:
    """Text from feeds made inert for markdown (the Prefect artifact): cleaned as display_text, then every
    markdown or HTML special character backslash-escaped, so no tag, link, emphasis or entity survives.
    `strip=False` keeps the ends (pieces of one quote, already cleaned and capped)."""
    text = display_text(value, cap) if strip else ("" if value is None else str(value))
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_url(value: Any) -> str | None:
    """An http(s) link (safe_url) that cannot close a markdown link early."""
    url = safe_url(value)
    if url is None:
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def fmt_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.0f}%"


def fmt_tone(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{0.0 if abs(value) < 0.005 else value:+.2f}"  # no "-0.00"


def fmt_num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"


def fmt_share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newswatch.report", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(clean=display_text, safe_url=safe_url, pct=fmt_pct, tone=fmt_tone, num=fmt_num,
                       share=fmt_share, md=markdown_text, md_url=markdown_url)
    return env


def tone_colour(value: float | None) -> str:
    if value is None:
        return "#666666"
    return "#b3261e" if value <= -0.05 else "#1e7b34" if value >= 0.05 else "#444444"


def render_digest(data: dict[str, Any], *, subject_template: str = "newswatch digest {date}",
                  images: dict[str, bytes] | None = None, charts: dict[str, str] | None = None) -> RenderedDigest:
    """HTML (mail-ready: tables, inline CSS, no scripts, images by cid:), plain text and markdown."""
    images = images or {}
    context = {"d": data, "charts": charts or {}, "colour": tone_colour}
    html = _environment(True).get_template("digest.html.j2").render(**context)
    text = _environment(False).get_template("digest.txt.j2").render(**context)
    markdown = _environment(False).get_template("digest.md.j2").render(**context)
    subject = display_text(subject_template.format(date=data["date"], topics=", ".join(t["name"] for t in
                                                                                     data["topics"])), 200)
    return RenderedDigest(digest_date=date.fromisoformat(data["date"]), subject=subject, html=html, text=text,
                          markdown=markdown, images=dict(images))


def write_digest(digest: RenderedDigest, output_dir: Path) -> tuple[Path, Path]:
    """Write digest-DATE.html (charts beside it as PNG files) and digest-DATE.txt; atomically each."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where the folder should be, a folder that cannot be made ([digest] output_dir)
        raise StorageError(f"digest.output_dir: cannot write digests to {output_dir}: {exc.strerror or exc}") from None
    stem = f"digest-{digest.digest_date.isoformat()}"
    html = digest.html
    for cid, png in digest.images.items():
        name = f"{stem}-{cid}.png"
        _write_atomic(output_dir / name, png)
        html = html.replace(f"cid:{cid}", name)
    html_path, text_path = output_dir / f"{stem}.html", output_dir / f"{stem}.txt"
    _write_atomic(html_path, html.encode("utf-8"))
    _write_atomic(text_path, digest.text.encode("utf-8"))
    return html_path, text_path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `path` through a temporary file beside it, renamed into place. A failure (a full disk, a folder the run
    may not write) is a StorageError naming the file and the cause, and the temporary file is removed."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StorageError(f"{path}: cannot write the digest: {exc.strerror or exc}") from None


def chart_series(topic: dict[str, Any]) -> tuple[list[date], list[int], list[float | None]]:
    days = [date.fromisoformat(s["day"]) for s in topic["series"]]
    return days, [s["count"] for s in topic["series"]], [s["tone"] for s in topic["series"]]



def render_charts(data: dict[str, Any]) -> tuple[dict[str, bytes], dict[str, str]]:
    """PNG charts per topic (14 days of volume and tone; top actors). Returns (cid -> PNG, slot -> cid)."""
    from newswatch.report import charts

    images: dict[str, bytes] = {}
    slots: dict[str, str] = {}
    day = date.fromisoformat(data["date"])
    for i, t in enumerate(data["topics"]):
        days, counts, tones = chart_series(t)
        cid = f"topic{i}-volume"
        images[cid] = charts.volume_tone_chart(t["name"], days, counts, tones, highlight=day)
        slots[f"{t['name']}:volume"] = cid
        if t["actors"]:
            cid = f"topic{i}-actors"
            rows = [(a["name"], a["mentions"], a["tone"], a["tone_change"]) for a in t["actors"]]
            images[cid] = charts.actor_chart(rows)
            slots[f"{t['name']}:actors"] = cid
    return images, slots
