"""Saved plans: applied exactly as reviewed; stale, expired or misdirected ones refused (5)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Project, campaign_schedule, scheduled_message


def saved(project: Project, name: str = "plan.json") -> Path:
    path = project.root / name
    result = project.plan("--out", str(path))
    assert result.code == 0, result.stderr
    return path


def test_a_saved_plan_applies_exactly_what_it_holds(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    # The manifests change after the review: the saved plan still applies what was reviewed.
    project.write("b.yaml", campaign_schedule("b"))
    result = project.run("apply", "--plan", str(plan_file), "--auto-approve")
    assert result.code == 0, result.stdout + result.stderr
    (live,) = project.live()
    reviewed = json.loads(plan_file.read_text())["changes"][0]["requests"][0]["body"]
    assert live["body"] == reviewed
    plan = project.plan()
    assert "campaign_schedule/b" in plan.stdout
    assert "1 to create" in plan.stdout


def test_a_saved_plan_holds_bodies_serial_and_target_but_never_the_key(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    text = saved(project).read_text()
    data = json.loads(text)
    assert data["serial"] == 0
    assert data["workspace"] == "default"
    assert data["endpoint"] == project.emulator.base_url
    assert data["manifests_digest"].startswith("sha256:")
    assert data["changes"][0]["requests"][0]["body"]["messages"] == {
        "apple_push": {"alert": "Sale"}
    }
    assert "e2e-test-key" not in text


def test_a_stale_plan_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    project.write("b.yaml", campaign_schedule("b"))
    assert project.apply().code == 0  # the ledger moves on
    result = project.run("apply", "--plan", str(plan_file), "--auto-approve")
    assert result.code == 5
    assert "the saved plan is stale: the ledger changed since it was made" in result.stderr


def test_an_expired_plan_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    data = json.loads(plan_file.read_text())
    data["created_at"] = "2026-01-01T00:00:00Z"
    plan_file.write_text(json.dumps(data))
    result = project.run("apply", "--plan", str(plan_file), "--auto-approve")
    assert result.code == 5
    assert "the saved plan expired" in result.stderr
    result = project.run(
        "apply", "--plan", str(saved(project)), "--auto-approve", "--max-plan-age", "0s"
    )
    assert result.code == 5


def test_a_plan_for_another_workspace_or_endpoint_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    other = project.run(
        "--workspace", "staging", "apply", "--plan", str(plan_file), "--auto-approve"
    )
    assert other.code == 5
    assert "the saved plan is for workspace 'default', not 'staging'" in other.stderr
    result = project.run(
        "apply",
        "--plan",
        str(plan_file),
        "--auto-approve",
        endpoint="http://127.0.0.1:9",
    )
    assert result.code == 5
    assert "the saved plan is for endpoint" in result.stderr


def test_a_saved_plan_with_blocked_changes_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a", "2026-11-30T10:00:00Z"))
    path = project.root / "plan.json"
    result = project.plan("--out", str(path))
    assert result.code == 4
    applied = project.run("apply", "--plan", str(path), "--auto-approve")
    assert applied.code == 4
    assert "blocked by a safety gate; nothing was applied" in applied.stderr
    assert project.live() == []


def test_a_plan_with_a_bad_or_future_creation_time_is_refused(project: Project) -> None:
    project.write("a.yaml", campaign_schedule("a"))
    plan_file = saved(project)
    data = json.loads(plan_file.read_text())
    for created_at, words in (
        ("yesterday", "is not a time"),
        ("2099-01-01T00:00:00Z", "was made in the future"),
    ):
        data["created_at"] = created_at
        plan_file.write_text(json.dumps(data))
        result = project.run("apply", "--plan", str(plan_file), "--auto-approve")
        assert result.code == 5
        assert words in result.stderr
