"""Dashboard broadcasts: Braze's listing against the ``DashboardSchedule`` expectations.

GET /messages/scheduled_broadcasts lists the campaigns and Canvases scheduled in the
dashboard, never an API schedule, and without schedule ids. Its ways, and how they are read:

- ``next_send_time`` with a zone is an instant. Without one it is a wall-clock time: in each
  user's zone (``local_time_zones``), on a day at each user's best time
  (``intelligent_delivery``), or, in the older ``YYYY-MM-DD HH:mm:ss`` form, in the company
  time zone named by ``schedule_type``. A wall-clock send starts when the earliest zone
  (UTC+14) reaches it, as ``plan.lifecycle.send_window`` says for local-time schedules.
- A daily recurring broadcast is listed once, at its next occurrence: an expectation without
  ``next_send_time`` matches any time.
- Expectations match live broadcasts by id and type (Campaign or Canvas). A match with another
  next send time (the same instant when both are written with a zone, else the same
  wall-clock minute) or another schedule type is mismatched.

Pure: the listing and the clock are parameters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from reconciler.audit.report import AuditEntry, Source, Status
from reconciler.braze.models.responses import ScheduledBroadcast
from reconciler.manifest.resource import Resource
from reconciler.sendtime import Lifecycle, lifecycle, send_window
from reconciler.timeutil import format_duration, format_naive, format_utc, parse_iso

LOCAL_TIME_ZONES = "local_time_zones"
INTELLIGENT_DELIVERY = "intelligent_delivery"


@dataclasses.dataclass(frozen=True)
class SendTime:
    """A ``next_send_time`` as written, read as Braze means it."""

    text: str
    wall: datetime
    """The wall-clock time as written (naive)."""
    has_zone: bool
    mode: str
    """``utc`` (an instant), ``local`` or ``optimal``."""
    time: str
    """The time for ``send_window``: UTC ``...Z`` for an instant, naive otherwise."""

    @property
    def first(self) -> datetime:
        return send_window(self.mode, self.time)[0]

    def lifecycle(self, now: datetime, freeze: timedelta) -> Lifecycle:
        return lifecycle(self.mode, self.time, now, freeze)

    def same_as(self, other: SendTime) -> bool:
        if self.has_zone and other.has_zone:
            return self.first == other.first
        return _minute(self.wall) == _minute(other.wall)


def _minute(wall: datetime) -> datetime:
    return wall.replace(second=0, microsecond=0)


def read_send_time(text: str | None, schedule_type: str | None) -> SendTime | None:
    """None when absent or not ISO 8601."""
    if not text:
        return None
    try:
        parsed = parse_iso(text)
    except ValueError:
        return None
    wall = parsed.replace(tzinfo=None)
    if parsed.tzinfo is not None:
        return SendTime(text, wall, True, "utc", format_utc(parsed))
    if schedule_type == INTELLIGENT_DELIVERY:
        return SendTime(text, wall, False, "optimal", format_naive(wall))
    zone = _zone(schedule_type)
    if zone is not None:
        return SendTime(text, wall, False, "utc", format_utc(wall.replace(tzinfo=zone)))
    # local_time_zones, or a zone we cannot name: the earliest zone, as for local time.
    return SendTime(text, wall, False, "local", format_naive(wall))


def _zone(schedule_type: str | None) -> ZoneInfo | None:
    if not schedule_type or schedule_type in (LOCAL_TIME_ZONES, INTELLIGENT_DELIVERY):
        return None
    try:
        return ZoneInfo(schedule_type)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class Expectation:
    """A ``DashboardSchedule`` resource: the broadcast it expects to see live."""

    address: str
    source: str
    broadcast_id: str
    broadcast_type: str
    name: str | None = None
    next_send_time: str | None = None
    schedule_type: str | None = None

    @classmethod
    def from_resource(cls, resource: Resource) -> Expectation:
        body = resource.body
        campaign_id = body.get("campaign_id")
        return cls(
            address=resource.address,
            source=str(resource.source),
            broadcast_id=str(campaign_id or body.get("canvas_id") or ""),
            broadcast_type="Campaign" if campaign_id else "Canvas",
            name=body.get("name"),
            next_send_time=body.get("next_send_time"),
            schedule_type=body.get("schedule_type"),
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.broadcast_id, self.broadcast_type.lower()

    @property
    def send_time(self) -> SendTime | None:
        return read_send_time(self.next_send_time, self.schedule_type)


@dataclasses.dataclass(frozen=True)
class Live:
    broadcast: ScheduledBroadcast

    @property
    def key(self) -> tuple[str, str]:
        return self.broadcast.id, self.broadcast.type.lower()

    @property
    def send_time(self) -> SendTime | None:
        return read_send_time(self.broadcast.next_send_time, self.broadcast.schedule_type)


def read_listing(items: Iterable[Mapping[str, Any]]) -> tuple[list[Live], list[str]]:
    """The listing's items, and a warning for each one that cannot be read."""
    live: list[Live] = []
    warnings: list[str] = []
    for index, item in enumerate(items):
        try:
            live.append(Live(ScheduledBroadcast.model_validate(item)))
        except ValidationError as exc:
            problem = "; ".join(
                f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            )
            warnings.append(f"scheduled_broadcasts[{index}] was skipped: {problem}")
    return live, warnings


def expectations_of(desired: Mapping[str, Resource]) -> list[Expectation]:
    return [
        Expectation.from_resource(resource)
        for _, resource in sorted(desired.items())
        if resource.kind.facts.expectation_only
    ]


def pair(
    expectations: Sequence[Expectation], live: Sequence[Live]
) -> list[tuple[Expectation | None, Live | None]]:
    """Expectations and live broadcasts by id and type; exact matches are paired first."""
    pairs: list[tuple[Expectation | None, Live | None]] = []
    expected_by_key: dict[tuple[str, str], list[Expectation]] = {}
    listed_by_key: dict[tuple[str, str], list[Live]] = {}
    for e in expectations:
        expected_by_key.setdefault(e.key, []).append(e)
    for item in live:
        listed_by_key.setdefault(item.key, []).append(item)
    for key in dict.fromkeys([*expected_by_key, *listed_by_key]):
        expected = expected_by_key.get(key, [])
        listed = listed_by_key.get(key, [])
        for item in list(listed):
            match = next((e for e in expected if not differences(e, item)), None)
            if match is not None:
                pairs.append((match, item))
                expected.remove(match)
                listed.remove(item)
        while expected and listed:
            pairs.append((expected.pop(0), listed.pop(0)))
        pairs.extend((None, item) for item in listed)
        pairs.extend((e, None) for e in expected)
    return pairs


def differences(expectation: Expectation, item: Live) -> list[str]:
    """What differs, in plain words; empty when the broadcast is as declared."""
    found: list[str] = []
    if expectation.next_send_time is not None:
        expected = expectation.send_time
        listed = item.send_time
        if expected is None or listed is None or not expected.same_as(listed):
            found.append(
                f"next send {item.broadcast.next_send_time or 'not given'}, "
                f"declared {expectation.next_send_time}" + _moved(expected, listed)
            )
    if (
        expectation.schedule_type is not None
        and expectation.schedule_type != item.broadcast.schedule_type
    ):
        found.append(
            f"schedule type {item.broadcast.schedule_type or 'not given'}, "
            f"declared {expectation.schedule_type}"
        )
    return found


def _moved(expected: SendTime | None, listed: SendTime | None) -> str:
    if expected is None or listed is None:
        return ""
    if expected.has_zone and listed.has_zone:
        delta = listed.first - expected.first
    else:
        delta = _minute(listed.wall) - _minute(expected.wall)
    sign = "+" if delta >= timedelta(0) else "-"
    return f" (moved {sign}{format_duration(delta)})"


def dashboard_entries(
    desired: Mapping[str, Resource],
    listing: Iterable[Mapping[str, Any]],
    now: datetime,
    end: datetime,
    freeze: timedelta,
    listing_end_time: str,
) -> tuple[list[AuditEntry], list[str]]:
    """The dashboard's part of the calendar (due by ``end``), and warnings."""
    live, warnings = read_listing(listing)
    entries: list[AuditEntry] = []
    for expectation, item in pair(expectations_of(desired), live):
        times = [
            t
            for t in (
                item.send_time if item else None,
                expectation.send_time if expectation else None,
            )
            if t is not None
        ]
        if times and not any(
            t.first <= end and t.lifecycle(now, freeze) is not Lifecycle.SENT for t in times
        ):
            continue
        entries.append(_entry(expectation, item, now, freeze, listing_end_time))
    return entries, warnings


def _entry(
    expectation: Expectation | None,
    item: Live | None,
    now: datetime,
    freeze: timedelta,
    listing_end_time: str,
) -> AuditEntry:
    if item is None:
        assert expectation is not None
        return _missing(expectation, now, freeze, listing_end_time)
    broadcast = item.broadcast
    shown = item.send_time
    base = AuditEntry(
        source=Source.DASHBOARD,
        status=Status.UNEXPECTED,
        detail=(
            "scheduled in the dashboard, declared by no DashboardSchedule "
            "(`audit --generate-expectations DIR` drafts one)"
        ),
        send_at=format_utc(shown.first) if shown else None,
        lifecycle=shown.lifecycle(now, freeze).value if shown else None,
        schedule_mode=shown.mode if shown else None,
        schedule_time=broadcast.next_send_time,
        broadcast_id=broadcast.id,
        broadcast_type=broadcast.type,
        name=broadcast.name,
        schedule_type=broadcast.schedule_type,
        tags=tuple(broadcast.tags),
    )
    if shown is None:
        base = dataclasses.replace(
            base,
            detail=base.detail
            + f"; its next_send_time {broadcast.next_send_time!r} cannot be read",
        )
    if expectation is None:
        return base
    found = differences(expectation, item)
    matched = dataclasses.replace(
        base,
        address=expectation.address,
        expected_next_send_time=expectation.next_send_time,
        expected_schedule_type=expectation.schedule_type,
    )
    if found:
        return dataclasses.replace(
            matched,
            status=Status.MISMATCHED,
            detail=f"{'; '.join(found)} (declared at {expectation.source})",
        )
    detail = f"as declared at {expectation.source}"
    if expectation.name is not None and expectation.name != broadcast.name:
        detail += f"; the dashboard now names it {broadcast.name!r}"
    return dataclasses.replace(matched, status=Status.IN_SYNC, detail=detail)


def _missing(
    expectation: Expectation, now: datetime, freeze: timedelta, listing_end_time: str
) -> AuditEntry:
    expected = expectation.send_time
    life = expected.lifecycle(now, freeze) if expected else None
    status = Status.MISSING
    detail = (
        f"declared at {expectation.source}, but Braze lists no such "
        f"{expectation.broadcast_type.lower()} due by {listing_end_time}"
    )
    if life is Lifecycle.SENDING:
        status = Status.UNCERTAIN
        detail = (
            f"declared at {expectation.source}; its send has started in some time zones and "
            "Braze may no longer list a send in progress"
        )
    return AuditEntry(
        source=Source.DASHBOARD,
        status=status,
        detail=detail,
        send_at=format_utc(expected.first) if expected else None,
        lifecycle=life.value if life else None,
        address=expectation.address,
        schedule_mode=expected.mode if expected else None,
        schedule_time=expectation.next_send_time,
        broadcast_id=expectation.broadcast_id,
        broadcast_type=expectation.broadcast_type,
        name=expectation.name,
        expected_next_send_time=expectation.next_send_time,
        expected_schedule_type=expectation.schedule_type,
    )
