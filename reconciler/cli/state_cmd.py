"""``state`` (inspect and repair the ledger) and ``import`` (adopt an existing schedule)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
from rich.markup import escape

from reconciler import ledger_ops
from reconciler.cli.options import DURATION, now_option
from reconciler.cli.output import err_console, out_console, write
from reconciler.engine import current_time, open_ledger
from reconciler.errors import UsageError
from reconciler.render.json_render import render_json
from reconciler.settings import Settings
from reconciler.state.base import RecordStatus

lock_timeout_option = click.option(
    "--lock-timeout",
    type=DURATION,
    default="0s",
    show_default=True,
    help="Wait this long for the workspace lock (default: fail at once, exit 6).",
)


@click.group()
def state() -> None:
    """Inspect and repair the ledger (what was applied to Braze)."""


@state.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include fired schedules (tombstones).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def state_list(settings: Settings, show_all: bool, output_format: str) -> int:
    """List the ledger's records."""
    with open_ledger(settings) as store:
        records = store.records()
        info = store.info()
    rows = [
        records[a]
        for a in sorted(records)
        if show_all or records[a].status is not RecordStatus.FIRED
    ]
    if output_format == "json":
        write(render_json({"format_version": 1, "records": [r.to_dict() for r in rows]}))
        return 0
    console = out_console()
    for record in rows:
        when = record.schedule_time or "-"
        mark = (
            f" [red]({record.unknown_outcome} outcome unknown)[/]" if record.unknown_outcome else ""
        )
        console.print(
            f"{escape(record.address):<56} {record.status.value:<9} "
            f"{escape(record.schedule_id or '-'):<38} {escape(when)}{mark}"
        )
    console.print(
        f"{len(rows)} record{'s' if len(rows) != 1 else ''} in workspace "
        f"{escape(settings.workspace)} (serial {info.serial}, {escape(store.url)})"
    )
    return 0


@state.command("show")
@click.argument("address")
@click.pass_obj
def state_show(settings: Settings, address: str) -> int:
    """Show one record and its journal of calls."""
    with open_ledger(settings) as store:
        record = store.get(address)
        intents = store.intents(address)
    if record is None and not intents:
        raise UsageError(f"{address} is not in the ledger")
    document = {
        "format_version": 1,
        "record": record.to_dict() if record else None,
        "journal": [
            {
                "intent_id": i.intent_id,
                "action": i.action,
                "endpoint": i.endpoint,
                "body_hash": i.body_hash,
                "run_id": i.run_id,
                "started_at": i.started_at.isoformat(),
                "outcome": i.outcome.value if i.outcome else None,
                "message": i.message,
                "finished_at": i.finished_at.isoformat() if i.finished_at else None,
            }
            for i in intents
        ],
    }
    write(render_json(document))
    return 0


@state.command("rm")
@click.argument("address")
@lock_timeout_option
@click.pass_obj
def state_rm(settings: Settings, address: str, lock_timeout: timedelta) -> int:
    """Forget a record without calling Braze (its schedule, if any, stays in Braze)."""
    record = ledger_ops.remove(settings, address, lock_timeout.total_seconds())
    err_console().print(
        f"Removed {escape(address)} from the ledger. "
        + (
            f"Its schedule {escape(record.schedule_id)} still exists in Braze and will send "
            "unless you delete it."
            if record.schedule_id and record.status is not RecordStatus.FIRED
            else ""
        )
    )
    return 0


@state.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.pass_obj
def state_export(settings: Settings, out: Path | None) -> int:
    """Write every record as JSON (never the API key), for inspection or migration."""
    text = render_json(ledger_ops.export(settings))
    if out is None:
        write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err_console().print(f"wrote {out}")
    return 0


@state.command("import-json")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@lock_timeout_option
@click.pass_obj
def state_import_json(settings: Settings, file: Path, lock_timeout: timedelta) -> int:
    """Load records from a `state export` file (the reverse of export)."""
    count = ledger_ops.import_json(settings, file, lock_timeout.total_seconds())
    err_console().print(f"Imported {count} record{'s' if count != 1 else ''}.")
    return 0


@state.command("resolve")
@click.argument("address")
@click.option("--schedule-id", help="The create took effect: this is its schedule_id.")
@click.option("--absent", is_flag=True, help="The create did not take effect.")
@lock_timeout_option
@click.pass_obj
def state_resolve(
    settings: Settings,
    address: str,
    schedule_id: str | None,
    absent: bool,
    lock_timeout: timedelta,
) -> int:
    """Settle an uncertain create, once you know whether Braze holds the schedule."""
    record, warnings = ledger_ops.resolve(
        settings,
        address,
        schedule_id=schedule_id,
        absent=absent,
        lock_timeout=lock_timeout.total_seconds(),
    )
    for warning in warnings:
        err_console().print(f"warning: {warning}", markup=False, highlight=False)
    if record is None:
        err_console().print(f"{escape(address)}: recorded as absent; the next apply creates it.")
    else:
        err_console().print(
            f"{escape(address)}: recorded as created with schedule_id {escape(schedule_id or '')}."
        )
    return 0


@state.command("force-unlock")
@click.argument("lock_id")
@click.pass_obj
def state_force_unlock(settings: Settings, lock_id: str) -> int:
    """Release the lock of a holder that died (check it is not running first)."""
    holder = ledger_ops.force_unlock(settings, lock_id)
    err_console().print(f"Released lock {escape(lock_id)} held by {escape(holder)}.")
    return 0


@click.command("import")
@click.argument("address")
@click.argument("schedule_id")
@click.option(
    "--path",
    "paths",
    multiple=True,
    default=(".",),
    show_default=True,
    help="Manifest files or directories that declare ADDRESS; repeatable.",
)
@lock_timeout_option
@now_option
@click.pass_obj
def import_(
    settings: Settings,
    address: str,
    schedule_id: str,
    paths: tuple[str, ...],
    lock_timeout: timedelta,
    now: datetime | None,
) -> int:
    """Adopt an existing Braze schedule for a resource the manifests declare.

    Braze cannot be read back: the next plan offers an update that makes Braze's schedule
    (and, for scheduled messages, messages) match the manifest, and says so.
    """
    ledger_ops.adopt(
        settings, address, schedule_id, paths, current_time(now), lock_timeout.total_seconds()
    )
    err_console().print(
        f"Adopted {escape(address)} (schedule_id {escape(schedule_id)}). Run `plan`: it shows "
        "the update that makes Braze match the manifest."
    )
    return 0
