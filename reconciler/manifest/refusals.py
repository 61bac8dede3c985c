"""Files the loader refuses to read, each with a diagnostic rather than a silent skip.

Symbolic links in a manifest tree are followed only while they stay inside the given paths. A
link such as ``env.yaml -> /proc/self/environ`` would otherwise have its target read, and
parts of it quoted in diagnostics, plan files and pull-request comments; a linked directory
that leads elsewhere would be skipped without a word, and the plan would delete what its
manifests declare. Either is refused with a diagnostic instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reconciler.manifest.diagnostics import Diagnostic, Location, Severity

LINK_OUTSIDE = "link_outside_paths"
NAME_NOT_UTF8 = "file_name_not_utf8"


def printable_name(name: str) -> str:
    """``name`` with the bytes that are not UTF-8 shown as ``\\xe9``: printable anywhere."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def is_utf8_name(name: str) -> bool:
    # Undecodable bytes arrive as lone surrogates (PEP 383), which no output can encode.
    return printable_name(name) == name


def roots_of(paths: Sequence[str | Path]) -> list[Path]:
    """The given paths as they are on disk: a link given by name is the user's choice."""
    return [Path(path).resolve() for path in paths]


def leads_outside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether the link ``path`` resolves outside every root."""
    target = path.resolve()
    return not any(target == root or target.is_relative_to(root) for root in roots)


def refusal(name: str) -> Diagnostic:
    """The diagnostic for the link ``name``; it names the target as the link spells it."""
    try:
        written = printable_name(os.readlink(name))
    except OSError:  # replaced since it was found: say only what it is
        written = "a place"
    return Diagnostic(
        severity=Severity.ERROR,
        code=LINK_OUTSIDE,
        message=f"symbolic link to {written} leads outside the given paths: not read",
        location=Location(name, 1, 1),
        hint=(
            "copy the manifests into the tree, or give the link's target as a path too if it "
            "is meant to be read"
        ),
    )


def name_refusal(name: str) -> Diagnostic:
    """A file whose name is not UTF-8 could not be named in output, JSON or the ledger."""
    return Diagnostic(
        severity=Severity.ERROR,
        code=NAME_NOT_UTF8,
        message="file name is not valid UTF-8: not read",
        location=Location(printable_name(name), 1, 1),
        hint="rename the file with UTF-8 characters (ASCII is safest)",
    )
