"""Template checks of a manifest: every text of a ScheduledMessage's ``messages`` as Braze Liquid.

A ``ScheduledMessage`` carries its message content inline, and Braze renders every text field of
it as Liquid (the subject, the body, a push's alert, extras, URLs). A syntax error there is an
error at the line and column of the error itself: inside a literal block scalar (``|``) exactly,
elsewhere on the value's own line where that line can be found, else at the value's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reconciler.manifest.diagnostics import Diagnostic, Location, Severity, format_path
from reconciler.manifest.yamlload import Path, Pos, YamlDocument
from reconciler.templates import TemplateError, template_errors

CODE = "liquid_syntax"


def _texts(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Every string under ``value`` that could hold Liquid (it has a brace)."""
    if isinstance(value, str):
        if "{" in value:
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


def liquid_diagnostics(
    file: str, document: YamlDocument, text: str, address: str | None
) -> list[Diagnostic]:
    """A ``liquid_syntax`` error per message text of ``spec.messages`` that is not Liquid."""
    spec = document.value.get("spec") if isinstance(document.value, dict) else None
    messages = spec.get("messages") if isinstance(spec, dict) else None
    if not isinstance(messages, dict):
        return []
    lines = text.split("\n") if text else []
    found = []
    for path, value in _texts(messages, ("spec", "messages")):
        for error in template_errors(value):
            start = document.value_position(path)
            line, column = place(lines, start, value, error)
            found.append(_diagnostic(file, (line, column), address, path, error))
    return found


def _diagnostic(
    file: str, position: Pos, address: str | None, path: Path, error: TemplateError
) -> Diagnostic:
    return Diagnostic(
        severity=Severity.ERROR,
        code=CODE,
        message=f"not valid Braze Liquid: {error.message}",
        location=Location(file, *position),
        address=address,
        path=format_path(path),
        hint=_hint(error.message),
    )


def _hint(message: str) -> str:
    if "is never closed by {% end" in message:
        tag = message.split("{% end", 1)[1].split()[0]
        return f"close the {{% {tag} %}} block with {{% end{tag} %}} where it should end"
    if "unexpected tag" in message:
        return (
            "use Liquid's tags or Braze's (connected_content, abort_message, promotion, "
            "catalog_items, message_extras, translation); check the tag's spelling and its end tag"
        )
    if "{{ is never closed" in message:
        return "close the output markup with }}: {{${first_name}}}"
    return (
        "Braze writes attributes as {{${first_name}}} and properties as "
        "{{api_trigger_properties.${name}}}; Braze would refuse or mis-render this text"
    )


_ESCAPED = {"'": "'", '"': "\\"}
"""What escapes a character in each kind of quoted scalar (a single quote by a single quote)."""


def _mapped(lines: list[str], start: Pos, indicator: str, value: str, index: int) -> Pos | None:
    """The file position of ``value[index]``, following the scalar's text from ``start``: a
    space or line break of the value may be a line break and indentation in the file (YAML's
    folding), a quote may be escaped (``''``, ``\\"``). None when the file does not read as
    the value (an escape this does not follow): the caller falls back."""
    text = "\n".join(lines)
    offset = sum(len(line) + 1 for line in lines[: start[0] - 1]) + start[1] - 1
    if indicator in ("'", '"'):
        offset += 1
    elif indicator in (">", "|"):
        newline = text.find("\n", offset)
        if newline < 0:
            return None
        offset = newline + 1
    for char in value[: index + 1]:
        if offset >= len(text):
            return None
        at = offset
        if char in " \n":
            if text[offset] == char:
                offset += 1
            elif indicator == '"' and text[offset : offset + 2] in ("\\n", "\\ "):
                offset += 2
            elif text[offset] not in " \t\n":
                return None  # a space the file does not hold
        else:
            while offset < len(text) and text[offset] in " \t\n":
                offset += 1
            at = offset
            if indicator in _ESCAPED and text[offset : offset + 2] == _ESCAPED[indicator] + char:
                offset += 2  # '' in single quotes, \" or \\ in double quotes
            elif text[offset : offset + 1] == char:
                offset += 1
            else:
                return None
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def place(lines: list[str], start: Pos, value: str, error: TemplateError) -> Pos:
    """Where ``error`` (line and column within ``value``) is in the file.

    ``start`` is where the YAML value starts (the ``|`` of a block scalar). A literal block maps
    line for line; any other value (plain, quoted, folded, on one line or several) is followed
    character by character through YAML's folding (:func:`_mapped`); failing that, it is placed
    on the file line that holds the error's text, when exactly one does; else at the value's
    start.
    """
    if not lines or start[0] > len(lines):
        return start
    first = lines[start[0] - 1]
    indicator = first[start[1] - 1 : start[1]]
    if indicator == "|":
        block = lines[start[0] :]
        indent = next((len(b) - len(b.lstrip(" ")) for b in block if b.strip()), 0)
        line = start[0] + error.line
        if line <= len(lines):
            return line, indent + error.column
        return start
    value_lines = value.split("\n")
    if error.line <= len(value_lines):
        index = sum(len(v) + 1 for v in value_lines[: error.line - 1]) + error.column - 1
        mapped = _mapped(lines, start, indicator, value, index)
        if mapped is not None:
            return mapped
    value_line = value.split("\n")[error.line - 1] if value else ""
    snippet = value_line[error.column - 1 :].strip()[:20] or value_line.strip()[:20]
    if snippet:
        candidates = [
            number
            for number in range(start[0], min(len(lines), start[0] + value.count("\n") + 50) + 1)
            if snippet in lines[number - 1]
        ]
        if len(candidates) == 1:
            number = candidates[0]
            return number, lines[number - 1].index(snippet) + 1
    return start
