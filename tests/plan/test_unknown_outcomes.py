"""The pure planner on records whose last call's outcome is unknown (the answer was lost).

- An update of unknown outcome was once forgotten when the manifest went back to the recorded
  body: Braze could keep the lost update's body. It is sent again.
- A delete of unknown outcome was once taken as live when the manifest came back: Braze could
  have deleted it (a lost send). The plan blocks it until a person resolves it.
- After an update of unknown outcome, a change Braze cannot update was once sent as an update:
  Braze kept the old audience while the ledger recorded the new one. It is a replace.
"""

from __future__ import annotations

import dataclasses

from reconciler.plan.model import Action, PlanOptions
from reconciler.plan.planner import plan
from reconciler.state.base import RecordStatus
from tests.plan.helpers import NOW, campaign, message, recorded


def test_an_update_of_unknown_outcome_is_sent_again_even_when_the_manifest_went_back() -> None:
    # apply 1 sent "Sale 2" as an update, and its answer was lost (unknown_outcome=update):
    # Braze may now hold "Sale 2"; the manifest is then reverted to "Sale 1".
    before = message(alert="Sale 1")
    record = dataclasses.replace(recorded(before), unknown_outcome="update")
    change = plan({before.address: before}, {record.address: record}, NOW).changes[0]
    assert change.action is Action.UPDATE
    assert [r.call for r in change.requests] == ["update"]


def test_a_delete_of_unknown_outcome_is_not_taken_as_live_when_the_manifest_comes_back() -> None:
    kept = message(alert="Sale 1")
    record = dataclasses.replace(recorded(kept), unknown_outcome="delete")
    assert record.status is RecordStatus.ACTIVE
    change = plan({kept.address: kept}, {record.address: record}, NOW).changes[0]
    # Safe: anything but a silent noop (blocked until resolved, or a call that finds out).
    assert change.action is not Action.NOOP or change.blocked is not None


def test_a_delete_of_unknown_outcome_is_blocked_until_resolved() -> None:
    kept = message(alert="Sale 1")
    record = dataclasses.replace(recorded(kept), unknown_outcome="delete")
    change = plan({kept.address: kept}, {record.address: record}, NOW).changes[0]
    assert change.blocked is not None
    assert change.blocked.reason.startswith(
        "the last delete's outcome is unknown, so Braze may no longer hold this schedule"
    )
    assert f"state resolve {kept.address} --schedule-id sched-1" in change.blocked.reason
    # with the manifest gone, the delete is simply repeated (an unknown schedule counts as done)
    # (--allow-destroy: it is the workspace's only resource)
    gone = plan({}, {record.address: record}, NOW, PlanOptions(allow_destroy=True)).changes[0]
    assert gone.action is Action.DELETE
    assert gone.blocked is None


def test_an_update_of_unknown_outcome_with_a_new_manifest_is_one_update() -> None:
    before = message(alert="Sale 1")
    after = message(alert="Sale 3")
    record = dataclasses.replace(recorded(before), unknown_outcome="update")
    change = plan({after.address: after}, {record.address: record}, NOW).changes[0]
    assert change.action is Action.UPDATE
    assert change.requests[0].body["messages"] == {"apple_push": {"alert": "Sale 3"}}


def test_an_unknown_update_then_a_change_braze_cannot_update_is_a_replace() -> None:
    before = campaign()
    after = campaign(extra="\n  trigger_properties: {discount: 50}")
    record = dataclasses.replace(recorded(before), unknown_outcome="update")
    (change,) = plan({after.address: after}, {record.address: record}, NOW).changes
    assert change.action is Action.REPLACE
    assert [r.call for r in change.requests] == ["delete", "create"]
