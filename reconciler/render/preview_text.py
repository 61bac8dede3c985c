"""``preview`` for a terminal: what it would send (who, which message), then what it did.

Built from the dict forms of the proposal and the report. Every value from a manifest goes
through ``markup``; recipient identifiers are masked when ``masked`` (a CI log)."""

from __future__ import annotations

from typing import Any

from reconciler.render.inert import markup
from reconciler.render.recipients import mask_recipients
from reconciler.render.text import body_lines

_STATUS_STYLE = {
    "sent": "green",
    "skipped": "cyan",
    "failed": "red",
    "uncertain": "bold red",
    "not attempted": "yellow",
}


def _header(document: dict[str, Any]) -> str:
    count = len(document["previews"])
    users = document["recipients"]
    return (
        f"Preview of {count} resource{'s' if count != 1 else ''} to "
        f"[bold]{markup(document['test_group'])}[/] ({users} test user{'s' if users != 1 else ''})"
        f" at {markup(document['endpoint'])}, workspace {markup(document['workspace'])}, "
        f"as of {document['now']}."
    )


def render_proposal(document: dict[str, Any], *, masked: bool) -> str:
    """What would be sent: each resource's endpoint and body, and what it leaves out."""
    lines = [_header(document)]
    if masked:
        lines.append("Recipient identifiers are masked as ••• (--show-recipients shows them).")
    lines.append("")
    for preview in document["previews"]:
        lines.append(f"  [bold]{markup(preview['address'])}[/]  POST {preview['endpoint']}")
        body = mask_recipients(preview["body"]) if masked else preview["body"]
        lines.extend(body_lines(body, "      "))
        lines.extend(f"      note: {markup(note)}" for note in preview["notes"])
        earlier = preview.get("earlier")
        if earlier is not None:
            lines.append(
                f"      [cyan]skip:[/] a preview of this body to this group at "
                f"{earlier['started_at']} "
                + ("was sent" if earlier["outcome"] == "succeeded" else "may have been sent")
                + " (within --dedupe "
                + document["dedupe"]
                + "); --again sends it anyway"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def render_report(document: dict[str, Any]) -> str:
    """What was done: each preview's status, dispatch id, and Braze's notices."""
    lines = [""]
    for result in document["previews"]:
        status = result["status"]
        line = f"[{_STATUS_STYLE[status]}]{status:>13}[/]  {markup(result['address'])}"
        if result.get("dispatch_id"):
            line += f"  dispatch_id={markup(result['dispatch_id'])}"
        lines.append(line)
        if result.get("message"):
            lines.append(f"{'':>15}{markup(result['message'])}")
        lines.extend(f"{'':>15}[yellow]notice:[/] {markup(notice)}" for notice in result["notices"])
    counts = ", ".join(f"{n} {status}" for status, n in document["counts"].items() if n)
    lines.append("")
    if document["ok"]:
        lines.append(f"Preview complete: {counts or 'nothing to send'}.")
    else:
        if document["interrupted"]:
            lines.append("[bold red]Preview interrupted[/]: no preview was started after it.")
        lines.append(f"[bold red]Preview incomplete[/]: {counts}.")
    if document["counts"].get("uncertain"):
        lines.append(
            "An uncertain preview may have reached the test group: it is not retried, and "
            "the same preview within the dedupe window is skipped unless --again."
        )
    return "\n".join(lines) + "\n"
