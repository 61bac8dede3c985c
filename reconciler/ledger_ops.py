"""Ledger edits a person asks for: import (adopt), resolve, rm, export and import-json.

Each runs under the workspace lock and writes one small transaction.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler.engine import load_desired, open_ledger
from reconciler.errors import UsageError
from reconciler.manifest.resource import SCHEDULE_KINDS, parse_address
from reconciler.settings import Settings
from reconciler.state.base import LockInfo, Record, RecordStatus, StateStore, process_holder
from reconciler.state.transfer import export_records, import_records
from reconciler.timeutil import format_duration, format_utc


def _locked(store: StateStore, operation: str, timeout: float) -> AbstractContextManager[LockInfo]:
    return store.locked(operation, process_holder(), timeout=timeout)


def _check_address(address: str) -> str:
    try:
        kind, _ = parse_address(address)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return kind


def adopt(
    settings: Settings,
    address: str,
    schedule_id: str,
    paths: Sequence[str],
    now: datetime,
    lock_timeout: float,
) -> Record:
    """``import ADDRESS SCHEDULE_ID``: take an existing Braze schedule under management.

    Braze cannot be read back, so the record is ``adopted`` with no body; the next plan offers
    an update that makes Braze's schedule (and messages) match the manifest.
    """
    kind = _check_address(address)
    if kind not in SCHEDULE_KINDS:
        raise UsageError(
            f"{address}: only schedules can be imported (scheduled_message, campaign_schedule, "
            "canvas_schedule)"
        )
    _, desired = load_desired(paths, now)
    resource = desired.get(address)
    if resource is None:
        raise UsageError(
            f"{address} is not declared in the manifests ({', '.join(paths)})",
            hint="write its manifest first, so the ledger knows what it should be",
        )
    with (
        open_ledger(settings) as store,
        _locked(store, "import", lock_timeout),
    ):
        existing = store.get(address)
        if existing is not None and existing.status is not RecordStatus.FIRED:
            raise UsageError(
                f"{address} is already in the ledger ({existing.status.value}, schedule_id "
                f"{existing.schedule_id})",
                hint=f"remove it first with `braze-reconciler state rm {address}`",
            )
        stamp = datetime.now(UTC)
        record = Record(
            address=address,
            kind=kind,
            status=RecordStatus.ADOPTED,
            parent_id=resource.parent_id,
            schedule_id=schedule_id,
            schedule_time=resource.schedule_time,
            schedule_mode=resource.schedule_mode,
            protect=resource.protect,
            labels=dict(resource.labels),
            created_at=stamp,
            updated_at=stamp,
        )
        store.put(record)
        return record


SETTLE_MARGIN = timedelta(minutes=5)
"""After the request timeout, how long a request Braze received may still take to land."""


def settle_time() -> timedelta:
    """How long after an uncertain call its outcome can be taken as final: the client gives up
    after the default request timeout, yet Braze may still be working on what it received
    (a schedule was seen landing seconds after a timeout)."""
    from reconciler.braze.client import Timeouts

    return timedelta(seconds=Timeouts().read) + SETTLE_MARGIN


def early_absent_warning(store: StateStore, address: str, now: datetime) -> str | None:
    """A warning when ``--absent`` comes before the last call of ``address`` has settled."""
    calls = store.intents(address)
    if not calls:
        return None
    last = calls[-1]
    settled_at = last.started_at + settle_time()
    if now >= settled_at:
        return None
    return (
        f"the {last.action} of {address} was sent at {format_utc(last.started_at)}, "
        f"{format_duration(now - last.started_at)} ago: a slow request can still land in "
        f"Braze until about {format_utc(settled_at)} (the request timeout plus "
        f"{format_duration(SETTLE_MARGIN)}); check Braze again after that. If the schedule "
        f"appears, record it with `braze-reconciler import {address} SCHEDULE_ID`"
    )


def resolve(
    settings: Settings,
    address: str,
    *,
    schedule_id: str | None,
    absent: bool,
    lock_timeout: float,
) -> tuple[Record | None, list[str]]:
    """Settle an uncertain create, or a delete of unknown outcome: the schedule exists (with
    this id) or it does not. Returns the record (None when absent) and warnings."""
    _check_address(address)
    if (schedule_id is None) == (not absent):
        raise UsageError("give exactly one of --schedule-id ID and --absent")
    with (
        open_ledger(settings) as store,
        _locked(store, "state resolve", lock_timeout),
    ):
        store.recover_interrupted()
        record = store.get(address)
        if record is None:
            raise UsageError(f"{address} is not in the ledger")
        unsettled_delete = record.unknown_outcome == "delete"
        if record.status is not RecordStatus.UNCERTAIN and not unsettled_delete:
            raise UsageError(
                f"{address} is {record.status.value}, not uncertain: nothing to resolve"
            )
        if absent:
            warning = early_absent_warning(store, address, datetime.now(UTC))
            store.remove(address)
            return None, [warning] if warning else []
        resolved = dataclasses.replace(
            record,
            status=RecordStatus.ACTIVE,
            schedule_id=schedule_id,
            unknown_outcome=None,
            updated_at=datetime.now(UTC),
        )
        store.put(resolved)
        return resolved, []


def remove(settings: Settings, address: str, lock_timeout: float) -> Record:
    _check_address(address)
    with (
        open_ledger(settings) as store,
        _locked(store, "state rm", lock_timeout),
    ):
        record = store.get(address)
        if record is None:
            raise UsageError(f"{address} is not in the ledger")
        store.remove(address)
        return record


def export(settings: Settings) -> dict[str, Any]:
    with open_ledger(settings) as store:
        return export_records(store)


def import_json(settings: Settings, path: Path, lock_timeout: float) -> int:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None
    with (
        open_ledger(settings) as store,
        _locked(store, "state import-json", lock_timeout),
    ):
        return import_records(store, data)


def force_unlock(settings: Settings, lock_id: str) -> str:
    with open_ledger(settings) as store:
        released = store.force_unlock(lock_id)
        since = f"{released.acquired_at:%Y-%m-%d %H:%M:%SZ}"
        return f"{released.holder} ({released.operation}, since {since})"
