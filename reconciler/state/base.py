"""The ledger seam: what the reconciler remembers about every schedule it manages.

Braze cannot list or read back schedules created through its API, and its create call has no
idempotency key, so the ledger is the memory of the whole tool. A ``StateStore`` is bound to
one workspace (``--workspace``) of one database (``--state URL``); SQLite and PostgreSQL
implement it with the same schema and the same behaviour.

Rules every store keeps:

- Each write is one small transaction; nothing ever rewrites the whole state.
- Every write increments the workspace ``serial`` (saved plans record it), except
  ``set_metadata``: what ``doctor`` learnt of Braze is not what a plan is made from, and a
  ledger that only ``doctor`` has written to must still say it is new (serial 0).
- ``begin`` (the intent) is durable before the caller makes the HTTP call; ``complete``
  records the outcome and the new record in the same transaction.
- An intent left without an outcome (the process died) means the call may have happened:
  ``recover_interrupted`` turns it into an ``uncertain`` record (create) or an
  ``unknown_outcome`` mark (update, delete), and closes the intent as ``interrupted``.
- Methods are safe to call from several threads of one process.
- Previews (``preview``) have a journal of their own, beside the records: a preview is not a
  schedule, so nothing the planner or ``recover_interrupted`` reads ever holds one, and its
  writes leave the serial alone (a saved plan stays valid across previews).
"""

from __future__ import annotations

import abc
import dataclasses
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from reconciler.canonical import canonical_json, content_hash
from reconciler.timeutil import Clock, parse_iso


class RecordStatus(StrEnum):
    ACTIVE = "active"
    """Created (or updated) in Braze; its body is what was last applied."""
    ADOPTED = "adopted"
    """Imported by schedule id (``import``): the body in Braze is not known."""
    UNCERTAIN = "uncertain"
    """A create's outcome is unknown: Braze may or may not hold a schedule for it."""
    FIRED = "fired"
    """Forgotten after its send time: kept as a tombstone, never sent to Braze again."""
    VANISHED = "vanished"
    """Braze answered "unknown schedule" to an update or delete: deleted outside this tool,
    or the key or the stored id is wrong. Kept (a create would make a second schedule while
    the first may still send) and blocked until a person settles it (``state resolve``)."""


RENAME = "rename"
"""The journal's action for a record moved to a new address (``move``): no call to Braze."""
LEDGER_ENDPOINT = "(ledger only)"
"""The journal's endpoint for an edit of the ledger alone."""
METADATA = "metadata"
"""The journal's action for a value recorded in the workspace's metadata (``set_metadata``)."""


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Braze answered with an error that proves nothing changed."""
    UNKNOWN = "unknown"
    """No usable answer: the call may or may not have taken effect."""
    INTERRUPTED = "interrupted"
    """The process died between intent and outcome (set by ``recover_interrupted``)."""


@dataclasses.dataclass(frozen=True)
class Record:
    """One managed resource, as last applied."""

    address: str
    kind: str
    status: RecordStatus
    parent_id: str | None = None
    """``campaign_id`` or ``canvas_id``: trigger schedule update and delete need it."""
    schedule_id: str | None = None
    dispatch_id: str | None = None
    body: Mapping[str, Any] | None = None
    """The create body last applied (as sent to Braze); None when adopted."""
    body_hash: str | None = None
    schedule_time: str | None = None
    """``schedule.time`` as sent (``...Z`` for UTC, naive for local and optimal time)."""
    schedule_mode: str | None = None
    """``utc``, ``local`` or ``optimal``."""
    protect: bool = False
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    notices: tuple[str, ...] = ()
    """Non-fatal ``errors`` and ``notice`` texts Braze returned for the last call."""
    unknown_outcome: str | None = None
    """``update`` or ``delete`` when the last such call's outcome is unknown."""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``state export``): times as ISO 8601, enums as strings."""
        return {
            "address": self.address,
            "kind": self.kind,
            "status": self.status.value,
            "parent_id": self.parent_id,
            "schedule_id": self.schedule_id,
            "dispatch_id": self.dispatch_id,
            # Through canonical JSON: a detached copy made only of JSON types.
            "body": None if self.body is None else json.loads(canonical_json(self.body)),
            "body_hash": self.body_hash,
            "schedule_time": self.schedule_time,
            "schedule_mode": self.schedule_mode,
            "protect": self.protect,
            "labels": dict(self.labels),
            "notices": list(self.notices),
            "unknown_outcome": self.unknown_outcome,
            "created_at": None if self.created_at is None else iso_utc(self.created_at),
            "updated_at": None if self.updated_at is None else iso_utc(self.updated_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        """The inverse of ``to_dict``; raises ``ValueError`` naming the field at fault."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a record must be an object, not {type(data).__name__}")
        unknown = sorted(set(data) - _RECORD_FIELDS)
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(map(str, unknown))}")
        for required in ("address", "kind", "status"):
            if required not in data:
                raise ValueError(f"missing field {required!r}")
        status = _string(data, "status")
        try:
            record_status = RecordStatus(status)
        except ValueError:
            allowed = ", ".join(s.value for s in RecordStatus)
            raise ValueError(f"status: {status!r} is not one of {allowed}") from None
        protect = data.get("protect", False)
        if not isinstance(protect, bool):
            raise ValueError("protect: must be true or false")
        body = data.get("body")
        if body is not None and not isinstance(body, Mapping):
            raise ValueError("body: must be an object or null")
        labels = data.get("labels", {})
        if not isinstance(labels, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            raise ValueError("labels: must be an object of strings")
        notices = data.get("notices", [])
        if not isinstance(notices, list) or not all(isinstance(n, str) for n in notices):
            raise ValueError("notices: must be a list of strings")
        address = _string(data, "address")
        if not address:
            raise ValueError("address: must not be empty")
        return cls(
            address=address,
            kind=_string(data, "kind"),
            status=record_status,
            parent_id=_optional_string(data, "parent_id"),
            schedule_id=_optional_string(data, "schedule_id"),
            dispatch_id=_optional_string(data, "dispatch_id"),
            body=None if body is None else dict(body),
            body_hash=_optional_string(data, "body_hash"),
            schedule_time=_optional_string(data, "schedule_time"),
            schedule_mode=_optional_string(data, "schedule_mode"),
            protect=protect,
            labels=dict(labels),
            notices=tuple(notices),
            unknown_outcome=_optional_string(data, "unknown_outcome"),
            created_at=_optional_instant(data, "created_at"),
            updated_at=_optional_instant(data, "updated_at"),
        )


_RECORD_FIELDS = frozenset(field.name for field in dataclasses.fields(Record))


def iso_utc(instant: datetime) -> str:
    """ISO 8601 in UTC with ``Z``, microseconds kept when present (so it round-trips)."""
    if instant.tzinfo is None:
        raise ValueError(f"{instant!r} is naive; the ledger keeps aware UTC instants only")
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _string(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a string, not {type(value).__name__}")
    return value


def _optional_string(data: Mapping[str, Any], name: str) -> str | None:
    return None if data.get(name) is None else _string(data, name)


def _optional_instant(data: Mapping[str, Any], name: str) -> datetime | None:
    text = _optional_string(data, name)
    if text is None:
        return None
    try:
        parsed = parse_iso(text)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{name}: {text!r} has no UTC offset; write it with Z")
    return parsed.astimezone(UTC)


def process_holder() -> str:
    """``user@host pid N (ns TAG)`` for this process: what a lock shows as its holder."""
    return holder_of(os.getpid())


def holder_of(pid: int) -> str:
    """The holder text of process ``pid`` of this host and pid namespace."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # containers often run as a uid without a passwd entry
        user = "unknown"
    tag = pid_space_tag()
    return f"{user}@{socket.gethostname()} pid {pid}" + (f" (ns {tag})" if tag else "")


def pid_space_tag() -> str:
    """A short tag of this boot and pid namespace ("" where /proc cannot tell).

    Host names repeat (a container on host networking, fixed names in compose files) and
    each container has its own pids: a pid can be checked only from the same boot and
    namespace, which this tag, written in the holder, lets a later process recognise.
    """
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as boot:
            space = f"{boot.read().strip()} {os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return ""
    return hashlib.sha256(space.encode()).hexdigest()[:8]


@dataclasses.dataclass(frozen=True)
class Intent:
    """A mutating call, recorded before it is made; its outcome is filled in after."""

    intent_id: int
    address: str
    kind: str
    action: str
    """The API call: ``create``, ``update`` or ``delete``."""
    endpoint: str
    """The Braze path, e.g. ``/messages/schedule/create``."""
    body: Mapping[str, Any]
    """The request body as sent (it never contains the API key)."""
    body_hash: str
    started_at: datetime
    run_id: str
    outcome: Outcome | None = None
    message: str | None = None
    finished_at: datetime | None = None


PREVIEW = "preview"
"""The action of a preview's journal entry: an immediate send to a test group."""


@dataclasses.dataclass(frozen=True)
class PreviewEntry(Intent):
    """A preview send, journaled like a create (its ``action`` is ``preview``): written
    before the call, its outcome after, in a journal of its own.

    Never a record: the planner does not read previews, so a preview can never make it think
    a schedule exists. ``started_at`` is the instant the preview ran at (``--now``, else the
    clock), which dates deduplication. One without an outcome (its run died) may have been
    sent."""

    test_group: str = ""
    """The group it was sent to (``test_group/marketing-team``)."""
    dispatch_id: str | None = None

    @property
    def may_have_sent(self) -> bool:
        """Sent, or of unknown outcome (no answer, or no outcome recorded): the safe reading
        for a send that must not go out twice."""
        return self.outcome in (None, Outcome.SUCCEEDED, Outcome.UNKNOWN, Outcome.INTERRUPTED)


BINDING_ADDRESS = "@workspace"
"""The journal address of the workspace's own events (binding, key rotation):
``state show @workspace`` lists them."""


@dataclasses.dataclass(frozen=True)
class WorkspaceInfo:
    name: str
    serial: int
    endpoint: str | None
    """The Braze endpoint the workspace was first applied against (None before that)."""
    key_salt: str | None
    key_fingerprint: str | None
    """A salted hash of the API key, never the key."""
    created_at: datetime | None


@dataclasses.dataclass(frozen=True)
class LockInfo:
    lock_id: str
    workspace: str
    operation: str
    holder: str
    """``user@host pid N``: enough for a person to find the process."""
    acquired_at: datetime


class StateStore(abc.ABC):
    """One workspace of one ledger database. See the module docstring for the rules."""

    workspace: str
    url: str
    """The store URL without any password."""
    clock: Clock
    """What stamps the ledger's times (records, intents, locks, the workspace)."""

    # -- workspace -------------------------------------------------------------------------
    @abc.abstractmethod
    def info(self) -> WorkspaceInfo:
        """The workspace's serial and binding (a fresh workspace has serial 0)."""

    @abc.abstractmethod
    def bind(
        self, endpoint: str, key_salt: str, key_fingerprint: str, *, note: str | None = None
    ) -> None:
        """Record the endpoint and key fingerprint (first apply), or update the fingerprint;
        ``note`` (who and why) is journaled at ``BINDING_ADDRESS`` in the same transaction."""

    @abc.abstractmethod
    def workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace of this database (two bound to one endpoint and key are refused)."""

    # -- metadata: facts about the workspace's Braze, by name ------------------------------
    @abc.abstractmethod
    def metadata(self, name: str) -> Any:
        """The JSON value recorded under ``name`` for the workspace, or None."""

    @abc.abstractmethod
    def set_metadata(self, name: str, value: Any, *, note: str) -> None:
        """Record ``value`` (JSON) under ``name``, replacing any earlier one, and journal it at
        ``BINDING_ADDRESS`` with ``note`` (who and why) in the same transaction."""

    # -- reads -----------------------------------------------------------------------------
    @abc.abstractmethod
    def records(self) -> dict[str, Record]:
        """Every record of the workspace, fired tombstones included, by address.

        One query: planning 10,000 resources must not make 10,000 round trips.
        """

    @abc.abstractmethod
    def get(self, address: str) -> Record | None: ...

    @abc.abstractmethod
    def intents(self, address: str | None = None, *, open_only: bool = False) -> list[Intent]:
        """The journal, oldest first; ``open_only`` gives intents without an outcome."""

    # -- the journal -----------------------------------------------------------------------
    @abc.abstractmethod
    def begin(
        self,
        *,
        address: str,
        kind: str,
        action: str,
        endpoint: str,
        body: Mapping[str, Any],
        body_hash: str,
        run_id: str,
    ) -> int:
        """Record an intent (durably) before a mutating call; return its id."""

    @abc.abstractmethod
    def complete(
        self,
        intent_id: int,
        outcome: Outcome,
        *,
        message: str | None = None,
        put: Record | None = None,
        drop: str | None = None,
    ) -> None:
        """Record an intent's outcome and, in the same transaction, upsert ``put`` and/or
        remove the record at address ``drop``."""

    @abc.abstractmethod
    def recover_interrupted(self, *, current_run_id: str | None = None) -> list[Intent]:
        """Close intents left open by dead runs (not ``current_run_id``).

        Create intents make their record ``uncertain`` (keeping the body that was sent);
        update and delete intents set the record's ``unknown_outcome``. Returns the intents.
        """

    # -- previews --------------------------------------------------------------------------
    @abc.abstractmethod
    def begin_preview(
        self,
        *,
        address: str,
        kind: str,
        test_group: str,
        endpoint: str,
        body: Mapping[str, Any],
        body_hash: str,
        run_id: str,
        at: datetime,
        unless_since: datetime | None,
    ) -> int | PreviewEntry:
        """Journal a preview (durably) before its call and return its id; or, when
        ``unless_since`` is given and the same body went to the same group through the same
        endpoint since then (and ``may_have_sent``), write nothing and return that preview.

        The read and the write are one transaction, serialised per workspace: two runs at
        the same moment cannot both send. The workspace lock is not taken (docs/decisions.md).
        """

    @abc.abstractmethod
    def recent_preview(
        self, test_group: str, endpoint: str, body_hash: str, since: datetime
    ) -> PreviewEntry | None:
        """The latest preview of this body to this group through this endpoint started after
        ``since`` that ``may_have_sent``; None when there is none (what ``begin_preview``
        skips for)."""

    @abc.abstractmethod
    def complete_preview(
        self,
        preview_id: int,
        outcome: Outcome,
        *,
        at: datetime,
        message: str | None = None,
        dispatch_id: str | None = None,
    ) -> None:
        """Record a preview's outcome (and the ``dispatch_id`` Braze answered)."""

    @abc.abstractmethod
    def previews(self, address: str | None = None) -> list[PreviewEntry]:
        """The preview journal, oldest first (of one resource when ``address`` is given)."""

    # -- direct edits (state commands, import) ---------------------------------------------
    @abc.abstractmethod
    def put(self, record: Record) -> None: ...

    @abc.abstractmethod
    def remove(self, address: str) -> bool:
        """Remove a record; False if there was none."""

    def move(self, record: Record, address: str, *, run_id: str) -> Record:
        """Move ``record`` to ``address`` (a rename), journaled under the new address.

        The record is written at the new address and dropped from the old one in the
        outcome's single transaction. A process that dies before it leaves an open
        ``rename`` intent and the record where it was: recovery closes the intent.
        """
        stamp = self.clock.now()
        moved = dataclasses.replace(record, address=address, updated_at=stamp)
        body = {"from": record.address, "to": address}
        intent = self.begin(
            address=address,
            kind=record.kind,
            action=RENAME,
            endpoint=LEDGER_ENDPOINT,
            body=body,
            body_hash=content_hash(body),
            run_id=run_id,
        )
        self.complete(
            intent,
            Outcome.SUCCEEDED,
            message=f"renamed from {record.address}",
            put=moved,
            drop=record.address,
        )
        return moved

    # -- locking ---------------------------------------------------------------------------
    on_lock_wait: Callable[[LockInfo, float, float], None] | None = None
    """Told while ``acquire_lock`` waits (at once, then every ``report_every`` seconds): the
    lock held, seconds waited, the timeout. The CLI prints it; a silent wait looks hung."""

    @abc.abstractmethod
    def acquire_lock(
        self,
        operation: str,
        holder: str,
        *,
        timeout: float = 0.0,
        report_every: float | None = None,
    ) -> LockInfo:
        """Take the workspace lock, waiting up to ``timeout`` seconds.

        Raises ``LedgerLockedError`` naming the holder when it is still held, at once when
        the holder is a process of this host that is gone (it will never release it).
        ``report_every`` (default ``locks.LOCK_WAIT_REPORT_SECONDS``) paces ``on_lock_wait``.
        """

    @abc.abstractmethod
    def release_lock(self, lock_id: str) -> None: ...

    @abc.abstractmethod
    def current_lock(self) -> LockInfo | None: ...

    @abc.abstractmethod
    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release a dead holder's lock; raises ``LedgerError`` if ``lock_id`` is not held."""

    @contextmanager
    def locked(self, operation: str, holder: str, *, timeout: float = 0.0) -> Iterator[LockInfo]:
        lock = self.acquire_lock(operation, holder, timeout=timeout)
        try:
            yield lock
        finally:
            self.release_lock(lock.lock_id)

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
