"""Bugs a review of the core found, fixed, and kept fixed.

- A create interrupted over an existing record (a fired tombstone) was recovered with the
  record's old, past time, so the plan forgot it and offered the create again: a double send.
- After an update of unknown outcome, a change Braze cannot update was sent as an update: Braze
  kept the old audience while the ledger recorded the new one.
- A saved plan could pair old records with a newer serial (an apply finishing between the two
  reads); the applier now also refuses a change whose recorded view the ledger contradicts.
"""

from __future__ import annotations

import dataclasses
import json

from reconciler.canonical import content_hash
from reconciler.plan.model import Action
from reconciler.plan.planner import plan
from reconciler.state import open_store
from tests.e2e.conftest import Project, campaign_schedule, scheduled_message
from tests.plan.helpers import NOW, campaign, recorded

LATER = "2026-12-03T08:00:00Z"


def test_a_create_interrupted_over_a_tombstone_stays_uncertain(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("weekly", "2026-12-02T10:00:00Z"))
    assert project.apply().code == 0
    forgot = project.run("apply", str(project.manifests), "--auto-approve", now=LATER)
    assert forgot.code == 0, forgot.stderr  # fired: a tombstone now
    project.write("a.yaml", campaign_schedule("weekly", "2026-12-09T10:00:00Z"))
    planned = json.loads(
        project.run("plan", str(project.manifests), "--format", "json", now=LATER).stdout
    )
    (change,) = planned["changes"]
    request = change["requests"][0]
    store = open_store(project.state, "default", default_dir=project.root)
    try:  # the process dies after sending the create
        store.begin(
            address=change["address"],
            kind=change["kind"],
            action="create",
            endpoint=request["path"],
            body=request["body"],
            body_hash=content_hash(request["body"]),
            run_id="dead-run",
        )
    finally:
        store.close()
    for command in ("plan", "apply"):
        extra = ["--auto-approve"] if command == "apply" else []
        result = project.run(command, str(project.manifests), *extra, now=LATER)
        assert result.code == 4, result.stdout + result.stderr
        assert "campaign_schedule/weekly" in result.stdout + result.stderr
        assert "state resolve campaign_schedule/weekly" in result.stdout + result.stderr


def test_an_unknown_update_then_a_change_braze_cannot_update_is_a_replace() -> None:
    before = campaign()
    after = campaign(extra="\n  trigger_properties: {discount: 50}")
    record = dataclasses.replace(recorded(before), unknown_outcome="update")
    (change,) = plan({after.address: after}, {record.address: record}, NOW).changes
    assert change.action is Action.REPLACE
    assert [r.call for r in change.requests] == ["delete", "create"]


def test_the_applier_refuses_a_change_the_ledger_contradicts(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    assert project.apply().code == 0  # meanwhile, another apply created it
    data = json.loads(plan_file.read_text())
    data["serial"] = json.loads(project.run("state", "export").stdout)["serial"]  # the race
    plan_file.write_text(json.dumps(data))
    result = project.run("apply", "--plan", str(plan_file), "--auto-approve")
    assert result.code == 7
    assert "the ledger changed since this plan was made (another apply?): plan again" in (
        result.stdout
    )
    assert len(project.live()) == 1
