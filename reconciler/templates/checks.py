"""The property check of issue 13 §2: what a campaign's or Canvas's messages read, against what a
schedule supplies.

Pure and offline: the messages come from the online lookups (``MessageTemplate`` s, ideally from
:func:`reconciler.templates.liquid_texts`, so that every field counts), the properties from the
schedule's body. A referenced property is supplied when the top level has it, or when there
are recipients and every one of them has it. A property supplied (at the top level or by a
recipient) that no message reads is unused. A missing property is an error only where a message
prints it bare (``MissingProperty.printed_bare``): printed with a ``default``, or read only by a
condition, an assignment or a loop, Braze prints no blank for it. A field that is not valid
Liquid is reported (``broken``); its properties are found by a scan of its text, so they count
as read. A property read through the other kind's root (``api_trigger_properties`` in a
Canvas's message, ``canvas_entry_properties`` or ``context`` in a campaign's) is ``foreign``:
no schedule can give it, so Braze prints what it prints for a missing one.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.templates import (
    MessageTemplate,
    PropertyRef,
    PropertyRoot,
    PropertyUse,
    TemplateError,
    property_uses,
    referenced_properties,
    template_errors,
)

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
    use: PropertyUse = dataclasses.field(default_factory=lambda: PropertyUse(printed_bare=True))
    """How the field uses it: only a property printed bare prints a blank when missing."""

    @builtins.property
    def printed_bare(self) -> bool:
        """Braze would print a blank in its place (an error); otherwise a warning will do."""
        return self.use.printed_bare


@dataclass(frozen=True)
class BrokenText:
    """A field of a looked-up message that is not valid Liquid: Braze would fail to render it."""

    message: str
    field: str
    error: TemplateError


@dataclass(frozen=True)
class ForeignProperty:
    """A property a message reads through a root its kind never fills: a Canvas's message
    reading ``api_trigger_properties`` (campaigns only: "Canvases use
    canvas_entry_properties", https://www.braze.com/docs/api/objects_filters/trigger_properties_object/),
    or a campaign's reading ``canvas_entry_properties`` / ``context`` (Canvas only,
    https://www.braze.com/docs/api/objects_filters/canvas_entry_properties_object/)."""

    message: str
    field: str
    property: PropertyRef


@dataclass(frozen=True)
class PropertyFindings:
    missing: tuple[MissingProperty, ...]
    unused: tuple[str, ...]
    """Names supplied that no message reads, sorted."""
    broken: tuple[BrokenText, ...] = ()
    """Fields whose Liquid does not parse (their properties are still found, by a scan)."""
    foreign: tuple[ForeignProperty, ...] = ()
    """Properties read through the other kind's root: never given by any schedule."""


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
    broken: list[BrokenText] = []
    foreign: list[ForeignProperty] = []
    for template in templates:
        for field, source in template.fields.items():
            broken += [BrokenText(template.label, field, e) for e in template_errors(source)]
            uses = property_uses(source)
            for ref in sorted(referenced_properties(source)):
                if ref.root not in roots:
                    foreign.append(ForeignProperty(template.label, field, ref))
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
                    use = uses.get(ref, PropertyUse(printed_bare=True))
                    missing.append(MissingProperty(template.label, field, ref, without, use))
    supplied = set(top)
    for own in recipients:
        supplied.update(own or {})
    return PropertyFindings(
        tuple(missing), tuple(sorted(supplied - read)), tuple(broken), tuple(foreign)
    )
