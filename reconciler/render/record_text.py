"""``state show`` for people: one ledger record and its journal of calls, as plain text.

Built from the same document as ``state show --format json``, so the two cannot disagree.
Values are written as JSON scalars where they come from outside (Braze answers, manifests):
control characters then show escaped instead of acting on the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_FIELDS = (
    ("status", "status"),
    ("kind", "kind"),
    ("schedule_id", "schedule id"),
    ("parent_id", "parent id"),
    ("dispatch_id", "dispatch id"),
    ("schedule_time", "send time"),
    ("schedule_mode", "time mode"),
    ("protect", "protect"),
    ("unknown_outcome", "unknown outcome"),
    ("body_hash", "body hash"),
    ("created_at", "created"),
    ("updated_at", "updated"),
)


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)[1:-1]
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def render_record_text(address: str, document: Mapping[str, Any]) -> str:
    record: Mapping[str, Any] | None = document.get("record")
    journal: list[Mapping[str, Any]] = list(document.get("journal", ()))
    lines = [_plain(address)]
    if address.startswith("@"):  # the workspace's own journal (bindings), not a resource
        lines.append(
            "  the workspace's journal: the endpoint and API key bindings, and what doctor recorded"
        )
    elif record is None and not journal:
        lines.append("  never applied: only previews of its message are journaled")
    elif record is None:
        lines.append("  not in the ledger any more (its journal is kept)")
    else:
        lines.extend(
            f"  {label:<16}{_plain(record.get(key))}"
            for key, label in _FIELDS
            if key != "unknown_outcome" or record.get(key)
        )
        labels = record.get("labels") or {}
        if labels:
            pairs = ", ".join(f"{_plain(k)}={_plain(v)}" for k, v in sorted(labels.items()))
            lines.append(f"  {'labels':<16}{pairs}")
        lines.extend(f"  {'notice':<16}{_plain(notice)}" for notice in record.get("notices", ()))
        body = record.get("body")
        if body is None:
            lines.append(f"  {'body':<16}- (adopted: the body in Braze is not known)")
        else:
            text = json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2)
            lines.append(f"  {'body':<16}" + text.replace("\n", "\n" + " " * 18))
    count = len(journal)
    lines.append("")
    lines.append(f"Journal: {count} call{'s' if count != 1 else ''}, oldest first")
    for intent in journal:
        outcome = intent.get("outcome") or "open (no outcome recorded)"
        lines.append(
            f"  #{intent.get('intent_id')}  {_plain(intent.get('started_at'))}  "
            f"{_plain(intent.get('action')):<7} {_plain(intent.get('endpoint'))}  {outcome}"
            f"  (run {_plain(intent.get('run_id'))})"
        )
        if intent.get("message"):
            lines.append(f"      {_plain(intent.get('message'))}")
    previews: list[Mapping[str, Any]] = list(document.get("previews", ()))
    if previews:
        lines.append("")
        count = len(previews)
        lines.append(
            f"Previews: {count} send{'s' if count != 1 else ''} to test groups, oldest first"
        )
    for sent in previews:
        outcome = sent.get("outcome") or "open (no outcome recorded: it may have been sent)"
        lines.append(
            f"  #{sent.get('preview_id')}  {_plain(sent.get('started_at'))}  "
            f"{_plain(sent.get('test_group'))}  {_plain(sent.get('endpoint'))}  {outcome}"
            f"  (run {_plain(sent.get('run_id'))})"
        )
        if sent.get("dispatch_id"):
            lines.append(f"      dispatch id {_plain(sent.get('dispatch_id'))}")
        if sent.get("message"):
            lines.append(f"      {_plain(sent.get('message'))}")
    return "\n".join(lines) + "\n"
