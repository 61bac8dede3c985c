"""Saved plans: ``plan --out FILE`` and ``apply --plan FILE``.

A saved plan holds the ledger serial, workspace, endpoint, a digest of the manifests, its
creation time and the full request bodies; never the API key. ``apply --plan`` refuses it
(exit 5) when the ledger changed since (serial), when it is older than ``--max-plan-age``, or
when the endpoint or workspace differ.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from reconciler.errors import SavedPlanError, UsageError
from reconciler.plan.model import Plan
from reconciler.timeutil import format_duration, parse_instant

FUTURE_TOLERANCE = timedelta(minutes=5)
"""Clocks of the machine that planned and the one that applies may differ a little."""


def save_plan(plan: Plan, path: Path) -> None:
    text = json.dumps(plan.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the saved plan {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not a saved plan (invalid JSON: {exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a saved plan")
    try:
        return Plan.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path} is not a valid saved plan: {exc}") from None


def verify_plan(
    plan: Plan,
    *,
    serial: int,
    endpoint: str,
    workspace: str,
    now: datetime,
    max_age: timedelta,
) -> None:
    """Raise SavedPlanError (exit 5) naming the reason a saved plan must not be applied."""
    if plan.workspace != workspace:
        raise SavedPlanError(
            f"the saved plan is for workspace {plan.workspace!r}, not {workspace!r}",
            hint="run apply with the plan's --workspace, or plan again",
        )
    if plan.endpoint != endpoint:
        raise SavedPlanError(
            f"the saved plan is for endpoint {plan.endpoint!r}, not {endpoint!r}",
            hint="run apply against the plan's endpoint, or plan again",
        )
    if plan.serial != serial:
        raise SavedPlanError(
            f"the saved plan is stale: the ledger changed since it was made "
            f"(serial {plan.serial}, now {serial})",
            hint="plan again and review the new plan",
        )
    if plan.created_at is None:
        raise SavedPlanError("the saved plan has no creation time", hint="plan again")
    try:
        created = parse_instant(plan.created_at)
    except ValueError:
        raise SavedPlanError(
            f"the saved plan's creation time {plan.created_at!r} is not a time", hint="plan again"
        ) from None
    age = now - created
    if age < -FUTURE_TOLERANCE:
        raise SavedPlanError(
            f"the saved plan was made in the future ({plan.created_at}): its age cannot be known",
            hint="check this machine's clock, then plan again",
        )
    if age > max_age:
        raise SavedPlanError(
            f"the saved plan expired: made {format_duration(age)} ago, the limit is "
            f"{format_duration(max_age)} (--max-plan-age)",
            hint="plan again: what is due to send may have changed",
        )
