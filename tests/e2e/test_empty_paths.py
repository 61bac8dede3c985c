"""A wrong path never deletes everything: paths holding no manifest, emptying a workspace,
and --target values that select nothing, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.plan.planfile import PLAN_KEY_ENV
from tests.e2e.conftest import Project, campaign_schedule, scheduled_message

HINT = "hint: give the directory or files that hold your manifests (e.g. manifests/)"


def applied(project: Project, count: int = 3) -> None:
    for index in range(count):
        project.write(f"m{index}.yaml", scheduled_message(f"m{index}", alert=f"A{index}"))
    assert project.apply().code == 0
    assert len(project.live()) == count


def empty_dir(project: Project) -> Path:
    path = project.root / "empty"
    path.mkdir()
    return path


def test_apply_auto_approve_on_an_empty_folder_deletes_nothing(project: Project) -> None:
    applied(project)
    empty = empty_dir(project)
    result = project.run("apply", str(empty), "--auto-approve")
    assert result.code == 3
    assert f"error: no manifests found in {empty} (no *.yaml or *.yml file there)" in (
        result.stderr
    )
    assert HINT in result.stderr
    assert len(project.live()) == 3
    project.assert_converged()


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("empty.yaml", "", "1 YAML file there, holding no document with a kind"),
        ("comments.yaml", "# nothing yet\n---\n", "1 YAML file there, holding no document"),
    ],
)
def test_files_holding_no_document_are_refused(
    project: Project, name: str, text: str, found: str
) -> None:
    applied(project)
    path = project.root / name
    path.write_text(text, encoding="utf-8")
    for command in ("validate", "plan", "apply"):
        extra = ("--auto-approve",) if command == "apply" else ()
        result = project.run(command, str(path), *extra)
        assert result.code == 3, (command, result.stdout, result.stderr)
        assert f"error: no manifests found in {path} ({found}" in result.stderr
    assert len(project.live()) == 3


def test_a_folder_without_manifests_is_refused_by_validate_and_plan(project: Project) -> None:
    applied(project)
    docs = empty_dir(project)
    (docs / "README.md").write_text("# notes\n", encoding="utf-8")
    validate = project.run("validate", str(docs))
    assert validate.code == 3
    assert "no manifests found in" in validate.stderr
    plan = project.run("plan", str(docs), "--detailed-exitcode")
    assert plan.code == 3
    assert plan.stdout == ""
    assert "--allow-empty" in plan.stderr
    assert project.run("validate", str(docs), "--allow-empty").code == 0


def test_allow_empty_deletes_only_through_every_gate(project: Project) -> None:
    applied(project)
    empty = empty_dir(project)
    gated = project.run("apply", str(empty), "--auto-approve", "--allow-empty")
    assert gated.code == 4
    assert (
        "scheduled_message/m0 (delete): the plan deletes every managed resource of the "
        "workspace (3 of 3): pass --allow-destroy if that is intended"
    ) in gated.stderr
    assert len(project.live()) == 3
    plan = project.run("plan", str(empty), "--allow-empty")
    assert plan.code == 4
    assert "Plan: 0 to create, 0 to update, 0 to replace, 3 to delete" in plan.stdout

    done = project.run("apply", str(empty), "--auto-approve", "--allow-empty", "--allow-destroy")
    assert done.code == 0, done.stdout + done.stderr
    assert project.live() == []
    again = project.run("plan", str(empty), "--allow-empty", "--detailed-exitcode")
    assert again.code == 0, again.stdout + again.stderr
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete" in again.stdout


def test_deleting_the_only_managed_resource_needs_allow_destroy(project: Project) -> None:
    applied(project, count=1)
    project.remove("m0.yaml")
    project.write("notes.yaml", "# the only manifest went away\n")
    refused = project.apply("--allow-empty")
    assert refused.code == 4
    assert "the plan deletes every managed resource of the workspace (1 of 1)" in refused.stderr
    assert len(project.live()) == 1
    assert project.apply("--allow-empty", "--allow-destroy").code == 0
    assert project.live() == []


def test_deleting_some_resources_keeps_the_threshold(project: Project) -> None:
    applied(project)
    project.remove("m0.yaml")
    assert project.apply().code == 0, "1 of 3: below the threshold, not all of them"
    assert len(project.live()) == 2
    project.assert_converged()


def test_a_target_that_matches_nothing_says_what_it_looked_for(project: Project) -> None:
    applied(project)
    project.write("m0.yaml", scheduled_message("m0", alert="changed"))
    typo = project.plan("--target", "scheduled_message/m0x", "--detailed-exitcode")
    assert typo.code == 3
    assert (
        "error: --target 'scheduled_message/m0x' matches no resource of the manifests or the "
        "ledger (3 addresses looked at); nothing was planned"
    ) in typo.stderr
    assert "hint: did you mean scheduled_message/m0?" in typo.stderr
    label = project.apply("--target", "team=nobody")
    assert label.code == 3
    assert "--target 'team=nobody' matches no resource" in label.stderr
    assert project.live()[0]["body"]["messages"]["apple_push"]["alert"] in ("A0", "A1", "A2")
    both = project.plan("--target", "scheduled_message/m0", "--target", "nothing/*")
    assert both.code == 3
    assert "--target 'nothing/*' matches no resource" in both.stderr

    glob = project.plan("--target", "scheduled_message/m*", "--detailed-exitcode")
    assert glob.code == 2
    assert project.apply("--target", "scheduled_message/m0").code == 0
    project.assert_converged()


def test_a_saved_plan_that_empties_the_workspace_applies_only_with_allow_empty(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PLAN_KEY_ENV, "empty-paths-test-key-0123456789abcdef")
    applied(project)
    empty = empty_dir(project)
    saved = tmp_path / "plan.json"
    made = project.run("plan", str(empty), "--allow-empty", "--allow-destroy", "--out", str(saved))
    assert made.code == 0, made.stdout + made.stderr
    # apply --plan plans again from its PATHS: an empty one still needs --allow-empty
    refused = project.run("apply", "--plan", str(saved), str(empty), "--auto-approve")
    assert refused.code == 3
    assert "no manifests found in" in refused.stderr
    assert len(project.live()) == 3
    done = project.run("apply", "--plan", str(saved), str(empty), "--allow-empty", "--auto-approve")
    assert done.code == 0, done.stdout + done.stderr
    assert project.live() == []


def test_allow_empty_alone_deletes_nothing_even_beside_a_protected_resource(
    project: Project,
) -> None:
    project.write("gift.yaml", campaign_schedule("gift", protect=True))
    project.write("m0.yaml", scheduled_message("m0"))
    project.write("m1.yaml", scheduled_message("m1", alert="B"))
    assert project.apply().code == 0
    empty = empty_dir(project)
    planned = project.run("plan", str(empty), "--allow-empty")
    assert planned.code == 4, planned.stdout + planned.stderr
    assert "the plan deletes every managed resource of the workspace" in planned.stdout
    assert project.run("apply", str(empty), "--allow-empty", "--auto-approve").code == 4
    assert len(project.live()) == 3
