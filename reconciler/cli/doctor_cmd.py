"""``doctor``: what Braze says of the endpoint, the key, its permissions and the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import click

from reconciler.cli.options import examples, lock_timeout_option, now_option, service, text_or_json
from reconciler.cli.output import out_console, write
from reconciler.errors import EXIT_INVALID, EXIT_OK, EXIT_UNEXPECTED
from reconciler.render.doctor_text import render_doctor_text
from reconciler.render.json_render import render_json
from reconciler.service import Purpose
from reconciler.settings import Settings

_EXIT = {"missing": EXIT_INVALID, "unknown": EXIT_UNEXPECTED}


@click.command(epilog=examples("doctor manifests/", "doctor --for audit --format json manifests/"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--for",
    "purposes",
    type=click.Choice([purpose.value for purpose in Purpose]),
    multiple=True,
    help=(
        "What the key is for: apply (the schedule and send id calls of the kinds in the "
        "manifests and the ledger) or audit (the listing of dashboard broadcasts); "
        "repeatable. Default: both."
    ),
)
@text_or_json("text for people; json (format_version 1) for tools.")
@lock_timeout_option
@now_option
@click.pass_obj
def doctor(
    settings: Settings,
    paths: tuple[str, ...],
    purposes: tuple[str, ...],
    output_format: str,
    lock_timeout: timedelta,
    now: datetime | None,
) -> int:
    """Check the endpoint, the API key, its permissions and the clock, with calls that change
    nothing in Braze.

    Each permission the manifests (and the ledger's records) need is probed with a call Braze
    must refuse for its content after its permission check: an empty body for a create, a
    made-up schedule id for an update or a delete; never a send. Braze's answers to that
    made-up id are recorded in the ledger (under its lock), so that apply knows this
    workspace's own "unknown schedule" answer. Exit 0 (everything needed is there), 3
    (something is missing: the endpoint unreachable or not Braze's, the key refused, a
    permission, the clock off by more than 5 minutes, a ledger bound elsewhere), 1 (Braze's
    answers could not tell: 5xx, 429, no answer; try again), 6 (the ledger is locked).
    """
    report = service(settings, now).doctor(
        paths or settings.paths,
        tuple(Purpose(value) for value in purposes) or tuple(Purpose),
        lock_timeout=lock_timeout.total_seconds(),
    )
    data = report.to_dict()
    if output_format == "json":
        write(render_json(data))
    else:
        out_console().print(render_doctor_text(data), end="")
    return _EXIT.get(report.status.value, EXIT_OK)
