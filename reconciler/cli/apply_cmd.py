"""``apply``: make Braze match the manifests (or a saved plan), safely."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from reconciler.apply import ApplyReport, ChangeResult, Status
from reconciler.braze.limits import RateLimits
from reconciler.cli.options import (
    DURATION,
    allow_empty_option,
    confirmed,
    examples,
    given,
    lock_timeout_option,
    request_timeout_option,
    service,
    text_or_json,
)
from reconciler.cli.output import columns, err_console, out_console, print_table, write
from reconciler.cli.plan_cmd import build_options, plan_options, render_plan
from reconciler.cli.signals import sigterm_as_interrupt
from reconciler.errors import EXIT_APPLY_INCOMPLETE, EXIT_OK, EXIT_UNEXPECTED, UsageError
from reconciler.plan.model import Plan
from reconciler.render.inert import no_command, printable
from reconciler.render.json_render import plan_document, render_json
from reconciler.render.text import render_text
from reconciler.service import ApplyRequest, ClientOptions
from reconciler.settings import Settings
from reconciler.timeutil import short_duration

_STATUS_STYLE = {
    Status.DONE: "green",
    Status.FAILED: "red",
    Status.UNCERTAIN: "bold red",
    Status.NOT_ATTEMPTED: "yellow",
}


def _rate_limits(items: tuple[str, ...], configured: dict[str, int] | None = None) -> RateLimits:
    """``--rate-limit`` items over the configuration's ``rate_limits``, name by name."""
    parsed: dict[str, int] = dict(configured or {})
    for item in items:
        name, _, value = item.partition("=")
        if not value.isdigit():
            raise UsageError(
                f"--rate-limit {item!r} is not NAME=N",
                hint="e.g. --rate-limit hourly=500000 (names: hourly, broadcast_per_minute, "
                "audience_per_minute, send_ids_per_day)",
            )
        parsed[name.strip()] = int(value)
    try:
        return RateLimits.parse(parsed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@click.command(
    epilog=examples("apply manifests/", "apply --auto-approve --lock-timeout 10m manifests/  # CI")
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Apply this saved plan (from `plan --out`), only if planning PATHS again gives the "
    "same changes. Needs BRAZE_RECONCILER_PLAN_KEY.",
)
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI).")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=ApplyRequest.parallelism,
    show_default=True,
    help="Independent changes applied at once.",
)
@click.option(
    "--max-plan-age",
    type=DURATION,
    default=short_duration(ApplyRequest.max_plan_age),
    show_default=True,
    help="Refuse a saved plan older than this.",
)
@lock_timeout_option
@click.option(
    "--rate-limit",
    "rate_limit",
    multiple=True,
    metavar="NAME=N",
    help="Your workspace's limits if raised: hourly, broadcast_per_minute, "
    "audience_per_minute, send_ids_per_day.",
)
@request_timeout_option
@text_or_json("The plan and the final report as text or JSON.")
@click.option(
    "--allow-shared-key",
    is_flag=True,
    help="Bind a new ledger workspace even though another workspace of this ledger is "
    "bound to the same endpoint and API key.",
)
@plan_options
@allow_empty_option
@click.pass_obj
def apply(
    settings: Settings,
    paths: tuple[str, ...],
    plan_file: Path | None,
    auto_approve: bool,
    parallelism: int,
    max_plan_age: timedelta,
    lock_timeout: timedelta,
    rate_limit: tuple[str, ...],
    request_timeout: float,
    output_format: str,
    allow_shared_key: bool,
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
    """Apply the changes to Braze, journaling every call in the ledger.

    Without --plan, plans first, shows the plan and asks (or --auto-approve). With --plan,
    plans PATHS again and applies only if that gives the saved plan's changes. Exit 0 when
    every change is done, 3 invalid input, 4 blocked by a safety gate, 5 saved plan stale,
    expired, edited or not reproduced, 6 ledger locked, 7 when a change failed, is uncertain or
    was not attempted.
    """
    # apply --plan re-plans from PATHS and the ledger with the saved plan's own options, so
    # options that shape a plan are refused with it (--allow-empty only lets PATHS be empty).
    shaping = (
        "targets",
        "replace",
        "freeze_window",
        "allow_late",
        "allow_destroy",
        "allow_resend",
        "horizon",
    )
    if plan_file is not None and given(*shaping):
        raise UsageError(
            "apply --plan FILE applies the plan as it was saved: it takes no --target, "
            "--replace, --allow-late, --allow-destroy, --allow-resend, --freeze-window or "
            "--horizon",
            hint="give those to `plan --out FILE`, review, then apply that plan",
        )
    request = ApplyRequest(
        paths=paths or settings.paths,
        plan_file=plan_file,
        options=build_options(
            targets,
            freeze_window,
            allow_late,
            allow_destroy,
            allow_resend,
            replace,
            horizon,
            settings=settings,
        ),
        parallelism=parallelism,
        max_plan_age=max_plan_age,
        lock_timeout=lock_timeout.total_seconds(),
        client=ClientOptions(
            rate_limits=_rate_limits(rate_limit, settings.rate_limits),
            request_timeout=request_timeout,
        ),
        allow_empty=allow_empty,
        allow_shared_key=allow_shared_key,
        offline=offline,
    )
    progress = _ProgressView(enabled=output_format == "text" and sys.stderr.isatty())

    def confirm(plan: Plan) -> bool:
        if output_format == "text":
            render_plan(plan, "text")
        elif not auto_approve:  # JSON goes out once, at the end; a person reads text
            err_console().print(render_text(plan), end="")
        if auto_approve:
            return True
        return confirmed(
            f"Apply these changes to {plan.endpoint} (workspace {plan.workspace})?",
            refusal="apply asks for confirmation, and there is no terminal to ask on",
            hint=(
                # Applying a saved plan asks too: the way forward is --auto-approve.
                "this saved plan is what was reviewed: pass --auto-approve to apply it"
                if plan_file is not None
                else "review the plan, then pass --auto-approve (CI); or save it with "
                "`plan --out FILE`, review it, and run `apply --plan FILE PATHS --auto-approve`"
            ),
        )

    with sigterm_as_interrupt():
        plan, report = service(settings, now).apply(
            request,
            confirm=confirm,
            on_start=progress.start,
            on_result=progress.advance,
        )
    progress.stop()
    if output_format == "json":
        document = {
            "format_version": 1,
            "plan": plan_document(plan),
            "apply": report.to_dict() if report is not None else None,
        }
        write(render_json(document))
    elif report is None and not plan.has_changes:
        render_plan(plan, "text")
    elif report is not None:
        _render_report(report)
    if report is None:
        if not plan.has_changes:
            return EXIT_OK
        err_console().print("Apply cancelled; nothing changed.")
        return EXIT_UNEXPECTED
    return EXIT_OK if report.ok else EXIT_APPLY_INCOMPLETE


class _ProgressView:
    """A progress bar on stderr during long applies, only on a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: int | None = None

    def start(self, plan: Plan) -> None:
        if not self.enabled:
            return
        self._progress = Progress(
            TextColumn("applying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("apply", total=len(plan.pending))

    def advance(self, _result: ChangeResult) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _render_report(report: ApplyReport) -> None:
    console = out_console()
    console.print()
    table = columns("right", "left", "left")
    for result in sorted(report.results, key=lambda r: r.address):
        # Braze's answers are shown as text: no control character, no line of their own
        detail = Text(printable(result.address))
        if result.schedule_id:
            detail.append(f"  schedule_id={printable(result.schedule_id)}")
        if result.message:
            detail.append("\n" + no_command(printable(result.message)))
        for notice in result.notices:
            detail.append("\n")
            detail.append("notice:", style="yellow")
            detail.append(" " + printable(notice))
        status = Text(result.status.value, style=_STATUS_STYLE[result.status])
        table.add_row(status, Text(result.action.value), detail)
    print_table(console, table)
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status)
    if report.ok:
        calls = f"{report.calls} call" + ("" if report.calls == 1 else "s")
        console.print(f"\nApply complete: {counts}. ({calls}, {report.seconds:.1f} s)")
        return
    if report.interrupted:
        console.print(
            "\n[bold red]Apply interrupted[/]: calls in flight finished and were recorded."
        )
    console.print(f"\n[bold red]Apply incomplete[/]: {counts}.")
    if report.count(Status.UNCERTAIN):
        console.print(
            "Uncertain creates may exist in Braze: find out, then run "
            "`braze-reconciler state resolve ADDR --schedule-id ID` or `--absent`."
        )
