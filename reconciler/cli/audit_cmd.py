"""``audit``: the calendar of upcoming sends and whether it matches git."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click

from reconciler.cli.options import DURATION, examples, now_option, service
from reconciler.cli.output import err_console, out_console, write
from reconciler.errors import EXIT_CHANGES, EXIT_OK, UsageError
from reconciler.render.audit_ics import render_audit_ics
from reconciler.render.audit_markdown import render_audit_markdown
from reconciler.render.audit_text import render_audit_text
from reconciler.render.json_render import render_json
from reconciler.settings import Settings


@click.command(
    epilog=examples(
        "audit --horizon 7d --fail-on-drift --format markdown manifests/",
        "audit --horizon 60d --format ics manifests/ > sends.ics",
    )
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--horizon",
    type=DURATION,
    default="30d",
    show_default=True,
    help="List what is due within this span from now (e.g. 7d, 36h).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json", "ics"]),
    default="text",
    show_default=True,
    help="text for terminals, markdown for an issue or comment, json for tools, ics for a "
    "calendar (iCalendar: one event per upcoming send, stable UIDs).",
)
@click.option(
    "--fail-on-drift",
    is_flag=True,
    help="Exit 2 when anything is not in sync (0 when everything is).",
)
@click.option(
    "--generate-expectations",
    "expectations_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write a draft DashboardSchedule manifest into DIR for each unexpected broadcast.",
)
@now_option
@click.pass_obj
def audit(
    settings: Settings,
    paths: tuple[str, ...],
    horizon: timedelta,
    output_format: str,
    fail_on_drift: bool,
    expectations_dir: Path | None,
    now: datetime | None,
) -> int:
    """Show everything due within the horizon and whether it matches git.

    Managed API schedules (from the ledger), manifests not applied yet or changed, and the
    broadcasts scheduled in the Braze dashboard (checked against DashboardSchedule
    documents). Reads the ledger without locking it; never writes to Braze. Needs the API
    key and endpoint. Exit 0 (in sync, or drift without --fail-on-drift), 2 (drift, with
    --fail-on-drift), 3 (invalid manifests or arguments).
    """
    if horizon <= timedelta(0):
        raise UsageError("--horizon must be longer than zero", hint="e.g. --horizon 7d")
    run = service(settings, now).audit(
        paths or settings.paths, horizon, expectations_dir=expectations_dir
    )
    data = run.report.to_dict()
    if output_format == "json":
        write(render_json(data))
    elif output_format == "markdown":
        write(render_audit_markdown(data))
    elif output_format == "ics":
        write(render_audit_ics(data).decode("utf-8"))
    else:
        out_console().print(render_audit_text(data), end="")
    if expectations_dir is not None:
        if run.drafted:
            names = ", ".join(path.name for path in run.drafted)
            err_console().print(
                f"Wrote {len(run.drafted)} draft DashboardSchedule manifest"
                f"{'s' if len(run.drafted) != 1 else ''} to {expectations_dir}: {names}. "
                "Review them and add them to your manifests.",
                markup=False,
            )
        else:
            err_console().print(
                "No unexpected dashboard broadcast: no draft written.", markup=False
            )
    if fail_on_drift and run.report.drift:
        return EXIT_CHANGES
    return EXIT_OK
