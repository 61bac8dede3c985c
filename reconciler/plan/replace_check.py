"""``--replace ADDRESS``: refuse, before anything is applied, a replace that cannot happen.

The planner turns each requested address into a replace when it can (a live record of a
schedule the manifests declare); anything else is a mistake in the command line, reported
with what to do instead (exit 3) rather than silently planned as something else.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.errors import UsageError
from reconciler.kinds import SCHEDULE_KINDS, addresses_of
from reconciler.manifest.resource import Resource, parse_address
from reconciler.plan.model import Plan
from reconciler.state.base import Record, RecordStatus


def check_replace(
    plan: Plan, desired: Mapping[str, Resource], recorded: Mapping[str, Record]
) -> None:
    planned = {change.address: change for change in plan.changes}
    for address in plan.options.replace:
        change = planned.get(address)
        if change is not None and change.replace_requested:
            continue
        problem, hint = _why_not(address, desired, recorded)
        raise UsageError(f"--replace {address}: {problem}; nothing was planned", hint=hint)


def _why_not(
    address: str, desired: Mapping[str, Resource], recorded: Mapping[str, Record]
) -> tuple[str, str]:
    try:
        kind, _ = parse_address(address)
    except ValueError as exc:
        return str(exc), "give the address as `plan` and `state list` show it"
    if not kind.facts.has_schedule:
        return (
            "only schedules can be replaced (a send id cannot be deleted in Braze)",
            f"give a {addresses_of(SCHEDULE_KINDS)} address",
        )
    resource = desired.get(address)
    if resource is None:
        return (
            "it is not declared in the manifests, and a replace creates it again from its manifest",
            "check the address and the paths given (`state list` shows the ledger's addresses)",
        )
    old = resource.renamed_from_address
    record = recorded.get(address) or (recorded.get(old) if old else None)
    if record is None:
        return "it is not in the ledger", "plan and apply create it without --replace"
    if record.status is RecordStatus.FIRED:
        return (
            f"its schedule has sent ({record.schedule_time}): there is nothing to replace",
            "to send it again, give the new send its own name (or see --allow-resend)",
        )
    if record.status is RecordStatus.UNCERTAIN:
        return (
            "its last create's outcome is unknown: Braze may hold no schedule, or one "
            "without the ledger knowing its id",
            f"find out, then `braze-reconciler state resolve {record.address} --schedule-id ID`"
            " or `--absent`",
        )
    return (
        f"its schedule has sent or is past ({record.schedule_time}): there is nothing to replace",
        "remove --replace; the plan forgets a schedule that has sent",
    )
