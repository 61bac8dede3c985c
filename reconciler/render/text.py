"""The plan for a terminal: Terraform-like ``+ ~ -/+ - #`` lines with field diffs.

Built from the typed ``Plan``. Returns rich markup; the CLI prints it on a console that
colours only on a terminal (and respects NO_COLOR). Every value from a file or a manifest
goes through ``markup``: no control character reaches the terminal or a CI log raw.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.markup import escape

from reconciler.plan.model import Action, Change, Plan
from reconciler.render.inert import line_markup, markup
from reconciler.render.reasons import notes_words
from reconciler.render.recipients import mask_recipients
from reconciler.render.shown import (
    READ_HEADING,
    differing_words,
    fired_line,
    names_recipients,
    shown_field,
    shown_fields,
    shown_text,
)
from reconciler.render.textdiff import DiffLine, paired, word_diff
from reconciler.render.words import (
    by_rule,
    lookups_line,
    plain_words,
    rule_heading,
    schedule_words,
    summary_line,
)
from reconciler.timeutil import format_utc

_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
    Action.FORGET: "cyan",
    Action.RENAME: "blue",
    Action.NOOP: "dim",
}
_DIFF_STYLE = {"-": "red", "+": "green", " ": "", "…": "dim"}


def _value(value: Any) -> str:
    return markup(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _var_mark(variables: dict[str, str] | None, path: str) -> str:
    """`` (var NAME)`` beside a value the manifest wrote as ``!var NAME``."""
    name = (variables or {}).get(path)
    return f" [dim](var {markup(name)})[/]" if name is not None else ""


def _body_lines(
    body: Any, indent: str, prefix: str = "", variables: dict[str, str] | None = None
) -> list[str]:
    """A created body, one leaf per line: ``schedule.time = "..."``; a long text leaf as
    one ``+`` line per line of it."""
    lines: list[str] = []
    if isinstance(body, dict) and body:
        for key in sorted(body):
            path = f"{prefix}.{key}" if prefix else key
            lines.extend(_body_lines(body[key], indent, path, variables))
    elif isinstance(body, list) and body and len(body) <= 10:
        for index, item in enumerate(body):
            lines.extend(_body_lines(item, indent, f"{prefix}[{index}]", variables))
    else:
        field = shown_field(prefix, None, body, masked=False)
        if field.diff is None:
            lines.append(f"{indent}{markup(prefix)} = {_value(body)}{_var_mark(variables, prefix)}")
        else:
            # Every line is new: shown as written, under the field, without diff marks.
            lines.append(f"{indent}{markup(prefix)} =")
            continuation = " " * len(indent) + "    "
            lines.extend(continuation + line_markup(line.text) for line in field.diff)
    return lines


def render_text(plan: Plan, *, show_noop: bool = False, masked: bool = False) -> str:
    """The plan as rich markup; ``masked`` hides recipient identifiers (never content)."""
    now = plan.now
    lines: list[str] = []
    fired = [c for c in plan.changes if c.is_housekeeping]
    changes = [
        c
        for c in plan.changes
        if (show_noop or c.is_change or (c.rule and c.notes)) and not c.is_housekeeping
    ]
    header = f"Plan for workspace [bold]{markup(plan.workspace or 'default')}[/]"
    if plan.endpoint:
        header += f" at {markup(plan.endpoint)}"
    lines.append(header + f", as of {format_utc(now)}.")
    if plan.options.targets:
        lines.append("Targeted: " + ", ".join(markup(t) for t in plan.options.targets))
    if masked and any(names_recipients(c) for c in changes):
        lines.append("Recipient identifiers are masked as ••• (--show-recipients shows them).")
    lines.append("")
    for group in by_rule(changes):
        if group[0].rule is not None:
            # A recurring manifest's occurrences, under one heading.
            lines.append(f"[bold]{markup(rule_heading(group))}[/]")
        for change in group:
            lines.extend(_change_lines(change, now, masked))
    if fired:
        lines.append(f"[{_STYLE[Action.FORGET]}]  #[/] {fired_line(len(fired))}")
        lines.append("")
    if not plan.has_changes:
        in_sync = sum(1 for c in plan.changes if not c.is_change)
        lines.append(f"No changes. {in_sync} managed resources match the manifests.")
        lines.append("")
    lines.extend(f"[yellow]warning:[/] {markup(w)}" for w in plan.warnings)
    blocked = plan.blocked
    if blocked:
        lines.append(
            f"[bold red]{len(blocked)} change{'s' if len(blocked) != 1 else ''} blocked by a "
            "safety gate[/]: "
            + ", ".join(f"{markup(c.address)} ({c.blocked.code})" for c in blocked if c.blocked)
        )
    looked = lookups_line(plan)
    if looked is not None:
        lines.append(looked)
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


def _change_lines(change: Change, now: datetime, masked: bool) -> list[str]:
    action = change.action
    style = _STYLE[action]
    head = f"[{style}]{escape(action.symbol):>3} {markup(change.address)}[/]  {action}"
    lines = [head + f": {markup(plain_words(change, now))}"]
    indent = "      "
    if change.schedule_time:
        lines.append(
            indent + "send: " + markup(schedule_words(change.schedule_mode, change.schedule_time))
        )
    if change.schedule_id:
        lines.append(indent + f"schedule_id: {markup(change.schedule_id)}")
    if change.source:
        lines.append(indent + f"from: {markup(change.source)}")
    lines.extend(_text_lines(change, indent))
    if action is Action.CREATE and change.after:
        body = mask_recipients(dict(change.after)) if masked else dict(change.after)
        lines.extend(_body_lines(body, indent + "+ ", variables=change.variables))
    for field in shown_fields(change, masked=masked):
        if field.diff is None:
            lines.append(
                f"{indent}[{style}]~[/] {markup(field.path)}: {_value(field.before)}"
                f" -> {_value(field.after)}{_var_mark(change.variables, field.path)}"
            )
            continue
        lines.append(f"{indent}[{style}]~[/] {markup(field.path)}:")
        lines.extend(_diff_lines(field.diff, indent + "    "))
    lines.extend(f"{indent}note: {markup(note)}" for note in notes_words(change))
    if change.blocked:
        reasons = change.blocked.reasons()
        head = f"{indent}[bold red]blocked ({change.blocked.code}):[/]"
        if len(reasons) == 1:
            lines.append(f"{head} {markup(reasons[0])}")
        else:
            lines.append(head)
            lines.extend(f"{indent}  - {markup(reason)}" for reason in reasons)
    lines.append("")
    return lines


def _text_lines(change: Change, indent: str) -> list[str]:
    """What recipients will read: each main text, ``before -> after`` where it changes."""
    if not change.texts:
        return []
    lines = [indent + markup(READ_HEADING)]
    for text in change.texts:
        before, after = shown_text(text.before), shown_text(text.after)
        head = f"{indent}  {markup(text.message)} {markup(text.field)}: "
        if text.before is None or text.after is None or text.before != text.after:
            shown = " -> ".join(
                _value(value) if value is not None else "(none)"
                for value in ((before, after) if text.before is not None else (after,))
            )
        else:
            shown = f"{_value(after)} (unchanged)"
        differing = differing_words(text)
        lines.append(head + shown + (f"; {markup(differing)}" if differing else ""))
    return lines


def _diff_lines(diff: list[DiffLine], indent: str) -> list[str]:
    """``- old``/``+ new`` lines; a line edited in place as one ``~`` line marking the removed
    words ``[-so-]`` and the added ones ``{+so+}`` (git's --word-diff), readable uncoloured."""
    lines: list[str] = []
    for item in paired(diff):
        if isinstance(item, DiffLine):
            style = _DIFF_STYLE[item.tag]
            text = f"{item.tag} {line_markup(item.text)}"
            if item.tag == "…":
                text = f"… ({markup(item.text)})"
            lines.append(f"{indent}[{style}]{text}[/]" if style else f"{indent}{text}")
            continue
        removed, added = item
        spans = word_diff(removed.text, added.text)
        if spans is None:
            lines.append(f"{indent}[red]- {markup(removed.text)}[/]")
            lines.append(f"{indent}[green]+ {markup(added.text)}[/]")
            continue
        marked = "".join(
            markup(span.text)
            if span.tag == " "
            else f"[red]\\[-{markup(span.text)}-][/]"
            if span.tag == "-"
            else f"[green]{{+{markup(span.text)}+}}[/]"
            for span in spans
        )
        lines.append(f"{indent}[yellow]~[/] {marked}")
    return lines


def body_lines(body: Any, indent: str) -> list[str]:
    """A request body one leaf per line, as a created body is shown (``preview`` too)."""
    return _body_lines(body, indent)
