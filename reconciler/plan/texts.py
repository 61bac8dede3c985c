"""What recipients will read: each change's main texts rendered, before and after.

A pure post-step of the planner (``with_texts``). For a create, update or replace:

- a ``ScheduledMessage`` carries its messages in its body: their main texts (push title and
  alert, email subject and preheader, SMS body, Content Card title and description) are
  rendered from the body last applied and from the desired one. Braze's
  ``/messages/schedule/create`` takes no trigger properties, so none are given;
- a ``CampaignSchedule`` or ``CanvasSchedule`` names a campaign or a Canvas whose messages live
  in Braze: a ``MessageSource`` gives them (a mapping, or a callable, from the campaign or
  Canvas id to its ``MessageTemplate`` s; the online reference lookups provide one). They are
  rendered with the schedule's ``trigger_properties`` (campaign) or ``context`` /
  ``canvas_entry_properties`` (Canvas). Each recipient's own properties win over those for that
  recipient; the text shown uses the top-level ones and counts the recipients who read
  otherwise.

A no-op, a delete, a forget and a rename render nothing, and neither does a change whose
messages are unknown (no source, or the source does not know the id): ``texts`` stays None.
User attributes show as placeholders (``{first_name}``), unless sample attributes are given
(``plan --sample-attributes``); nothing is ever fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from reconciler.kinds import Kind
from reconciler.plan.model import Action, Change, MessageText
from reconciler.templates import MessageTemplate, main_texts, referenced_properties
from reconciler.templates import render as render_text

MessageSource = (
    Callable[[str], Sequence[MessageTemplate] | None] | Mapping[str, Sequence[MessageTemplate]]
)
"""The messages of a campaign id or a Canvas id; None (or absent) when unknown."""

RENDERED = frozenset({Action.CREATE, Action.UPDATE, Action.REPLACE})

_PROPERTIES: dict[Kind, tuple[str, ...]] = {
    Kind.CAMPAIGN_SCHEDULE: ("trigger_properties",),
    Kind.CANVAS_SCHEDULE: ("context", "canvas_entry_properties"),
}
"""Where a schedule's body keeps the properties its messages read, at the top level and in
each recipient (``context`` is the new name of ``canvas_entry_properties``)."""

_PARENT = {Kind.CAMPAIGN_SCHEDULE: "campaign_id", Kind.CANVAS_SCHEDULE: "canvas_id"}


def _templates(
    kind: Kind, body: Mapping[str, Any] | None, source: MessageSource | None
) -> Sequence[MessageTemplate] | None:
    if body is None:
        return None
    if kind is Kind.SCHEDULED_MESSAGE:
        messages = body.get("messages")
        return main_texts(messages) if isinstance(messages, Mapping) else None
    key = _PARENT.get(kind)
    parent = body.get(key) if key else None
    if source is None or not isinstance(parent, str):
        return None
    if isinstance(source, Mapping):
        return source.get(parent)
    return source(parent)


def _properties(kind: Kind, holder: Mapping[str, Any]) -> dict[str, Any] | None:
    for name in _PROPERTIES.get(kind, ()):
        value = holder.get(name)
        if isinstance(value, Mapping):
            return dict(value)
    return None


def _recipients(kind: Kind, body: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Each recipient's own properties, where it has some; and whether every recipient has."""
    recipients = body.get("recipients")
    listed = recipients if isinstance(recipients, list) else []
    found = []
    for recipient in listed:
        own = _properties(kind, recipient) if isinstance(recipient, Mapping) else None
        if own:
            found.append(own)
    return found, bool(listed) and len(found) == len(listed)


class _Renders:
    """Renders memoized for one plan: the same text with the same properties renders once (an
    update that moves only the send time; many schedules of one campaign)."""

    def __init__(self, attributes: Mapping[str, Any] | None = None) -> None:
        self.done: dict[tuple[str, str], str] = {}
        self.attributes = attributes
        """Sample user attributes (``plan --sample-attributes``); placeholders without."""

    def __call__(self, text: str, properties: Mapping[str, Any]) -> str:
        if "{" not in text:  # no Liquid: it reads as written
            return text
        key = (text, json.dumps(properties, sort_keys=True, default=str))
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = render_text(text, properties, self.attributes)
        return found


_Rendered = tuple[dict[tuple[str, str], str], dict[tuple[str, str], int], set[tuple[str, str]]]


def _rendered(
    kind: Kind,
    body: Mapping[str, Any] | None,
    source: MessageSource | None,
    render: Callable[[str, Mapping[str, Any]], str],
) -> _Rendered | None:
    """Each (message, field)'s text, how many recipients read another, and the fields shown as
    the first recipient reads them; None if unknown.

    The text shown is the top level's, unless every recipient gives properties the text reads:
    then no one reads the top level alone (it would show a property "missing" that everyone
    gives), and the first recipient's text is shown, the others counted against it."""
    templates = _templates(kind, body, source)
    if templates is None or body is None:
        return None
    top = _properties(kind, body) or {}
    own, everyone = _recipients(kind, body)
    texts: dict[tuple[str, str], str] = {}
    differing: dict[tuple[str, str], int] = {}
    firsts: set[tuple[str, str]] = set()
    for template in templates:
        for field, source_text in template.fields.items():
            key = (template.label, field)
            differing[key] = 0
            if not own or "{" not in source_text:
                texts[key] = render(source_text, top)
                continue
            # Only a recipient that sets a property the text reads can read another text.
            read = {ref.name for ref in referenced_properties(source_text)}
            others = own
            base = top
            if everyone and all(read.intersection(mine) for mine in own):
                base = {**top, **own[0]}
                others = own[1:]
                firsts.add(key)
            shown = texts[key] = render(source_text, base)
            differing[key] = sum(
                1
                for mine in others
                if read.intersection(mine) and render(source_text, {**top, **mine}) != shown
            )
    return texts, differing, firsts


def message_texts(
    change: Change, source: MessageSource | None = None, renders: _Renders | None = None
) -> tuple[MessageText, ...] | None:
    """``change``'s main texts rendered before and after; None when nothing is to be shown."""
    if change.action not in RENDERED:
        return None
    renders = renders or _Renders()
    after = _rendered(change.kind, change.after, source, renders)
    if change.before is None:
        before = None
    elif change.before == change.after:  # a replace of the same body, say: render it once
        before = after
    else:
        before = _rendered(change.kind, change.before, source, renders)
    if after is None and before is None:
        return None
    after_texts, differing, firsts = after if after is not None else ({}, {}, set())
    before_texts = before[0] if before is not None else {}
    keys = list(after_texts) + [key for key in before_texts if key not in after_texts]
    return tuple(
        MessageText.model_construct(
            message=message,
            field=field,
            before=before_texts.get((message, field)),
            after=after_texts.get((message, field)),
            differing_recipients=differing.get((message, field), 0),
            first_recipient=(message, field) in firsts,
        )
        for message, field in keys
    )


def with_texts(
    changes: Iterable[Change],
    source: MessageSource | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> list[Change]:
    """``changes`` with ``texts`` set on each create, update and replace that has some;
    ``attributes`` are sample user attributes (else they show as placeholders)."""
    found = []
    renders = _Renders(attributes)
    for change in changes:
        texts = message_texts(change, source, renders) if change.action in RENDERED else None
        found.append(change.evolve(texts=texts) if texts else change)
    return found
