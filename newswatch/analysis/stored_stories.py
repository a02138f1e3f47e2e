"""Stored stories: cluster a time range's topic articles (newswatch.analysis.stories) and hand the result to the Store.

Plain functions over a Store-like object (no prefect, no duckdb here). Stories that began before the range keep
their id and their articles; articles of the range that continue such a story join it, the rest are re-clustered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from newswatch.analysis.stories import Story, StoryItem, cluster_stories, story_id_for
from newswatch.days import day_bounds
from newswatch.models import TermCounts
from newswatch.text.corpus_stats import CorpusStats

STORY_WINDOW = timedelta(
    hours=48
)  # cluster_stories' default: a story stays open 48 h after its first article
RECENT_DAYS = 3  # the ingest flow re-clusters this many local days up to now
# The grouping method of the stored stories: change it with anything that changes which articles share a story
# (cluster_stories, its threshold or terms, the term weights), so the next ingest regroups the days the digest
# compares (REGROUP_DAYS up to the latest article: its 28 days of baseline and the 48 hours after) with the new one.
STORIES_METHOD = "2026-12-05"
REGROUP_DAYS = 30
DUE_SPAN_DAYS = 14  # refresh_due_stories regroups changed days in parts of at most this many days


class StoryStore(Protocol):
    """What refreshing stored stories needs from the store."""

    def story_items(self, since: datetime, end: datetime) -> list[tuple[StoryItem, str | None, datetime | None]]: ...
    def story_reach(self, start: datetime, end: datetime) -> datetime | None: ...
    def replace_stories(self, start: datetime, end: datetime, stories: Sequence[Story],
                        links: Sequence[tuple[str, str]]) -> None: ...
    def run_article_days(self, run_ids: Sequence[str], tz: str) -> list[date]: ...
    def corpus_counts(self) -> TermCounts: ...
    def stories_method(self) -> str | None: ...
    def set_stories_method(self, method: str) -> None: ...
    def latest_published(self) -> datetime | None: ...
    def stories_due(self) -> list[date]: ...
    def clear_stories_due(self, dates: Iterable[date]) -> None: ...


@dataclass(frozen=True)
class StoryRefresh:
    start: datetime
    end: datetime
    articles: int  # articles of the range placed in a story
    stories: int  # stories written (new or continued)


def recent_range(tz: Any, now: datetime | None = None, days: int = RECENT_DAYS) -> tuple[datetime, datetime]:
    """The last `days` local days up to and including today; end is open (tomorrow's midnight)."""
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    return day_bounds(today - timedelta(days=days - 1), today, tz)


def refresh_stories(
    store: StoryStore, start: datetime, end: datetime, window: timedelta = STORY_WINDOW,
    stats: CorpusStats | None = None,
) -> StoryRefresh:
    """Recompute the stories of articles published in [start, end) and store them (one transaction).

    The range is first widened by `window` (a story begun inside it stays open that long, and the range's
    articles may start one that later articles join), then until no article after it shares a stored story with
    one inside it, so every story that is replaced is replaced whole: an earlier article arriving late, which
    gives its story a new first article and id, leaves no link to the old id behind. Stories that began before
    the range keep their id and their articles, and stay open to the range's articles until `window` after
    their real first_seen, as in one clustering of everything.
    """
    end = _whole_stories_end(store, start, end + window)
    # Articles up to `window` before the range give continuing stories their context.
    rows = store.story_items(start - window, end)
    items = [item for item, _, _ in rows]
    # Only articles before the range keep their story: everything inside it is placed again.
    placed = {item.article_id: (sid, first or item.published_at) for item, sid, first in rows
              if sid is not None and item.published_at < start}
    stories: list[Story] = []
    links: list[tuple[str, str]] = []
    by_id = {item.article_id: item for item in items}
    stats = stats if stats is not None else CorpusStats(stored=store.corpus_counts())
    for story in cluster_stories(items, window=window, stats=stats, placed=placed):
        inside = [a for a in story.article_ids if by_id[a].published_at >= start]
        continued = next((placed[a][0] for a in story.article_ids if a in placed), None)
        if not inside:
            # A stored story still open at the range's start that kept none of its articles inside it (they left
            # the topics or another story): its headline is chosen again over the members it keeps, all in context.
            if continued is not None and story.first_seen >= start - window:
                stories.append(replace(story, story_id=continued))
            continue
        if continued is not None:
            # It continues a story that began before the range: the range's articles join that story, and its
            # headline is chosen again over all its members (the context holds them all: a story still open to
            # the range began less than `window` before it), as one clustering of everything would choose it.
            links.extend((a, continued) for a in inside)
            stories.append(replace(story, story_id=continued))
            continue
        if len(inside) < story.size:  # context articles that were never placed stay with their own range
            story = _trim(story, inside, by_id)
        stories.append(story)
        links.extend((a, story.story_id) for a in inside)
    store.replace_stories(start, end, stories, links)
    return StoryRefresh(start, end, len(links), len(stories))


def _whole_stories_end(store: StoryStore, start: datetime, end: datetime) -> datetime:
    """`end` moved past every stored article that shares a story with an article in [start, end) (repeated, as a
    later story member may share nothing else with the range); a story spans at most the window, so this stops."""
    while True:
        reach = store.story_reach(start, end)
        if reach is None or reach < end:
            return end
        end = reach + timedelta(microseconds=1)


def _trim(story: Story, inside: list[str], by_id: dict[str, StoryItem]) -> Story:
    members = [by_id[a] for a in inside]
    titles = {m.title for m in members}
    return Story(
        story_id=story_id_for(inside[0]),
        article_ids=inside,
        outlets=list(dict.fromkeys(m.outlet for m in members)),
        headline=story.headline if story.headline in titles else members[0].title,
        first_seen=members[0].published_at,
        last_seen=max(m.published_at for m in members),
        size=len(members),
    )


def day_groups(days: list[date], gap: int = 2) -> list[tuple[date, date]]:
    """Contiguous runs of days (holes up to `gap` days bridged), as (first, last) pairs."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and (d - out[-1][1]).days <= gap + 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def refresh_run_stories(store: StoryStore, run_ids: Sequence[str], tz: Any) -> list[StoryRefresh]:
    """After an ingest run: re-cluster the local days the runs' new articles were published on (and nothing else),
    so a late article from long ago costs its own days, not the history in between. `run_ids` is the run itself and
    any earlier run stopped before its stories (`runs_without_stories`)."""
    days = store.run_article_days(run_ids, str(tz))
    if not days:
        return []
    stats = CorpusStats(stored=store.corpus_counts())
    return [refresh_stories(store, *day_bounds(first, last, tz), stats=stats) for first, last in day_groups(days)]


def regroup_for_method(store: StoryStore, tz: Any) -> tuple[date, date] | None:
    """When the stored stories were grouped by another method than STORIES_METHOD (a store from before it, or one
    whose method changed since: its mark in meta), regroup the last REGROUP_DAYS local days up to the latest article
    with a publication time of its own (neither estimated nor in the future) with today's method, in parts of at
    most DUE_SPAN_DAYS, then record it; older days keep their stories until `newswatch backfill` over them. A store with
    no mark (a new one) records the method without regrouping. Returns the local days regrouped (first, last), or
    None."""
    method = store.stories_method()
    if method == STORIES_METHOD:
        return None
    refreshed = None
    latest = store.latest_published() if method is not None else None
    if latest is not None:
        last = latest.astimezone(tz).date()
        stats = CorpusStats(stored=store.corpus_counts())
        oldest = last - timedelta(days=REGROUP_DAYS - 1)
        for first in (oldest + timedelta(days=k) for k in range(0, REGROUP_DAYS, DUE_SPAN_DAYS)):
            refresh_stories(store, *day_bounds(first, min(first + timedelta(days=DUE_SPAN_DAYS - 1), last), tz),
                            stats=stats)
        refreshed = (oldest, last)
    store.set_stories_method(STORIES_METHOD)
    return refreshed


def refresh_due_stories(store: StoryStore, tz: Any, span_days: int = DUE_SPAN_DAYS) -> list[date]:
    """Regroup the days whose topic articles changed (`rematch`, a topic edited or removed in the config, an article's
    page text arriving later: the store notes their UTC dates in the same transaction), each with the day before and
    after it so every local day they touch is covered, and take them off the note as each part is done.

    A topic edited can change memberships on every day of the history, so the dates are taken in parts of at most
    `span_days` days: each part's articles are all that is in memory at once, and a run killed midway keeps what
    it finished (stories that began before a part keep their id and articles, as from one run to the next). Stories
    group topic articles only, so an article that joined or left every topic would otherwise keep or lack its story
    for good. Returns the UTC dates regrouped."""
    due = sorted(store.stories_due())
    if not due:
        return []
    stats = CorpusStats(stored=store.corpus_counts())
    part: list[date] = []
    for d in [*due, None]:
        if d is not None and (not part or (d - part[0]).days < span_days):
            part.append(d)
            continue
        first, last = part[0] - timedelta(days=1), part[-1] + timedelta(days=1)
        refresh_stories(store, *day_bounds(first, last, tz), stats=stats)
        store.clear_stories_due(part)
        part = [d] if d is not None else []
    return due
