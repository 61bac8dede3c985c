"""Records and bodies that use every field, so round trips prove something."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconciler.canonical import content_hash
from reconciler.state import Record, RecordStatus

CREATED = datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=UTC)
UPDATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def body(name: str, *, local: bool = False) -> dict[str, Any]:
    return {
        "canvas_id": f"canvas-{name}",
        "broadcast": True,
        "canvas_entry_properties": {"discount": 20, "note": "ünïcode ✓", "ratio": 0.25},
        "schedule": {"time": "2026-11-27T09:00:00", "in_local_time": True}
        if local
        else {"time": "2026-11-27T09:00:00Z"},
    }


def full_record(address: str, **changes: Any) -> Record:
    sent = body(address)
    values: dict[str, Any] = {
        "address": address,
        "kind": "CanvasSchedule",
        "status": RecordStatus.ACTIVE,
        "parent_id": sent["canvas_id"],
        "schedule_id": f"sched-{address}",
        "dispatch_id": f"disp-{address}",
        "body": sent,
        "body_hash": content_hash(sent),
        "schedule_time": "2026-11-27T09:00:00Z",
        "schedule_mode": "utc",
        "protect": True,
        "labels": {"team": "growth", "tier": "gold"},
        "notices": ("some users are not subscribed",),
        "unknown_outcome": None,
        "created_at": CREATED,
        "updated_at": UPDATED,
    }
    values.update(changes)
    return Record(**values)
