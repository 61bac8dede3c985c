"""Braze's answer about a schedule it may not know, in words that are not the emulator's own
(``Invalid schedule_id`` is not Braze's): an answer that says the schedule id is unknown, in any
wording, counts as gone; one that only may mean so keeps the record, the plan says so, and
``state resolve`` settles it (braze/gone.py)."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Project, scheduled_message

DELETE = "/messages/schedule/delete"
UPDATE = "/messages/schedule/update"


def lost_then_answered(project: Project, path: str, answer: dict[str, Any]) -> None:
    """The call takes effect but its answer is lost; the retry gets ``answer``."""
    project.emulator.admin.set_faults(
        [
            {"endpoint": path, "fault": "drop_after_commit", "count": 1},
            {"endpoint": path, "fault": "answer", "count": 1, **answer},
        ]
    )


def record(project: Project, address: str) -> dict[str, Any]:
    shown = project.run("state", "show", address, "--format", "json")
    assert shown.code == 0, shown.stderr
    found: dict[str, Any] = json.loads(shown.stdout)["record"]
    return found


def test_a_delete_retried_after_a_lost_answer_is_done_when_braze_says_gone_in_its_words(
    project: Project,
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    project.remove("m.yaml")
    lost_then_answered(project, DELETE, {"status": 404, "message": "Schedule not found"})
    result = project.apply()
    assert result.code == 0, result.stdout + result.stderr
    assert "already deleted" in result.stdout
    project.assert_converged()
    assert [s["body"]["messages"]["apple_push"]["alert"] for s in project.live()] == ["keep"]


def test_an_ambiguous_answer_never_counts_as_done(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    (schedule,) = [
        s for s in project.live() if s["body"]["messages"]["apple_push"]["alert"] == "Sale"
    ]
    schedule_id = schedule["schedule_id"]
    project.remove("m.yaml")
    lost_then_answered(project, DELETE, {"status": 400, "message": "Bad Request"})

    result = project.apply()
    assert result.code == 7
    assert (
        f"Braze's answer about schedule {schedule_id} (400 Bad Request) does not say whether "
        "it still holds it: the record is kept as vanished" in result.stdout
    )
    # The record stays, with Braze's answer; the plan says so and blocks.
    kept = record(project, "scheduled_message/m")
    assert kept["status"] == "vanished"
    assert kept["notices"] == [f"Braze answered 400 to {DELETE}: Bad Request"]
    plan = project.plan()
    assert plan.code == 4
    assert (
        f"Braze did not know schedule {schedule_id} at the last apply (or its answer may have "
        "meant so: `braze-reconciler state show scheduled_message/m` has it)"
    ) in plan.stdout
    # A person finds out (here, in the emulator: the lost delete did delete it) and says so.
    assert project.schedules(schedule_id=schedule_id)[0]["status"] == "deleted"
    resolved = project.run("state", "resolve", "scheduled_message/m", "--absent")
    assert resolved.code == 0, resolved.stderr
    project.assert_converged()


def test_an_update_answered_gone_in_other_words_keeps_the_record_as_vanished(
    project: Project,
) -> None:
    project.write("m.yaml", scheduled_message("m", alert="v1"))
    assert project.apply().code == 0
    (live,) = project.live()
    project.write("m.yaml", scheduled_message("m", alert="v2"))
    project.emulator.admin.set_faults(
        [
            {
                "endpoint": UPDATE,
                "fault": "answer",
                "status": 400,
                "message": "Bad Request",
                "errors": [f"The scheduled message {live['schedule_id']} does not exist"],
            }
        ]
    )
    result = project.apply()
    assert result.code == 7
    assert (
        f"Braze does not know schedule {live['schedule_id']} (Bad Request): the record is kept "
        "as vanished" in result.stdout
    )
    assert record(project, "scheduled_message/m")["notices"] == [
        f"Braze answered 400 to {UPDATE}: Bad Request",
        f"The scheduled message {live['schedule_id']} does not exist",
    ]
    assert project.plan().code == 4


def test_an_answer_about_something_else_is_a_plain_failure(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m", alert="v1"))
    assert project.apply().code == 0
    project.write("m.yaml", scheduled_message("m", alert="v2"))
    project.emulator.admin.set_faults(
        [{"endpoint": UPDATE, "fault": "answer", "count": 1, "status": 400,
          "message": "Bad Request"}]
    )  # fmt: skip
    result = project.apply()
    assert result.code == 7
    assert "vanished" not in result.stdout
    assert record(project, "scheduled_message/m")["status"] == "active"
    # Nothing is blocked: the next apply sends the update again.
    assert project.apply().code == 0
    project.assert_converged()
