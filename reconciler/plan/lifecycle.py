"""Where a schedule stands in time: pending, frozen, sending or sent.

A UTC schedule sends at one instant. A local-time schedule sends at its wall-clock time in
every zone: it starts when that time reaches the earliest zone (UTC+14, 14 h before the
wall-clock time read as UTC) and ends when it reaches the latest (UTC-12). Braze ignores an
update once any zone has passed. An optimal-time schedule sends during its whole date in every
zone. The freeze window before the first send is when changes become best effort in Braze.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from reconciler.timeutil import parse_iso

EARLIEST_ZONE = timedelta(hours=14)
LATEST_ZONE = timedelta(hours=12)
DEFAULT_FREEZE_WINDOW = timedelta(minutes=15)


class Lifecycle(StrEnum):
    PENDING = "pending"
    FROZEN = "frozen"
    SENDING = "sending"
    SENT = "sent"


LATENESS = [Lifecycle.PENDING, Lifecycle.FROZEN, Lifecycle.SENDING, Lifecycle.SENT]
"""Lifecycles in order: a change is as late as the latest schedule it touches."""


@functools.lru_cache(maxsize=65536)
def send_window(mode: str, time: str) -> tuple[datetime, datetime]:
    """The first and last instants (UTC) at which the schedule sends to someone."""
    parsed = parse_iso(time)
    if mode == "utc":
        instant = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return instant, instant
    wall = parsed.replace(tzinfo=UTC)
    if mode == "optimal":
        day = wall.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - EARLIEST_ZONE, day + timedelta(days=1) + LATEST_ZONE
    return wall - EARLIEST_ZONE, wall + LATEST_ZONE


def first_send(mode: str | None, time: str | None) -> datetime | None:
    """When a schedule first sends to someone (UTC); None for what has no schedule."""
    if not mode or not time:
        return None
    return send_window(mode, time)[0]


def lifecycle(
    mode: str, time: str, now: datetime, freeze_window: timedelta = DEFAULT_FREEZE_WINDOW
) -> Lifecycle:
    first, last = send_window(mode, time)
    if now >= last:
        return Lifecycle.SENT
    if now >= first:
        return Lifecycle.SENDING
    if now >= first - freeze_window:
        return Lifecycle.FROZEN
    return Lifecycle.PENDING
