"""Draft ``DashboardSchedule`` manifests for the broadcasts an audit found unexpected.

A team adopts its current dashboard calendar in one pull request: ``audit
--generate-expectations DIR`` writes one file per unexpected broadcast, which ``validate``
accepts as written. Names come from the broadcast's name, made a valid resource name, unique
among the names already declared, those drafted in the same run and the files in DIR.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from reconciler.audit.report import AuditEntry, AuditReport, Status
from reconciler.manifest.resource import is_valid_name
from reconciler.manifest.schema import DEFAULT_PATH, SCHEMA_ID
from reconciler.timeutil import parse_iso

log = logging.getLogger(__name__)

_NAME_LENGTH = 100
"""Room left under the 128-character limit for a suffix that makes a name unique."""


@dataclasses.dataclass(frozen=True)
class Draft:
    name: str
    text: str

    @property
    def filename(self) -> str:
        return f"{self.name}.yaml"


def resource_name(title: str | None, broadcast_type: str, broadcast_id: str) -> str:
    """``December newsletter`` -> ``december-newsletter``; the type and id when empty."""
    ascii_text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower())
    slug = re.sub(r"-{2,}", "-", slug).lstrip("._-")[:_NAME_LENGTH].rstrip("._-")
    if not slug:
        slug = f"{broadcast_type.lower()}-{_id_part(broadcast_id)}".rstrip("-")
    return slug if is_valid_name(slug) else f"{broadcast_type.lower()}-broadcast"


def _id_part(broadcast_id: str) -> str:
    return re.sub(r"[^a-z0-9]", "", broadcast_id.lower())[:8]


def _unique(name: str, broadcast_id: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    candidate = f"{name}-{_id_part(broadcast_id)}".rstrip("-")
    counter = 2
    while candidate in taken or not is_valid_name(candidate):
        candidate = f"{name}-{counter}"
        counter += 1
    return candidate


def drafts(report: AuditReport, taken: Iterable[str], schema_ref: str = SCHEMA_ID) -> list[Draft]:
    """One draft per unexpected broadcast, in calendar order."""
    used = set(taken)
    found: list[Draft] = []
    seen: set[tuple[str | None, str | None]] = set()
    for entry in report.entries:
        key = (entry.broadcast_id, entry.broadcast_type)
        if entry.status is not Status.UNEXPECTED or key in seen:
            continue
        seen.add(key)
        base = resource_name(entry.name, entry.broadcast_type or "", entry.broadcast_id or "")
        name = _unique(base, entry.broadcast_id or "", used)
        used.add(name)
        found.append(Draft(name, draft_text(entry, name, report.now, schema_ref)))
    return found


def _quoted(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def draft_text(entry: AuditEntry, name: str, now: str, schema_ref: str) -> str:
    id_key = "campaign_id" if (entry.broadcast_type or "").lower() == "campaign" else "canvas_id"
    readable = bool(entry.schedule_time) and _readable(entry.schedule_time or "")
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        "#",
        f"# Drafted by `braze-reconciler audit --generate-expectations` on {now}",
        "# from Braze's listing of dashboard-scheduled broadcasts. Review it, then commit it.",
    ]
    if readable:
        lines += [
            "# A recurring broadcast is listed once, at its next occurrence: for one, remove",
            "# next_send_time, or every later audit reports it as mismatched.",
        ]
    elif entry.schedule_time:
        lines.append(
            f"# Braze listed a next send time that cannot be read: {entry.schedule_time!r}"
        )
    if entry.tags:
        lines.append("# Braze tags: " + ", ".join(" ".join(tag.split()) for tag in entry.tags))
    lines += [
        "kind: DashboardSchedule",
        f"name: {name}",
        "description: " + _quoted(f"{entry.name or name}, scheduled in the Braze dashboard"),
        "spec:",
        f"  {id_key}: {_quoted(entry.broadcast_id or '')}",
    ]
    if entry.name:
        lines.append(f"  name: {_quoted(entry.name)}")
    if readable:
        lines.append(f"  next_send_time: {_quoted(entry.schedule_time or '')}")
    if entry.schedule_type:
        lines.append(f"  schedule_type: {_quoted(entry.schedule_type)}")
    return "\n".join(lines) + "\n"


def _readable(text: str) -> bool:
    try:
        parse_iso(text)
    except ValueError:
        return False
    return True


def schema_reference(directory: Path) -> str:
    """The schema path relative to ``directory`` when a checkout holds it, else its URL."""
    start = directory.resolve()
    for folder in (start, *start.parents):
        candidate = folder / DEFAULT_PATH
        if candidate.is_file():
            return Path(os.path.relpath(candidate, start)).as_posix()
    return SCHEMA_ID


def write_drafts(report: AuditReport, directory: Path, taken: Sequence[str]) -> list[Path]:
    """Write the drafts into ``directory`` (created if needed); never overwrite a file."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = {path.stem for path in directory.iterdir() if path.suffix in (".yaml", ".yml")}
    written: list[Path] = []
    for draft in drafts(report, set(taken) | existing, schema_reference(directory)):
        path = directory / draft.filename
        with path.open("x", encoding="utf-8") as handle:
            handle.write(draft.text)
        log.info("audit: drafted %s", path)
        written.append(path)
    return written
