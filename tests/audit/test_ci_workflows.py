"""The CI examples in docs/ci/ and the pre-commit hook: they parse, name only commands and
options that exist, and their command lines, run against the emulator, give the exit codes
each workflow relies on."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.render.audit_markdown import MARKER as AUDIT_MARKER
from reconciler.render.markdown import MARKER as PLAN_MARKER
from tests.audit.workflows import (
    CI_DIR,
    REPO,
    Invocation,
    check_options,
    invocations,
    job_env,
    load,
    workflows,
)
from tests.e2e.conftest import KEY, NOW_TEXT, Project, campaign_schedule, scheduled_message

EXAMPLES = REPO / "examples"


def only(workflow: str, subcommand: str, option: str | None = None) -> Invocation:
    found = [
        i
        for i in invocations(workflow, workflows()[workflow])
        if subcommand in i.args[:1] and (option is None or option in i.args)
    ]
    assert len(found) == 1, found
    return found[0]


def run_line(project: Project, invocation: Invocation) -> int:
    """Run a workflow's command line as its runner would: the job's environment, with the
    secrets pointing at the emulator and a SQLite ledger, and ``manifests/`` at the project's."""
    secrets = {
        "BRAZE_API_KEY": KEY,
        "BRAZE_REST_ENDPOINT": project.emulator.base_url,
        "BRAZE_RECONCILER_STATE": project.state,
    }
    env = job_env(workflows()[invocation.workflow], invocation.job, secrets)
    env["BRAZE_RECONCILER_NOW"] = NOW_TEXT  # the emulator's clock
    result = CliRunner().invoke(cli, invocation.with_manifests(project.manifests), env=env)
    if invocation.stdout_to:
        (project.root / invocation.stdout_to).write_text(result.stdout, encoding="utf-8")
    return result.exit_code


def handles(invocation: Invocation, *codes: int) -> None:
    """The step's script treats each exit code explicitly (``case`` arms)."""
    for code in codes:
        assert re.search(rf"^\s*{code}\)", invocation.script, re.MULTILINE), (
            f"{invocation.workflow} step {invocation.step!r} does not handle exit {code}"
        )


# -- shape ----------------------------------------------------------------------------------


def test_every_workflow_parses_and_runs_only_known_commands_and_options() -> None:
    found = workflows()
    assert sorted(found) == ["apply.yml", "audit.yml", "preview.yml", "pull-request.yml"]
    used: set[str] = set()
    for name, workflow in found.items():
        assert {"name", "on", "jobs", "permissions"} <= set(workflow), name
        lines = list(invocations(name, workflow))
        assert lines, f"{name} runs no braze-reconciler command"
        for invocation in lines:
            used.add(check_options(invocation.args))
    assert used == {"validate", "plan", "apply", "audit", "state", "preview"}


def test_unknown_options_and_commands_are_caught() -> None:
    with pytest.raises(click.NoSuchOption):
        check_options(("audit", "--fail-on-drfit", "manifests/"))
    with pytest.raises(click.NoSuchOption):
        check_options(("--endpont", "local", "plan"))
    with pytest.raises(click.UsageError):
        check_options(("deploy", "manifests/"))
    with pytest.raises(click.BadParameter):
        check_options(("apply", "--lock-timeout", "ten minutes"))
    assert check_options(("--endpoint", "local", "-v", "audit", "--horizon", "7d")) == "audit"


def test_secrets_and_the_apply_concurrency_group() -> None:
    for name, workflow in workflows().items():
        for job in workflow["jobs"].values():
            env = job["env"]
            for secret in ("BRAZE_API_KEY", "BRAZE_REST_ENDPOINT", "BRAZE_RECONCILER_STATE"):
                assert env[secret] == f"${{{{ secrets.{secret} }}}}", (name, secret)
    apply = workflows()["apply.yml"]
    assert apply["concurrency"] == {"group": "braze-apply-production", "cancel-in-progress": False}
    assert apply["on"]["push"]["branches"] == ["main"]
    assert "--lock-timeout" in only("apply.yml", "apply").args


def test_every_workflow_installs_the_release_tag_the_pre_commit_hook_names() -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    documented = (REPO / "docs" / "workflow.md").read_text(encoding="utf-8")
    repo = re.search(r"- repo: (https://github\.com/\S+)\n\s+rev: (v\S+)", documented)
    assert repo is not None
    assert repo.group(2) == f"v{version}"
    expected = f'pip install "braze-reconciler @ git+{repo.group(1)}@v{version}"'
    for name, workflow in workflows().items():
        (job,) = workflow["jobs"].values()
        installs = [s["run"] for s in job["steps"] if "pip install" in str(s.get("run", ""))]
        assert installs == [expected], name
    assert expected in documented


def test_the_comment_and_issue_steps_find_their_marker_and_label() -> None:
    pull_request = (CI_DIR / "pull-request.yml").read_text(encoding="utf-8")
    assert f'const marker = "{PLAN_MARKER}";' in pull_request
    audit = (CI_DIR / "audit.yml").read_text(encoding="utf-8")
    assert audit.count("--label braze-drift") >= 3
    assert "--body-file audit.md" in audit
    preview = (CI_DIR / "preview.yml").read_text(encoding="utf-8")
    assert 'const marker = "<!-- braze-reconciler:preview -->";' in preview
    assert "github.event.label.name == 'preview'" in preview


# -- the command lines, run -----------------------------------------------------------------


def test_pull_request_workflow(project: Project) -> None:
    validate = only("pull-request.yml", "validate")
    plan = only("pull-request.yml", "plan")
    handles(plan, 0, 2, 4)
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    project.write("flash.yaml", scheduled_message("flash-sale"))
    assert run_line(project, validate) == 0
    assert run_line(project, plan) == 2, "changes: the comment is posted"
    comment = (project.root / "plan.md").read_text(encoding="utf-8")
    assert comment.startswith(PLAN_MARKER + "\n")
    assert len(comment) < 65_536

    assert run_line(project, only("apply.yml", "apply")) == 0
    assert run_line(project, plan) == 0, "no changes after the merge"

    project.write("late.yaml", scheduled_message("too-late", time="2026-12-01T08:05:00Z"))
    assert run_line(project, plan) == 4, "blocked by a safety gate"
    project.write("broken.yaml", "kind: ScheduledMessage\nname: Broken Name\nspec: {}\n")
    assert run_line(project, validate) == 3


def test_apply_workflow(project: Project) -> None:
    apply = only("apply.yml", "apply")
    check = only("apply.yml", "plan")
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert run_line(project, apply) == 0
    assert run_line(project, check) == 0
    assert len(project.live()) == 1

    project.write("flash.yaml", scheduled_message("flash-sale"))
    project.emulator.admin.set_faults(
        [{"endpoint": "/messages/schedule/create", "fault": "drop_after_commit", "count": 1}]
    )
    assert run_line(project, apply) == 7, "an uncertain create"
    assert run_line(project, apply) == 4, "it blocks the resource until resolved"
    assert run_line(project, only("audit.yml", "audit", "--fail-on-drift")) == 2, (
        "the audit reports it too"
    )


def test_preview_workflow(project: Project) -> None:
    """The label's job: the plan's creates, updates and replaces (as its jq selects them),
    previewed to the test group; a re-run skips them; a lost answer fails the job."""
    plan = only("preview.yml", "plan")
    preview = only("preview.yml", "preview")
    handles(plan, 0, 4)
    handles(preview, 0, 7)
    workflow = workflows()["preview.yml"]
    group = workflow["jobs"]["preview"]["env"]["BRAZE_TEST_GROUP"]
    assert '"$BRAZE_TEST_GROUP"' in preview.script
    assert '.action == "create" or .action == "update" or .action == "replace"' in (
        " ".join(str(step.get("run", "")) for step in workflow["jobs"]["preview"]["steps"])
    )
    project.write("group.yaml", (EXAMPLES / "testing" / "marketing-team.yaml").read_text())
    project.write("kept.yaml", campaign_schedule("kept"))
    assert run_line(project, only("apply.yml", "apply")) == 0
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    project.write("flash.yaml", scheduled_message("flash-sale"))

    assert run_line(project, plan) == 0
    changes = json.loads((project.root / "plan.json").read_text(encoding="utf-8"))["changes"]
    targets = [
        f"--target={c['address']}"
        for c in changes
        if c["action"] in ("create", "update", "replace")
    ]
    assert sorted(targets) == [
        "--target=campaign_schedule/gift-guide-push",
        "--target=scheduled_message/flash-sale",
    ]
    expanded = dataclasses.replace(
        preview,
        args=tuple(
            arg
            for token in preview.args
            for arg in (
                targets
                if token == "${targets[@]}"
                else [group if token == "$BRAZE_TEST_GROUP" else token]
            )
        ),
    )
    assert run_line(project, expanded) == 0
    report = json.loads((project.root / "previews.json").read_text(encoding="utf-8"))
    assert {p["status"] for p in report["previews"]} == {"sent"}
    sent = project.emulator.admin.sends()
    assert {s["dispatch_id"] for s in sent} == {p["dispatch_id"] for p in report["previews"]}
    assert "cust-" not in json.dumps(sent), "the manifests' own users never"
    assert run_line(project, expanded) == 0, "a re-run job skips what it sent"
    report = json.loads((project.root / "previews.json").read_text(encoding="utf-8"))
    assert {p["status"] for p in report["previews"]} == {"skipped"}
    project.write("flash.yaml", scheduled_message("flash-sale", alert="Sale v2"))
    project.emulator.admin.set_faults(
        [{"endpoint": "/messages/send", "fault": "drop_after_commit", "count": 1}]
    )
    assert run_line(project, expanded) == 7, "an uncertain preview fails the job"
    assert len(project.emulator.admin.sends()) == 3


def test_audit_workflow(project: Project) -> None:
    audit = only("audit.yml", "audit", "--fail-on-drift")
    handles(audit, 0, 2)
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert run_line(project, only("apply.yml", "apply")) == 0
    assert run_line(project, audit) == 2, "the demo workspace's dashboard broadcasts"
    issue = (project.root / "audit.md").read_text(encoding="utf-8")
    assert issue.startswith(AUDIT_MARKER + "\n")
    assert "December newsletter" in issue
    project.write(
        "expected.yaml", (EXAMPLES / "dashboard" / "expected-broadcasts.yaml").read_text()
    )
    assert run_line(project, audit) == 0


def test_audit_workflow_writes_the_calendar(project: Project) -> None:
    calendar = only("audit.yml", "audit", "ics")
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert run_line(project, only("apply.yml", "apply")) == 0
    assert run_line(project, calendar) == 0
    ics = (project.root / "braze-sends.ics").read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR")
    assert "UID:production/campaign_schedule/gift-guide-push@braze-reconciler" in ics


def test_apply_workflow_runs_nightly() -> None:
    triggers = workflows()["apply.yml"]["on"]
    assert triggers["schedule"], "a nightly apply keeps recurring sends scheduled"


def test_audit_workflow_backs_up_the_ledger_for_a_restore(project: Project) -> None:
    backup = only("audit.yml", "state")
    project.write("gift.yaml", campaign_schedule("gift-guide-push"))
    assert run_line(project, only("apply.yml", "apply")) == 0
    assert run_line(project, backup) == 0
    export = project.root / "ledger-export.json"
    assert KEY not in export.read_text(encoding="utf-8")
    restored = dataclasses.replace(project, state=f"sqlite:///{project.root / 'new' / 'state.db'}")
    assert restored.run("state", "import-json", str(export)).code == 0
    restored.assert_converged()


# -- pre-commit -----------------------------------------------------------------------------


def test_pre_commit_hook_validates_the_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = load(REPO / ".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    (hook,) = hooks
    assert hook["id"] == "braze-reconciler-validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    program, *entry = shlex.split(hook["entry"])
    scripts: Mapping[str, str] = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "scripts"
    ]
    assert program in scripts
    args = [*entry, *(str(EXAMPLES) if a == "manifests/" else a for a in hook["args"])]
    assert check_options(tuple(args)) == "validate"
    monkeypatch.delenv("BRAZE_RECONCILER_NOW", raising=False)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    broken = CliRunner().invoke(cli, [*entry, str(REPO / "tests" / "manifest" / "invalid")])
    assert broken.exit_code == 3


def test_pre_commit_hook_passes_a_repository_without_manifests_yet(tmp_path: Path) -> None:
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    _, *entry = shlex.split(hook["entry"])
    (tmp_path / "manifests").mkdir()
    empty = CliRunner().invoke(cli, [*entry, str(tmp_path / "manifests")])
    assert empty.exit_code == 0, empty.output
    typo = CliRunner().invoke(cli, [*entry, str(tmp_path / "manifest")])
    assert typo.exit_code == 3
    assert "no such file or directory" in typo.stderr
    # without the hook's --allow-empty, the same tree is refused
    plain = CliRunner().invoke(cli, ["validate", str(tmp_path / "manifests")])
    assert plain.exit_code == 3
    assert "no manifests found in" in plain.stderr


def test_docs_name_the_ci_files_and_exit_codes() -> None:
    text = (REPO / "docs" / "workflow.md").read_text(encoding="utf-8")
    for name in (
        "pull-request.yml",
        "apply.yml",
        "audit.yml",
        "preview.yml",
        ".pre-commit-hooks.yaml",
    ):
        assert name in text
    for code in range(8):
        assert f"| {code} |" in text
    assert not any(Path(EXAMPLES).rglob("*.yml")), "examples/ holds manifests only"
