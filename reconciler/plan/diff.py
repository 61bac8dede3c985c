"""Field-level differences between two bodies, for people (equality is decided by hash)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.manifest.diagnostics import format_path
from reconciler.plan.model import FieldChange


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Each changed leaf (or added/removed subtree), sorted by path."""
    # Imported here: a plan without changes never needs it, and it is slow to import.
    from deepdiff import DeepDiff
    from deepdiff.helper import NotPresent

    diff = DeepDiff(dict(before), dict(after), view="tree", ignore_order=False)
    changes: list[FieldChange] = []
    for levels in diff.values():
        for level in levels:
            path = tuple(level.path(output_format="list"))
            changes.append(
                FieldChange(
                    path=format_path(path),
                    before=None if isinstance(level.t1, NotPresent) else level.t1,
                    after=None if isinstance(level.t2, NotPresent) else level.t2,
                )
            )
    return tuple(sorted(changes, key=lambda change: change.path))


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Top-level keys whose values differ (cheap: no deep diff)."""
    keys = set(before) | set(after)
    return sorted(key for key in keys if before.get(key) != after.get(key))
