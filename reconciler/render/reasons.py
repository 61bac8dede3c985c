"""The words of reasons and notes: why a change has its action, and what more to know.

The plan carries codes (``Reason``, ``NoteCode``); every renderer, the JSON form and the audit
take their words from here, and no code decides anything by them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reconciler.plan.model import Change, Words
from reconciler.plan.reasons import NoteCode, Reason, ReasonCode
from reconciler.plan.references import ObjectKind, Problem, ProblemCode
from reconciler.timeutil import format_utc

FIELD_WORDS: Mapping[str, str] = {
    "audience": "audience",
    "recipients": "recipients",
    "external_user_ids": "recipients (external_user_ids)",
    "user_aliases": "recipients (user_aliases)",
    "segment_id": "segment",
    "trigger_properties": "trigger properties",
    "context": "Canvas context",
    "canvas_entry_properties": "Canvas context",
    "send_id": "send id",
    "campaign_id": "campaign",
    "canvas_id": "Canvas",
    "broadcast": "broadcast flag",
    "override_messaging_limits": "override_messaging_limits",
    "recipient_subscription_state": "recipient subscription state",
}
"""A top-level body field in a reviewer's words."""

_REASONS: Mapping[ReasonCode, str] = {
    ReasonCode.NOT_RECORDED: "not in the ledger",
    ReasonCode.NOT_DECLARED: "not in the manifests",
    ReasonCode.SEND_ID_NOT_DECLARED: (
        "not in the manifests; Braze cannot delete a send id, so it is forgotten"
    ),
    ReasonCode.SEND_ID_CHANGED: (
        "send ids cannot be changed or deleted in Braze: a new one is created"
    ),
    ReasonCode.SENT_KEPT: "sent; kept in git",
    ReasonCode.MESSAGES_REMOVED: "messages removed (an update cannot remove them)",
    ReasonCode.PROTECT_SET: "protect set",
    ReasonCode.PROTECT_REMOVED: "protect removed",
    ReasonCode.LABELS_CHANGED: "labels changed",
    ReasonCode.ADOPTED: "adopted by import: Braze cannot be read back",
    ReasonCode.UPDATE_UNKNOWN: "the last update's outcome is unknown: it is sent again",
    ReasonCode.DELETE_UNKNOWN: "the last delete's outcome is unknown: the schedule may be gone",
    ReasonCode.UNCERTAIN: "the last create is uncertain",
    ReasonCode.UNCERTAIN_SENT: (
        "its send time passed; whether the uncertain create took effect stays unknown"
    ),
    ReasonCode.VANISHED: "Braze did not know its schedule id at the last apply",
    ReasonCode.VANISHED_SENT: "its send time passed; whether Braze still held it stays unknown",
    ReasonCode.REPLACE_REQUESTED: "replace requested (--replace)",
}

_NOTES: Mapping[NoteCode, str] = {
    NoteCode.LEDGER_ONLY: "ledger only: no call to Braze",
    NoteCode.SEND_ID_LEDGER_ONLY: "ledger only: a send id has nothing to update",
    NoteCode.RENAME_REPLACES: (
        "the rename alone would not call Braze, but the change to fields Braze cannot update "
        "deletes the schedule and creates a new one"
    ),
    NoteCode.OCCURRENCE_KEPT_SENDING: (
        "this occurrence is sending: it is kept as scheduled; the rule's change applies from "
        "the next occurrence (an emergency stop: remove the manifest and apply with "
        "--allow-late)"
    ),
    NoteCode.OCCURRENCE_KEPT_PAST: (
        "the rule's new time for this occurrence has already passed: it is kept as scheduled; "
        "the rule's change applies from the next occurrence"
    ),
    NoteCode.OCCURRENCE_KEPT_FROZEN: (
        "this occurrence is inside the freeze window: it is kept as scheduled; the rule's "
        "change applies from the next occurrence (--allow-late changes it anyway)"
    ),
}


def _fixed_field(reason: Reason) -> str:
    field = reason.field or ""
    return f"{FIELD_WORDS.get(field, field.replace('_', ' '))} changed (Braze cannot update it)"


_ABOUT: Mapping[ReasonCode, Callable[[Reason], str]] = {
    ReasonCode.FIELD_CHANGED: lambda reason: f"{reason.field} changed",
    ReasonCode.FIXED_FIELD_CHANGED: _fixed_field,
    ReasonCode.SENT: lambda reason: f"sent ({reason.time})",
    ReasonCode.RESEND: (
        lambda reason: f"the previous schedule was sent ({reason.time}); this is a new send"
    ),
    ReasonCode.RENAMED: lambda reason: f"renamed from {reason.address}",
}
"""The words of the reasons that are about something (a field, a time, an address)."""


def reason_words(reason: Reason) -> str:
    about = _ABOUT.get(reason.code)
    return about(reason) if about is not None else _REASONS[reason.code]


def reasons_words(change: Change) -> list[str]:
    return [reason_words(reason) for reason in change.reasons]


def note_words(note: NoteCode, change: Change) -> str:
    if note is NoteCode.ADOPTED_UPDATE:
        sent = "schedule and messages" if "messages" in change.kind.facts.updatable else "schedule"
        return (
            f"this update sends the manifest's {sent} so that Braze matches it; other fields "
            "cannot be updated and are assumed to match"
        )
    if note is NoteCode.EMERGENCY_STOP:
        since = format_utc(change.send_at) if change.send_at is not None else "its first send"
        return (
            f"emergency stop: it has been sending since {since} in the zones reached so far; "
            "the delete cancels the zones not reached yet (best effort: Braze may still send "
            "in some of them) and cannot recall what was sent"
        )
    return _NOTES[note]


def notes_words(change: Change) -> list[str]:
    return [note_words(note, change) for note in change.notes]


WORDS = Words(reason=reason_words, note=note_words)
"""What the JSON form writes for people (``render.json_render.plan_document``)."""


def _named(problem: Problem) -> str:
    name = f" ({problem.name})" if problem.name else ""
    return f"{problem.object_kind} {problem.object_id}{name}"


def _delivery(problem: Problem) -> str:
    reported = problem.schedule_type or "none"
    return f"schedule_type {reported!r}"


_PROBLEMS: Mapping[ProblemCode, Callable[[Problem], str]] = {
    ProblemCode.UNKNOWN: lambda p: (
        f"{_named(p)} does not exist in this workspace"
        + (
            " (or is archived: Braze lists no archived segment)"
            if p.object_kind == "segment"
            else ""
        )
    ),
    ProblemCode.ARCHIVED: lambda p: f"{_named(p)} is archived: Braze sends nothing for it",
    ProblemCode.DRAFT: lambda p: f"{_named(p)} is a draft: launch it in Braze first",
    ProblemCode.NOT_API_TRIGGERED: lambda p: (
        f"{_named(p)} does not use API-triggered delivery ({_delivery(p)}): Braze refuses an "
        f"API schedule for it; set its delivery to API-triggered in Braze"
    ),
    ProblemCode.NOT_API_CAMPAIGN: lambda p: (
        f"{_named(p)} is not an API campaign ({_delivery(p)}): campaign_id of a scheduled "
        "message must name one"
    ),
    ProblemCode.UNKNOWN_DELIVERY: lambda p: (
        f"{_named(p)} reports {_delivery(p)}, which this tool does not know: whether it is "
        "API-triggered was not checked"
    ),
    ProblemCode.PAUSED: lambda p: (
        f"{_named(p)} is paused: nothing will be sent until it is resumed in Braze"
    ),
    ProblemCode.VARIATION_ELSEWHERE: lambda p: (
        f"message_variation_id {p.variation_id} of the {p.channel} message is not a variation "
        f"of {_named(p)}"
    ),
    ProblemCode.VARIATION_CHANNEL: lambda p: (
        f"message_variation_id {p.variation_id} of the {p.channel} message is {_named(p)}'s "
        f"{p.property_name} variation, not its {p.channel} one"
    ),
    ProblemCode.MISSING_PROPERTY: lambda p: (
        f"{_named(p)}: {', '.join(p.messages)} use{'s' if len(p.messages) == 1 else ''} the "
        f"property {p.property_name!r}, which the manifest does not give (top level, or by every "
        "recipient): Braze would send a blank in its place"
    ),
    ProblemCode.DEFAULTED_PROPERTY: lambda p: (
        f"{_named(p)}: the property {p.property_name!r} is not given (top level, or by every "
        f"recipient), but no message prints a blank for it: {'; '.join(p.messages)}"
    ),
    ProblemCode.BROKEN_TEXT: lambda p: (
        f"{_named(p)}: {', '.join(p.messages)} is not valid Liquid: Braze cannot render it as "
        "it stands; fix the message in Braze"
    ),
    ProblemCode.FOREIGN_PROPERTY: lambda p: (
        f"{_named(p)}: {', '.join(p.messages)} reads {p.property_name}, which "
        f"{'a Canvas' if p.object_kind is ObjectKind.CANVAS else 'a campaign'} never fills "
        "(campaigns read api_trigger_properties, Canvases canvas_entry_properties and context): "
        "whatever the schedule gives, recipients read what Braze prints for a missing property; "
        "fix the message in Braze"
    ),
    ProblemCode.UNUSED_PROPERTY: lambda p: (
        f"the property {p.property_name!r} is given, but no message of {_named(p)} uses it"
    ),
}


def problem_words(problem: Problem) -> str:
    """A reference check's problem in people's words, at the manifest's file:line:col."""
    where = f"{problem.location}: " if problem.location else ""
    return where + _PROBLEMS[problem.code](problem)
