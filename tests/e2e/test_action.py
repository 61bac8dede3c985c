"""The GitHub Action (action.yml at the repository's root): its shell steps, run on this
machine as a runner would run them, install the tool from the action's own directory and
run it with the inputs; no input is ever written into a script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.e2e.conftest import NOW_TEXT

REPO = Path(__file__).resolve().parents[2]
ACTION: dict[str, Any] = YAML(typ="safe").load((REPO / "action.yml").read_text("utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def test_inputs_reach_the_scripts_only_through_environment_variables() -> None:
    for step in ACTION["runs"]["steps"]:
        for text in (step.get("run", ""), str(step.get("with", {}).get("script", ""))):
            assert "${{" not in text, step["name"]
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"command", "environment", "paths", "format", "comment"}


class Runner:
    """Runs the action's ``run:`` steps with bash, the way a runner does: expressions in
    ``env:``, ``if:`` and ``working-directory`` evaluated, outputs through GITHUB_OUTPUT."""

    def __init__(self, tmp: Path, path: str, workdir: Path) -> None:
        self.tmp = tmp
        self.path = path
        self.workdir = workdir

    def run(self, **given: str) -> tuple[dict[str, str], list[str], int]:
        inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        inputs.update(given)
        outputs: dict[str, dict[str, dict[str, str]]] = {}
        context = {"inputs": inputs, "steps": outputs, "runner": {"temp": str(self.tmp / "t")}}
        context["github"] = {"event_name": "push"}
        logs: list[str] = []
        code = 0
        for step in ACTION["runs"]["steps"]:
            if "run" not in step or not _condition(step.get("if"), context):
                continue
            out_file = self.tmp / f"output-{step.get('id', 'x')}"
            out_file.write_text("")
            env = {
                **os.environ,
                "PATH": self.path,
                "GITHUB_ACTION_PATH": str(REPO),
                "GITHUB_OUTPUT": str(out_file),
                "RUNNER_TEMP": str(self.tmp / "t"),
            }
            env.update({k: _evaluate(str(v), context) for k, v in step.get("env", {}).items()})
            cwd = self.workdir / _evaluate(step.get("working-directory", "."), context)
            done = subprocess.run(
                [step["shell"], "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=280,
            )
            logs.append(done.stdout + done.stderr)
            if "id" in step:
                lines = out_file.read_text().splitlines()
                outputs[step["id"]] = {
                    "outputs": {k: v for k, _, v in (line.partition("=") for line in lines)}
                }
            code = done.returncode
            if code != 0:
                break
        flat = {k: v for step in outputs.values() for k, v in step["outputs"].items()}
        return flat, logs, code


def _lookup(expression: str, context: dict[str, Any]) -> str:
    value: Any = context
    for part in expression.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return str(value)


def _evaluate(text: str, context: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda m: _lookup(m.group(1), context), text)


def _condition(condition: str | None, context: dict[str, Any]) -> bool:
    if condition is None:
        return True
    for clause in condition.split("&&"):
        left, _, right = clause.partition("==")
        if _lookup(left.strip(), context) != right.strip().strip("'"):
            return False
    return True


@pytest.fixture
def fresh_venv(tmp_path: Path) -> Path:
    """A new virtual environment without the tool; the dev environment's packages (pip, the
    build backend, the dependencies) are importable, so nothing is downloaded."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "dev.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def test_the_action_installs_the_tool_and_plans(
    tmp_path: Path, fresh_venv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BRAZE_API_KEY", "BRAZE_REST_ENDPOINT", "BRAZE_RECONCILER_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRAZE_RECONCILER_NOW", NOW_TEXT)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "0")  # pip reads "0" as --no-build-isolation
    monkeypatch.setenv("PIP_NO_DEPS", "1")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    work = tmp_path / "my repo"  # a space in the path, and in a manifest directory
    work.mkdir()
    (work / ".git").mkdir()
    path = f"{fresh_venv / 'bin'}:/usr/bin:/bin"
    subprocess.run(
        [sys.executable, "-m", "reconciler", "init", str(work), "--now", NOW_TEXT],
        check=True,
        capture_output=True,
    )
    (work / "manifests").rename(work / "my manifests")
    runner = Runner(tmp_path, path, work)

    outputs, logs, code = runner.run(command="validate", paths="my manifests\n", install="true")
    assert code == 0, logs
    tool = fresh_venv / "bin" / "braze-reconciler"
    assert tool.is_file()  # installed from the action's own directory, at its version
    assert outputs["exitcode"] == "0"
    assert "4 resources in 4 files valid." in logs[-2]

    outputs, logs, code = runner.run(
        command="plan",
        environment="local",
        paths="  my manifests  ",
        comment="true",
        install="false",
    )
    assert code == 0, logs  # exit 2 (changes) passes
    assert outputs["exitcode"] == "2"
    plan = Path(outputs["output-file"]).read_text("utf-8")
    assert plan.startswith("<!-- braze-reconciler:plan -->")
    assert outputs["comment"] == "true"
    assert (tmp_path / "t" / "braze-reconciler" / "comment" / "local.md").read_text() == plan

    outputs, logs, code = runner.run(
        command="apply", paths="my manifests", args="--parallelism\n2\n", install="false"
    )
    assert code == 0, logs
    outputs, logs, code = runner.run(command="plan", paths="my manifests", install="false")
    assert code == 0, logs
    assert outputs["exitcode"] == "0"

    # An input is data, never shell: quotes and $(...) reach the tool as one argument.
    outputs, logs, code = runner.run(
        command="validate", paths="my manifests\n$(touch pwned)'\"", install="false"
    )
    assert code == 3
    assert outputs["exitcode"] == "3"
    assert not (work / "pwned").exists()
    assert "no such file or directory" in "".join(logs)

    # The environment is the input's alone: args cannot switch it under the comment's label.
    for args in ("--env\nproduction\n", "--config=other.toml\n"):
        outputs, logs, code = runner.run(
            command="plan", environment="local", args=args, install="false"
        )
        assert code == 3
        assert "args may not hold --env or --config" in "".join(logs)
    # A path line starting with "-" is a path, never an option (-h would print help, exit 0).
    outputs, logs, code = runner.run(command="validate", paths="-h\n", install="false")
    assert code == 3
    assert "-h: no such file or directory" in "".join(logs)
    # A failed plan replaces its comment section rather than leaving the last good plan.
    outputs, logs, code = runner.run(
        command="plan", environment="local", paths="nowhere", comment="true", install="false"
    )
    assert code == 3
    assert outputs["comment"] == "true"
    section = (tmp_path / "t" / "braze-reconciler" / "comment" / "local.md").read_text()
    assert section.startswith("**The plan failed (exit 3)**")
    script = next(
        s for s in ACTION["runs"]["steps"] if "uses" in s and "script" in s.get("with", {})
    )
    assert "c.user.login === login" in script["with"]["script"]

    outputs, logs, code = runner.run(command="deploy", install="false")
    assert code == 3
    assert "command must be validate, plan, apply or audit" in "".join(logs)
