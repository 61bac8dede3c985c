"""``plan``: show what apply would change, as text, Markdown or JSON."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from reconciler.cli.options import (
    DURATION,
    HORIZON,
    allow_empty_option,
    examples,
    given,
    now_option,
    service,
)
from reconciler.cli.output import err_console, out_console, write
from reconciler.errors import EXIT_BLOCKED, EXIT_CHANGES, EXIT_OK
from reconciler.manifest.samples import load_sample_attributes
from reconciler.plan.model import Plan, PlanOptions
from reconciler.plan.planfile import plan_key_or_none, save_plan, unsigned_warning
from reconciler.recurrence import DEFAULT_HORIZON
from reconciler.render.json_render import plan_document, render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.reasons import WORDS
from reconciler.render.text import render_text
from reconciler.sendtime import DEFAULT_FREEZE_WINDOW
from reconciler.settings import Settings
from reconciler.timeutil import short_duration


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
                "--replace",
                "replace",
                multiple=True,
                metavar="ADDR",
                help="Delete and create again this resource, even if unchanged (the repair "
                "for a schedule changed or removed in Braze); repeatable.",
            ),
            click.option(
                "--freeze-window",
                type=DURATION,
                default=short_duration(DEFAULT_FREEZE_WINDOW),
                show_default=True,
                help="Changes this close to a first send need --allow-late.",
            ),
            click.option(
                "--allow-late",
                is_flag=True,
                help="Allow changes inside the freeze window; once a schedule is sending, only "
                "its delete (an emergency stop).",
            ),
            click.option(
                "--allow-destroy",
                is_flag=True,
                help="Allow deleting more than 10 resources and more than 25% of those managed, "
                "or every managed resource (whatever their number).",
            ),
            click.option(
                "--allow-resend",
                is_flag=True,
                help="Allow creating a schedule for a resource whose earlier schedule has sent.",
            ),
            click.option(
                "--horizon",
                type=HORIZON,
                default=None,
                help=f"How far ahead recurring sends are kept scheduled, 1d to 90d (default "
                f"{DEFAULT_HORIZON.days}d), for the manifests that set no horizon of their own.",
            ),
            click.option(
                "--offline",
                is_flag=True,
                help="Skip the reference checks: look up no campaign, Canvas or segment in "
                "Braze (the plan is then made from the manifests and the ledger alone).",
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
    replace: tuple[str, ...] = (),
    horizon: timedelta | None = None,
    settings: Settings | None = None,
) -> PlanOptions:
    """The options as given; where a flag is not given, the configuration file's setting
    (``freeze_window``, ``horizon``, ``destroy_threshold``, ``destroy_percent``)."""
    destroy: tuple[int | None, int | None] = (None, None)
    if settings is not None:
        if settings.freeze_window is not None and not given("freeze_window"):
            freeze_window = settings.freeze_window
        if horizon is None:
            horizon = settings.horizon
        destroy = settings.destroy_threshold
    return PlanOptions(
        destroy_threshold=destroy[0],
        destroy_percent=destroy[1],
        horizon_seconds=int(horizon.total_seconds()) if horizon is not None else None,
        freeze_window_seconds=int(freeze_window.total_seconds()),
        allow_late=allow_late,
        allow_destroy=allow_destroy,
        allow_resend=allow_resend,
        targets=targets,
        replace=replace,
    )


def render_plan(plan: Plan, output_format: str, *, show_recipients: bool = False) -> None:
    """JSON is for tools and keeps every value; Markdown always masks recipients unless
    shown; text masks them when stdout is not a terminal (a CI log is widely readable)."""
    if output_format == "json":
        write(render_json(plan_document(plan)))
    elif output_format == "markdown":
        write(render_markdown(plan, show_recipients=show_recipients))
    else:
        masked = not show_recipients and not sys.stdout.isatty()
        out_console().print(render_text(plan, masked=masked), end="")


@click.command(
    epilog=examples(
        "plan manifests/",
        "plan --format markdown --detailed-exitcode --out plan.json manifests/ > plan.md",
    )
)
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
    help="Show recipient identifiers (masked in Markdown, and in text when stdout is not a "
    "terminal).",
)
@click.option(
    "--sample-attributes",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="User attributes to show in what recipients will read: a YAML or JSON mapping "
    "(first_name: Ada, tier: gold). Without it they show as {placeholders}.",
)
@plan_options
@allow_empty_option
@click.pass_obj
def plan(
    settings: Settings,
    paths: tuple[str, ...],
    output_format: str,
    out: Path | None,
    detailed_exitcode: bool,
    show_recipients: bool,
    sample_attributes: Path | None,
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    freeze_window: timedelta,
    allow_late: bool,
    allow_destroy: bool,
    allow_resend: bool,
    horizon: timedelta | None,
    offline: bool,
    allow_empty: bool,
    now: datetime | None,
) -> int:
    """Compare the manifests with the ledger and show the changes apply would make.

    Exit 0 (no changes, or changes without --detailed-exitcode), 2 (changes, with
    --detailed-exitcode; schedules that fired and are only dropped from the ledger do not
    count), 3 (invalid manifests), 4 (a change is blocked by a safety gate or a reference
    check). With an API key, the campaigns, Canvases and segments the manifests name are
    looked up (read-only) and checked; --offline skips that.
    """
    options = build_options(
        targets,
        freeze_window,
        allow_late,
        allow_destroy,
        allow_resend,
        replace,
        horizon,
        settings=settings,
    )
    key = plan_key_or_none() if out is not None else None  # a bad key fails before planning
    samples = load_sample_attributes(sample_attributes) if sample_attributes else None
    result = service(settings, now).plan(
        paths or settings.paths,
        options,
        allow_empty=allow_empty,
        offline=offline,
        sample_attributes=samples,
    )
    render_plan(result, output_format, show_recipients=show_recipients)
    if out is not None:
        save_plan(result, out, key, WORDS)
        if key is None:
            err_console().print(f"warning: {unsigned_warning()}", markup=False)
        env = f" --env {settings.environment}" if settings.environment else ""
        where = " ".join(paths) if paths else ""
        err_console().print(
            f"Saved the plan to {out}; apply it with: braze-reconciler{env} apply --plan {out} "
            f"{where}".rstrip(),
            markup=False,
            highlight=False,
        )
    if result.blocked:
        return EXIT_BLOCKED
    if detailed_exitcode and result.needs_review:
        return EXIT_CHANGES
    return EXIT_OK
