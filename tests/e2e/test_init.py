"""``init``: a new project that plans, applies and plans again with no flag, against the
embedded emulator; it never overwrites a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.cli.init_cmd import scaffold_text
from tests.e2e.conftest import NOW_TEXT

REPO = Path(__file__).parents[2]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "BRAZE_API_KEY",
        "BRAZE_REST_ENDPOINT",
        "BRAZE_RECONCILER_ENV",
        "BRAZE_RECONCILER_STATE",
        "BRAZE_RECONCILER_WORKSPACE",
        "BRAZE_RECONCILER_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRAZE_RECONCILER_NOW", NOW_TEXT)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_then_plan_apply_plan_with_no_flag(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("init", "project")
    assert code == 0, err
    assert "braze-reconciler plan" in err
    monkeypatch.chdir(fresh / "project")
    code, out, err = run("validate")
    assert code == 0, out + err
    assert "4 resources in 4 files valid." in out
    code, out, err = run("plan")
    assert code == 0, out + err
    assert "Plan: 4 to create" in out
    assert "(var campaign)" in out
    assert "Plan for workspace local at local" in out
    code, out, err = run("apply", "--auto-approve")
    assert code == 0, out + err
    code, out, err = run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes." in out
    # The local state is ignored by git, kept at the project's root, also from below it.
    assert ".braze-reconciler/" in (fresh / "project" / ".gitignore").read_text("utf-8").split()
    monkeypatch.chdir(fresh / "project" / "manifests")
    code, out, err = run("plan", "--detailed-exitcode")
    assert code == 0, out + err


def test_init_writes_one_manifest_per_kind_and_the_workflows(fresh: Path) -> None:
    assert run("init")[0] == 0
    manifests = sorted(p.name for p in (fresh / "manifests").iterdir())
    assert manifests == [
        "campaign-schedule.yaml",
        "canvas-schedule.yaml",
        "scheduled-message.yaml",
        "send-id.yaml",
    ]
    for name in manifests:
        text = (fresh / "manifests" / name).read_text("utf-8")
        assert text.startswith("# yaml-language-server: $schema=../schemas/manifest.schema.json")
    assert (fresh / "schemas" / "manifest.schema.json").is_file()
    assert (fresh / ".pre-commit-config.yaml").is_file()
    # The workflows are docs/ci/environments/, as documented.
    for name, doc in (("plan", "plan.yml"), ("apply", "apply.yml")):
        written = (fresh / ".github" / "workflows" / f"braze-reconciler-{name}.yml").read_text()
        assert written == (REPO / "docs" / "ci" / "environments" / doc).read_text("utf-8")
        assert written == scaffold_text(f"workflows/braze-reconciler-{name}.yml")


def test_init_refuses_to_overwrite(fresh: Path) -> None:
    (fresh / ".gitignore").write_text("node_modules/", encoding="utf-8")
    (fresh / "manifests").mkdir()
    (fresh / "manifests" / "send-id.yaml").write_text("# mine\n", encoding="utf-8")
    code, _, err = run("init")
    assert code == 3
    assert "already has manifests/send-id.yaml: nothing was written" in err
    assert not (fresh / "braze-reconciler.toml").exists()
    assert (fresh / "manifests" / "send-id.yaml").read_text("utf-8") == "# mine\n"
    (fresh / "manifests" / "send-id.yaml").unlink()
    assert run("init")[0] == 0
    assert (fresh / ".gitignore").read_text("utf-8").splitlines()[0] == "node_modules/"
    assert ".braze-reconciler/" in (fresh / ".gitignore").read_text("utf-8").splitlines()
    code, _, err = run("init")
    assert code == 3
    assert "braze-reconciler.toml" in err
