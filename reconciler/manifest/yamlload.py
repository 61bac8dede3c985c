"""YAML text to plain values, with the position of every key and value.

ruamel.yaml's parser (its C extension when installed) produces events; this module composes
them into plain dicts, lists and scalars (YAML 1.2 core schema) while recording where each
value and each mapping key starts. Composing ourselves, rather than asking ruamel for
commented maps, costs one pass and keeps every position for error messages.

It also refuses what would hurt: duplicate keys, non-scalar keys, unknown tags, recursive
aliases, and alias bombs (a document whose aliases expand past ``MAX_NODES``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError, YAMLError

Path = tuple[str | int, ...]
Pos = tuple[int, int]
"""1-based line and column."""

MAX_NODES = 200_000
"""Nodes one document may expand to through aliases (a manifest has a few hundred)."""

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


@dataclasses.dataclass
class YamlDocument:
    """One document of a file, as plain values with positions."""

    index: int
    value: Any
    start: Pos
    values: dict[Path, Pos]
    """Where the value at each path starts."""
    keys: dict[Path, Pos]
    """Where the mapping key of each path starts."""

    def value_position(self, path: Path) -> Pos:
        """The value's position, or its nearest ancestor's (for a missing field)."""
        return _nearest(self.values, path, self.start)

    def key_position(self, path: Path) -> Pos:
        found = self.keys.get(path)
        return found if found is not None else self.value_position(path)


def _nearest(table: dict[Path, Pos], path: Path, default: Pos) -> Pos:
    while path:
        found = table.get(path)
        if found is not None:
            return found
        path = path[:-1]
    return table.get((), default)


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
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        if _INT_OCT.match(value):
            return int(value[2:], 8)
        if _INT_HEX.match(value):
            return int(value[2:], 16)
        if _INF.match(value):
            return float("-inf") if first == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
    return value


def _tagged_scalar(tag: str, value: str, pos: Pos) -> Any:
    if tag in ("!", _YAML + "str"):
        return value
    if tag == _YAML + "int":
        result = _plain_scalar(value)
        if isinstance(result, int) and not isinstance(result, bool):
            return result
    elif tag == _YAML + "float":
        result = _plain_scalar(value)
        if isinstance(result, int | float) and not isinstance(result, bool):
            return float(result)
    elif tag == _YAML + "bool":
        result = _plain_scalar(value)
        if isinstance(result, bool):
            return result
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


class _Node:
    """A mapping or sequence being composed."""

    __slots__ = ("anchor", "container", "key", "key_pos", "merged", "path", "pos", "size")

    def __init__(self, container: Any, path: Path, pos: Pos, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.pos = pos
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_pos: Pos = pos
        self.size = 1
        self.merged: set[str] | None = None


_NO_KEY = object()
_MERGE = "<<"


class _Composer:
    def __init__(self, index: int, start: Pos) -> None:
        self.index = index
        self.start = start
        self.values: dict[Path, Pos] = {}
        self.keys: dict[Path, Pos] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Node] = []
        self.total = 0
        self.result: Any = None
        self.done = False

    def child_path(self) -> Path:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if type(top.container) is list:
            return (*top.path, len(top.container))
        return (*top.path, top.key)

    def add(self, value: Any, pos: Pos, size: int) -> None:
        """Place a finished value into the enclosing mapping or sequence."""
        self.total += size
        if self.total > MAX_NODES:
            raise YamlProblem(
                f"document expands to more than {MAX_NODES:,} values through aliases",
                pos,
                hint="this looks like an alias bomb; manifests need no deep aliasing",
                code="yaml_too_large",
            )
        if not self.stack:
            self.values[()] = pos
            self.result = value
            self.done = True
            return
        top = self.stack[-1]
        top.size += size
        container = top.container
        if type(container) is list:
            self.values[(*top.path, len(container))] = pos
            container.append(value)
            return
        if top.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise YamlProblem(
                    "mapping keys must be plain scalars",
                    pos,
                    path=top.path,
                    hint="write the key as a string",
                    code="yaml_complex_key",
                )
            top.key = value if isinstance(value, str) else _key_text(value)
            top.key_pos = pos
            return
        key = top.key
        top.key = _NO_KEY
        if key == _MERGE:
            self.merge(top, value, pos)
            return
        path = (*top.path, key)
        if key in container and not (top.merged and key in top.merged):
            raise YamlProblem(
                f"duplicate key {key!r}",
                top.key_pos,
                path=path,
                hint=f"the first {key!r} is at line {self.keys[path][0]}; keep one",
                other=self.keys[path],
                code="yaml_duplicate_key",
            )
        container[key] = value
        if top.merged:
            top.merged.discard(key)
        self.keys[path] = top.key_pos
        self.values[path] = pos

    def merge(self, top: _Node, value: Any, pos: Pos) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise YamlProblem(
                    "a merge key (<<) takes a mapping or a list of mappings",
                    pos,
                    path=top.path,
                    code="yaml_merge",
                )
            if top.merged is None:
                top.merged = set()
            for key, item in source.items():
                if key not in top.container:
                    top.container[key] = item
                    top.merged.add(key)
                    self.keys.setdefault((*top.path, key), pos)
                    self.values.setdefault((*top.path, key), pos)

    def open(self, container: Any, pos: Pos, anchor: str | None) -> None:
        path = self.child_path()
        if anchor is not None:
            self.open_anchors.add(anchor)
        self.stack.append(_Node(container, path, pos, anchor))

    def close(self) -> None:
        node = self.stack.pop()
        if node.anchor is not None:
            self.open_anchors.discard(node.anchor)
            self.anchors[node.anchor] = (node.container, node.size)
        self.add(node.container, node.pos, node.size)

    def scalar(self, event: Any, pos: Pos) -> None:
        text = event.value
        tag = event.tag
        if tag is not None and tag != "!":
            value = _tagged_scalar(tag, text, pos)
        elif event.style or tag == "!":
            value = text
        else:
            value = _plain_scalar(text)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self.add(value, pos, 1)

    def alias(self, anchor: str, pos: Pos) -> None:
        if anchor in self.open_anchors:
            raise YamlProblem(
                f"alias *{anchor} refers to a value that contains it",
                pos,
                hint="recursive aliases cannot be represented in JSON; remove the alias",
                code="yaml_recursive_alias",
            )
        found = self.anchors.get(anchor)
        if found is None:
            raise YamlProblem(
                f"alias *{anchor} has no anchor &{anchor} before it",
                pos,
                hint=f"define &{anchor} earlier in the same document",
                code="yaml_undefined_alias",
            )
        self.add(found[0], pos, found[1])


def _key_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pos(mark: Any) -> Pos:
    return (mark.line + 1, mark.column + 1)


def compose_documents(text: str) -> Iterator[YamlDocument]:
    """Yield each non-empty document of ``text``; raise YamlProblem at the first problem."""
    parser = YAML(typ="safe", pure=False)
    composer: _Composer | None = None
    index = 0
    try:
        for event in parser.parse(text):
            kind = type(event)
            if kind is ev.ScalarEvent:
                assert composer is not None
                composer.scalar(event, _pos(event.start_mark))
            elif kind is ev.MappingStartEvent:
                assert composer is not None
                composer.open({}, _pos(event.start_mark), event.anchor)
            elif kind is ev.SequenceStartEvent:
                assert composer is not None
                composer.open([], _pos(event.start_mark), event.anchor)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                assert composer is not None
                composer.close()
            elif kind is ev.AliasEvent:
                assert composer is not None
                composer.alias(event.anchor, _pos(event.start_mark))
            elif kind is ev.DocumentStartEvent:
                composer = _Composer(index, _pos(event.start_mark))
            elif kind is ev.DocumentEndEvent:
                assert composer is not None
                # An empty document (only comments, or a bare "---") declares nothing.
                if composer.done and composer.result is not None:
                    yield YamlDocument(
                        index, composer.result, composer.start, composer.values, composer.keys
                    )
                index += 1
                composer = None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = _pos(mark) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(
            f"YAML syntax error: {problem}", position, hint=_syntax_hint(problem, text, position)
        ) from None
    except YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", (1, 1)) from None


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
