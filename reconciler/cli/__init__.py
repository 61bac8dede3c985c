"""The ``braze-reconciler`` command: parse, call the service, render, map errors to exit codes.

Only this package and the renderers write to stdout. Every error the tool anticipates carries
its exit code (see ``reconciler.errors``); click's own usage errors exit 3, not click's 2,
since 2 means "changes present".
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from typing import Any

import click

from reconciler import __version__
from reconciler.cli.global_options import (
    attach,
    build_settings,
    configure_logging,
    given_options,
    group_options,
)
from reconciler.cli.lock_wait import print_lock_wait
from reconciler.cli.options import examples
from reconciler.cli.output import OutputClosed, err_console
from reconciler.errors import (
    EXIT_INVALID,
    EXIT_OUTPUT_CLOSED,
    EXIT_UNEXPECTED,
    ManifestError,
    ReconcilerError,
)
from reconciler.manifest.diagnostics import Diagnostic
from reconciler.render.diagnostics import diagnostic_lines
from reconciler.render.inert import printable_lines
from reconciler.secrets import redact

log = logging.getLogger("reconciler")


COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("reconciler.cli.validate_cmd", "validate"),
    "plan": ("reconciler.cli.plan_cmd", "plan"),
    "apply": ("reconciler.cli.apply_cmd", "apply"),
    "audit": ("reconciler.cli.audit_cmd", "audit"),
    "doctor": ("reconciler.cli.doctor_cmd", "doctor"),
    "import": ("reconciler.cli.state_cmd", "import_"),
    "state": ("reconciler.cli.state_cmd", "state"),
    "schema": ("reconciler.cli.schema_cmd", "schema"),
    "emulator": ("reconciler.cli.emulator_cmd", "emulator"),
    "preview": ("reconciler.cli.preview_cmd", "preview"),
    "config": ("reconciler.cli.config_cmd", "config"),
    "init": ("reconciler.cli.init_cmd", "init"),
}
"""Each command and where it lives: a command's module is imported only when it runs, so
``validate`` and ``plan`` do not pay for the HTTP client, the applier or the emulator."""
NO_ENVIRONMENT = frozenset({"validate", "schema", "emulator", "config", "init"})
"""Commands that run without a selected environment when the file defines some: ``validate``
checks every environment, the others read no ledger."""


_REST = "reconciler.command_args"


class ReconcilerGroup(click.Group):
    """Runs commands with the tool's own exit codes and error reports; loads them lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 (click's API)
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(
        self,
        ctx: click.Context,  # noqa: ARG002 (click's API)
        cmd_name: str,
    ) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module = importlib.import_module(target[0])
        command: click.Command = getattr(module, target[1])
        attach(command, needs_environment=cmd_name not in NO_ENVIRONMENT)
        self.commands[cmd_name] = command
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        ctx.meta[_REST] = list(rest)  # the command's own arguments: is it asked for --help?
        return rest

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        code = self._run(args, prog_name, complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self, args: list[str] | None, prog_name: str | None, complete_var: str | None, **extra: Any
    ) -> int:
        try:
            result = super().main(
                args, prog_name or "braze-reconciler", complete_var, standalone_mode=False, **extra
            )
        except ReconcilerError as exc:
            report_error(exc)
            return exc.exit_code
        except click.exceptions.Abort:
            err_console().print("Aborted.")
            return EXIT_UNEXPECTED
        except click.UsageError as exc:
            err_console().print(redact(exc.format_message()), markup=False, highlight=False)
            if exc.ctx is not None:
                err_console().print(
                    f"Try '{exc.ctx.command_path} --help' for help.", markup=False, highlight=False
                )
            return EXIT_INVALID
        except click.ClickException as exc:
            err_console().print(f"error: {redact(exc.format_message())}", markup=False)
            return EXIT_INVALID
        except KeyboardInterrupt:
            err_console().print("Interrupted.")
            return 130
        except OutputClosed:
            return _output_closed()
        except Exception as exc:  # a bug: say so plainly, without the key, without a traceback
            log.debug("unexpected error", exc_info=True)
            err_console().print(
                f"internal error: {type(exc).__name__}: {redact(str(exc))}\n"
                "  hint: run again with -vv for the traceback, and please report it",
                markup=False,
                highlight=False,
            )
            return EXIT_UNEXPECTED
        return result if isinstance(result, int) else 0


def _output_closed() -> int:
    """The reader of stdout went away (``| head``): stop writing, say so on stderr, and exit as
    a shell reports SIGPIPE. What was done before (an apply's calls, previews) is journaled as
    ever; the interpreter's last flush goes to /dev/null instead of raising again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    with contextlib.suppress(OSError):
        err_console().print(
            "stopped: the output was closed before the end (broken pipe); what was done "
            "before is recorded as usual",
            markup=False,
            highlight=False,
        )
    return EXIT_OUTPUT_CLOSED


def report_error(exc: ReconcilerError) -> None:
    if isinstance(exc, ManifestError):  # say what is wrong, not only that something is
        for diagnostic in exc.diagnostics:
            if isinstance(diagnostic, Diagnostic) and diagnostic.is_error:
                text = "\n".join(diagnostic_lines(diagnostic))
                err_console().print(redact(text), markup=False, highlight=False)
    # An error can quote a path or a value from a file: no control character goes out raw.
    err_console().print(
        f"error: {printable_lines(redact(str(exc)))}", markup=False, highlight=False
    )


@click.group(
    cls=ReconcilerGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=examples("validate manifests/", "--endpoint local plan manifests/"),
)
@group_options
@click.version_option(__version__, prog_name="braze-reconciler")
@click.pass_context
def cli(ctx: click.Context, /, verbose: int, **options: Any) -> None:
    """Braze schedules as code: validate, plan, apply and audit YAML manifests.

    Global options may come before or after the command (`plan --state URL`).

    Exit codes: 0 success or no changes; 1 unexpected error; 2 changes present
    (--detailed-exitcode) or drift (--fail-on-drift); 3 invalid manifests or arguments;
    4 plan blocked by a safety gate; 5 saved plan stale or expired; 6 ledger locked;
    7 apply finished with failures or uncertain outcomes.
    """
    configure_logging(verbose)
    if ctx.resilient_parsing:  # shell completion: no file to read, no error to raise
        return
    try:
        ctx.obj = build_settings(given_options(ctx, options), on_lock_wait=print_lock_wait)
    except ReconcilerError:
        # A broken configuration file does not stop `init` (a new project beside it),
        # `schema` (it reads none) nor a command's --help; every other command reports it.
        rest = ctx.meta.get(_REST, [])
        if ctx.invoked_subcommand not in ("init", "schema") and not {"--help", "-h"} & set(rest):
            raise


def main() -> None:
    cli.main()
