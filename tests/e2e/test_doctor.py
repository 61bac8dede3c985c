"""``doctor``: the endpoint, the key, the permissions the manifests need and the clock, asked of
the emulator with calls that change nothing; Braze's answers to an unknown schedule recorded in
the ledger, and read by apply's gone decision."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.emulator.workspace import load_workspace
from reconciler.state.sqlite import SqliteStore
from tests.e2e.conftest import (
    CAMPAIGN,
    NOW,
    NOW_TEXT,
    Project,
    Result,
    campaign_schedule,
    open_project,
    scheduled_message,
)
from tests.e2e.test_gone import lost_then_answered

LIMITED_KEY = "e2e-limited-key-0123456789"
"""Lists broadcasts and creates scheduled messages; nothing else."""
LISTING_KEY = "e2e-listing-key-0123456789"
DELETE = "/messages/schedule/delete"
MESSAGE_PERMISSIONS = [
    "messages.schedule_broadcasts",
    "messages.schedule.create",
    "messages.schedule.update",
    "messages.schedule.delete",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The e2e project, its emulator also holding keys with fewer permissions."""
    seed = load_workspace().model_dump()
    seed["api_keys"] += [
        {
            "key": LIMITED_KEY,
            "permissions": ["messages.schedule_broadcasts", "messages.schedule.create"],
        },
        {"key": LISTING_KEY, "permissions": ["messages.schedule_broadcasts"]},
    ]
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed), encoding="utf-8")
    yield from open_project(tmp_path, monkeypatch, seed=seed_file)


def doctor(project: Project, *args: str, endpoint: str | None = None) -> Result:
    return project.run(
        "doctor", str(project.manifests), "--now", NOW_TEXT, *args, endpoint=endpoint
    )


def report(project: Project, *args: str, endpoint: str | None = None) -> tuple[int, Any]:
    result = doctor(project, "--format", "json", *args, endpoint=endpoint)
    return result.code, json.loads(result.stdout)


def statuses(document: dict[str, Any]) -> dict[str, str]:
    found = {check["name"]: check["status"] for check in document["checks"]}
    found.update({p["permission"]: p["status"] for p in document["permissions"]})
    return found


def nothing_happened(project: Project) -> None:
    admin = project.emulator.admin
    assert (admin.schedules(), admin.send_ids(), admin.sends()) == ([], [], [])


def test_everything_needed_is_there_and_nothing_happens_in_braze(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("c.yaml", campaign_schedule("c"))

    result = doctor(project)

    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout.endswith("Everything needed is there.\n")
    assert "  ok       api_key   valid: Braze knows it (the key is never shown)\n" in result.stdout
    code, document = report(project)
    assert code == 0
    assert document["status"] == "ok"
    assert document["format_version"] == 1
    # The kinds in use, and no other: no Canvas, no send id.
    assert [p["permission"] for p in document["permissions"]] == [
        *MESSAGE_PERMISSIONS,
        "campaigns.trigger.schedule.create",
        "campaigns.trigger.schedule.update",
        "campaigns.trigger.schedule.delete",
    ]
    assert set(statuses(document).values()) == {"ok"}
    creates = [p for p in document["permissions"] if p["path"].endswith("/create")]
    assert {p["probe"] for p in creates} == {"an empty body, {}"}
    nothing_happened(project)
    assert project.plan("--detailed-exitcode").code == 2  # doctor planned and applied nothing


def test_a_missing_permission_is_named_and_exits_3(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BRAZE_API_KEY", LIMITED_KEY)
        code, document = report(project)
        text = doctor(project).stdout

    assert code == 3
    assert statuses(document) == {
        "endpoint": "ok",
        "api_key": "ok",
        "clock": "ok",
        "ledger": "ok",
        "messages.schedule_broadcasts": "ok",
        "messages.schedule.create": "ok",
        "messages.schedule.update": "missing",
        "messages.schedule.delete": "missing",
    }
    denied = {p["answer"] for p in document["permissions"] if p["status"] == "missing"}
    assert denied == {"403 Access Denied"}
    assert "  missing  messages.schedule.delete           apply   403 Access Denied\n" in text
    assert "Something needed is missing (see above)." in text
    assert document["recording"] == "nothing recorded: Braze answered no update or delete probe"
    nothing_happened(project)


def test_a_key_for_audit_needs_the_listing_alone(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BRAZE_API_KEY", LISTING_KEY)
        code, document = report(project, "--for", "audit")
        assert report(project)[0] == 3  # for apply as well: it is not enough

    assert code == 0
    assert [(p["permission"], p["needed_for"]) for p in document["permissions"]] == [
        ("messages.schedule_broadcasts", ["audit"])
    ]


def test_a_refused_key_stops_at_the_first_call(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BRAZE_API_KEY", "e2e-unknown-key-0123456789")
        code, document = report(project)

    assert code == 3
    assert statuses(document)["api_key"] == "missing"
    assert document["checks"][1]["hint"] == (
        "check the key, that it belongs to this endpoint's instance, and that it is not quoted "
        "(Braze answers 401 to all three)"
    )
    assert {p["status"] for p in document["permissions"]} == {"skipped"}
    assert project.emulator.admin.stats()["total"] == 1


def test_an_unreachable_endpoint_exits_3(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    code, document = report(project, endpoint="http://127.0.0.1:9")

    assert code == 3
    endpoint = document["checks"][0]
    assert (endpoint["name"], endpoint["status"]) == ("endpoint", "missing")
    assert endpoint["summary"].startswith("unreachable: could not connect to http://127.0.0.1:9")
    assert statuses(document)["api_key"] == statuses(document)["clock"] == "skipped"


def test_answers_that_cannot_tell_exit_1(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.emulator.admin.set_faults([{"endpoint": "/messages/schedule/*", "fault": "503"}])

    code, document = report(project)

    assert code == 1
    assert document["status"] == "unknown"
    assert statuses(document)["messages.schedule.update"] == "unknown"
    assert statuses(document)["endpoint"] == statuses(document)["api_key"] == "ok"


@pytest.mark.parametrize(
    ("ahead", "status", "code"),
    [(timedelta(seconds=0), "ok", 0), (timedelta(minutes=2), "warning", 0),
     (timedelta(minutes=-10), "missing", 3)],
)  # fmt: skip
def test_the_clock_is_compared_with_brazes_date(
    project: Project, ahead: timedelta, status: str, code: int
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.emulator.admin.set_clock(NOW + ahead)

    found, document = report(project)

    assert (found, statuses(document)["clock"]) == (code, status)
    clock = document["checks"][2]
    side = "ahead of" if ahead >= timedelta(0) else "behind"
    assert clock["summary"].startswith("Braze's Date is ")
    assert f" {side} --now" in clock["summary"]
    if status == "missing":
        assert clock["hint"] == (
            "the safety gates (freeze window, sending, fired) are evaluated at that time: "
            "drop --now (and BRAZE_RECONCILER_NOW)"
        )


def test_a_ledger_bound_elsewhere_is_reported_and_left_alone(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply().code == 0  # bound to the emulator on loopback

    code, document = report(project, endpoint="local")  # another Braze

    assert code == 3
    ledger = document["checks"][3]
    assert (ledger["name"], ledger["status"]) == ("ledger", "missing")
    assert ledger["summary"].startswith("the ledger workspace 'default' (sqlite:///")
    assert document["recorded"] is None
    assert document["recording"] == (
        "nothing recorded: the ledger workspace is not this endpoint's and key's"
    )
    with SqliteStore(project.root / "ledger" / "state.db", "default") as store:
        assert store.metadata("gone_answers") is None


def test_the_ledgers_records_need_their_permissions_too(project: Project) -> None:
    project.write("c.yaml", campaign_schedule("c"))
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply().code == 0
    project.remove("c.yaml")  # the next apply deletes it: that needs the campaign's delete

    code, document = report(project)

    assert code == 0
    assert "campaigns.trigger.schedule.delete" in statuses(document)
    delete = next(u for u in document["unknown_schedule"] if u["path"].startswith("/campaigns/"))
    assert delete["recordable"] is True


def test_a_locked_ledger_exits_6_before_any_call(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    with SqliteStore(project.root / "ledger" / "state.db", "default") as store:
        store.acquire_lock("apply", "someone else pid 1")
        assert doctor(project).code == 6
    assert project.emulator.admin.stats()["total"] == 0


def test_global_options_after_the_command_and_the_local_endpoint(
    project: Project, tmp_path: Path
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    after = ["--endpoint", "local", "--state", f"sqlite:///{tmp_path / 'local.db'}"]
    result = CliRunner().invoke(cli, ["doctor", str(project.manifests), "--now", NOW_TEXT, *after])
    assert result.exit_code == 0, result.output
    assert "Doctor of workspace default at local, " in result.stdout
    assert (tmp_path / "local.db").exists()
    assert project.emulator.admin.stats()["total"] == 0  # the embedded one was asked


def test_doctor_records_brazes_own_words_and_apply_counts_them_as_gone(
    project: Project,
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("keep.yaml", scheduled_message("keep", alert="keep"))
    assert project.apply().code == 0
    # This "Braze" answers a bare 400 to a delete of an unknown schedule: by its words alone,
    # ambiguous (tests/e2e/test_gone.py: the record would be kept as vanished).
    bare = {"endpoint": DELETE, "fault": "answer", "status": 400, "message": "Bad Request"}
    project.emulator.admin.set_faults([bare])

    found = doctor(project)

    assert found.code == 0, found.stdout
    assert (
        "  /messages/schedule/delete: 400 Bad Request\n"
        "      by its words alone, it may mean the schedule is unknown, without saying so; "
        "recorded\n"
    ) in found.stdout
    journal = json.loads(project.run("state", "show", "@workspace", "--format", "json").stdout)
    (entry,) = [e for e in journal["journal"] if e["action"] == "metadata"]
    assert entry["message"].startswith("doctor by ")
    with SqliteStore(project.root / "ledger" / "state.db", "default") as store:
        value = store.metadata("gone_answers")
    recorded = {answer["path"]: answer for answer in value["answers"]}
    assert recorded[DELETE] == {
        "status": 400,
        "message": "Bad Request",
        "errors": [],
        "path": DELETE,
    }
    assert value["endpoint"] == project.emulator.base_url

    # The delete's answer is lost; its retry gets that same answer: gone, so done.
    project.remove("m.yaml")
    lost_then_answered(project, DELETE, {"status": 400, "message": "Bad Request"})
    result = project.apply()
    assert result.code == 0, result.stdout + result.stderr
    assert "already deleted" in result.stdout
    project.assert_converged()
    assert [s["body"]["messages"]["apple_push"]["alert"] for s in project.live()] == ["keep"]


def test_asked_again_brazes_answers_replace_those_recorded(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.emulator.admin.set_faults(
        [{"endpoint": DELETE, "fault": "answer", "status": 400, "message": "Bad Request"}]
    )
    assert doctor(project).code == 0
    project.emulator.admin.set_faults([])
    assert doctor(project).code == 0  # asked again: the emulator's own words replace them
    with SqliteStore(project.root / "ledger" / "state.db", "default") as store:
        value = store.metadata("gone_answers")
    answers = {answer["path"]: answer for answer in value["answers"]}
    assert answers[DELETE]["message"] == "Invalid schedule_id"
    assert set(answers) == {"/messages/schedule/update", DELETE}
    assert CAMPAIGN not in json.dumps(value)


def test_brazes_words_are_shown_inert(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    hostile = "\x1b]0;owned\x07 [red]x[/red]\n::warning ::y"
    project.emulator.admin.set_faults(
        [{"endpoint": DELETE, "fault": "answer", "status": 400, "message": hostile}]
    )

    result = doctor(project)

    assert "\x1b" not in result.stdout
    assert "\\x1b]0;owned\\x07 [red]x[/red]\\n::warning ::y" in result.stdout


def test_a_listing_answered_404_is_not_braze(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    listing = "/messages/scheduled_broadcasts"
    project.emulator.admin.set_faults(
        [{"endpoint": listing, "fault": "answer", "status": 404, "message": "Not Found"}]
    )

    code, document = report(project)

    assert code == 3
    assert document["checks"][0]["summary"] == (
        f"answered 404 Not Found to GET {listing}: not a Braze REST endpoint"
    )
    assert statuses(document)["messages.schedule_broadcasts"] == "unknown"
    assert statuses(document)["messages.schedule.create"] == "skipped"
    assert project.emulator.admin.stats()["total"] == 1
