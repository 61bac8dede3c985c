"""The plan for a terminal: Terraform-like ``+ ~ -/+ - #`` lines with field diffs.

Built from ``Plan.to_dict()`` only. Returns rich markup; the CLI prints it on a console that
colours only on a terminal (and respects NO_COLOR).
"""

from __future__ import annotations

import json
from typing import Any

from rich.markup import escape

from reconciler.plan.model import summary_line
from reconciler.render.words import parse_now, plain_words, schedule_words

_STYLE = {
    "create": "green",
    "update": "yellow",
    "replace": "magenta",
    "delete": "red",
    "forget": "cyan",
    "rename": "blue",
    "noop": "dim",
}
_MAX_VALUE = 120


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def _body_lines(body: Any, indent: str, prefix: str = "") -> list[str]:
    """A created body, one leaf per line: ``schedule.time = "..."``."""
    lines: list[str] = []
    if isinstance(body, dict) and body:
        for key in sorted(body):
            lines.extend(_body_lines(body[key], indent, f"{prefix}.{key}" if prefix else key))
    elif isinstance(body, list) and body and len(body) <= 10:
        for index, item in enumerate(body):
            lines.extend(_body_lines(item, indent, f"{prefix}[{index}]"))
    else:
        lines.append(f"{indent}{escape(prefix)} = {escape(_value(body))}")
    return lines


def render_text(plan: dict[str, Any], *, show_noop: bool = False) -> str:
    now = parse_now(plan)
    lines: list[str] = []
    changes = [c for c in plan["changes"] if show_noop or c["action"] != "noop"]
    header = f"Plan for workspace [bold]{escape(str(plan.get('workspace') or 'default'))}[/]"
    if plan.get("endpoint"):
        header += f" at {escape(str(plan['endpoint']))}"
    lines.append(header + f", as of {plan['now']}.")
    if plan["options"].get("targets"):
        lines.append("Targeted: " + ", ".join(escape(t) for t in plan["options"]["targets"]))
    lines.append("")
    for change in changes:
        lines.extend(_change_lines(change, now))
    if not any(c["action"] != "noop" for c in plan["changes"]):
        in_sync = sum(1 for c in plan["changes"] if c["action"] == "noop")
        lines.append(f"No changes. {in_sync} managed resources match the manifests.")
        lines.append("")
    lines.extend(f"[yellow]warning:[/] {escape(w)}" for w in plan.get("warnings", []))
    blocked = [c for c in plan["changes"] if c.get("blocked")]
    if blocked:
        lines.append(
            f"[bold red]{len(blocked)} change{'s' if len(blocked) != 1 else ''} blocked by a "
            "safety gate[/]: "
            + ", ".join(f"{escape(c['address'])} ({c['blocked']['code']})" for c in blocked)
        )
    lines.append(summary_line(plan["summary"]))
    return "\n".join(lines) + "\n"


def _change_lines(change: dict[str, Any], now: Any) -> list[str]:
    action = change["action"]
    style = _STYLE[action]
    symbol = change["symbol"]
    head = f"[{style}]{escape(symbol):>3} {escape(change['address'])}[/]  {action}"
    lines = [head + f": {escape(plain_words(change, now))}"]
    indent = "      "
    if change.get("schedule_time"):
        lines.append(
            indent
            + "send: "
            + escape(schedule_words(change["schedule_mode"], change["schedule_time"]))
        )
    if change.get("schedule_id"):
        lines.append(indent + f"schedule_id: {escape(change['schedule_id'])}")
    if change.get("source"):
        lines.append(indent + f"from: {escape(change['source'])}")
    if action == "create" and change.get("after"):
        lines.extend(_body_lines(change["after"], indent + "+ "))
    for field in change.get("field_changes") or []:
        lines.append(
            f"{indent}[{style}]~[/] {escape(field['path'])}: {escape(_value(field['before']))}"
            f" -> {escape(_value(field['after']))}"
        )
    lines.extend(f"{indent}note: {escape(note)}" for note in change.get("notes") or [])
    if change.get("blocked"):
        lines.append(
            f"{indent}[bold red]blocked ({change['blocked']['code']}):[/] "
            + escape(change["blocked"]["reason"])
        )
    lines.append("")
    return lines
