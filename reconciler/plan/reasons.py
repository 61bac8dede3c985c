"""Why a change has its action (``Reason``), and what more a person should know of it
(``NoteCode``): codes, with what they are about. The words are ``render.reasons``'; code
decides on the codes only.
"""

from __future__ import annotations

from enum import StrEnum

from reconciler.plan.jsonform import PlanModel


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
    OCCURRENCE_KEPT_SENDING = "occurrence_kept_sending"
    """An occurrence that is sending: the rule's change (or removal) is not applied to it,
    only from the next occurrence on."""
    OCCURRENCE_KEPT_FROZEN = "occurrence_kept_frozen"
    """An occurrence inside the freeze window: the rule's change (or removal) is not applied
    to it without ``--allow-late``."""
    OCCURRENCE_KEPT_PAST = "occurrence_kept_past"
    """An occurrence not yet sent whose new time under the changed rule has passed: it is
    kept at its scheduled time, never moved into the past."""


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
