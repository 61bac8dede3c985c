"""Plain words for changes, shared by the renderers (which all read the typed plan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.plan.model import Action, Change, Plan
from reconciler.plan.reasons import SCHEDULE_CHANGED
from reconciler.render.inert import markdown_text
from reconciler.render.reasons import reason_words, reasons_words
from reconciler.sendtime import first_send
from reconciler.timeutil import format_duration

COMMENT_LIMIT = 65_000
"""Markdown renders stay below GitHub's 65,536-character limit for a comment or issue."""
MODE_WORDS = {
    "utc": "at one instant (UTC)",
    "local": "in each user's local time",
    "optimal": "at each user's optimal time",
}


def when(change: Change) -> datetime | None:
    """The instant a change is about: the send it creates, moves or cancels."""
    after = first_send(change.schedule_mode, change.schedule_time)
    before = first_send(change.before_schedule_mode, change.before_schedule_time)
    return after or before


def schedule_words(mode: str | None, time: str | None) -> str:
    """``2026-12-05 10:00 UTC``, ``2026-12-05 10:00 in each user's zone``, ``optimal time``."""
    if not mode or not time:
        return "—"
    shown = time.replace("T", " ").removesuffix("Z")[:16]
    if mode == "utc":
        return f"{shown} UTC"
    if mode == "local":
        return f"{shown} in each user's zone"
    return f"{shown[:10]} at each user's optimal time"


def relative(instant: datetime, now: datetime) -> str:
    delta = instant - now
    if delta >= timedelta(0):
        return f"in {format_duration(delta)}"
    return f"{format_duration(-delta)} ago"


def plain_words(change: Change, now: datetime) -> str:
    """What a change does, in a reviewer's words."""
    action = change.action
    after = first_send(change.schedule_mode, change.schedule_time)
    before = first_send(change.before_schedule_mode, change.before_schedule_time)
    reasons = "; ".join(reasons_words(change))
    if action is Action.CREATE:
        if after is None:
            return "creates a send id"
        return f"schedules a send {relative(after, now)}"
    if action is Action.DELETE:
        if before is None:
            return "deletes it"
        if before <= now:  # a local-time or optimal-time send under way in some zones
            return f"emergency stop of a send that started {relative(before, now)}"
        return f"cancels a send {relative(before, now)}"
    if action is Action.RENAME:
        return f"{reasons}; no call to Braze"
    if action is Action.FORGET:
        return f"drops it from the ledger ({reasons}); no call to Braze"
    if action is Action.REPLACE:
        return f"deletes and re-creates it: {reasons}"
    if action is Action.UPDATE:
        parts: list[str] = []
        if after and before and after != before:
            parts.append("moved " + _signed(after - before))
        mode = change.schedule_mode
        if before and mode and mode != change.before_schedule_mode:
            parts.append("now sent " + MODE_WORDS[mode])
        # The move says more than "schedule changed".
        parts.extend(reason_words(r) for r in change.reasons if r != SCHEDULE_CHANGED)
        if not parts:
            parts.append("schedule re-sent unchanged in time")
        return "; ".join(parts)
    return reasons or "no change"


def _signed(delta: timedelta) -> str:
    sign = "+" if delta >= timedelta(0) else "-"
    return sign + format_duration(delta)


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to create, ...``.

    Renames are named only when there are some: most plans have none, and a plan of renames
    alone must not read as all zeros."""
    counts = plan.counts()
    renames = counts.get("rename", 0)
    return (
        "Plan: "
        + (f"{renames} to rename, " if renames else "")
        + f"{counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete, "
        f"{counts['forget']} to forget."
    )


def lookups_line(plan: Plan) -> str | None:
    """``Reference checks: 14 lookups.``; None when the plan made none (``--offline``)."""
    if plan.lookups is None:
        return None
    count = plan.lookups
    return f"Reference checks: {count} lookup{'s' if count != 1 else ''} (read-only)."


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (or any one line of Markdown), shown as is."""
    return markdown_text(text)


_GROUP_WORDS = {
    Action.CREATE: "new",
    Action.UPDATE: "moved",
    Action.REPLACE: "replaced",
    Action.DELETE: "deleted",
    Action.FORGET: "forgotten",
    Action.RENAME: "renamed",
    Action.NOOP: "kept as scheduled",
}


def by_rule(changes: list[Change]) -> list[list[Change]]:
    """The changes in their order, with a rule's occurrences gathered where its first one
    is: one list per rule (``Change.rule``), one per other change."""
    groups: list[list[Change]] = []
    of_rule: dict[str, list[Change]] = {}
    for change in changes:
        if change.rule is None:
            groups.append([change])
        elif change.rule in of_rule:
            of_rule[change.rule].append(change)
        else:
            of_rule[change.rule] = [change]
            groups.append(of_rule[change.rule])
    return groups


def rule_heading(occurrences: list[Change]) -> str:
    """``weekly-digest: 2 new, next 2026-12-07 14:00 UTC; weekly on Monday at 09:00 in
    America/New_York``: what happens to a rule's occurrences, in one line (not escaped)."""
    first = occurrences[0]
    name = (first.rule or first.address).partition("/")[2]
    counts: dict[Action, int] = {}
    for change in occurrences:
        counts[change.action] = counts.get(change.action, 0) + 1
    parts = [f"{n} {_GROUP_WORDS[action]}" for action, n in counts.items()]
    sends = [c for c in occurrences if c.action is not Action.DELETE and c.schedule_time]
    far = datetime.max.replace(tzinfo=UTC)
    upcoming = min(sends, key=lambda c: when(c) or far, default=None)
    if upcoming is not None:
        parts.append("next " + schedule_words(upcoming.schedule_mode, upcoming.schedule_time))
    summary = next((c.rule_summary for c in occurrences if c.rule_summary), None)
    return f"{name}: {', '.join(parts)}" + (f"; {summary}" if summary else "; no longer declared")
