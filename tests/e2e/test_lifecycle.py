"""Create, update, replace and delete for each schedule kind, through the CLI and the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.e2e.conftest import (
    CAMPAIGN,
    CANVAS,
    Project,
    campaign_schedule,
    canvas_schedule,
    scheduled_message,
)

OTHER_SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"

Variant = Callable[[str], str]

KINDS: dict[str, tuple[str, str, Variant, Variant, Variant]] = {
    # kind: (address prefix, emulator kind, v1, update, replace)
    "campaign": (
        "campaign_schedule",
        "campaign_schedule",
        lambda n: campaign_schedule(n),
        lambda n: campaign_schedule(n, "2026-12-05T12:00:00", local=True),
        lambda n: campaign_schedule(
            n, "2026-12-05T12:00:00", local=True, extra="\n  trigger_properties: {discount: 20}"
        ),
    ),
    "canvas": (
        "canvas_schedule",
        "canvas_schedule",
        lambda n: canvas_schedule(n),
        lambda n: canvas_schedule(n, "2026-12-09T11:30:00Z"),
        lambda n: canvas_schedule(n, "2026-12-09T11:30:00Z", offer="GIFT20"),
    ),
    "message": (
        "scheduled_message",
        "scheduled_message",
        lambda n: scheduled_message(n),
        lambda n: scheduled_message(n, "2026-12-03T16:00:00Z", alert="Sale: 30% off"),
        lambda n: scheduled_message(
            n, "2026-12-03T16:00:00Z", alert="Sale: 30% off", segment=OTHER_SEGMENT
        ),
    ),
}


def ledger(project: Project) -> dict[str, dict[str, object]]:
    result = project.run("state", "list", "--format", "json")
    assert result.code == 0, result.stderr
    return {r["address"]: r for r in json.loads(result.stdout)["records"]}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_create_update_replace_delete(project: Project, kind: str) -> None:
    prefix, emulator_kind, v1, update, replace = KINDS[kind]
    address = f"{prefix}/launch"
    parent = {"campaign": CAMPAIGN, "canvas": CANVAS, "message": None}[kind]

    # create
    project.write("launch.yaml", v1("launch"))
    plan = project.plan("--detailed-exitcode")
    assert plan.code == 2
    assert plan.stdout.splitlines()[-1] == (
        "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete, 0 to forget."
    )
    applied = project.apply()
    assert applied.code == 0, applied.stdout + applied.stderr
    assert "Apply complete: 1 done, 0 failed, 0 uncertain, 0 not attempted." in applied.stdout
    project.assert_converged()
    (created,) = project.live()
    assert created["kind"] == emulator_kind
    assert created["parent_id"] == parent
    first_id = created["schedule_id"]
    assert ledger(project)[address]["schedule_id"] == first_id

    # update: Braze replaces the whole schedule (and messages), so the complete object is sent
    project.write("launch.yaml", update("launch"))
    plan = project.plan()
    assert "0 to replace" in plan.stdout
    assert "1 to update" in plan.stdout
    assert project.apply().code == 0
    project.assert_converged()
    (updated,) = project.live()
    assert updated["schedule_id"] == first_id
    last_call = updated["history"][-1]
    assert last_call["call"] == "update"
    expected_update = {"schedule_id": first_id, "schedule": updated["body"]["schedule"]}
    if parent is not None:
        expected_update[{"campaign": "campaign_id", "canvas": "canvas_id"}[kind]] = parent
    if kind == "message":
        expected_update["messages"] = {"apple_push": {"alert": "Sale: 30% off"}}
    assert last_call["body"] == expected_update

    # replace: a field Braze cannot update; the old schedule is deleted before the new is made
    project.write("launch.yaml", replace("launch"))
    plan = project.plan()
    assert "1 to replace" in plan.stdout
    assert "(Braze cannot update it)" in plan.stdout
    assert project.apply().code == 0
    project.assert_converged()
    (replacement,) = project.live()
    assert replacement["schedule_id"] != first_id
    (old,) = [s for s in project.schedules() if s["schedule_id"] == first_id]
    assert old["status"] == "deleted"
    deleted_at = old["history"][-1]["at"]
    created_at = replacement["history"][0]["at"]
    assert old["history"][-1]["call"] == "delete"
    assert replacement["history"][0]["call"] == "create"
    assert deleted_at <= created_at
    assert ledger(project)[address]["schedule_id"] == replacement["schedule_id"]

    # delete: the manifest is gone
    # (another managed resource stays: deleting every one of them needs --allow-destroy)
    project.write("other.yaml", campaign_schedule("keep-the-folder-non-empty"))
    assert project.apply().code == 0
    project.remove("launch.yaml")
    plan = project.plan()
    assert "1 to delete" in plan.stdout
    assert "cancels a send" in plan.stdout
    assert project.apply().code == 0
    project.assert_converged()
    assert replacement["schedule_id"] not in {s["schedule_id"] for s in project.live()}
    assert address not in ledger(project)


def test_examples_apply_and_converge(project: Project) -> None:
    from pathlib import Path

    examples = Path(__file__).parents[2] / "examples"
    result = project.run("apply", str(examples), "--auto-approve")
    assert result.code == 0, result.stdout + result.stderr
    assert "Apply complete: 10 done" in result.stdout
    assert "is running" not in result.stdout  # its own lock is no warning
    again = project.run("plan", str(examples), "--detailed-exitcode")
    assert again.code == 0, again.stdout
    send_ids = project.emulator.admin.send_ids()
    assert [s["send_id"] for s in send_ids] == ["flash-sale-2026"]
    assert len(project.live()) == 9  # with the weekly digest's two occurrences


def test_a_replace_whose_create_fails_says_nothing_is_scheduled(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    assert project.apply().code == 0
    broken = campaign_schedule("a", extra="\n  trigger_properties: {discount: 20}").replace(
        CAMPAIGN, "b19ee9a9-5314-4843-b873-6653bb44d2db"
    )  # an archived campaign: Braze refuses the create
    project.write("a.yaml", broken)
    result = project.apply("--offline")  # the reference checks would block it (exit 4)
    assert result.code == 7
    assert (
        "the old schedule was deleted and the new one is not created: nothing is scheduled now"
        in result.stdout
    )
