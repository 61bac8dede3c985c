"""Safety gates and ledger protections, end to end: exit codes and the words that explain them."""

from __future__ import annotations

import threading
import time

from reconciler.braze.models.details import LOOKUP_ENDPOINTS
from reconciler.state import open_store
from tests.e2e.conftest import Project, campaign_schedule, scheduled_message


def calls(project: Project) -> int:
    """Calls to Braze other than the reference checks' lookups (which only read)."""
    stats = project.emulator.admin.stats()
    return sum(
        sum(counts.values())
        for path, counts in stats["requests"].items()
        if path not in LOOKUP_ENDPOINTS
    )


def test_frozen_changes_need_allow_late(project: Project) -> None:
    project.write("soon.yaml", campaign_schedule("soon", "2026-12-01T10:00:00Z"))
    assert project.apply().code == 0
    project.write("soon.yaml", campaign_schedule("soon", "2026-12-01T11:00:00Z"))
    at = "2026-12-01T09:50:00Z"  # ten minutes before the send: inside the 15 min freeze window
    plan = project.run("plan", str(project.manifests), now=at)
    assert plan.code == 4
    assert "blocked (frozen): first send in 10 min, inside the 15 min freeze window" in plan.stdout
    refused = project.run("apply", str(project.manifests), "--auto-approve", now=at)
    assert refused.code == 4
    assert "campaign_schedule/soon (update): first send in 10 min" in refused.stderr
    allowed = project.run("apply", str(project.manifests), "--auto-approve", "--allow-late", now=at)
    assert allowed.code == 0, allowed.stderr


def test_sending_schedules_are_refused_even_with_allow_late(project: Project) -> None:
    project.write("local.yaml", campaign_schedule("local", "2026-12-02T09:00:00", local=True))
    assert project.apply().code == 0
    project.write("local.yaml", campaign_schedule("local", "2026-12-02T10:00:00", local=True))
    at = "2026-12-01T20:00:00Z"  # 09:00 on 2 December has begun in UTC+14
    result = project.run("apply", str(project.manifests), "--auto-approve", "--allow-late", now=at)
    assert result.code == 4
    assert "the schedule is sending" in result.stderr


def test_protected_resources_are_not_deleted_or_replaced(project: Project) -> None:
    project.write("p.yaml", campaign_schedule("p", protect=True))
    assert project.apply().code == 0
    project.write(
        "p.yaml", campaign_schedule("p", protect=True, extra="\n  trigger_properties: {a: 1}")
    )
    replace = project.plan()
    assert replace.code == 4
    assert "protect: true refuses replace" in replace.stdout
    project.remove("p.yaml")
    project.write("other.yaml", campaign_schedule("other"))
    delete = project.run("apply", str(project.manifests), "--auto-approve")
    assert delete.code == 4
    assert "campaign_schedule/p (delete): protect: true refuses delete" in delete.stderr
    # the way out: remove the flag in an applied change, then delete
    project.write("p.yaml", campaign_schedule("p", protect=False))
    assert project.apply().code == 0
    project.remove("p.yaml")
    assert project.apply().code == 0
    project.assert_converged()


def test_destroy_threshold(project: Project) -> None:
    # scheduled messages: not subject to the 10 per minute per audience limit of broadcasts
    for index in range(12):
        project.write(f"m{index:02d}.yaml", scheduled_message(f"m{index:02d}"))
    assert project.apply().code == 0
    for index in range(11):
        project.remove(f"m{index:02d}.yaml")
    result = project.apply()
    assert result.code == 4
    assert "the plan deletes 11 of 12 managed resources" in result.stderr
    assert len(project.live()) == 12
    assert project.apply("--allow-destroy").code == 0
    assert len(project.live()) == 1


def test_fired_schedules_are_forgotten_without_a_call(project: Project) -> None:
    project.write("early.yaml", scheduled_message("early", "2026-12-01T09:00:00Z"))
    assert project.apply().code == 0
    before = calls(project)
    later = "2026-12-01T10:00:00Z"
    plan = project.run("plan", str(project.manifests), now=later)
    assert "1 to forget" in plan.stdout
    assert project.run("apply", str(project.manifests), "--auto-approve", now=later).code == 0
    assert calls(project) == before
    again = project.run("plan", str(project.manifests), "--detailed-exitcode", now=later)
    assert again.code == 0, again.stdout


def test_creating_in_the_past_is_refused(project: Project) -> None:
    project.write("past.yaml", campaign_schedule("past", "2026-11-30T10:00:00Z"))
    result = project.apply()
    assert result.code == 4
    assert "the send time 2026-11-30T10:00:00Z has passed: cannot create it" in result.stderr
    assert calls(project) == 0


def test_the_ledger_refuses_another_endpoint(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    assert project.apply().code == 0
    result = project.run("plan", str(project.manifests), endpoint="https://rest.iad-01.braze.com")
    assert result.code == 3
    assert "belongs to " + project.emulator.base_url in result.stderr
    assert "nothing was planned" in result.stderr


def test_apply_asks_and_refuses_without_a_terminal(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    result = project.run("apply", str(project.manifests))
    assert result.code == 3
    assert "there is no terminal to ask on" in result.stderr
    assert project.live() == []


def test_a_second_writer_fails_fast_naming_the_holder_or_waits(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    store = open_store(project.state, "default", default_dir=project.root)
    lock = store.acquire_lock("apply", "alice@ci-runner pid 4242")
    try:
        result = project.apply()
        assert result.code == 6
        assert "alice@ci-runner pid 4242" in result.stderr
        releaser = threading.Timer(0.5, store.release_lock, [lock.lock_id])
        releaser.start()
        started = time.monotonic()
        waited = project.apply("--lock-timeout", "10s")
        assert waited.code == 0, waited.stderr
        assert time.monotonic() - started >= 0.4
        releaser.join()
    finally:
        store.close()


def test_force_unlock(project: Project) -> None:
    store = open_store(project.state, "default", default_dir=project.root)
    lock = store.acquire_lock("apply", "bob@dead-runner pid 1")
    store.close()
    result = project.run("state", "force-unlock", lock.lock_id)
    assert result.code == 0
    assert "held by bob@dead-runner pid 1" in result.stderr
    project.write("a.yaml", campaign_schedule("a"))
    assert project.apply().code == 0


def test_apply_to_braze_itself_refuses_a_virtual_clock(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    result = project.run(
        "apply", str(project.manifests), "--auto-approve", endpoint="https://rest.iad-03.braze.com"
    )
    assert result.code == 3
    assert "is not the current time, and https://rest.iad-03.braze.com is Braze itself" in (
        result.stderr
    )


def test_plan_shows_an_interrupted_create_as_uncertain_without_writing(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        store.begin(
            address="campaign_schedule/a",
            kind="CampaignSchedule",
            action="create",
            endpoint="/campaigns/trigger/schedule/create",
            body={"campaign_id": "c", "schedule": {"time": "2026-12-05T10:00:00Z"}},
            body_hash="sha256:x",
            run_id="dead-run",
        )
        serial = store.info().serial
        result = project.plan()
        assert result.code == 4
        assert "1 call(s) of an interrupted apply have unknown outcomes" in result.stdout
        assert "campaign_schedule/a (uncertain)" in result.stdout
        assert store.info().serial == serial  # plan wrote nothing
    finally:
        store.close()


def test_a_move_that_arrives_after_the_send_is_not_a_second_send(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a", "2026-12-01T10:00:00Z"))
    assert project.apply().code == 0
    # the pull request moves it by two hours, but is merged after the old time has passed
    project.write("a.yaml", scheduled_message("a", "2026-12-01T12:00:00Z"))
    late = "2026-12-01T10:05:00Z"
    result = project.run("apply", str(project.manifests), "--auto-approve", now=late)
    assert result.code == 4
    assert "this resource's schedule already sent (2026-12-01T10:00:00Z)" in result.stderr
    assert len(project.live()) == 1
    again = project.run(
        "apply", str(project.manifests), "--auto-approve", "--allow-resend", now=late
    )
    assert again.code == 0, again.stderr
    assert len(project.live()) == 2  # said twice, on purpose


def test_plan_of_invalid_manifests_says_what_is_wrong(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a").replace("broadcast: true", "broadcast: yes"))
    result = project.plan()
    assert result.code == 3
    assert result.stderr.splitlines() == [
        f"{project.manifests / 'a.yaml'}:6:14: error: campaign_schedule/a: spec.broadcast: "
        "expected true or false, got string 'yes' [bool_type]",
        "  hint: write true or false without quotes (yes, no, on, off are strings)",
        "error: 1 error in the manifests; nothing was planned",
    ]
