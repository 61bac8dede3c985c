"""The global options (endpoint, API key file, ledger, workspace, verbosity), in one table.

They are accepted before the command (``--state URL plan``), where environment variables and
defaults apply, and after it (``plan --state URL``), where only what is written on the
command line counts and overrides the same option given before. Each entry is declared once
here; the group and every command get their own ``click.Option`` built from it.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from reconciler.secrets import RedactingFilter
from reconciler.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class GlobalOption:
    decls: tuple[str, ...]
    field: str
    """The ``Settings`` field it sets (``verbose`` sets the log level instead)."""
    help: str
    envvar: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Keyword arguments of ``click.Option`` shared by both places (type, metavar, count)."""
    default: Any = None


GLOBAL_OPTIONS: tuple[GlobalOption, ...] = (
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
        "state_url",
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
        default="default",
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


def attach(command: click.Command) -> None:
    """Give ``command`` (and, for a group, each of its commands) the options too."""
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
            attach(sub)


def _override(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        written = param.name and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
        if not written or ctx.resilient_parsing:
            return  # not written after the command: what came before (or env, default) holds
        if field == "verbose":
            configure_logging(value)
            return
        settings = ctx.find_object(Settings)
        if settings is not None:  # a new Settings: its own checks (workspace name) run again
            ctx.obj = dataclasses.replace(settings, **{field: value})

    return callback


def configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("reconciler")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
