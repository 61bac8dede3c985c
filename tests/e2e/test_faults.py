"""Faults during apply: no duplicate schedule ever, every unknown outcome reported as
uncertain, and a re-run converges once a person has resolved the uncertain ones."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.e2e.conftest import Project, scheduled_message

CREATE = "/messages/schedule/create"
DELETE = "/messages/schedule/delete"
OTHER_SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"


def ledger(project: Project) -> dict[str, dict[str, Any]]:
    result = project.run("state", "list", "--all", "--format", "json")
    return {r["address"]: r for r in json.loads(result.stdout)["records"]}


def live_by_alert(project: Project) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for schedule in project.live():
        alert = schedule["body"]["messages"]["apple_push"]["alert"]
        found.setdefault(alert, []).append(schedule)
    return found


def resolve_uncertain(project: Project) -> int:
    """What a person does: look the schedule up (here, in the emulator) and settle it."""
    resolved = 0
    by_alert = live_by_alert(project)
    for address, record in ledger(project).items():
        if record["status"] != "uncertain":
            continue
        alert = record["body"]["messages"]["apple_push"]["alert"]
        matches = by_alert.get(alert, [])
        if matches:
            args = ["--schedule-id", matches[0]["schedule_id"]]
        else:
            args = ["--absent"]
        result = project.run("state", "resolve", address, *args)
        assert result.code == 0, result.stderr
        resolved += 1
    return resolved


def test_faults_never_duplicate_and_converge(project: Project) -> None:
    count = 40
    for index in range(count):
        project.write(f"m{index:02d}.yaml", scheduled_message(f"m{index:02d}", alert=f"A{index}"))
    project.emulator.admin.set_faults(
        [
            {"endpoint": CREATE, "fault": "500", "probability": 0.1},
            {"endpoint": CREATE, "fault": "503", "probability": 0.1},
            {"endpoint": CREATE, "fault": "drop_after_commit", "probability": 0.1},
            {"endpoint": CREATE, "fault": "reset", "probability": 0.05},
            {"endpoint": CREATE, "fault": "timeout", "probability": 0.05, "delay": 2.5},
        ],
        seed=7,
    )
    result = project.apply("--request-timeout", "1")
    fired = {rule["fault"]: rule["fired"] for rule in project.emulator.admin.faults()["rules"]}
    assert fired["drop_after_commit"] > 0, fired
    assert fired["500"] > 0, fired
    records = ledger(project)
    uncertain = [a for a, r in records.items() if r["status"] == "uncertain"]
    assert uncertain, "the seeded faults must leave some creates uncertain"
    assert result.code == 7
    assert len(re.findall("^ *uncertain  create  ", result.stdout, re.MULTILINE)) == len(uncertain)
    assert "state resolve ADDR --schedule-id ID" in result.stdout

    # No duplicate, and the ledger agrees with the emulator for every settled resource.
    for alert, schedules in live_by_alert(project).items():
        assert len(schedules) == 1, f"{alert} scheduled {len(schedules)} times"
    live_ids = {s["schedule_id"]: s for s in project.live()}
    for address, record in records.items():
        if record["status"] == "active":
            assert record["schedule_id"] in live_ids, address
            assert live_ids[record["schedule_id"]]["body"] == record["body"]

    # Uncertain creates block the plan until resolved.
    blocked = project.plan()
    assert blocked.code == 4
    project.emulator.admin.set_faults([])
    assert resolve_uncertain(project) == len(uncertain)
    rerun = project.apply()
    assert rerun.code == 0, rerun.stdout + rerun.stderr
    project.assert_converged()
    by_alert = live_by_alert(project)
    assert sorted(by_alert) == sorted(f"A{index}" for index in range(count))
    assert all(len(schedules) == 1 for schedules in by_alert.values())


def test_updates_and_deletes_are_retried_through_server_errors(project: Project) -> None:
    for index in range(6):
        project.write(f"m{index}.yaml", scheduled_message(f"m{index}", alert=f"A{index}"))
    assert project.apply().code == 0
    for index in range(3):
        project.write(f"m{index}.yaml", scheduled_message(f"m{index}", alert=f"B{index}"))
    for index in range(3, 6):
        project.remove(f"m{index}.yaml")
    project.emulator.admin.set_faults(
        [
            {"endpoint": "/messages/schedule/update", "fault": "503", "count": 2},
            {"endpoint": "/messages/schedule/delete", "fault": "500", "count": 2},
            {"endpoint": "/messages/schedule/delete", "fault": "drop_after_commit", "count": 1},
        ],
        seed=1,
    )
    result = project.apply()
    assert result.code == 0, result.stdout + result.stderr
    project.assert_converged()
    assert sorted(live_by_alert(project)) == ["B0", "B1", "B2"]


def test_a_delete_whose_first_answer_was_lost_counts_as_done(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    project.remove("m.yaml")
    # the delete takes effect but its answer is lost, every time the client tries
    project.emulator.admin.set_faults(
        [{"endpoint": "/messages/schedule/delete", "fault": "drop_after_commit", "count": 1}]
    )
    result = project.apply()
    assert result.code == 0, result.stdout + result.stderr
    project.assert_converged()


def test_an_update_of_a_schedule_deleted_outside_is_kept_as_vanished_until_resolved(
    project: Project,
) -> None:
    from reconciler.braze.client import BrazeClient
    from tests.e2e.conftest import KEY

    project.write("m.yaml", scheduled_message("m", alert="v1"))
    assert project.apply().code == 0
    (live,) = project.live()
    with BrazeClient(project.emulator.base_url, KEY) as client:  # someone deletes it by hand
        client.delete_schedule("ScheduledMessage", {"schedule_id": live["schedule_id"]})
    project.write("m.yaml", scheduled_message("m", alert="v2"))
    result = project.apply()
    assert result.code == 7
    assert (
        f"Braze does not know schedule {live['schedule_id']} (Invalid schedule_id): the record "
        "is kept as vanished" in result.stdout
    )
    # never a silent create: the plan blocks it until a person has found out
    assert project.plan().code == 4
    resolved = project.run("state", "resolve", "scheduled_message/m", "--absent")
    assert resolved.code == 0, resolved.stderr
    assert "1 to create" in project.plan().stdout
    assert project.apply().code == 0
    project.assert_converged()
    assert [s["body"]["messages"]["apple_push"]["alert"] for s in project.live()] == ["v2"]


# A 504 (Braze's gateway gave up; the backend may have finished) to an update or a delete was
# once taken as proof that nothing happened: a delete whose first attempt got a 504 and whose
# retry got "Invalid schedule_id" (the first attempt had deleted it) was recorded as failed,
# the record kept a schedule id Braze no longer had, and every later apply failed the same
# way. For a replace the create half never ran: the message was deleted and never created
# again.
def test_a_delete_retried_after_a_504_that_deleted_counts_as_done(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    project.remove("m.yaml")
    project.emulator.admin.set_faults([{"endpoint": DELETE, "fault": "504", "count": 1}])
    result = project.apply()
    assert result.code == 0, result.stdout + result.stderr
    assert re.search("^ *done  delete  scheduled_message/m$", result.stdout, re.MULTILINE)
    project.assert_converged()
    assert [s["body"]["messages"]["apple_push"]["alert"] for s in project.live()] == ["keep"]


def test_a_replace_whose_delete_got_a_504_still_creates(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m", alert="v1"))
    assert project.apply().code == 0
    replaced = scheduled_message("m", alert="v2").replace(
        "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02", OTHER_SEGMENT
    )
    project.write("m.yaml", replaced)
    project.emulator.admin.set_faults([{"endpoint": DELETE, "fault": "504", "count": 1}])
    result = project.apply()
    assert result.code == 0, result.stdout + result.stderr
    project.assert_converged()
    (live,) = project.live()
    assert (live["body"]["segment_id"], live["body"]["messages"]["apple_push"]["alert"]) == (
        OTHER_SEGMENT,
        "v2",
    )


def test_a_delete_answered_504_every_time_is_uncertain_then_settled(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    project.remove("m.yaml")
    project.emulator.admin.set_faults([{"endpoint": DELETE, "fault": "504"}])
    result = project.apply()
    assert result.code == 7, result.stdout + result.stderr
    assert re.search("^ *uncertain  delete  scheduled_message/m$", result.stdout, re.MULTILINE)
    # the first 504 had deleted it
    assert [s["body"]["messages"]["apple_push"]["alert"] for s in project.live()] == ["keep"]
    project.emulator.admin.set_faults([])
    rerun = project.apply()
    assert rerun.code == 0, rerun.stdout + rerun.stderr
    assert "already deleted" in rerun.stdout
    project.assert_converged()
