"""Server-side rate limits: buckets, fixed windows, headers of the fullest bucket."""

from __future__ import annotations

from reconciler.braze.models import unique_audience_key
from reconciler.emulator.limits import Limits, RateLimiter, RateState

T0 = 1_793_534_400.0  # 2026-11-01T12:00:00Z, the start of an hour, a minute and 2 s window


def test_hourly_bucket_on_the_clock_hour() -> None:
    limiter = RateLimiter(Limits(hourly=3))
    states = [limiter.take("/messages/schedule/update", None, T0 + n).state for n in range(3)]
    assert [s.remaining for s in states] == [2, 1, 0]
    assert {s.reset for s in states} == {int(T0) + 3600}
    refused = limiter.take("/messages/schedule/delete", None, T0 + 10)
    assert not refused.allowed
    assert refused.state == RateState(3, 0, int(T0) + 3600)
    # The next hour starts afresh.
    assert limiter.take("/messages/schedule/delete", None, T0 + 3600).state.remaining == 2


def test_a_short_window_is_aligned_on_its_multiples() -> None:
    limiter = RateLimiter(Limits(hourly=2, hourly_window=7))
    state = limiter.take("/messages/schedule/create", None, 100.0).state
    assert state.reset == 105  # 98 <= 100 < 105
    limiter.take("/messages/schedule/create", None, 104.9)
    assert not limiter.take("/messages/schedule/create", None, 104.99).allowed
    assert limiter.take("/messages/schedule/create", None, 105.0).allowed


def test_broadcasts_use_the_minute_buckets_not_the_hourly_one() -> None:
    limiter = RateLimiter(Limits(hourly=1, broadcast_per_minute=3, audience_per_minute=2))
    path = "/canvas/trigger/schedule/create"
    first = {"canvas_id": "c1", "broadcast": True, "schedule": {"time": "x"}}
    second = {"canvas_id": "c2", "broadcast": True, "schedule": {"time": "x"}}
    key1, key2 = unique_audience_key(path, first), unique_audience_key(path, second)
    assert key1 is not None
    assert key2 is not None
    assert key1 != key2

    assert limiter.take(path, key1, T0).state == RateState(2, 1, int(T0) + 60)
    assert limiter.take(path, key1, T0 + 1).state.remaining == 0
    assert not limiter.take(path, key1, T0 + 2).allowed
    # The overall bucket (3/min) is now the fullest for another audience.
    assert limiter.take(path, key2, T0 + 3).state == RateState(3, 0, int(T0) + 60)
    refused = limiter.take(path, key2, T0 + 4)
    assert (refused.allowed, refused.state.limit) == (False, 3)
    # Listed recipients (no audience key) go to the hourly bucket, untouched so far.
    assert limiter.take(path, None, T0 + 5).state == RateState(1, 0, int(T0) + 3600)
    assert limiter.take(path, key1, T0 + 60).allowed


def test_send_ids_per_day_and_peek_counts_nothing() -> None:
    limiter = RateLimiter(Limits(send_ids_per_day=1))
    assert limiter.peek("/sends/id/create", T0) == RateState(1, 1, int(T0) + 12 * 3600)
    assert limiter.take("/sends/id/create", None, T0).allowed
    assert not limiter.take("/sends/id/create", None, T0 + 3600).allowed
    assert limiter.peek("/messages/send", T0).remaining == 250_000
    limiter.reset()
    assert limiter.take("/sends/id/create", None, T0 + 3600).allowed


def test_a_call_not_counted_spends_nothing_and_is_never_refused() -> None:
    # /sends/id/create of an existing pair: the bucket counts created pairs, not calls.
    limiter = RateLimiter(Limits(send_ids_per_day=1))
    assert limiter.take("/sends/id/create", None, T0).allowed
    again = limiter.take("/sends/id/create", None, T0 + 1, counted=False)
    assert again == limiter.take("/sends/id/create", None, T0 + 2, counted=False)
    assert (again.allowed, again.state) == (True, RateState(1, 0, int(T0) + 12 * 3600))
    assert not limiter.take("/sends/id/create", None, T0 + 3).allowed


def test_stale_audience_buckets_are_pruned() -> None:
    limiter = RateLimiter(Limits(broadcast_per_minute=1_000_000))
    path = "/campaigns/trigger/send"
    for number in range(10_001):
        limiter.take(path, f"audience-{number}", T0)
    limiter.take(path, "late", T0 + 60)
    assert len(limiter._counts) < 10
