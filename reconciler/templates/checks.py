"""The property check of issue 13 §2: what a campaign's or Canvas's messages read, against what a
schedule supplies.

Pure and offline: the messages come from the online lookups (``MessageTemplate`` s, ideally from
:func:`reconciler.templates.liquid_texts`, so that every field counts), the properties from the
schedule's body. A referenced property is supplied when the top level has it, or when there
are recipients and every one of them has it. A property supplied (at the top level or by a
recipient) that no message reads is unused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.templates import MessageTemplate, PropertyRef, PropertyRoot, referenced_properties

CAMPAIGN_ROOTS: tuple[PropertyRoot, ...] = ("api_trigger_properties",)
"""What a campaign's messages read of a schedule's ``trigger_properties``."""
CANVAS_ROOTS: tuple[PropertyRoot, ...] = ("canvas_entry_properties", "context")
"""What a Canvas's messages read of a schedule's ``context`` (``canvas_entry_properties``)."""


@dataclass(frozen=True)
class MissingProperty:
    """A property a message reads that the schedule does not supply to everyone."""

    message: str
    """The message's label (``variation "Push A" (apple_push)``)."""
    field: str
    property: PropertyRef
    recipients_without: int
    """How many recipients lack it (when the top level lacks it too); 0 without recipients."""


@dataclass(frozen=True)
class PropertyFindings:
    missing: tuple[MissingProperty, ...]
    unused: tuple[str, ...]
    """Names supplied that no message reads, sorted."""


def property_findings(
    templates: Iterable[MessageTemplate],
    roots: Sequence[PropertyRoot],
    top: Mapping[str, Any] | None,
    recipients: Sequence[Mapping[str, Any] | None] = (),
) -> PropertyFindings:
    """Missing and unused properties of one schedule. ``top`` is its ``trigger_properties`` (or
    ``context``); ``recipients`` each recipient's own, None for one that has none."""
    top = top or {}
    missing: list[MissingProperty] = []
    read: set[str] = set()
    seen: set[tuple[str, str, PropertyRef]] = set()
    for template in templates:
        for field, source in template.fields.items():
            for ref in sorted(referenced_properties(source)):
                if ref.root not in roots:
                    continue
                read.add(ref.name)
                if ref.name in top:
                    continue
                without = sum(1 for own in recipients if not own or ref.name not in own)
                if recipients and not without:
                    continue
                key = (template.label, field, ref)
                if key not in seen:
                    seen.add(key)
                    missing.append(MissingProperty(template.label, field, ref, without))
    supplied = set(top)
    for own in recipients:
        supplied.update(own or {})
    return PropertyFindings(tuple(missing), tuple(sorted(supplied - read)))
