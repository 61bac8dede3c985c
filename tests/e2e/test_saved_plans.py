"""Saved plans: applied only when signed, fresh, and what a new plan would do (else exit 5)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.braze.models.details import LOOKUP_ENDPOINTS
from reconciler.plan.planfile import PLAN_KEY_ENV, signature_of
from reconciler.state import open_store
from tests.e2e.conftest import CAMPAIGN, NOW_TEXT, Project, campaign_schedule, scheduled_message

PLAN_KEY = "saved-plan-test-key-0123456789abcdef"
Mutation = Callable[[dict[str, Any]], object]


@pytest.fixture(autouse=True)
def plan_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan and apply jobs share the key that signs saved plans."""
    monkeypatch.setenv(PLAN_KEY_ENV, PLAN_KEY)


def saved(project: Project, name: str = "plan.json") -> Path:
    path = project.root / name
    result = project.plan("--out", str(path))
    assert result.code == 0, result.stderr
    return path


def apply_saved(project: Project, plan_file: Path, *extra: str, now: str = NOW_TEXT) -> Any:
    return project.run(
        "apply", "--plan", str(plan_file), str(project.manifests), "--auto-approve", *extra, now=now
    )


def edit(plan_file: Path, change: Mutation, *, sign: bool) -> None:
    """Edit a saved plan as an attacker would; ``sign``: one who also holds the key."""
    data = json.loads(plan_file.read_text())
    change(data)
    if sign:
        data["signature"] = signature_of(data, PLAN_KEY)
    plan_file.write_text(json.dumps(data))


def recipients_campaign(name: str, *, discount: int = 10, protect: bool = False) -> str:
    return f"""kind: CampaignSchedule
name: {name}
protect: {str(protect).lower()}
spec:
  campaign_id: {CAMPAIGN}
  recipients:
    - external_user_id: vip-1
  trigger_properties: {{discount: {discount}}}
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""


def test_a_saved_plan_applies_what_was_reviewed_and_converges(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    result = apply_saved(project, plan_file)
    assert result.code == 0, result.stdout + result.stderr
    (live,) = project.live()
    reviewed = json.loads(plan_file.read_text())["changes"][0]["requests"][0]["body"]
    assert live["body"] == reviewed
    project.assert_converged()


def test_a_targeted_saved_plan_applies_only_its_target(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    project.write("b.yaml", campaign_schedule("b"))
    plan_file = project.root / "plan.json"
    planned = project.plan("--target", "campaign_schedule/a", "--out", str(plan_file))
    assert planned.code == 0, planned.stderr
    assert (
        f"apply it with: braze-reconciler apply --plan {plan_file} {project.manifests}"
        in planned.stderr
    )
    result = apply_saved(project, plan_file)
    assert result.code == 0, result.stdout + result.stderr
    assert "Apply complete: 1 done" in result.stdout
    assert len(project.live()) == 1
    plan = project.plan("--detailed-exitcode")
    assert plan.code == 2
    assert "Plan: 1 to create, 0 to update" in plan.stdout  # b, which was not reviewed


def test_manifests_changed_after_the_review_refuse_the_saved_plan(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    project.write("b.yaml", campaign_schedule("b"))
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "the manifests differ from those the saved plan was made from" in result.stderr
    assert "give apply --plan the PATHS given to `plan --out`" in result.stderr
    assert project.live() == []


EDITS: dict[str, tuple[Mutation, str]] = {
    "recipients become a broadcast": (
        lambda body: body.update(broadcast=True, recipients=None) or body.pop("recipients"),
        "campaign_schedule/a: requests[0].body.broadcast differs",
    ),
    "a discount of 10 becomes 90": (
        lambda body: body["trigger_properties"].__setitem__("discount", 90),
        "campaign_schedule/a: requests[0].body.trigger_properties.discount differs",
    ),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edited_create_body_is_refused(project: Project, name: str) -> None:
    change_body, difference = EDITS[name]
    project.write("a.yaml", recipients_campaign("a"))

    def attack(data: dict[str, Any]) -> None:
        change_body(data["changes"][0]["requests"][0]["body"])

    plan_file = saved(project)
    edit(plan_file, attack, sign=False)
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "does not match its signature: it was edited after `plan --out`" in result.stderr
    # One who holds the key too: the fresh plan from the manifests tells the difference.
    plan_file = saved(project)
    edit(plan_file, attack, sign=True)
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert (
        "the saved plan is not the plan these manifests and this ledger give now: " + difference
    ) in result.stderr
    assert project.live() == []
    assert project.apply().code == 0
    (live,) = project.live()
    assert live["body"]["recipients"] == [{"external_user_id": "vip-1"}]
    assert live["body"]["trigger_properties"] == {"discount": 10}
    project.assert_converged()


def test_an_update_pointed_at_a_protected_schedule_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a", protect=True))
    project.write("b.yaml", campaign_schedule("b"))
    assert project.apply().code == 0
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        protected_id = store.records()["campaign_schedule/a"].schedule_id
    finally:
        store.close()
    project.write("b.yaml", campaign_schedule("b", "2026-12-06T10:00:00Z"))
    plan_file = saved(project)

    def attack(data: dict[str, Any]) -> None:
        (change,) = [c for c in data["changes"] if c["action"] == "update"]
        change["requests"][0]["body"]["schedule_id"] = protected_id

    edit(plan_file, attack, sign=True)
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "campaign_schedule/b: requests[0].body.schedule_id differs" in result.stderr
    times = sorted(s["body"]["schedule"]["time"] for s in project.live())
    assert times == ["2026-12-05T10:00:00Z", "2026-12-05T10:00:00Z"]


def test_an_injected_delete_of_a_protected_schedule_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a", protect=True))
    assert project.apply().code == 0
    (live,) = project.live()
    plan_file = saved(project)

    def attack(data: dict[str, Any]) -> None:
        change = data["changes"][0]
        body = {"campaign_id": CAMPAIGN, "schedule_id": live["schedule_id"]}
        path = "/campaigns/trigger/schedule/delete"
        change.update(action="delete", symbol="-", protect=False, recorded_protect=False)
        change["requests"] = [{"call": "delete", "path": path, "body": body}]

    edit(plan_file, attack, sign=True)
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "campaign_schedule/a: the saved plan would delete it, a fresh plan not" in result.stderr
    assert len(project.live()) == 1


def test_a_saved_plan_holds_bodies_serial_and_target_but_never_the_key(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    text = saved(project).read_text()
    data = json.loads(text)
    assert data["serial"] == 0
    assert data["workspace"] == "default"
    assert data["endpoint"] == project.emulator.base_url
    assert data["manifests_digest"].startswith("sha256:")
    assert data["changes"][0]["requests"][0]["body"]["messages"] == {
        "apple_push": {"alert": "Sale"}
    }
    assert "e2e-test-key" not in text


def test_a_stale_plan_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    project.write("b.yaml", campaign_schedule("b"))
    assert project.apply().code == 0  # the ledger moves on
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "the saved plan is stale: the ledger changed since it was made" in result.stderr


def test_an_expired_plan_is_refused_and_its_age_cannot_be_edited(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    result = apply_saved(project, saved(project), "--max-plan-age", "0s")
    assert result.code == 5
    assert "the saved plan expired" in result.stderr
    plan_file = saved(project)
    edit(plan_file, lambda data: data.update(created_at="2099-01-01T00:00:00Z"), sign=False)
    result = apply_saved(project, plan_file, "--max-plan-age", "0s")
    assert result.code == 5
    assert "does not match its signature" in result.stderr
    assert project.live() == []


def test_a_plan_for_another_workspace_or_endpoint_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    other = project.run(
        "--workspace", "staging", "apply", "--plan", str(plan_file), str(project.manifests),
        "--auto-approve",
    )  # fmt: skip
    assert other.code == 5
    assert "the saved plan is for workspace 'default', not 'staging'" in other.stderr
    result = project.run(
        "apply",
        "--plan",
        str(plan_file),
        str(project.manifests),
        "--auto-approve",
        endpoint="http://127.0.0.1:9",
    )
    assert result.code == 5
    assert "the saved plan is for endpoint" in result.stderr


def test_a_saved_plan_with_blocked_changes_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a", "2026-11-30T10:00:00Z"))
    path = project.root / "plan.json"
    result = project.plan("--out", str(path))
    assert result.code == 4
    applied = apply_saved(project, path)
    assert applied.code == 4
    assert "blocked by a safety gate; nothing was applied" in applied.stderr
    assert project.live() == []


def test_a_plan_with_a_bad_or_future_creation_time_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    for created_at, words in (
        ("yesterday", "is not a time"),
        ("2099-01-01T00:00:00Z", "was made in the future"),
    ):
        plan_file = saved(project)
        edit(plan_file, functools.partial(dict.update, created_at=created_at), sign=True)
        result = apply_saved(project, plan_file)
        assert result.code == 5
        assert words in result.stderr


def test_apply_of_a_saved_plan_needs_the_key_and_a_signed_plan(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    monkeypatch.delenv(PLAN_KEY_ENV)
    result = apply_saved(project, plan_file)
    assert result.code == 3
    assert f"apply --plan needs {PLAN_KEY_ENV}" in result.stderr
    unsigned = project.plan("--out", str(plan_file))
    assert unsigned.code == 0
    assert f"warning: {PLAN_KEY_ENV} is not set: the saved plan is not signed" in unsigned.stderr
    monkeypatch.setenv(PLAN_KEY_ENV, PLAN_KEY)
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "is not signed: apply --plan cannot prove it was not edited" in result.stderr
    monkeypatch.setenv(PLAN_KEY_ENV, "another-key-0123456789abcdef")
    result = apply_saved(project, saved(project))
    assert result.code == 0
    monkeypatch.setenv(PLAN_KEY_ENV, "short")
    result = project.plan("--out", str(plan_file))
    assert result.code == 3
    assert f"{PLAN_KEY_ENV} is too short to authenticate a plan" in result.stderr
    assert project.live()[0]["status"] == "scheduled"
    for text in (result.stdout, result.stderr, plan_file.read_text()):
        assert PLAN_KEY not in text
        assert "another-key-0123456789abcdef" not in text


def test_a_saved_plan_the_clock_has_overtaken_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a", "2026-12-01T09:00:00Z"))
    project.write("b.yaml", campaign_schedule("b"))
    assert project.apply().code == 0
    project.write("b.yaml", campaign_schedule("b", "2026-12-06T10:00:00Z"))
    plan_file = saved(project)
    # by apply time, a has sent: a fresh plan forgets it, which the reviewer did not see
    result = apply_saved(project, plan_file, now="2026-12-01T09:30:00Z")
    assert result.code == 5
    assert "campaign_schedule/a: a fresh plan would forget it, the saved plan not" in result.stderr
    # time that only moves lifecycles changes nothing that was reviewed
    result = apply_saved(project, plan_file, now="2026-12-01T08:20:00Z")
    assert result.code == 0, result.stdout + result.stderr
    assert sorted(s["body"]["schedule"]["time"] for s in project.live()) == [
        "2026-12-01T09:00:00Z",
        "2026-12-06T10:00:00Z",
    ]


MALFORMED: dict[str, tuple[Mutation, str]] = {
    "changes is not a list": (lambda d: d.update(changes={"a": 1}), "changes: expected a list"),
    "a change is a string": (
        lambda d: d["changes"].__setitem__(0, "create everything"),
        "changes[0]: expected an object, got a string",
    ),
    "an unknown field": (
        lambda d: d["changes"][0].update(execute="now"),
        "changes[0].execute: unknown field",
    ),
    "a wrong type": (
        lambda d: d["changes"][0].update(protect="no"),
        "changes[0].protect: expected true or false, got a string",
    ),
    "a request without a body": (
        lambda d: d["changes"][0]["requests"][0].pop("body"),
        "changes[0].requests[0].body: missing",
    ),
    "an unknown action": (
        lambda d: d["changes"][0].update(action="launch"),
        "changes[0].action: 'launch' is not 'create', 'update', 'replace', 'delete', 'forget', "
        "'rename' or 'noop'",
    ),
    "a send time that is not a time": (
        lambda d: d["changes"][0].update(send_at=1796115600),
        "changes[0].send_at: expected a time, got an integer",
    ),
    "an unknown call": (
        lambda d: d["changes"][0]["requests"][0].update(call="post"),
        "changes[0].requests[0].call: 'post' is not 'create', 'update' or 'delete'",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_saved_plan_is_refused(project: Project, name: str) -> None:
    mutate, words = MALFORMED[name]
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    edit(plan_file, mutate, sign=True)
    result = apply_saved(project, plan_file)
    assert result.code == 5, result.stdout + result.stderr
    assert "is a malformed saved plan: " in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert project.live() == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "is not a saved plan (JSON nested too deeply)"),
        ('{"changes": [' * 50_000, "is not a saved plan"),
        ("not json", "is not a saved plan (invalid JSON"),
        ("[1, 2]", "is not a saved plan (no format_version)"),
        ('{"serial": 1}', "is not a saved plan (no format_version)"),
    ],
)
def test_a_file_that_is_not_a_saved_plan_is_invalid_input(
    project: Project, text: str, words: str
) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = project.root / "plan.json"
    plan_file.write_text(text)
    result = apply_saved(project, plan_file)
    assert result.code == 3, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_saved_plan_that_changes_an_address_twice_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    edit(plan_file, lambda data: data["changes"].insert(0, data["changes"][0]), sign=True)
    result = apply_saved(project, plan_file)
    assert result.code == 5
    assert "campaign_schedule/a: the saved plan changes it twice" in result.stderr
    assert project.live() == []


@pytest.mark.parametrize("typed", [["--freeze-window", "15m"], ["--freeze-window", "900s"]])
def test_a_shaping_option_typed_at_its_default_is_still_refused(
    project: Project, typed: list[str]
) -> None:
    """What the person typed counts, not whether it differs from the default: the saved
    plan's own options are applied, so a typed --freeze-window would be silently ignored."""
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    result = apply_saved(project, plan_file, *typed)
    assert result.code == 3, result.stdout + result.stderr
    assert "apply --plan FILE applies the plan as it was saved" in result.stderr
    assert project.live() == []
    assert apply_saved(project, plan_file).code == 0


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
    sent = project.emulator.admin.stats()["requests"]
    assert set(sent) <= set(LOOKUP_ENDPOINTS)  # only the reference checks' reads


# A saved plan could once pair old records with a newer serial (an apply finishing between
# the two reads); the applier also refuses a change whose recorded view the ledger contradicts.
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
