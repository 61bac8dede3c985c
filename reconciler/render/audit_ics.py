"""The audit as an iCalendar file (``audit --format ics``): one event per upcoming send.

A team subscribes to the published file (docs/workflow.md): each API schedule, occurrence
of a recurring manifest and dashboard broadcast in the audit's horizon is an event at its
first send, with its address, kind, status and drift class in the description. UIDs are
stable: made from the workspace and the address (``campaign_schedule/weekly@2026-12-07``),
or a dashboard broadcast's type and id, so a calendar app updates an event in place when
its time moves, and drops it once it has sent (it leaves the file).

Built from ``AuditReport.to_dict()``, like every audit renderer. Every value from a file or
from Braze goes through ``inert.printable`` (no control character); icalendar escapes the
rest of RFC 5545's text rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from icalendar import Calendar, Event

from reconciler.render.inert import printable
from reconciler.timeutil import parse_instant

EVENT_LENGTH = timedelta(minutes=30)
"""An event's length: a send is an instant; a calendar shows it as a short slot."""
PRODUCT = "-//braze-reconciler//audit//EN"
_UID_DOMAIN = "braze-reconciler"

_MODE_WORDS = {
    "utc": "at one instant",
    "local": "in each user's local time (this is its first send, in the earliest zone)",
    "optimal": "at each user's optimal time (this is its first possible send)",
}


def uid(workspace: str, entry: Mapping[str, Any]) -> str | None:
    """The stable UID of an entry's event; None when it has neither address nor id."""
    if entry.get("address"):
        subject = entry["address"]
    elif entry.get("broadcast_id"):
        subject = f"dashboard/{entry.get('broadcast_type') or 'broadcast'}/{entry['broadcast_id']}"
    else:
        return None
    return printable(f"{workspace}/{subject}@{_UID_DOMAIN}")


def render_audit_ics(data: Mapping[str, Any]) -> bytes:
    workspace = data.get("workspace") or "default"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", printable(f"Braze sends ({workspace})"))
    stamp = parse_instant(data["now"])
    seen: set[str] = set()
    for entry in data["entries"]:
        key = uid(workspace, entry)
        if key is None or key in seen or not entry.get("send_at"):
            continue
        seen.add(key)
        start = parse_instant(entry["send_at"])
        event = Event()
        event.add("uid", key)
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
        event.add("summary", printable(_summary(entry)))
        event.add("description", _description(entry))
        event.add("categories", [entry["status"]])
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _summary(entry: Mapping[str, Any]) -> str:
    title = entry.get("address") or entry.get("name") or entry.get("broadcast_id") or "?"
    flag = "" if entry["status"] == "in_sync" else f" [{entry['status']}]"
    return f"{title}{flag}"


def _description(entry: Mapping[str, Any]) -> str:
    """One ``name: value`` line per fact, each value made printable (the lines are ours)."""
    status = entry["status"]
    kind = entry.get("kind") or (
        f"dashboard {entry.get('broadcast_type') or 'broadcast'}"
        if entry.get("broadcast_id")
        else None
    )
    mode = str(entry.get("schedule_mode") or "")
    facts = [
        ("address", entry.get("address")),
        ("name", entry.get("name")),
        ("kind", kind),
        ("status", status),
        ("drift", "none" if status == "in_sync" else status.replace("_", " ")),
        ("source", entry.get("source")),
        (f"sends {_MODE_WORDS.get(mode, mode)}", entry.get("schedule_time") if mode else None),
        ("schedule_id", entry.get("schedule_id")),
        ("broadcast id", entry.get("broadcast_id")),
        ("detail", entry.get("detail")),
    ]
    return "\n".join(f"{name}: {printable(str(value))}" for name, value in facts if value)
