"""Plain-data builders for planner tests: resources come from YAML through the real loader."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from reconciler.manifest.resource import Resource
from reconciler.manifest.validate import DocumentContext, validate_document
from reconciler.manifest.yamlload import compose_documents
from reconciler.plan.model import Plan
from reconciler.render.json_render import plan_document
from reconciler.state.base import Record, RecordStatus

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"
CANVAS = "3581a480-4930-4bfa-a41e-da73bfe8cc92"
SEGMENT = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02"


def resource(text: str) -> Resource:
    (document,) = compose_documents(text)
    found, diagnostics = validate_document(DocumentContext("test.yaml", document), NOW)
    assert found is not None, [d.headline() for d in diagnostics]
    return found


def campaign(
    name: str = "gift-guide",
    *,
    time: str = "2026-12-05T10:00:00Z",
    local: bool = False,
    extra: str = "",
    protect: bool = False,
    labels: str = "{team: growth}",
) -> Resource:
    local_line = "\n    in_local_time: true" if local else ""
    return resource(
        f"""kind: CampaignSchedule
name: {name}
protect: {str(protect).lower()}
labels: {labels}
spec:
  campaign_id: {CAMPAIGN}
  broadcast: true{extra}
  schedule:
    time: "{time}"{local_line}
"""
    )


def message(
    name: str = "flash-sale", *, time: str = "2026-12-03T15:00:00Z", alert: str = "Sale"
) -> Resource:
    return resource(
        f"""kind: ScheduledMessage
name: {name}
spec:
  broadcast: true
  segment_id: {SEGMENT}
  schedule: {{time: "{time}"}}
  messages:
    apple_push: {{alert: "{alert}"}}
"""
    )


def canvas(name: str = "onboarding", *, time: str = "2026-12-09T09:00:00Z") -> Resource:
    return resource(
        f"""kind: CanvasSchedule
name: {name}
spec:
  canvas_id: {CANVAS}
  broadcast: true
  context: {{offer: FREESHIP}}
  schedule: {{time: "{time}"}}
"""
    )


def send_id(name: str = "flash-2026", value: str = "flash-2026") -> Resource:
    return resource(
        f"""kind: SendId
name: {name}
spec:
  campaign_id: {CAMPAIGN}
  send_id: {value}
"""
    )


def recorded(
    source: Resource, *, schedule_id: str = "sched-1", status: RecordStatus = RecordStatus.ACTIVE
) -> Record:
    """The ledger record an apply of ``source`` leaves."""
    return Record(
        address=source.address,
        kind=source.kind,
        status=status,
        parent_id=source.parent_id,
        schedule_id=None if source.kind == "SendId" else schedule_id,
        body=dict(source.body),
        body_hash=source.body_hash,
        schedule_time=source.schedule_time,
        schedule_mode=source.schedule_mode,
        protect=source.protect,
        labels=dict(source.labels),
        created_at=NOW,
        updated_at=NOW,
    )


def evolve(record: Record, **fields: Any) -> Record:
    return dataclasses.replace(record, **fields)


def through_json(plan: Plan) -> Plan:
    """The plan written in its JSON form and read back by the model, as a saved plan is."""
    return Plan.model_validate_json(json.dumps(plan_document(plan)))


def wordless(plan: Plan) -> Plan:
    """The plan without the reasons and notes that its JSON form holds as words only."""
    return plan.evolve(changes=tuple(c.evolve(reasons=(), notes=()) for c in plan.changes))
