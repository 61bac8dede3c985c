"""Braze message templates: Liquid with Braze's syntax, checked, analysed and rendered offline.

A ground-floor package (it imports nothing of the project's): the manifest checks, the planner
and the reference checks all read message text through it.

- :func:`main_texts` picks what a recipient reads first from a Braze ``messages`` object (push
  title and alert, email subject and preheader, SMS body, Content Card title and description);
  :func:`liquid_texts` gives every text field, for checks that must see all the Liquid.
- :func:`template_errors` parses one text as Braze's Liquid (python-liquid, with Braze's
  ``${attribute}`` syntax and tags: :mod:`reconciler.templates.syntax`,
  :mod:`reconciler.templates.braze_liquid`).
- :func:`referenced_properties` lists the trigger, entry and context properties a text reads.
- :func:`render` shows what a recipient will read, given the schedule's properties.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from liquid import BoundTemplate, RenderContext
from liquid.exceptions import LiquidError, OutputStreamLimitError, ResourceLimitError

from reconciler.templates.braze_liquid import (
    ENVIRONMENT,
    LIMIT_OUTPUT,
    ROOT_PROPERTIES,
    Aborted,
    Globals,
    OpaqueNode,
)
from reconciler.templates.syntax import OPEN, Encoded, encode

PropertyRoot = Literal["api_trigger_properties", "canvas_entry_properties", "context"]
"""Where a Braze message reads what the schedule supplies: ``api_trigger_properties`` (an
API-triggered campaign), ``canvas_entry_properties`` and ``context`` (a Canvas)."""

LIMIT_SOURCE = 100_000
"""Characters of one text that are parsed; a longer text is one error (Braze's own limits on a
message are far lower)."""


@dataclass(frozen=True)
class MessageTemplate:
    """One message's main-text fields, as Liquid source.

    ``label`` is for people (``variation "Push A" (apple_push)``); ``channel`` is a key of Braze's
    ``messages`` object (``apple_push``, ``android_push``, ``email``, ``sms``,
    ``content_card``, ``webhook``, ...); ``fields`` maps a field (``title``, ``alert``,
    ``subject``, ``preheader``, ``body``, ``description``, ...) to its text, in reading order.
    """

    label: str
    channel: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class TemplateError:
    """A Liquid syntax error: 1-based line and column within the text, and what is wrong."""

    line: int
    column: int
    message: str


@dataclass(frozen=True, order=True)
class PropertyRef:
    """A property a template reads: ``api_trigger_properties.${discount_code}`` is
    ``PropertyRef("api_trigger_properties", "discount_code")``."""

    root: PropertyRoot
    name: str

    def __str__(self) -> str:
        return f"{self.root}.{self.name}"


MAIN_FIELDS: dict[str, tuple[str, ...]] = {
    "apple_push": ("title", "alert"),
    "android_push": ("title", "alert"),
    "kindle_push": ("title", "alert"),
    "web_push": ("title", "alert"),
    "email": ("subject", "preheader"),
    "sms": ("body",),
    "content_card": ("title", "description"),
    "whats_app": ("body",),
    "in_app_message": ("header", "message"),
}
"""What a recipient reads first, per channel (Braze's messaging objects: apple_push_object,
android_objects, email_object, sms_object, content_cards_object, whats_app_object). A webhook
has no reader: none of its fields is a main text."""


def _field(channel: str, body: Mapping[str, Any], field: str) -> Any:
    if channel == "apple_push":
        alert = body.get("alert")
        if isinstance(alert, Mapping):  # the Apple alert object: {title, body, ...}
            return alert.get("body" if field == "alert" else field)
    if channel == "whats_app" and field == "body":
        message = body.get("message")
        return message.get("body") if isinstance(message, Mapping) else None
    return body.get(field)


def _label(label_prefix: str, channel: str) -> str:
    prefix = label_prefix.strip()
    return f"{prefix} ({channel})" if prefix else channel


def main_texts(messages: Mapping[str, Any], label_prefix: str = "") -> tuple[MessageTemplate, ...]:
    """The main text of each message of a Braze ``messages`` object, in the object's order.

    ``messages`` is shaped as in ``/messages/schedule/create`` (``{"apple_push": {"alert": ...,
    "title": ...}, "email": {"subject": ..., "preheader": ...}, "sms": {"body": ...}}``); the
    Apple alert may be a string or an object with ``title`` and ``body``. A channel without a
    main text (a webhook) or whose main fields are all absent is left out. ``label_prefix``
    names the message for people (``variation "Push A"``) and precedes the channel in ``label``.
    """
    found = []
    for channel, body in messages.items():
        if not isinstance(body, Mapping) or channel not in MAIN_FIELDS:
            continue
        fields = {}
        for field in MAIN_FIELDS[channel]:
            value = _field(channel, body, field)
            if isinstance(value, str):
                fields[field] = value
        if fields:
            found.append(MessageTemplate(_label(label_prefix, channel), channel, fields))
    return tuple(found)


def _strings(value: Any, path: str, into: dict[str, str]) -> None:
    if isinstance(value, str):
        into[path] = value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _strings(item, f"{path}.{key}" if path else str(key), into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _strings(item, f"{path}[{index}]", into)


def liquid_texts(
    messages: Mapping[str, Any], label_prefix: str = ""
) -> tuple[MessageTemplate, ...]:
    """Every text field of each message (dotted paths: ``alert.title``, ``extra.deep_link``,
    the email ``body``, a webhook's ``url`` and ``body``): what Braze renders as Liquid. A
    reference check reads these, so that a property used only in an email's body counts."""
    found = []
    for channel, body in messages.items():
        if not isinstance(body, Mapping):
            continue
        fields: dict[str, str] = {}
        _strings(body, "", fields)
        fields.pop("message_variation_id", None)
        if fields:
            found.append(MessageTemplate(_label(label_prefix, channel), channel, fields))
    return tuple(found)


def _position(source: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``index`` in ``source``."""
    index = max(0, min(index, len(source)))
    line = source.count("\n", 0, index) + 1
    return line, index - (source.rfind("\n", 0, index) + 1) + 1


def _parse(source: str) -> tuple[Encoded, BoundTemplate]:
    """Parse ``source``; raises :class:`LiquidError` (its token indexes ``source`` too)."""
    encoded = encode(source)
    return encoded, ENVIRONMENT.from_string(encoded.text)


def _message(encoded: Encoded, error: LiquidError) -> str:
    text = str(error.message) if error.message is not None else type(error).__name__
    return encoded.decode(text).replace(OPEN, "")


def template_errors(source: str) -> list[TemplateError]:
    """The Liquid syntax errors of ``source`` as Braze's Liquid: empty when it parses.

    Line and column are 1-based within ``source``. python-liquid stops at the first error, so
    there is at most one.
    """
    if len(source) > LIMIT_SOURCE:
        return [TemplateError(1, 1, f"the text is over {LIMIT_SOURCE:,} characters")]
    try:
        _parse(source)
    except LiquidError as error:
        line, column = _position(source, _index(source, error))
        return [TemplateError(line, column, _message(encode(source), error))]
    return []


def _index(source: str, error: LiquidError) -> int:
    """Where ``error`` is in ``source``: its token, or for a block never closed (found at the end
    of the text, where no token is), the last tag that opens such a block."""
    if error.token is not None and error.token.start_index >= 0:
        return error.token.start_index
    unclosed = re.match(r"expected tag end(\w+)", str(error.message))
    if unclosed:
        openings = list(re.finditer(r"\{%-?\s*(" + unclosed.group(1) + r")\b", source))
        if openings:
            return openings[-1].start(1)
    return len(source)


_ROOTS: tuple[PropertyRoot, ...] = get_args(PropertyRoot)
_NAME = rf"(?:{OPEN}{OPEN}[^{OPEN}]*{OPEN}|[\w-]+)"
_REFERENCE = re.compile(
    rf"\b({'|'.join(_ROOTS)})\s*(?:\.\s*({_NAME})|\[\s*(?:'([^']*)'|\"([^\"]*)\")\s*\])"
)


def _scanned(encoded: Encoded, text: str) -> set[PropertyRef]:
    """References written in ``text`` (a Braze tag's arguments, or an unparsable template)."""
    found = set()
    for match in _REFERENCE.finditer(text):
        root = cast(PropertyRoot, match.group(1))
        name = match.group(2) or match.group(3) or match.group(4) or ""
        found.add(PropertyRef(root, encoded.name(name)))
    return found


def referenced_properties(source: str) -> frozenset[PropertyRef]:
    """The trigger, entry and context properties ``source`` reads.

    ``{{api_trigger_properties.${code}}}``, ``{{api_trigger_properties.code}}`` and
    ``{{api_trigger_properties['code']}}`` all read ``code``; so do references inside Braze's
    tags (a ``connected_content`` URL). Only the first segment after the root counts
    (``api_trigger_properties.${product}.name`` reads ``product``). A variable the template
    assigns itself (``{% assign context = ... %}``) is not a property. A template that does not
    parse is scanned as text instead, so its references are still found.
    """
    if len(source) > LIMIT_SOURCE:
        return frozenset()
    try:
        encoded, template = _parse(source)
    except LiquidError:
        encoded = encode(source)
        return frozenset(_scanned(encoded, encoded.text))
    found: set[PropertyRef] = set()
    analysis = template.analyze(include_partials=False)
    for root, variables in analysis.globals.items():
        if root not in _ROOTS:
            continue
        for variable in variables:
            if len(variable.segments) > 1 and isinstance(variable.segments[1], str):
                found.add(PropertyRef(root, encoded.name(variable.segments[1])))
    for node in _nodes(template):
        if isinstance(node, OpaqueNode):
            found |= _scanned(encoded, node.arguments)
    return frozenset(found)


def _nodes(template: BoundTemplate) -> list[Any]:
    context = RenderContext(template)
    found: list[Any] = []
    pending = list(template.nodes)
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(node.children(context, include_partials=False))
    return found


MARK_ABORTED = "{message aborted"
"""How an aborted render begins: Braze sends that user nothing."""


def render(
    source: str, properties: Mapping[str, Any], attributes: Mapping[str, Any] | None = None
) -> str:
    """What a recipient reads: ``source`` rendered as Braze would, offline.

    ``properties`` fill ``api_trigger_properties``, ``canvas_entry_properties`` and ``context``;
    one they lack shows as ``{api_trigger_properties.code: missing}`` (Braze would print
    nothing), unless a ``default`` filter supplies a value. User attributes show as
    placeholders, ``{first_name}``, ``{custom_attribute.tier}``, unless ``attributes`` gives them
    (``first_name``, or ``custom_attribute.tier`` or just ``tier``). ``connected_content``
    renders ``{connected_content}`` and never calls anything; ``abort_message`` renders
    ``{message aborted: reason}``; a syntax error or a runtime error shows as a marker in
    braces; the output is at most about 20,000 characters. Never raises for the template's
    sake.
    """
    if len(source) > LIMIT_SOURCE:
        return f"{{not rendered: the text is over {LIMIT_SOURCE:,} characters}}"
    try:
        encoded, template = _parse(source)
    except LiquidError as error:
        line, column = _position(source, _index(source, error))
        return f"{{not rendered: {_message(encode(source), error)} at {line}:{column}}}"
    context = RenderContext(template, globals=Globals(encoded, properties, attributes or {}))
    buffer = context.get_buffer()
    try:
        template.render_with_context(context, buffer)
    except Aborted as aborted:
        reason = f": {aborted.reason}" if aborted.reason else ""
        return MARK_ABORTED + reason + "}"
    except OutputStreamLimitError:
        return buffer.getvalue()[:LIMIT_OUTPUT] + "{… output too long}"
    except ResourceLimitError as error:
        return buffer.getvalue()[:LIMIT_OUTPUT] + f"{{stopped: {_message(encoded, error)}}}"
    except LiquidError as error:
        return buffer.getvalue()[:LIMIT_OUTPUT] + f"{{cannot render: {_message(encoded, error)}}}"
    except Exception as error:  # a filter's Python error: the template's fault, not ours
        return buffer.getvalue()[:LIMIT_OUTPUT] + f"{{cannot render: {type(error).__name__}}}"
    return encoded.decode(buffer.getvalue())[: LIMIT_OUTPUT + 100]


__all__ = [
    "MAIN_FIELDS",
    "ROOT_PROPERTIES",
    "MessageTemplate",
    "PropertyRef",
    "PropertyRoot",
    "TemplateError",
    "liquid_texts",
    "main_texts",
    "referenced_properties",
    "render",
    "template_errors",
]
