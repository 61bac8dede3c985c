"""Each setting's value and where it came from.

Precedence, first found wins: a flag, an environment variable, the selected environment's
section, the file's top level, the built-in default. The environment itself is chosen by
``--env``, else ``BRAZE_RECONCILER_ENV``, else the file's ``default_environment`` (only a
local one).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.config.load import FILE_NAME, LoadedConfig
from reconciler.config.model import SETTINGS, Section
from reconciler.errors import UsageError

ENV_VARIABLE = "BRAZE_RECONCILER_ENV"
CONFIG_VARIABLE = "BRAZE_RECONCILER_CONFIG"
API_KEY_ENV = "BRAZE_API_KEY"
DEFAULTS: Mapping[str, Any] = {"workspace": "default", "paths": (".",)}


@dataclasses.dataclass(frozen=True)
class Given:
    """A value given outside the file: on the command line or in an environment variable."""

    value: Any
    label: str
    """``--endpoint`` or ``BRAZE_REST_ENDPOINT``: what ``config`` says it came from."""


@dataclasses.dataclass(frozen=True)
class Resolution:
    values: Mapping[str, Any]
    """Each setting (``SETTINGS``; ``api_key`` as ``("env", NAME)`` or ``("file", PATH)``)."""
    sources: Mapping[str, str]
    environment: str | None = None
    environment_source: str | None = None
    environments: tuple[str, ...] = ()
    variables: Mapping[str, Any] | None = None
    """None without a configuration file (then ``!var`` has nothing to name)."""
    variable_sources: Mapping[str, str] = dataclasses.field(default_factory=dict)
    config: LoadedConfig | None = None
    ignored_api_key: bool = False
    """BRAZE_API_KEY is set and the environment's own key source is used instead."""

    @property
    def chosen(self) -> bool:
        """An environment was named (``--env``, BRAZE_RECONCILER_ENV), not defaulted."""
        source = self.environment_source
        return source is not None and not source.startswith("default_environment")

    @property
    def unselected(self) -> bool:
        """Environments are configured and none is selected: commands that reach Braze or a
        ledger refuse to guess (``Settings.require_environment``)."""
        return bool(self.environments) and self.environment is None


def resolve(
    config: LoadedConfig | None,
    given: Mapping[str, Given],
    environment: Given | None,
    environ: Mapping[str, str] | None = None,
) -> Resolution:
    """``given``: the flags and environment variables, by setting name (``endpoint``, ``state``,
    ``workspace``, ``api_key_file``); ``environment``: ``--env`` or BRAZE_RECONCILER_ENV."""
    environ = os.environ if environ is None else environ
    name, name_source = _environment(config, environment)
    section = config.section(name) if config is not None else None
    top = config.model if config is not None else None
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        if setting in ("api_key_env", "api_key_file"):
            continue
        if setting in given:
            values[setting] = given[setting].value
            sources[setting] = given[setting].label
            continue
        found = _from_file(config, section, name, top, setting)
        if found is not None:
            values[setting], sources[setting] = found
        elif setting == "workspace" and name is not None:
            values[setting], sources[setting] = name, "default: the environment's name"
        elif setting in DEFAULTS:
            values[setting], sources[setting] = DEFAULTS[setting], "default"
        else:
            values[setting], sources[setting] = None, "default"
    values["api_key"], sources["api_key"] = _api_key(config, section, name, given, environ)
    ignored = (
        sources["api_key"].startswith("[environments.")
        and bool(environ.get(API_KEY_ENV, "").strip())
        and values["api_key"] != ("env", API_KEY_ENV)
    )
    if ignored:
        sources["api_key"] += f" ({API_KEY_ENV} is set and ignored)"
    variables: dict[str, Any] | None = None
    variable_sources: dict[str, str] = {}
    if config is not None:
        variables = {}
        for label, part in (("vars", top), (f"environments.{name}.vars", section)):
            if part is None:
                continue
            for var, value in part.vars.items():
                variables[var] = value
                path = (*label.split("."), var)
                variable_sources[var] = config.where(*path)
    return Resolution(
        values=values,
        sources=sources,
        environment=name,
        environment_source=name_source,
        environments=tuple(config.model.environments) if config is not None else (),
        variables=variables,
        variable_sources=variable_sources,
        config=config,
        ignored_api_key=ignored,
    )


def _environment(config: LoadedConfig | None, given: Given | None) -> tuple[str | None, str | None]:
    if given is not None and given.value:
        name = str(given.value)
        if config is None:
            raise UsageError(
                f"{given.label} {name}: no configuration file defines environments",
                hint=f"write a {FILE_NAME} with [environments.{name}] (`braze-reconciler init` "
                "writes one), or name it with --config",
            )
        names = list(config.model.environments)
        if name not in names:
            guess = [n for n in names if n.startswith(name)] or difflib.get_close_matches(
                name, names, n=1, cutoff=0.6
            )
            raise UsageError(
                f"{given.label} {name}: {config.path.name} has no environment {name!r}",
                hint=(f"did you mean {guess[0]!r}? " if guess else "")
                + "environments: "
                + (", ".join(names) or f"none (add [environments.{name}])"),
            )
        return name, given.label
    if config is not None and config.model.default_environment is not None:
        where = config.where("default_environment")
        return config.model.default_environment, f"default_environment, {where}"
    return None, None


def _from_file(
    config: LoadedConfig | None,
    section: Section | None,
    name: str | None,
    top: Section | None,
    setting: str,
) -> tuple[Any, str] | None:
    if config is None:
        return None
    for part, path in ((section, ("environments", str(name))), (top, ())):
        if part is None:
            continue
        value = getattr(part, setting)
        if value is not None:
            label = f"[environments.{name}]" if path else "top level"
            return _relative(config, setting, value), f"{label}, {config.where(*path, setting)}"
    return None


def _relative(config: LoadedConfig, setting: str, value: Any) -> Any:
    """Paths in the file are relative to the file's directory."""
    base = config.directory
    if setting == "paths":
        return tuple(_shown_path(base / p) for p in value)
    if (
        setting == "state"
        and value.startswith("sqlite:///")
        and not value.startswith("sqlite:////")
    ):
        return "sqlite:///" + str((base / value.removeprefix("sqlite:///")).resolve())
    return value


def _shown_path(path: Path) -> str:
    """Relative to the working directory when under it (as a person would type it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path.resolve())


def _api_key(
    config: LoadedConfig | None,
    section: Section | None,
    name: str | None,
    given: Mapping[str, Given],
    environ: Mapping[str, str],
) -> tuple[tuple[str, str], str]:
    """The key's source: ``--api-key-file``; then the selected environment's own
    ``api_key_env``/``api_key_file`` (over BRAZE_API_KEY: a generic variable exported in a shell
    must not send one environment's key to another); then BRAZE_API_KEY; then the top level."""
    if "api_key_file" in given:
        return ("file", str(given["api_key_file"].value)), given["api_key_file"].label
    generic = bool(environ.get(API_KEY_ENV, "").strip())
    if config is not None:
        for part, path in ((section, ("environments", str(name))), (config.model, ())):
            if part is None:
                continue
            if not path and generic:
                break
            label = f"[environments.{name}]" if path else "top level"
            if part.api_key_env is not None:
                return ("env", part.api_key_env), f"{label}, {config.where(*path, 'api_key_env')}"
            if part.api_key_file is not None:
                file = config.directory / part.api_key_file
                where = config.where(*path, "api_key_file")
                return ("file", str(file)), f"{label}, {where}"
    if generic:
        return ("env", API_KEY_ENV), API_KEY_ENV
    return ("env", API_KEY_ENV), "default"
