"""The pure planner: plain data in, a Plan out; no ledger, no network, the clock a parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.manifest.resource import Resource
from reconciler.plan.model import Action, BlockCode, Change, Plan, PlanOptions
from reconciler.plan.planner import plan
from reconciler.plan.reasons import SCHEDULE_CHANGED, NoteCode, Reason, ReasonCode
from reconciler.render.json_render import plan_document
from reconciler.render.reasons import notes_words, reasons_words
from reconciler.render.words import summary_line
from reconciler.sendtime import Lifecycle
from reconciler.state.base import Record, RecordStatus
from tests.plan.helpers import (
    CAMPAIGN,
    NOW,
    campaign,
    canvas,
    evolve,
    message,
    recorded,
    send_id,
    through_json,
    wordless,
)


def run(
    desired: list[Resource],
    records: list[Record],
    options: PlanOptions | None = None,
    now: datetime = NOW,
) -> Plan:
    return plan({r.address: r for r in desired}, {r.address: r for r in records}, now, options)


def only(result: Plan) -> Change:
    (change,) = result.changes
    return change


def test_create_sends_the_manifest_body() -> None:
    gift = campaign()
    change = only(run([gift], []))
    assert change.action is Action.CREATE
    assert change.blocked is None
    (request,) = change.requests
    assert (request.call, request.path) == ("create", "/campaigns/trigger/schedule/create")
    assert request.body == gift.body
    assert change.send_at == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert change.lifecycle is Lifecycle.PENDING


def test_equal_bodies_are_a_noop_without_diffing() -> None:
    gift = campaign()
    change = only(run([gift], [recorded(gift)]))
    assert change.action is Action.NOOP
    assert change.field_changes == ()
    assert change.requests == ()


def test_a_moved_campaign_schedule_is_an_update_with_the_complete_schedule() -> None:
    before = campaign(time="2026-12-05T10:00:00Z")
    after = campaign(time="2026-12-05T12:00:00", local=True)
    change = only(run([after], [recorded(before)]))
    assert change.action is Action.UPDATE
    assert change.reasons == (SCHEDULE_CHANGED,)
    (request,) = change.requests
    assert request.path == "/campaigns/trigger/schedule/update"
    assert request.body == {
        "campaign_id": CAMPAIGN,
        "schedule_id": "sched-1",
        "schedule": {"time": "2026-12-05T12:00:00", "in_local_time": True},
    }
    assert [(f.path, f.before, f.after) for f in change.field_changes] == [
        ("schedule.in_local_time", None, True),
        ("schedule.time", "2026-12-05T10:00:00Z", "2026-12-05T12:00:00"),
    ]


def test_scheduled_message_update_sends_schedule_and_messages() -> None:
    before = message(alert="Sale")
    after = message(alert="Sale: 30% off")
    change = only(run([after], [recorded(before)]))
    assert change.action is Action.UPDATE
    (request,) = change.requests
    assert request.path == "/messages/schedule/update"
    assert request.body == {
        "schedule_id": "sched-1",
        "schedule": {"time": "2026-12-03T15:00:00Z"},
        "messages": {"apple_push": {"alert": "Sale: 30% off"}},
    }


def test_a_change_braze_cannot_update_is_a_replace_that_deletes_first() -> None:
    before = campaign()
    after = campaign(extra="\n  trigger_properties: {discount: 20}")
    change = only(run([after], [recorded(before)]))
    assert change.action is Action.REPLACE
    assert change.reasons == (
        Reason(code=ReasonCode.FIXED_FIELD_CHANGED, field="trigger_properties"),
    )
    assert reasons_words(change) == ["trigger properties changed (Braze cannot update it)"]
    delete, create = change.requests
    assert (delete.call, delete.body) == (
        "delete",
        {"campaign_id": CAMPAIGN, "schedule_id": "sched-1"},
    )
    assert (create.call, create.body) == ("create", after.body)


def test_canvas_context_change_is_a_replace() -> None:
    before = canvas()
    after_body = dict(canvas().body) | {"context": {"offer": "GIFT"}}
    after = canvas()
    after = Resource(**{**after.__dict__, "body": after_body, "body_hash": "sha256:other"})
    change = only(run([after], [recorded(before)]))
    assert change.action is Action.REPLACE
    assert reasons_words(change) == ["Canvas context changed (Braze cannot update it)"]
    assert change.requests[0].path == "/canvas/trigger/schedule/delete"


def test_delete_when_no_longer_declared() -> None:
    gone = campaign()
    change = only(run([], [recorded(gone)]))
    assert change.action is Action.DELETE
    assert change.reasons == (Reason(code=ReasonCode.NOT_DECLARED),)
    (request,) = change.requests
    assert request.body == {"campaign_id": CAMPAIGN, "schedule_id": "sched-1"}


def test_a_fired_schedule_is_forgotten_not_deleted() -> None:
    old = campaign(time="2026-11-30T10:00:00Z")
    change = only(run([old], [recorded(old)]))
    assert change.action is Action.FORGET
    assert change.requests == ()
    # and once forgotten (a fired tombstone), the manifest may stay in git: no change
    tombstone = evolve(recorded(old), status=RecordStatus.FIRED)
    assert only(run([old], [tombstone])).action is Action.NOOP
    assert run([], [tombstone]).changes == ()


def test_a_new_body_after_a_fired_one_is_a_create_that_needs_allow_resend() -> None:
    old = campaign(time="2026-11-30T10:00:00Z")
    new = campaign(time="2026-12-07T10:00:00Z")
    tombstone = evolve(recorded(old), status=RecordStatus.FIRED)
    change = only(run([new], [tombstone]))
    assert change.action is Action.CREATE
    assert change.reasons == (Reason(code=ReasonCode.RESEND, time="2026-11-30T10:00:00Z"),)
    assert reasons_words(change) == [
        "the previous schedule was sent (2026-11-30T10:00:00Z); this is a new send"
    ]
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.RESEND
    assert change.blocked.reason.startswith(
        "this resource's schedule already sent (2026-11-30T10:00:00Z); creating the edited one "
        "sends the message again"
    )
    allowed = only(run([new], [tombstone], PlanOptions(allow_resend=True)))
    assert allowed.blocked is None
    # the same when a move arrives after the old time has passed (the record not yet forgotten)
    late = only(run([new], [recorded(old)]))
    assert late.blocked is not None
    assert late.blocked.code is BlockCode.RESEND


def test_creating_in_the_past_is_blocked() -> None:
    change = only(run([campaign(time="2026-11-30T10:00:00Z")], []))
    assert change.action is Action.CREATE
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.PAST


def test_an_uncertain_create_blocks_until_resolved() -> None:
    gift = campaign()
    uncertain = evolve(recorded(gift), status=RecordStatus.UNCERTAIN, schedule_id=None)
    change = only(run([gift], [uncertain]))
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.UNCERTAIN
    assert "state resolve campaign_schedule/gift-guide" in change.blocked.reason
    # also when the manifest was removed meanwhile
    change = only(run([], [uncertain]))
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.UNCERTAIN


def test_a_vanished_record_blocks_without_a_request_until_resolved() -> None:
    gift = campaign()
    vanished = evolve(recorded(gift), status=RecordStatus.VANISHED)
    for desired in ([gift], []):  # desired, or removed from the manifests since
        change = only(run(desired, [vanished]))
        assert change.requests == ()
        assert change.blocked is not None
        assert change.blocked.code is BlockCode.VANISHED
        assert "state resolve campaign_schedule/gift-guide --absent" in change.blocked.reason


def test_a_vanished_record_past_its_send_is_forgotten() -> None:
    old = campaign(time="2026-11-30T10:00:00Z")
    vanished = evolve(recorded(old), status=RecordStatus.VANISHED)
    change = only(run([old], [vanished]))
    assert change.action is Action.FORGET
    assert change.blocked is None


def test_an_uncertain_create_past_its_send_is_forgotten() -> None:
    old = campaign(time="2026-11-30T10:00:00Z")
    uncertain = evolve(recorded(old), status=RecordStatus.UNCERTAIN, schedule_id=None)
    assert only(run([old], [uncertain])).action is Action.FORGET


def test_protect_refuses_delete_and_replace_but_not_update() -> None:
    guarded = campaign(protect=True)
    deleted = only(run([], [recorded(guarded)])).blocked
    assert deleted is not None
    assert deleted.code is BlockCode.PROTECTED
    replaced = campaign(protect=True, extra="\n  trigger_properties: {a: 1}")
    blocked = only(run([replaced], [recorded(guarded)])).blocked
    assert blocked is not None
    assert blocked.code is BlockCode.PROTECTED
    moved = campaign(protect=True, time="2026-12-06T10:00:00Z")
    assert only(run([moved], [recorded(guarded)])).blocked is None


def test_removing_protect_is_a_ledger_only_update() -> None:
    guarded = campaign(protect=True)
    change = only(run([campaign(protect=False)], [recorded(guarded)]))
    assert change.action is Action.UPDATE
    assert change.requests == ()
    assert change.reasons == (Reason(code=ReasonCode.PROTECT_REMOVED),)
    assert change.notes == (NoteCode.LEDGER_ONLY,)
    assert notes_words(change) == ["ledger only: no call to Braze"]


def test_destroy_threshold() -> None:
    managed = [recorded(campaign(f"c{i:02d}")) for i in range(40)]
    keep = [campaign(f"c{i:02d}") for i in range(29)]
    result = run(keep, managed)  # 11 deletes of 40 managed: over 10 and over 25 %
    deletes = [c for c in result.changes if c.action is Action.DELETE]
    assert len(deletes) == 11
    assert all(c.blocked and c.blocked.code is BlockCode.DESTROY_THRESHOLD for c in deletes)
    first = deletes[0].blocked
    assert first is not None
    assert "deletes 11 of 40 managed resources" in first.reason
    allowed = run(keep, managed, PlanOptions(allow_destroy=True))
    assert not allowed.blocked
    # 11 of 100 is under 25 %: not blocked
    many = managed + [recorded(campaign(f"d{i:02d}")) for i in range(60)]
    assert not run(keep + [campaign(f"d{i:02d}") for i in range(60)], many).blocked


def test_destroy_threshold_from_the_configuration() -> None:
    managed = [recorded(campaign(f"c{i:02d}")) for i in range(40)]
    keep = [campaign(f"c{i:02d}") for i in range(29)]  # 11 deletes of 40
    assert not run(keep, managed, PlanOptions(destroy_threshold=20)).blocked
    assert not run(keep, managed, PlanOptions(destroy_percent=50)).blocked
    assert run(keep, managed, PlanOptions(destroy_threshold=2)).blocked
    few = run(keep + [campaign(f"c{i:02d}") for i in range(29, 37)], managed)  # 3 deletes
    assert not few.blocked
    strict = run(
        keep + [campaign(f"c{i:02d}") for i in range(29, 37)],
        managed,
        PlanOptions(destroy_threshold=2, destroy_percent=5),
    )
    blocked = strict.blocked
    assert len(blocked) == 3
    assert blocked[0].blocked is not None
    assert "(more than 2 and more than 5%)" in blocked[0].blocked.reason


def test_deleting_every_managed_resource_needs_allow_destroy_whatever_the_count() -> None:
    managed = [recorded(campaign(f"c{i}")) for i in range(2)]
    emptied = run([campaign("new")], managed)
    deletes = [c for c in emptied.changes if c.action is Action.DELETE]
    assert [c.blocked.code if c.blocked else None for c in deletes] == [
        BlockCode.DESTROY_THRESHOLD,
        BlockCode.DESTROY_THRESHOLD,
    ]
    assert deletes[0].blocked is not None
    assert "deletes every managed resource of the workspace (2 of 2)" in deletes[0].blocked.reason
    assert not run([], managed, PlanOptions(allow_destroy=True)).blocked
    assert not run([campaign("c0")], managed).blocked, "one of two is not every one"


def test_frozen_needs_allow_late_and_sending_is_always_refused() -> None:
    soon = campaign(time="2026-12-01T08:10:00Z")
    moved = campaign(time="2026-12-02T08:10:00Z")
    change = only(run([moved], [recorded(soon)]))
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.FROZEN
    assert change.blocked.reason.startswith("first send in 10 min, inside the 15 min freeze window")
    assert only(run([moved], [recorded(soon)], PlanOptions(allow_late=True))).blocked is None
    # a local-time schedule whose wall-clock time has reached UTC+14 is sending
    local = campaign(time="2026-12-01T20:00:00", local=True)  # first zone at 06:00 UTC
    later = campaign(time="2026-12-01T21:00:00", local=True)
    change = only(run([later], [recorded(local)], PlanOptions(allow_late=True)))
    assert change.lifecycle is Lifecycle.SENDING
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.SENDING


def test_freeze_window_is_an_option() -> None:
    soon = campaign(time="2026-12-01T08:30:00Z")
    moved = campaign(time="2026-12-02T08:30:00Z")
    assert only(run([moved], [recorded(soon)])).blocked is None
    wide = PlanOptions(freeze_window_seconds=int(timedelta(hours=1).total_seconds()))
    assert only(run([moved], [recorded(soon)], wide)).blocked is not None


def test_targets_select_by_address_glob_and_label() -> None:
    desired = [campaign("a-1"), campaign("a-2", labels="{team: ops}"), message("m-1")]
    by_glob = run(desired, [], PlanOptions(targets=("campaign_schedule/a-*",)))
    assert [c.address for c in by_glob.changes] == [
        "campaign_schedule/a-1",
        "campaign_schedule/a-2",
    ]
    by_label = run(desired, [], PlanOptions(targets=("team=ops",)))
    assert [c.address for c in by_label.changes] == ["campaign_schedule/a-2"]


def test_adopted_record_gets_an_update_that_says_why() -> None:
    gift = campaign()
    adopted = evolve(recorded(gift), status=RecordStatus.ADOPTED, body=None, body_hash=None)
    change = only(run([gift], [adopted]))
    assert change.action is Action.UPDATE
    assert change.reasons == (Reason(code=ReasonCode.ADOPTED),)
    assert change.notes == (NoteCode.ADOPTED_UPDATE,)
    assert "assumed to match" in notes_words(change)[0]
    assert change.requests[0].body["schedule"] == gift.body["schedule"]


def test_send_ids_are_created_and_forgotten_never_deleted() -> None:
    sid = send_id()
    assert only(run([sid], [])).requests[0].path == "/sends/id/create"
    change = only(run([], [recorded(sid)]))
    assert change.action is Action.FORGET
    renamed = send_id(value="flash-2026-b")
    change = only(run([renamed], [recorded(sid)]))
    assert change.action is Action.CREATE


def test_dashboard_schedules_are_not_planned() -> None:
    from tests.plan.helpers import resource

    expectation = resource(
        "kind: DashboardSchedule\nname: news\nspec:\n"
        "  campaign_id: 3d4847b5-37fd-4361-8fb8-870321373791\n"
        "  schedule_type: local_time_zones\n"
    )
    assert run([expectation], []).changes == ()


def test_planning_is_deterministic_and_round_trips_json() -> None:
    desired = [campaign("a"), message("b"), canvas("c")]
    records = [recorded(campaign("a", time="2026-12-06T10:00:00Z")), recorded(message("z"))]
    first, second = run(desired, records), run(desired, records)
    assert first == second
    # Read back from JSON, a plan is the same, but for the words of its reasons and notes:
    # they are for people, and not read back.
    read = through_json(first)
    assert read == wordless(first)
    assert plan_document(read) == plan_document(first) | {
        "changes": [c | {"reasons": [], "notes": []} for c in plan_document(first)["changes"]]
    }
    # In Python, the model's own form keeps everything, codes included.
    assert Plan.model_validate(first.model_dump()) == first
    assert summary_line(first) == (
        "Plan: 2 to create, 1 to update, 0 to replace, 1 to delete, 0 to forget."
    )
