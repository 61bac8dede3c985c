"""One YAML document to a desired resource, or to diagnostics that say exactly what is wrong."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from reconciler.braze.models.base import UNKNOWN_FIELD, Finding, findings, suggest
from reconciler.canonical import content_hash
from reconciler.kinds import Kind
from reconciler.manifest.diagnostics import Diagnostic, Location, Severity, format_path
from reconciler.manifest.environment import (
    FIELD,
    NO_SELECTION,
    Selection,
    declared_in,
    limit_problem,
)
from reconciler.manifest.liquid import liquid_diagnostics
from reconciler.manifest.models import MANIFEST_MODELS, ManifestBase, spec_schedule
from reconciler.manifest.recurring import (
    RecurrenceBlock,
    RecurringRule,
    recurrence_info,
    recurrence_warnings,
)
from reconciler.manifest.resource import RecurrenceInfo, Resource, address_of, is_valid_name
from reconciler.manifest.yamlload import Path, YamlDocument
from reconciler.sendtime import is_wall_clock, send_window
from reconciler.timeutil import format_duration, format_utc, has_offset

HORIZON = timedelta(days=90)
"""Older versions of Braze's create-schedule page said "up to 90 days in the future"; the
current ones say nothing, and no error is documented for it (docs/decisions.md): a warning."""

_TYPE_NAMES = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "float_type": "a number",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_QUOTED = re.compile(r"'([^']*)'")
_LOCATED_FIELDS: tuple[Path, ...] = (
    ("name",),
    ("renamed_from",),
    ("spec", "send_id"),
    ("spec", "schedule", "time"),
    ("recurrence", "rule"),
    ("recurrence", "start"),
    # where the reference checks (plan.references) place their diagnostics
    ("spec", "campaign_id"),
    ("spec", "canvas_id"),
    ("spec", "segment_id"),
    ("spec", "trigger_properties"),
    ("spec", "context"),
    ("spec", "canvas_entry_properties"),
    ("spec", "messages"),
)

_KINDS = [kind.value for kind in Kind]


class DocumentContext:
    """Where a document is: used to place every diagnostic."""

    def __init__(
        self,
        file: str,
        document: YamlDocument,
        selection: Selection = NO_SELECTION,
        text: str = "",
    ) -> None:
        self.file = file
        self.document = document
        self.selection = selection
        self.text = text
        """The file's text, to place an error inside a value (a block scalar's line)."""
        self.address: str | None = None

    def location(self, position: tuple[int, int]) -> Location:
        return Location(self.file, position[0], position[1])

    def diagnostic(
        self,
        code: str,
        message: str,
        path: Path,
        *,
        at_key: bool = False,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        replacement: str | bool | None = None,
    ) -> Diagnostic:
        doc = self.document
        position = doc.key_position(path) if at_key else doc.value_position(path)
        variable = doc.variables.get(tuple(path)) if path and not at_key else None
        if variable is not None:  # the value is written in the configuration, not here
            source = self.selection.variables.sources.get(variable)
            hint = (
                f"the value is the variable {variable}"
                + (f" ({source})" if source else "")
                + ": fix it there"
                + (f"; {hint}" if hint else "")
            )
            replacement = None
        return Diagnostic(
            severity=severity,
            code=code,
            message=message,
            location=self.location(position),
            address=self.address,
            path=format_path(path) or None,
            hint=hint,
            replacement=replacement,
        )


def validate_document(
    context: DocumentContext, now: datetime
) -> tuple[Resource | None, list[Diagnostic]]:
    """A one-shot document's resource and diagnostics. A recurring document gives its
    diagnostics and no resource: ``read_document`` gives its rule."""
    found, diagnostics = read_document(context, now)
    return (found if isinstance(found, Resource) else None), diagnostics


def for_elsewhere(context: DocumentContext) -> bool:
    """Whether the document is limited to environments other than the selected one."""
    value = context.document.value
    if not isinstance(value, dict) or FIELD not in value:
        return False
    limit = value[FIELD]
    return limit_problem(limit, context.selection) is None and not declared_in(
        limit, context.selection
    )


def read_document(
    context: DocumentContext, now: datetime
) -> tuple[Resource | RecurringRule | None, list[Diagnostic]]:
    """What a document declares (a resource, or a recurring rule whose occurrences are
    resources), or nothing when it has errors; and every diagnostic."""
    value = context.document.value
    if not isinstance(value, dict):
        found = type(value).__name__ if value is not None else "nothing"
        return None, [
            context.diagnostic(
                "not_a_mapping",
                f"a manifest document must be a mapping, found {_describe_type(found)}",
                (),
                hint="each document holds kind, name and spec (see examples/)",
            )
        ]
    kind = value.get("kind")
    name = value.get("name")
    if isinstance(kind, str) and kind in _KINDS and isinstance(name, str) and is_valid_name(name):
        context.address = address_of(kind, name)
    if FIELD in value:
        problem = limit_problem(value[FIELD], context.selection)
        if problem is not None:
            return None, [context.diagnostic("environments", problem[0], (FIELD,), hint=problem[1])]
        if not declared_in(value[FIELD], context.selection):
            return None, []  # for another environment: not declared here
    if context.document.unknown:
        return None, [
            Diagnostic(
                severity=Severity.ERROR,
                code=problem.code,
                message=problem.message,
                location=context.location(problem.position),
                address=context.address,
                hint=problem.hint,
            )
            for problem in context.document.unknown
        ]
    kind_problem = _check_kind(context, value)
    if kind_problem is not None:
        return None, [kind_problem]
    assert isinstance(kind, str)
    model = MANIFEST_MODELS[Kind(kind)]
    templates = (
        liquid_diagnostics(context.file, context.document, context.text, context.address)
        if kind == Kind.SCHEDULED_MESSAGE
        else []
    )
    try:
        manifest = model.model_validate(value)
    except ValidationError as exc:
        return None, _from_validation_error(context, exc) + templates
    diagnostics = [_from_finding(context, finding) for finding in findings(manifest)]
    diagnostics += templates
    if templates:
        return None, diagnostics
    block: RecurrenceBlock | None = getattr(manifest, "recurrence", None)
    if block is not None:
        recurrence = block.recurrence()
        template = _resource(context, manifest, recurrence_info(manifest.name, recurrence))
        diagnostics += recurrence_warnings(context, block, now)
        return RecurringRule(template, recurrence), diagnostics
    diagnostics += _time_rules(context, manifest, now)
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return _resource(context, manifest), diagnostics


def _check_kind(context: DocumentContext, value: dict[str, Any]) -> Diagnostic | None:
    kinds = list(_KINDS)
    if "kind" not in value:
        return context.diagnostic(
            "missing",
            "missing required field 'kind'",
            (),
            hint="add kind: one of " + ", ".join(kinds),
        )
    kind = value["kind"]
    if isinstance(kind, str) and kind in _KINDS:
        return None
    match = suggest(str(kind), kinds)
    return context.diagnostic(
        "unknown_kind",
        f"unknown kind {kind!r}",
        ("kind",),
        hint=f"did you mean {match!r}?" if match else "one of " + ", ".join(kinds),
        replacement=match,
    )


def _document_path(value: Any, loc: Sequence[str | int], keep_last: bool) -> Path:
    """Pydantic's error location as a path in the document (union tags dropped)."""
    path: list[str | int] = []
    current = value
    for index, part in enumerate(loc):
        in_mapping = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            current = current[part]
            path.append(part)
        elif keep_last and index == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _from_validation_error(context: DocumentContext, exc: ValidationError) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    value = context.document.value
    for error in exc.errors(include_url=False):
        code = error["type"]
        ctx = error.get("ctx") or {}
        missing = code == "missing"
        path = _document_path(value, error["loc"], keep_last=missing or code == UNKNOWN_FIELD)
        message, hint = _explain(code, error["msg"], error.get("input"), ctx, path)
        replacement = ctx.get("replacement", _replacement(code, error.get("input")))
        if code == UNKNOWN_FIELD:  # at the key: the did-you-mean replaces the key's name
            replacement = ctx.get("suggestion")
        replacement = _wall_clock(replacement, value, path)
        if missing:
            diagnostic = context.diagnostic(code, message, path[:-1], at_key=True, hint=hint)
            diagnostics.append(_with_path(diagnostic, path))
        else:
            # A rule about a whole mapping or list points at its key, like a compiler would.
            at_key = code == UNKNOWN_FIELD or isinstance(_value_at(value, path), dict | list)
            diagnostics.append(
                context.diagnostic(
                    code,
                    message,
                    path,
                    at_key=at_key,
                    hint=hint,
                    replacement=replacement,
                )
            )
    return diagnostics


def _from_finding(context: DocumentContext, finding: Finding) -> Diagnostic:
    """What Braze may accept but a person probably did not mean: a warning, unless accepting
    it could send to a wider audience (``refused_by_validate``)."""
    value = context.document.value
    return context.diagnostic(
        finding.code,
        finding.message,
        finding.loc,
        at_key=finding.at_key,
        hint=finding.hint,
        severity=Severity.ERROR if finding.refused_by_validate else Severity.WARNING,
        replacement=_wall_clock(finding.replacement, value, finding.loc),
    )


def _wall_clock(replacement: Any, value: Any, path: Path) -> Any:
    """A time fixed for a schedule sent in local or optimal time has no offset: the field's
    own rule cannot see its siblings, so the replacement it offers (UTC) is adjusted here."""
    if not (isinstance(replacement, str) and replacement.endswith("Z") and path):
        return replacement
    wall_clock = is_wall_clock(_value_at(value, path[:-1]))
    return replacement[:-1] if path[-1] == "time" and wall_clock else replacement


def _value_at(value: Any, path: Path) -> Any:
    for part in path:
        value = value[part]
    return value


def _with_path(diagnostic: Diagnostic, path: Path) -> Diagnostic:
    return Diagnostic(
        severity=diagnostic.severity,
        code=diagnostic.code,
        message=diagnostic.message,
        location=diagnostic.location,
        address=diagnostic.address,
        path=format_path(path),
        hint=diagnostic.hint,
    )


def _explain(
    code: str, message: str, value: Any, ctx: dict[str, Any], path: Path
) -> tuple[str, str | None]:
    hint = ctx.get("hint")
    if code == "missing":
        return f"missing required field '{path[-1]}'", hint
    expected = _TYPE_NAMES.get(code)
    if expected is not None:
        if code == "bool_type" and isinstance(value, str):
            hint = hint or "write true or false without quotes (yes, no, on, off are strings)"
        elif code == "string_type" and isinstance(value, int | float | bool):
            hint = hint or f"quote the value: '{_yaml_scalar(value)}'"
        elif code in ("dict_type", "model_type", "model_attributes_type"):
            hint = hint or "write it as key: value pairs, indented under the field"
        elif code == "list_type":
            hint = hint or "write it as a list: one '- ' item per line, indented under the field"
        return f"expected {expected}, got {_describe(value)}", hint
    if code in ("literal_error", "enum"):
        choices = _QUOTED.findall(str(ctx.get("expected", "")))
        match = suggest(str(value), choices) if choices else None
        if match and hint is None:
            hint = f"did you mean {match!r}?"
        return f"{_describe(value)} is not allowed: {message[0].lower()}{message[1:]}", hint
    if message and message[0].isupper() and not message[:2].isupper():
        message = message[0].lower() + message[1:]
    return message, hint


_BOOLEAN_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _replacement(code: str, value: Any) -> str | bool | None:
    """The value that the type hints of ``_explain`` name, when there is exactly one."""
    if code == "bool_type" and isinstance(value, str):
        return _BOOLEAN_WORDS.get(value.strip().lower())
    if code == "string_type" and isinstance(value, int | float | bool):
        return _yaml_scalar(value)
    return None


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe_type(name: str) -> str:
    return {"list": "a list", "str": "a string", "int": "a number", "float": "a number"}.get(
        name, name
    )


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {_yaml_scalar(value)}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"string {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _time_rules(
    context: DocumentContext, manifest: ManifestBase, now: datetime
) -> list[Diagnostic]:
    schedule = spec_schedule(manifest)
    if schedule is None:
        return []
    path: Path = ("spec", "schedule", "time")
    diagnostics: list[Diagnostic] = []
    mode = schedule.mode
    if mode == "utc" and not has_offset(schedule.time):
        diagnostics.append(
            context.diagnostic(
                "utc_time_without_offset",
                f"time {schedule.time!r} has no UTC offset",
                path,
                hint=(
                    f"write {schedule.time}Z for UTC (or another offset such as +01:00), or set "
                    "in_local_time: true to send at that time in each user's zone"
                ),
                replacement=f"{schedule.time}Z",
            )
        )
        return diagnostics
    first, last = send_window(mode, schedule.time)
    if last <= now:
        diagnostics.append(
            context.diagnostic(
                "time_past",
                f"send time {schedule.time} passed {format_duration(now - last)} ago",
                path,
                hint=(
                    "fired schedules may stay in git; the plan forgets them once sent and "
                    "refuses to create one in the past"
                ),
                severity=Severity.WARNING,
            )
        )
    elif first - now > HORIZON:
        diagnostics.append(
            context.diagnostic(
                "time_beyond_horizon",
                f"send time {schedule.time} is more than 90 days ahead",
                path,
                hint=(
                    "older versions of Braze's docs allowed schedules up to 90 days ahead (the "
                    "current ones do not say); if Braze refuses it, create it later"
                ),
                severity=Severity.WARNING,
            )
        )
    return diagnostics


def _resource(
    context: DocumentContext, manifest: ManifestBase, recurrence: RecurrenceInfo | None = None
) -> Resource:
    """The manifest's resource; for a recurring one, the template of its occurrences (no
    schedule; ``spec.schedule.time`` is placed at the recurrence's start)."""
    spec = manifest.spec  # type: ignore[attr-defined]
    body: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    schedule = spec_schedule(manifest)
    kind = Kind(manifest.kind)  # type: ignore[attr-defined]
    schedule_time = schedule_mode = None
    if schedule is not None:
        schedule_mode = schedule.mode
        if schedule_mode == "utc":
            body["schedule"]["time"] = format_utc(schedule.instant())
        schedule_time = body["schedule"]["time"]
    parent_key = kind.facts.parent_key
    parent_id = body.get(parent_key) if parent_key else None
    locations = {
        format_path(path): context.location(position)
        for path in _LOCATED_FIELDS
        if (position := context.document.find(path)) is not None
    }
    messages = body.get("messages")
    if isinstance(messages, dict):
        for key in messages:
            path = ("spec", "messages", key, "message_variation_id")
            position = context.document.find(path)
            if position is not None:
                locations[format_path(path)] = context.location(position)
    if recurrence is not None:
        locations["spec.schedule.time"] = locations["recurrence.start"]
    variables = {
        format_path(path[1:]): name
        for path, name in context.document.variables.items()
        if path[0] == "spec" and len(path) > 1
    }
    return Resource(
        kind=kind,
        name=manifest.name,
        body=body,
        body_hash=content_hash(body),
        source=context.location(context.document.key_position(("kind",))),
        description=manifest.description,
        protect=manifest.protect,
        labels=dict(manifest.labels),
        parent_id=parent_id,
        schedule_time=schedule_time,
        schedule_mode=schedule_mode,
        renamed_from=manifest.renamed_from,
        locations=locations,
        recurrence=recurrence,
        variables=variables,
    )
