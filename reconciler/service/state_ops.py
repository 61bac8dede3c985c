"""Ledger reads and edits a person asks for: ``import`` (adopt), ``state list|show``, and
``state resolve|mv|rm|export|import-json|rebind-key|force-unlock``.

Each edit runs under the workspace lock and writes one small transaction; Braze is not called.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler import binding
from reconciler.braze.models.ids import SCHEDULE_ID_HINT, schedule_id_problem
from reconciler.errors import UsageError
from reconciler.kinds import SCHEDULE_KINDS, Kind
from reconciler.manifest.resource import parse_address
from reconciler.service.base import ServiceBase, load_desired
from reconciler.service.ledger import recorded
from reconciler.state.base import (
    Intent,
    LockInfo,
    PreviewEntry,
    Record,
    RecordStatus,
    StateStore,
)
from reconciler.state.transfer import export_records, import_records
from reconciler.timeutil import format_duration, format_utc


@dataclasses.dataclass(frozen=True)
class Listing:
    """``state list``: every record (fired tombstones included), by address."""

    records: dict[str, Record]
    serial: int
    url: str


@dataclasses.dataclass(frozen=True)
class History:
    """``state show``: an address's record (None once removed), its journal of calls and the
    previews of its message sent to test groups."""

    record: Record | None
    journal: list[Intent]
    previews: list[PreviewEntry]


class LedgerEdits(ServiceBase):
    def listing(self) -> Listing:
        with self.open_ledger() as store:
            return Listing(store.records(), store.info().serial, store.url)

    def history(self, address: str) -> History:
        with self.open_ledger() as store:
            found = History(store.get(address), store.intents(address), store.previews(address))
        if found.record is None and not found.journal and not found.previews:
            raise UsageError(f"{address} is not in the ledger")
        return found

    def adopt(
        self, address: str, schedule_id: str, paths: Sequence[str], *, lock_timeout: float
    ) -> Record:
        """``import ADDRESS SCHEDULE_ID``: take an existing Braze schedule under management.

        Braze cannot be read back, so the record is ``adopted`` with no body; the next plan
        offers an update that makes Braze's schedule (and messages) match the manifest.
        """
        kind = _check_address(address)
        if not kind.facts.has_schedule:
            prefixes = ", ".join(k.prefix for k in Kind if k in SCHEDULE_KINDS)
            raise UsageError(f"{address}: only schedules can be imported ({prefixes})")
        _, desired = load_desired(paths, self.current_time(), selection=self.selection())
        resource = desired.get(address)
        if resource is None:
            raise UsageError(
                f"{address} is not declared in the manifests ({', '.join(paths)})",
                hint="write its manifest first, so the ledger knows what it should be",
            )
        _check_schedule_id(schedule_id)
        with self.edit_ledger("import", lock_timeout) as store:
            existing = store.get(address)
            if existing is not None and existing.status is not RecordStatus.FIRED:
                raise UsageError(
                    f"{address} is already in the ledger ({existing.status.value}, schedule_id "
                    f"{existing.schedule_id})",
                    hint=f"remove it first with `braze-reconciler state rm {address}`",
                )
            _refuse_held_id(store, address, schedule_id)
            stamp = self.clock.now()
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

    def resolve(
        self, address: str, *, schedule_id: str | None, absent: bool, lock_timeout: float
    ) -> tuple[Record | None, list[str]]:
        """Settle an uncertain create, a delete of unknown outcome, or a vanished record: the
        schedule exists (with this id) or it does not. Returns the record (None when absent)
        and warnings."""
        _check_address(address)
        if (schedule_id is None) == (not absent):
            raise UsageError("give exactly one of --schedule-id ID and --absent")
        if schedule_id is not None:
            _check_schedule_id(schedule_id)
        with self.edit_ledger("state resolve", lock_timeout, recover=True) as store:
            record = recorded(store, address)
            unsettled_delete = record.unknown_outcome == "delete"
            if record.status not in _RESOLVABLE and not unsettled_delete:
                raise UsageError(
                    f"{address} is {record.status.value}, not uncertain or vanished: nothing to "
                    "resolve"
                )
            if absent:
                warning = early_absent_warning(store, address, self.clock.now())
                store.remove(address)
                return None, [warning] if warning else []
            assert schedule_id is not None  # exactly one of the two was given
            _refuse_held_id(store, address, schedule_id)
            # A vanished record's schedule, found again, may hold another body than the last
            # one sent: adopted, so that the next plan sends an update making Braze match.
            status = RecordStatus.ADOPTED if record.status is RecordStatus.VANISHED else None
            resolved = dataclasses.replace(
                record,
                status=status or RecordStatus.ACTIVE,
                schedule_id=schedule_id,
                body=None if status else record.body,
                body_hash=None if status else record.body_hash,
                unknown_outcome=None,
                updated_at=self.clock.now(),
            )
            store.put(resolved)
            return resolved, []

    def move(self, old: str, new: str, *, lock_timeout: float) -> Record:
        """``state mv OLD NEW``: what ``renamed_from`` does, by hand: the record (schedule id,
        body last applied) moves to the new address; Braze is not called."""
        kind = _check_address(old)
        new_kind = _check_address(new)
        if kind != new_kind:
            raise UsageError(
                f"{old} is a {kind} and {new} a {new_kind}: a record moves within its kind",
                hint=f"keep the prefix: {old.partition('/')[0]}/{new.partition('/')[2]}",
            )
        if old == new:
            raise UsageError(f"{old} and {new} are the same address: nothing to move")
        with self.edit_ledger("state mv", lock_timeout, recover=True) as store:
            record = recorded(store, old, hint="`state list --all` shows its addresses")
            target = store.get(new)
            if target is not None and target.status is not RecordStatus.FIRED:
                raise UsageError(
                    f"{new} is already in the ledger ({target.status.value}, schedule_id "
                    f"{target.schedule_id}): moving {old} there would lose one of them",
                    hint=f"if {new}'s record is stale, remove it first with "
                    f"`braze-reconciler state rm {new}`",
                )
            return store.move(record, new, run_id=uuid.uuid4().hex[:12])

    def remove(self, address: str, *, lock_timeout: float) -> Record:
        _check_address(address)
        with self.edit_ledger("state rm", lock_timeout) as store:
            record = recorded(store, address)
            store.remove(address)
            return record

    def export(self) -> dict[str, Any]:
        with self.open_ledger() as store:
            return export_records(store)

    def import_json(self, path: Path, *, lock_timeout: float) -> int:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise UsageError(f"{path} is not JSON: {exc}") from None
        except RecursionError:
            raise UsageError(
                f"{path} is nested too deeply to be a ledger export",
                hint="give the file `braze-reconciler state export --out FILE` wrote",
            ) from None
        with self.edit_ledger("state import-json", lock_timeout) as store:
            return import_records(store, data)

    def rebind_key(self, *, allow_shared_key: bool, lock_timeout: float) -> bool:
        """``state rebind-key``: True when the fingerprint changed (and was journaled)."""
        endpoint = self.settings.require_endpoint()
        api_key = self.settings.api_key()
        with self.edit_ledger("state rebind-key", lock_timeout) as store:
            return binding.rebind_key(store, endpoint, api_key, allow_shared_key=allow_shared_key)

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release a dead holder's lock; returns the lock released."""
        with self.open_ledger() as store:
            return store.force_unlock(lock_id)


_RESOLVABLE = frozenset({RecordStatus.UNCERTAIN, RecordStatus.VANISHED})


def _check_address(address: str) -> Kind:
    try:
        kind, _ = parse_address(address)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return kind


def _check_schedule_id(schedule_id: str) -> None:
    problem = schedule_id_problem(schedule_id)
    if problem is not None:
        raise UsageError(problem, hint=SCHEDULE_ID_HINT)


def _refuse_held_id(store: StateStore, address: str, schedule_id: str) -> None:
    """One Braze schedule, one record: a second record holding an id would let one resource's
    update or delete overwrite or cancel another's live send."""
    for other in store.records().values():
        if (
            other.address != address
            and other.schedule_id == schedule_id
            and other.status is not RecordStatus.FIRED
        ):
            raise UsageError(
                f"schedule_id {schedule_id} already belongs to {other.address} "
                f"({other.status.value}): one Braze schedule cannot be two resources",
                hint=f"check the id in Braze; `braze-reconciler state show {other.address}` "
                "shows that record",
            )


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
