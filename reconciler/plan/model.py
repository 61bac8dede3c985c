"""The plan is data: a ``Plan`` of ``Change``s, typed pydantic models (frozen).

Every field is typed: the action, the kind, the lifecycle, the ledger's status and each
request's call are enums; send instants and the plan's times are aware datetimes; why a change
has its action is a ``Reason`` code with its parameters, and what code decides on in a note is
a ``NoteCode``. Their words live in ``reconciler.render.reasons``; no decision reads words.

The JSON form (``plan --format json``, ``plan --out``) is the model's own dump, made by
``reconciler.render.json_render.plan_document``: instants as ``2026-11-27T09:00:00Z``, and, for
the people who read it, the words of each reason and note, each action's ``symbol``, whether a
change is ``housekeeping``, and the plan's ``summary``, ``has_changes`` and ``blocked`` count.
Those are derived: read back (``apply --plan``, ``reconciler.plan.planfile``), they are checked
for their type and dropped, since the applying side plans again and decides on its own codes
(``reconciler.plan.compare``). Everything else is read back strictly: an unknown field or a
wrong type is refused, naming the field.

The planner is the trusted producer: it builds its changes with ``model_construct`` (10,000
of them in a plan; validating each would cost more than the planning), with the right types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    FieldSerializationInfo,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from reconciler.kinds import Kind
from reconciler.plan.jsonform import Array, Body, Instant, without_derived
from reconciler.sendtime import DEFAULT_FREEZE_WINDOW, Lifecycle, ScheduleMode
from reconciler.state.base import RecordStatus

FORMAT_VERSION: Final = 1


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


class ReasonCode(StrEnum):
    """Why a change has its action (``Reason``); the words are ``render.reasons``'."""

    NOT_RECORDED = "not_recorded"
    """create: declared, not in the ledger."""
    NOT_DECLARED = "not_declared"
    """delete: in the ledger, no longer in the manifests."""
    SEND_ID_NOT_DECLARED = "send_id_not_declared"
    """forget: a send id no longer declared (Braze cannot delete one)."""
    SEND_ID_CHANGED = "send_id_changed"
    """create: a send id cannot be changed in Braze, so a new one is made."""
    SENT = "sent"
    """forget: the schedule of ``time`` has sent."""
    SENT_KEPT = "sent_kept"
    """noop: the manifest of a schedule that has sent, kept in git."""
    RESEND = "resend"
    """create: the earlier schedule of this address (``time``) has sent; this sends again."""
    FIELD_CHANGED = "field_changed"
    """update: the body's ``field`` changed."""
    FIXED_FIELD_CHANGED = "fixed_field_changed"
    """replace: the body's ``field`` changed, which Braze cannot update."""
    MESSAGES_REMOVED = "messages_removed"
    """replace: the messages were removed, which an update cannot do."""
    PROTECT_SET = "protect_set"
    PROTECT_REMOVED = "protect_removed"
    LABELS_CHANGED = "labels_changed"
    ADOPTED = "adopted"
    """update: imported by schedule id; Braze cannot be read back."""
    UPDATE_UNKNOWN = "update_unknown"
    """update: the last update's outcome is unknown; it is sent again."""
    DELETE_UNKNOWN = "delete_unknown"
    """create: the last delete's outcome is unknown; the schedule may be gone."""
    UNCERTAIN = "uncertain"
    """The last create's outcome is unknown."""
    UNCERTAIN_SENT = "uncertain_sent"
    """forget: an uncertain create whose send time has passed."""
    VANISHED = "vanished"
    """Braze did not know the record's schedule id at the last apply."""
    VANISHED_SENT = "vanished_sent"
    """forget: a vanished record whose send time has passed."""
    REPLACE_REQUESTED = "replace_requested"
    """replace: ``--replace`` asked for it."""
    RENAMED = "renamed"
    """The record moves here from ``address`` (``renamed_from``)."""


class NoteCode(StrEnum):
    """Something more a person should know of a change; the words are ``render.reasons``'."""

    LEDGER_ONLY = "ledger_only"
    """Only the ledger changes: no call to Braze."""
    SEND_ID_LEDGER_ONLY = "send_id_ledger_only"
    """An adopted send id: only the ledger changes, a send id has nothing to update."""
    ADOPTED_UPDATE = "adopted_update"
    """The update of an adopted schedule sends what the manifest says; the rest is assumed."""
    EMERGENCY_STOP = "emergency_stop"
    """The delete of a sending schedule cancels only the zones not reached yet."""
    RENAME_REPLACES = "rename_replaces"
    """A rename with fields Braze cannot update: it deletes and creates after all."""


class Call(StrEnum):
    """The Braze call a request makes (each kind's path for it: ``reconciler.kinds``)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class PlanModel(BaseModel):
    """Frozen, and strict when read: no unknown field, no value of another type."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Blocked(PlanModel):
    code: BlockCode
    reason: str
    """For people (made by ``plan.safety``, which knows the figures); code reads ``code``."""


class Request(PlanModel):
    """One API call the change makes."""

    call: Call
    path: str
    body: Body


class FieldChange(PlanModel):
    """A field-level difference, for people: ``path`` like ``schedule.time``."""

    path: str
    before: Any = None
    after: Any = None


class Reason(PlanModel):
    """Why a change has its action: a code, and what it is about."""

    code: ReasonCode
    field: str | None = None
    """The top-level body field that changed (``field_changed``, ``fixed_field_changed``)."""
    time: str | None = None
    """The schedule time, as written, of the schedule that has sent (``sent``, ``resend``)."""
    address: str | None = None
    """The address the record moves from (``renamed``)."""


SCHEDULE_CHANGED = Reason(code=ReasonCode.FIELD_CHANGED, field="schedule")
"""A moved send: renderers say how far it moved instead."""


@dataclasses.dataclass(frozen=True)
class Words:
    """The words the JSON form writes for reasons and notes (``render.reasons`` has them)."""

    reason: Callable[[Reason], str]
    note: Callable[[NoteCode, Change], str]


WORDS_CONTEXT = "words"
"""The serialization context's key for the ``Words`` of the JSON form."""


def _words(info: FieldSerializationInfo) -> Words:
    context = info.context
    words = context.get(WORDS_CONTEXT) if isinstance(context, dict) else None
    if not isinstance(words, Words):
        raise TypeError("the plan's JSON form needs its words: use render.json_render")
    return words


_CHANGE_DERIVED: Mapping[str, type] = {"symbol": str, "housekeeping": bool}
_PLAN_DERIVED: Mapping[str, type] = {"summary": dict, "has_changes": bool, "blocked": int}
_WORDS_FIELDS = ("reasons", "notes")


class Change(PlanModel):
    address: str
    kind: Kind
    action: Action
    before: Body | None = None
    """The body last applied (from the ledger), None for a create."""
    after: Body | None = None
    """The desired body (from the manifests), None for a delete or forget."""
    reasons: Array[Reason] = ()
    blocked: Blocked | None = None
    field_changes: Array[FieldChange] = ()
    requests: Array[Request] = ()
    schedule_id: str | None = None
    parent_id: str | None = None
    schedule_time: str | None = None
    """``schedule.time`` as written: an instant, or a wall-clock time without an offset."""
    schedule_mode: ScheduleMode | None = None
    before_schedule_time: str | None = None
    before_schedule_mode: ScheduleMode | None = None
    send_at: Instant | None = None
    """First send instant of the schedule this change leaves or touches."""
    lifecycle: Lifecycle | None = None
    protect: bool = False
    """The manifest's protect flag (the ledger's, for a delete or forget)."""
    recorded_protect: bool = False
    labels: dict[str, str] = {}
    source: str | None = None
    after_hash: str | None = None
    recorded_status: RecordStatus | None = None
    """The ledger record's status, None if unrecorded."""
    recorded_unknown: Call | None = None
    """The ledger's last update or delete, when its outcome is unknown."""
    previous_send: str | None = None
    """For a create: the time of this address's earlier schedule, which has already sent."""
    moved_from: str | None = None
    """The address whose ledger record this change moves here first (``renamed_from``)."""
    replace_requested: bool = False
    """A replace the person asked for (``--replace``): a delete answered "unknown schedule"
    then counts as done, since the repair is for a schedule changed or removed in Braze."""
    notes: Array[NoteCode] = ()

    @property
    def is_change(self) -> bool:
        return self.action is not Action.NOOP

    @property
    def is_housekeeping(self) -> bool:
        """A forget of a schedule that has sent: the ledger drops it, nothing in Braze
        changes, so it is nothing for a reviewer to approve."""
        return self.action is Action.FORGET and self.lifecycle is Lifecycle.SENT

    def evolve(self, **fields: Any) -> Change:
        """A copy with ``fields`` replaced, not validated: for the planner, which gives the
        right types."""
        return self.model_copy(update=fields)

    def with_notes(self, *notes: NoteCode) -> Change:
        return self.model_copy(update={"notes": self.notes + notes})

    @model_validator(mode="before")
    @classmethod
    def _read_json_form(cls, data: Any, info: ValidationInfo) -> Any:
        if info.mode != "json":
            return data
        return without_derived(data, _CHANGE_DERIVED, _WORDS_FIELDS)

    @field_serializer("reasons", when_used="json")
    def _reason_words(self, reasons: tuple[Reason, ...], info: FieldSerializationInfo) -> list[str]:
        words = _words(info)
        return [words.reason(reason) for reason in reasons]

    @field_serializer("notes", when_used="json")
    def _note_words(self, notes: tuple[NoteCode, ...], info: FieldSerializationInfo) -> list[str]:
        words = _words(info)
        return [words.note(note, self) for note in notes]

    @model_serializer(mode="wrap")
    def _with_derived(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if info.mode_is_json():
            data["symbol"] = self.action.symbol
            data["housekeeping"] = self.is_housekeeping
        return data


class PlanOptions(PlanModel):
    freeze_window_seconds: int = int(DEFAULT_FREEZE_WINDOW.total_seconds())
    allow_late: bool = False
    allow_destroy: bool = False
    allow_resend: bool = False
    targets: Array[str] = ()
    replace: Array[str] = ()
    """Addresses to delete and create again (``--replace``), even when unchanged."""


class Plan(PlanModel):
    format_version: int = FORMAT_VERSION
    changes: Array[Change]
    now: Instant
    """The instant the time rules were evaluated at (``--now`` or the clock)."""
    options: PlanOptions = PlanOptions()
    managed: int = 0
    """Resources the ledger manages (not fired), for the destroy threshold."""
    workspace: str | None = None
    endpoint: str | None = None
    serial: int | None = None
    manifests_digest: str | None = None
    created_at: Instant | None = None
    warnings: Array[str] = ()

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

    @field_validator("format_version")
    @classmethod
    def _known_format(cls, version: int) -> int:
        if version != FORMAT_VERSION:
            raise ValueError(f"this tool reads format {FORMAT_VERSION}, not {version}")
        return version

    def evolve(self, **fields: Any) -> Plan:
        """A copy with ``fields`` replaced, validated (the changes are taken as they are)."""
        return type(self).model_validate({**self.__dict__, **fields})

    def json_form(self, words: Words) -> dict[str, Any]:
        """The JSON form, with the words of reasons and notes (``render.json_render``)."""
        return self.model_dump(mode="json", context={WORDS_CONTEXT: words})

    @model_validator(mode="before")
    @classmethod
    def _read_json_form(cls, data: Any, info: ValidationInfo) -> Any:
        if info.mode != "json":
            return data
        return without_derived(data, _PLAN_DERIVED)

    @model_serializer(mode="wrap")
    def _with_derived(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if info.mode_is_json():
            data["summary"] = self.counts()
            data["has_changes"] = self.has_changes
            data["blocked"] = len(self.blocked)
        return data
