"""``audit`` end to end: the real CLI, a real ledger and the emulator's dashboard listing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import cli
from tests.audit.conftest import CLEARANCE, DIGEST, SPRING
from tests.e2e.conftest import KEY, NOW_TEXT, Project, campaign_schedule, scheduled_message

NEWSLETTER = "3d4847b5-37fd-4361-8fb8-870321373791"
ADVENT = "0b6c2f4e-5f0a-4d0e-9a57-6d1c4b1e2a90"


def audit_json(project: Project, *extra: str) -> dict[str, Any]:
    result = project.run("audit", str(project.manifests), "--format", "json", *extra)
    assert result.code == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {
        entry["address"] or f"{entry['broadcast_type']}/{entry['broadcast_id']}": entry["status"]
        for entry in data["entries"]
    }


def test_an_undeclared_dashboard_broadcast_is_drift_until_its_expectation_is_added(
    project: Project,
) -> None:
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert project.apply().code == 0

    drift = project.run("audit", str(project.manifests), "--fail-on-drift")
    assert drift.code == 2, drift.stdout + drift.stderr
    assert "unexpected" in drift.stdout
    assert 'Campaign "December newsletter"' in drift.stdout
    assert 'Canvas "Advent calendar"' in drift.stdout
    assert "Audit: 1 in sync, 0 pending changes, 0 uncertain, 2 unexpected" in drift.stdout

    drafts = project.manifests / "dashboard"
    generated = project.run("audit", str(project.manifests), "--generate-expectations", str(drafts))
    assert generated.code == 0, generated.stderr
    assert sorted(p.name for p in drafts.iterdir()) == [
        "advent-calendar.yaml",
        "december-newsletter.yaml",
    ]
    assert "Wrote 2 draft DashboardSchedule manifests to" in generated.stderr
    assert project.run("validate", str(drafts)).code == 0

    clean = project.run("audit", str(project.manifests), "--fail-on-drift")
    assert clean.code == 0, clean.stdout + clean.stderr
    assert "Audit: 3 in sync, 0 pending changes" in clean.stdout
    again = project.run("audit", str(project.manifests), "--generate-expectations", str(drafts))
    assert "No unexpected dashboard broadcast: no draft written." in again.stderr


def test_the_examples_expectations_match_the_demo_workspace(project: Project) -> None:
    examples = Path(__file__).parents[2] / "examples" / "dashboard"
    result = project.run("audit", str(examples), "--fail-on-drift", "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert statuses(data) == {
        "dashboard_schedule/advent-calendar": "in_sync",
        "dashboard_schedule/december-newsletter": "in_sync",
    }


def test_a_changed_manifest_is_pending_and_an_uncertain_create_uncertain(
    project: Project,
) -> None:
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    project.write("flash.yaml", scheduled_message("flash-sale"))
    assert project.apply().code == 0
    project.write("gift.yaml", campaign_schedule("gift-guide-push", time="2026-12-05T12:00:00Z"))
    project.write("late.yaml", scheduled_message("late-sale", alert="Late"))
    project.emulator.admin.set_faults(
        [{"endpoint": "/messages/schedule/create", "fault": "drop_after_commit", "count": 1}]
    )
    assert (
        project.run(
            "apply",
            str(project.manifests),
            "--auto-approve",
            "--target",
            "scheduled_message/late-sale",
        ).code
        == 7
    )
    project.emulator.admin.set_faults([])

    data = audit_json(project)
    found = statuses(data)
    assert found["campaign_schedule/gift-guide-push"] == "pending_change"
    assert found["scheduled_message/late-sale"] == "uncertain"
    assert found["scheduled_message/flash-sale"] == "in_sync"
    gift = next(e for e in data["entries"] if e["address"] == "campaign_schedule/gift-guide-push")
    assert gift["send_at"] == "2026-12-05T10:00:00Z"
    assert gift["desired_send_at"] == "2026-12-05T12:00:00Z"
    assert gift["action"] == "update"
    assert data["drift"] is True
    assert project.run("audit", str(project.manifests), "--fail-on-drift").code == 2


def test_the_audit_reads_only_the_listing_and_never_writes_the_ledger(project: Project) -> None:
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert project.apply().code == 0
    before = project.run("state", "list", "--format", "json").stdout
    calls_before = project.emulator.admin.stats()["requests"]
    project.write("gift.yaml", campaign_schedule("gift-guide-push", time="2026-12-06T10:00:00Z"))
    audit_json(project)
    calls = project.emulator.admin.stats()["requests"]
    new = {path for path in calls if calls[path] != calls_before.get(path)}
    assert new == {"/messages/scheduled_broadcasts"}
    assert project.run("state", "list", "--format", "json").stdout == before


def test_listing_shapes_and_the_horizon(seeded: Project) -> None:
    seeded.write(
        "expected.yaml",
        f"""kind: DashboardSchedule
name: clearance
spec:
  campaign_id: {CLEARANCE}
  next_send_time: "2026-12-28T10:00:00-05:00"
  schedule_type: America/New_York
---
kind: DashboardSchedule
name: digest
spec:
  canvas_id: {DIGEST}
  next_send_time: "2026-12-08T00:00:00"
---
kind: DashboardSchedule
name: newsletter
spec:
  campaign_id: {NEWSLETTER}
  schedule_type: local_time_zones
---
kind: DashboardSchedule
name: retired
spec:
  campaign_id: b19ee9a9-5314-4843-b873-6653bb44d2db
""",
    )
    data = audit_json(seeded)
    assert statuses(data) == {
        f"Canvas/{ADVENT}": "unexpected",
        "dashboard_schedule/newsletter": "mismatched",
        "dashboard_schedule/digest": "mismatched",
        "dashboard_schedule/clearance": "in_sync",
        "dashboard_schedule/retired": "missing",
    }
    assert SPRING not in json.dumps(data), "beyond the 30-day horizon"
    assert data["listing_end_time"] == "2027-01-01T00:00:00Z"
    digest = next(e for e in data["entries"] if e["address"] == "dashboard_schedule/digest")
    assert digest["send_at"] == "2026-12-06T10:00:00Z"
    assert digest["detail"].startswith(
        "next send 2026-12-07T00:00:00, declared 2026-12-08T00:00:00 (moved -24 h)"
    )
    week = audit_json(seeded, "--horizon", "7d")
    assert statuses(week) == {
        f"Canvas/{ADVENT}": "unexpected",
        "dashboard_schedule/newsletter": "mismatched",
        "dashboard_schedule/digest": "mismatched",
        "dashboard_schedule/retired": "missing",
    }
    assert week["listing_end_time"] == "2026-12-09T00:00:00Z"
    spring = audit_json(seeded, "--horizon", "70d")
    assert statuses(spring)[f"Campaign/{SPRING}"] == "unexpected"


def test_markdown_for_the_nightly_issue(seeded: Project) -> None:
    result = seeded.run("audit", str(seeded.manifests), "--format", "markdown", "--fail-on-drift")
    assert result.code == 2
    assert result.stdout.startswith("<!-- braze-reconciler:audit -->\n")
    assert "**Drift: 4 unexpected (0 in sync).**" in result.stdout
    assert "Year-end clearance" in result.stdout
    assert "2026-12-28 10:00 (America/New_York)" in result.stdout


def test_generated_names_are_unique_and_never_overwrite(seeded: Project) -> None:
    seeded.write(
        "taken.yaml",
        """kind: DashboardSchedule
name: december-newsletter
spec:
  campaign_id: 00000000-0000-4000-8000-000000000000
""",
    )
    drafts = seeded.manifests / "drafts"
    drafts.mkdir()
    (drafts / "weekly-digest.yaml").write_text("# a file of ours\n", encoding="utf-8")
    result = seeded.run("audit", str(seeded.manifests), "--generate-expectations", str(drafts))
    assert result.code == 0, result.stderr
    assert (drafts / "weekly-digest.yaml").read_text(encoding="utf-8") == "# a file of ours\n"
    names = sorted(p.name for p in drafts.iterdir())
    assert names == [
        "advent-calendar.yaml",
        "december-newsletter-3d4847b5.yaml",
        "weekly-digest-9e8d7c6b.yaml",
        "weekly-digest.yaml",
        "year-end-clearance.yaml",
    ]
    (drafts / "weekly-digest.yaml").unlink()
    assert seeded.run("validate", str(seeded.manifests)).code == 0
    after = seeded.run("audit", str(seeded.manifests), "--fail-on-drift", "--format", "json")
    assert after.code == 2, "the decoy expectation is missing"
    found = statuses(json.loads(after.stdout))
    assert found.pop("dashboard_schedule/december-newsletter") == "missing"
    assert set(found.values()) == {"in_sync"}


def test_arguments_and_configuration_errors_exit_3(project: Project) -> None:
    bad = project.run("audit", str(project.manifests), "--horizon", "0d")
    assert bad.code == 3
    assert "--horizon must be longer than zero" in bad.stderr
    assert project.run("audit", str(project.manifests), "--horizon", "soon").code == 3
    (project.root / "a-file").write_text("", encoding="utf-8")
    unwritable = project.run(
        "audit",
        str(project.manifests),
        "--generate-expectations",
        str(project.root / "a-file" / "drafts"),
    )
    assert unwritable.code == 3
    assert "cannot write draft expectations into" in unwritable.stderr
    project.write("broken.yaml", "kind: DashboardSchedule\nname: x\nspec: {}\n")
    assert project.run("audit", str(project.manifests)).code == 3


def test_the_audit_needs_the_api_key(project: Project, monkeypatch: Any) -> None:
    monkeypatch.delenv("BRAZE_API_KEY")
    result = project.run("audit", str(project.manifests))
    assert result.code == 3
    assert "no Braze API key" in result.stderr


def test_another_endpoint_is_refused(project: Project) -> None:
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert project.apply().code == 0
    other = project.run("audit", str(project.manifests), endpoint="https://rest.iad-03.braze.com")
    assert other.code == 3
    assert "belongs to" in other.stderr


def test_endpoint_local(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRAZE_API_KEY", raising=False)
    examples = Path(__file__).parents[2] / "examples"
    result = CliRunner().invoke(
        cli,
        ["--endpoint", "local", "audit", str(examples), "--now", NOW_TEXT, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["endpoint"] == "local"
    # The dashboard's two broadcasts, and the weekly digest's 2026-12-21 occurrence, past its
    # 14-day window (a later apply schedules it); its 12-07 and 12-14 are not applied yet.
    assert data["counts"]["in_sync"] == 3
    assert data["counts"]["pending_change"] == 10
    assert KEY not in result.stdout
