"""``plan``: show what apply would change, as text, Markdown or JSON."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from reconciler.cli.options import DURATION, now_option
from reconciler.cli.output import err_console, out_console, write
from reconciler.engine import current_time, plan_use_case
from reconciler.errors import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from reconciler.plan.model import Plan, PlanOptions
from reconciler.plan.planfile import plan_key_or_none, save_plan, unsigned_warning
from reconciler.render.json_render import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.settings import Settings


def plan_options(func: Any) -> Any:
    """Options that shape a plan, shared by ``plan`` and ``apply``."""
    for decorator in reversed(
        [
            click.option(
                "--target",
                "targets",
                multiple=True,
                metavar="ADDR|label=value",
                help="Only this address (glob patterns allowed) or label; repeatable.",
            ),
            click.option(
                "--freeze-window",
                type=DURATION,
                default="15m",
                show_default=True,
                help="Changes this close to a first send need --allow-late.",
            ),
            click.option(
                "--allow-late",
                is_flag=True,
                help="Allow changes inside the freeze window (never once a schedule is sending).",
            ),
            click.option(
                "--allow-destroy",
                is_flag=True,
                help="Allow deleting more than 10 resources and more than 25% of those managed.",
            ),
            click.option(
                "--allow-resend",
                is_flag=True,
                help="Allow creating a schedule for a resource whose earlier schedule has sent.",
            ),
            now_option,
        ]
    ):
        func = decorator(func)
    return func


def build_options(
    targets: tuple[str, ...],
    freeze_window: timedelta,
    allow_late: bool,
    allow_destroy: bool,
    allow_resend: bool,
) -> PlanOptions:
    return PlanOptions(
        freeze_window_seconds=int(freeze_window.total_seconds()),
        allow_late=allow_late,
        allow_destroy=allow_destroy,
        allow_resend=allow_resend,
        targets=targets,
    )


def render_plan(plan: Plan, output_format: str, *, show_recipients: bool = False) -> None:
    data = plan.to_dict(noop_bodies=output_format == "json")
    if output_format == "json":
        write(render_json(data))
    elif output_format == "markdown":
        write(render_markdown(data, show_recipients=show_recipients))
    else:
        out_console().print(render_text(data), end="")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for terminals, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan to FILE, for `apply --plan FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0 when none).",
)
@click.option(
    "--show-recipients",
    is_flag=True,
    help="Show recipient identifiers in Markdown (masked by default).",
)
@plan_options
@click.pass_obj
def plan(
    settings: Settings,
    paths: tuple[str, ...],
    output_format: str,
    out: Path | None,
    detailed_exitcode: bool,
    show_recipients: bool,
    targets: tuple[str, ...],
    freeze_window: timedelta,
    allow_late: bool,
    allow_destroy: bool,
    allow_resend: bool,
    now: datetime | None,
) -> int:
    """Compare the manifests with the ledger and show the changes apply would make.

    Exit 0 (no changes, or changes without --detailed-exitcode), 2 (changes, with
    --detailed-exitcode), 3 (invalid manifests), 4 (a change is blocked by a safety gate).
    """
    options = build_options(targets, freeze_window, allow_late, allow_destroy, allow_resend)
    key = plan_key_or_none() if out is not None else None  # a bad key fails before planning
    result = plan_use_case(settings, paths or (".",), current_time(now), options)
    render_plan(result, output_format, show_recipients=show_recipients)
    if out is not None:
        save_plan(result, out, key)
        if key is None:
            err_console().print(f"warning: {unsigned_warning()}", markup=False)
        where = " ".join(paths) if paths else "."
        err_console().print(
            f"Saved the plan to {out}; apply it with: apply --plan {out} {where}",
            markup=False,
            highlight=False,
        )
    if result.blocked:
        return EXIT_BLOCKED
    if detailed_exitcode and result.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
