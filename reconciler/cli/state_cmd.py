"""``state`` (inspect and repair the ledger) and ``import`` (adopt an existing schedule)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
from rich.markup import escape
from rich.text import Text

from reconciler.cli.options import examples, lock_timeout_option, now_option, service, text_or_json
from reconciler.cli.output import columns, err_console, out_console, print_table, write
from reconciler.render.inert import printable
from reconciler.render.json_render import render_json
from reconciler.render.record_text import render_record_text
from reconciler.settings import Settings
from reconciler.state.base import RecordStatus


@click.group(epilog=examples("state list", "state show scheduled_message/black-friday-push"))
def state() -> None:
    """Inspect and repair the ledger (what was applied to Braze)."""


@state.command("list", epilog=examples("state list", "state list --all --format json"))
@click.option("--all", "show_all", is_flag=True, help="Include fired schedules (tombstones).")
@text_or_json(
    "text: one line per record (address, status, schedule id, send time); json "
    "(format_version 1): every field of every record, for tools."
)
@click.pass_obj
def state_list(settings: Settings, show_all: bool, output_format: str) -> int:
    """List the ledger's records."""
    listing = service(settings).listing()
    records = listing.records
    rows = [
        records[a]
        for a in sorted(records)
        if show_all or records[a].status is not RecordStatus.FIRED
    ]
    if output_format == "json":
        write(render_json({"format_version": 1, "records": [r.to_dict() for r in rows]}))
        return 0
    console = out_console()
    table = columns("left", "left", "left", "left")
    for record in rows:
        when = Text(printable(record.schedule_time or "-"))
        if record.unknown_outcome:
            when.append(f" ({printable(record.unknown_outcome)} outcome unknown)", style="red")
        table.add_row(
            Text(printable(record.address)),
            Text(record.status.value),
            Text(printable(record.schedule_id or "-")),
            when,
        )
    print_table(console, table)
    console.print(
        f"{len(rows)} record{'s' if len(rows) != 1 else ''} in workspace "
        f"{escape(settings.workspace)} (serial {listing.serial}, {escape(listing.url)})"
    )
    return 0


@state.command(
    "show",
    epilog=examples(
        "state show scheduled_message/black-friday-push",
        "state show campaign_schedule/gift-guide --format json",
    ),
)
@click.argument("address")
@text_or_json("text for people; json (format_version 1) for tools, with the full body.")
@click.pass_obj
def state_show(settings: Settings, address: str, output_format: str) -> int:
    """Show one record (status, schedule id, send time, body), its journal of calls and the
    previews of its message sent to test groups."""
    history = service(settings).history(address)
    record, intents = history.record, history.journal
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
        "previews": [
            {
                "preview_id": p.intent_id,
                "test_group": p.test_group,
                "endpoint": p.endpoint,
                "body_hash": p.body_hash,
                "run_id": p.run_id,
                "started_at": p.started_at.isoformat(),
                "outcome": p.outcome.value if p.outcome else None,
                "dispatch_id": p.dispatch_id,
                "message": p.message,
                "finished_at": p.finished_at.isoformat() if p.finished_at else None,
            }
            for p in history.previews
        ],
    }
    if output_format == "json":
        write(render_json(document))
    else:
        out_console().print(render_record_text(address, document), end="", markup=False)
    return 0


@state.command("rm", epilog=examples("state rm scheduled_message/old-test-send"))
@click.argument("address")
@lock_timeout_option
@click.pass_obj
def state_rm(settings: Settings, address: str, lock_timeout: timedelta) -> int:
    """Forget a record without calling Braze (its schedule, if any, stays in Braze)."""
    record = service(settings).remove(address, lock_timeout=lock_timeout.total_seconds())
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


@state.command("mv", epilog=examples("state mv campaign_schedule/gift campaign_schedule/gift-2026"))
@click.argument("old")
@click.argument("new")
@lock_timeout_option
@click.pass_obj
def state_mv(settings: Settings, old: str, new: str, lock_timeout: timedelta) -> int:
    """Move a record to a new address (a renamed manifest) without calling Braze.

    The same as `renamed_from: OLD-NAME` in the manifest, by hand; journaled.
    """
    record = service(settings).move(old, new, lock_timeout=lock_timeout.total_seconds())
    schedule = f" (schedule_id {escape(record.schedule_id)})" if record.schedule_id else ""
    err_console().print(
        f"Moved {escape(old)} to {escape(new)} in the ledger{schedule}; Braze was not called. "
        f"The next plan compares it with the manifest named {escape(new.partition('/')[2])}."
    )
    return 0


@state.command("export", epilog=examples("state export", "state export --out ledger-backup.json"))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.pass_obj
def state_export(settings: Settings, out: Path | None) -> int:
    """Write every record as JSON (never the API key), for inspection or migration."""
    text = render_json(service(settings).export())
    if out is None:
        write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err_console().print(f"wrote {out}")
    return 0


@state.command(
    "import-json",
    epilog=examples("--state postgresql://ci@db/braze state import-json ledger-backup.json"),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@lock_timeout_option
@click.pass_obj
def state_import_json(settings: Settings, file: Path, lock_timeout: timedelta) -> int:
    """Load records from a `state export` file (the reverse of export)."""
    count = service(settings).import_json(file, lock_timeout=lock_timeout.total_seconds())
    err_console().print(f"Imported {count} record{'s' if count != 1 else ''}.")
    return 0


@state.command(
    "resolve",
    epilog=examples(
        "state resolve scheduled_message/flash-sale --schedule-id 0a1b2c3d-...",
        "state resolve scheduled_message/flash-sale --absent",
    ),
)
@click.argument("address")
@click.option("--schedule-id", help="The schedule exists in Braze: this is its schedule_id.")
@click.option(
    "--absent", is_flag=True, help="Braze holds no such schedule: the next plan creates it."
)
@lock_timeout_option
@click.pass_obj
def state_resolve(
    settings: Settings,
    address: str,
    schedule_id: str | None,
    absent: bool,
    lock_timeout: timedelta,
) -> int:
    """Settle an uncertain create or a vanished record, once you know whether Braze holds
    the schedule."""
    record, warnings = service(settings).resolve(
        address,
        schedule_id=schedule_id,
        absent=absent,
        lock_timeout=lock_timeout.total_seconds(),
    )
    for warning in warnings:
        err_console().print(f"warning: {warning}", markup=False, highlight=False)
    if record is None:
        err_console().print(f"{escape(address)}: recorded as absent; the next apply creates it.")
    elif record.status is RecordStatus.ADOPTED:
        err_console().print(
            f"{escape(address)}: recorded as adopted with schedule_id "
            f"{escape(schedule_id or '')}; the next plan updates it to match the manifest."
        )
    else:
        err_console().print(
            f"{escape(address)}: recorded as created with schedule_id {escape(schedule_id or '')}."
        )
    return 0


@state.command("rebind-key", epilog=examples("state rebind-key"))
@click.option(
    "--allow-shared-key",
    is_flag=True,
    help="Even though another workspace of this ledger is bound to the same endpoint and key.",
)
@lock_timeout_option
@click.pass_obj
def state_rebind_key(settings: Settings, allow_shared_key: bool, lock_timeout: timedelta) -> int:
    """Accept a new API key for this workspace: the key was rotated (same Braze workspace).

    Journaled: `state show @workspace` lists every binding. Never use it to point a ledger at
    another Braze workspace: its schedules would be unknown there and created twice.
    """
    changed = service(settings).rebind_key(
        allow_shared_key=allow_shared_key, lock_timeout=lock_timeout.total_seconds()
    )
    if changed:
        err_console().print(
            f"Workspace {escape(settings.workspace)}: the new API key is recorded (journaled at "
            "@workspace)."
        )
    else:
        err_console().print(
            f"Workspace {escape(settings.workspace)}: already bound to this API key; nothing "
            "changed."
        )
    return 0


@state.command("force-unlock", epilog=examples("state force-unlock 9f3c2a1b"))
@click.argument("lock_id")
@click.pass_obj
def state_force_unlock(settings: Settings, lock_id: str) -> int:
    """Release the lock of a holder that died (check it is not running first)."""
    released = service(settings).force_unlock(lock_id)
    holder = (
        f"{released.holder} ({released.operation}, since {released.acquired_at:%Y-%m-%d %H:%M:%SZ})"
    )
    err_console().print(f"Released lock {escape(lock_id)} held by {escape(holder)}.")
    return 0


@click.command(
    "import",
    epilog=examples(
        "import scheduled_message/black-friday-push 0a1b2c3d-... manifests/",
    ),
)
@click.argument("address")
@click.argument("schedule_id")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--path",
    "path_options",
    multiple=True,
    hidden=True,  # the earlier spelling, kept working; PATHS is the one documented
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
    path_options: tuple[str, ...],
    lock_timeout: timedelta,
    now: datetime | None,
) -> int:
    """Adopt an existing Braze schedule for a resource the manifests declare.

    PATHS are the manifest files or directories, as for plan and apply (default "."); one of
    them must declare ADDRESS. Braze cannot be read back: the next plan offers an update that
    makes Braze's schedule (and, for scheduled messages, messages) match the manifest, and
    says so.
    """
    paths = (*paths, *path_options) or settings.paths
    service(settings, now).adopt(
        address, schedule_id, paths, lock_timeout=lock_timeout.total_seconds()
    )
    err_console().print(
        f"Adopted {escape(address)} (schedule_id {escape(schedule_id)}). Run `plan`: it shows "
        "the update that makes Braze match the manifest."
    )
    return 0
