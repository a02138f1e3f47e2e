"""Coverage measures over days: counts, shares and tone against trailing baselines, with the flag rules.

Pure functions on plain rows, so every figure can be checked by hand in a test. The rules (also in docs/schema.md, "Flags"):
- observed days: a day counts toward a baseline only when newswatch was watching (a successful fetch of a
  source that day, or articles for that day read from a file: the view observed_days, migration 007);
- baseline_N: mean over the observed days among the N days before the day (an observed day with nothing counts
  as zero; a day nobody watched does not count at all);
- spike: count >= MIN_COUNT, count >= 1.5 x baseline_7 and Poisson z = (count - b) / sqrt(max(b, 1)) >= 2;
- drop: baseline_7 >= MIN_COUNT, count <= 0.5 x baseline_7 and z <= -2;
- percentages and flags need a baseline: the day observed and at least `min_baseline_days` (a setting, default
  MIN_BASELINE_DAYS) of the 7 days before observed (the database's first week, or days the feeds were down,
  raise no alarms);
- tone shift: at least MIN_COUNT scored articles on the day and 2 x MIN_COUNT in the trailing 7 days,
  |tone - tone_7| >= 0.15 and |difference| / standard error >= 2 (Welch).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from newswatch.models import SEARCH_KIND

MIN_COUNT = 5
SPIKE_RATIO = 1.5
DROP_RATIO = 0.5
Z_FLAG = 2.0
TONE_DELTA = 0.15
MIN_BASELINE_DAYS = 5   # the default of [digest] min_baseline_days


@dataclass(frozen=True)
class Baseline:
    value: float | None          # the day's figure
    base7: float | None          # trailing 7-day baseline (over the observed days)
    base28: float | None         # trailing 28-day baseline (over the observed days)
    days7: int = 7               # observed days among the 7 before
    days28: int = 28             # observed days among the 28 before
    min_days: int = MIN_BASELINE_DAYS
    day_observed: bool = True    # the day itself was watched: nothing is compared on a day nobody watched

    @property
    def change7(self) -> float | None:
        return pct_change(self.value, self.base7) if self.day_observed and self.days7 >= self.min_days else None

    @property
    def change28(self) -> float | None:
        return pct_change(self.value, self.base28) if self.day_observed and self.days28 >= self.min_days else None


def pct_change(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base == 0:
        return None
    return (value - base) / base * 100.0


def trailing_days(day: date, n: int) -> list[date]:
    return [day - timedelta(days=i) for i in range(n, 0, -1)]


def observed_trailing_days(day: date, n: int, observed: Collection[date] | None = None) -> list[date]:
    """The days among the n before `day` that count toward a baseline (all of them when `observed` is None)."""
    days = trailing_days(day, n)
    return days if observed is None else [d for d in days if d in observed]


def count_baseline(counts: dict[date, int], day: date, observed: Collection[date] | None = None,
                   min_days: int = MIN_BASELINE_DAYS) -> Baseline:
    """The day's count with its mean daily counts over the observed days among the 7 and 28 before."""
    def mean(days: list[date]) -> float | None:
        return sum(counts.get(d, 0) for d in days) / len(days) if days else None

    days7, days28 = observed_trailing_days(day, 7, observed), observed_trailing_days(day, 28, observed)
    return Baseline(float(counts.get(day, 0)), mean(days7), mean(days28), len(days7), len(days28), min_days,
                    observed is None or day in observed)


def share_baseline(counts: dict[date, int], totals: dict[date, int], day: date,
                   observed: Collection[date] | None = None, min_days: int = MIN_BASELINE_DAYS) -> Baseline:
    """Share of all articles the same sources carried: the day's, and pooled over the observed trailing days."""
    def pooled(days: Iterable[date]) -> float | None:
        days = list(days)
        total = sum(totals.get(d, 0) for d in days)
        return sum(counts.get(d, 0) for d in days) / total if total else None

    days7, days28 = observed_trailing_days(day, 7, observed), observed_trailing_days(day, 28, observed)
    return Baseline(pooled([day]), pooled(days7), pooled(days28), len(days7), len(days28), min_days,
                    observed is None or day in observed)


@dataclass(frozen=True)
class ToneStats:
    n: int
    mean: float | None
    sd: float | None


def tone_stats(values: Sequence[float]) -> ToneStats:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return ToneStats(0, None, None)
    m = sum(vals) / len(vals)
    sd = math.sqrt(sum((v - m) ** 2 for v in vals) / len(vals))
    return ToneStats(len(vals), m, sd)


def poisson_z(count: float, base: float) -> float:
    return (count - base) / math.sqrt(max(base, 1.0))


def baseline_days(observed: Collection[date], day: date) -> int:
    """Observed days among the 7 before `day`; 0 when `day` itself was not observed (nothing to compare)."""
    if day not in observed:
        return 0
    return len(observed_trailing_days(day, 7, observed))


def volume_flag(count: float, base: float | None, baseline_days: int = 7,
                min_days: int = MIN_BASELINE_DAYS) -> str | None:
    """'spike', 'drop' or None, by the rule in this module's docstring (`baseline_days`: baseline_days())."""
    if base is None or baseline_days < min_days:
        return None
    z = poisson_z(count, base)
    if count >= MIN_COUNT and count >= SPIKE_RATIO * base and z >= Z_FLAG:
        return "spike"
    if base >= MIN_COUNT and count <= DROP_RATIO * base and z <= -Z_FLAG:
        return "drop"
    return None


def tone_flag(day: ToneStats, trailing: ToneStats, baseline_days: int = 7,
              min_days: int = MIN_BASELINE_DAYS) -> str | None:
    """'harsher', 'warmer' or None, by the rule in this module's docstring."""
    if baseline_days < min_days:
        return None
    if day.n < MIN_COUNT or trailing.n < 2 * MIN_COUNT or day.mean is None or trailing.mean is None:
        return None
    diff = day.mean - trailing.mean
    se = math.sqrt((day.sd or 0) ** 2 / day.n + (trailing.sd or 0) ** 2 / trailing.n)
    if abs(diff) < TONE_DELTA or (se > 0 and abs(diff) / se < Z_FLAG):
        return None
    return "warmer" if diff > 0 else "harsher"


def unwatched_sources(rows: Iterable[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Sources fetched on some of the 7 days before `day` that were neither fetched nor read from a file on `day`
    itself (a feed down, timing out, or backing off), while another source was: [{source, days7}], days7 being
    how many of the 7 days before it was fetched. The day still counts as watched (the rule above), so a
    comparison of it can move by that source's absence alone; the digest says so. `rows`: per day and source,
    `fetches` and `imported_articles` (the view observed_days). Empty when no source was watched on `day`."""
    before = set(trailing_days(day, 7))
    fetched_before: dict[str, int] = {}
    on_day: set[str] = set()
    for r in rows:
        if r["day"] == day:
            on_day.add(r["source"])
        elif r["day"] in before and r["fetches"]:
            fetched_before[r["source"]] = fetched_before.get(r["source"], 0) + 1
    if not on_day:
        return []
    return [{"source": s, "days7": n} for s, n in sorted(fetched_before.items()) if s not in on_day]


def possibly_incomplete_sources(fetches: Iterable[dict[str, Any]], start: datetime, end: datetime
                                ) -> list[dict[str, Any]]:
    """Sources that may lack articles published in [start, end). A feed lists its last few dozen items; a
    successful fetch that listed only items never stored before, after an earlier successful fetch of the same
    feed, no longer reached back to that fetch: what the feed published between the earlier fetch and the oldest
    item it listed may never have been read (the machine was off, the feed was down, or it published more than it
    lists between two runs). A search feed is left out: it answers a query over the provider's last day, so a
    narrow query's one new result after a quiet day lists only new items without anything having been missed.
    `fetches`: storage's window_feed_fetches (feed, kind, fetched_at, previous_at, entries, new_articles,
    oldest_new). [{source, since, until, oldest, entries}] for the stretches that overlap [start, end), the
    longest per source."""
    out: dict[str, dict[str, Any]] = {}
    for f in fetches:
        if f.get("kind") == SEARCH_KIND:
            continue
        prev, at = f.get("previous_at"), f["fetched_at"]
        oldest = f.get("oldest_new") or at
        entries, new = f.get("entries") or 0, f.get("new_articles") or 0
        if prev is None or not entries or new < entries or not (prev < end and oldest > start):
            continue
        known = out.get(f["feed"])
        if known is None or oldest - prev > known["oldest"] - known["since"]:
            out[f["feed"]] = {"source": f["feed"], "since": prev, "until": at, "oldest": oldest, "entries": entries}
    return [out[k] for k in sorted(out)]


def sources_missing_before(rows: Iterable[dict[str, Any]], day: date, before: Collection[date]
                           ) -> list[dict[str, Any]]:
    """Feeds fetched on `day` that were not fetched on some of `before` (the observed days a baseline is the mean
    of): [{source, missing, days}], `missing` of the `days` baseline days without a successful fetch. The
    counterpart of unwatched_sources for a rise: a feed down (or not yet in the config) on baseline days held the
    baseline down, so its return alone can make a spike. `rows` as for unwatched_sources; only fetches count (an
    inbox is read when files arrive, so a day without a file is not a gap)."""
    fetched: dict[str, set[date]] = {}
    for r in rows:
        if r["fetches"]:
            fetched.setdefault(r["source"], set()).add(r["day"])
    out = []
    for source, days in sorted(fetched.items()):
        missing = sum(1 for d in before if d not in days)
        if day in days and missing:
            out.append({"source": source, "missing": missing, "days": len(before)})
    return out


def follow_renames(rows: Iterable[dict[str, Any]], renames: dict[str, str]) -> list[dict[str, Any]]:
    """Rows per day and source (as for unwatched_sources) with each renamed feed's rows under its current name
    (`renames`: old name -> current name, storage's feed_renames), added up per day: a feed renamed in the config
    was watched on the days it was fetched under either name, so neither name is a gap."""
    merged: dict[tuple[date, str], dict[str, Any]] = {}
    for r in rows:
        source = renames.get(r["source"], r["source"])
        known = merged.get((r["day"], source))
        if known is None:
            merged[(r["day"], source)] = r | {"source": source}
        else:
            known["fetches"] = (known["fetches"] or 0) + (r["fetches"] or 0)
            known["imported_articles"] = (known.get("imported_articles") or 0) + (r.get("imported_articles") or 0)
    return list(merged.values())
