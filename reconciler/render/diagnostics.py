"""Diagnostics as text for people, JSON for tools, or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from reconciler.manifest.diagnostics import Diagnostic
from reconciler.render.inert import printable

FORMAT_VERSION = 1


def summary(diagnostics: Sequence[Diagnostic], resources: int, files: int) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    noun_files = "file" if files == 1 else "files"
    if errors:
        text = f"{_count(errors, 'error')} in {files} {noun_files}"
        return text + (f" ({_count(warnings, 'warning')})" if warnings else "") + "."
    text = f"{_count(resources, 'resource')} in {files} {noun_files} valid"
    return text + (f" ({_count(warnings, 'warning')})" if warnings else "") + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def diagnostic_lines(diagnostic: Diagnostic) -> list[str]:
    """One diagnostic for people: the headline with its code, then its hint and the other
    places involved. File names and values in them are shown with controls escaped: a name
    holding a newline and ``::warning ::`` must not become a workflow command in a CI log."""
    lines = [f"{printable(diagnostic.headline())} [{diagnostic.code}]"]
    if diagnostic.hint:
        lines.append(f"  hint: {printable(diagnostic.hint)}")
    lines.extend(f"  see also: {printable(str(other))}" for other in diagnostic.related)
    return lines


def render_text(diagnostics: Sequence[Diagnostic], resources: int, files: int) -> str:
    lines = [line for diagnostic in diagnostics for line in diagnostic_lines(diagnostic)]
    lines.append(summary(diagnostics, resources, files))
    return "\n".join(lines) + "\n"


def render_json(diagnostics: Sequence[Diagnostic], resources: int, files: int) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "valid": not any(d.is_error for d in diagnostics),
        "resources": resources,
        "files": files,
        "errors": sum(1 for d in diagnostics if d.is_error),
        "warnings": sum(1 for d in diagnostics if not d.is_error),
        "diagnostics": [d.to_dict() for d in diagnostics],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's data, after every other control character
    (ESC and the like, which the log viewer would interpret) is shown as an escape."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], resources: int, files: int) -> str:
    """``::error file=F,line=L,col=C,title=T::message`` lines, then the summary."""
    lines: list[str] = []
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        props = ",".join(
            [
                f"file={_escape_property(d.location.file)}",
                f"line={d.location.line}",
                f"col={d.location.column}",
                f"title={_escape_property(f'braze-reconciler {d.code}')}",
            ]
        )
        where = ": ".join(part for part in (d.address, d.path) if part)
        message = f"{where}: {d.message}" if where else d.message
        if d.hint:
            message += f" (hint: {d.hint})"
        lines.append(f"::{level} {props}::{_escape_data(message)}")
    lines.append(summary(diagnostics, resources, files))
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
