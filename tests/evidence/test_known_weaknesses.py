"""Weaknesses found while gathering the evidence, each pinned by a test that fails today.

``xfail(strict=True)``: each test states the behaviour that is safe; once the weakness is
fixed the test passes, strict xfail turns that into a failure, and the marker must go.
"""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.braze.ratelimit import Pacer, RateLimitInfo
from reconciler.plan.model import Action
from reconciler.plan.planner import plan
from reconciler.state.base import RecordStatus
from tests.plan.helpers import NOW, message, recorded


@pytest.mark.xfail(
    strict=True,
    reason="planner.plan_address/_compare ignore Record.unknown_outcome: equal body hashes "
    "give a noop although the update of unknown outcome may have changed Braze",
)
def test_an_update_of_unknown_outcome_is_sent_again_even_when_the_manifest_went_back() -> None:
    # apply 1 sent "Sale 2" as an update, and its answer was lost (unknown_outcome=update):
    # Braze may now hold "Sale 2"; the manifest is then reverted to "Sale 1".
    before = message(alert="Sale 1")
    record = dataclasses.replace(recorded(before), unknown_outcome="update")
    change = plan({before.address: before}, {record.address: record}, NOW).changes[0]
    assert change.action is Action.UPDATE
    assert [r.call for r in change.requests] == ["update"]


@pytest.mark.xfail(
    strict=True,
    reason="a delete of unknown outcome leaves an active record; if the manifest comes back "
    "the plan is a noop although Braze may have deleted the schedule (a lost send)",
)
def test_a_delete_of_unknown_outcome_is_not_taken_as_live_when_the_manifest_comes_back() -> None:
    kept = message(alert="Sale 1")
    record = dataclasses.replace(recorded(kept), unknown_outcome="delete")
    assert record.status is RecordStatus.ACTIVE
    change = plan({kept.address: kept}, {record.address: record}, NOW).changes[0]
    # Safe: anything but a silent noop (blocked until resolved, or a call that finds out).
    assert change.action is not Action.NOOP or change.blocked is not None


@pytest.mark.xfail(
    strict=True,
    reason="ratelimit._FixedWindow: after a 429 (tokens 0, short reset) an answer of a call "
    "still in flight moves `end` to the hourly reset while tokens stay 0: the apply stalls "
    "until the end of the hour although the answer showed calls remaining",
)
def test_a_short_429_with_a_call_in_flight_does_not_stall_until_the_hour_ends() -> None:
    clock = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = Pacer(monotonic=lambda: clock[0], wall=lambda: 1.7e9 + clock[0], sleep=sleep)
    path = "/messages/schedule/create"
    first, second = pacer.acquire(path), pacer.acquire(path)
    # the first is refused: 429, reset in 1 s
    pacer.release(first, RateLimitInfo(limit=250_000, remaining=0, reset_in=1.0))
    pacer.rate_limited(first, 1.0)
    # the second, sent before, is answered normally: 249,990 left, the hour ends in 30 min
    pacer.release(second, RateLimitInfo(limit=250_000, remaining=249_990, reset_in=1800.0))
    pacer.acquire(path)
    assert sum(slept) <= 2.0, f"waited {sum(slept):.0f} s"
