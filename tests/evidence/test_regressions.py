"""Bugs the evidence found, fixed, and kept fixed.

A 504 (Braze's gateway gave up; the backend may have finished) to an update or a delete was
taken as proof that nothing happened: a delete whose first attempt got a 504 and whose retry
got "Invalid schedule_id" (the first attempt had deleted it) was recorded as failed, the
record kept a schedule id Braze no longer had, and every later apply failed the same way. For
a replace the create half never ran: the message was deleted and never created again.
"""

from __future__ import annotations

import re

from tests.e2e.conftest import Project, scheduled_message

DELETE = "/messages/schedule/delete"
OTHER_SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"


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
