"""Recurring sends: an RFC 5545 rule expanded into one-shot occurrences.

Braze's API schedules are one-shot. A ``Recurrence`` (a rule, the wall-clock time of its
start, how it is sent, an end, dates to skip) stands for many of them: each ``Occurrence`` is
one schedule, with its own key (its wall-clock date, ``2026-12-07``, or date and hour,
``2026-12-07T09``, for a rule that may send several times a day), so that editing the rule
does not renumber the occurrences.

Ground floor: this module imports only ``rrules``, ``timeutil``, ``sendtime``, dateutil and
zoneinfo.

The rule is read by dateutil's ``rrulestr`` with the start as a naive wall-clock ``DTSTART``;
it holds only RRULE parts (``FREQ=WEEKLY;BYDAY=MO``): the start, the end (``until`` or
``count``) and the dates to skip are fields of their own, said once. Occurrences are naive
wall-clock times; how one becomes the time Braze receives depends on the mode:

- ``utc`` (a ``time_zone``): the wall-clock time in that zone, converted to UTC for each
  occurrence, so 09:00 New York is 13:00Z in October and 14:00Z in November. As RFC 5545
  (3.3.5) says for a local time, a time that does not exist (inside the spring-forward gap)
  is read with the offset before the gap, i.e. moved forward by the gap (02:30 becomes 03:30
  daylight time), and a time that occurs twice (the fall-back overlap) is its first
  occurrence (daylight time). zoneinfo's ``fold=0`` does exactly that.
- ``local`` and ``optimal``: the wall-clock time itself, without offset, sent with
  ``in_local_time`` or ``at_optimal_time``: Braze applies each user's zone.

``count`` counts occurrences from the start, including those before any window; ``except``
removes occurrences after counting (as EXDATE does in RFC 5545), so ``count: 10`` with one
excepted date sends 9 times.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import rrule, rrulestr

from reconciler.rrules import RULE_EXAMPLE, RecurrenceError, Rule, describe_rule
from reconciler.sendtime import EARLIEST_ZONE, LATEST_ZONE, ScheduleMode, send_window
from reconciler.timeutil import (
    format_naive,
    format_utc,
    parse_duration,
    parse_iso,
    short_duration,
)

DEFAULT_HORIZON = timedelta(days=14)
"""How far ahead occurrences are kept scheduled when neither the manifest nor the command
says: its one home."""
MIN_HORIZON = timedelta(days=1)
"""A shorter horizon could skip occurrences between two nightly applies."""
MAX_HORIZON = timedelta(days=90)
"""Braze has refused schedules more than 90 days ahead."""
LONGEST_SEND = EARLIEST_ZONE + timedelta(days=1) + LATEST_ZONE
"""The longest an occurrence sends for (optimal time: its whole date in every zone, 50 h):
an occurrence whose wall-clock date is this far behind the clock may still be sending."""
_WALL_MARGIN = timedelta(days=3)
"""More than the distance between a wall-clock time (read as UTC) and any instant of its
send, in every zone and mode: the margin of the wall-clock search around a window."""
_DATE_ONLY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*$")
_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?$")


# -- times and fields -----------------------------------------------------------------------


def parse_wall_clock(text: str, field: str) -> datetime:
    """A wall-clock date-time without offset (``2026-11-02T09:00:00``), naive."""
    day = _DATE_ONLY.match(text)
    if day is not None:
        raise RecurrenceError(
            "invalid_time",
            f"{text!r} is a date without a time of day",
            hint=f"add the time of day: {day.group(1)}T09:00:00 for 09:00",
            replacement=f"{day.group(1)}T09:00:00",
        )
    try:
        parsed = parse_iso(text)
    except ValueError:
        raise RecurrenceError(
            "invalid_time",
            f"{text!r} is not an ISO 8601 date-time",
            hint="write a wall-clock time such as 2026-11-02T09:00:00",
        ) from None
    if parsed.tzinfo is not None:
        naive = format_naive(parsed)
        raise RecurrenceError(
            f"{field}_with_offset",
            f"{field} {text!r} has a UTC offset",
            hint=f"{field} is a wall-clock time, read in time_zone (or in each user's zone): "
            f"write {naive}",
            replacement=naive,
        )
    if not 1970 <= parsed.year <= 2999:
        raise RecurrenceError(
            "invalid_time",
            f"{text!r} is not a time Braze can schedule (year {parsed.year})",
            hint="write a wall-clock time such as 2026-11-02T09:00:00",
        )
    return parsed.replace(microsecond=0)


def parse_until(text: str) -> datetime:
    """The last wall-clock instant an occurrence may have: a date (through its end) or a
    wall-clock date-time."""
    day = _DATE_ONLY.match(text)
    if day is not None:
        return datetime.combine(_parse_date(day.group(1), "until"), time(23, 59, 59))
    return parse_wall_clock(text, "until")


def parse_skipped(text: str) -> date | datetime:
    """An ``except`` entry: a date (every occurrence that day) or a wall-clock date-time (that
    occurrence)."""
    day = _DATE_ONLY.match(text)
    if day is not None:
        return _parse_date(day.group(1), "except")
    try:
        return parse_wall_clock(text, "except")
    except RecurrenceError as problem:
        if problem.code != "invalid_time" or problem.replacement is not None:
            raise
        raise RecurrenceError(
            "invalid_date",
            f"except {text!r} is not a date",
            hint="write a date such as 2026-12-25 (every occurrence that day), or a wall-clock "
            "time such as 2026-12-25T09:00:00 (that occurrence)",
        ) from None


def _parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RecurrenceError(
            "invalid_date", f"{field} {text!r} is not a date", hint="write it as 2026-12-25"
        ) from None


def parse_horizon(text: str) -> timedelta:
    try:
        horizon = parse_duration(text)
    except ValueError:
        raise RecurrenceError(
            "invalid_duration",
            f"horizon {text!r} is not a duration",
            hint=f"write a number of days or weeks, e.g. {DEFAULT_HORIZON.days}d or 2w",
        ) from None
    check_horizon(horizon, text)
    return horizon


def check_horizon(horizon: timedelta, written: str | None = None) -> None:
    """The horizon's bounds, for manifests and ``--horizon`` alike; the error quotes the
    horizon as ``written`` (``91d``, not the ``13w`` it equals)."""
    if MIN_HORIZON <= horizon <= MAX_HORIZON:
        return
    bound = MIN_HORIZON if horizon < MIN_HORIZON else MAX_HORIZON
    shown = written.strip() if written is not None else short_duration(horizon)
    raise RecurrenceError(
        "horizon_out_of_range",
        f"horizon {shown} is out of range",
        hint=f"a horizon goes from {short_duration(MIN_HORIZON)} (a day between two applies) to "
        f"{short_duration(MAX_HORIZON)} (Braze has refused schedules further ahead)",
        replacement=short_duration(bound),
    )


@functools.cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    if name in time_zones():
        return name
    by_case = {zone.casefold(): zone for zone in time_zones()}
    match = by_case.get(name.casefold().replace(" ", "_"))
    if match is None:
        close = difflib.get_close_matches(name, sorted(time_zones()), n=1, cutoff=0.6)
        match = close[0] if close else None
    raise RecurrenceError(
        "unknown_time_zone",
        f"unknown time zone {name!r}",
        hint=f"did you mean {match!r}?"
        if match
        else "use an IANA zone name such as America/New_York, Europe/Berlin or UTC",
        replacement=match,
    )


# -- the recurrence and its occurrences -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Occurrence:
    """One send of a recurrence: one one-shot schedule in Braze."""

    key: str
    """Its own wall-clock date (``2026-12-07``), with the hour for a rule that may send
    several times a day (``2026-12-07T09``): the suffix of its address."""
    wall_clock: datetime
    """Naive: in the rule's time zone, or in each user's for local and optimal time."""
    time: str
    """``schedule.time`` as Braze wants it: UTC ``Z``, or a wall-clock time without offset."""
    mode: ScheduleMode

    @property
    def schedule(self) -> dict[str, Any]:
        """The ``schedule`` object of its request body."""
        if self.mode == "local":
            return {"time": self.time, "in_local_time": True}
        if self.mode == "optimal":
            return {"time": self.time, "at_optimal_time": True}
        return {"time": self.time}

    @property
    def first_send(self) -> datetime:
        return send_window(self.mode, self.time)[0]

    @property
    def last_send(self) -> datetime:
        return send_window(self.mode, self.time)[1]


@dataclasses.dataclass(frozen=True)
class Recurrence:
    """A recurring send, checked: every occurrence it declares can be computed."""

    rule: Rule
    start: datetime
    """Naive wall-clock: the lower bound of the occurrences, and their time of day."""
    mode: ScheduleMode
    time_zone: str | None = None
    """The IANA zone of a ``utc`` recurrence; None for local and optimal time."""
    until: datetime | None = None
    """Naive wall-clock, inclusive."""
    count: int | None = None
    skipped: frozenset[date | datetime] = frozenset()
    """``except``: dates (every occurrence that day) and wall-clock times (that one)."""
    horizon: timedelta | None = None
    """The manifest's own horizon; None takes the run's (``DEFAULT_HORIZON`` unless told)."""

    def __post_init__(self) -> None:
        if (self.mode == "utc") != (self.time_zone is not None):
            raise ValueError("a utc recurrence has a time zone; local and optimal have none")
        if self.until is not None and self.count is not None:
            raise ValueError("until and count are exclusive")
        if self.mode == "optimal" and self.rule.sub_daily:
            raise ValueError("an optimal-time recurrence sends at most once a day")
        _expansion(self.rule, self.start, self.until, self.count)  # raises RecurrenceError

    def key_of(self, wall_clock: datetime) -> str:
        day = wall_clock.date().isoformat()
        return f"{day}T{wall_clock.hour:02d}" if self.rule.sub_daily else day

    def occurrence(self, wall_clock: datetime) -> Occurrence:
        """The occurrence at a wall-clock time of the rule (not checked against it)."""
        if self.time_zone is not None:
            instant = wall_clock.replace(tzinfo=_zone(self.time_zone))  # fold=0: see above
            sent = format_utc(instant)
        else:
            sent = format_naive(wall_clock)
        return Occurrence(self.key_of(wall_clock), wall_clock, sent, self.mode)

    def occurrences(self, after: datetime, through: datetime) -> list[Occurrence]:
        """The occurrences not yet sent at ``after`` (their last send is later) whose first
        send is at or before ``through``: sorted, keys unique."""
        low = _naive_utc(after) - _WALL_MARGIN
        high = _naive_utc(through) + _WALL_MARGIN
        found = []
        for wall_clock in self._walls(low, high):
            occurrence = self.occurrence(wall_clock)
            first, last = send_window(occurrence.mode, occurrence.time)
            if last > after and first <= through:
                found.append(occurrence)
        return found

    def occurrence_on(self, key: str) -> Occurrence | None:
        """The occurrence the rule declares under ``key``, or None (never, skipped, past
        ``until`` or ``count``, or a key of the other form)."""
        wall_clock = _key_start(key)
        if wall_clock is None or (len(key) > 10) != self.rule.sub_daily:
            return None
        length = timedelta(hours=1) if self.rule.sub_daily else timedelta(days=1)
        for found in self._walls(wall_clock, wall_clock + length - timedelta(seconds=1)):
            return self.occurrence(found)
        return None

    def next_after(self, after: datetime) -> Occurrence | None:
        """The first occurrence not yet sent at ``after`` (whatever the horizon)."""
        low = _naive_utc(after) - _WALL_MARGIN
        expansion = _expansion(self.rule, self.start, self.until, self.count)
        for wall_clock in expansion.xafter(low, inc=True):
            if not self._kept(wall_clock):
                continue
            occurrence = self.occurrence(wall_clock)
            if occurrence.last_send > after:
                return occurrence
        return None

    def first(self) -> Occurrence | None:
        """The first occurrence of all (skipped ones aside), or None for a rule that never
        sends (its end comes before its first date, or every date is skipped)."""
        for wall_clock in _expansion(self.rule, self.start, self.until, self.count):
            if self._kept(wall_clock):
                return self.occurrence(wall_clock)
        return None

    def declares(self, skipped: date | datetime) -> bool:
        """Whether an ``except`` entry names an occurrence of the rule (else it skips
        nothing)."""
        if isinstance(skipped, datetime):
            low = high = skipped
        else:
            low = datetime.combine(skipped, time())
            high = datetime.combine(skipped, time(23, 59, 59))
        expansion = _expansion(self.rule, self.start, self.until, self.count)
        return bool(expansion.between(low, high, inc=True))

    def _walls(self, low: datetime, high: datetime) -> list[datetime]:
        expansion = _expansion(self.rule, self.start, self.until, self.count)
        return [w for w in expansion.between(low, high, inc=True) if self._kept(w)]

    def _kept(self, wall_clock: datetime) -> bool:
        return not self._skipped(wall_clock) and not self._shadowed(wall_clock)

    def _skipped(self, wall_clock: datetime) -> bool:
        return wall_clock in self.skipped or wall_clock.date() in self.skipped

    def _shadowed(self, wall_clock: datetime) -> bool:
        """A time inside a spring-forward gap moves forward by the gap; when the rule also
        sends at the time it moves to (an hourly rule does), it is dropped: one send, not
        two at the same instant."""
        if self.time_zone is None:
            return False
        zone = _zone(self.time_zone)
        real = wall_clock.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        moved = real.replace(tzinfo=None)
        if moved == wall_clock:
            return False
        expansion = _expansion(self.rule, self.start, self.until, self.count)
        return not self._skipped(moved) and bool(expansion.between(moved, moved, inc=True))


def _naive_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None)


def _key_start(key: str) -> datetime | None:
    match = _KEY.match(key)
    if match is None:
        return None
    day, hour = match.groups()
    try:
        return datetime.combine(date.fromisoformat(day), time(int(hour or 0)))
    except ValueError:
        return None


def is_occurrence_key(key: str) -> bool:
    """``2026-12-07`` or ``2026-12-07T09``: what follows ``@`` in an occurrence's name."""
    return _key_start(key) is not None


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.lru_cache(maxsize=1024)
def _expansion(rule: Rule, start: datetime, until: datetime | None, count: int | None) -> rrule:
    try:
        # Cached: each search of a window runs from the start again, over what was found.
        expansion = rrulestr(rule.text, dtstart=start, cache=True)
    except ValueError as exc:
        raise RecurrenceError(
            "invalid_rule",
            f"the rule cannot be used from start {format_naive(start)}: {exc}",
            hint=f"check the rule's parts against its FREQ (e.g. {RULE_EXAMPLE})",
        ) from None
    assert isinstance(expansion, rrule)
    if until is not None:
        return expansion.replace(until=until)
    if count is not None:
        return expansion.replace(count=count)
    return expansion


def describe(recurrence: Recurrence) -> str:
    """People's words for a recurrence: ``weekly on Monday at 09:00 in America/New_York``."""
    return describe_rule(recurrence.rule, recurrence.start, recurrence.mode, recurrence.time_zone)
