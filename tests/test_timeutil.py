"""Durations as options write them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.sendtime import DEFAULT_FREEZE_WINDOW
from reconciler.timeutil import parse_duration, short_duration


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (DEFAULT_FREEZE_WINDOW, "15m"),
        (timedelta(hours=1), "1h"),
        (timedelta(days=30), "30d"),
        (timedelta(weeks=2), "2w"),
        (timedelta(seconds=90), "90s"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(0), "0s"),
    ],
)
def test_short_duration_is_what_parse_duration_reads(delta: timedelta, text: str) -> None:
    assert short_duration(delta) == text
    assert parse_duration(text) == delta
