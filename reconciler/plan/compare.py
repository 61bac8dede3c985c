"""Is a saved plan the plan the applying side would make itself?

``apply --plan`` plans again from the current manifests and ledger (with the saved plan's
options) and applies only when every change that does something is the same in both: the
same address, kind, action, schedule and parent ids, and the same requests with the same
bodies. What people read and what time alone moves (lifecycle, notes, reasons, blocked
reasons) is not compared: the fresh plan's gates, evaluated at apply time, decide those.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from reconciler.plan.model import Change, Plan

_IDENTITY = ("kind", "action", "schedule_id", "parent_id")


def first_difference(saved: Plan, fresh: Plan) -> str | None:
    """The first difference, naming the address and the field path; None when equal."""
    saved_changes = {c.address: c for c in saved.pending}
    fresh_changes = {c.address: c for c in fresh.pending}
    if len(saved_changes) != len(saved.pending):
        counts = Counter(c.address for c in saved.pending)
        twice = next(address for address, count in counts.items() if count > 1)
        return f"{twice}: the saved plan changes it twice"
    for address in sorted(saved_changes.keys() | fresh_changes.keys()):
        before, now = saved_changes.get(address), fresh_changes.get(address)
        if now is None:
            assert before is not None
            return f"{address}: the saved plan would {before.action.value} it, a fresh plan not"
        if before is None:
            return f"{address}: a fresh plan would {now.action.value} it, the saved plan not"
        difference = _change_difference(before, now)
        if difference is not None:
            return f"{address}: {difference}"
    return None


def _change_difference(saved: Change, fresh: Change) -> str | None:
    for name in _IDENTITY:
        if getattr(saved, name) != getattr(fresh, name):
            return f"{name} differs"
    if len(saved.requests) != len(fresh.requests):
        return "requests differ"
    for index, (mine, theirs) in enumerate(zip(saved.requests, fresh.requests, strict=True)):
        where = f"requests[{index}]"
        if (mine.call, mine.path) != (theirs.call, theirs.path):
            return f"{where} differs"
        try:
            # the fresh body as it would be written to a file: tuples are lists there
            fresh_body = json.loads(json.dumps(theirs.body))
            path = _first_path(mine.body, fresh_body, f"{where}.body")
        except RecursionError:
            path = f"{where}.body"
        if path is not None:
            return f"{path} differs"
    return None


def _first_path(saved: Any, fresh: Any, path: str) -> str | None:
    if isinstance(saved, Mapping) and isinstance(fresh, Mapping):
        for key in sorted(saved.keys() | fresh.keys(), key=str):
            if key not in saved or key not in fresh:
                return f"{path}.{key}"
            found = _first_path(saved[key], fresh[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(saved, list) and isinstance(fresh, list):
        if len(saved) != len(fresh):
            return path
        for index, (mine, theirs) in enumerate(zip(saved, fresh, strict=True)):
            found = _first_path(mine, theirs, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    # 1, 1.0 and true are equal to Python, not to Braze
    if type(saved) is not type(fresh) or saved != fresh:
        return path
    return None
