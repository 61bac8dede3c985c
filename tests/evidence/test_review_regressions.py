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

import pytest

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
    # `apply --plan` re-plans under the lock, so the race cannot reach the applier through the
    # CLI; the applier still checks each change against the ledger it holds (defence in depth).
    from reconciler.apply import Applier
    from reconciler.braze.client import BrazeClient
    from reconciler.plan.planfile import load_plan
    from tests.e2e.conftest import KEY

    project.write("a.yaml", scheduled_message("a"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    assert project.apply().code == 0  # meanwhile, another apply created it
    client = BrazeClient(project.emulator.base_url, KEY)
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        report = Applier(store, client, run_id="r1").apply(load_plan(plan_file))
    finally:
        store.close()
        client.close()
    (result,) = report.results
    assert result.message == (
        "the ledger changed since this plan was made (another apply?): plan again"
    )
    assert len(project.live()) == 1


def test_ctrl_c_ends_waits_for_rate_limit_room_without_sending(project: Project) -> None:
    import threading

    from reconciler.apply import Applier, ChangeResult, Status
    from reconciler.braze.client import BrazeClient
    from reconciler.braze.limits import RateLimits
    from reconciler.braze.models import unique_audience_key
    from reconciler.braze.ratelimit import Pacer
    from reconciler.plan.planfile import load_plan
    from tests.e2e.conftest import KEY

    for index in range(3):  # three broadcasts to one audience: 1 per minute allowed here
        project.write(f"a{index}.yaml", campaign_schedule(f"promo{index}"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    stop = threading.Event()

    def on_result(result: ChangeResult) -> None:
        stop.set()  # Ctrl-C as soon as the first create is done: the others are waiting

    pacer = Pacer(RateLimits(audience_per_minute=1))
    client = BrazeClient(
        project.emulator.base_url, KEY, pacer=pacer, audience_key=unique_audience_key, stop=stop
    )
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        report = Applier(
            store, client, run_id="r1", parallelism=3, stop=stop, on_result=on_result
        ).apply(load_plan(plan_file))
        assert report.interrupted
        statuses = sorted(r.status.value for r in report.results)
        assert statuses == ["done", "not attempted", "not attempted"]
        waiting = [r for r in report.results if r.status is Status.NOT_ATTEMPTED]
        assert all(
            r.message == "not sent: the run was stopped while it waited for Braze's rate limit"
            for r in waiting
        )
        assert store.intents(open_only=True) == []
        assert len(store.records()) == 1
    finally:
        store.close()
        client.close()
    assert len(project.live()) == 1
    assert pacer.waited < 60  # the waits ended at the stop, not after the minute


def test_apply_of_a_saved_plan_refuses_options_that_shape_a_plan(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    for option in (["--allow-late"], ["--allow-destroy"], ["--freeze-window", "1h"]):
        result = project.run(
            "apply", "--plan", str(plan_file), str(project.manifests), "--auto-approve", *option
        )
        assert result.code == 3
        assert "applies the plan as it was saved" in result.stderr
    assert project.live() == []


def test_a_replace_whose_create_fails_says_nothing_is_scheduled(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    assert project.apply().code == 0
    broken = campaign_schedule("a", extra="\n  trigger_properties: {discount: 20}").replace(
        "924cd632-0dc9-4a59-a3f1-b892936fd233", "b19ee9a9-5314-4843-b873-6653bb44d2db"
    )  # an archived campaign: Braze refuses the create
    project.write("a.yaml", broken)
    result = project.apply()
    assert result.code == 7
    assert (
        "the old schedule was deleted and the new one is not created: nothing is scheduled now"
        in result.stdout
    )


def test_an_adopted_record_with_a_wrong_id_is_kept_not_forgotten(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    adopted = project.run(
        "import",
        "campaign_schedule/a",
        "00000000-0000-4000-8000-000000000000",  # well formed, but Braze holds no such schedule
        "--path",
        str(project.manifests),
    )
    assert adopted.code == 0
    result = project.apply()
    assert result.code == 7
    assert "check the id given to `import`" in result.stdout
    record = json.loads(
        project.run("state", "show", "campaign_schedule/a", "--format", "json").stdout
    )["record"]
    assert record["status"] == "adopted"
    assert "1 to update" in project.plan().stdout  # not a create: nothing new is scheduled
    assert project.live() == []


def test_a_ledger_failure_mid_apply_stops_it_and_reports(project: Project) -> None:
    from typing import Any

    from reconciler.apply import Applier, Status
    from reconciler.braze.client import BrazeClient
    from reconciler.errors import LedgerError
    from reconciler.plan.planfile import load_plan
    from reconciler.state.base import Outcome
    from tests.e2e.conftest import KEY

    for index in range(6):
        project.write(f"m{index}.yaml", scheduled_message(f"m{index}", alert=f"A{index}"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    store = open_store(project.state, "default", default_dir=project.root)
    real_complete = store.complete
    calls = {"n": 0}

    def failing_complete(intent_id: int, outcome: Outcome, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # e.g. the PostgreSQL connection dropped
            raise LedgerError("ledger postgresql://db: connection lost")
        real_complete(intent_id, outcome, **kwargs)

    store.complete = failing_complete  # type: ignore[method-assign]
    client = BrazeClient(project.emulator.base_url, KEY)
    try:
        report = Applier(store, client, run_id="r1", parallelism=1).apply(load_plan(plan_file))
    finally:
        client.close()
        store.close()
    assert report.interrupted
    assert not report.ok
    by_status = {s: [r for r in report.results if r.status is s] for s in Status}
    assert len(by_status[Status.DONE]) == 1
    (uncertain,) = by_status[Status.UNCERTAIN]
    assert uncertain.message is not None
    assert uncertain.message.startswith("stopped: LedgerError: ledger postgresql://db")
    assert len(by_status[Status.NOT_ATTEMPTED]) == 4
    # the next apply finds the open intent and blocks that create until it is resolved
    result = project.apply()
    assert result.code == 4
    assert uncertain.address in result.stderr


def test_a_saved_plan_whose_request_path_was_edited_is_not_sent(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconciler.plan.planfile import PLAN_KEY_ENV, signature_of

    key = "review-regression-plan-key-0123"
    monkeypatch.setenv(PLAN_KEY_ENV, key)
    project.write("a.yaml", scheduled_message("a"))
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    data = json.loads(plan_file.read_text())
    data["changes"][0]["requests"][0]["path"] = "/messages/send"  # would send it now
    data["signature"] = signature_of(data, key)  # even by one who holds the key
    plan_file.write_text(json.dumps(data))
    result = project.run(
        "apply", "--plan", str(plan_file), str(project.manifests), "--auto-approve"
    )
    assert result.code == 5
    assert "scheduled_message/a: requests[0] differs" in result.stderr
    assert project.emulator.admin.stats()["total"] == 0
