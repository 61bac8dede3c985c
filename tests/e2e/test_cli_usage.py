"""The command line as a new user meets it: global options after the command, --help that
ends with examples that run, and the formats each command describes."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from tests.e2e.conftest import NOW_TEXT, Project, scheduled_message


def every_command() -> Iterator[tuple[str, ...]]:
    """Each command path: ``()`` for the root, ``("plan",)``, ``("state", "list")``, ..."""
    yield ()
    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        yield (name,)
        if isinstance(command, click.Group):
            for sub in command.list_commands(context):
                yield (name, sub)


def examples_of(path: tuple[str, ...]) -> list[str]:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").splitlines()
    start = max(i for i, line in enumerate(lines) if line.strip() == "Examples:")
    examples = [line.strip() for line in lines[start + 1 :]]
    assert 1 <= len(examples) <= 2, (path, lines[start:])
    return examples


@pytest.mark.parametrize("path", list(every_command()), ids=lambda p: " ".join(p) or "root")
def test_every_help_ends_with_examples_that_parse(path: tuple[str, ...]) -> None:
    for example in examples_of(path):
        assert example.startswith("braze-reconciler "), example
        tokens = shlex.split(example, comments=True)[1:]
        if ">" in tokens:
            tokens = tokens[: tokens.index(">")]
        assert [token for token in tokens if token in path] == list(path), (path, example)
        # --help after the example: every option in it must exist for that command
        parsed = CliRunner().invoke(cli, [*tokens, "--help"])
        assert parsed.exit_code == 0, (example, parsed.output)


def test_global_options_work_after_the_command(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project.write("m.yaml", scheduled_message("m"))
    endpoint = project.emulator.base_url
    # the environment points elsewhere: an option written after the command wins over it
    monkeypatch.setenv("BRAZE_RECONCILER_STATE", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    after = ["--endpoint", endpoint, "--state", project.state, "--now", NOW_TEXT]
    runner = CliRunner()
    plan = runner.invoke(cli, ["plan", str(project.manifests), "--detailed-exitcode", *after])
    assert plan.exit_code == 2, plan.output
    apply = runner.invoke(cli, ["apply", str(project.manifests), "--auto-approve", *after])
    assert apply.exit_code == 0, apply.output
    assert len(project.live()) == 1
    listed = runner.invoke(cli, ["state", "list", "--state", project.state])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith("scheduled_message/m ")
    assert not (tmp_path / "elsewhere.db").exists()
    # after the command beats before it, like a later flag on any command line
    both = runner.invoke(
        cli,
        ["--state", "sqlite:///nowhere/x.db", "plan", str(project.manifests), *after],
    )
    assert both.exit_code == 0, both.output
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete" in both.stdout
    project.assert_converged()


def test_workspace_and_verbosity_after_the_command(project: Project) -> None:
    project.write("m.yaml", scheduled_message("m"))
    assert project.apply("--workspace", "staging").code == 0
    staging = project.run("state", "list", "--workspace", "staging")
    assert "1 record in workspace staging" in staging.stdout
    default = project.run("state", "list")
    assert "0 records in workspace default" in default.stdout
    bad = project.run("state", "list", "--workspace", "no spaces")
    assert bad.code == 3
    assert "error: workspace 'no spaces' is not a valid name" in bad.stderr
    verbose = project.run(
        "apply", str(project.manifests), "--auto-approve", "-v", "--workspace", "staging"
    )
    assert verbose.code == 0
    assert "INFO reconciler.state.sqlstore: ledger: locked workspace=staging" in verbose.stderr


def words(text: str) -> str:
    return " ".join(text.split())


def test_formats_are_described_in_help() -> None:
    listed = CliRunner().invoke(cli, ["state", "list", "--help"])
    assert "json (format_version 1): every field of every record" in words(listed.stdout)
    shown = CliRunner().invoke(cli, ["state", "show", "--help"])
    assert "--format [text|json]" in shown.stdout
    imported = CliRunner().invoke(cli, ["import", "--help"])
    assert "ADDRESS SCHEDULE_ID [PATHS]..." in imported.stdout
    assert "--path" not in imported.stdout


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_output_closed_early_is_said_not_reported_as_a_failure(
    tmp_path: Path, output_format: str
) -> None:
    """``plan | head``: the reader goes away; the tool stops writing, says so on stderr and
    exits 141 (128 + SIGPIPE, as a shell reports it), never 1 without a word or a traceback."""
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    for index in range(400):  # far more than a pipe's buffer
        (manifests / f"m{index:03d}.yaml").write_text(
            scheduled_message(f"m{index:03d}", alert=f"Sale {index}"), encoding="utf-8"
        )
    command = [
        sys.executable, "-m", "reconciler", "--endpoint", "local",
        "--state", f"sqlite:///{tmp_path / 'state.db'}",
        "plan", str(manifests), "--now", NOW_TEXT, "--format", output_format,
    ]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # the reader leaves before the first line
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 141, stderr
    assert "the output was closed before the end (broken pipe)" in stderr
    assert "Traceback" not in stderr
    assert "internal error" not in stderr


@pytest.mark.parametrize("item", ["broadcast_per_minute=0", "hourly=-1"])
def test_a_rate_limit_below_one_is_a_usage_error(project: Project, item: str) -> None:
    project.write("a.yaml", scheduled_message("a"))
    result = project.apply("--rate-limit", item)
    assert result.code == 3, result.stdout + result.stderr
    assert "at least 1" in result.stderr or "is not NAME=N" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert project.schedules() == []
