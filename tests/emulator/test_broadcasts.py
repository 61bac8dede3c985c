"""The scheduled_broadcasts listing: cutoff at midnight UTC, daily recurrence."""

from __future__ import annotations

from datetime import UTC, datetime

from reconciler.emulator.broadcasts import listing_cutoff, scheduled_broadcasts
from reconciler.emulator.workspace import parse_workspace

SEED = """
campaigns: [{id: c1, name: Newsletter}]
canvases: [{id: k1, name: Daily tip}]
dashboard_schedules:
  - {id: c1, type: Campaign, next_send_time: "2026-12-03T14:00:00Z", schedule_type: UTC}
  - {id: k1, type: Canvas, next_send_time: "2026-11-01T08:00:00Z", schedule_type: UTC,
     recurring: daily, name: Tip of the day, tags: [tips]}
"""


def test_cutoff_is_midnight_utc_of_the_date_written() -> None:
    assert listing_cutoff("2026-12-03T23:59:00-05:00") == datetime(2026, 12, 3, tzinfo=UTC)
    assert listing_cutoff("2026-12-04") == datetime(2026, 12, 4, tzinfo=UTC)


def test_listing() -> None:
    workspace = parse_workspace(SEED, "seed.yaml")
    now = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    listed = scheduled_broadcasts(workspace, now, "2026-12-04T00:00:00Z")
    assert listed == [
        {
            "name": "Tip of the day",
            "id": "k1",
            "type": "Canvas",
            "tags": ["tips"],
            "next_send_time": "2026-11-11T08:00:00Z",
            "schedule_type": "UTC",
        },
        {
            "name": "Newsletter",
            "id": "c1",
            "type": "Campaign",
            "tags": [],
            "next_send_time": "2026-12-03T14:00:00Z",
            "schedule_type": "UTC",
        },
    ]
    assert [b["id"] for b in scheduled_broadcasts(workspace, now, "2026-11-11")] == []
    after = datetime(2026, 12, 5, tzinfo=UTC)
    assert [b["id"] for b in scheduled_broadcasts(workspace, after, "2027-01-01")] == ["k1"]
