"""Reading the CI examples as a user's runner would: the ``braze-reconciler`` command lines
of every ``run:`` step, the job's environment, and the options click knows."""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from reconciler.cli import cli

REPO = Path(__file__).parents[2]
CI_DIR = REPO / "docs" / "ci"
PROGRAM = "braze-reconciler"
_SECRET = re.compile(r"^\$\{\{\s*secrets\.([A-Z0-9_]+)\s*\}\}$")
_OPERATORS = set(";&|<>()")


@dataclasses.dataclass(frozen=True)
class Invocation:
    workflow: str
    job: str
    step: str
    script: str
    """The whole ``run:`` text, to check how it handles each exit code."""
    args: tuple[str, ...]
    """The arguments after ``braze-reconciler``."""
    stdout_to: str | None = None

    def with_manifests(self, directory: Path) -> list[str]:
        return [str(directory) if a == "manifests/" else a for a in self.args]


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path) for path in sorted(CI_DIR.glob("*.yml"))}


def invocations(name: str, workflow: Mapping[str, Any]) -> Iterator[Invocation]:
    for job_name, job in workflow["jobs"].items():
        for index, step in enumerate(job["steps"]):
            script = step.get("run")
            if not script:
                continue
            label = step.get("name", f"step {index}")
            for args, target in command_lines(script):
                yield Invocation(name, job_name, label, script, args, target)


def command_lines(script: str) -> Iterator[tuple[tuple[str, ...], str | None]]:
    """Each simple command that runs ``braze-reconciler``, with its stdout redirection."""
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        segment: list[str] = []
        redirect: str | None = None
        expect_target = False
        for token in [*lexer, ";"]:
            if expect_target:
                redirect, expect_target = token, False
            elif token in (">", ">>"):
                expect_target = True
            elif set(token) <= _OPERATORS:
                if segment and segment[0] == PROGRAM:
                    yield tuple(segment[1:]), redirect
                segment, redirect = [], None
            else:
                segment.append(token)


def job_env(workflow: Mapping[str, Any], job: str, secrets: Mapping[str, str]) -> dict[str, str]:
    """The job's environment, with each ``${{ secrets.NAME }}`` replaced from ``secrets``."""
    env: dict[str, str] = {}
    for key, value in (workflow["jobs"][job].get("env") or {}).items():
        match = _SECRET.match(str(value))
        if match:
            env[key] = secrets[match.group(1)]
        elif "${{" not in str(value):
            env[key] = str(value)
    return env


def check_options(args: tuple[str, ...]) -> str:
    """Parse ``args`` as click would, option by option; return the subcommand's name.

    Raises click's UsageError (NoSuchOption, BadParameter) for anything unknown or invalid.
    """
    rest = list(args)
    global_options = _option_names(cli)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0).split("=", 1)[0]
        if option not in global_options:
            raise click.NoSuchOption(option)
        if not _is_flag(cli, option) and "=" not in option:
            rest.pop(0)
    name = rest.pop(0)
    command = cli.get_command(click.Context(cli), name)
    if command is None:
        raise click.UsageError(f"no such command {name!r}")
    while isinstance(command, click.Group):  # `state export`: the subcommand's options
        sub = rest.pop(0) if rest else ""
        command = command.get_command(click.Context(command), sub)
        if command is None:
            raise click.UsageError(f"no such command {name} {sub!r}")
    known = _option_names(command)
    for token in rest:
        if token.startswith("--") and token.split("=", 1)[0] not in known:
            raise click.NoSuchOption(token)
    command.make_context(name, list(rest), parent=click.Context(cli))
    return name


def _option_names(command: click.Command) -> set[str]:
    return {
        opt
        for param in command.params
        if isinstance(param, click.Option)
        for opt in (*param.opts, *param.secondary_opts)
    }


def _is_flag(command: click.Command, option: str) -> bool:
    for param in command.params:
        if isinstance(param, click.Option) and option in param.opts:
            return param.is_flag or param.count
    return False
