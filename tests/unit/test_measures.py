"""Coverage measures on small fixtures whose expected numbers are worked out by hand in each test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from newswatch.report import measures

DAY = date(2025, 5, 10)


def days_before(n: int) -> date:
    return DAY - timedelta(days=n)


def test_count_baseline_counts_empty_days_as_zero() -> None:
    # 7 trailing days hold 2+4 articles -> mean 6/7; 28 trailing days hold 2+4+14 -> 20/28.
    counts = {days_before(1): 2, days_before(5): 4, days_before(20): 14, DAY: 9}
    b = measures.count_baseline(counts, DAY)
    assert b.value == 9
    assert b.base7 == pytest.approx(6 / 7)
    assert b.base28 == pytest.approx(20 / 28)
    assert b.change7 == pytest.approx((9 - 6 / 7) / (6 / 7) * 100)


def test_share_is_pooled_over_the_trailing_days() -> None:
    counts = {DAY: 3, days_before(1): 1, days_before(2): 1}
    totals = {DAY: 12, days_before(1): 10, days_before(2): 30}
    s = measures.share_baseline(counts, totals, DAY)
    assert s.value == pytest.approx(3 / 12)
    assert s.base7 == pytest.approx(2 / 40)     # not the mean of 1/10 and 1/30


def test_no_share_without_any_volume() -> None:
    assert measures.share_baseline({}, {}, DAY).value is None


def test_change_is_none_against_a_zero_baseline() -> None:
    assert measures.pct_change(5, 0) is None
    assert measures.pct_change(None, 3) is None
    assert measures.pct_change(6, 4) == pytest.approx(50.0)


def test_tone_stats_mean_and_population_sd() -> None:
    t = measures.tone_stats([0.5, -0.5, 0.0])
    assert t.n == 3 and t.mean == pytest.approx(0.0)
    assert t.sd == pytest.approx((0.5 / 3) ** 0.5)   # sqrt((0.25 + 0.25 + 0) / 3)


@pytest.mark.parametrize(
    ("count", "base", "flag"),
    [
        (2, 1.0, None),        # 2 vs 1: below the minimum count, no alarm
        (4, 0.5, None),        # still below the minimum count
        (5, 1.0, "spike"),     # z = (5-1)/1 = 4, ratio 5
        (12, 6.0, "spike"),    # ratio 2, z = 6/sqrt(6) = 2.45
        (6, 5.0, None),        # ordinary day
        (1, 10.0, "drop"),     # z = -9/sqrt(10) = -2.85, ratio 0.1
        (4, 5.0, None),        # a dip, not a drop
    ],
)
def test_volume_flag_rule(count: float, base: float, flag: str | None) -> None:
    assert measures.volume_flag(count, base) == flag


def test_tone_flag_needs_enough_articles_and_a_real_difference() -> None:
    day = measures.ToneStats(n=6, mean=-0.40, sd=0.10)
    trailing = measures.ToneStats(n=30, mean=0.05, sd=0.10)
    assert measures.tone_flag(day, trailing) == "harsher"
    assert measures.tone_flag(measures.ToneStats(4, -0.40, 0.1), trailing) is None       # too few today
    assert measures.tone_flag(day, measures.ToneStats(8, 0.05, 0.1)) is None              # too few before
    assert measures.tone_flag(measures.ToneStats(6, 0.0, 0.1), trailing) is None          # |0.05| < 0.15
    noisy = measures.ToneStats(n=6, mean=-0.20, sd=0.9)
    assert measures.tone_flag(noisy, trailing) is None                                     # within noise
    assert measures.tone_flag(measures.ToneStats(6, 0.5, 0.1), trailing) == "warmer"


def test_baseline_days_counts_the_observed_trailing_days() -> None:
    observed = {DAY, days_before(1), days_before(4), days_before(8)}
    assert measures.baseline_days(observed, DAY) == 2               # D-1 and D-4; D-8 is outside the 7
    assert measures.baseline_days({days_before(1)}, DAY) == 0       # the day itself was not watched


def test_baselines_are_means_over_the_observed_days_only() -> None:
    # Articles exist for D-3..D-1 (a feed's last few dozen items on its first fetch), but only D was watched:
    # nothing to compare with. Once D-2 and D-1 count, the mean is over those two days, not over 7.
    counts = {days_before(3): 4, days_before(2): 6, days_before(1): 8, DAY: 35}
    b = measures.count_baseline(counts, DAY, observed={DAY})
    assert (b.base7, b.days7, b.change7) == (None, 0, None)
    b = measures.count_baseline(counts, DAY, observed={DAY, days_before(2), days_before(1)}, min_days=2)
    assert b.base7 == pytest.approx(7.0) and b.days7 == 2
    assert b.change7 == pytest.approx(400.0)
    assert measures.count_baseline(counts, DAY, observed={DAY, days_before(1)}).change7 is None  # 1 < 5 days


def test_no_flag_without_a_baseline() -> None:
    # 10 against a baseline of 1 is a spike once 5 of the 7 days before were observed, not before.
    assert measures.volume_flag(10, 1.0, baseline_days=5) == "spike"
    assert measures.volume_flag(10, 1.0, baseline_days=4) is None
    assert measures.volume_flag(10, 1.0, baseline_days=2, min_days=2) == "spike"
    assert measures.volume_flag(0, 8.0, baseline_days=0) is None
    day, trailing = measures.ToneStats(n=6, mean=-0.40, sd=0.10), measures.ToneStats(n=30, mean=0.05, sd=0.10)
    assert measures.tone_flag(day, trailing, baseline_days=5) == "harsher"
    assert measures.tone_flag(day, trailing, baseline_days=4) is None


def test_no_percentage_on_a_day_nobody_watched() -> None:
    """The day itself must be observed for a percentage, as for a flag (docs/schema.md, "Flags")."""
    day = date(2025, 3, 10)
    week = {day - timedelta(days=k): 2 for k in range(1, 8)}
    counts = {**week, day: 4}
    watched = set(week)
    assert measures.count_baseline(counts, day, watched | {day}).change7 == 100.0
    unwatched = measures.count_baseline(counts, day, watched)
    assert (unwatched.value, unwatched.base7, unwatched.days7) == (4.0, 2.0, 7)
    assert unwatched.change7 is None and unwatched.change28 is None
    share = measures.share_baseline(counts, {d: 10 for d in counts}, day, watched)
    assert share.base7 == 0.2 and share.change7 is None
