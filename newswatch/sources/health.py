"""Per-feed health: weighted failure counts and when to try a failing feed again.

Pure bookkeeping on FetchResults; no I/O. The rule (docs/reliability.md), after Media Cloud's rss-fetcher:
a hard failure weighs 1, a soft one 0.5; the next attempt waits failure_weight * interval, at most 24 h,
or longer when the server's Retry-After asks for more; success or 304 resets everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from newswatch.models import FetchResult
from newswatch.sources.fetch import HARD_KINDS

HARD_WEIGHT = 1.0
SOFT_WEIGHT = 0.5
MAX_BACKOFF = timedelta(hours=24)


@dataclass(slots=True)
class FeedHealth:
    error_count: int = 0
    failure_weight: float = 0.0
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    next_attempt_at: datetime | None = None


def failure_weight_of(kind: str | None) -> float:
    """1 for a failure that will not fix itself (404, DNS, not a feed...), 0.5 for a transient one."""
    return HARD_WEIGHT if kind in HARD_KINDS else SOFT_WEIGHT


def record_result(state: FeedHealth, result: FetchResult, now: datetime, interval: timedelta) -> FeedHealth:
    """The feed's health after one fetch. Returns a new FeedHealth; `state` is not changed."""
    if result.status in ("ok", "not_modified"):
        return record_success(state, now)
    return record_error(state, result.error_kind, result.error, now, interval, retry_after=result.retry_after)


def record_success(state: FeedHealth, now: datetime) -> FeedHealth:
    """Fetched (or 304) and readable: the count, the weight and the back-off reset; the last error stays."""
    return FeedHealth(
        last_success_at=now,
        last_error_at=state.last_error_at,
        last_error=state.last_error,
        last_error_kind=state.last_error_kind,
        next_attempt_at=None,
    )


def record_error(
    state: FeedHealth,
    kind: str | None,
    error: str | None,
    now: datetime,
    interval: timedelta,
    *,
    retry_after: float | None = None,
) -> FeedHealth:
    """One failure of kind `kind` (fetch.ERROR_KINDS). When the fetch was ok but parse_feed raised, call this
    instead of record_result: record_error(state, exc.kind, str(exc), now, interval)."""
    weight = state.failure_weight + failure_weight_of(kind)
    wait = min(interval * weight, MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return replace(
        state,
        error_count=state.error_count + 1,
        failure_weight=weight,
        last_error_at=now,
        last_error=error,
        last_error_kind=kind,
        next_attempt_at=now + wait,
    )


def is_due(state: FeedHealth, now: datetime) -> bool:
    """True when the feed may be fetched now (never failed, or its back-off has run out)."""
    return state.next_attempt_at is None or now >= state.next_attempt_at
