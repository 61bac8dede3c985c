"""The pure planner on renames (``renamed_from``), ``--replace`` and the emergency stop."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.errors import UsageError
from reconciler.manifest.resource import Resource
from reconciler.plan.model import Action, BlockCode, Change, Plan, PlanOptions
from reconciler.plan.planner import plan
from reconciler.plan.reasons import NoteCode, Reason, ReasonCode
from reconciler.plan.replace_check import check_replace
from reconciler.render.reasons import notes_words, reasons_words
from reconciler.state.base import Record, RecordStatus
from tests.plan.helpers import NOW, campaign, evolve, recorded, send_id

LOCAL_SENDING = "2026-12-01T20:00:00"  # in each user's zone: sending since 06:00 UTC


def run(desired: list[Resource], records: list[Record], options: PlanOptions | None = None) -> Plan:
    return plan({r.address: r for r in desired}, {r.address: r for r in records}, NOW, options)


def changes(result: Plan) -> list[Change]:
    return [c for c in result.changes if c.is_change]


def renamed(resource: Resource, old: str) -> Resource:
    return dataclasses.replace(resource, renamed_from=old)


def test_an_unchanged_rename_moves_the_record_and_plans_no_call() -> None:
    old = campaign("gift")
    new = renamed(campaign("gift-2026"), "gift")
    (change,) = changes(run([new], [recorded(old)]))
    assert change.action is Action.RENAME
    assert change.address == "campaign_schedule/gift-2026"
    assert change.moved_from == "campaign_schedule/gift"
    assert change.requests == ()
    assert change.schedule_id == "sched-1"
    assert change.reasons == (Reason(code=ReasonCode.RENAMED, address="campaign_schedule/gift"),)
    assert change.notes == (NoteCode.LEDGER_ONLY,)
    assert run([new], [recorded(old)]).counts()["rename"] == 1


def test_a_rename_that_also_sets_protect_stays_a_rename() -> None:
    new = renamed(campaign("gift-2026", protect=True), "gift")
    (change,) = changes(run([new], [recorded(campaign("gift"))]))
    assert change.action is Action.RENAME
    assert reasons_words(change) == ["renamed from campaign_schedule/gift", "protect set"]
    assert change.protect is True


def test_a_fired_old_name_is_compared_but_not_moved() -> None:
    sent = evolve(recorded(campaign("gift")), status=RecordStatus.FIRED)
    same = renamed(campaign("gift-2026"), "gift")
    (noop,) = run([same], [sent]).changes
    assert noop.action is Action.NOOP
    assert noop.moved_from is None
    edited = renamed(campaign("gift-2026", time="2026-12-06T10:00:00Z"), "gift")
    (resend,) = changes(run([edited], [sent]))
    assert resend.action is Action.CREATE
    assert resend.blocked is not None
    assert resend.blocked.code is BlockCode.RESEND


def test_both_names_in_the_ledger_plans_each_and_warns() -> None:
    new = renamed(campaign("gift-2026"), "gift")
    result = run([new], [recorded(campaign("gift")), recorded(campaign("gift-2026"))])
    (delete,) = changes(result)
    assert (delete.action, delete.address) == (Action.DELETE, "campaign_schedule/gift")
    assert result.warnings == (
        "campaign_schedule/gift-2026: renamed_from campaign_schedule/gift is ignored: both "
        "names are in the ledger, so campaign_schedule/gift is planned on its own (`state rm` "
        "or `state mv` settles which is which)",
    )


def test_an_uncertain_old_record_blocks_with_the_address_to_resolve() -> None:
    uncertain = evolve(recorded(campaign("gift")), status=RecordStatus.UNCERTAIN)
    (change,) = changes(run([renamed(campaign("gift-2026"), "gift")], [uncertain]))
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.UNCERTAIN
    assert "state resolve campaign_schedule/gift --schedule-id" in change.blocked.reason


def test_replace_requested_deletes_and_creates_an_unchanged_resource() -> None:
    gift = campaign()
    (change,) = changes(run([gift], [recorded(gift)], PlanOptions(replace=(gift.address,))))
    assert change.action is Action.REPLACE
    assert change.replace_requested is True
    assert change.reasons == (Reason(code=ReasonCode.REPLACE_REQUESTED),)
    assert [r.call for r in change.requests] == ["delete", "create"]


def test_replace_requested_goes_through_the_gates() -> None:
    gift = campaign(protect=True)
    options = PlanOptions(replace=(gift.address,))
    (change,) = changes(run([gift], [recorded(gift)], options))
    assert change.blocked is not None
    assert change.blocked.code is BlockCode.PROTECTED
    soon = campaign(time="2026-12-01T08:10:00Z")
    (frozen,) = changes(run([soon], [recorded(soon)], PlanOptions(replace=(soon.address,))))
    assert frozen.blocked is not None
    assert frozen.blocked.code is BlockCode.FROZEN


def test_replace_requested_repeats_a_delete_of_unknown_outcome() -> None:
    gift = campaign()
    record = evolve(recorded(gift), unknown_outcome="delete")
    (blocked,) = changes(run([gift], [record]))
    assert blocked.blocked is not None
    assert "apply --replace" in blocked.blocked.reason
    (change,) = changes(run([gift], [record], PlanOptions(replace=(gift.address,))))
    assert change.action is Action.REPLACE
    assert change.blocked is None


def test_replace_is_planned_even_outside_the_targets() -> None:
    gift, other = campaign("gift"), campaign("other")
    options = PlanOptions(targets=("campaign_schedule/other",), replace=(gift.address,))
    result = run([gift, other], [recorded(gift), recorded(other)], options)
    assert [c.address for c in changes(result)] == ["campaign_schedule/gift"]


def test_emergency_stop_deletes_a_sending_schedule_only_with_allow_late() -> None:
    local = campaign(time="2026-12-01T20:00:00", local=True)  # first zone at 06:00 UTC
    (refused,) = changes(run([], [recorded(local)]))
    assert refused.action is Action.DELETE
    assert refused.blocked is not None
    assert refused.blocked.code is BlockCode.SENDING
    assert "pass --allow-late to delete it anyway, an emergency stop" in refused.blocked.reason
    (stop,) = changes(run([], [recorded(local)], PlanOptions(allow_late=True, allow_destroy=True)))
    assert stop.blocked is None
    assert stop.notes == (NoteCode.EMERGENCY_STOP,)
    assert notes_words(stop) == [
        "emergency stop: it has been sending since 2026-12-01T06:00:00Z in the zones reached "
        "so far; the delete cancels the zones not reached yet (best effort: Braze may still "
        "send in some of them) and cannot recall what was sent"
    ]
    later = campaign(time="2026-12-01T21:00:00", local=True)
    (update,) = changes(run([later], [recorded(local)], PlanOptions(allow_late=True)))
    assert update.blocked is not None
    assert update.blocked.code is BlockCode.SENDING


def replace_refusal(desired: list[Resource], records: list[Record], address: str) -> str:
    options = PlanOptions(replace=(address,))
    result = run(desired, records, options)
    with pytest.raises(UsageError) as caught:
        check_replace(result, {r.address: r for r in desired}, {r.address: r for r in records})
    assert caught.value.exit_code == 3
    return f"{caught.value.message} | {caught.value.hint}"


def test_what_cannot_be_replaced_is_refused_with_what_to_do() -> None:
    gift = campaign()
    address = gift.address
    assert replace_refusal([gift], [], address) == (
        f"--replace {address}: it is not in the ledger; nothing was planned | plan and apply "
        "create it without --replace"
    )
    sent = evolve(recorded(gift), status=RecordStatus.FIRED)
    assert replace_refusal([gift], [sent], address).startswith(
        f"--replace {address}: its schedule has sent (2026-12-05T10:00:00Z): there is nothing "
        "to replace"
    )
    uncertain = evolve(recorded(gift), status=RecordStatus.UNCERTAIN)
    assert f"state resolve {address} --schedule-id ID" in replace_refusal(
        [gift], [uncertain], address
    )
    flash = send_id()
    assert "only schedules can be replaced" in replace_refusal(
        [flash], [recorded(flash)], flash.address
    )
    past = campaign(time="2026-11-30T10:00:00Z")
    assert "has sent or is past" in replace_refusal([past], [recorded(past)], past.address)


def test_a_protected_sending_schedule_is_stopped_in_two_applies() -> None:
    protected = campaign(time=LOCAL_SENDING, local=True, protect=True)
    options = PlanOptions(allow_late=True)
    (refused,) = changes(run([], [recorded(protected)], options))
    assert refused.blocked is not None
    assert refused.blocked.code is BlockCode.PROTECTED
    unprotected = campaign(time=LOCAL_SENDING, local=True)
    (flag,) = changes(run([unprotected], [recorded(protected)]))
    assert (flag.action, flag.requests, flag.blocked) == (Action.UPDATE, (), None)
    # the only managed resource: deleting every one also needs --allow-destroy
    everything = PlanOptions(allow_late=True, allow_destroy=True)
    (stop,) = changes(run([], [recorded(unprotected)], everything))
    assert (stop.action, stop.blocked) == (Action.DELETE, None)
