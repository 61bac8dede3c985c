"""Plain data for audit tests: expectations through the real loader, listing items as Braze
sends them, and a sample report that covers every status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from reconciler.audit.calendar import audit
from reconciler.audit.report import AuditReport
from reconciler.manifest.resource import Resource
from reconciler.render.reasons import WORDS
from reconciler.state.base import Record, RecordStatus
from tests.plan.helpers import NOW, campaign, canvas, evolve, message, recorded, resource, send_id

NEWSLETTER = "3d4847b5-37fd-4361-8fb8-870321373791"
ADVENT = "0b6c2f4e-5f0a-4d0e-9a57-6d1c4b1e2a90"
HORIZON = timedelta(days=30)


def expectation(
    name: str,
    *,
    campaign_id: str | None = NEWSLETTER,
    canvas_id: str | None = None,
    next_send_time: str | None = None,
    schedule_type: str | None = None,
    title: str | None = None,
) -> Resource:
    lines = ["kind: DashboardSchedule", f"name: {name}", "spec:"]
    if canvas_id is not None:
        lines.append(f"  canvas_id: {canvas_id}")
    elif campaign_id is not None:
        lines.append(f"  campaign_id: {campaign_id}")
    if title is not None:
        lines.append(f'  name: "{title}"')
    if next_send_time is not None:
        lines.append(f'  next_send_time: "{next_send_time}"')
    if schedule_type is not None:
        lines.append(f"  schedule_type: {schedule_type}")
    return resource("\n".join(lines) + "\n")


def listed(
    broadcast_id: str = NEWSLETTER,
    *,
    type_: str = "Campaign",
    name: str = "December newsletter",
    next_send_time: str | None = "2026-12-03T14:00:00-05:00",
    schedule_type: str | None = "America/New_York",
    tags: Iterable[str] = (),
) -> dict[str, Any]:
    return {
        "name": name,
        "id": broadcast_id,
        "type": type_,
        "tags": list(tags),
        "next_send_time": next_send_time,
        "schedule_type": schedule_type,
    }


def by_address(*items: Resource | Record) -> dict[str, Any]:
    return {item.address: item for item in items}


def run(
    desired: Iterable[Resource] = (),
    records: Iterable[Record] = (),
    listing: Iterable[Mapping[str, Any]] = (),
    horizon: timedelta = HORIZON,
) -> AuditReport:
    return audit(
        {r.address: r for r in desired},
        {r.address: r for r in records},
        listing,
        NOW,
        horizon,
        words=WORDS,
    )


def sample_report() -> AuditReport:
    """One entry of every status, from both sources."""
    moved = campaign("gift-guide", time="2026-12-06T10:00:00", local=True)
    desired = [
        moved,
        message("flash-sale"),
        canvas("onboarding"),
        send_id(),
        expectation("december-newsletter", next_send_time="2026-12-03T14:00:00-05:00"),
        expectation("advent-calendar", canvas_id=ADVENT, schedule_type="local_time_zones"),
        expectation("weekly-digest", campaign_id="5f1c0a2e-9d7b-4c3e-8a6f-1b2c3d4e5f60"),
    ]
    records = [
        recorded(campaign("gift-guide", time="2026-12-05T10:00:00", local=True), schedule_id="s-1"),
        recorded(message("flash-sale"), schedule_id="s-2"),
        evolve(recorded(canvas("onboarding")), status=RecordStatus.UNCERTAIN, schedule_id=None),
        recorded(message("retired", time="2026-12-12T09:00:00Z"), schedule_id="s-4"),
    ]
    listing = [
        listed(next_send_time="2026-12-03T15:00:00-05:00"),
        listed(
            ADVENT,
            type_="Canvas",
            name="Advent calendar",
            next_send_time="2026-12-02T09:00:00",
            schedule_type="local_time_zones",
        ),
        listed(
            "7a0e3c1d-2b4f-4e6a-9c8d-0f1e2d3c4b5a",
            name="Spring | teaser <b>",
            next_send_time="2026-12-20 10:00:00",
            schedule_type="intelligent_delivery",
            tags=["spring"],
        ),
    ]
    return run(desired, records, listing)
