"""The virtual clock: a start, real time running on, set and advance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reconciler.emulator.clock import VirtualClock, iso


class FakeTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_starts_at_the_given_instant_and_runs_with_real_time() -> None:
    real = FakeTime(1_000.0)
    clock = VirtualClock(START, real=real)
    assert clock.now() == START
    real.now += 90.5
    assert clock.now() == START + timedelta(seconds=90.5)
    assert clock.offset == START.timestamp() - 1_000.0


def test_without_a_start_it_is_real_time_or_the_given_offset() -> None:
    real = FakeTime(1_700_000_000.0)
    assert VirtualClock(real=real).timestamp() == 1_700_000_000.0
    assert VirtualClock(offset=60, real=real).timestamp() == 1_700_000_060.0


def test_set_and_advance() -> None:
    real = FakeTime(5.0)
    clock = VirtualClock(START, real=real)
    clock.advance(3600)
    assert clock.now() == START + timedelta(hours=1)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert iso(clock.timestamp()) == "2027-01-01T00:00:00.000Z"
    clock.advance(-0.25)
    assert iso(clock.timestamp()) == "2026-12-31T23:59:59.750Z"


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        VirtualClock(datetime(2026, 11, 1))
