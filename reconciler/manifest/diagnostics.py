"""Diagnostics: what is wrong (or doubtful) in a manifest, and exactly where."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclasses.dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    """Stable identifier of the rule (``unknown_field``, ``no_recipients``, ...)."""
    message: str
    location: Location
    address: str | None = None
    path: str | None = None
    """Field path in the document: ``spec.recipients[0].email``."""
    hint: str | None = None
    related: tuple[Location, ...] = ()
    """Other places involved (the first definition of a duplicate)."""
    replacement: str | bool | None = None
    """What fixes this error when the hint names exactly one thing: written (as JSON) in place
    of the key or value at ``location``, it makes this error go away (tools can apply it)."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line, self.location.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "address": self.address,
            "path": self.path,
            "hint": self.hint,
            "related": [dataclasses.asdict(other) for other in self.related],
            "replacement": self.replacement,
        }

    def headline(self) -> str:
        """``file:line:col: error: address: path: message``."""
        parts = [f"{self.location}: {self.severity.value}:"]
        if self.address:
            parts.append(f"{self.address}:")
        if self.path:
            parts.append(f"{self.path}:")
        parts.append(self.message)
        return " ".join(parts)


def format_path(path: tuple[str | int, ...]) -> str:
    """``("spec", "recipients", 0, "email")`` -> ``spec.recipients[0].email``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
