"""The environment manifests are read for: its name, the configured names, its variables.

A manifest may be limited to some environments (``environments: [production]``): elsewhere it
is not declared. ``!var NAME`` takes the selected environment's variable (``yamlload``).
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from reconciler.manifest.yamlload import NO_VARIABLES, Variables

FIELD = "environments"


@dataclasses.dataclass(frozen=True)
class Selection:
    name: str | None = None
    """The selected environment; None without one (no configuration, or ``validate`` of a
    file without environments)."""
    names: tuple[str, ...] = ()
    """Every environment the configuration defines."""
    variables: Variables = NO_VARIABLES


NO_SELECTION = Selection()


def limit_problem(value: Any, selection: Selection) -> tuple[str, str] | None:
    """What is wrong with a manifest's ``environments:`` (message, hint), or None."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return (
            "environments must be a non-empty list of environment names",
            "e.g. environments: [production]; leave it out for every environment",
        )
    if not selection.names:
        return (
            f"this manifest is limited to environments ({', '.join(value)}), and the "
            "configuration defines none",
            "define them as [environments.NAME] in braze-reconciler.toml, or remove environments:",
        )
    unknown = [name for name in value if name not in selection.names]
    if unknown:
        guess = difflib.get_close_matches(unknown[0], list(selection.names), n=1, cutoff=0.6)
        return (
            f"unknown environment {unknown[0]!r}",
            (f"did you mean {guess[0]!r}? " if guess else "")
            + "environments: "
            + ", ".join(selection.names),
        )
    return None


def declared_in(value: list[str], selection: Selection) -> bool:
    """Whether a manifest limited to ``value`` is declared for the selection (every one of
    them when none is selected)."""
    return selection.name is None or selection.name in value
