"""GET /messages/scheduled_broadcasts: the dashboard schedules due between now and end_time.

Only the seed's dashboard schedules are listed, never a schedule created through the API
(braze-docs PR #7249: "the endpoint only returns dashboard-scheduled campaigns").

Readings where Braze is terse:

- ``end_time`` "is treated as midnight in UTC time": the date written in ``end_time`` (its
  time of day and offset ignored), at 00:00 UTC, is the cutoff, inclusive. To list a whole
  day, pass the next day.
- A send time without zone (local time zones, Intelligent Timing) is compared as if it were
  UTC, the reference from which the send spreads over the zones.
- A ``recurring: daily`` broadcast is listed once, at its first occurrence after now; its
  ``next_send_time`` keeps the zone it was written with.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulator.workspace import DashboardSchedule, Workspace
from reconciler.timeutil import parse_iso

DAY = timedelta(days=1)


def listing_cutoff(end_time: str) -> datetime:
    """Midnight UTC of the date written in ``end_time``."""
    written = parse_iso(end_time)
    return datetime(written.year, written.month, written.day, tzinfo=UTC)


def next_occurrence(schedule: DashboardSchedule, now: datetime) -> tuple[datetime, str]:
    """The next send (as an instant, and as written), or the only one if not recurring."""
    instant = schedule.first_instant()
    if schedule.recurring != "daily" or instant > now:
        return instant, schedule.next_send_time
    days = math.floor((now - instant) / DAY) + 1
    shifted = parse_iso(schedule.next_send_time) + days * DAY
    text = shifted.isoformat()
    if schedule.next_send_time.endswith(("Z", "z")):
        text = text.replace("+00:00", "Z")
    return instant + days * DAY, text


def scheduled_broadcasts(
    workspace: Workspace, now: datetime, end_time: str
) -> list[dict[str, Any]]:
    cutoff = listing_cutoff(end_time)
    due: list[tuple[datetime, dict[str, Any]]] = []
    for schedule in workspace.dashboard_schedules:
        instant, written = next_occurrence(schedule, now)
        if not now < instant <= cutoff:
            continue
        parent = (
            workspace.campaign_by_id.get(schedule.id)
            if schedule.type == "Campaign"
            else workspace.canvas_by_id.get(schedule.id)
        )
        name = schedule.name if schedule.name is not None else parent.name if parent else ""
        item = {
            "name": name,
            "id": schedule.id,
            "type": schedule.type,
            "tags": list(schedule.tags),
            "next_send_time": written,
            "schedule_type": schedule.schedule_type,
        }
        due.append((instant, item))
    due.sort(key=lambda pair: (pair[0], pair[1]["id"]))
    return [item for _, item in due]
