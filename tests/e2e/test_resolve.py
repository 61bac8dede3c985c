"""``state resolve --absent`` right after an uncertain create warns: a slow request can still
land in Braze (a duplicate was seen seconds after a timeout)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.service.state_ops import early_absent_warning, settle_time
from reconciler.state import open_store
from tests.e2e.conftest import Project, scheduled_message

CREATE = "/messages/schedule/create"


def test_resolve_absent_right_after_the_create_warns_how_long_to_wait(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    project.emulator.admin.set_faults(
        [{"endpoint": CREATE, "fault": "drop_after_commit", "probability": 1.0}]
    )
    applied = project.apply()
    assert applied.code == 7
    assert "uncertain" in applied.stdout
    project.emulator.admin.set_faults([])

    result = project.run("state", "resolve", "scheduled_message/a", "--absent")
    assert result.code == 0, result.stderr
    assert "warning: the create of scheduled_message/a was sent at " in result.stderr
    assert "a slow request can still land in Braze until about " in result.stderr
    assert "(the request timeout plus 5 min); check Braze again after that" in result.stderr
    assert "`braze-reconciler import scheduled_message/a SCHEDULE_ID`" in result.stderr
    assert "scheduled_message/a: recorded as absent; the next apply creates it." in result.stderr


def test_no_warning_once_the_call_has_settled(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    project.emulator.admin.set_faults(
        [{"endpoint": CREATE, "fault": "drop_after_commit", "probability": 1.0}]
    )
    assert project.apply().code == 7
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        now = datetime.now(UTC)
        assert early_absent_warning(store, "scheduled_message/a", now) is not None
        later = now + settle_time() + timedelta(seconds=1)
        assert early_absent_warning(store, "scheduled_message/a", later) is None
        assert early_absent_warning(store, "scheduled_message/never", now) is None
    finally:
        store.close()
    assert settle_time() == timedelta(minutes=5, seconds=30)
