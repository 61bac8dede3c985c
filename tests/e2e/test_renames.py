"""Renames: ``renamed_from`` in a manifest, and ``state mv`` by hand, through the real CLI.

A rename moves the ledger record: no call to Braze when nothing else changed, an update when
only updatable fields changed, a replace that says so otherwise; never a delete then a create.
"""

from __future__ import annotations

import json

import pytest

from reconciler.plan.planfile import PLAN_KEY_ENV
from tests.e2e.conftest import Project, campaign_schedule


@pytest.fixture(autouse=True)
def plan_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan and apply jobs share the key that signs saved plans."""
    monkeypatch.setenv(PLAN_KEY_ENV, "rename-and-repair-test-key-0123456789")


def renamed(name: str, old: str, time: str = "2026-12-05T10:00:00Z", extra: str = "") -> str:
    return campaign_schedule(name, time, extra=extra).replace(
        f"name: {name}\n", f"name: {name}\nrenamed_from: {old}\n"
    )


def applied_gift(project: Project) -> str:
    project.write("gift.yaml", campaign_schedule("gift"))
    assert project.apply().code == 0
    (live,) = project.live()
    return str(live["schedule_id"])


def calls(project: Project) -> int:
    return sum(len(s["history"]) for s in project.schedules())


def test_a_rename_moves_the_record_and_calls_braze_not_at_all(project: Project) -> None:
    schedule_id = applied_gift(project)
    before = calls(project)
    project.remove("gift.yaml")
    project.write("gift-2026.yaml", renamed("gift-2026", "gift"))

    plan = project.plan("--detailed-exitcode")
    assert plan.code == 2, plan.stdout + plan.stderr
    assert (
        "  > campaign_schedule/gift-2026  rename: renamed from campaign_schedule/gift; no call "
        "to Braze" in plan.stdout
    )
    assert "note: ledger only: no call to Braze" in plan.stdout
    assert (
        "Plan: 1 to rename, 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to forget."
        in plan.stdout
    )
    assert "campaign_schedule/gift " not in plan.stdout  # no delete of the old name

    markdown = project.plan("--format", "markdown").stdout
    assert "**Plan: 1 to rename, 0 to create, 0 to update" in markdown
    assert "<code>campaign_schedule/gift-2026</code> (rename)" in markdown
    assert "renamed from campaign_schedule/gift; no call to Braze" in markdown

    document = json.loads(project.plan("--format", "json").stdout)
    (change,) = [c for c in document["changes"] if c["action"] != "noop"]
    assert change["action"] == "rename"
    assert change["moved_from"] == "campaign_schedule/gift"
    assert change["requests"] == []
    assert document["summary"]["rename"] == 1

    applied = project.apply()
    assert applied.code == 0, applied.stdout + applied.stderr
    assert calls(project) == before  # Braze was not called
    (live,) = project.live()
    assert live["schedule_id"] == schedule_id
    project.assert_converged()
    listed = project.run("state", "list").stdout
    assert "campaign_schedule/gift-2026" in listed
    assert schedule_id in listed
    assert "campaign_schedule/gift " not in listed
    journal = json.loads(
        project.run("state", "show", "campaign_schedule/gift-2026", "--format", "json").stdout
    )
    assert journal["journal"][-1]["action"] == "rename"
    assert journal["journal"][-1]["message"] == "renamed from campaign_schedule/gift"
    # renamed_from may stay in the manifest: once moved, it has nothing left to do
    assert "No changes." in project.plan().stdout


def test_a_rename_with_a_new_time_is_one_update_of_the_same_schedule(project: Project) -> None:
    schedule_id = applied_gift(project)
    project.remove("gift.yaml")
    project.write("gift-2026.yaml", renamed("gift-2026", "gift", "2026-12-05T11:00:00Z"))
    plan = project.plan()
    assert (
        "~ campaign_schedule/gift-2026  update: moved +1 h; renamed from campaign_schedule/gift"
        in plan.stdout
    )
    assert "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete" in plan.stdout
    assert project.apply().code == 0
    (live,) = project.live()
    assert live["schedule_id"] == schedule_id
    assert live["body"]["schedule"] == {"time": "2026-12-05T11:00:00Z"}
    assert [h["call"] for h in live["history"]][-1] == "update"
    project.assert_converged()


def test_a_rename_with_a_fixed_field_change_says_it_replaces(project: Project) -> None:
    schedule_id = applied_gift(project)
    project.remove("gift.yaml")
    extra = "\n  trigger_properties: {discount: 20}"
    project.write("gift-2026.yaml", renamed("gift-2026", "gift", extra=extra))
    plan = project.plan()
    assert (
        "-/+ campaign_schedule/gift-2026  replace: deletes and re-creates it: renamed from "
        "campaign_schedule/gift; trigger properties changed (Braze cannot update it)"
    ) in plan.stdout
    assert "the rename alone would not call Braze" in plan.stdout
    assert project.apply().code == 0
    statuses = {s["schedule_id"]: s["status"] for s in project.schedules()}
    assert statuses[schedule_id] == "deleted"
    (live,) = project.live()
    assert live["body"]["trigger_properties"] == {"discount": 20}
    project.assert_converged()


def test_renamed_from_a_name_still_declared_is_an_error_at_its_position(
    project: Project,
) -> None:
    applied_gift(project)
    path = project.write("gift-2026.yaml", renamed("gift-2026", "gift"))
    plan = project.plan()
    assert plan.code == 3
    assert (
        f"{path}:3:15: error: campaign_schedule/gift-2026: renamed_from: renamed_from "
        f"campaign_schedule/gift, which is still declared (at {project.manifests}/gift.yaml:2:7)"
    ) in plan.stderr
    assert "remove the manifest of campaign_schedule/gift" in plan.stderr
    assert "Traceback" not in plan.stderr


def test_state_mv_does_the_same_by_hand(project: Project) -> None:
    schedule_id = applied_gift(project)
    before = calls(project)
    project.remove("gift.yaml")
    project.write("gift-2026.yaml", campaign_schedule("gift-2026"))
    assert "1 to create" in project.plan().stdout
    assert "1 to delete" in project.plan().stdout
    moved = project.run("state", "mv", "campaign_schedule/gift", "campaign_schedule/gift-2026")
    assert moved.code == 0, moved.stderr
    assert (
        "Moved campaign_schedule/gift to campaign_schedule/gift-2026 in the ledger "
        f"(schedule_id {schedule_id}); Braze was not called." in moved.stderr
    )
    project.assert_converged()
    assert calls(project) == before
    shown = json.loads(
        project.run("state", "show", "campaign_schedule/gift-2026", "--format", "json").stdout
    )
    assert shown["record"]["schedule_id"] == schedule_id
    assert shown["journal"][-1]["action"] == "rename"


def test_state_mv_refuses_what_would_lose_a_record(project: Project) -> None:
    applied_gift(project)
    project.write("other.yaml", campaign_schedule("other", "2026-12-06T10:00:00Z"))
    assert project.apply().code == 0
    taken = project.run("state", "mv", "campaign_schedule/gift", "campaign_schedule/other")
    assert taken.code == 3
    assert "campaign_schedule/other is already in the ledger (active" in taken.stderr
    assert "state rm campaign_schedule/other" in taken.stderr
    missing = project.run("state", "mv", "campaign_schedule/nope", "campaign_schedule/x")
    assert missing.code == 3
    assert "campaign_schedule/nope is not in the ledger" in missing.stderr
    kinds = project.run("state", "mv", "campaign_schedule/gift", "canvas_schedule/gift")
    assert kinds.code == 3
    assert "a record moves within its kind" in kinds.stderr
    assert "keep the prefix: campaign_schedule/gift" in kinds.stderr
    project.assert_converged()


def test_a_reviewed_rename_applies_from_a_saved_plan(project: Project) -> None:
    schedule_id = applied_gift(project)
    before = calls(project)
    project.remove("gift.yaml")
    project.write("gift-2026.yaml", renamed("gift-2026", "gift"))
    saved = project.root / "rename.plan.json"
    assert project.plan("--out", str(saved)).code == 0
    applied = project.run("apply", "--plan", str(saved), str(project.manifests), "--auto-approve")
    assert applied.code == 0, applied.stdout + applied.stderr
    assert "done  rename  campaign_schedule/gift-2026" in applied.stdout
    assert calls(project) == before
    (live,) = project.live()
    assert live["schedule_id"] == schedule_id
    project.assert_converged()
