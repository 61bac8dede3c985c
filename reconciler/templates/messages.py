"""What a template check reads: the texts of a Braze ``messages`` object, and its findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

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


@dataclass(frozen=True)
class PropertyUse:
    """How a text uses one property, for what a recipient reads when it is not given.

    ``printed_bare``: printed somewhere with no ``default`` filter (directly, through a variable
    it was assigned to, or in a Braze tag's arguments, such as a ``connected_content`` URL), so
    that Braze would print a blank in its place. Otherwise what recipients read instead:
    ``defaults`` are the ``default`` filters' values printed in its place; ``in_logic`` is true
    when a condition, assignment or loop reads it (a property not given is nil there: the
    branch of a blank value, a loop that runs no times); ``unreached`` when it is used only where
    nothing renders (``{% if false %}``).
    """

    printed_bare: bool
    defaults: tuple[str, ...] = ()
    in_logic: bool = False
    unreached: bool = False

    def instead(self) -> str:
        """What recipients read in place of the property when it is not given, in words."""
        parts = []
        if self.defaults:
            values = " or ".join(self.defaults)
            parts.append(f"recipients read the default {values} in its place")
        if self.in_logic:
            parts.append(
                "a condition, assign or loop reads it as nil: recipients get the branch (or "
                "the loop of no items) of a property not given"
            )
        if self.unreached and not parts:
            parts.append("it is used only where nothing renders")
        return "; ".join(parts) or "nothing is printed in its place"


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
"""What a recipient reads first, per channel: only fields Braze documents for the channel's
object (an Apple push's title is its alert object's; a ``title`` beside the alert is no field
of Braze's apple_push_object, so it is not shown). Braze's messaging objects: apple_push_object,
android_objects, email_object, sms_object, content_cards_object, whats_app_object). A webhook
has no reader: none of its fields is a main text."""


def _field(channel: str, body: Mapping[str, Any], field: str) -> Any:
    if channel == "apple_push":
        # Braze's apple_push_object has no title: a title is the alert object's ({title, body})
        alert = body.get("alert")
        if isinstance(alert, Mapping):
            return alert.get("body" if field == "alert" else field)
        return alert if field == "alert" else None
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
