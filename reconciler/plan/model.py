"""The plan is data: ``Plan`` of ``Change``s, each with an ``Action``, round-tripping JSON.

Every renderer reads ``Plan.to_dict()``; ``apply --plan`` reads the reviewed file with
``Plan.from_dict()`` and applies a fresh plan only if it has the same changes and requests
(``reconciler.plan.compare``). Reasons and notes are for people; the applier acts only on
``action`` and ``requests``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from reconciler.sendtime import DEFAULT_FREEZE_WINDOW, Lifecycle

FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    FORGET = "forget"
    RENAME = "rename"
    """Move a ledger record to the resource's new name (``renamed_from``): no call to Braze."""
    NOOP = "noop"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.DELETE: "-",
    Action.FORGET: "#",
    Action.RENAME: ">",
    Action.NOOP: " ",
}

ACTION_ORDER = [
    Action.CREATE,
    Action.UPDATE,
    Action.REPLACE,
    Action.DELETE,
    Action.FORGET,
    Action.RENAME,
]


class BlockCode(StrEnum):
    PROTECTED = "protected"
    DESTROY_THRESHOLD = "destroy_threshold"
    FROZEN = "frozen"
    SENDING = "sending"
    PAST = "past"
    UNCERTAIN = "uncertain"
    RESEND = "resend"
    VANISHED = "vanished"


@dataclasses.dataclass(frozen=True)
class Blocked:
    code: BlockCode
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Blocked:
        return cls(BlockCode(data["code"]), str(data["reason"]))


@dataclasses.dataclass(frozen=True)
class Request:
    """One API call the change makes: ``call`` is create, update or delete."""

    call: str
    path: str
    body: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"call": self.call, "path": self.path, "body": dict(self.body)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Request:
        return cls(str(data["call"]), str(data["path"]), dict(data["body"]))


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """A field-level difference, for people: ``path`` like ``schedule.time``."""

    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        return cls(str(data["path"]), data.get("before"), data.get("after"))


@dataclasses.dataclass(frozen=True)
class Change:
    address: str
    kind: str
    action: Action
    before: Mapping[str, Any] | None = None
    """The body last applied (from the ledger), None for a create."""
    after: Mapping[str, Any] | None = None
    """The desired body (from the manifests), None for a delete or forget."""
    reasons: tuple[str, ...] = ()
    blocked: Blocked | None = None
    field_changes: tuple[FieldChange, ...] = ()
    requests: tuple[Request, ...] = ()
    schedule_id: str | None = None
    parent_id: str | None = None
    schedule_time: str | None = None
    schedule_mode: str | None = None
    before_schedule_time: str | None = None
    before_schedule_mode: str | None = None
    send_at: str | None = None
    """First send instant (UTC) of the schedule this change leaves or touches."""
    lifecycle: str | None = None
    protect: bool = False
    """The manifest's protect flag (the ledger's, for a delete or forget)."""
    recorded_protect: bool = False
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    source: str | None = None
    after_hash: str | None = None
    recorded_status: str | None = None
    """The ledger record's status (active, adopted, uncertain, fired), None if unrecorded."""
    recorded_unknown: str | None = None
    """``update`` or ``delete`` when the ledger's last such call has an unknown outcome."""
    previous_send: str | None = None
    """For a create: the time of this address's earlier schedule, which has already sent."""
    moved_from: str | None = None
    """The address whose ledger record this change moves here first (``renamed_from``)."""
    replace_requested: bool = False
    """A replace the person asked for (``--replace``): a delete answered "unknown schedule"
    then counts as done, since the repair is for a schedule changed or removed in Braze."""
    notes: tuple[str, ...] = ()

    @property
    def is_change(self) -> bool:
        return self.action is not Action.NOOP

    @property
    def is_housekeeping(self) -> bool:
        """A forget of a schedule that has sent: the ledger drops it, nothing in Braze
        changes, so it is nothing for a reviewer to approve."""
        return self.action is Action.FORGET and self.lifecycle == Lifecycle.SENT

    def evolve(self, **fields: Any) -> Change:
        return dataclasses.replace(self, **fields)

    def with_notes(self, *notes: str) -> Change:
        return dataclasses.replace(self, notes=self.notes + notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "action": self.action.value,
            "symbol": self.action.symbol,
            "housekeeping": self.is_housekeeping,
            "before": dict(self.before) if self.before is not None else None,
            "after": dict(self.after) if self.after is not None else None,
            "reasons": list(self.reasons),
            "blocked": self.blocked.to_dict() if self.blocked else None,
            "field_changes": [c.to_dict() for c in self.field_changes],
            "requests": [r.to_dict() for r in self.requests],
            "schedule_id": self.schedule_id,
            "parent_id": self.parent_id,
            "schedule_time": self.schedule_time,
            "schedule_mode": self.schedule_mode,
            "before_schedule_time": self.before_schedule_time,
            "before_schedule_mode": self.before_schedule_mode,
            "send_at": self.send_at,
            "lifecycle": self.lifecycle,
            "protect": self.protect,
            "recorded_protect": self.recorded_protect,
            "labels": dict(self.labels),
            "source": self.source,
            "after_hash": self.after_hash,
            "recorded_status": self.recorded_status,
            "recorded_unknown": self.recorded_unknown,
            "previous_send": self.previous_send,
            "moved_from": self.moved_from,
            "replace_requested": self.replace_requested,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        blocked = data.get("blocked")
        return cls(
            address=str(data["address"]),
            kind=str(data["kind"]),
            action=Action(data["action"]),
            before=data.get("before"),
            after=data.get("after"),
            reasons=tuple(data.get("reasons", ())),
            blocked=Blocked.from_dict(blocked) if blocked else None,
            field_changes=tuple(FieldChange.from_dict(c) for c in data.get("field_changes", ())),
            requests=tuple(Request.from_dict(r) for r in data.get("requests", ())),
            schedule_id=data.get("schedule_id"),
            parent_id=data.get("parent_id"),
            schedule_time=data.get("schedule_time"),
            schedule_mode=data.get("schedule_mode"),
            before_schedule_time=data.get("before_schedule_time"),
            before_schedule_mode=data.get("before_schedule_mode"),
            send_at=data.get("send_at"),
            lifecycle=data.get("lifecycle"),
            protect=bool(data.get("protect", False)),
            recorded_protect=bool(data.get("recorded_protect", False)),
            labels=dict(data.get("labels") or {}),
            source=data.get("source"),
            after_hash=data.get("after_hash"),
            recorded_status=data.get("recorded_status"),
            recorded_unknown=data.get("recorded_unknown"),
            previous_send=data.get("previous_send"),
            moved_from=data.get("moved_from"),
            replace_requested=bool(data.get("replace_requested", False)),
            notes=tuple(data.get("notes", ())),
        )


@dataclasses.dataclass(frozen=True)
class PlanOptions:
    freeze_window_seconds: int = int(DEFAULT_FREEZE_WINDOW.total_seconds())
    allow_late: bool = False
    allow_destroy: bool = False
    allow_resend: bool = False
    targets: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()
    """Addresses to delete and create again (``--replace``), even when unchanged."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {
            "targets": list(self.targets),
            "replace": list(self.replace),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanOptions:
        return cls(
            freeze_window_seconds=int(data.get("freeze_window_seconds", 900)),
            allow_late=bool(data.get("allow_late", False)),
            allow_destroy=bool(data.get("allow_destroy", False)),
            allow_resend=bool(data.get("allow_resend", False)),
            targets=tuple(data.get("targets", ())),
            replace=tuple(data.get("replace", ())),
        )


def summary_line(counts: Mapping[str, int]) -> str:
    """``Plan: 1 to create, ...``: from ``Plan.counts()`` or the dict form's ``summary``.

    Renames are named only when there are some: most plans have none, and a plan of renames
    alone must not read as all zeros."""
    renames = counts.get("rename", 0)
    return (
        "Plan: "
        + (f"{renames} to rename, " if renames else "")
        + f"{counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete, "
        f"{counts['forget']} to forget."
    )


@dataclasses.dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    now: str
    """The instant the time rules were evaluated at (``--now`` or the clock)."""
    options: PlanOptions = PlanOptions()
    managed: int = 0
    """Resources the ledger manages (not fired), for the destroy threshold."""
    workspace: str | None = None
    endpoint: str | None = None
    serial: int | None = None
    manifests_digest: str | None = None
    created_at: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def pending(self) -> list[Change]:
        """Changes that would do something (not no-ops)."""
        return [c for c in self.changes if c.is_change]

    @property
    def blocked(self) -> list[Change]:
        return [c for c in self.changes if c.blocked is not None]

    @property
    def has_changes(self) -> bool:
        return any(c.is_change for c in self.changes)

    @property
    def needs_review(self) -> bool:
        """Changes beyond housekeeping: what ``plan --detailed-exitcode`` exits 2 for."""
        return any(c.is_change and not c.is_housekeeping for c in self.changes)

    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in ACTION_ORDER}
        for change in self.changes:
            if change.is_change:
                counts[change.action.value] += 1
        return counts

    def summary_line(self) -> str:
        return summary_line(self.counts())

    def to_dict(self, *, noop_bodies: bool = True) -> dict[str, Any]:
        """The plan's dict form. ``noop_bodies=False`` leaves the bodies of no-op changes out:
        the text and Markdown renderers do not show them, and decoding 10,000 stored bodies
        would cost more than the whole plan."""
        return {
            "format_version": FORMAT_VERSION,
            "now": self.now,
            "created_at": self.created_at,
            "workspace": self.workspace,
            "endpoint": self.endpoint,
            "serial": self.serial,
            "manifests_digest": self.manifests_digest,
            "options": self.options.to_dict(),
            "managed": self.managed,
            "summary": self.counts(),
            "has_changes": self.has_changes,
            "blocked": len(self.blocked),
            "warnings": list(self.warnings),
            "changes": [
                c.to_dict() if noop_bodies or c.is_change else c.evolve(before=None).to_dict()
                for c in self.changes
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {version!r} (this tool reads 1)")
        return cls(
            changes=tuple(Change.from_dict(c) for c in data["changes"]),
            now=str(data["now"]),
            options=PlanOptions.from_dict(data.get("options") or {}),
            managed=int(data.get("managed", 0)),
            workspace=data.get("workspace"),
            endpoint=data.get("endpoint"),
            serial=data.get("serial"),
            manifests_digest=data.get("manifests_digest"),
            created_at=data.get("created_at"),
            warnings=tuple(data.get("warnings", ())),
        )
