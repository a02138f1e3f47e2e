"""health: weighted failures, linear back-off capped at 24 h, Retry-After, reset on success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newswatch.models import FetchResult
from newswatch.sources.fetch import ERROR_KINDS, HARD_KINDS, SOFT_KINDS
from newswatch.sources.health import FeedHealth, is_due, record_error, record_result

NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def result(status: str = "error", kind: str | None = None, retry_after: float | None = None) -> FetchResult:
    return FetchResult(
        feed="f",
        url="https://example.org/f",
        status=status,
        fetched_at=NOW,  # type: ignore[arg-type]
        error_kind=kind,
        error=f"sample {kind}" if kind else None,
        retry_after=retry_after,
    )


def test_kinds_split_into_hard_and_soft() -> None:
    assert set(ERROR_KINDS) == HARD_KINDS | SOFT_KINDS
    assert not HARD_KINDS & SOFT_KINDS
    assert {"http_404", "http_410", "dns", "not_a_feed"} <= HARD_KINDS
    assert {"http_5xx", "read_timeout", "connect_refused", "rate_limited"} <= SOFT_KINDS


def test_hard_failure_weighs_one_soft_half() -> None:
    state = record_result(FeedHealth(), result(kind="http_404"), NOW, HOUR)
    assert (state.error_count, state.failure_weight) == (1, 1.0)
    assert state.next_attempt_at == NOW + HOUR
    assert state.last_error_kind == "http_404" and state.last_error == "sample http_404"
    state = record_result(state, result(kind="http_5xx"), NOW, HOUR)
    assert (state.error_count, state.failure_weight) == (2, 1.5)
    assert state.next_attempt_at == NOW + timedelta(minutes=90)


def test_backoff_is_capped_at_a_day() -> None:
    state = FeedHealth()
    for _ in range(100):
        state = record_result(state, result(kind="dns"), NOW, HOUR)
    assert state.next_attempt_at == NOW + timedelta(hours=24)


def test_retry_after_wins_when_longer() -> None:
    state = record_result(FeedHealth(), result(kind="rate_limited", retry_after=7200), NOW, HOUR)
    assert state.next_attempt_at == NOW + timedelta(hours=2)
    state = record_result(FeedHealth(), result(kind="rate_limited", retry_after=10), NOW, HOUR)
    assert state.next_attempt_at == NOW + timedelta(minutes=30)
    # Retry-After beyond the 24 h cap is still honoured: the server asked.
    state = record_result(FeedHealth(), result(kind="http_5xx", retry_after=48 * 3600), NOW, HOUR)
    assert state.next_attempt_at == NOW + timedelta(hours=48)


def test_success_and_not_modified_reset() -> None:
    failing = record_result(FeedHealth(), result(kind="http_5xx"), NOW, HOUR)
    for status in ("ok", "not_modified"):
        later = NOW + 2 * HOUR
        state = record_result(failing, result(status=status), later, HOUR)
        assert (state.error_count, state.failure_weight, state.next_attempt_at) == (0, 0.0, None)
        assert state.last_success_at == later
        assert state.last_error_kind == "http_5xx"  # kept as history
        assert is_due(state, later)


def test_is_due() -> None:
    assert is_due(FeedHealth(), NOW)
    state = record_result(FeedHealth(), result(kind="http_404"), NOW, HOUR)
    assert not is_due(state, NOW + timedelta(minutes=59))
    assert is_due(state, NOW + HOUR)


def test_record_result_does_not_mutate_its_input() -> None:
    state = FeedHealth()
    record_result(state, result(kind="http_404"), NOW, HOUR)
    assert state == FeedHealth()


def test_a_parse_error_after_a_good_fetch_counts_as_a_failure() -> None:
    earlier = record_result(FeedHealth(), result(status="ok"), NOW - HOUR, HOUR)
    state = record_error(earlier, "not_a_feed", "sample: not_a_feed: got an HTML page", NOW, HOUR)
    assert (state.error_count, state.failure_weight, state.last_error_kind) == (1, 1.0, "not_a_feed")
    assert state.last_success_at == NOW - HOUR and state.next_attempt_at == NOW + HOUR
