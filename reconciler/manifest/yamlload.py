"""YAML text to plain values, with the position of every key and value.

ruamel.yaml's parser (its C extension when installed) produces events; this module composes
them into plain dicts, lists and scalars (YAML 1.2 core schema) while recording where each
value and each mapping key starts. Composing ourselves, rather than asking ruamel for
commented maps, costs one pass and keeps every position for error messages.

It also refuses what would hurt: duplicate keys, non-scalar keys, unknown tags, recursive
aliases, and alias bombs (a document whose aliases expand past ``MAX_NODES``).

One tag of our own: ``!var NAME`` is the value of a variable of the configuration file's
selected environment (``Variables``), with its type, at the tag's position; the document
records where each variable was used (``YamlDocument.variables``).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError, YAMLError

try:  # ruamel.yaml's C parser (ruamel.yaml.clib), several times faster than the pure one
    from ruamel.yaml.clib._ruamel_yaml import CParser as _CParser
except ImportError:  # pragma: no cover
    _CParser = None

Path = tuple[str | int, ...]
Pos = tuple[int, int]
"""1-based line and column."""

MAX_NODES = 200_000
"""Nodes one document may expand to through aliases (a manifest has a few hundred)."""
MAX_DEPTH = 64
"""Nesting levels (a manifest has about eight; deep nesting would exhaust the validators)."""

_YAML = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


class YamlProblem(Exception):
    """A document that cannot be composed; ``position`` is 1-based, ``other`` a second one."""

    def __init__(
        self,
        message: str,
        position: Pos,
        *,
        path: Path = (),
        hint: str | None = None,
        other: Pos | None = None,
        code: str = "yaml_syntax",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.path = path
        self.hint = hint
        self.other = other
        self.code = code


VAR_TAG = "!var"


@dataclasses.dataclass(frozen=True)
class Variables:
    """What ``!var NAME`` may name: the selected environment's variables."""

    values: Mapping[str, Any] | None = None
    """None: no configuration file, so no variable at all."""
    scope: str = ""
    """Said after an unknown name: `` in environment staging``."""
    where: str = "[vars] or [environments.NAME.vars] in braze-reconciler.toml"
    """Where a variable is defined, for the hint."""
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Each variable's ``file:line``: a problem with its value is fixed there."""


NO_VARIABLES = Variables()


@dataclasses.dataclass
class YamlDocument:
    """One document of a file, as plain values with positions."""

    index: int
    value: Any
    start: Pos
    positions: dict[int, dict[Any, tuple[Pos, Pos]]]
    """Per container (by ``id``): each key or index -> (key position, value position)."""
    root: Pos
    variables: dict[Path, str] = dataclasses.field(default_factory=dict)
    """Where ``!var`` was used: the value's path -> the variable's name."""
    unknown: list[YamlProblem] = dataclasses.field(default_factory=list)
    """A ``!var`` naming no variable, each (its value is null): reported by the reader of the
    document, unless the document is for another environment (``environments:``)."""

    def _walk(self, path: Path) -> tuple[Pos, Pos, int]:
        """Positions of the deepest existing node on ``path``, and how deep it is."""
        key_pos = value_pos = self.root
        current = self.value
        depth = 0
        for part in path:
            table = self.positions.get(id(current))
            if table is None or part not in table:
                break
            key_pos, value_pos = table[part]
            current = current[part]
            depth += 1
        return key_pos, value_pos, depth

    def find(self, path: Path) -> Pos | None:
        """The value's position, or None when the path does not exist."""
        _, value_pos, depth = self._walk(path)
        return value_pos if depth == len(path) else None

    def value_position(self, path: Path) -> Pos:
        """The value's position, or its nearest ancestor's (for a missing field)."""
        return self._walk(path)[1]

    def key_position(self, path: Path) -> Pos:
        key_pos, value_pos, depth = self._walk(path)
        return key_pos if depth == len(path) and depth else value_pos


class _NotFinite(ValueError):
    pass


class _TooLarge(_NotFinite):
    pass


_NOT_FINITE = _NotFinite()
_TOO_LARGE = _TooLarge()
_MAX_INT = 2**63 - 1
"""JSON parsers (and so Braze) hold integers in 64 bits; a longer one would also overflow
Python's int-to-text limit (4,300 digits) when rendered, an internal error rather than a
diagnostic."""
_MAX_INT_TEXT = 24  # digits, sign and leading zeros: longer is too large without converting


def _checked_int(text: str, base: int) -> int:
    if len(text) > _MAX_INT_TEXT and base == 10:
        raise _TOO_LARGE
    number = int(text, base)
    if not -_MAX_INT - 1 <= number <= _MAX_INT:
        raise _TOO_LARGE
    return number


def _plain_scalar(value: str) -> Any:
    if value in _NULLS:
        return None
    first = value[0]
    if first in "tTfF":
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        return value
    if first in "0123456789+-.":
        if _INT.match(value):
            return _checked_int(value, 10)
        if _FLOAT.match(value):
            number = float(value)
            if math.isinf(number):  # 1e400: JSON (and Braze) have no infinity
                raise _NOT_FINITE
            return number
        if _INT_OCT.match(value):
            return _checked_int(value[2:], 8)
        if _INT_HEX.match(value):
            return _checked_int(value[2:], 16)
        if _INF.match(value) or _NAN.match(value):
            raise _NOT_FINITE
    return value


def _not_finite(value: str, pos: Pos, problem: _NotFinite) -> YamlProblem:
    if isinstance(problem, _TooLarge):
        shown = value if len(value) <= 40 else f"{value[:20]}... ({len(value)} characters)"
        return YamlProblem(
            f"{shown!r} is too large: Braze reads numbers as 64-bit integers (at most "
            f"{_MAX_INT:,})",
            pos,
            hint="quote it to send it as text",
            code="yaml_number_too_large",
        )
    return YamlProblem(
        f"{value!r} is not a finite number",
        pos,
        hint="JSON, and so Braze, has no infinity or NaN: quote it to send it as text",
        code="yaml_not_finite",
    )


def _tagged_scalar(tag: str, value: str, pos: Pos) -> Any:
    try:
        return _tagged(tag, value, pos)
    except _NotFinite as problem:
        raise _not_finite(value, pos, problem) from None


def _tagged(tag: str, value: str, pos: Pos) -> Any:
    if tag in ("!", _YAML + "str"):
        return value
    if tag == _YAML + "int":
        if _INT.match(value) or _INT_OCT.match(value) or _INT_HEX.match(value):
            return _plain_scalar(value)
    elif tag == _YAML + "float":
        # The core schema's float syntax (a decimal integer included), read as a float: not
        # 0x10, not an integer's 64-bit limit, and -0 keeps its sign.
        if _FLOAT.match(value):
            number = float(value)
            if math.isinf(number):
                raise _NOT_FINITE
            return number
        if _INF.match(value) or _NAN.match(value):
            raise _NOT_FINITE
    elif tag == _YAML + "bool":
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
    elif tag == _YAML + "null":
        if value in _NULLS:
            return None
    elif tag == _YAML + "timestamp":
        return value
    else:
        raise YamlProblem(
            f"unsupported tag {tag!r}",
            pos,
            hint="manifests hold plain data: remove the tag",
            code="yaml_tag",
        )
    raise YamlProblem(f"{value!r} is not a valid {tag.removeprefix(_YAML)}", pos, code="yaml_tag")


_NO_KEY = object()


class _MergeKey(str):
    __slots__ = ()


_MERGE_KEY = _MergeKey("<<")
"""The merge key: a plain, untagged ``<<`` (a quoted ``'<<'`` is a key like any other)."""
_SCALAR = ev.ScalarEvent
_MAPPING_START = ev.MappingStartEvent
_SEQUENCE_START = ev.SequenceStartEvent
_MAPPING_END = ev.MappingEndEvent
_SEQUENCE_END = ev.SequenceEndEvent
_ALIAS = ev.AliasEvent
_DOCUMENT_START = ev.DocumentStartEvent
_DOCUMENT_END = ev.DocumentEndEvent


class _Frame:
    """A mapping or sequence being composed."""

    __slots__ = ("anchor", "container", "key", "key_pos", "merged", "pos", "size", "table")

    def __init__(self, container: Any, pos: Pos, anchor: str | None) -> None:
        self.container = container
        self.pos = pos
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_pos: Pos = pos
        self.size = 1
        self.merged: set[str] | None = None
        self.table: dict[Any, tuple[Pos, Pos]] = {}


def _stack_path(stack: list[_Frame]) -> Path:
    """The path of the innermost open container (only computed for an error)."""
    path: list[str | int] = []
    for frame in stack[:-1]:
        container = frame.container
        path.append(len(container) if type(container) is list else frame.key)
    return tuple(path)


def _too_large(pos: Pos) -> YamlProblem:
    return YamlProblem(
        f"document expands to more than {MAX_NODES:,} values through aliases",
        pos,
        hint="this looks like an alias bomb; manifests need no deep aliasing",
        code="yaml_too_large",
    )


def _merge(frame: _Frame, value: Any, pos: Pos) -> None:
    sources = value if isinstance(value, list) else [value]
    for source in sources:
        if not isinstance(source, dict):
            raise YamlProblem(
                "a merge key (<<) takes a mapping or a list of mappings", pos, code="yaml_merge"
            )
        if frame.merged is None:
            frame.merged = set()
        for key, item in source.items():
            if key not in frame.container:
                frame.container[key] = item
                frame.merged.add(key)
                frame.table[key] = (pos, pos)


def _collection_tag(tag: str, mapping: bool, pos: Pos) -> None:
    """A tag on a mapping or a sequence: only the non-specific ``!`` and its own type's."""
    what = "mapping" if mapping else "sequence"
    if tag == VAR_TAG:
        raise YamlProblem(
            f"!var takes a variable name, not a {what}",
            pos,
            hint="write !var NAME (the variable may hold a table or a list), or remove the tag",
            code="yaml_tag",
        )
    if tag not in ("!", _YAML + ("map" if mapping else "seq")):
        raise YamlProblem(
            f"unsupported tag {tag!r} on a {what}",
            pos,
            hint="manifests hold plain data: remove the tag",
            code="yaml_tag",
        )


def _variable(name: str, pos: Pos, variables: Variables) -> tuple[Any, YamlProblem | None]:
    """The value ``!var name`` stands for (a copy: documents never share a container), or
    None and the problem."""
    if not name.strip():
        return None, YamlProblem(
            "!var needs a variable name",
            pos,
            hint="write !var NAME, a variable of [vars] or the environment's vars",
            code="unknown_variable",
        )
    values = variables.values
    if values is None:
        return None, YamlProblem(
            f"unknown variable {name!r}: no configuration file defines variables",
            pos,
            hint=f"define it under {variables.where}",
            code="unknown_variable",
        )
    if name not in values:
        guess = difflib.get_close_matches(name, list(values), n=1, cutoff=0.6)
        known = ", ".join(sorted(values)) or "none"
        return None, YamlProblem(
            f"unknown variable {name!r}{variables.scope}",
            pos,
            hint=(f"did you mean {guess[0]!r}? " if guess else f"variables: {known}; ")
            + f"define it under {variables.where}",
            code="unknown_variable",
        )
    value = values[name]
    return (copy.deepcopy(value) if isinstance(value, dict | list) else value), None


def _event_source(text: str, *, pure: bool) -> Callable[[], Any]:
    """The next parser event, or None: from ruamel.yaml's C parser when it is installed."""
    if _CParser is not None and not pure:
        get: Callable[[], Any] = _CParser(text).get_event
        return get
    events = YAML(typ="safe", pure=True).parse(text)
    return lambda: next(events, None)


def _compose(
    text: str, *, pure: bool = False, variables: Variables = NO_VARIABLES
) -> Iterator[YamlDocument]:
    """The composer: one tight loop over the events (it runs for every line of every file)."""
    stack: list[_Frame] = []
    used: dict[Path, str] = {}
    unknown: list[YamlProblem] = []
    var_name: str | None = None
    positions: dict[int, dict[Any, tuple[Pos, Pos]]] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    open_anchors: set[str] = set()
    total = 0
    index = 0
    start: Pos = (1, 1)
    result: Any = None
    root: Pos = (1, 1)
    done = plain = False
    next_event = _event_source(text, pure=pure)
    while (event := next_event()) is not None:
        kind = type(event)
        if kind is _SCALAR:
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            value = event.value
            tag = event.tag
            plain = not event.style and tag is None
            var_name = None
            if tag == VAR_TAG:
                var_name = value
                value, problem = _variable(value, pos, variables)
                if problem is not None:
                    unknown.append(problem)
            elif tag is not None and tag != "!":
                value = _tagged_scalar(tag, value, pos)
            elif plain:
                try:
                    value = _plain_scalar(value)
                except _NotFinite as problem:
                    raise _not_finite(value, pos, problem) from None
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            size = counted = 1
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            mark = event.start_mark
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(
                    f"values nested more than {MAX_DEPTH} levels deep",
                    (mark.line + 1, mark.column + 1),
                    hint="manifests need a few levels; check the indentation or brackets",
                    code="yaml_too_deep",
                )
            if event.tag is not None:
                _collection_tag(event.tag, kind is _MAPPING_START, (mark.line + 1, mark.column + 1))
            anchor = event.anchor
            if anchor is not None:
                open_anchors.add(anchor)
            stack.append(
                _Frame(
                    {} if kind is _MAPPING_START else [], (mark.line + 1, mark.column + 1), anchor
                )
            )
            continue
        elif kind is _MAPPING_END or kind is _SEQUENCE_END:
            frame = stack.pop()
            var_name = None
            value = frame.container
            pos = frame.pos
            size = frame.size
            counted = 1  # its children were counted as they were placed
            if frame.table:
                positions[id(value)] = frame.table
            if frame.anchor is not None:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (value, size)
        elif kind is _ALIAS:
            var_name = None
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            name = event.anchor
            if name in open_anchors:
                raise YamlProblem(
                    f"alias *{name} refers to a value that contains it",
                    pos,
                    hint="recursive aliases cannot be represented in JSON; remove the alias",
                    code="yaml_recursive_alias",
                )
            found = anchors.get(name)
            if found is None:
                raise YamlProblem(
                    f"alias *{name} has no anchor &{name} before it",
                    pos,
                    hint=f"define &{name} earlier in the same document",
                    code="yaml_undefined_alias",
                )
            value, size = found
            counted = size  # an alias expands to a copy of the whole anchored value
        elif kind is _DOCUMENT_START:
            mark = event.start_mark
            start = (mark.line + 1, mark.column + 1)
            positions, anchors, open_anchors, used, unknown = {}, {}, set(), {}, []
            total, done, result = 0, False, None
            continue
        elif kind is _DOCUMENT_END:
            # An empty document (only comments, or a bare "---") declares nothing.
            if done and result is not None:
                yield YamlDocument(index, result, start, positions, root, used, unknown)
            index += 1
            continue
        else:
            continue
        # Place the finished value into the enclosing mapping or sequence.
        total += counted
        if total > MAX_NODES:
            raise _too_large(pos)
        if not stack:
            result, root, done = value, pos, True
            continue
        top = stack[-1]
        top.size += size
        container = top.container
        if var_name is not None and (type(container) is list or top.key is not _NO_KEY):
            place = len(container) if type(container) is list else top.key
            used[(*_stack_path(stack), place)] = var_name
        if type(container) is list:
            top.table[len(container)] = (pos, pos)
            container.append(value)
        elif top.key is _NO_KEY:
            if var_name is not None:
                raise YamlProblem(
                    "a variable (!var) cannot be a mapping key",
                    pos,
                    hint="use !var for values only",
                    code="yaml_tag",
                )
            if type(value) is dict or type(value) is list:
                raise YamlProblem(
                    "mapping keys must be plain scalars",
                    pos,
                    hint="write the key as a string",
                    code="yaml_complex_key",
                )
            if type(value) is not str:
                value = _key_text(value)
            elif value == "<<" and kind is _SCALAR and plain:
                value = _MERGE_KEY
            top.key = value
            top.key_pos = pos
        else:
            key = top.key
            top.key = _NO_KEY
            if key is _MERGE_KEY:
                _merge(top, value, pos)
            elif key in container and not (top.merged and key in top.merged):
                first = top.table[key][0]
                raise YamlProblem(
                    f"duplicate key {key!r}",
                    top.key_pos,
                    path=(*_stack_path(stack), key),
                    hint=f"the first {key!r} is at line {first[0]}; keep one",
                    other=first,
                    code="yaml_duplicate_key",
                )
            else:
                container[key] = value
                if top.merged:
                    top.merged.discard(key)
                top.table[key] = (top.key_pos, pos)


def _key_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pos(mark: Any) -> Pos:
    return (mark.line + 1, mark.column + 1)


def compose_documents(text: str, variables: Variables = NO_VARIABLES) -> Iterator[YamlDocument]:
    """Yield each non-empty document of ``text``; raise YamlProblem at the first problem.
    ``variables``: what ``!var NAME`` may name."""
    composed = 0
    try:
        for document in _compose(text, variables=variables):
            composed += 1
            yield document
    except MarkedYAMLError as exc:
        if _CParser is None:  # pragma: no cover - without clib the pure parser has spoken
            raise _syntax_problem(exc, text) from None
        # libyaml scans YAML 1.1, which refuses some YAML 1.2: a ':' or a '?' inside a plain
        # scalar in a flow collection ({time: 2026-12-05T10:00:00Z}, [a?b]). Where it refuses
        # a file, the pure parser (the one used where the C extension is not installed) reads
        # it, so that it reads the same everywhere; if that one refuses it too, the error is
        # libyaml's, as before. Only a file with an error is parsed twice.
        error = exc
    except YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", (1, 1)) from None
    else:
        return
    try:
        for index, document in enumerate(_compose(text, pure=True, variables=variables)):
            if index >= composed:
                yield document
    except YAMLError:
        raise _syntax_problem(error, text) from None


def _syntax_problem(exc: MarkedYAMLError, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    position = _within(_pos(mark), text) if mark is not None else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    return YamlProblem(
        f"YAML syntax error: {problem}", position, hint=_syntax_hint(problem, text, position)
    )


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What the parser counts as a line break (ruamel's reader: CR LF, CR, LF, NEL, LS, PS)."""


def _within(position: Pos, text: str) -> Pos:
    """A parser's position kept inside the file: at the end of a file whose last line break is
    a lone carriage return (``\\r[``), the scanner reports the line after the last one (found
    by the loader's fuzz test); a diagnostic then names the end of the last line instead."""
    lines = _BREAK.split(text)
    if position[0] <= len(lines):
        return position
    return (len(lines), len(lines[-1]) + 1)


def _syntax_hint(problem: str, text: str, position: Pos) -> str | None:
    lines = text.splitlines()
    line = lines[position[0] - 1] if 0 < position[0] <= len(lines) else ""
    if "tab" in problem or "\t" in line[: position[1]]:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ', or fix the indentation"
    if "could not find expected ':'" in problem:
        return "a key needs a colon after it; check the indentation of the line above"
    return None
