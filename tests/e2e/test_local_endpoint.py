"""The quick start: plan, apply, plan again on the examples with ``--endpoint local``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_quick_start_against_the_embedded_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRAZE_API_KEY", raising=False)
    monkeypatch.setenv("BRAZE_REST_ENDPOINT", "local")
    monkeypatch.setenv("BRAZE_RECONCILER_NOW", "2026-12-01T08:00:00Z")
    runner = CliRunner()

    first = runner.invoke(cli, ["plan", "examples/"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == (
        "Plan: 10 to create, 0 to update, 0 to replace, 0 to delete, 0 to forget."
    )
    applied = runner.invoke(cli, ["apply", "--auto-approve", "examples/"])
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 10 done, 0 failed, 0 uncertain, 0 not attempted." in applied.stdout
    again = runner.invoke(cli, ["plan", "--detailed-exitcode", "examples/"])
    assert again.exit_code == 0, again.output
    assert "No changes. 10 managed resources match the manifests." in again.stdout

    # The local emulator and its ledger live apart from any real workspace's ledger.
    assert (tmp_path / ".braze-reconciler" / "local" / "state.db").exists()
    assert (tmp_path / ".braze-reconciler" / "emulator").is_dir()
    assert not (tmp_path / ".braze-reconciler" / "state.db").exists()
    # The emulator persisted what was applied: a fresh plan in a new process agrees.
    listed = runner.invoke(cli, ["state", "list", "--format", "json"])
    assert listed.exit_code == 0
    assert listed.stdout.count('"schedule_id"') == 10
