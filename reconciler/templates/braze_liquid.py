"""python-liquid set up as Braze's Liquid: Braze's tags and filters, safe to render offline.

Braze's own tags (braze-inc/braze-docs, ``_docs/_user_guide/personalization_and_dynamic_content/``):

- ``{% connected_content URL [:save name] [:headers {...}] ... %}`` calls a URL while the
  message renders (``connected_content/``); here it never does: it renders ``{connected_content}``
  and ``:save`` binds a placeholder.
- ``{% abort_message %}``, ``{% abort_message() %}``, ``{% abort_message('reason') %}`` stop the
  send to that user (``liquid/aborting_messages.md``).
- ``{% promotion('name') %}`` prints a code from a promotion code list (``promotion_codes.md``).
- ``{% catalog_items catalog id ... %}`` and ``{% catalog_selection_items catalog selection %}``
  bind ``items`` (``data/activation/catalogs/``).
- ``{% message_extras :key k :value v %}`` adds key-values to send events; prints nothing
  (``liquid/advanced_filters/message_extras.md``).
- ``{% translation id %}...{% endtranslation %}``: localized text (multi-language support).
- Content Blocks are output markup, ``{{content_blocks.${name}}}``: a placeholder here.

Braze's filters beyond Shopify's (``liquid/advanced_filters.md``): ``md5``, ``sha1``, ``sha2``,
``hmac_sha1``, ``hmac_sha256``, ``base64_encode``, ``url_param_escape``, ``json_escape``,
``number_with_delimiter``, ``property_accessor``, ``time_zone``, ``json_parse``: each is
accepted; a filter this module does not implement passes its input through.

Nothing here touches the network or the file system: ``render`` and ``include`` have no
loader, so they render an error marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, TextIO

from liquid import Environment, RenderContext, Undefined
from liquid.ast import BlockNode, Node
from liquid.builtin.filters.misc import default
from liquid.exceptions import LiquidError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, Token

from reconciler.templates.syntax import OPEN, Encoded

LIMIT_OUTPUT = 20_000
"""Characters a render may write; past that it stops with a marker."""
LIMIT_LOOPS = 2_000
"""Loop iterations a render may run."""

ROOT_PROPERTIES = ("api_trigger_properties", "canvas_entry_properties", "context")
"""The Liquid roots that read what a schedule supplies (trigger, entry and context properties)."""

PLACEHOLDER_ROOTS = frozenset(
    {
        "custom_attribute",
        "most_recently_used_device",
        "targeted_device",
        "subscribed_state",
        "campaign",
        "canvas",
        "card",
        "sms",
        "event_properties",
        "content_blocks",
        "user",
    }
)
"""Roots of user and message data Braze fills in at send time: placeholders offline
(supported_personalization_tags.md)."""


class Aborted(Exception):
    """``abort_message`` ran: Braze sends this user nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Placeholder:
    """A value only Braze knows at send time, shown as ``{name}``; its keys are placeholders too.

    Printed, it is ``{name}`` (the ``default`` filter keeps it); in a condition or a loop it
    is nil, so the render follows the branch of a user without the value.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return "{" + self.text + "}"

    def __liquid__(self) -> None:
        """In a condition, a placeholder is nil: the branch of a user without the value."""

    def __getitem__(self, key: object) -> Placeholder:
        if isinstance(key, int):
            return Placeholder(f"{self.text}[{key}]")
        return Placeholder(f"{self.text}.{key}")

    def __iter__(self) -> Iterator[Placeholder]:
        return iter([self])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Placeholder) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class Missing(Undefined):
    """A property the schedule does not supply: blank at Braze, a visible marker here."""

    def __str__(self) -> str:
        return "{" + self.name + ": missing}"


class Unknown(Undefined):
    """Any other undefined name: blank at Braze, a visible marker here."""

    def __str__(self) -> str:
        hint = self.hint or ""
        path = hint.removesuffix(" is undefined").strip("'") if "undefined" in hint else self.name
        return "{" + path + ": undefined}" if path else ""


class _Properties(Mapping[str, Any]):
    """One property root (``api_trigger_properties``) over the schedule's properties."""

    def __init__(self, root: str, values: Mapping[str, Any], encoded: Encoded) -> None:
        self.root = root
        self.given = values
        self.encoded = encoded

    def __getitem__(self, key: str) -> Any:
        name = self.encoded.name(key) if isinstance(key, str) else key
        if isinstance(name, str) and name in self.given:
            return self.given[name]
        return Missing(f"{self.root}.{name}")

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.given)

    def __len__(self) -> int:
        return len(self.given)


class _Attributes(Mapping[str, Any]):
    """A root of user data: a sample value where given, else a placeholder."""

    def __init__(self, root: str, attributes: Mapping[str, Any], encoded: Encoded) -> None:
        self.root = root
        self.attributes = attributes
        self.encoded = encoded

    def __getitem__(self, key: str) -> Any:
        name = self.encoded.name(key) if isinstance(key, str) else str(key)
        for candidate in (f"{self.root}.{name}", name):
            if candidate in self.attributes:
                return self.attributes[candidate]
        return Placeholder(f"{self.root}.{name}")

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 1


class Globals(Mapping[str, Any]):
    """What a Braze message can read, for one render: properties, attributes, placeholders."""

    def __init__(
        self, encoded: Encoded, properties: Mapping[str, Any], attributes: Mapping[str, Any]
    ) -> None:
        self.encoded = encoded
        self.properties = properties
        self.attributes = attributes

    def __getitem__(self, key: str) -> Any:
        if key in ROOT_PROPERTIES:
            return _Properties(key, self.properties, self.encoded)
        if key in PLACEHOLDER_ROOTS:
            return _Attributes(key, self.attributes, self.encoded)
        if key.startswith(OPEN * 2):  # ${first_name}: a standard attribute
            name = self.encoded.name(key)
            if name in self.attributes:
                return self.attributes[name]
            return Placeholder(name)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter((*ROOT_PROPERTIES, *sorted(PLACEHOLDER_ROOTS)))

    def __len__(self) -> int:
        return len(ROOT_PROPERTIES) + len(PLACEHOLDER_ROOTS)


class OpaqueNode(Node):
    """A Braze tag whose arguments are Braze's business: kept as written."""

    __slots__ = ("arguments", "tag")

    def __init__(self, token: Token, tag: str, arguments: str) -> None:
        super().__init__(token)
        self.tag = tag
        self.arguments = arguments
        self.blank = tag == "message_extras"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        arguments = self.arguments.strip()
        if self.tag == "abort_message":
            raise Aborted(_quoted(arguments))
        if self.tag == "message_extras":
            return 0
        if self.tag == "connected_content":
            saved = re.search(r":save\s+([\w-]+)", arguments)
            if saved:
                context.assign(saved.group(1), Placeholder(f"connected_content {saved.group(1)}"))
                return 0
            return buffer.write("{connected_content}")
        if self.tag in ("catalog_items", "catalog_selection_items"):
            catalog = arguments.split()[0] if arguments else ""
            context.assign("items", Placeholder(f"catalog {catalog}"))
            return 0
        if self.tag == "promotion":
            return buffer.write("{promotion code " + _quoted(arguments) + "}")
        return buffer.write("{" + self.tag + "}")  # pragma: no cover - every tag is above


def _quoted(arguments: str) -> str:
    """The text of ``('name')`` or ``'name'`` or ``name``."""
    return arguments.strip().strip("()").strip().strip("'\"")


class OpaqueTag(Tag):
    """Parses a Braze tag of :data:`OPAQUE_TAGS`: no expression grammar, nothing to end."""

    block = False
    tag_name: ClassVar[str] = ""

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current  # the parser steps past the tag's last token itself
        arguments = ""
        if stream.peek.kind == TOKEN_EXPRESSION:
            arguments = next(stream) and stream.current.value
        return OpaqueNode(token, self.tag_name, arguments)


OPAQUE_TAGS = (
    "connected_content",
    "abort_message",
    "promotion",
    "catalog_items",
    "catalog_selection_items",
    "message_extras",
)


def _opaque(tag: str) -> type[OpaqueTag]:
    return type(f"{tag.title()}Tag", (OpaqueTag,), {"name": tag, "tag_name": tag})


class TranslationNode(Node):
    """``{% translation id %}text{% endtranslation %}``: renders the default text."""

    __slots__ = ("body",)

    def __init__(self, token: Token, body: BlockNode) -> None:
        super().__init__(token)
        self.body = body
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return self.body.render(context, buffer)

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        del static_context, include_partials
        yield self.body


class TranslationTag(Tag):
    """Braze's multi-language block tag."""

    name = "translation"
    end = "endtranslation"

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        if stream.current.kind == TOKEN_EXPRESSION:
            next(stream)
        body = get_parser(self.env).parse_block(stream, frozenset((self.end, TOKEN_EOF)))
        stream.expect(TOKEN_TAG, value=self.end)
        return TranslationNode(token, body)


def _passthrough(value: object, *args: object, **kwargs: object) -> object:
    del args, kwargs
    return value


def _default(value: object, *args: object, **kwargs: Any) -> object:
    if isinstance(value, Placeholder):
        return value
    return default(value, *args, **kwargs)


def _number_with_delimiter(value: object, *args: object) -> object:
    del args
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return value


def _property_accessor(value: object, key: object = None, *args: object) -> object:
    del args
    if isinstance(value, Mapping):
        return value.get(key)
    return value


BRAZE_FILTERS: dict[str, Callable[..., object]] = {
    "default": _default,
    "md5": _passthrough,
    "sha1": _passthrough,
    "sha2": _passthrough,
    "hmac_sha1": _passthrough,
    "hmac_sha256": _passthrough,
    "base64_encode": _passthrough,
    "url_param_escape": _passthrough,
    "json_escape": _passthrough,
    "json_parse": _passthrough,
    "time_zone": _passthrough,
    "number_with_delimiter": _number_with_delimiter,
    "property_accessor": _property_accessor,
}


class BrazeEnvironment(Environment):
    """Strict parsing (a syntax error raises), bounded rendering."""

    output_stream_limit: ClassVar[int | None] = LIMIT_OUTPUT
    loop_iteration_limit: ClassVar[int | None] = LIMIT_LOOPS
    local_namespace_limit: ClassVar[int | None] = 200_000

    def __init__(self) -> None:
        super().__init__(undefined=Unknown, strict_filters=False)
        for tag in OPAQUE_TAGS:
            self.add_tag(_opaque(tag))
        self.add_tag(TranslationTag)
        for name, function in BRAZE_FILTERS.items():
            self.add_filter(name, function)

    def error(
        self,
        exc: type[LiquidError] | LiquidError,
        msg: str | None = None,
        token: Token | None = None,
    ) -> None:
        """Raise, as strict mode does; an error found at the end of a tag's expression (a
        token with no position) is placed at the tag instead."""
        located = isinstance(exc, LiquidError) and exc.token and exc.token.start_index >= 0
        if isinstance(exc, LiquidError) and token is not None and not located:
            exc.token = token
        super().error(exc, msg, token)


ENVIRONMENT = BrazeEnvironment()
"""The one environment: it holds no state between renders."""

__all__ = ["ENVIRONMENT", "Aborted", "Globals", "LiquidError", "OpaqueNode", "Placeholder"]
