"""Instants, durations and the clock.

Every instant inside the tool is an aware ``datetime`` in UTC. The clock is a parameter
(``--now``), never read deep inside the planner.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Protocol

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 date-time; raise ValueError with a readable message."""
    value = text.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-11-27T09:00:00Z)"
        ) from None
    return parsed


def has_offset(text: str) -> bool:
    return parse_iso(text).tzinfo is not None


def parse_instant(text: str) -> datetime:
    """Parse an instant that must carry a UTC offset (``Z`` or ``+01:00``); return it in UTC."""
    parsed = parse_iso(text)
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset; add Z or an offset such as +01:00")
    return parsed.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """Parse ``90s``, ``15m``, ``1h``, ``30d`` or ``2w``."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration (e.g. 15m, 1h, 30d)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def short_duration(delta: timedelta) -> str:
    """``15m``, ``1h``, ``30d``: the form ``parse_duration`` reads, in the largest unit that
    divides ``delta`` (an option's default, as its help shows it)."""
    seconds = delta.total_seconds()
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{seconds:g}s"


def format_utc(instant: datetime) -> str:
    """``2026-11-27T09:00:00Z``: the form sent to Braze and shown to people."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_naive(instant: datetime) -> str:
    return instant.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S")


def format_duration(delta: timedelta) -> str:
    """People's words for a span: ``40 min``, ``2 h``, ``1 h 30 min``, ``3 d``."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
