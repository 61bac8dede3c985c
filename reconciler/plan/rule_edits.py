"""What an edit of a recurring rule does to recipients that no single change shows.

Moving a weekly rule from Monday to Wednesday after this Monday's occurrence has sent creates
this Wednesday's: the change is right (the rule says Wednesday), but the people who got
Monday's message get a second one two days later, which no one reviewing a create would
guess. The plan says so: a warning for each created occurrence that sends sooner after an
occurrence of the same rule that has sent (and that the rule no longer declares) than the
rule's own spacing, with the way out (the occurrence's key in the rule's ``except``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import pairwise

from reconciler.manifest.resource import Resource, split_occurrence
from reconciler.plan.model import Action, Change
from reconciler.sendtime import Lifecycle, first_send, lifecycle
from reconciler.state.base import Record, RecordStatus
from reconciler.timeutil import format_duration, format_utc

_STARTED = frozenset({Lifecycle.SENDING, Lifecycle.SENT})


def extra_sends(
    changes: Iterable[Change],
    desired: Mapping[str, Resource],
    recorded: Mapping[str, Record],
    now: datetime,
) -> list[str]:
    """Warnings for created occurrences that send again too soon after a dropped one."""
    creates: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        if change.action is Action.CREATE and change.rule and change.send_at is not None:
            creates[change.rule].append(change)
    if not creates:
        return []
    warnings: list[str] = []
    for rule, created in sorted(creates.items()):
        spacing = _spacing(desired, rule)
        if spacing is None:
            continue
        started = _started(recorded, desired, rule, now)
        for change in created:
            assert change.send_at is not None
            earlier = [(at, a) for at, a in started if timedelta(0) < change.send_at - at]
            if not earlier:
                continue
            at, address = max(earlier)
            gap = change.send_at - at
            if gap >= spacing:
                continue
            key = split_occurrence(change.address.partition("/")[2])[1]
            warnings.append(
                f"{change.address}: the rule's edit adds a send {format_duration(gap)} after "
                f"{address}, which has sent ({format_utc(at)}), sooner than the rule's "
                f"{format_duration(spacing)} between sends: its recipients get both; to skip "
                f"it, add {key} to the rule's except"
            )
    return warnings


def _spacing(desired: Mapping[str, Resource], rule: str) -> timedelta | None:
    """The shortest time between two sends of the rule as declared now (None with fewer than
    two occurrences declared)."""
    sends = sorted(
        at
        for r in desired.values()
        if r.rule_address == rule
        and (at := first_send(r.schedule_mode, r.schedule_time)) is not None
    )
    gaps = [b - a for a, b in pairwise(sends) if b > a]
    return min(gaps) if gaps else None


def _started(
    recorded: Mapping[str, Record], desired: Mapping[str, Resource], rule: str, now: datetime
) -> list[tuple[datetime, str]]:
    """The rule's recorded occurrences that have started sending and that it no longer
    declares, with their first send instant."""
    prefix = rule + "@"
    started: list[tuple[datetime, str]] = []
    for address, record in recorded.items():
        if not address.startswith(prefix) or address in desired:
            continue
        at = first_send(record.schedule_mode, record.schedule_time)
        if at is None or record.schedule_mode is None or record.schedule_time is None:
            continue
        sent = record.status is RecordStatus.FIRED or (
            lifecycle(record.schedule_mode, record.schedule_time, now) in _STARTED
        )
        if sent:
            started.append((at, address))
    return started
