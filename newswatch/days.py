"""Where a local day starts: the one rule that turns calendar days in the digest's time zone into UTC bounds.

Every count "per day" (the digest, stored stories, the SQL views through storage.db.local_day_sql) uses the
local calendar day of the article's UTC publication time; tests/unit/test_one_home.py checks SQL and Python agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

# The days newswatch can work with: a day's local bounds (and a week either side) stay within Python's dates.
FIRST_DAY, LAST_DAY = date(2, 1, 1), date(9998, 12, 31)


def day_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """UTC bounds [start, end) of the local days first..last (inclusive) in `tz`."""
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def local_day(moment: datetime, tz: tzinfo) -> date:
    """The local calendar day in `tz` of a tz-aware moment."""
    return moment.astimezone(tz).date()
