"""Input a new user gets wrong, through the real CLI against the emulator and a real ledger:
identifiers that are not Braze's, hints that must lead somewhere, links out of the tree,
secrets in URLs, and values that used to end in an internal error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.plan.planfile import PLAN_KEY_ENV
from tests.e2e.conftest import CAMPAIGN, Project, campaign_schedule, scheduled_message


def flat(text: str) -> str:
    """Output with the terminal's line wrapping undone."""
    return " ".join(text.split())


def test_a_campaign_name_as_campaign_id_fails_validate_plan_and_apply_before_any_call(
    project: Project,
) -> None:
    path = project.write(
        "gift.yaml", campaign_schedule("gift").replace(CAMPAIGN, "holiday-gift-guide")
    )
    validated = project.run("validate", str(project.manifests))
    assert validated.code == 3
    assert validated.stdout.startswith(
        f"{path}:5:16: error: campaign_schedule/gift: spec.campaign_id: 'holiday-gift-guide' is "
        "not a Braze campaign identifier: Braze identifiers are UUIDs [invalid_id]\n"
        "  hint: copy the Campaign API Identifier at the bottom of the campaign's page (a UUID "
        "such as 924cd632-0dc9-4a59-a3f1-b892936fd233)\n"
    )
    for result in (project.plan(), project.apply()):
        assert result.code == 3
        assert "'holiday-gift-guide' is not a Braze campaign identifier" in flat(result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
    assert project.schedules() == []  # nothing reached Braze
    project.write("gift.yaml", campaign_schedule("gift"))  # the id copied as the hint says
    assert project.apply().code == 0
    project.assert_converged()
    assert len(project.live()) == 1


def test_import_and_resolve_refuse_a_schedule_id_that_braze_cannot_have_made(
    project: Project,
) -> None:
    project.write("gift.yaml", campaign_schedule("gift"))
    imported = project.run(
        "import", "campaign_schedule/gift", "gift-guide-dec-5", "--path", str(project.manifests)
    )
    assert imported.code == 3
    assert flat(imported.stderr) == (
        "error: 'gift-guide-dec-5' is not a schedule id: Braze's create answer gives one as a "
        "generated key (a UUID such as 924cd632-0dc9-4a59-a3f1-b892936fd233) hint: copy the "
        "schedule_id from the create call's answer (the apply log or `state show ADDRESS` of "
        "the ledger it was created from)"
    )
    assert json.loads(project.run("state", "list", "--format", "json").stdout)["records"] == []
    resolved = project.run("state", "resolve", "campaign_schedule/gift", "--schedule-id", "x y")
    assert resolved.code == 3
    assert "'x y' is not a schedule id" in flat(resolved.stderr)


def test_apply_without_a_terminal_hints_what_works(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PLAN_KEY_ENV, "inputs-test-plan-key-0123456789abcdef")
    project.write("a.yaml", scheduled_message("a"))
    asked = project.run("apply", str(project.manifests))
    assert asked.code == 3
    assert (
        "hint: review the plan, then pass --auto-approve (CI); or save it with `plan --out "
        "FILE`, review it, and run `apply --plan FILE PATHS --auto-approve`" in flat(asked.stderr)
    )
    plan_file = project.root / "plan.json"
    assert project.plan("--out", str(plan_file)).code == 0
    saved = project.run("apply", "--plan", str(plan_file), str(project.manifests))
    assert saved.code == 3
    assert flat(saved.stderr).endswith(
        "hint: this saved plan is what was reviewed: pass --auto-approve to apply it"
    )
    assert "or apply a saved plan" not in saved.stderr
    followed = project.run(
        "apply", "--plan", str(plan_file), str(project.manifests), "--auto-approve"
    )
    assert followed.code == 0, followed.stdout + followed.stderr
    project.assert_converged()


def test_a_linked_directory_out_of_the_tree_is_refused_and_nothing_is_deleted(
    project: Project,
) -> None:
    project.write("a.yaml", scheduled_message("a"))
    project.write("team-b/b.yaml", scheduled_message("b", alert="B"))
    assert project.apply().code == 0
    # Team B's manifests move to a shared checkout; a link keeps them in the tree.
    shared = project.root / "shared"
    (project.manifests / "team-b").rename(shared)
    (project.manifests / "team-b").symlink_to(shared, target_is_directory=True)
    for result in (project.plan(), project.apply()):
        assert result.code == 3
        assert (
            f"{project.manifests / 'team-b'}:1:1: error: symbolic link to {shared} leads "
            "outside the given paths: not read [link_outside_paths]" in flat(result.stderr)
        )
    assert len(project.live()) == 2  # without the refusal, b would have been deleted
    # The hint: give the target as a path too.
    again = project.run("plan", str(project.manifests), str(shared), "--detailed-exitcode")
    assert again.code == 0, again.stdout + again.stderr


def test_a_link_to_the_environment_is_never_read(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a"))
    (project.manifests / "env.yaml").symlink_to("/proc/self/environ")
    result = project.apply()
    assert result.code == 3
    assert "e2e-test-key" not in result.stdout + result.stderr
    assert "symbolic link to /proc/self/environ leads outside" in flat(result.stderr)
    assert project.schedules() == []


def test_a_huge_integer_and_a_name_that_is_not_utf8_are_clear_errors(project: Project) -> None:
    project.write(
        "gift.yaml",
        campaign_schedule("gift", extra=f"\n  trigger_properties: {{total: {'9' * 5000}}}"),
    )
    result = project.apply()
    assert result.code == 3
    assert "is too large: Braze reads numbers as 64-bit integers" in flat(result.stderr)
    assert "internal error" not in result.stderr
    project.remove("gift.yaml")
    name = os.fsencode(project.manifests) + b"/caf\xe9.yaml"
    Path(os.fsdecode(name)).write_text(scheduled_message("cafe"), encoding="utf-8")
    named = project.apply()
    assert named.code == 3
    assert (
        f"{project.manifests}/caf\\xe9.yaml:1:1: error: file name is not valid UTF-8: not read"
        in flat(named.stderr)
    )
    assert "internal error" not in named.stderr
    assert project.schedules() == []


def test_passwords_in_the_state_url_and_the_endpoint_are_never_printed(project: Project) -> None:
    runner = CliRunner()
    dsn = runner.invoke(
        cli, ["--state", "host=127.0.0.1 password=hunter2-secret dbname=x", "state", "list"]
    )
    assert dsn.exit_code == 3
    assert "hunter2-secret" not in dsn.output
    assert "state URL 'host=127.0.0.1 password=*** dbname=x' has no scheme" in flat(dsn.stderr)
    token = runner.invoke(
        cli,
        [
            "--state",
            "postgresql://u:hunter2%zz@127.0.0.1:1/x",
            "--endpoint",
            "local",
            "state",
            "list",
        ],
    )
    assert token.exit_code == 3  # a malformed ledger URL is invalid input
    assert "hunter2" not in token.output
    assert 'invalid percent-encoded token: "***"' in flat(token.stderr)
    project.write("a.yaml", scheduled_message("a"))
    endpoint = project.run(
        "plan", str(project.manifests), endpoint="https://bob:hunter2-secret@rest.iad-01.braze.com"
    )
    assert endpoint.code == 3
    assert "hunter2-secret" not in endpoint.stdout + endpoint.stderr
    assert (
        "error: endpoint 'https://bob:***@rest.iad-01.braze.com' carries user info "
        "(user:password@): remove it; Braze authenticates with the API key only"
    ) in flat(endpoint.stderr)
