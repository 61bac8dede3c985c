"""What the plan renderers show of a change: its fields (masked, long ones as line diffs)
and which changes are housekeeping folded into one line."""

from __future__ import annotations

import dataclasses
from typing import Any

from reconciler.render.recipients import mask_recipients, path_keys
from reconciler.render.textdiff import DiffLine, is_long, line_diff


@dataclasses.dataclass(frozen=True)
class ShownField:
    path: str
    before: Any
    after: Any
    diff: list[DiffLine] | None
    """Set when the value is long or spans lines: shown line by line, never truncated."""


def shown_field(path: str, before: Any, after: Any, *, masked: bool) -> ShownField:
    if masked:
        keys = path_keys(path)
        before, after = mask_recipients(before, keys), mask_recipients(after, keys)
    diff = line_diff(before, after) if is_long(before, after) else None
    return ShownField(path, before, after, diff)


def shown_fields(change: dict[str, Any], *, masked: bool) -> list[ShownField]:
    return [
        shown_field(field["path"], field["before"], field["after"], masked=masked)
        for field in change.get("field_changes") or []
    ]


def names_recipients(change: dict[str, Any]) -> bool:
    """Whether masking hides anything in this change (so the plan says it masked)."""
    bodies = (change.get("before"), change.get("after"))
    return any(body and mask_recipients(body) != body for body in bodies)


def is_fired(change: dict[str, Any]) -> bool:
    """A schedule that has sent, which the ledger forgets (``Change.is_housekeeping``)."""
    return bool(change.get("housekeeping"))


def fired_line(count: int) -> str:
    noun = "schedule" if count == 1 else "schedules"
    return (
        f"{count} {noun} fired since the last apply: the ledger forgets "
        f"{'it' if count == 1 else 'them'} (no call to Braze)."
    )
