"""Reference checks: what Braze says of the campaigns, Canvases and segments a manifest names,
as data for the planner, and the problems each resource has with them.

Pure: the service (``service.references``) makes the lookups and builds ``References``; this
module only compares. Braze's facts (which fields, which ``schedule_type``) are in
``braze/models/details.py``; the words of each problem are ``render.reasons``'.

A problem is an error (the change is blocked: ``BlockCode.REFERENCE``) or a warning (the plan
shows it; nothing is blocked). Every problem names the object and the manifest's file:line:col.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any, cast

from reconciler.braze.models.details import (
    API_CAMPAIGN,
    API_TRIGGERED,
    KNOWN_SCHEDULE_TYPES,
)
from reconciler.kinds import Kind
from reconciler.manifest.resource import Resource
from reconciler.templates import MessageTemplate, PropertyRoot
from reconciler.templates.checks import property_findings


class ObjectKind(StrEnum):
    """A kind of Braze object a manifest names. The value is the word people read."""

    CAMPAIGN = "campaign"
    CANVAS = "Canvas"
    SEGMENT = "segment"


class ProblemCode(StrEnum):
    UNKNOWN = "unknown"
    """No such object in the workspace (or, for a segment, archived: not listed)."""
    ARCHIVED = "archived"
    DRAFT = "draft"
    NOT_API_TRIGGERED = "not_api_triggered"
    NOT_API_CAMPAIGN = "not_api_campaign"
    UNKNOWN_DELIVERY = "unknown_delivery"
    """A ``schedule_type`` this tool does not know (warning: it cannot tell)."""
    PAUSED = "paused"
    """A paused Canvas (warning: nothing is sent while it is)."""
    VARIATION_ELSEWHERE = "variation_elsewhere"
    """A ``message_variation_id`` that is not one of the campaign's."""
    VARIATION_CHANNEL = "variation_channel"
    """A ``message_variation_id`` of the campaign, for another channel."""
    MISSING_PROPERTY = "missing_property"
    UNUSED_PROPERTY = "unused_property"
    DEFAULTED_PROPERTY = "defaulted_property"
    """A property not given that no message prints bare (a default, a condition): warning."""
    BROKEN_TEXT = "broken_text"
    """A looked-up message's field that is not valid Liquid (warning)."""
    FOREIGN_PROPERTY = "foreign_property"
    """A message reads a property through the other kind's root (``api_trigger_properties`` in
    a Canvas): no schedule can give it (warning: only the message in Braze can change)."""


WARNINGS = frozenset(
    {
        ProblemCode.UNKNOWN_DELIVERY,
        ProblemCode.PAUSED,
        ProblemCode.UNUSED_PROPERTY,
        ProblemCode.DEFAULTED_PROPERTY,
        ProblemCode.BROKEN_TEXT,
        ProblemCode.FOREIGN_PROPERTY,
    }
)


@dataclasses.dataclass(frozen=True)
class Problem:
    code: ProblemCode
    object_kind: ObjectKind
    object_id: str
    location: str = ""
    """``file:line:col`` in the manifest."""
    name: str | None = None
    """The object's name in Braze, when known."""
    schedule_type: str | None = None
    variation_id: str | None = None
    channel: str | None = None
    """The manifest's ``messages`` key (a variation check), or the variation's channel."""
    property_name: str | None = None
    messages: tuple[str, ...] = ()
    """The messages that reference ``property`` (``email subject``, ``step Welcome: push``)."""

    @property
    def is_error(self) -> bool:
        return self.code not in WARNINGS


@dataclasses.dataclass(frozen=True)
class Found:
    """What a lookup found of one campaign or Canvas."""

    kind: ObjectKind
    id: str
    name: str | None = None
    archived: bool = False
    draft: bool = False
    schedule_type: str | None = None
    paused: bool = False
    variations: Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    """Message variation id -> the manifest's ``messages`` key of its channel (None: unknown
    channel)."""
    texts: tuple[MessageTemplate, ...] | None = None
    """Every text field of its messages (``templates.liquid_texts``), for the property check;
    None leaves that check out."""


@dataclasses.dataclass(frozen=True)
class References:
    """What the lookups found, for the planner. ``objects`` maps (kind, id) to what was found,
    or None for an id Braze does not know; a kind in ``skipped`` was not looked up (a missing
    permission), so its checks are skipped."""

    objects: Mapping[tuple[ObjectKind, str], Found | None] = dataclasses.field(default_factory=dict)
    segments: frozenset[str] | None = None
    """Every segment id listed (archived ones are not); None when not looked up."""
    skipped: Mapping[ObjectKind, str] = dataclasses.field(default_factory=dict)
    """Kinds not looked up -> the permission the key lacks."""
    lookups: int = 0

    def found(self, kind: ObjectKind, object_id: str) -> Found | bool | None:
        """What was found; None: unknown id; False: not looked up."""
        if kind in self.skipped or (kind, object_id) not in self.objects:
            return False
        return self.objects[(kind, object_id)]


@dataclasses.dataclass(frozen=True)
class Wanted:
    """The ids a set of resources names: what the service looks up."""

    campaigns: frozenset[str] = frozenset()
    canvases: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.campaigns or self.canvases or self.segments)


def wanted(resources: Iterable[Resource]) -> Wanted:
    """Every campaign, Canvas and segment these resources name (those that send messages)."""
    campaigns: set[str] = set()
    canvases: set[str] = set()
    segments: set[str] = set()
    for resource in resources:
        facts = resource.kind.facts
        body = resource.body
        if resource.kind is Kind.SEND_ID and isinstance(body.get("campaign_id"), str):
            campaigns.add(body["campaign_id"])
        if not facts.sends_messages:
            continue
        parent = body.get(facts.parent_key) if facts.parent_key else None
        if facts.triggers == ObjectKind.CAMPAIGN and isinstance(parent, str):
            campaigns.add(parent)
        elif facts.triggers == ObjectKind.CANVAS and isinstance(parent, str):
            canvases.add(parent)
        if facts.inline_messages and isinstance(body.get("campaign_id"), str):
            campaigns.add(body["campaign_id"])
        if isinstance(body.get("segment_id"), str):
            segments.add(body["segment_id"])
    return Wanted(frozenset(campaigns), frozenset(canvases), frozenset(segments))


def problems(resource: Resource, references: References) -> list[Problem]:
    """Every problem of one resource with what it references, errors and warnings."""
    facts = resource.kind.facts
    if resource.kind is Kind.SEND_ID:
        return _send_id(resource, references)
    if not facts.sends_messages:
        return []
    body = resource.body
    found: list[Problem] = []
    if facts.triggers is not None and facts.parent_key is not None:
        kind = ObjectKind(facts.triggers)
        object_id = body.get(facts.parent_key)
        where = str(resource.location_of(f"spec.{facts.parent_key}"))
        if isinstance(object_id, str):
            found += _triggered(resource, references, kind, object_id, where)
    if facts.inline_messages and isinstance(body.get("campaign_id"), str):
        found += _api_campaign(resource, references, body["campaign_id"])
    segment = body.get("segment_id")
    listed = references.segments
    if isinstance(segment, str) and listed is not None and segment not in listed:
        where = str(resource.location_of("spec.segment_id"))
        found.append(Problem(ProblemCode.UNKNOWN, ObjectKind.SEGMENT, segment, where))
    return found


def _seen(
    references: References, kind: ObjectKind, object_id: str, where: str
) -> Found | list[Problem]:
    """What was found of one object; else its problems: none when it was not looked up, an
    unknown id when Braze does not know it."""
    seen = references.found(kind, object_id)
    if seen is False:
        return []
    if seen is None:
        return [Problem(ProblemCode.UNKNOWN, kind, object_id, where)]
    assert isinstance(seen, Found)
    return seen


def _send_id(resource: Resource, references: References) -> list[Problem]:
    """A send id's campaign: it exists and is not archived. Braze's page
    (https://www.braze.com/docs/api/endpoints/messaging/send_messages/post_create_send_ids/)
    asks only for a ``campaign_id`` ("see campaign identifier"): no delivery type, so none is
    checked."""
    campaign_id = resource.body.get("campaign_id")
    if not isinstance(campaign_id, str):
        return []
    kind = ObjectKind.CAMPAIGN
    where = str(resource.location_of("spec.campaign_id"))
    seen = _seen(references, kind, campaign_id, where)
    if not isinstance(seen, Found):
        return seen
    if seen.archived:
        return [Problem(ProblemCode.ARCHIVED, kind, campaign_id, where, seen.name)]
    return []


def _state(kind: ObjectKind, object_id: str, seen: Found, where: str) -> list[Problem]:
    out: list[Problem] = []
    for flag, code in ((seen.archived, ProblemCode.ARCHIVED), (seen.draft, ProblemCode.DRAFT)):
        if flag:
            out.append(Problem(code, kind, object_id, where, seen.name))
    return out


def _delivery(
    kind: ObjectKind, object_id: str, seen: Found, where: str, wanted_type: str
) -> list[Problem]:
    schedule_type = seen.schedule_type
    if schedule_type == wanted_type:
        return []
    refused = ProblemCode.NOT_API_TRIGGERED if wanted_type == API_TRIGGERED else None
    refused = refused or ProblemCode.NOT_API_CAMPAIGN
    code = refused if schedule_type in KNOWN_SCHEDULE_TYPES else ProblemCode.UNKNOWN_DELIVERY
    return [Problem(code, kind, object_id, where, seen.name, schedule_type=schedule_type)]


def _triggered(
    resource: Resource,
    references: References,
    kind: ObjectKind,
    object_id: str,
    where: str,
) -> list[Problem]:
    seen = _seen(references, kind, object_id, where)
    if not isinstance(seen, Found):
        return seen
    out = _state(kind, object_id, seen, where)
    out += _delivery(kind, object_id, seen, where, API_TRIGGERED)
    if seen.paused and not seen.archived:
        out.append(Problem(ProblemCode.PAUSED, kind, object_id, where, seen.name))
    if seen.texts is not None:
        out += _properties(resource, kind, object_id, seen, seen.texts)
    return out


def _api_campaign(resource: Resource, references: References, campaign_id: str) -> list[Problem]:
    kind = ObjectKind.CAMPAIGN
    where = str(resource.location_of("spec.campaign_id"))
    seen = _seen(references, kind, campaign_id, where)
    if not isinstance(seen, Found):
        return seen
    out = _state(kind, campaign_id, seen, where)
    out += _delivery(kind, campaign_id, seen, where, API_CAMPAIGN)
    messages = resource.body.get("messages")
    for key, message in sorted(messages.items()) if isinstance(messages, dict) else ():
        variation = message.get("message_variation_id") if isinstance(message, dict) else None
        if not isinstance(variation, str):
            continue
        at = str(resource.location_of(f"spec.messages.{key}.message_variation_id"))
        if variation not in seen.variations:
            out.append(
                Problem(
                    ProblemCode.VARIATION_ELSEWHERE,
                    kind,
                    campaign_id,
                    at,
                    seen.name,
                    variation_id=variation,
                    channel=key,
                )
            )
        elif seen.variations[variation] not in (None, key):
            out.append(
                Problem(
                    ProblemCode.VARIATION_CHANNEL,
                    kind,
                    campaign_id,
                    at,
                    seen.name,
                    variation_id=variation,
                    channel=key,
                    property_name=seen.variations[variation],
                )
            )
    return out


def _given(holder: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any] | None:
    """The properties one holder (the body, or a recipient) gives in ``fields``."""
    given: dict[str, Any] = {}
    found = False
    for field in fields:
        value = holder.get(field)
        if isinstance(value, dict):
            given.update(value)
            found = True
    return given if found else None


def _properties(
    resource: Resource,
    kind: ObjectKind,
    object_id: str,
    seen: Found,
    texts: tuple[MessageTemplate, ...],
) -> list[Problem]:
    """Issue 13 §2 through ``templates.checks.property_findings``: a property its messages read
    that the manifest does not give (top level, or by every recipient) is an error; one given
    that no message reads, a warning."""
    facts = resource.kind.facts
    body = resource.body
    recipients = body.get("recipients")
    own = [
        _given(r, facts.property_fields) if isinstance(r, dict) else None
        for r in (recipients if isinstance(recipients, list) else [])
    ]
    roots = cast("tuple[PropertyRoot, ...]", facts.property_roots)
    found = property_findings(texts, roots, _given(body, facts.property_fields), own)
    given_at = next(
        (f"spec.{f}" for f in facts.property_fields if f"spec.{f}" in resource.locations),
        f"spec.{facts.parent_key}",
    )
    where = str(resource.location_of(given_at))
    readers: dict[str, list[str]] = {}
    softly: dict[str, list[str]] = {}  # read, but never printed bare: what recipients read
    for missing in found.missing:
        if missing.printed_bare:
            reader = f"{missing.message} {missing.field}"
            if reader not in readers.setdefault(missing.property.name, []):
                readers[missing.property.name].append(reader)
        else:
            reader = f"{missing.message} {missing.field}: {missing.use.instead()}"
            if reader not in softly.setdefault(missing.property.name, []):
                softly[missing.property.name].append(reader)
    out = [
        Problem(
            ProblemCode.MISSING_PROPERTY,
            kind,
            object_id,
            where,
            seen.name,
            property_name=name,
            messages=tuple(readers[name]),
        )
        for name in sorted(readers)
    ]
    out += [
        Problem(
            ProblemCode.DEFAULTED_PROPERTY,
            kind,
            object_id,
            where,
            seen.name,
            property_name=name,
            messages=tuple(softly[name]),
        )
        for name in sorted(softly)
        if name not in readers
    ]
    out += [
        Problem(ProblemCode.UNUSED_PROPERTY, kind, object_id, where, seen.name, property_name=name)
        for name in found.unused
    ]
    out += [
        Problem(
            ProblemCode.BROKEN_TEXT,
            kind,
            object_id,
            where,
            seen.name,
            messages=(
                f"{b.message} {b.field} ({b.error.line}:{b.error.column}: {b.error.message})",
            ),
        )
        for b in found.broken
    ]
    out += [
        Problem(
            ProblemCode.FOREIGN_PROPERTY,
            kind,
            object_id,
            where,
            seen.name,
            property_name=f"{f.property.root}.{f.property.name}",
            messages=(f"{f.message} {f.field}",),
        )
        for f in found.foreign
    ]
    return out


ProblemWords = Callable[[Problem], str]
