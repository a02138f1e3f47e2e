"""Coverage measures over days: counts, shares and tone against trailing baselines, with the flag rules.

Pure functions on plain rows, so every figure can be checked by hand in a test. The rules (also in docs/schema.md, "Flags"):
- baseline_N: mean over the N days before the day (days with nothing count as zero);
- spike: count >= MIN_COUNT, count >= 1.5 x baseline_7 and Poisson z = (count - b) / sqrt(max(b, 1)) >= 2;
- drop: baseline_7 >= MIN_COUNT, count <= 0.5 x baseline_7 and z <= -2;
- volume flags need a history: the sources carried something on the day and on at least MIN_HISTORY_DAYS of
  the 7 days before (the database's first week, or days the feeds were down, raise no alarms);
- tone shift: at least MIN_COUNT scored articles on the day and 2 x MIN_COUNT in the trailing 7 days,
  |tone - tone_7| >= 0.15 and |difference| / standard error >= 2 (Welch).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MIN_COUNT = 5
SPIKE_RATIO = 1.5
DROP_RATIO = 0.5
Z_FLAG = 2.0
TONE_DELTA = 0.15
MIN_HISTORY_DAYS = 5


@dataclass(frozen=True)
class Baseline:
    value: float | None          # the day's figure
    base7: float | None          # trailing 7-day baseline
    base28: float | None         # trailing 28-day baseline

    @property
    def change7(self) -> float | None:
        return pct_change(self.value, self.base7)

    @property
    def change28(self) -> float | None:
        return pct_change(self.value, self.base28)


def pct_change(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base == 0:
        return None
    return (value - base) / base * 100.0


def trailing_days(day: date, n: int) -> list[date]:
    return [day - timedelta(days=i) for i in range(n, 0, -1)]


def count_baseline(counts: dict[date, int], day: date) -> Baseline:
    """The day's count with its trailing 7- and 28-day mean daily counts."""
    def mean(n: int) -> float:
        return sum(counts.get(d, 0) for d in trailing_days(day, n)) / n

    return Baseline(float(counts.get(day, 0)), mean(7), mean(28))


def share_baseline(counts: dict[date, int], totals: dict[date, int], day: date) -> Baseline:
    """Share of all articles the same sources carried: the day's, and pooled over the trailing days."""
    def pooled(days: Iterable[date]) -> float | None:
        days = list(days)
        total = sum(totals.get(d, 0) for d in days)
        return sum(counts.get(d, 0) for d in days) / total if total else None

    return Baseline(pooled([day]), pooled(trailing_days(day, 7)), pooled(trailing_days(day, 28)))


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


def history_days(totals: dict[date, int], day: date) -> int:
    """Days of the 7 before `day` on which the sources carried anything; 0 when they carried nothing on `day`."""
    if not totals.get(day):
        return 0
    return sum(1 for d in trailing_days(day, 7) if totals.get(d))


def volume_flag(count: float, base: float | None, history: int = 7) -> str | None:
    """'spike', 'drop' or None, by the rule in this module's docstring (`history`: history_days)."""
    if base is None or history < MIN_HISTORY_DAYS:
        return None
    z = poisson_z(count, base)
    if count >= MIN_COUNT and count >= SPIKE_RATIO * base and z >= Z_FLAG:
        return "spike"
    if base >= MIN_COUNT and count <= DROP_RATIO * base and z <= -Z_FLAG:
        return "drop"
    return None


def tone_flag(day: ToneStats, trailing: ToneStats) -> str | None:
    """'harsher', 'warmer' or None, by the rule in this module's docstring."""
    if day.n < MIN_COUNT or trailing.n < 2 * MIN_COUNT or day.mean is None or trailing.mean is None:
        return None
    diff = day.mean - trailing.mean
    se = math.sqrt((day.sd or 0) ** 2 / day.n + (trailing.sd or 0) ** 2 / trailing.n)
    if abs(diff) < TONE_DELTA or (se > 0 and abs(diff) / se < Z_FLAG):
        return None
    return "warmer" if diff > 0 else "harsher"
