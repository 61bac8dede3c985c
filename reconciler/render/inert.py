"""Values from files and manifests made inert for each output.

A file name, a resource name, a label or a message body is written by whoever can open a
pull request. Printed raw, it can drive a terminal (ESC and OSC sequences), inject a GitHub
workflow command into a CI log (a newline then ``::warning ::``), or hide the rest of a
pull-request comment (``<!--``). Every renderer passes such values through one of these.
"""

from __future__ import annotations

import re

from rich.markup import escape

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidi
# overrides and isolates (which reorder what a reviewer sees).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MARKDOWN_SYNTAX = re.compile(r"[\\`*\[\]<>&|~!$]|(?<![^\W_])_|_(?![^\W_])")
"""Each character that can start Markdown or HTML syntax inline (code, emphasis, links,
images, tables, strikethrough, tags, comments, entities, GitHub math); ``_`` only where it
can (not between letters or digits, as in ``New_York``). Written as a numeric character
reference, it can only ever be the character itself."""


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_visible, text)


def no_command(line: str) -> str:
    """``line`` unable to start a GitHub workflow command: the runner trims leading white
    space before it looks for ``::``, so a value's line beginning so is shown as ``:\\:``."""
    if line.lstrip().startswith("::"):
        return line.replace("::", ":\\:", 1)
    return line


def line_markup(text: str) -> str:
    """A line of a value, shown at the start of an output line: ``markup`` and ``no_command``."""
    return no_command(markup(text))


def printable_lines(text: str) -> str:
    """A message of several lines (an error and its hint) with each line made printable: its
    own line breaks stay, every other control character is escaped, and a line that a value
    broke off cannot start a GitHub workflow command (``::warning``) or pass for a line of
    its own (continuation lines are indented)."""
    first, *rest = text.split("\n")
    lines = [printable(first)]
    for line in rest:
        shown = no_command(printable(line))
        lines.append(shown if shown.startswith(" ") else f"  {shown}")
    return "\n".join(lines)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def markup(value: object) -> str:
    """``value`` as rich markup that prints exactly as its text, controls escaped."""
    return escape(printable(str(value)))


def markdown_text(text: str) -> str:
    """``text`` as one line of Markdown that renders to exactly ``text`` (controls escaped),
    safe in a paragraph, a table cell, a quote or an HTML block such as ``<summary>``."""
    return _MARKDOWN_SYNTAX.sub(lambda match: f"&#{ord(match.group())};", printable(text))


def markdown_code(text: str) -> str:
    """``text`` in code style. An HTML ``<code>`` element, not a backtick span: inside a
    backtick span an entity shows as written (``&lt;``), so ``|`` in a table and a
    backtick in the value could not both be shown right."""
    return f"<code>{markdown_text(text)}</code>"


def fence(lines: list[str]) -> str:
    """A backtick fence longer than any backtick run in ``lines``, so none can close it."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    return "`" * max(3, longest + 1)
