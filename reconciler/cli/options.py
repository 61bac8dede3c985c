"""Options shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from reconciler.errors import UsageError
from reconciler.recurrence import parse_horizon
from reconciler.rrules import RecurrenceError
from reconciler.service import ClientOptions, Service
from reconciler.settings import Settings
from reconciler.timeutil import SystemClock, parse_duration, parse_instant

F = TypeVar("F", bound=Callable[..., Any])


class InstantType(click.ParamType):  # type: ignore[type-arg]
    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class DurationType(click.ParamType):  # type: ignore[type-arg]
    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class HorizonType(click.ParamType):  # type: ignore[type-arg]
    """``--horizon``: how far ahead recurring sends are kept scheduled (1d to 90d)."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_horizon(str(value))
        except RecurrenceError as exc:
            self.fail(f"{exc.message} ({exc.hint})" if exc.hint else exc.message, param, ctx)


INSTANT = InstantType()
DURATION = DurationType()
HORIZON = HorizonType()


lock_timeout_option = click.option(
    "--lock-timeout",
    type=DURATION,
    default="0s",
    show_default=True,
    help="Wait this long for the workspace lock (default: fail at once, exit 6).",
)


request_timeout_option = click.option(
    "--request-timeout",
    type=click.FloatRange(0.1, 600),
    default=ClientOptions.request_timeout,
    show_default=True,
    help="Seconds to wait for Braze's answer.",
)


def now_option(func: F) -> F:
    return click.option(
        "--now",
        type=INSTANT,
        envvar="BRAZE_RECONCILER_NOW",
        help=(
            "Evaluate time rules as of this instant (ISO 8601 with offset) instead of the "
            "clock; with --endpoint local the emulator's clock starts there too. "
            "[env: BRAZE_RECONCILER_NOW]"
        ),
    )(func)


def service(settings: Settings, now: datetime | None = None) -> Service:
    """The service one command runs on: the real clock, and ``--now`` when given."""
    return Service(settings, SystemClock(), now=now)


def given(*names: str) -> bool:
    """Whether the person gave any of these parameters of the running command, rather than
    leaving them to their defaults (a default can also be typed: ``--freeze-window 15m``)."""
    ctx = click.get_current_context()
    unknown = [name for name in names if name not in ctx.params]
    if unknown:  # a renamed option must not slip past a guard as "not given"
        raise LookupError(f"{ctx.info_name} has no parameter {', '.join(unknown)}")
    # Typed, or from an environment variable or a default map: all count as given.
    return any(ctx.get_parameter_source(name) is not ParameterSource.DEFAULT for name in names)


def allow_empty_option(func: F) -> F:
    return click.option(
        "--allow-empty",
        is_flag=True,
        help=(
            "Accept PATHS that hold no manifest (exit 3 otherwise): plan and apply then delete "
            "every managed resource, through every safety gate (deleting them all also needs "
            "--allow-destroy)."
        ),
    )(func)


def examples(*lines: str) -> str:
    """A command's help epilog: one or two command lines a new user can copy."""
    return "\b\nExamples:\n" + "\n".join(f"  braze-reconciler {line}" for line in lines)


def text_or_json(help_text: str) -> Callable[[F], F]:
    """``--format text|json`` (default text), with what each format holds."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help_text,
    )


def can_ask() -> bool:
    """Whether a person can answer a question: stdin is a terminal."""
    return sys.stdin.isatty()


def confirmed(question: str, *, refusal: str, hint: str) -> bool:
    """Ask ``question`` on the terminal; only ``yes`` confirms. Without a terminal it refuses
    (exit 3) with ``refusal``: a job never waits for an answer, nor goes on without one."""
    if not can_ask():
        raise UsageError(refusal, hint=hint)
    answer = click.prompt(f"{question} Only 'yes' is accepted", default="", show_default=False)
    return bool(answer.strip() == "yes")
