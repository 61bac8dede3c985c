"""A record moved to a new address (a rename), on SQLite and PostgreSQL (see conftest)."""

from __future__ import annotations

import dataclasses

from reconciler.state import Outcome, StateStore
from reconciler.state.base import LEDGER_ENDPOINT, RENAME
from tests.state.helpers import full_record

OLD = "canvas_schedule/onboarding"
NEW = "canvas_schedule/onboarding-2026"


def test_a_move_keeps_the_record_under_the_new_address_and_journals_it(
    store: StateStore,
) -> None:
    record = full_record(OLD)
    store.put(record)
    serial = store.info().serial
    moved = store.move(record, NEW, run_id="run-mv")
    assert store.get(OLD) is None
    kept = store.get(NEW)
    assert kept == moved
    assert dataclasses.replace(kept, address=OLD, updated_at=record.updated_at) == record
    (intent,) = store.intents(NEW)
    assert (intent.action, intent.endpoint, intent.outcome) == (
        RENAME,
        LEDGER_ENDPOINT,
        Outcome.SUCCEEDED,
    )
    assert intent.body == {"from": OLD, "to": NEW}
    assert intent.message == f"renamed from {OLD}"
    assert store.info().serial > serial


def test_a_move_interrupted_before_its_outcome_leaves_the_record_where_it_was(
    store: StateStore,
) -> None:
    record = full_record(OLD)
    store.put(record)
    store.begin(
        address=NEW,
        kind=record.kind,
        action=RENAME,
        endpoint=LEDGER_ENDPOINT,
        body={"from": OLD, "to": NEW},
        body_hash="x",
        run_id="dead-run",
    )
    (recovered,) = store.recover_interrupted(current_run_id="next-run")
    assert recovered.outcome is Outcome.INTERRUPTED
    assert store.get(OLD) == record
    assert store.get(NEW) is None
