"""Properties of the planner, over generated desired and recorded states.

Each example is a handful of addresses, each with an optional desired resource (kind, send
time relative to ``NOW``: pending, frozen, sending, sent; a body variant Braze can update in
place and one it cannot; protect; labels) and an optional ledger record of another variant
(active, adopted, uncertain or fired). Plans are applied by the real ``Applier`` with a real
in-memory ledger, through the real client, to a fake Braze behind ``httpx.MockTransport``
that keeps the live schedules and every call it receives.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sqlite3
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from hypothesis import event, given
from hypothesis import strategies as st

from reconciler.apply import Applier, ApplyReport, Status
from reconciler.braze.client import BrazeClient
from reconciler.braze.models import unique_audience_key
from reconciler.manifest.resource import Resource
from reconciler.plan.model import Action, BlockCode, Plan, PlanOptions
from reconciler.plan.planner import plan
from reconciler.sendtime import Lifecycle, lifecycle
from reconciler.state.base import Intent, Outcome, Record, RecordStatus
from reconciler.state.sqlite import SqliteStore
from tests.evidence.conftest import PROPERTY_SETTINGS
from tests.plan.helpers import (
    CAMPAIGN,
    CANVAS,
    NOW,
    SEGMENT,
    recorded,
    resource,
    through_json,
    wordless,
)

OTHER_SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"
TIMES = {
    "pending": ("2026-12-05T10:00:00Z", False),
    "pending-later": ("2026-12-06T12:00:00Z", False),
    "frozen": ("2026-12-01T08:10:00Z", False),
    "sent": ("2026-11-30T10:00:00Z", False),
    "local-pending": ("2026-12-05T10:00:00", True),
    "local-sending": ("2026-12-01T20:00:00", True),
}
KINDS = ("ScheduledMessage", "CampaignSchedule", "CanvasSchedule", "SendId")


@dataclasses.dataclass(frozen=True)
class Variant:
    """One version of a resource: which time, which fixed-field and updatable-field values."""

    time: str
    fixed: int
    """A field Braze cannot update (a replace when it changes)."""
    updatable: int
    """A field Braze can update in place (messages; schedules use ``time``)."""
    protect: bool
    team: int


@functools.cache
def build(kind: str, name: str, variant: Variant) -> Resource:
    time, local = TIMES[variant.time]
    schedule = f'{{time: "{time}"' + (", in_local_time: true}" if local else "}")
    head = (
        f"kind: {kind}\nname: {name}\nprotect: {str(variant.protect).lower()}\n"
        f"labels: {{team: t{variant.team}}}\nspec:\n"
    )
    if kind == "ScheduledMessage":
        segment = (SEGMENT, OTHER_SEGMENT)[variant.fixed]
        spec = (
            f"  broadcast: true\n  segment_id: {segment}\n  schedule: {schedule}\n"
            f'  messages:\n    apple_push: {{alert: "Sale {variant.updatable}"}}\n'
        )
    elif kind == "CampaignSchedule":
        spec = (
            f"  campaign_id: {CAMPAIGN}\n  broadcast: true\n"
            f"  trigger_properties: {{discount: {10 + variant.fixed}}}\n  schedule: {schedule}\n"
        )
    elif kind == "CanvasSchedule":
        offer = ("FREESHIP", "GIFT")[variant.fixed]
        spec = (
            f"  canvas_id: {CANVAS}\n  broadcast: true\n  context: {{offer: {offer}}}\n"
            f"  schedule: {schedule}\n"
        )
    else:
        spec = f"  campaign_id: {CAMPAIGN}\n  send_id: {name}-{variant.fixed}\n"
    return resource(head + spec)


# Pending times are the common case; every other lifecycle is still drawn often.
times = st.sampled_from(["pending", "pending", "pending-later", "local-pending", *sorted(TIMES)])
variants = st.builds(
    Variant,
    time=times,
    fixed=st.integers(0, 1),
    updatable=st.integers(0, 1),
    protect=st.booleans(),
    team=st.integers(0, 1),
)
STATUSES = (RecordStatus.ACTIVE, RecordStatus.ADOPTED, RecordStatus.UNCERTAIN, RecordStatus.FIRED)
statuses = st.sampled_from([RecordStatus.ACTIVE] * 4 + list(STATUSES))
EDITS = ("same", "time", "fixed", "updatable", "protect", "team", "other")


@st.composite
def edited(draw: st.DrawFn, variant: Variant) -> Variant:
    """The variant the ledger holds: the desired one, or it with one field changed."""
    edit = draw(st.sampled_from(EDITS))
    if edit == "same":
        return variant
    if edit == "time":
        return dataclasses.replace(variant, time=draw(times.filter(lambda t: t != variant.time)))
    if edit == "other":
        return draw(variants)
    if edit == "fixed":
        return dataclasses.replace(variant, fixed=1 - variant.fixed)
    if edit == "updatable":
        return dataclasses.replace(variant, updatable=1 - variant.updatable)
    if edit == "team":
        return dataclasses.replace(variant, team=1 - variant.team)
    return dataclasses.replace(variant, protect=not variant.protect)


@dataclasses.dataclass(frozen=True)
class Scenario:
    desired: dict[str, Resource]
    recorded: dict[str, Record]


@st.composite
def scenarios(draw: st.DrawFn, max_size: int = 6) -> Scenario:
    desired: dict[str, Resource] = {}
    records: dict[str, Record] = {}
    size = draw(st.integers(1, max_size))
    for index in range(size):
        name = f"r{index}"
        kind = draw(st.sampled_from(KINDS))
        presence = draw(st.sampled_from(["both", "both", "both", "desired", "recorded"]))
        want = draw(variants)
        if presence != "recorded":
            found = build(kind, name, want)
            desired[found.address] = found
        if presence == "desired":
            continue
        status = draw(statuses)
        source = build(kind, name, draw(edited(want)))
        if status is RecordStatus.ADOPTED and kind == "SendId":
            status = RecordStatus.ACTIVE  # `import` adopts schedules only
        record = recorded(source, schedule_id=f"sched-{name}", status=status)
        if status is RecordStatus.ADOPTED:
            record = dataclasses.replace(record, body=None, body_hash=None)
        elif status is RecordStatus.UNCERTAIN:
            record = dataclasses.replace(record, schedule_id=None)
        records[record.address] = record
    return Scenario(desired, records)


class MemoryStore(SqliteStore):
    """The SQLite ledger in memory: no file, no WAL, nothing to sync."""

    def _configure(self, conn: sqlite3.Connection) -> None:
        pass


def record_lifecycle(record: Record, now: datetime) -> Lifecycle | None:
    if record.schedule_mode is None or record.schedule_time is None:
        return None
    return lifecycle(record.schedule_mode, record.schedule_time, now)


# -- a fake Braze ---------------------------------------------------------------------------


class FakeBraze:
    """Live schedules by id, every call in order, and chosen faults for chosen schedule ids."""

    def __init__(self, records: dict[str, Record], now: datetime) -> None:
        self.live: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.faults: dict[str, str] = {}
        self._lock = threading.Lock()
        for record in records.values():
            gone = record_lifecycle(record, now) is Lifecycle.SENT
            if record.schedule_id and record.status is not RecordStatus.FIRED and not gone:
                self.live[record.schedule_id] = dict(record.body or {"adopted": True})

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body: dict[str, Any] = json.loads(request.content)
        with self._lock:
            self.calls.append((path, body))
            schedule_id = body.get("schedule_id")
            fault = self.faults.get(str(schedule_id))
            if fault == "timeout":
                raise httpx.ReadTimeout("no answer", request=request)
            if fault == "bad-request":
                return httpx.Response(400, json={"message": "Bad Request"})
            if path == "/sends/id/create":
                return httpx.Response(201, json={"message": "success", "send_id": body["send_id"]})
            if path.endswith("/create"):
                new_id = str(uuid.uuid4())
                self.live[new_id] = body
                return httpx.Response(
                    201, json={"schedule_id": new_id, "dispatch_id": "d", "message": "success"}
                )
            if schedule_id not in self.live:
                return httpx.Response(400, json={"message": "Invalid schedule_id"})
            if path.endswith("/delete"):
                del self.live[schedule_id]
            else:
                self.live[schedule_id] = self.live[schedule_id] | {
                    k: v for k, v in body.items() if k in ("schedule", "messages")
                }
            return httpx.Response(201, json={"message": "success"})


@dataclasses.dataclass
class Applied:
    report: ApplyReport
    records: dict[str, Record]
    intents: list[Intent]
    braze: FakeBraze


def apply_in_memory(
    scenario: Scenario, to_apply: Plan, now: datetime, faults: dict[str, str] | None = None
) -> Applied:
    braze = FakeBraze(scenario.recorded, now)
    braze.faults = faults or {}
    with MemoryStore(Path(":memory:"), "default") as store:
        for record in scenario.recorded.values():
            store.put(record)
        client = BrazeClient(
            "http://braze.test",
            "property-test-key",
            transport=httpx.MockTransport(braze.handle),
            sleep=lambda _seconds: None,
            audience_key=unique_audience_key,
        )
        with client:
            report = Applier(store, client, run_id="prop", parallelism=4).apply(to_apply)
        return Applied(report, store.records(), store.intents(), braze)


def plan_of(scenario: Scenario, options: PlanOptions, now: datetime = NOW) -> Plan:
    return plan(scenario.desired, scenario.recorded, now, options)


# -- the properties -------------------------------------------------------------------------


def blocked_changes(result: Plan) -> dict[str, tuple[Action, BlockCode]]:
    return {c.address: (c.action, c.blocked.code) for c in result.changes if c.blocked}


def pending_changes(result: Plan) -> dict[str, tuple[Action, BlockCode | None]]:
    return {
        c.address: (c.action, c.blocked.code if c.blocked else None)
        for c in result.changes
        if c.is_change
    }


def assert_ledger_agrees_with_braze(applied: Applied, now: datetime) -> None:
    for record in applied.records.values():
        if record.status is not RecordStatus.ACTIVE or record.kind == "SendId":
            continue
        if record_lifecycle(record, now) is Lifecycle.SENT:
            continue
        assert record.schedule_id is not None
        live = applied.braze.live[record.schedule_id]
        assert record.body is not None
        assert live["schedule"] == record.body["schedule"]
        assert live.get("messages") == record.body.get("messages")


@PROPERTY_SETTINGS
@given(scenarios(), st.booleans())
def test_plan_after_apply_is_empty_but_for_blocked_changes(
    scenario: Scenario, allow_late: bool
) -> None:
    options = PlanOptions(allow_late=allow_late)
    first = plan_of(scenario, options)
    applied = apply_in_memory(scenario, first, NOW)
    assert all(r.status is Status.DONE for r in applied.report.results), applied.report.results
    assert_ledger_agrees_with_braze(applied, NOW)
    after_first = Scenario(scenario.desired, applied.records)
    second = plan_of(after_first, options)
    left = pending_changes(second)
    # What the first plan blocked stays blocked, for the same reason; except deletes blocked
    # for removing every managed resource, which are no longer "every" once this in-memory
    # apply (unlike a real one, which refuses a plan with any blocked change) created others.
    grew = any(c.action is Action.CREATE and c.blocked is None for c in first.changes)
    kept = {
        address: blocked
        for address, blocked in blocked_changes(first).items()
        if not (grew and blocked[1] is BlockCode.DESTROY_THRESHOLD)
    }
    assert {a: left[a] for a in kept} == kept
    # The one exception: a schedule that has sent, whose manifest now holds another body that
    # is not pending (frozen, sending or past), is first forgotten, and only the next plan
    # offers its create (blocked, or allowed late): two applies to converge.
    forgotten = {c.address for c in first.changes if c.action is Action.FORGET}
    for address, (action, _) in left.items():
        if address not in blocked_changes(first):
            assert address in forgotten, (address, action)
            assert action is Action.CREATE, (address, action)
            assert scenario.desired[address].body_hash != scenario.recorded[address].body_hash
    # The second apply converges: only blocked changes remain, and they stay blocked.
    applied = apply_in_memory(after_first, second, NOW)
    assert all(r.status is Status.DONE for r in applied.report.results), applied.report.results
    third = plan_of(Scenario(scenario.desired, applied.records), options)
    assert pending_changes(third) == {a: (b, c) for a, (b, c) in blocked_changes(second).items()}


@PROPERTY_SETTINGS
@given(scenarios(), st.booleans(), st.booleans(), st.sampled_from([0, 900, 3600]))
def test_planning_is_deterministic(
    scenario: Scenario, allow_late: bool, allow_destroy: bool, freeze: int
) -> None:
    options = PlanOptions(
        allow_late=allow_late, allow_destroy=allow_destroy, freeze_window_seconds=freeze
    )
    first = plan_of(scenario, options)
    reordered = Scenario(
        dict(reversed(list(scenario.desired.items()))),
        dict(reversed(list(scenario.recorded.items()))),
    )
    assert plan_of(reordered, options) == first
    assert plan_of(scenario, options) == first
    assert through_json(first) == wordless(first)
    assert [c.address for c in first.changes] == sorted(c.address for c in first.changes)


FaultMap = dict[str, str]


@PROPERTY_SETTINGS
@given(
    scenarios(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([timedelta(0), timedelta(minutes=10), timedelta(days=1)]),
    st.dictionaries(
        st.sampled_from([f"sched-r{i}" for i in range(6)]),
        st.sampled_from(["timeout", "bad-request"]),
    ),
)
def test_the_applier_never_creates_an_uncertain_one_replaces_delete_first_and_leaves_fired_alone(
    scenario: Scenario,
    allow_late: bool,
    allow_destroy: bool,
    later: timedelta,
    faults: FaultMap,
) -> None:
    """Also for a saved plan applied later: ``apply --plan`` applies the plan made again at
    apply time (and only when it equals the reviewed one), so the gates are those of then."""
    options = PlanOptions(allow_late=allow_late, allow_destroy=allow_destroy)
    reviewed = plan_of(scenario, options)
    now = NOW + later
    to_apply = plan_of(scenario, options, now) if later else reviewed
    applied = apply_in_memory(scenario, to_apply, now, faults)
    for change in to_apply.changes:
        event(f"{change.action.value}{' blocked' if change.blocked else ''}")

    uncertain = {a for a, r in scenario.recorded.items() if r.status is RecordStatus.UNCERTAIN}
    by_address: dict[str, list[Intent]] = {}
    for intent in applied.intents:
        by_address.setdefault(intent.address, []).append(intent)

    # 1. an uncertain create is never created again (nor deleted: it has no schedule id)
    for address in uncertain:
        change = next(c for c in reviewed.changes if c.address == address)
        assert change.requests == ()
        assert change.action is Action.FORGET or (
            change.blocked is not None and change.blocked.code is BlockCode.UNCERTAIN
        )
        assert address not in by_address

    # 2. a replace deletes first, and creates only once the delete is known to be done
    for change in reviewed.changes:
        if change.action is Action.REPLACE:
            delete, create = change.requests
            assert (delete.call, create.call) == ("delete", "create")
            assert delete.body["schedule_id"] == scenario.recorded[change.address].schedule_id
            assert create.body == change.after
    for change in to_apply.changes:
        if change.action is not Action.REPLACE or change.blocked is not None:
            continue
        intents = by_address[change.address]
        assert intents[0].action == "delete"
        if intents[0].outcome is Outcome.SUCCEEDED:
            assert [i.action for i in intents] == ["delete", "create"]
        else:
            assert [i.action for i in intents] == ["delete"]
            result = next(r for r in applied.report.results if r.address == change.address)
            assert result.status is not Status.DONE

    # 3. nothing fired or sent is touched; a sending schedule only by the emergency stop (a
    # delete of one no longer declared, with --allow-late); nothing is created in the past
    untouchable = {
        r.schedule_id
        for r in scenario.recorded.values()
        if r.schedule_id
        and (r.status is RecordStatus.FIRED or record_lifecycle(r, now) is Lifecycle.SENT)
    }
    sending = {
        r.schedule_id: address
        for address, r in scenario.recorded.items()
        if r.schedule_id
        and r.status is not RecordStatus.FIRED
        and record_lifecycle(r, now) is Lifecycle.SENDING
    }
    for intent in applied.intents:
        if intent.action in ("update", "delete"):
            assert intent.body["schedule_id"] not in untouchable, intent
            if intent.body["schedule_id"] in sending:
                assert intent.action == "delete", intent
                assert allow_late, intent
                assert sending[intent.body["schedule_id"]] not in scenario.desired, intent
        else:
            desired = scenario.desired[intent.address]
            if desired.schedule_mode is not None and desired.schedule_time is not None:
                life = lifecycle(desired.schedule_mode, desired.schedule_time, now)
                assert life in (Lifecycle.PENDING, Lifecycle.FROZEN), intent
                assert life is Lifecycle.PENDING or allow_late, intent
    for path, body in applied.braze.calls:
        if not path.endswith("/create"):
            assert body["schedule_id"] not in untouchable, (path, body)
            if body["schedule_id"] in sending:
                assert path.endswith("/delete"), (path, body)
