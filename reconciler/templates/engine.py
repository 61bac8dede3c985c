"""Braze's Liquid parsed, analysed and rendered (python-liquid: imported only when a text has
Liquid to read, since importing it costs a fifth of a second)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, cast, get_args

from liquid import BoundTemplate, RenderContext
from liquid.ast import ConditionalBlockNode, Node
from liquid.builtin.expressions import FilteredExpression, Path
from liquid.builtin.expressions.logical import BooleanExpression
from liquid.builtin.expressions.primitive import FalseLiteral, Nil, TrueLiteral
from liquid.builtin.output import OutputNode
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.cycle_tag import CycleNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.unless_tag import UnlessNode
from liquid.exceptions import LiquidError, OutputStreamLimitError, ResourceLimitError
from liquid.expression import Expression
from liquid.output import LimitedStringIO

from reconciler.templates.braze_liquid import (
    ENVIRONMENT,
    LIMIT_OUTPUT,
    Aborted,
    Globals,
    OpaqueNode,
)
from reconciler.templates.messages import (
    LIMIT_SOURCE,
    PropertyRef,
    PropertyRoot,
    PropertyUse,
    TemplateError,
)
from reconciler.templates.syntax import OPEN, Encoded, encode


def _position(source: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``index`` in ``source``."""
    index = max(0, min(index, len(source)))
    line = source.count("\n", 0, index) + 1
    return line, index - (source.rfind("\n", 0, index) + 1) + 1


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> tuple[Encoded, BoundTemplate]:
    """Parse ``source``; raises :class:`LiquidError` (its token indexes ``source`` too)."""
    encoded = encode(source)
    return encoded, ENVIRONMENT.from_string(encoded.text)


_PLAINER = (
    (
        re.compile(r"expected tag end(\w+), found end of (?:expression|file)"),
        r"{% \1 %} is never closed by {% end\1 %}",
    ),
    (re.compile(r"expected '}}', found end of file"), "{{ is never closed by }}"),
    (re.compile(r"unexpected tag 'raw'"), "{% raw %} is never closed by {% endraw %}"),
    (re.compile(r"found end of expression"), "found nothing more"),
)


def _message(encoded: Encoded, error: LiquidError) -> str:
    """python-liquid's message, with Braze's names as written and its jargon made plainer."""
    text = str(error.message) if error.message is not None else type(error).__name__
    for pattern, plainer in _PLAINER:
        text = pattern.sub(plainer, text)
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
_NAME = rf"(?:{OPEN}{OPEN}[^{OPEN}]*{OPEN}|\$\{{[^{{}}]*\}}|[\w-]+)"
_REFERENCE = re.compile(
    rf"\b({'|'.join(_ROOTS)})\s*(?:\.\s*({_NAME})|\[\s*(?:'([^']*)'|\"([^\"]*)\")\s*\])"
)


def _scanned(encoded: Encoded, text: str) -> set[PropertyRef]:
    """References written in ``text`` (a Braze tag's arguments, or an unparsable template)."""
    found = set()
    for match in _REFERENCE.finditer(text):
        root = cast(PropertyRoot, match.group(1))
        name = match.group(2) or match.group(3) or match.group(4) or ""
        if name.startswith("${"):  # in a text that does not parse, ${name} is not encoded
            name = name[2:-1]
        found.add(PropertyRef(root, encoded.name(name)))
    return found


@functools.lru_cache(maxsize=4096)
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


@functools.lru_cache(maxsize=4096)
def property_uses(source: str) -> dict[PropertyRef, PropertyUse]:
    """How ``source`` uses each property of :func:`referenced_properties`: printed bare (a blank
    at Braze when it is not given), or only printed with a ``default``, read by a condition, an
    assignment or a loop, or used where nothing renders (``{% if false %}``). A print guarded by
    ``{% if property %}`` is not bare. A template that does not parse prints each one bare."""
    refs = referenced_properties(source)
    try:
        encoded, template = _parse(source)
    except LiquidError:
        return {ref: PropertyUse(printed_bare=True) for ref in refs}
    uses = _Uses(encoded)
    context = RenderContext(template)
    for node in template.nodes:
        uses.walk(node, context, reached=True, guarded=frozenset())
    found = {}
    for ref in refs:
        seen = ref in uses.seen
        found[ref] = PropertyUse(
            printed_bare=ref in uses.bare or not seen,
            defaults=tuple(dict.fromkeys(uses.defaults.get(ref, []))),
            in_logic=ref in uses.logic,
            unreached=seen and ref not in uses.reached,
        )
    return found


def _constant(expression: Expression) -> bool | None:
    """The value of a condition that is a literal (``false``, ``nil``, ``true``), else None."""
    inner = expression.expression if isinstance(expression, BooleanExpression) else expression
    if isinstance(inner, FalseLiteral | Nil):
        return False
    if isinstance(inner, TrueLiteral):
        return True
    return None


def _paths(expression: Expression) -> list[Path]:
    found = []
    pending = [expression]
    while pending:
        item = pending.pop()
        if isinstance(item, Path):
            found.append(item)
        pending.extend(item.children())
    return found


class _Uses:
    """One walk over a template's nodes, in reading order."""

    def __init__(self, encoded: Encoded) -> None:
        self.encoded = encoded
        self.bare: set[PropertyRef] = set()
        self.defaults: dict[PropertyRef, list[str]] = {}
        self.logic: set[PropertyRef] = set()
        self.seen: set[PropertyRef] = set()
        self.reached: set[PropertyRef] = set()
        self.aliases: dict[str, set[PropertyRef]] = {}
        """A variable assigned a property without a default: printing it prints the property."""

    def refs(self, path: Path) -> set[PropertyRef]:
        segments = path.path
        head = segments[0] if segments else None
        if not isinstance(head, str):
            return set()
        if head in _ROOTS and len(segments) > 1 and isinstance(segments[1], str):
            return {PropertyRef(head, self.encoded.name(segments[1]))}
        return set(self.aliases.get(head, ()))

    def note(self, refs: set[PropertyRef], kind: str, reached: bool, default: str = "") -> None:
        self.seen |= refs
        if not reached:
            return
        self.reached |= refs
        if kind == "bare":
            self.bare |= refs
        elif kind == "default":
            for ref in refs:
                self.defaults.setdefault(ref, []).append(default)
        else:
            self.logic |= refs

    def expression(self, expression: Expression, kind: str, reached: bool) -> None:
        for path in _paths(expression):
            self.note(self.refs(path), kind, reached)

    def printed(
        self, expression: Expression, reached: bool, guarded: frozenset[PropertyRef]
    ) -> None:
        if isinstance(expression, FilteredExpression) and isinstance(expression.left, Path):
            refs = self.refs(expression.left)
            defaults = [f for f in expression.filters or [] if f.name == "default"]
            if defaults:
                text = ", ".join(str(a.value) for a in defaults[0].args) or "''"
                self.note(refs, "default", reached, text)
            else:
                self.note(refs - guarded, "bare", reached)
                self.note(refs & guarded, "logic", reached)
            for filter_ in expression.filters or []:
                for argument in filter_.children():
                    self.expression(argument, "bare", reached)
            return
        self.expression(expression, "bare", reached)

    def walk(
        self, node: Node, context: RenderContext, reached: bool, guarded: frozenset[PropertyRef]
    ) -> None:
        if isinstance(node, OutputNode):
            self.printed(node.expression, reached, guarded)
            return
        if isinstance(node, OpaqueNode):
            self.note(_scanned(self.encoded, node.arguments), "bare", reached)
            return
        if isinstance(node, CycleNode):
            for expression in node.expressions():
                self.expression(expression, "bare", reached)
            return
        if isinstance(node, AssignNode):
            self.expression(node.expression, "logic", reached)
            name = str(node.name)
            expression = node.expression
            if (
                isinstance(expression, FilteredExpression)
                and isinstance(expression.left, Path)
                and not any(f.name == "default" for f in expression.filters or [])
            ):
                self.aliases[name] = self.refs(expression.left)
            else:
                self.aliases.pop(name, None)
            return
        if isinstance(node, IfNode | UnlessNode):
            self.expression(node.condition, "logic", reached)
            value = _constant(node.condition)
            if isinstance(node, UnlessNode) and value is not None:
                value = not value
            inner = guarded
            condition = node.condition
            if (
                isinstance(node, IfNode)
                and isinstance(condition, BooleanExpression)
                and isinstance(condition.expression, Path)
            ):
                inner = guarded | self.refs(condition.expression)
            self.walk(node.consequence, context, reached and value is not False, inner)
            for alternative in node.alternatives:
                self.walk(alternative, context, reached and value is not True, guarded)
            if node.default:
                self.walk(node.default, context, reached and value is not True, guarded)
            return
        if isinstance(node, ConditionalBlockNode):
            self.expression(node.expression, "logic", reached)
            inner = guarded
            if isinstance(node.expression, BooleanExpression) and isinstance(
                node.expression.expression, Path
            ):
                inner = guarded | self.refs(node.expression.expression)
            self.walk(node.block, context, reached, inner)
            return
        for expression in node.expressions():
            self.expression(expression, "logic", reached)
        for child in node.children(context, include_partials=False):
            self.walk(child, context, reached, guarded)


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
    # newline="": python-liquid's own buffer reads a "\r" back as "\n"; a text is shown as written
    buffer = LimitedStringIO(limit=LIMIT_OUTPUT, newline="")
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
