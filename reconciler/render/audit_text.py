"""The audit for a terminal: the calendar, one entry per send, and the drift summary.

Built from ``AuditReport.to_dict()`` only. Returns rich markup; the CLI prints it on a
console that colours only on a terminal (and respects NO_COLOR). The helpers here give the
plain words the Markdown renderer shares.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.markup import escape

from reconciler.audit.report import in_sync_words
from reconciler.render.inert import markup
from reconciler.render.words import relative, schedule_words
from reconciler.timeutil import parse_instant, parse_iso

STATUS_WORDS = {
    "in_sync": "in sync",
    "pending_change": "pending change",
    "uncertain": "uncertain",
    "unexpected": "unexpected",
    "missing": "missing",
    "mismatched": "mismatched",
}
_STYLE = {
    "in_sync": "green",
    "pending_change": "yellow",
    "uncertain": "bold red",
    "unexpected": "magenta",
    "missing": "red",
    "mismatched": "red",
}


def subject(entry: dict[str, Any]) -> str:
    """``campaign_schedule/x``, or ``dashboard_schedule/x: Campaign "Newsletter" (3d48...)``."""
    if entry.get("source") != "dashboard":
        return str(entry.get("address"))
    label = entry.get("broadcast_type") or "Broadcast"
    if entry.get("name"):
        label += f' "{entry["name"]}" ({entry.get("broadcast_id")})'
    else:
        label += f" {entry.get('broadcast_id')}"
    return f"{entry['address']}: {label}" if entry.get("address") else label


def counted(counts: dict[str, int], status: str) -> str:
    """``3 pending changes``, ``1 unexpected``."""
    words = STATUS_WORDS[status]
    if status == "pending_change" and counts[status] != 1:
        words += "s"
    return f"{counts[status]} {words}"


def first_send(entry: dict[str, Any], now: datetime) -> str:
    """``2026-12-03 19:00 UTC (in 2 d 11 h)``, or ``—`` when unknown."""
    if not entry.get("send_at"):
        return "—"
    instant = parse_instant(entry["send_at"])
    return f"{instant.strftime('%Y-%m-%d %H:%M')} UTC ({relative(instant, now)})"


def schedule(entry: dict[str, Any]) -> str:
    """The schedule as written: a managed schedule's mode, a listed broadcast's type."""
    if entry.get("source") != "dashboard":
        words = schedule_words(entry.get("schedule_mode"), entry.get("schedule_time"))
        if entry.get("desired_schedule_time"):
            desired = schedule_words(
                entry.get("desired_schedule_mode"), entry.get("desired_schedule_time")
            )
            words += f" (manifests: {desired})"
        return words
    schedule_type = entry.get("schedule_type") or entry.get("expected_schedule_type")
    return listed_words(entry.get("schedule_time"), schedule_type)


def listed_words(time: str | None, schedule_type: str | None) -> str:
    """A listed ``next_send_time`` in words: ``2026-12-03 14:00 -05:00 (America/New_York)``,
    ``2026-12-01 09:00 in each user's zone``, ``2026-12-05 at each user's best time``."""
    if not time:
        return "no next send time" + (f" ({schedule_type})" if schedule_type else "")
    try:
        parsed = parse_iso(time)
    except ValueError:
        return time + (f" ({schedule_type})" if schedule_type else "")
    wall = parsed.strftime("%Y-%m-%d %H:%M")
    if parsed.tzinfo is not None:
        offset = parsed.strftime("%z")
        zone = "UTC" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
        words = f"{wall} {zone}"
    elif schedule_type == "local_time_zones":
        return f"{wall} in each user's zone"
    elif schedule_type == "intelligent_delivery":
        return f"{wall[:10]} at each user's best time"
    else:
        words = wall
    return f"{words} ({schedule_type})" if schedule_type else words


def summary(report: dict[str, Any]) -> str:
    counts = report["counts"]
    parts = ", ".join(counted(counts, status) for status in STATUS_WORDS)
    return f"Audit: {parts}."


def render_audit_text(report: dict[str, Any]) -> str:
    now = parse_instant(report["now"])
    header = f"Audit of workspace [bold]{escape(str(report.get('workspace') or 'default'))}[/]"
    if report.get("endpoint"):
        header += f" at {escape(str(report['endpoint']))}"
    lines = [
        header + f", as of {report['now']}: everything due within {report['horizon']} "
        f"(until {report['horizon_end']}).",
        "",
    ]
    for entry in report["entries"]:
        lines.extend(_entry_lines(entry, now))
    if not report["entries"]:
        lines.append(f"Nothing is due within {report['horizon']}.")
        lines.append("")
    lines.extend(f"[yellow]warning:[/] {markup(w)}" for w in report.get("warnings", []))
    lines.append(summary(report))
    if report["drift"]:
        lines.append("[bold red]Drift:[/] Braze or the ledger differs from git (see above).")
    else:
        basis = in_sync_words(report["entries"])
        lines.append(
            f"[green]In sync:[/] {escape(basis)}." if basis else "[green]In sync:[/] nothing due."
        )
    return "\n".join(lines) + "\n"


def _entry_lines(entry: dict[str, Any], now: datetime) -> list[str]:
    status = entry["status"]
    style = _STYLE[status]
    indent = "      "
    head = (
        f"[{style}]{STATUS_WORDS[status]:<15}[/] {escape(first_send(entry, now))}  "
        f"{markup(subject(entry))}"
    )
    facts = [entry["source"]] + ([entry["lifecycle"]] if entry.get("lifecycle") else [])
    lines = [head + f"  [dim]({', '.join(facts)})[/]"]
    lines.append(indent + "send: " + markup(schedule(entry)))
    lines.append(indent + markup(entry["detail"]))
    lines.append("")
    return lines
