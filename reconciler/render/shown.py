"""What the plan renderers show of a change: its fields (masked, long ones as line diffs)
and which changes are housekeeping folded into one line."""

from __future__ import annotations

import dataclasses
from typing import Any

from reconciler.plan.model import Change, MessageText
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


def shown_fields(change: Change, *, masked: bool) -> list[ShownField]:
    return [
        shown_field(field.path, field.before, field.after, masked=masked)
        for field in change.field_changes
    ]


def names_recipients(change: Change) -> bool:
    """Whether masking hides anything in this change (so the plan says it masked)."""
    # A no-op's body before is its body after: the ledger's is not even decoded.
    bodies = (change.before, change.after) if change.is_change else (change.after,)
    return any(body and mask_recipients(dict(body)) != body for body in bodies)


def fired_line(count: int) -> str:
    noun = "schedule" if count == 1 else "schedules"
    return (
        f"{count} {noun} fired since the last apply: the ledger forgets "
        f"{'it' if count == 1 else 'them'} (no call to Braze)."
    )


TEXT_SHOWN = 400
"""Characters of a rendered message text a plan shows; the JSON form keeps it whole."""

READ_HEADING = "What recipients will read (user attributes as {placeholders}):"


def shown_text(text: str | None) -> str | None:
    """A rendered text as a plan shows it: at most ``TEXT_SHOWN`` characters, then how many more."""
    if text is None or len(text) <= TEXT_SHOWN:
        return text
    return f"{text[:TEXT_SHOWN]}… ({len(text) - TEXT_SHOWN:,} more characters)"


def differing_words(text: MessageText) -> str | None:
    """``2 recipients read another text (their own properties)``, or None; said of the first
    recipient's text when that is the one shown."""
    count = text.differing_recipients
    first = "as the first recipient reads it" if text.first_recipient else None
    if not count:
        return first
    other = " other" if text.first_recipient else ""
    if count == 1:
        said = f"1{other} recipient reads another text (its own properties)"
    else:
        said = f"{count}{other} recipients read another text (their own properties)"
    return f"{first}; {said}" if first else said
