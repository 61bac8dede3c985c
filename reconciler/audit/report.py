"""The audit report is data: ``AuditReport`` of ``AuditEntry``s, round-tripping JSON.

Every renderer reads ``AuditReport.to_dict()``; nothing in it needs the ledger, the manifests
or Braze again. Each entry is one upcoming send (or one pending change) with its ``status``;
``detail`` says in plain words why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from reconciler.timeutil import format_duration, format_utc, parse_instant

FORMAT_VERSION = 1


class Source(StrEnum):
    LEDGER = "ledger"
    """A managed API schedule, as the ledger records it."""
    MANIFEST = "manifest"
    """A desired resource that is not in the ledger yet."""
    DASHBOARD = "dashboard"
    """A broadcast scheduled in the Braze dashboard (GET /messages/scheduled_broadcasts)."""


class Status(StrEnum):
    IN_SYNC = "in_sync"
    PENDING_CHANGE = "pending_change"
    """The manifests differ from the ledger: the next apply changes Braze."""
    UNCERTAIN = "uncertain"
    """Whether Braze holds (or changed) the schedule is not known."""
    UNEXPECTED = "unexpected"
    """Live in the dashboard, declared by no DashboardSchedule."""
    MISSING = "missing"
    """Declared by a DashboardSchedule, not live."""
    MISMATCHED = "mismatched"
    """Declared and live, with another next send time or schedule type."""


STATUS_ORDER = list(Status)

AS_APPLIED = "as applied (Braze cannot list them)"
"""An API schedule in sync: Braze cannot list API-created schedules, so the audit knows only
that the ledger recorded it as applied and the manifests still ask for it."""


def in_sync_words(entries: Iterable[Mapping[str, Any]]) -> str:
    """What "in sync" rests on: ``2 dashboard broadcasts as listed, 3 API schedules as applied
    (Braze cannot list them)``; from ``AuditReport.to_dict()``'s entries."""
    in_sync = [e for e in entries if e["status"] == Status.IN_SYNC]
    applied = sum(1 for e in in_sync if e["source"] == Source.LEDGER)
    listed = sum(1 for e in in_sync if e["source"] == Source.DASHBOARD)
    later = len(in_sync) - applied - listed
    parts = []
    if listed:
        parts.append(f"{listed} dashboard broadcast{'s' if listed != 1 else ''} as listed")
    if applied:
        parts.append(f"{applied} API schedule{'s' if applied != 1 else ''} {AS_APPLIED}")
    if later:
        parts.append(
            f"{later} occurrence{'s' if later != 1 else ''} of recurring manifests that a later "
            "apply schedules"
        )
    return ", ".join(parts)


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One item of the calendar. Times are as written (``schedule_time``) and as the first
    instant anyone receives it (``send_at``, UTC)."""

    source: Source
    status: Status
    detail: str
    send_at: str | None = None
    """First send, UTC (the earliest zone for a local-time send); None when unknown."""
    lifecycle: str | None = None
    address: str | None = None
    kind: str | None = None
    schedule_mode: str | None = None
    """``utc``, ``local`` (each user's zone) or ``optimal`` (Intelligent Timing)."""
    schedule_time: str | None = None
    """As recorded, declared or listed: with a zone, or a wall-clock time without one."""
    schedule_id: str | None = None
    action: str | None = None
    """The action the next apply takes (create, update, replace, delete) for a pending change."""
    desired_send_at: str | None = None
    desired_schedule_mode: str | None = None
    desired_schedule_time: str | None = None
    """The manifests' schedule when it differs from the recorded one."""
    broadcast_id: str | None = None
    broadcast_type: str | None = None
    """``Campaign`` or ``Canvas``."""
    name: str | None = None
    schedule_type: str | None = None
    """As Braze lists it: local_time_zones, intelligent_delivery or a time zone name."""
    tags: tuple[str, ...] = ()
    expected_next_send_time: str | None = None
    expected_schedule_type: str | None = None

    @property
    def sort_instant(self) -> datetime:
        times = [parse_instant(t) for t in (self.send_at, self.desired_send_at) if t]
        return min(times) if times else datetime.max.replace(tzinfo=UTC)

    def sort_key(self) -> tuple[datetime, int, str]:
        label = self.address or f"{self.broadcast_type}/{self.broadcast_id}"
        return self.sort_instant, STATUS_ORDER.index(self.status), label

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["source"] = self.source.value
        data["status"] = self.status.value
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        unknown = sorted(set(data) - _ENTRY_FIELDS)
        if unknown:
            raise ValueError(f"unknown audit entry field(s): {', '.join(unknown)}")
        values = dict(data)
        values["source"] = Source(values["source"])
        values["status"] = Status(values["status"])
        values["tags"] = tuple(values.get("tags") or ())
        return cls(**values)


_ENTRY_FIELDS = frozenset(field.name for field in dataclasses.fields(AuditEntry))


@dataclasses.dataclass(frozen=True)
class AuditReport:
    now: str
    horizon_seconds: int
    entries: tuple[AuditEntry, ...]
    listing_end_time: str | None = None
    """The ``end_time`` asked of GET /messages/scheduled_broadcasts."""
    workspace: str | None = None
    endpoint: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def horizon_end(self) -> str:
        return format_utc(parse_instant(self.now) + timedelta(seconds=self.horizon_seconds))

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in STATUS_ORDER}
        for entry in self.entries:
            counts[entry.status.value] += 1
        return counts

    @property
    def drift(self) -> bool:
        return any(entry.status is not Status.IN_SYNC for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "now": self.now,
            "horizon": format_duration(timedelta(seconds=self.horizon_seconds)),
            "horizon_seconds": self.horizon_seconds,
            "horizon_end": self.horizon_end,
            "listing_end_time": self.listing_end_time,
            "workspace": self.workspace,
            "endpoint": self.endpoint,
            "counts": self.counts(),
            "drift": self.drift,
            "warnings": list(self.warnings),
            "entries": [entry.to_dict() for entry in self.entries],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditReport:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(
                f"unsupported audit format_version {version!r} (this tool reads {FORMAT_VERSION})"
            )
        return cls(
            now=str(data["now"]),
            horizon_seconds=int(data["horizon_seconds"]),
            entries=tuple(AuditEntry.from_dict(e) for e in data.get("entries", ())),
            listing_end_time=data.get("listing_end_time"),
            workspace=data.get("workspace"),
            endpoint=data.get("endpoint"),
            warnings=tuple(data.get("warnings", ())),
        )
