"""The audit: one calendar of everything due within a horizon, and whether it matches git.

``audit(desired, recorded, listing, now, horizon, words=...) -> AuditReport``. Pure: no I/O;
the ledger's records, Braze's listing and the clock are parameters, and so are the words of
the planner's reasons (``render.reasons.WORDS``: they live above this layer). Three sources
feed the calendar:

- managed API schedules (the ledger's records, not fired): ``uncertain`` when a create's
  outcome (or an update's or delete's) is unknown; ``pending_change`` when the planner would
  change them (the manifest differs, or was removed); else ``in_sync``;
- desired resources not in the ledger: ``pending_change`` (not applied yet);
- dashboard broadcasts (``audit.dashboard``): ``in_sync``, ``unexpected``, ``missing`` or
  ``mismatched`` against the ``DashboardSchedule`` expectations;
- occurrences of recurring manifests past the horizon an apply keeps scheduled (``later``):
  ``in_sync``, since a later apply schedules each as it enters that horizon.

An entry is in the calendar when a send it is about starts by ``now + horizon`` and has not
finished (a local-time schedule that is sending is in; a fired one is out). A pending change
without a send time (a send id) is always in. Entries are sorted by first send.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from reconciler.audit.dashboard import dashboard_entries
from reconciler.audit.report import AS_APPLIED, AuditEntry, AuditReport, Source, Status
from reconciler.manifest.resource import Resource
from reconciler.plan import planner
from reconciler.plan.model import Action, BlockCode, Change, PlanOptions, Words
from reconciler.plan.reasons import SCHEDULE_CHANGED, NoteCode
from reconciler.sendtime import (
    DEFAULT_FREEZE_WINDOW,
    EARLIEST_ZONE,
    Lifecycle,
    lifecycle,
    send_window,
)
from reconciler.state.base import Record, RecordStatus
from reconciler.timeutil import format_duration, format_utc

__all__ = ["AuditEntry", "AuditReport", "Source", "Status", "audit", "listing_end_time"]


def listing_end_time(now: datetime, horizon: timedelta) -> str:
    """The ``end_time`` to ask of GET /messages/scheduled_broadcasts.

    Braze reads it as midnight UTC of its date, so ask for the day after the horizon; a
    wall-clock (local-time) send starts up to 14 h before its time read as UTC, so reach that
    much further. The audit filters the items itself.
    """
    reach = now + horizon + EARLIEST_ZONE
    return (reach.date() + timedelta(days=1)).isoformat() + "T00:00:00Z"


def audit(
    desired: Mapping[str, Resource],
    recorded: Mapping[str, Record],
    listing: Iterable[Mapping[str, Any]],
    now: datetime,
    horizon: timedelta,
    *,
    words: Words,
    freeze_window: timedelta = DEFAULT_FREEZE_WINDOW,
    declares: planner.Declares | None = None,
    later: Mapping[str, Resource] | None = None,
) -> AuditReport:
    """``declares``: the planner's question to the recurring manifests; ``later``: their
    occurrences within ``horizon`` (``LoadResult.occurrences_through``)."""
    end = now + horizon
    end_time = listing_end_time(now, horizon)
    entries = managed_entries(desired, recorded, now, end, freeze_window, words, declares)
    entries.extend(
        _later_entry(resource, now, freeze_window)
        for address, resource in (later or {}).items()
        if address not in desired and address not in recorded
    )
    dashboard, warnings = dashboard_entries(desired, listing, now, end, freeze_window, end_time)
    entries.extend(dashboard)
    entries.sort(key=AuditEntry.sort_key)
    return AuditReport(
        now=format_utc(now),
        horizon_seconds=int(horizon.total_seconds()),
        entries=tuple(entries),
        listing_end_time=end_time,
        warnings=tuple(warnings),
    )


@dataclasses.dataclass(frozen=True)
class _Timing:
    mode: str
    time: str
    first: datetime
    life: Lifecycle

    def due_by(self, end: datetime) -> bool:
        return self.life is not Lifecycle.SENT and self.first <= end


def _timing(mode: str | None, time: str | None, now: datetime, freeze: timedelta) -> _Timing | None:
    if mode is None or time is None:
        return None
    return _Timing(mode, time, send_window(mode, time)[0], lifecycle(mode, time, now, freeze))


def managed_entries(
    desired: Mapping[str, Resource],
    recorded: Mapping[str, Record],
    now: datetime,
    end: datetime,
    freeze: timedelta,
    words: Words,
    declares: planner.Declares | None = None,
) -> list[AuditEntry]:
    """The managed API schedules due by ``end``, each classified by what the planner says."""
    options = PlanOptions(freeze_window_seconds=int(freeze.total_seconds()))
    plan = planner.plan(desired, recorded, now, options, declares)
    entries: list[AuditEntry] = []
    for change in plan.changes:
        record = recorded.get(change.moved_from or change.address)
        if record is not None and record.status is RecordStatus.FIRED:
            record = None
        resource = desired.get(change.address)
        entry = _managed_entry(change, resource, record, now, freeze, end, words)
        if entry is not None:
            entries.append(entry)
    return entries


def _managed_entry(
    change: Change,
    resource: Resource | None,
    record: Record | None,
    now: datetime,
    freeze: timedelta,
    end: datetime,
    words: Words,
) -> AuditEntry | None:
    if change.action is Action.FORGET:
        return None  # fired: out of the calendar; the ledger's housekeeping is not drift
    recorded_timing = (
        _timing(record.schedule_mode, record.schedule_time, now, freeze) if record else None
    )
    desired_timing = (
        _timing(resource.schedule_mode, resource.schedule_time, now, freeze) if resource else None
    )
    timings = [t for t in (recorded_timing, desired_timing) if t is not None]
    if change.action is Action.NOOP and record is None:
        return None  # a manifest kept in git for a schedule that has fired
    if timings and not any(t.due_by(end) for t in timings):
        return None
    if not timings and change.action is Action.NOOP:
        return None  # an applied send id: nothing is sent
    if record is not None and (
        record.status in (RecordStatus.UNCERTAIN, RecordStatus.VANISHED)
        or record.unknown_outcome is not None
    ):
        return _entry(
            change,
            Source.LEDGER,
            Status.UNCERTAIN,
            _uncertain(record),
            timing=recorded_timing,
        )
    if change.action is Action.NOOP:
        assert record is not None
        # Braze lists only dashboard broadcasts: for an API schedule the ledger's record is
        # all there is to go on, and the words must not claim more.
        detail = AS_APPLIED
        if record.schedule_id:
            detail += f", schedule_id {record.schedule_id}"
        return _entry(change, Source.LEDGER, Status.IN_SYNC, detail, timing=recorded_timing)
    if record is None or change.action is Action.CREATE:
        return _entry(
            change,
            Source.MANIFEST,
            Status.PENDING_CHANGE,
            _blocked(change, _create_words(change, record, words)),
            timing=desired_timing,
        )
    moved = _moved(recorded_timing, desired_timing)
    return dataclasses.replace(
        _entry(
            change,
            Source.LEDGER,
            Status.PENDING_CHANGE,
            _blocked(change, _change_words(change, record, moved, words)),
            timing=recorded_timing,
        ),
        desired_send_at=format_utc(desired_timing.first) if moved and desired_timing else None,
        desired_schedule_mode=desired_timing.mode if moved and desired_timing else None,
        desired_schedule_time=desired_timing.time if moved and desired_timing else None,
    )


LATER = "a later apply schedules it, once it is within its rule's horizon"


def _later_entry(resource: Resource, now: datetime, freeze: timedelta) -> AuditEntry:
    timing = _timing(resource.schedule_mode, resource.schedule_time, now, freeze)
    return _timed(Source.MANIFEST, Status.IN_SYNC, LATER, resource.address, resource.kind, timing)


def _entry(
    change: Change,
    source: Source,
    status: Status,
    detail: str,
    *,
    timing: _Timing | None,
) -> AuditEntry:
    return dataclasses.replace(
        _timed(source, status, detail, change.address, change.kind, timing),
        schedule_id=change.schedule_id,
        action=None if change.action is Action.NOOP else change.action.value,
    )


def _timed(
    source: Source, status: Status, detail: str, address: str, kind: str, timing: _Timing | None
) -> AuditEntry:
    return AuditEntry(
        source=source,
        status=status,
        detail=detail,
        send_at=format_utc(timing.first) if timing else None,
        lifecycle=timing.life.value if timing else None,
        address=address,
        kind=kind,
        schedule_mode=timing.mode if timing else None,
        schedule_time=timing.time if timing else None,
    )


def _uncertain(record: Record) -> str:
    if record.status is RecordStatus.VANISHED:
        return (
            f"Braze did not know schedule {record.schedule_id} at the last apply: deleted, or "
            "still sending under another id or workspace; find out, then "
            f"`braze-reconciler state resolve {record.address}`"
        )
    if record.status is RecordStatus.UNCERTAIN:
        return (
            "the create's outcome is unknown: Braze may or may not hold this schedule; find "
            f"out, then `braze-reconciler state resolve {record.address}`"
        )
    return (
        f"the outcome of the last {record.unknown_outcome} is unknown: Braze may hold the "
        f"schedule before or after it; the next apply repeats the {record.unknown_outcome}"
    )


def _create_words(change: Change, record: Record | None, words: Words) -> str:
    if record is None and change.recorded_status is None:
        where = f" at {change.source}" if change.source else ""
        return f"declared{where}, not applied yet: apply creates it"
    reasons = "; ".join(words.reason(reason) for reason in change.reasons)
    return f"{reasons}: apply creates it" if reasons else "apply creates it"


def _moved(before: _Timing | None, after: _Timing | None) -> str | None:
    if before is None or after is None or (before.mode, before.time) == (after.mode, after.time):
        return None
    delta = after.first - before.first
    if delta == timedelta(0):
        return "now sent " + _MODE_WORDS.get(after.mode, after.mode)
    sign = "+" if delta > timedelta(0) else "-"
    return f"moved {sign}{format_duration(delta)}"


_MODE_WORDS = {
    "utc": "at one instant (UTC)",
    "local": "in each user's local time",
    "optimal": "at each user's optimal time",
}


def _change_words(change: Change, record: Record, moved: str | None, words: Words) -> str:
    if change.action is Action.DELETE and change.lifecycle is Lifecycle.SENDING:
        # Not "apply cancels this send": without --allow-late apply refuses, and with it
        # only the zones not reached yet are cancelled.
        return (
            "no longer in the manifests, and sending in some zones: only `apply --allow-late` "
            "stops it (an emergency stop: Braze cancels the zones not reached yet, best effort)"
        )
    if change.action is Action.DELETE:
        return "no longer in the manifests: apply cancels this send"
    if record.status is RecordStatus.ADOPTED:
        return "adopted by import: apply sends the manifest's schedule so that Braze matches it"
    reasons = [words.reason(r) for r in change.reasons if not (moved and r == SCHEDULE_CHANGED)]
    if moved:
        reasons.insert(0, moved)
    said = "; ".join(reasons) or "changed"
    if change.action is Action.REPLACE:
        return f"the manifests differ from what was applied ({said}): apply replaces it"
    if NoteCode.LEDGER_ONLY in change.notes:
        return f"{said}: apply records it in the ledger (no call to Braze)"
    return f"the manifests differ from what was applied ({said}): apply updates it"


def _blocked(change: Change, words: str) -> str:
    if change.blocked is None or _stop_needs_allow_late(change):
        return words
    return f"{words}; blocked ({change.blocked.code.value}): {change.blocked.reason}"


def _stop_needs_allow_late(change: Change) -> bool:
    """The sending gate of a delete: the words already say it takes --allow-late."""
    return (
        change.action is Action.DELETE
        and change.blocked is not None
        and change.blocked.code is BlockCode.SENDING
    )
