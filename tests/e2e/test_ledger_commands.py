"""`import`, `state list|show|rm|export|import-json|resolve` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.braze.client import BrazeClient
from tests.e2e.conftest import CAMPAIGN, KEY, Project, campaign_schedule, scheduled_message


def create_outside(project: Project, body: dict[str, object]) -> str:
    """A schedule made by hand (a script, another tool): the reconciler does not know it."""
    with BrazeClient(project.emulator.base_url, KEY) as client:
        response = client.create_schedule("CampaignSchedule", body)
    schedule_id = response.get_str("schedule_id")
    assert schedule_id is not None
    return schedule_id


def test_import_adopts_a_schedule_and_the_next_plan_makes_braze_match(project: Project) -> None:
    schedule_id = create_outside(
        project,
        {"campaign_id": CAMPAIGN, "broadcast": True, "schedule": {"time": "2026-12-05T09:00:00Z"}},
    )
    project.write("gift.yaml", campaign_schedule("gift", "2026-12-05T10:00:00Z"))
    result = project.run("import", "campaign_schedule/gift", schedule_id, str(project.manifests))
    assert result.code == 0, result.stderr
    assert f"Adopted campaign_schedule/gift (schedule_id {schedule_id})" in result.stderr
    plan = project.plan()
    assert "1 to update" in plan.stdout
    assert "adopted by import: Braze cannot be read back" in plan.stdout
    assert "other fields cannot be updated and are assumed to match" in plan.stdout
    assert project.apply().code == 0
    project.assert_converged()
    (live,) = project.live()
    assert live["schedule_id"] == schedule_id
    assert live["body"]["schedule"] == {"time": "2026-12-05T10:00:00Z"}


def test_import_refuses_what_the_manifests_do_not_declare(project: Project) -> None:
    project.write("gift.yaml", campaign_schedule("gift"))
    result = project.run(
        "import", "campaign_schedule/other", "abc", "--path", str(project.manifests)
    )
    assert result.code == 3
    assert "campaign_schedule/other is not declared in the manifests" in result.stderr
    bad = project.run("import", "campaign/gift", "abc", str(project.manifests))
    assert bad.code == 3
    assert "is not a resource address" in bad.stderr


def test_state_list_is_as_wide_as_its_rows_whatever_the_terminal(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "scheduled_message/a-" + "x" * 100
    project.write("a.yaml", scheduled_message(long.partition("/")[2]))
    project.write("b.yaml", scheduled_message("b", alert="B"))
    assert project.apply().code == 0
    records = json.loads(project.run("state", "list", "--format", "json").stdout)["records"]
    monkeypatch.setenv("COLUMNS", "40")
    narrow = project.run("state", "list").stdout
    monkeypatch.setenv("COLUMNS", "300")
    assert project.run("state", "list").stdout == narrow
    # whole values, in columns two spaces apart, no line ending in blanks
    assert narrow.splitlines()[:2] == [
        f"{r['address']:<{len(long)}}  active  {r['schedule_id']}  {r['schedule_time']}"
        for r in records
    ]


def test_state_list_show_rm(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    project.write("b.yaml", scheduled_message("b", alert="B"))
    assert project.apply().code == 0
    listed = project.run("state", "list")
    assert listed.code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("scheduled_message/a")
    assert "active" in lines[0]
    # serial: the endpoint binding, then an intent and an outcome per create
    assert lines[-1].startswith("2 records in workspace default (serial 5, sqlite:")
    shown = project.run("state", "show", "scheduled_message/a", "--format", "json")
    document = json.loads(shown.stdout)
    assert document["record"]["status"] == "active"
    assert [i["outcome"] for i in document["journal"]] == ["succeeded"]
    schedule_id = document["record"]["schedule_id"]
    text = project.run("state", "show", "scheduled_message/a")
    assert text.code == 0
    lines = text.stdout.splitlines()
    assert lines[:4] == [
        "scheduled_message/a",
        "  status          active",
        "  kind            ScheduledMessage",
        f"  schedule id     {schedule_id}",
    ]
    assert "  send time       2026-12-03T15:00:00Z" in lines
    assert "  body            {" in lines
    assert " " * 24 + '"alert": "Sale"' in lines
    assert "Journal: 1 call, oldest first" in lines
    (call,) = [line for line in lines if line.startswith("  #")]
    assert " create  /messages/schedule/create  succeeded  (run " in call
    removed = project.run("state", "rm", "scheduled_message/b")
    assert removed.code == 0
    assert "still exists in Braze and will send unless you delete it" in removed.stderr
    # the ledger no longer knows b: the next plan creates it again (and Braze would hold two)
    assert "1 to create" in project.plan().stdout
    missing = project.run("state", "show", "scheduled_message/zzz")
    assert missing.code == 3


def test_export_and_import_json_round_trip(project: Project, tmp_path: Path) -> None:
    project.write("a.yaml", scheduled_message("a"))
    assert project.apply().code == 0
    exported = project.run("state", "export")
    assert exported.code == 0
    assert KEY not in exported.stdout
    data = json.loads(exported.stdout)
    assert [r["address"] for r in data["records"]] == ["scheduled_message/a"]
    dump = tmp_path / "export.json"
    dump.write_text(exported.stdout)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    loaded = project.run("--state", other, "state", "import-json", str(dump))
    assert loaded.code == 0, loaded.stderr
    again = project.run("--state", other, "state", "export")
    assert json.loads(again.stdout)["records"] == data["records"]


def test_resolve_needs_an_uncertain_record_and_one_answer(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    assert project.apply().code == 0
    both = project.run("state", "resolve", "scheduled_message/a", "--absent", "--schedule-id", "x")
    assert both.code == 3
    assert "give exactly one of --schedule-id ID and --absent" in both.stderr
    settled = project.run("state", "resolve", "scheduled_message/a", "--absent")
    assert settled.code == 3
    assert (
        "scheduled_message/a is active, not uncertain or vanished: nothing to resolve"
        in settled.stderr
    )


def test_resolve_settles_a_delete_of_unknown_outcome(project: Project) -> None:
    import dataclasses

    from reconciler.state import open_store

    project.write("a.yaml", scheduled_message("a"))
    assert project.apply().code == 0
    store = open_store(project.state, "default", default_dir=project.root)
    try:
        record = store.get("scheduled_message/a")
        assert record is not None
        store.put(dataclasses.replace(record, unknown_outcome="delete"))
    finally:
        store.close()
    blocked = project.plan()
    assert blocked.code == 4
    assert "the last delete's outcome is unknown" in blocked.stdout
    still_there = project.run(
        "state", "resolve", "scheduled_message/a", "--schedule-id", str(record.schedule_id)
    )
    assert still_there.code == 0, still_there.stderr
    project.assert_converged()
