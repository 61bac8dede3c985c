"""Braze's additions to Liquid's syntax, rewritten into plain Liquid that keeps every position.

Braze writes a user attribute as ``${name}`` inside output and tag markup
(``{{${first_name}}}``, ``{{custom_attribute.${Brands Viewed}}}``,
``{{api_trigger_properties.${discount_code}}}``), and its documented examples put output
markup inside tag arguments (``{% if {{custom_attribute.${balance}}} > 0 %}``,
``{% for item in {{custom_attribute.${Brands Viewed}}} limit:5 %}``): Braze's "Supported
personalization tags" page (braze-inc/braze-docs,
``_docs/_user_guide/personalization_and_dynamic_content/liquid/supported_personalization_tags.md``).
Neither is Liquid as python-liquid reads it, and ``{{${first_name}}}`` would even end its
output markup one brace early.

:func:`encode` rewrites both, one character for one character, so that every index into the
rewritten text is an index into the manifest's text: ``${first name}`` becomes the identifier
``ǂǂfirst_nameǂ`` (U+01C2 and U+01C3: letters Liquid accepts in a name and that nobody
types; U+01C3 stands for a space), and the braces of
output markup inside a tag become spaces. :func:`decode` turns an encoded name back into what
the author wrote. Text outside markup, and ``{% raw %}`` blocks, are left exactly as they are:
there Braze prints ``${x}`` as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN = "\u01c2"  # ǂ: a letter (category Lo), so \w in python-liquid's identifier pattern
"""Stands for each of ``$`` and ``{`` at the start of an encoded ``${name}``, and for its ``}``."""
OTHER = "\u01c3"  # LATIN LETTER RETROFLEX CLICK: a letter too
"""Stands for a character of a name that a Liquid identifier cannot hold (a space, a dot)."""

_ATTRIBUTE = re.compile(r"\$\{([^{}]*)\}")
_MARKUP = re.compile(
    r"(?P<raw>\{%-?\s*raw\s*-?%\}.*?(?:\{%-?\s*endraw\s*-?%\}|\Z))"
    r"|(?P<output>\{\{(?:\$\{[^{}]*\}|[^}]|\}(?!\}))*\}\})"
    r"|(?P<tag>\{%(?:\$\{[^{}]*\}|[^%]|%(?!\}))*%\})",
    re.DOTALL,
)
_INNER_BRACES = re.compile(r"\{\{-?|-?\}\}")
_ENCODED = re.compile(f"{OPEN}{OPEN}([^{OPEN}]*){OPEN}")


@dataclass(frozen=True)
class Encoded:
    """A template rewritten into plain Liquid, and the attribute names it wrote."""

    text: str
    """The same length as the source; the same character wherever the source was Liquid."""
    names: dict[str, str]
    """Each encoded name (``ǂǂfirst_nameǂ``) to the name the author wrote (``first name``)."""

    def decode(self, text: str) -> str:
        """``text`` with each encoded name written back as ``${name}``."""
        return _ENCODED.sub(lambda m: "${" + self.names.get(m.group(0), m.group(1)) + "}", text)

    def name(self, segment: str) -> str:
        """One path segment as its author wrote it: ``ǂǂfirst_nameǂ`` is ``first_name``."""
        return self.names.get(segment, segment)


def _encode_name(match: re.Match[str], names: dict[str, str]) -> str:
    name = match.group(1)
    encoded = OPEN * 2 + "".join(c if c.isalnum() or c == "_" else OTHER for c in name) + OPEN
    names[encoded] = name
    return encoded


def encode(source: str) -> Encoded:
    """Rewrite Braze's ``${name}`` and nested output markup; see the module's docstring."""
    names: dict[str, str] = {}
    if "${" not in source and "{%" not in source:
        return Encoded(source, names)
    parts: list[str] = []
    end = 0
    for match in _MARKUP.finditer(source):
        kind = match.lastgroup
        if kind == "raw":
            continue
        start, stop = match.span()
        parts.append(source[end:start])
        markup = match.group()
        body = _ATTRIBUTE.sub(lambda m: _encode_name(m, names), markup)
        if kind == "tag":
            inner = body[2:-2]
            inner = _INNER_BRACES.sub(lambda m: " " * len(m.group()), inner)
            body = body[:2] + inner + body[-2:]
        parts.append(body)
        end = stop
    parts.append(source[end:])
    text = "".join(parts)
    assert len(text) == len(source)
    return Encoded(text, names)
