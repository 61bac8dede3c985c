"""The one rule for a call left open by a dead run: what its record becomes.

A process that dies between an intent and its outcome may or may not have made the call.
``recover_interrupted`` writes what this rule gives, and ``plan`` (which never writes) shows
the same records, so both always agree:

- a create becomes an ``uncertain`` record holding the body that was sent; a create that
  sends nothing (a send id) leaves nothing, since making it again is harmless;
- an update or a delete marks its record with ``unknown_outcome``, so that the next plan
  repeats the call (both are idempotent);
- anything else (a rename, a call whose record was removed since) leaves the record as it is.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from reconciler.kinds import KindFacts, facts
from reconciler.sendtime import body_schedule
from reconciler.state.base import Intent, Record, RecordStatus


def interrupted_record(intent: Intent, record: Record | None, now: datetime) -> Record | None:
    """The record at ``intent.address`` once the open ``intent`` counts as of unknown
    outcome; None when the rule changes nothing there. ``now`` stamps the change."""
    if intent.action == "create":
        known = _facts(intent.kind)
        if known is not None and not known.sends_messages:
            return None  # a kind this tool does not know is taken as one that sends
        return uncertain_record(intent, record, now)
    if intent.action in ("update", "delete") and record is not None:
        return dataclasses.replace(record, unknown_outcome=intent.action, updated_at=now)
    return None


def uncertain_record(intent: Intent, existing: Record | None, now: datetime) -> Record:
    """What an interrupted create leaves: the body that was sent, its outcome unknown.

    Always the create's own body, time and mode: an existing record (a fired tombstone, or the
    schedule a replace deleted) describes another schedule, and its past time would let the
    plan forget this one while it may be live.
    """
    body = intent.body
    schedule_time, schedule_mode = body_schedule(body)
    known = _facts(intent.kind)
    parent = known.parent_key if known is not None else None
    parent_id = body.get(parent) if parent else None
    return Record(
        address=intent.address,
        kind=intent.kind,
        status=RecordStatus.UNCERTAIN,
        parent_id=parent_id if isinstance(parent_id, str) else None,
        body=body,
        body_hash=intent.body_hash,
        schedule_time=schedule_time,
        schedule_mode=schedule_mode,
        protect=existing.protect if existing else False,
        labels=existing.labels if existing else {},
        created_at=existing.created_at if existing and existing.created_at else now,
        updated_at=now,
    )


def _facts(kind: str) -> KindFacts | None:
    """The kind's facts; None for a kind this version does not know (a ledger written by a
    newer one): recovery must not fail on it."""
    try:
        return facts(kind)
    except ValueError:
        return None
