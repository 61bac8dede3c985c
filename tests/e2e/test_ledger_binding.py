"""A ledger never follows the wrong key, never forgets a schedule Braze did not recognise, and
never reads a lost or damaged file as a fresh start (issue 11, sections 2 and 3)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.braze.client import BrazeClient
from reconciler.braze.errors import BrazeApiError
from reconciler.cli import cli
from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.emulator.workspace import load_workspace
from reconciler.state import open_store
from reconciler.state.base import RecordStatus
from tests.e2e.conftest import (
    KEY,
    NOW,
    NOW_TEXT,
    Project,
    Result,
    campaign_schedule,
    open_project,
    scheduled_message,
)

ROTATED = "e2e-rotated-key-9876543210"
NEW_LEDGER = "this ledger is new: if schedules were applied from another ledger, restore it first"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The e2e project, with an emulator that also accepts a second (rotated) key."""
    monkeypatch.setenv("BRAZE_API_KEY", KEY)
    monkeypatch.delenv("BRAZE_RECONCILER_NOW", raising=False)
    monkeypatch.chdir(tmp_path)
    config = EmulatorConfig(api_keys=(KEY, ROTATED), clock=NOW, data_dir=tmp_path / "emulator")
    with EmbeddedEmulator(config) as emulator:
        yield Project(tmp_path, emulator, f"sqlite:///{tmp_path / 'ledger' / 'state.db'}")


def run_in(project: Project, workspace: str, *args: str) -> Result:
    """The CLI with ``--workspace`` (a global option) and ``--now``."""
    full = [
        "--endpoint",
        project.emulator.base_url,
        "--state",
        project.state,
        "--workspace",
        workspace,
        *args,
        "--now",
        NOW_TEXT,
    ]
    result = CliRunner().invoke(cli, full)
    return Result(result.exit_code, result.stdout, result.stderr)


def ledger_file(project: Project) -> Path:
    return project.root / "ledger" / "state.db"


def set_schedule_id(project: Project, address: str, schedule_id: str) -> None:
    with open_store(project.state, "default", default_dir=project.root) as store:
        record = store.get(address)
        assert record is not None
        store.put(dataclasses.replace(record, schedule_id=schedule_id))


def status_of(project: Project, address: str) -> RecordStatus | None:
    with open_store(project.state, "default", default_dir=project.root) as store:
        record = store.get(address)
    return None if record is None else record.status


# -- the key ----------------------------------------------------------------------------------


def test_another_key_is_refused_until_the_rotation_is_recorded(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply().code == 0
    monkeypatch.setenv("BRAZE_API_KEY", ROTATED)

    for refused in (project.plan(), project.apply()):
        assert refused.code == 3
        assert (
            "the API key is not the one the ledger workspace 'default' "
            f"(sqlite:///{ledger_file(project)}) was applied with; nothing was planned"
        ) in refused.stderr
        assert "run `braze-reconciler state rebind-key` with the new key" in refused.stderr
    assert len(project.live()) == 1

    rebound = project.run("state", "rebind-key")
    assert rebound.code == 0, rebound.stderr
    assert "Workspace default: the new API key is recorded (journaled at @workspace)." in (
        rebound.stderr
    )
    again = project.run("state", "rebind-key")
    assert "already bound to this API key; nothing changed" in again.stderr
    project.assert_converged()

    journal = json.loads(project.run("state", "show", "@workspace", "--format", "json").stdout)[
        "journal"
    ]
    assert [entry["action"] for entry in journal] == ["bind", "bind"]
    assert journal[0]["message"].startswith(f"bound to {project.emulator.base_url} by ")
    assert journal[1]["message"].startswith("API key rebound (rotated) by ")
    shown = project.run("state", "show", "@workspace").stdout
    assert "the workspace's journal: the endpoint and API key bindings" in shown
    assert "not in the ledger any more" not in shown

    monkeypatch.setenv("BRAZE_API_KEY", KEY)  # the old key is now the other one
    assert project.plan().code == 3
    for secret in (KEY, ROTATED):
        assert secret.encode() not in ledger_file(project).read_bytes()


def test_audit_with_another_key_only_warns(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply().code == 0
    monkeypatch.setenv("BRAZE_API_KEY", ROTATED)  # e.g. a read-only key for the audit job
    audited = project.run("audit", str(project.manifests))
    assert audited.code == 0, audited.stderr
    assert (
        "warning: the API key is not the one this ledger was applied with: fine for a read-only "
        "key of the same Braze workspace"
    ) in audited.stdout


def test_rebind_key_needs_an_applied_workspace(project: Project) -> None:
    result = project.run("state", "rebind-key")
    assert result.code == 3
    assert "was never applied: there is no key to rebind" in result.stderr


def test_two_workspaces_with_one_endpoint_and_key_are_refused_unless_allowed(
    project: Project,
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply().code == 0

    planned = run_in(project, "copy", "plan", str(project.manifests))
    assert planned.code == 0
    assert (
        "the ledger workspace 'default' is already bound to "
        f"{project.emulator.base_url} with this API key: apply refuses to bind this one too "
        "unless --allow-shared-key"
    ) in planned.stdout
    refused = run_in(project, "copy", "apply", str(project.manifests), "--auto-approve")
    assert refused.code == 3
    assert "binding 'copy' too would let two ledgers create the same schedules" in refused.stderr
    assert "pass --allow-shared-key" in refused.stderr
    assert len(project.live()) == 1  # not a second copy

    project.write("m.yaml", scheduled_message("other"))  # distinct resources: intended
    allowed = run_in(
        project, "copy", "apply", str(project.manifests), "--auto-approve", "--allow-shared-key"
    )
    assert allowed.code == 0, allowed.stdout + allowed.stderr
    assert len(project.live()) == 2
    converged = run_in(project, "copy", "plan", str(project.manifests), "--detailed-exitcode")
    assert converged.code == 0, converged.stdout


OTHER_WORKSPACE_KEY = "e2e-other-workspace-key-555"


@pytest.fixture
def two_workspaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """One endpoint serving two Braze workspaces: KEY selects the default one,
    OTHER_WORKSPACE_KEY another."""
    seed = load_workspace().model_dump()
    seed["api_keys"].append({"key": OTHER_WORKSPACE_KEY, "workspace": "eu"})
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed), encoding="utf-8")
    yield from open_project(tmp_path, monkeypatch, seed=seed_file)


def test_another_workspaces_key_is_refused_and_never_creates_a_second_schedule(
    two_workspaces: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = two_workspaces
    project.write("m.yaml", scheduled_message("m", alert="v1"))
    assert project.apply().code == 0
    (live,) = project.live()
    with (
        BrazeClient(project.emulator.base_url, OTHER_WORKSPACE_KEY) as client,
        pytest.raises(BrazeApiError, match="Invalid schedule_id"),
    ):  # the key selects the workspace: the other one does not know this schedule
        client.delete_schedule("ScheduledMessage", {"schedule_id": live["schedule_id"]})

    monkeypatch.setenv("BRAZE_API_KEY", OTHER_WORKSPACE_KEY)
    project.write("m.yaml", scheduled_message("m", alert="v2"))
    refused = project.apply()
    assert refused.code == 3
    assert "the API key is not the one the ledger workspace 'default'" in refused.stderr

    # someone records the wrong key as a rotation anyway: the update is answered "unknown
    # schedule", and the record is kept (vanished) rather than forgotten and created again
    assert project.run("state", "rebind-key").code == 0
    failed = project.apply()
    assert failed.code == 7
    assert "the record is kept as vanished" in failed.stdout
    assert project.apply().code == 4
    assert [s["schedule_id"] for s in project.live()] == [live["schedule_id"]]


# -- vanished records -------------------------------------------------------------------------


def test_a_corrupted_schedule_id_is_kept_as_vanished_never_created_twice(
    project: Project,
) -> None:
    project.write("m.yaml", scheduled_message("m", alert="v1"))
    assert project.apply().code == 0
    (live,) = project.live()
    real = live["schedule_id"]
    corrupted = ("0" if real[0] != "0" else "1") + real[1:]
    set_schedule_id(project, "scheduled_message/m", corrupted)

    project.write("m.yaml", scheduled_message("m", alert="v2"))
    failed = project.apply()
    assert failed.code == 7
    assert (
        f"Braze does not know schedule {corrupted} (Invalid schedule_id): the record is kept "
        "as vanished; find out why"
    ) in failed.stdout
    assert status_of(project, "scheduled_message/m") is RecordStatus.VANISHED
    assert len(project.live()) == 1

    text = project.plan()
    assert text.code == 4
    assert "blocked (vanished):" in text.stdout
    assert f"Braze did not know schedule {corrupted} at the last apply" in text.stdout
    assert "state resolve scheduled_message/m --absent" in text.stdout
    markdown = project.plan("--format", "markdown")
    assert "**blocked (vanished)**" in markdown.stdout
    document = json.loads(project.plan("--format", "json").stdout)
    (change,) = document["changes"]
    assert change["blocked"]["code"] == "vanished"
    refused = project.apply()
    assert refused.code == 4
    assert len(project.live()) == 1
    listed = project.run("state", "list")
    assert "vanished" in listed.stdout
    audited = project.run("audit", str(project.manifests), "--format", "json")
    entries = json.loads(audited.stdout)["entries"]
    (entry,) = [e for e in entries if e["address"] == "scheduled_message/m"]
    assert entry["status"] == "uncertain"
    assert f"Braze did not know schedule {corrupted} at the last apply" in entry["detail"]

    resolved = project.run("state", "resolve", "scheduled_message/m", "--schedule-id", real)
    assert resolved.code == 0, resolved.stderr
    assert "recorded as adopted with schedule_id" in resolved.stderr
    assert "1 to update" in project.plan().stdout
    assert project.apply().code == 0
    project.assert_converged()
    (after,) = project.live()
    assert after["schedule_id"] == real
    assert after["body"]["messages"]["apple_push"]["alert"] == "v2"


def test_a_delete_answered_unknown_schedule_is_kept_as_vanished(project: Project) -> None:
    project.write("gift.yaml", campaign_schedule("gift"))
    # another resource stays declared: deleting every managed one would need --allow-destroy
    project.write("keep.yaml", scheduled_message("keep"))
    assert project.apply().code == 0
    shown = project.run("state", "show", "campaign_schedule/gift", "--format", "json")
    schedule_id = json.loads(shown.stdout)["record"]["schedule_id"]
    set_schedule_id(project, "campaign_schedule/gift", schedule_id[:-1] + "x")
    project.remove("gift.yaml")

    failed = project.apply()
    assert failed.code == 7
    assert "the record is kept as vanished" in failed.stdout
    assert status_of(project, "campaign_schedule/gift") is RecordStatus.VANISHED
    blocked = project.plan()
    assert blocked.code == 4
    assert "blocked (vanished)" in blocked.stdout

    # the person deletes the real one by hand, then says the ledger's one is gone
    resolved = project.run("state", "resolve", "campaign_schedule/gift", "--absent")
    assert resolved.code == 0
    project.assert_converged()
    assert status_of(project, "campaign_schedule/gift") is None


# -- losing or damaging the ledger --------------------------------------------------------------


def test_a_new_ledger_says_so_in_plan_and_apply(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    planned = project.plan()
    assert f"warning: {NEW_LEDGER}" in planned.stdout
    applied = project.apply()
    assert applied.code == 0
    assert f"warning: {NEW_LEDGER}" in applied.stdout
    assert NEW_LEDGER not in project.plan().stdout


def test_a_ledger_file_truncated_to_zero_bytes_is_refused(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply().code == 0
    ledger_file(project).write_bytes(b"")

    for refused in (project.plan(), project.apply()):
        assert refused.code == 3
        assert (
            f"the ledger file {ledger_file(project)} is empty (0 bytes): it is not a usable "
            "ledger; nothing was done"
        ) in refused.stderr
        assert "`braze-reconciler state import-json EXPORT.json`" in refused.stderr
    assert ledger_file(project).read_bytes() == b""
    assert len(project.live()) == 1


@pytest.mark.parametrize("damage", ["truncated", "a few bytes left", "bad header", "garbage"])
def test_a_corrupt_ledger_file_is_a_clear_error(project: Project, damage: str) -> None:
    for n in range(40):  # a few pages, so that a truncation cuts through the records
        project.write(f"m{n}.yaml", scheduled_message(f"m{n}", alert="x" * 200))
    assert project.apply().code == 0
    for leftover in ("state.db-wal", "state.db-shm"):
        (project.root / "ledger" / leftover).unlink(missing_ok=True)
    data = ledger_file(project).read_bytes()
    damaged = {
        "truncated": data[: len(data) // 2],
        "a few bytes left": data[:10],  # SQLite itself would read this as a new database
        "bad header": b"NOT A LEDGER" + data[12:],
        "garbage": bytes(range(256)) * 16,
    }[damage]
    ledger_file(project).write_bytes(damaged)

    for refused in (project.plan(), project.run("state", "list")):
        assert refused.code == 3, refused.stdout + refused.stderr
        assert f"the ledger file {ledger_file(project)} " in refused.stderr
        assert "state import-json EXPORT.json" in refused.stderr
        assert "Traceback" not in refused.stdout + refused.stderr
    assert len(project.live()) == 40


def test_a_damaged_ledger_is_restored_from_an_export(project: Project, tmp_path: Path) -> None:
    project.write("m.yaml", scheduled_message("m"))
    project.write("gift.yaml", campaign_schedule("gift"))
    assert project.apply().code == 0
    backup = tmp_path / "backup.json"
    assert project.run("state", "export", "--out", str(backup)).code == 0
    ledger_file(project).write_bytes(b"")  # lost

    damaged = ledger_file(project).rename(tmp_path / "damaged.db")
    restored = project.run("state", "import-json", str(backup))
    assert restored.code == 0, restored.stderr
    assert "Imported 2 records." in restored.stderr
    project.assert_converged()
    assert damaged.exists()


def test_import_json_of_deeply_nested_json_is_a_clear_error(
    project: Project, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = project.run("state", "import-json", str(deep))
    assert result.code == 3
    assert f"{deep} is nested too deeply to be a ledger export" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_an_adopted_record_with_a_wrong_id_is_kept_not_forgotten(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    adopted = project.run(
        "import",
        "campaign_schedule/a",
        "00000000-0000-4000-8000-000000000000",  # well formed, but Braze holds no such schedule
        "--path",
        str(project.manifests),
    )
    assert adopted.code == 0
    result = project.apply()
    assert result.code == 7
    assert "check the id given to `import`" in result.stdout
    record = json.loads(
        project.run("state", "show", "campaign_schedule/a", "--format", "json").stdout
    )["record"]
    assert record["status"] == "adopted"
    assert "1 to update" in project.plan().stdout  # not a create: nothing new is scheduled
    assert project.live() == []
