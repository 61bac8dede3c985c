"""One Braze schedule, one record: `import` and `state resolve` refuse a schedule id that
another managed resource holds (its update or delete would overwrite or cancel that send)."""

from __future__ import annotations

import json

from tests.e2e.conftest import Project, campaign_schedule, scheduled_message


def schedule_id_of(project: Project, address: str) -> str:
    shown = project.run("state", "show", address, "--format", "json")
    return str(json.loads(shown.stdout)["record"]["schedule_id"])


def test_import_and_resolve_refuse_an_id_another_record_holds(project: Project) -> None:
    project.write("gift.yaml", campaign_schedule("gift", protect=True))
    project.write("a.yaml", scheduled_message("a"))
    assert project.apply().code == 0
    held = schedule_id_of(project, "campaign_schedule/gift")
    project.write("b.yaml", scheduled_message("b", alert="B"))

    imported = project.run("import", "scheduled_message/b", held, str(project.manifests))
    assert imported.code == 3
    assert (
        f"error: schedule_id {held} already belongs to campaign_schedule/gift (active): one "
        "Braze schedule cannot be two resources" in imported.stderr
    )

    # an uncertain create, "resolved" with another resource's id
    project.emulator.admin.set_faults(
        [{"endpoint": "/messages/schedule/create", "fault": "drop_after_commit", "count": 1}]
    )
    assert project.apply().code == 7
    project.emulator.admin.set_faults([])
    resolved = project.run("state", "resolve", "scheduled_message/b", "--schedule-id", held)
    assert resolved.code == 3
    assert f"schedule_id {held} already belongs to campaign_schedule/gift" in resolved.stderr
    assert schedule_id_of(project, "campaign_schedule/gift") == held
