"""The global options (configuration file, environment, endpoint, API key file, ledger,
workspace, verbosity), in one table.

They are accepted before the command (``--state URL plan``), where environment variables and
defaults apply, and after it (``plan --state URL``), where only what is written on the
command line counts and overrides the same option given before. Each entry is declared once
here; the group and every command get their own ``click.Option`` built from it.

The settings are resolved from them and the configuration file (``reconciler.config``): a
flag, then an environment variable, then the selected environment's section, then the file's
top level, then the default. An option written after the command resolves them again.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from reconciler.config import (
    CONFIG_VARIABLE,
    ENV_VARIABLE,
    Given,
    LoadedConfig,
    find_config,
    load_config,
    resolve,
)
from reconciler.secrets import RedactingFilter
from reconciler.settings import API_KEY_ENV, Settings

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class GlobalOption:
    decls: tuple[str, ...]
    field: str
    """The setting it gives (``verbose`` sets the log level instead)."""
    help: str
    envvar: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Keyword arguments of ``click.Option`` shared by both places (type, metavar, count)."""
    default: Any = None


GLOBAL_OPTIONS: tuple[GlobalOption, ...] = (
    GlobalOption(
        ("--config", "config"),
        "config",
        "The configuration file. [default: braze-reconciler.toml, or pyproject.toml's "
        "[tool.braze-reconciler], in this directory or a parent] [env: BRAZE_RECONCILER_CONFIG]",
        envvar=CONFIG_VARIABLE,
        extra={"type": click.Path(dir_okay=False, path_type=Path), "metavar": "FILE"},
    ),
    GlobalOption(
        ("--env", "environment"),
        "environment",
        "The environment of the configuration file to use (staging, production...). "
        "[env: BRAZE_RECONCILER_ENV]",
        envvar=ENV_VARIABLE,
        extra={"metavar": "NAME"},
    ),
    GlobalOption(
        ("--endpoint", "endpoint"),
        "endpoint",
        "Braze REST endpoint (https://rest.iad-03.braze.com), an instance name (US-03), or "
        "'local' for the embedded emulator. [env: BRAZE_REST_ENDPOINT]",
        envvar="BRAZE_REST_ENDPOINT",
        extra={"metavar": "URL"},
    ),
    GlobalOption(
        ("--api-key-file", "api_key_file"),
        "api_key_file",
        "Read the REST API key from this file. Default: the BRAZE_API_KEY environment variable.",
        extra={"type": click.Path(dir_okay=False, path_type=Path)},
    ),
    GlobalOption(
        ("--state", "state_url"),
        "state",
        "Ledger: sqlite:///path/state.db or postgresql://... "
        "[default: sqlite:///.braze-reconciler/state.db] [env: BRAZE_RECONCILER_STATE]",
        envvar="BRAZE_RECONCILER_STATE",
        extra={"metavar": "URL"},
    ),
    GlobalOption(
        ("--workspace", "workspace"),
        "workspace",
        "Ledger workspace (e.g. staging, production). [default: default] "
        "[env: BRAZE_RECONCILER_WORKSPACE]",
        envvar="BRAZE_RECONCILER_WORKSPACE",
    ),
    GlobalOption(
        ("-v", "--verbose", "verbose"),
        "verbose",
        "Log more (-v info, -vv debug) to stderr.",
        extra={"count": True},
        default=0,
    ),
)


def group_options(func: F) -> F:
    """The options as the group takes them: with their environment variables and defaults."""
    for option in reversed(GLOBAL_OPTIONS):
        func = click.option(
            *option.decls,
            envvar=option.envvar,
            default=option.default,
            help=option.help,
            **option.extra,
        )(func)
    return func


def attach(command: click.Command, *, needs_environment: bool = True) -> None:
    """Give ``command`` (and, for a group, each of its commands) the options too; with
    ``needs_environment``, it refuses to run when the file has environments and none is
    selected (``Settings.require_environment``)."""
    taken = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for option in GLOBAL_OPTIONS:
        flags = [decl for decl in option.decls if decl.startswith("-")]
        if taken.isdisjoint(flags):
            command.params.append(
                click.Option(
                    [*flags, f"global_{option.field}"],
                    expose_value=False,
                    callback=_override(option.field),
                    help=option.help,
                    **option.extra,
                )
            )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach(sub, needs_environment=needs_environment)
    elif needs_environment and command.callback is not None:
        command.callback = _requiring_environment(command.callback)


def _requiring_environment(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        settings = click.get_current_context().find_object(Settings)
        if settings is not None:
            settings.require_environment()
        return callback(*args, **kwargs)

    return run


def _override(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        written = param.name and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
        if not written or ctx.resilient_parsing:
            return  # not written after the command: what came before (or env, default) holds
        if field == "verbose":
            configure_logging(value)
            return
        settings = ctx.find_object(Settings)
        if settings is not None:  # resolved again: the file, the environment may change
            flag = next(opt for opt in param.opts if opt.startswith("--"))
            given = {**settings.given, field: Given(value, flag)}
            ctx.obj = build_settings(given, on_lock_wait=settings.on_lock_wait)

    return callback


def given_options(ctx: click.Context, values: dict[str, Any]) -> dict[str, Given]:
    """The group's options that a person gave (on the command line or in an environment
    variable), by setting, with where each came from."""
    given: dict[str, Given] = {}
    for option in GLOBAL_OPTIONS:
        name = option.decls[-1]
        source = ctx.get_parameter_source(name)
        value = values.get(name)
        if option.field == "verbose" or value is None:
            continue
        if source is ParameterSource.COMMANDLINE:
            flag = next(decl for decl in option.decls if decl.startswith("--"))
            given[option.field] = Given(value, flag)
        elif source is ParameterSource.ENVIRONMENT and option.envvar:
            given[option.field] = Given(value, option.envvar)
    return given


def build_settings(given: dict[str, Given], **extra: Any) -> Settings:
    """Settings from what was given and the configuration file (found, or ``--config``)."""
    cwd = Path.cwd()
    config: LoadedConfig | None = None
    config_given = given.get("config")
    if config_given is not None:
        config = load_config(Path(config_given.value))
    else:
        found = find_config(cwd)
        config = load_config(found) if found is not None else None
    resolution = resolve(
        config,
        {name: g for name, g in given.items() if name not in ("config", "environment")},
        given.get("environment"),
    )
    values = resolution.values
    kind, where = values["api_key"]
    return Settings(
        endpoint=values["endpoint"],
        api_key_file=Path(where) if kind == "file" else None,
        state_url=values["state"],
        workspace=values["workspace"],
        cwd=config.directory if config is not None else cwd,
        api_key_env=where if kind == "env" else API_KEY_ENV,
        resolution=resolution,
        given=given,
        **extra,
    )


def configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("reconciler")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
