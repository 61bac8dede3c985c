"""Braze's send-time rules: when a schedule sends, and where it stands in time (pending,
frozen, sending or sent).

Ground floor: the planner, the emulator, the validator, the audit and the renderers read
these rules here, and this module imports only ``timeutil``.

A UTC schedule sends at one instant. A local-time schedule sends at its wall-clock time in
every zone: it starts when that time reaches the earliest zone (UTC+14, 14 h before the
wall-clock time read as UTC) and ends when it reaches the latest (UTC-12). Braze ignores an
update once any zone has passed. An optimal-time schedule sends during its whole date in every
zone. The freeze window before the first send is when changes become best effort in Braze.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from reconciler.timeutil import parse_iso

EARLIEST_ZONE = timedelta(hours=14)
LATEST_ZONE = timedelta(hours=12)
DEFAULT_FREEZE_WINDOW = timedelta(minutes=15)
"""The freeze window's default (``--freeze-window``): its one home."""

ScheduleMode = Literal["utc", "local", "optimal"]


def schedule_mode(in_local_time: object, at_optimal_time: object) -> ScheduleMode:
    """``local`` (each user's zone), ``optimal`` (Intelligent Timing) or ``utc`` (one
    instant), from a schedule object's two flags. Both true (as in Braze's own create example;
    its docs do not say which applies): read as optimal time, whose send window (the whole
    date in every zone) contains the local-time one, so that the sending and freeze gates
    hold whichever Braze applies; for every reader alike, and ``validate`` warns."""
    if at_optimal_time is True:
        return "optimal"
    if in_local_time is True:
        return "local"
    return "utc"


def body_schedule(body: Mapping[str, Any]) -> tuple[str | None, ScheduleMode | None]:
    """The time and mode of a request body's ``schedule``; (None, None) without one."""
    schedule = body.get("schedule")
    if not isinstance(schedule, Mapping) or not isinstance(schedule.get("time"), str):
        return None, None
    mode = schedule_mode(schedule.get("in_local_time"), schedule.get("at_optimal_time"))
    return schedule["time"], mode


def is_wall_clock(schedule: object) -> bool:
    """A schedule sent in local or optimal time: its time is a wall-clock time, no offset."""
    return isinstance(schedule, Mapping) and (
        schedule_mode(schedule.get("in_local_time"), schedule.get("at_optimal_time")) != "utc"
    )


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
