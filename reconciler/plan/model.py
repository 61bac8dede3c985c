"""The plan is data: a ``Plan`` of ``Change``s, typed pydantic models (frozen).

Every field is typed: the action, the kind, the lifecycle, the ledger's status and each
request's call are enums; send instants and the plan's times are aware datetimes; why a change
has its action is a ``Reason`` code with its parameters, and what code decides on in a note is
a ``NoteCode``. Their words live in ``reconciler.render.reasons``; no decision reads words.

The JSON form (``plan --format json``, ``plan --out``) is the model's own dump
(``Plan.json_form``, given the words from ``render``): instants as ``2026-11-27T09:00:00Z``,
and, for the people who read it, the words of each reason and note, each action's ``symbol``,
whether a change is ``housekeeping``, and the plan's ``summary``, ``has_changes`` and
``blocked`` count. Those are derived: read back (``apply --plan``, ``plan.planfile``), they
are checked for their type and dropped, since the applying side plans again and decides on its
own codes (``plan.compare``). Everything else is read back strictly: an unknown field or a
wrong type is refused, naming the field.

The planner is the trusted producer: it builds its changes with ``model_construct``, with the
right types (mypy checks them). Validating would copy every body, and decode each body the
ledger reads lazily, which a no-op plan of 10,000 resources never needs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any, ClassVar, Final

from pydantic import (
    FieldSerializationInfo,
    field_serializer,
    field_validator,
)

from reconciler.kinds import Kind
from reconciler.plan.jsonform import Array, Body, Instant, JsonFormModel, PlanModel
from reconciler.plan.reasons import NoteCode, Reason
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
    REFERENCE = "reference"
    """A Braze object the manifest names fails a reference check (``plan.references``)."""


class Call(StrEnum):
    """The Braze call a request makes (each kind's path for it: ``reconciler.kinds``)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Blocked(PlanModel):
    code: BlockCode
    reason: str
    """For people (made by ``plan.safety``, which knows the figures); code reads ``code``."""

    def reasons(self) -> list[str]:
        """The reason as the lines a reviewer reads: a reference block, one problem a line
        (the JSON form keeps the one ``reason``)."""
        if self.code is BlockCode.REFERENCE:
            return self.reason.split(REFERENCE_SEPARATOR)
        return [self.reason]


REFERENCE_SEPARATOR = "; "
"""Between the problems of a reference block's ``reason``."""


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


class MessageText(PlanModel):
    """What recipients will read: one main-text field of one message (a push's title, an
    email's subject), rendered offline with the schedule's properties, before and after.

    User attributes show as placeholders (``{first_name}``); a property the schedule does not
    supply shows as ``{api_trigger_properties.code: missing}`` (``reconciler.templates``).
    Made by ``plan.texts`` for people; read back from a saved plan as written, never compared
    (``plan.compare``)."""

    message: str
    """The message, for people: ``email``, or ``variation "Push A" (apple_push)``."""
    field: str
    """``title``, ``alert``, ``subject``, ``preheader``, ``body``, ``description``..."""
    before: str | None = None
    """As the body last applied renders it; None for a create or a field it lacked."""
    after: str | None = None
    """As the desired body renders it; None for a field it no longer has."""
    differing_recipients: int = 0
    """Recipients whose own properties make them read another ``after`` text than the one
    shown (which uses the top-level properties, or the first recipient's)."""
    first_recipient: bool = False
    """The ``after`` text shown is the first recipient's: every recipient gives properties of
    its own, so the top level alone is what no one reads."""


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


class Change(JsonFormModel):
    DERIVED: ClassVar[Mapping[str, type]] = {"symbol": str, "housekeeping": bool}
    AS_WORDS: ClassVar[tuple[str, ...]] = ("reasons", "notes")
    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ("rule", "rule_summary", "variables", "texts")

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
    rule: str | None = None
    """For an occurrence of a recurring manifest (``KIND/NAME@KEY``): the rule's address
    (``KIND/NAME``), by which renderers group its occurrences."""
    rule_summary: str | None = None
    """The rule in words (``weekly on Monday at 09:00 in America/New_York``), when the
    manifests still declare it."""
    variables: dict[str, str] | None = None
    """The body's fields the manifest wrote as ``!var NAME``: path (``campaign_id``) -> NAME,
    so that the plan shows the variable beside its value."""
    texts: Array[MessageText] | None = None
    """What recipients will read, for a create, update or replace whose messages are known
    (``plan.texts``); None otherwise (and in plans written before it existed)."""

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

    @field_serializer("reasons", when_used="json")
    def _reason_words(self, reasons: tuple[Reason, ...], info: FieldSerializationInfo) -> list[str]:
        words = _words(info)
        return [words.reason(reason) for reason in reasons]

    @field_serializer("notes", when_used="json")
    def _note_words(self, notes: tuple[NoteCode, ...], info: FieldSerializationInfo) -> list[str]:
        words = _words(info)
        return [words.note(note, self) for note in notes]

    def derived(self) -> dict[str, Any]:
        return {"symbol": self.action.symbol, "housekeeping": self.is_housekeeping}


class PlanOptions(JsonFormModel):
    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = (
        "horizon_seconds",
        "destroy_threshold",
        "destroy_percent",
    )

    freeze_window_seconds: int = int(DEFAULT_FREEZE_WINDOW.total_seconds())
    allow_late: bool = False
    allow_destroy: bool = False
    allow_resend: bool = False
    targets: Array[str] = ()
    replace: Array[str] = ()
    """Addresses to delete and create again (``--replace``), even when unchanged."""
    horizon_seconds: int | None = None
    """``--horizon``: how far ahead the occurrences of recurring manifests that set no
    horizon of their own are kept scheduled; None for the default. It shapes the plan, so a
    saved plan is applied with it."""
    destroy_threshold: int | None = None
    """The configuration's ``destroy_threshold``: more deletes than this (and more than
    ``destroy_percent`` of the managed resources) need --allow-destroy; None for 10."""
    destroy_percent: int | None = None
    """The configuration's ``destroy_percent``; None for 25."""

    @property
    def horizon(self) -> timedelta | None:
        return timedelta(seconds=self.horizon_seconds) if self.horizon_seconds else None


class Plan(JsonFormModel):
    DERIVED: ClassVar[Mapping[str, type]] = {"summary": dict, "has_changes": bool, "blocked": int}
    OMITTED_WHEN_NONE: ClassVar[tuple[str, ...]] = ("lookups",)

    format_version: int = FORMAT_VERSION
    changes: Array[Change]
    now: Instant
    """The instant the time rules were evaluated at (``--now`` or the clock)."""
    options: PlanOptions = PlanOptions()
    managed: int = 0
    """Resources the ledger manages (not fired), for the destroy threshold."""
    workspace: str | None = None
    environment: str | None = None
    """The configuration's environment the plan was made for (``--env``), if any."""
    endpoint: str | None = None
    serial: int | None = None
    manifests_digest: str | None = None
    created_at: Instant | None = None
    warnings: Array[str] = ()
    lookups: int | None = None
    """How many lookups the reference checks made (``GET /campaigns/details``...); None when
    none were made (``--offline``, no API key)."""

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

    def derived(self) -> dict[str, Any]:
        return {
            "summary": self.counts(),
            "has_changes": self.has_changes,
            "blocked": len(self.blocked),
        }
