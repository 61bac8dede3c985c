"""Repairs through the real CLI: ``--replace`` after a change behind the tool's back, and the
emergency stop of a local-time schedule that has started sending."""

from __future__ import annotations

import json

import pytest

from reconciler.braze.client import BrazeClient
from reconciler.plan.planfile import PLAN_KEY_ENV
from tests.e2e.conftest import CAMPAIGN, KEY, Project, campaign_schedule

GIFT = "campaign_schedule/gift"


@pytest.fixture(autouse=True)
def plan_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan and apply jobs share the key that signs saved plans."""
    monkeypatch.setenv(PLAN_KEY_ENV, "rename-and-repair-test-key-0123456789")


def applied_gift(project: Project, *, protect: bool = False) -> str:
    project.write("gift.yaml", campaign_schedule("gift", protect=protect))
    assert project.apply().code == 0
    (live,) = project.live()
    return str(live["schedule_id"])


def behind_the_back(project: Project, call: str, body: dict[str, object]) -> None:
    """A call made outside the reconciler (the dashboard, a script): the ledger does not know."""
    with BrazeClient(project.emulator.base_url, KEY) as client:
        if call == "delete":
            client.delete_schedule("CampaignSchedule", body)
        else:
            client.update_schedule("CampaignSchedule", body)


def test_replace_re_creates_a_schedule_deleted_behind_the_tools_back(project: Project) -> None:
    schedule_id = applied_gift(project)
    behind_the_back(project, "delete", {"campaign_id": CAMPAIGN, "schedule_id": schedule_id})
    assert project.live() == []
    assert "No changes." in project.plan().stdout  # the ledger cannot know

    plan = project.plan("--replace", GIFT, "--detailed-exitcode")
    assert plan.code == 2, plan.stdout + plan.stderr
    assert (
        "-/+ campaign_schedule/gift  replace: deletes and re-creates it: replace requested "
        "(--replace)" in plan.stdout
    )
    assert "Plan: 0 to create, 0 to update, 1 to replace, 0 to delete" in plan.stdout

    applied = project.apply("--replace", GIFT)
    assert applied.code == 0, applied.stdout + applied.stderr
    (live,) = project.live()
    assert live["schedule_id"] != schedule_id
    assert f"done  replace  campaign_schedule/gift  schedule_id={live['schedule_id']}" in (
        applied.stdout
    )
    assert "delete: already gone in Braze; created anew" in applied.stdout
    journal = json.loads(project.run("state", "show", GIFT, "--format", "json").stdout)["journal"]
    delete, create = journal[-2:]
    assert (delete["action"], delete["outcome"]) == ("delete", "succeeded")
    assert delete["message"] == (
        "already gone: Invalid schedule_id; --replace counts it as deleted"
    )
    assert (create["action"], create["outcome"]) == ("create", "succeeded")
    project.assert_converged()


def test_replace_from_a_saved_plan_repairs_a_schedule_changed_in_braze(project: Project) -> None:
    schedule_id = applied_gift(project)
    behind_the_back(
        project,
        "update",
        {
            "campaign_id": CAMPAIGN,
            "schedule_id": schedule_id,
            "schedule": {"time": "2026-12-07T10:00:00Z"},
        },
    )
    saved = project.root / "repair.plan.json"
    assert project.plan("--replace", GIFT, "--out", str(saved)).code == 0
    applied = project.run("apply", "--plan", str(saved), str(project.manifests), "--auto-approve")
    assert applied.code == 0, applied.stdout + applied.stderr
    statuses = {s["schedule_id"]: s["status"] for s in project.schedules()}
    assert statuses[schedule_id] == "deleted"
    (live,) = project.live()
    assert live["body"]["schedule"] == {"time": "2026-12-05T10:00:00Z"}
    project.assert_converged()


def test_replace_goes_through_every_gate_and_names_what_it_cannot_do(project: Project) -> None:
    applied_gift(project, protect=True)
    protected = project.apply("--replace", GIFT)
    assert protected.code == 4
    assert "protect: true refuses replace" in protected.stderr
    unknown = project.plan("--replace", "campaign_schedule/gfit")
    assert unknown.code == 3
    assert (
        "--replace campaign_schedule/gfit: it is not declared in the manifests, and a replace "
        "creates it again from its manifest; nothing was planned" in unknown.stderr
    )
    malformed = project.plan("--replace", "gift")
    assert malformed.code == 3
    assert "is not a resource address" in malformed.stderr
    saved = project.run("apply", "--plan", "x.json", "--replace", GIFT)
    assert saved.code == 3
    assert "it takes no --target, --replace" in saved.stderr
    assert len(project.live()) == 1
    project.assert_converged()


LOCAL = "2026-12-01T20:00:00"  # in each user's zone: UTC+14 reaches it at 06:00 UTC
EARLIER = "2026-12-01T05:00:00Z"  # before the first zone, when it was applied
OPTIMAL = "2026-12-01T00:00:00"  # the whole date in every zone: from 2026-11-30T10:00Z


def optimal_time(name: str, time: str) -> str:
    return campaign_schedule(name, time).replace(
        f'time: "{time}"', f'time: "{time}"\n    at_optimal_time: true'
    )


@pytest.mark.parametrize(
    ("manifest", "moved", "applied_at", "started"),
    [
        (
            campaign_schedule("gift", LOCAL, local=True),
            campaign_schedule("gift", "2026-12-01T21:00:00", local=True),
            EARLIER,
            ("2 h ago", "2026-12-01T06:00:00Z"),
        ),
        (
            optimal_time("gift", OPTIMAL),
            optimal_time("gift", "2026-12-02T00:00:00"),
            "2026-11-30T09:00:00Z",
            ("22 h ago", "2026-11-30T10:00:00Z"),
        ),
    ],
    ids=["local-time", "optimal-time"],
)
def test_emergency_stop_of_a_schedule_that_is_sending(
    project: Project, manifest: str, moved: str, applied_at: str, started: tuple[str, str]
) -> None:
    ago, since = started
    project.write("gift.yaml", manifest)
    created = project.run("apply", str(project.manifests), "--auto-approve", now=applied_at)
    assert created.code == 0, created.stdout + created.stderr
    (live,) = project.live()

    # an update stays refused once it is sending, even with --allow-late
    project.write("gift.yaml", moved)
    update = project.plan("--allow-late")
    assert update.code == 4
    assert "Braze ignores changes now, so none is attempted" in update.stdout

    project.remove("gift.yaml")
    # the only managed resource: removing its manifest also needs --allow-empty and
    # deleting every managed resource --allow-destroy (the emergency stop asks for no more)
    everything = ("--allow-empty", "--allow-destroy")
    refused = project.plan(*everything)
    assert refused.code == 4
    assert f"- campaign_schedule/gift  delete: emergency stop of a send that started {ago}" in (
        refused.stdout
    )
    assert "pass --allow-late to delete it anyway, an emergency stop" in refused.stdout
    audit = project.run("audit", str(project.manifests))
    assert (
        "no longer in the manifests, and sending in some zones: only `apply --allow-late` "
        "stops it" in audit.stdout
    )
    assert "apply cancels this send" not in audit.stdout
    assert "blocked (sending)" not in audit.stdout
    assert project.apply(*everything).code == 4
    assert project.live() == [live]

    plan = project.plan("--allow-late", *everything)
    assert plan.code == 0, plan.stdout
    assert f"note: emergency stop: it has been sending since {since}" in plan.stdout
    stopped = project.apply("--allow-late", *everything)
    assert stopped.code == 0, stopped.stdout + stopped.stderr
    assert project.live() == []
    assert project.emulator.admin.schedule(live["schedule_id"])["status"] == "deleted"
    after = project.plan("--detailed-exitcode", "--allow-empty")
    assert after.code == 0, after.stdout + after.stderr


def test_replace_settles_a_vanished_record_once_the_schedule_is_known_gone(
    project: Project,
) -> None:
    schedule_id = applied_gift(project)
    behind_the_back(project, "delete", {"campaign_id": CAMPAIGN, "schedule_id": schedule_id})
    # the manifest moves: the update is answered "unknown schedule", the record is kept
    project.write("gift.yaml", campaign_schedule("gift", time="2026-12-06T10:00:00Z"))
    failed = project.apply()
    assert failed.code == 7, failed.stdout + failed.stderr
    assert "the record is kept as vanished" in failed.stdout
    blocked = project.plan()
    assert blocked.code == 4
    assert f"`braze-reconciler apply --replace {GIFT}`" in blocked.stdout

    repaired = project.apply("--replace", GIFT)
    assert repaired.code == 0, repaired.stdout + repaired.stderr
    (live,) = project.live()
    assert live["schedule_id"] != schedule_id
    assert live["body"]["schedule"] == {"time": "2026-12-06T10:00:00Z"}
    project.assert_converged()
