"""Long values as line diffs, and changed lines as word diffs, for people.

A changed email body shown as two values cut at 120 characters reads as "nothing changed"
when the change is further on. Above ``LONG`` characters, or over several lines, a value
is shown line by line instead, with the unchanged lines far from a change elided.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from typing import Any

LONG = 80
"""A value longer than this (or over several lines) is shown as a line diff."""
_CONTEXT = 2
"""Unchanged lines shown around each change."""
_WORD = re.compile(r"\s+|[^\s\w]|\w+")
_MAX_WORDS = 2_000
"""Longer lines get no word diff: matching words is quadratic, and a plan must stay fast."""


@dataclasses.dataclass(frozen=True)
class DiffLine:
    """``tag`` is ``-`` (before only), ``+`` (after only), `` `` (both) or ``…`` (elided)."""

    tag: str
    text: str


def as_text(value: Any) -> str:
    """A string as itself; anything else as indented JSON (one leaf a line); absent as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def is_long(before: Any, after: Any) -> bool:
    """Whether a change of ``before`` to ``after`` reads better as a line diff."""
    texts = (as_text(before), as_text(after))
    return any(len(text) > LONG or "\n" in text for text in texts)


def line_diff(before: Any, after: Any) -> list[DiffLine]:
    old, new = as_text(before).splitlines(), as_text(after).splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            lines.extend(DiffLine("-", line) for line in old[i1:i2])
            lines.extend(DiffLine("+", line) for line in new[j1:j2])
            continue
        same = old[i1:i2]
        keep_head = _CONTEXT if index > 0 else 0
        keep_tail = _CONTEXT if index < len(opcodes) - 1 else 0
        if len(same) <= keep_head + keep_tail + 1:
            lines.extend(DiffLine(" ", line) for line in same)
            continue
        lines.extend(DiffLine(" ", line) for line in same[:keep_head])
        hidden = len(same) - keep_head - keep_tail
        lines.append(DiffLine("…", f"{hidden} unchanged line{'s' if hidden != 1 else ''}"))
        lines.extend(DiffLine(" ", line) for line in same[len(same) - keep_tail :])
    return lines


@dataclasses.dataclass(frozen=True)
class WordSpan:
    """A run of a changed line: ``tag`` is `` `` (unchanged), ``-`` or ``+``."""

    tag: str
    text: str


def word_diff(before: str, after: str) -> list[WordSpan] | None:
    """The line ``before`` -> ``after`` as spans of kept, removed and added words, or None
    when most words changed (then a removed and an added line read better)."""
    old, new = _WORD.findall(before), _WORD.findall(after)
    if len(old) + len(new) > _MAX_WORDS:
        return None
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if matcher.ratio() < 0.5:
        return None
    spans: list[WordSpan] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            spans.append(WordSpan(" ", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            spans.append(WordSpan("-", "".join(old[i1:i2])))
        if j2 > j1:
            spans.append(WordSpan("+", "".join(new[j1:j2])))
    return spans


def paired(lines: list[DiffLine]) -> list[DiffLine | tuple[DiffLine, DiffLine]]:
    """``lines`` with each lone removed line directly followed by a lone added line joined
    into a pair (one line edited in place: the candidate for a word diff)."""
    result: list[DiffLine | tuple[DiffLine, DiffLine]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        nxt = lines[index + 1] if index + 1 < len(lines) else None
        after_next = lines[index + 2] if index + 2 < len(lines) else None
        before_line = lines[index - 1] if index > 0 else None
        if (
            line.tag == "-"
            and nxt is not None
            and nxt.tag == "+"
            and (before_line is None or before_line.tag not in "-+")
            and (after_next is None or after_next.tag not in "-+")
        ):
            result.append((line, nxt))
            index += 2
            continue
        result.append(line)
        index += 1
    return result
