"""Where each key of a TOML file is written: the standard library's reader gives no positions,
so the text is scanned for table headers and ``key =`` lines (dotted and quoted keys included).

It is a best effort for error messages: a key inside an inline table is placed at the line of
the table's own key, and lookups fall back to the nearest ancestor that was found.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")

Key = tuple[str, ...]


def _parts(dotted: str) -> Key:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def key_lines(text: str) -> dict[Key, int]:
    """Each table's and each key's full dotted path -> its 1-based line (the first one)."""
    found: dict[Key, int] = {}
    table: Key = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:  # inside a multi-line string: no key here
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header is not None:
            table = _parts(header.group(1))
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        path = (*table, *_parts(key.group(1)))
        found.setdefault(path, number)
        rest = line[key.end() :]
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                in_string = quote
    return found


def line_of(lines: dict[Key, int], path: Key) -> int | None:
    """The line of ``path``, or of its nearest written ancestor; None when none is written."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None
